"""Recurring pipeline failure: inspect the failed steps and their logs, diff the parameters, block promotions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import NothingToDo, Runbook, StepFailed, step
from .promotion import freeze_promotion

if TYPE_CHECKING:
    from simulacro.spec.model import Pipeline

RECURRING = 2
LOG_LINES = 20


class RecurringPipelineFailure(Runbook):
    name = "recurring-pipeline-failure"
    symptom = "recurring pipeline failure"
    likely_cause = "an uncontrolled change in data, code or IAM"
    evidence_kept = (
        "PipelineExecutionArn of each failed run, step statuses and failure reasons, log lines, parameter diff"
    )
    usage = "python -m simulacro runbook recurring-pipeline-failure --env staging --pipeline churn-training"
    required_inputs = ("pipeline",)

    @property
    def pipeline(self) -> Pipeline:
        return self.stack.pipeline(self.inputs["pipeline"], self.environment)

    @step("list the latest executions: do the last ones fail?")
    def list_executions(self) -> dict[str, Any]:
        summaries = self.client("sagemaker").list_pipeline_executions(
            PipelineName=self.pipeline.name, SortBy="CreationTime", SortOrder="Descending", MaxResults=20
        )["PipelineExecutionSummaries"]
        latest = [s for s in summaries if s["PipelineExecutionStatus"] in ("Succeeded", "Failed")]
        failed = [s for s in latest[:RECURRING] if s["PipelineExecutionStatus"] == "Failed"]
        if len(failed) < RECURRING:
            state = latest[0]["PipelineExecutionStatus"] if latest else "no finished execution"
            raise NothingToDo(
                f"the last {RECURRING} executions of {self.pipeline.name} do not all fail (latest: {state})"
            )
        self.failed = failed
        self.last_success = next((s for s in latest if s["PipelineExecutionStatus"] == "Succeeded"), None)
        return {"failed_executions": [s["PipelineExecutionArn"] for s in failed]}

    @step("inspect the failed steps and their failure reasons")
    def inspect_failed_steps(self) -> dict[str, Any]:
        sagemaker = self.client("sagemaker")
        self.failed_steps = []
        for execution in self.failed:
            steps = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution["PipelineExecutionArn"])[
                "PipelineExecutionSteps"
            ]
            for s in steps:
                if s["StepStatus"] == "Failed":
                    self.failed_steps.append(
                        {
                            "execution": execution["PipelineExecutionArn"],
                            "step": s["StepName"],
                            "reason": s.get("FailureReason"),
                            "job": _job_arn(s),
                        }
                    )
        if not self.failed_steps:
            raise StepFailed(
                "the failed executions report no failed step: check the pipeline definition and its IAM role"
            )
        return {"failed_steps": self.failed_steps}

    @step("read the failed jobs' CloudWatch logs")
    def read_logs(self) -> dict[str, Any]:
        logs = self.client("logs")
        lines: dict[str, list[str]] = {}
        for failed in self.failed_steps:
            if not failed["job"]:
                continue
            job_name = failed["job"].rsplit("/", 1)[-1]
            events = logs.filter_log_events(
                logGroupName=self.pipeline.log_group, logStreamNamePrefix=job_name, limit=200
            )["events"]
            lines[job_name] = [e["message"] for e in events][-LOG_LINES:]
        if not any(lines.values()):
            raise StepFailed(
                f"no log lines for the failed jobs in {self.pipeline.log_group}: check the log group and its retention"
            )
        return {"log_lines": lines}

    @step("diff the parameters against the last successful execution")
    def diff_parameters(self) -> dict[str, Any]:
        sagemaker = self.client("sagemaker")
        failed = _parameters(sagemaker, self.failed[0]["PipelineExecutionArn"])
        if self.last_success is None:
            return {"parameter_diff": "no successful execution to compare with", "failed_parameters": failed}
        good = _parameters(sagemaker, self.last_success["PipelineExecutionArn"])
        diff = {
            k: {"last_success": good.get(k), "failed": failed.get(k)}
            for k in sorted(set(good) | set(failed))
            if good.get(k) != failed.get(k)
        }
        return {
            "parameter_diff": diff or "identical parameters: look at data, code or IAM",
            "last_success": self.last_success["PipelineExecutionArn"],
        }

    @step("block promotions until the pipeline is fixed")
    def block_promotions(self) -> dict[str, Any]:
        return {
            "promotion_blocked": freeze_promotion(
                self, None, reason=f"{self.name} {self.run_id}", pipeline=self.pipeline
            )
        }


def _job_arn(step: dict[str, Any]) -> str | None:
    metadata = step.get("Metadata") or {}
    for kind in ("TrainingJob", "ProcessingJob"):
        if kind in metadata:
            return metadata[kind].get("Arn")
    return None


def _parameters(sagemaker: Any, execution_arn: str) -> dict[str, str]:
    found = sagemaker.list_pipeline_parameters_for_execution(PipelineExecutionArn=execution_arn)["PipelineParameters"]
    return {p["Name"]: p["Value"] for p in found}
