"""SageMaker pipeline executions that run step by step in virtual time, and can fail on purpose.

moto makes every execution `Succeeded` at once and answers 500 to ListPipelineExecutionSteps and
StopPipelineExecution. Here StartPipelineExecution still lets moto create the execution record (so
its ListPipelineParametersForExecution and DescribePipelineDefinitionForExecution keep working),
then we run it: the steps of the definition in order, each lasting
`Metadata.Simulacro.StepDurationSeconds[step]` (see `provision/pipeline_definition.py`) on the
clock. A step fails when the execution's parameter named by `FaultParameter` equals its name
(and is not `NoFaultValue`): its job fails with `StepFailureReasons[step]`, the execution fails,
later steps never start. StopPipelineExecution goes `Stopping`, then `Stopped` after
`STOPPING_SECONDS`.

Each change emits the documented events (execution and step status changes, training and
processing job state changes) and metrics in `AWS/Sagemaker/ModelBuildingPipeline`, and each job
writes its CloudWatch Logs (stream `<job-name>/algo-1-<epoch>` of the pipeline's `LogGroup`), the
failure and a traceback included. Training and processing jobs are registered in moto's backend,
so DescribeTrainingJob, ListTrainingJobs, DescribeProcessingJob and ListProcessingJobs are moto's
and agree with ours.
"""
from __future__ import annotations

import json
import random
import string
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from simulacro.events.shapes import (
    pipeline_execution_status_change,
    pipeline_step_status_change,
    processing_job_state_change,
    training_job_state_change,
)

from . import backends
from .errors import AwsError, validation
from .overlay import Call, Overlay

NAMESPACE = "AWS/Sagemaker/ModelBuildingPipeline"
DEFAULT_STEP_SECONDS = 60
STOPPING_SECONDS = 30
DEFAULT_FAILURE_REASON = "AlgorithmError: simulated failure injected by Simulacro"
EXECUTION_FAILURE_REASON = "Step failure: One or multiple steps failed."
JOB_KINDS = {"Training": "trainingJob", "Processing": "processingJob"}
DEFAULT_LOG_GROUPS = {"Training": "/aws/sagemaker/TrainingJobs", "Processing": "/aws/sagemaker/ProcessingJobs"}
IMAGE = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
TERMINAL = ("Succeeded", "Failed", "Stopped")


@dataclass
class StepRun:
    name: str
    type: str
    duration: float
    failure_reason: str
    status: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    reason: str | None = None  # set when the step failed
    job: Any = None  # moto's FakeTrainingJob / FakeProcessingJob
    log_stream: str | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        """As the step event carries it: {"trainingJob": {"arn": ...}}."""
        kind = JOB_KINDS.get(self.type)
        return {kind: {"arn": self.job.arn}} if kind and self.job is not None else {}


@dataclass
class Execution:
    account: str
    region: str
    pipeline_name: str
    pipeline_arn: str
    arn: str
    display_name: str
    description: str | None
    parameters: dict[str, str]
    settings: dict[str, Any]
    steps: list[StepRun]
    start: datetime
    record: Any  # moto's FakePipelineExecution, kept in sync
    status: str = "Executing"
    failure_reason: str | None = None
    end: datetime | None = None
    modified: datetime | None = None

    @property
    def id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def running(self) -> StepRun | None:
        return next((s for s in self.steps if s.status in ("Starting", "Executing", "Stopping")), None)

    def fails(self, step: StepRun) -> bool:
        parameter = self.settings.get("FaultParameter")
        value = self.parameters.get(parameter) if parameter else None
        return value is not None and value != self.settings.get("NoFaultValue", "none") and value == step.name


class Pipelines:
    def __init__(self, clock: Any, emit_event: Callable[..., None], put_metric: Callable[..., None]):
        self.clock = clock
        self.emit_event = emit_event
        self.put_metric = put_metric
        self.executions: dict[str, Execution] = {}

    def install(self, overlay: Overlay) -> None:
        overlay.handle("sagemaker", "StartPipelineExecution", self._start)
        overlay.handle("sagemaker", "DescribePipelineExecution", self._describe)
        overlay.handle("sagemaker", "ListPipelineExecutions", self._list)
        overlay.handle("sagemaker", "ListPipelineExecutionSteps", self._list_steps)
        overlay.handle("sagemaker", "StopPipelineExecution", self._stop)

    def clear(self) -> None:
        self.executions.clear()

    # --- API ---------------------------------------------------------------------------

    def _start(self, call: Call) -> dict[str, Any]:
        params = call.params
        backend = backends.sagemaker(call.account, call.region)
        backend.describe_pipeline(params["PipelineName"])  # moto's "Could not find pipeline" when missing
        pipeline = backend.pipelines[params["PipelineName"]]
        definition = json.loads(pipeline.pipeline_definition or "{}")
        parameters = _parameters(definition, params.get("PipelineParameters") or [])
        now = self.clock.now()
        display_name = params.get("PipelineExecutionDisplayName") or f"execution-{int(now.timestamp() * 1000)}"
        arn = backend.start_pipeline_execution(
            pipeline.pipeline_name, display_name, [{"Name": k, "Value": v} for k, v in parameters.items()],
            params.get("PipelineExecutionDescription"), params.get("ParallelismConfiguration"),
            params.get("ClientRequestToken"),
        )["PipelineExecutionArn"]
        record = pipeline.pipeline_executions[arn]
        record.creation_time = record.start_time = pipeline.last_execution_time = _naive(now)
        execution = Execution(
            call.account, call.region, pipeline.pipeline_name, pipeline.arn, arn, display_name,
            params.get("PipelineExecutionDescription"), parameters, _settings(definition), _steps(definition),
            now, record,
        )
        self.executions[arn] = execution
        self._execution_status(execution, "Executing")
        self._metric(execution, "ExecutionStarted", 1)
        if execution.steps:
            self._start_step(execution, execution.steps[0])
        else:
            self._finish(execution, "Succeeded")
        return {"PipelineExecutionArn": arn}

    def _describe(self, call: Call) -> dict[str, Any]:
        execution = self._find(call.account, call.region, call.params["PipelineExecutionArn"])
        described = {
            "PipelineArn": execution.pipeline_arn,
            "PipelineExecutionArn": execution.arn,
            "PipelineExecutionDisplayName": execution.display_name,
            "PipelineExecutionStatus": execution.status,
            "CreationTime": execution.start,
            "LastModifiedTime": execution.modified or execution.start,
            "PipelineExperimentConfig": {"ExperimentName": execution.pipeline_name, "TrialName": execution.id},
        }
        if execution.description:
            described["PipelineExecutionDescription"] = execution.description
        if execution.failure_reason:
            described["FailureReason"] = execution.failure_reason
        return described

    def _list(self, call: Call) -> dict[str, Any]:
        params = call.params
        backends.sagemaker(call.account, call.region).describe_pipeline(params["PipelineName"])
        found = [
            e for e in self.executions.values()
            if (e.account, e.region, e.pipeline_name) == (call.account, call.region, params["PipelineName"])
            and _within(e.start, params.get("CreatedAfter"), params.get("CreatedBefore"))
        ]
        by_arn = params.get("SortBy") == "PipelineExecutionArn"
        newest_first = params.get("SortOrder", "Descending") == "Descending"
        found.sort(key=lambda e: e.arn if by_arn else e.start.timestamp(), reverse=newest_first)
        page, token = _page(found, params)
        return {"PipelineExecutionSummaries": [_summary(e) for e in page], **token}

    def _list_steps(self, call: Call) -> dict[str, Any]:
        execution = self._find(call.account, call.region, call.params["PipelineExecutionArn"])
        started = [s for s in execution.steps if s.status is not None]
        if call.params.get("SortOrder", "Descending") == "Descending":
            started.reverse()
        page, token = _page(started, call.params)
        return {"PipelineExecutionSteps": [_step_summary(s) for s in page], **token}

    def _stop(self, call: Call) -> dict[str, Any]:
        execution = self._find(call.account, call.region, call.params["PipelineExecutionArn"])
        if execution.status == "Stopping":
            return {"PipelineExecutionArn": execution.arn}
        if execution.status != "Executing":
            raise validation(f"Pipeline execution {execution.arn} is {execution.status}: "
                             "only an Executing execution can be stopped.")
        self._execution_status(execution, "Stopping")
        step = execution.running
        if step is not None:
            self._step_status(execution, step, "Stopping")
        self.clock.call_later(STOPPING_SECONDS, lambda: self._stopped(execution))
        return {"PipelineExecutionArn": execution.arn}

    def _find(self, account: str, region: str, arn: str) -> Execution:
        execution = self.executions.get(arn)
        if execution is None or (execution.account, execution.region) != (account, region):
            raise AwsError("ResourceNotFound", f"Pipeline execution {arn} does not exist.")
        return execution

    # --- the control plane -------------------------------------------------------------

    def _start_step(self, execution: Execution, step: StepRun) -> None:
        step.start = self.clock.now()
        self._step_status(execution, step, "Starting")
        if step.type in JOB_KINDS:
            self._start_job(execution, step)
        self._step_status(execution, step, "Executing")
        self._metric(execution, "StepStarted", 1, step)
        self.clock.call_later(step.duration, lambda: self._finish_step(execution, step))

    def _finish_step(self, execution: Execution, step: StepRun) -> None:
        if not self._current(execution) or step.status != "Executing":
            return  # stopped, or the emulator was reset
        step.end = self.clock.now()
        if execution.fails(step):
            step.reason = step.failure_reason
            self._end_job(execution, step, "Failed")
            self._step_status(execution, step, "Failed")
            self._step_metrics(execution, step, "StepFailed")
            execution.failure_reason = EXECUTION_FAILURE_REASON
            self._finish(execution, "Failed")
            return
        self._end_job(execution, step, "Completed")
        self._step_status(execution, step, "Succeeded")
        self._step_metrics(execution, step, "StepSucceeded")
        following = execution.steps.index(step) + 1
        if following < len(execution.steps):
            self._start_step(execution, execution.steps[following])
        else:
            self._finish(execution, "Succeeded")

    def _stopped(self, execution: Execution) -> None:
        if not self._current(execution) or execution.status != "Stopping":
            return
        step = execution.running
        if step is not None:
            step.end = self.clock.now()
            self._end_job(execution, step, "Stopped")
            self._step_status(execution, step, "Stopped")
            self._step_metrics(execution, step, "StepStopped")
        self._finish(execution, "Stopped")

    def _finish(self, execution: Execution, status: str) -> None:
        execution.end = self.clock.now()
        self._execution_status(execution, status)
        self._metric(execution, f"Execution{status}", 1)
        self._metric(execution, "ExecutionDuration", _ms_between(execution.start, execution.end), unit="Milliseconds")

    def _current(self, execution: Execution) -> bool:
        return self.executions.get(execution.arn) is execution

    def _execution_status(self, execution: Execution, status: str) -> None:
        previous, now = (execution.status if execution.modified else None), self.clock.now()
        execution.status, execution.modified = status, now
        record = execution.record
        record.pipeline_execution_status, record.last_modified_time = status, _naive(now)
        record.pipeline_execution_failure_reason = execution.failure_reason
        self.emit_event(execution.account, execution.region, pipeline_execution_status_change(
            pipeline_arn=execution.pipeline_arn,
            pipeline_execution_arn=execution.arn,
            display_name=execution.display_name,
            current_status=status,
            previous_status=previous,
            execution_start_time=_iso(execution.start),
            execution_end_time=_iso(execution.end) if status in TERMINAL and execution.end else None,
            description=execution.description,
            account=execution.account, region=execution.region, time=now, id=str(uuid.uuid4()),
        ))

    def _step_status(self, execution: Execution, step: StepRun, status: str) -> None:
        previous, step.status = step.status, status
        self.emit_event(execution.account, execution.region, pipeline_step_status_change(
            pipeline_arn=execution.pipeline_arn,
            pipeline_execution_arn=execution.arn,
            step_name=step.name,
            step_type=step.type,
            current_status=status,
            previous_status=previous,
            step_start_time=_iso(step.start),
            step_end_time=_iso(step.end) if step.end else None,
            metadata=step.metadata,
            failure_reason=step.reason if status == "Failed" else None,
            account=execution.account, region=execution.region, time=self.clock.now(), id=str(uuid.uuid4()),
        ))

    def _metric(self, execution: Execution, name: str, value: float, step: StepRun | None = None,
                unit: str = "Count") -> None:
        dimensions = {"PipelineName": execution.pipeline_name}
        if step is not None:
            dimensions["StepName"] = step.name
        self.put_metric(execution.account, execution.region, NAMESPACE, name, dimensions, value,
                        at=self.clock.now(), unit=unit)

    def _step_metrics(self, execution: Execution, step: StepRun, outcome: str) -> None:
        self._metric(execution, outcome, 1, step)
        self._metric(execution, "StepDuration", _ms_between(step.start, step.end), step, unit="Milliseconds")

    # --- jobs ---------------------------------------------------------------------------

    def _start_job(self, execution: Execution, step: StepRun) -> None:
        backend = backends.sagemaker(execution.account, execution.region)
        name = _job_name(execution, step)
        role = backend.pipelines[execution.pipeline_name].role_arn
        image = IMAGE.format(region=execution.region)
        if step.type == "Training":
            job = backend.create_training_job(
                training_job_name=name, hyper_parameters={}, role_arn=role, input_data_config=[],
                algorithm_specification={"TrainingImage": image, "TrainingInputMode": "File"},
                output_data_config={"S3OutputPath": _output_path(execution)},
                resource_config={"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30},
                vpc_config=None, stopping_condition={"MaxRuntimeInSeconds": 86400}, tags=[],
                enable_network_isolation=False, enable_inter_container_traffic_encryption=False,
                enable_managed_spot_training=False, checkpoint_config=None, debug_hook_config=None,
                debug_rule_configurations=None, tensor_board_output_config=None, experiment_config=None,
            )
            job.training_job_status, job.secondary_status = "InProgress", "Starting"
            job.training_start_time, job.training_end_time = _naive(step.start), None
            job.secondary_status_transitions, job.final_metric_data_list = [], []
        else:
            job = backend.create_processing_job(
                app_specification={"ImageUri": image}, experiment_config=None, network_config=None,
                processing_inputs=[], processing_job_name=name, processing_output_config=None, role_arn=role,
                tags=[], stopping_condition={"MaxRuntimeInSeconds": 86400},
            )
            job.processing_job_status, job.processing_end_time = "InProgress", None
            job.processing_start_time = _naive(step.start)
        job.creation_time = job.last_modified_time = _naive(step.start)
        step.job = job
        self._job_event(execution, step)
        self._log(execution, step, [
            f"Starting {step.type.lower()} job {name} for step {step.name} of pipeline execution {execution.arn}",
            f"Pipeline parameters: {json.dumps(execution.parameters, sort_keys=True)}",
        ])

    def _end_job(self, execution: Execution, step: StepRun, status: str) -> None:
        job = step.job
        if job is None:
            return
        end = _naive(step.end or self.clock.now())
        job.last_modified_time = end
        if step.type == "Training":
            job.training_job_status, job.secondary_status, job.training_end_time = status, status, end
        else:
            job.processing_job_status, job.processing_end_time = status, end
        if status == "Failed":
            job.failure_reason = step.reason
            if step.type != "Training":
                job.exit_message = step.reason
        self._job_event(execution, step)
        self._log(execution, step, _closing_lines(execution, step, status))

    def _job_event(self, execution: Execution, step: StepRun) -> None:
        job, now = step.job, self.clock.now()
        common = dict(job_arn=job.arn, creation_time=_ms(job.creation_time), last_modified_time=_ms(job.last_modified_time),
                      failure_reason=getattr(job, "failure_reason", None), account=execution.account,
                      region=execution.region, time=now, id=str(uuid.uuid4()))
        if step.type == "Training":
            event = training_job_state_change(
                job_name=job.training_job_name, status=job.training_job_status, secondary_status=job.secondary_status,
                training_start_time=_ms(job.training_start_time),
                training_end_time=_ms(job.training_end_time) if job.training_end_time else None, **common)
        else:
            event = processing_job_state_change(
                job_name=job.processing_job_name, status=job.processing_job_status,
                processing_start_time=_ms(job.processing_start_time),
                processing_end_time=_ms(job.processing_end_time) if job.processing_end_time else None,
                exit_message=getattr(job, "exit_message", None), **common)
        self.emit_event(execution.account, execution.region, event)

    def _log(self, execution: Execution, step: StepRun, lines: list[str]) -> None:
        logs = backends.logs(execution.account, execution.region)
        group_name = execution.settings.get("LogGroup") or DEFAULT_LOG_GROUPS[step.type]
        if group_name not in logs.groups:  # SageMaker creates its job log groups itself
            logs.create_log_group(group_name, tags={})
        if step.log_stream is None:
            step.log_stream = f"{_job_name_of(step)}/algo-1-{int(step.start.timestamp())}"
            logs.ensure_log_stream(group_name, step.log_stream)
        at = int(self.clock.now().timestamp() * 1000)
        logs.groups[group_name].put_log_events(step.log_stream, [{"timestamp": at, "message": line} for line in lines])


def _closing_lines(execution: Execution, step: StepRun, status: str) -> list[str]:
    if status == "Completed":
        return [f"{step.name} completed successfully in {step.duration:g} seconds"]
    if status == "Stopped":
        return [f"Received stop request for pipeline execution {execution.arn}: stopping {step.name}"]
    reason = step.reason or DEFAULT_FAILURE_REASON
    parameter = execution.settings.get("FaultParameter")
    return [
        f"ERROR {step.name} failed: {reason}",
        "Traceback (most recent call last):",
        f'  File "/opt/ml/code/{step.name.lower()}.py", line 87, in <module>',
        "    main()",
        f'  File "/opt/ml/code/{step.name.lower()}.py", line 64, in main',
        f"    raise {reason.split(':', 1)[0]}({reason.split(':', 1)[-1].strip()!r})",
        reason,
        f"(simulacro: failure injected through pipeline parameter {parameter}={step.name})",
    ]


def _parameters(definition: dict[str, Any], given: list[dict[str, str]]) -> dict[str, str]:
    declared = {p["Name"]: str(p.get("DefaultValue", "")) for p in definition.get("Parameters") or []}
    unknown = [p["Name"] for p in given if p["Name"] not in declared]
    if unknown:
        raise validation(f"Pipeline parameters {', '.join(unknown)} are not defined in the pipeline definition; "
                         f"defined: {', '.join(declared) or 'none'}")
    return {**declared, **{p["Name"]: p["Value"] for p in given}}


def _settings(definition: dict[str, Any]) -> dict[str, Any]:
    return dict((definition.get("Metadata") or {}).get("Simulacro") or {})


def _steps(definition: dict[str, Any]) -> list[StepRun]:
    settings = _settings(definition)
    durations = settings.get("StepDurationSeconds") or {}
    reasons = settings.get("StepFailureReasons") or {}
    return [
        StepRun(s["Name"], s.get("Type", "Processing"), float(durations.get(s["Name"], DEFAULT_STEP_SECONDS)),
                reasons.get(s["Name"]) or DEFAULT_FAILURE_REASON)
        for s in definition.get("Steps") or []
    ]


def _summary(execution: Execution) -> dict[str, Any]:
    summary = {
        "PipelineExecutionArn": execution.arn,
        "StartTime": execution.start,
        "PipelineExecutionStatus": execution.status,
        "PipelineExecutionDisplayName": execution.display_name,
    }
    if execution.description:
        summary["PipelineExecutionDescription"] = execution.description
    if execution.failure_reason:
        summary["PipelineExecutionFailureReason"] = execution.failure_reason
    return summary


def _step_summary(step: StepRun) -> dict[str, Any]:
    summary: dict[str, Any] = {"StepName": step.name, "StartTime": step.start, "StepStatus": step.status, "AttemptCount": 1}
    if step.end:
        summary["EndTime"] = step.end
    if step.reason and step.status == "Failed":
        summary["FailureReason"] = step.reason
    if step.job is not None:
        summary["Metadata"] = {"TrainingJob" if step.type == "Training" else "ProcessingJob": {"Arn": step.job.arn}}
    return summary


def _page(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], dict[str, str]]:
    start = int(params.get("NextToken") or 0)
    size = int(params.get("MaxResults") or 50)
    token = {"NextToken": str(start + size)} if start + size < len(items) else {}
    return items[start:start + size], token


def _within(moment: datetime, after: Any, before: Any) -> bool:
    stamp = moment.timestamp()
    return (after is None or stamp > _stamp(after)) and (before is None or stamp < _stamp(before))


def _stamp(value: Any) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    return float(value)


def _job_name(execution: Execution, step: StepRun) -> str:
    suffix = "".join(random.Random(f"{execution.arn}/{step.name}").choices(string.ascii_letters + string.digits, k=10))
    return f"pipelines-{execution.id}-{step.name}-{suffix}"[:63].rstrip("-")


def _output_path(execution: Execution) -> str:
    return f"s3://sagemaker-{execution.region}-{execution.account}/{execution.pipeline_name}"


def _job_name_of(step: StepRun) -> str:
    return step.job.training_job_name if step.type == "Training" else step.job.processing_job_name


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _ms(moment: datetime) -> int:
    return int((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp() * 1000)


def _ms_between(start: datetime | None, end: datetime | None) -> float:
    return (end - start).total_seconds() * 1000.0 if start and end else 0.0
