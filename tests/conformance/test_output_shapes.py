"""Every operation the overlay answers, answered as botocore's model says AWS answers it.

Each handler registered on the overlay is invoked through boto3 (one example request per operation,
against the provisioned example stack); the handler's own answer is recorded before moto serialises
it and validated against the operation's output shape (`botocore_shapes.output_problems`): no
unknown members, required members present, types and enum values right. A handler added without an
example here fails `test_every_operation_the_overlay_answers_has_an_example`.

Errors: every error code the emulator raises exists in the service's model (or is one of AWS's
common errors) and reaches the client with the code and HTTP status botocore's model gives it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .botocore_shapes import error_codes, output_problems

ROW = b"40,51.58,2046.1,month-to-month,3,electronic-check"
EMULATOR = Path(__file__).resolve().parents[2] / "simulacro" / "emulator"
# AWS's common errors (every service's API reference, "Common Errors"), by protocol family.
COMMON_ERRORS = {
    "cloudwatch": {
        "ValidationError": 400,
        "InvalidParameterValue": 400,
        "MissingParameter": 400,
        "ThrottlingException": 400,
    },
    "events": {"ValidationException": 400, "ThrottlingException": 400},
    "sagemaker": {"ValidationException": 400, "ThrottlingException": 400},
    "sagemaker-runtime": {"ValidationError": 400, "ValidationException": 400},
}
# Which service each emulator module answers for (its overlay registrations).
MODULE_SERVICE = {
    "cloudwatch.py": "cloudwatch",
    "composite_alarms.py": "cloudwatch",
    "eventbus.py": "events",
    "endpoints.py": "sagemaker",
    "monitoring.py": "sagemaker",
    "monitoring_runs.py": "sagemaker",
    "pipelines.py": "sagemaker",
    "model_registry.py": "sagemaker",
    "dataplane.py": "sagemaker-runtime",
}


class Examples:
    """One request per operation the overlay answers, made against the provisioned stack."""

    def __init__(self, target: Any):
        self.target = target
        self.sm = target.client("sagemaker", "staging")

    def client(self, service: str) -> Any:
        return self.target.client(service, "staging")

    def calls(self) -> dict[tuple[str, str], Callable[[], Any]]:
        cw, events, sm = self.client("cloudwatch"), self.client("events"), self.sm
        now = self.target.clock.now()
        stat = {"Metric": {"Namespace": "Conformance", "MetricName": "m"}, "Period": 60, "Stat": "Sum"}
        config = sm.describe_endpoint(EndpointName="churn-staging")["EndpointConfigName"]
        schedule = sm.describe_monitoring_schedule(MonitoringScheduleName="churn-staging-data-quality")[
            "MonitoringScheduleConfig"
        ]
        return {
            ("cloudwatch", "PutMetricData"): lambda: cw.put_metric_data(
                Namespace="Conformance", MetricData=[{"MetricName": "m", "Value": 1.0, "Unit": "Count"}]
            ),
            ("cloudwatch", "GetMetricData"): lambda: cw.get_metric_data(
                MetricDataQueries=[{"Id": "m", "MetricStat": stat}], StartTime=now, EndTime=now
            ),
            ("cloudwatch", "GetMetricStatistics"): lambda: cw.get_metric_statistics(
                Namespace="Conformance",
                MetricName="m",
                StartTime=now,
                EndTime=now,
                Period=60,
                Statistics=["Sum"],
                ExtendedStatistics=["p99"],
            ),
            ("cloudwatch", "ListMetrics"): lambda: cw.list_metrics(Namespace="Conformance"),
            ("cloudwatch", "SetAlarmState"): lambda: cw.set_alarm_state(
                AlarmName="churn-staging-5xx-rate", StateValue="OK", StateReason="conformance"
            ),
            ("cloudwatch", "DescribeAlarmHistory"): lambda: cw.describe_alarm_history(
                AlarmName="churn-staging-5xx-rate"
            ),
            ("cloudwatch", "PutCompositeAlarm"): lambda: cw.put_composite_alarm(
                AlarmName="conformance-composite", AlarmRule="ALARM(churn-staging-5xx-rate) OR FALSE"
            ),
            ("cloudwatch", "DescribeAlarms"): lambda: cw.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"]),
            ("events", "PutEvents"): lambda: events.put_events(
                Entries=[
                    {"Source": "conformance", "DetailType": "d", "Detail": "{}"},
                    {"Source": "aws.sagemaker", "DetailType": "d", "Detail": "{}"},
                ]
            ),
            ("events", "TestEventPattern"): lambda: events.test_event_pattern(
                EventPattern=json.dumps({"source": ["x"]}),
                Event=json.dumps(
                    {
                        "id": "1",
                        "source": "x",
                        "detail-type": "d",
                        "account": "123456789012",
                        "region": "eu-west-1",
                        "time": "2024-01-01T00:00:00Z",
                        "detail": {},
                    }
                ),
            ),
            ("sagemaker", "DescribeEndpoint"): lambda: sm.describe_endpoint(EndpointName="churn-staging"),
            ("sagemaker", "CreateEndpoint"): lambda: sm.create_endpoint(
                EndpointName="conformance-ep", EndpointConfigName=config
            ),
            ("sagemaker", "UpdateEndpoint"): lambda: (
                self.target.clock.sleep(600),
                sm.update_endpoint(EndpointName="conformance-ep", EndpointConfigName=config),
            )[1],
            ("sagemaker", "DeleteEndpoint"): lambda: (
                self.target.clock.sleep(600),
                sm.delete_endpoint(EndpointName="conformance-ep"),
            )[1],
            ("sagemaker", "DescribeMonitoringSchedule"): lambda: sm.describe_monitoring_schedule(
                MonitoringScheduleName="churn-staging-data-quality"
            ),
            ("sagemaker", "ListMonitoringSchedules"): lambda: sm.list_monitoring_schedules(),
            ("sagemaker", "ListMonitoringExecutions"): lambda: sm.list_monitoring_executions(
                MonitoringScheduleName="churn-staging-data-quality"
            ),
            ("sagemaker", "CreateMonitoringSchedule"): lambda: sm.create_monitoring_schedule(
                MonitoringScheduleName="conformance-schedule", MonitoringScheduleConfig=schedule
            ),
            ("sagemaker", "UpdateMonitoringSchedule"): lambda: sm.update_monitoring_schedule(
                MonitoringScheduleName="conformance-schedule", MonitoringScheduleConfig=schedule
            ),
            ("sagemaker", "StopMonitoringSchedule"): lambda: sm.stop_monitoring_schedule(
                MonitoringScheduleName="conformance-schedule"
            ),
            ("sagemaker", "StartMonitoringSchedule"): lambda: sm.start_monitoring_schedule(
                MonitoringScheduleName="conformance-schedule"
            ),
            ("sagemaker", "DeleteMonitoringSchedule"): lambda: sm.delete_monitoring_schedule(
                MonitoringScheduleName="conformance-schedule"
            ),
            ("sagemaker", "StartPipelineExecution"): lambda: self._remember_execution(
                sm.start_pipeline_execution(PipelineName="churn-training")
            ),
            ("sagemaker", "DescribePipelineExecution"): lambda: sm.describe_pipeline_execution(
                PipelineExecutionArn=self.execution
            ),
            ("sagemaker", "ListPipelineExecutions"): lambda: sm.list_pipeline_executions(PipelineName="churn-training"),
            ("sagemaker", "ListPipelineExecutionSteps"): lambda: sm.list_pipeline_execution_steps(
                PipelineExecutionArn=self.execution
            ),
            ("sagemaker", "StopPipelineExecution"): lambda: sm.stop_pipeline_execution(
                PipelineExecutionArn=self.execution, ClientRequestToken="conformance-stop-0001-000000000000"
            ),
            ("sagemaker", "DescribeModelPackage"): lambda: sm.describe_model_package(
                ModelPackageName=self._model_package()
            ),
            ("sagemaker", "DescribeModel"): lambda: sm.describe_model(
                ModelName=sm.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["ModelName"]
            ),
            ("sagemaker", "DescribeProcessingJob"): lambda: sm.describe_processing_job(
                ProcessingJobName=self._job("ProcessingJob")
            ),
            ("sagemaker", "DescribeTrainingJob"): lambda: sm.describe_training_job(
                TrainingJobName=self._job("TrainingJob")
            ),
            ("sagemaker", "RetryPipelineExecution"): lambda: sm.retry_pipeline_execution(
                PipelineExecutionArn=self._failed_execution(), ClientRequestToken="conformance-retry-0001-00000000000"
            ),
            ("sagemaker", "StopTrainingJob"): lambda: sm.stop_training_job(
                TrainingJobName=self._running_training_job()
            ),
            ("sagemaker", "DeleteModelPackage"): lambda: sm.delete_model_package(
                ModelPackageName=self._model_package()
            ),
            ("sagemaker-runtime", "InvokeEndpoint"): lambda: self.client("sagemaker-runtime").invoke_endpoint(
                EndpointName="churn-staging", ContentType="text/csv", Body=ROW
            ),
        }

    def _remember_execution(self, answer: dict[str, Any]) -> dict[str, Any]:
        self.execution = answer["PipelineExecutionArn"]
        return answer

    def _model_package(self) -> str:
        if getattr(self, "package", None) is None:
            self.sm.create_model_package_group(ModelPackageGroupName="conformance-packages")
            self.package = self.sm.create_model_package(
                ModelPackageGroupName="conformance-packages",
                InferenceSpecification={
                    "Containers": [{"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1"}],
                    "SupportedContentTypes": ["text/csv"],
                    "SupportedResponseMIMETypes": ["text/csv"],
                },
            )["ModelPackageArn"]
        return self.package

    def _failed_execution(self) -> str:
        """An execution of churn-training whose Evaluate step failed (its Preprocess and Train jobs completed)."""
        if getattr(self, "failed", None) is None:
            self.failed = self.sm.start_pipeline_execution(
                PipelineName="churn-training", PipelineParameters=[{"Name": "SimulacroFailStep", "Value": "Evaluate"}]
            )["PipelineExecutionArn"]
            self.target.clock.sleep(3600)
        return self.failed

    def _job(self, kind: str) -> str:
        steps = self.sm.list_pipeline_execution_steps(PipelineExecutionArn=self._failed_execution())[
            "PipelineExecutionSteps"
        ]
        return next(s["Metadata"][kind]["Arn"].rsplit("/", 1)[-1] for s in steps if kind in s.get("Metadata", {}))

    def _running_training_job(self) -> str:
        execution = self.sm.start_pipeline_execution(PipelineName="churn-training")["PipelineExecutionArn"]
        for _ in range(60):
            self.target.clock.sleep(60)
            steps = self.sm.list_pipeline_execution_steps(PipelineExecutionArn=execution)["PipelineExecutionSteps"]
            running = [s for s in steps if "TrainingJob" in s.get("Metadata", {}) and s["StepStatus"] == "Executing"]
            if running:
                return running[0]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[-1]
        raise AssertionError("no training step of churn-training started within an hour")


@pytest.fixture(scope="module")
def answers(provisioned):
    """(service, operation) -> the handler's own answer, for every example call."""
    overlay = provisioned.local_aws.overlay
    recorded: dict[tuple[str, str], Any] = {}
    originals = dict(overlay._handlers)

    def recording(key: tuple[str, str], handler: Callable[..., Any]) -> Callable[..., Any]:
        def record(call: Any) -> Any:
            result = handler(call)
            recorded.setdefault(key, result or {})
            return result

        return record

    for key, handler in originals.items():
        overlay._handlers[key] = recording(key, handler)
    try:
        examples = Examples(provisioned)
        for _key, call in examples.calls().items():
            call()
    finally:
        overlay._handlers.clear()
        overlay._handlers.update(originals)
    return recorded


def test_every_operation_the_overlay_answers_has_an_example(provisioned):
    handled = set(provisioned.local_aws.overlay._handlers)
    covered = set(Examples(provisioned).calls())
    assert handled <= covered, f"add an example request for {sorted(handled - covered)}"


def _handled_operations() -> list[tuple[str, str]]:
    from simulacro.emulator import LocalAws

    return sorted(LocalAws().overlay._handlers)


# Operations expected to differ from botocore's output shape, with the reason (none today: DescribeEndpoint
# answered `Tags`, which is not an output member, until the overlay dropped it). Reported, not failed.

SAGEMAKER_HELPER_OWNS: set[tuple[str, str]] = set()
OPERATIONS = [
    pytest.param(
        key, marks=pytest.mark.xfail(reason="SageMaker fidelity: the SageMaker helper owns the fix", strict=False)
    )
    if key in SAGEMAKER_HELPER_OWNS
    else key
    for key in _handled_operations()
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda key: "-".join(key))
def test_every_answer_validates_against_botocores_output_shape(answers, operation):
    assert operation in answers, f"no answer recorded for {operation}"
    service, name = operation
    problems = output_problems(service, name, answers[operation])
    assert not problems, "\n".join(problems)


def test_every_error_code_the_emulator_raises_is_one_aws_uses():
    unknown = []
    for module, service in MODULE_SERVICE.items():
        source = (EMULATOR / module).read_text()
        known = {**error_codes(service), **COMMON_ERRORS[service]}
        raised = set(re.findall(r'AwsError\(\s*"([A-Za-z]+)"', source))
        raised |= {"ValidationException"} if re.search(r"\bvalidation\(", source) else set()
        raised |= {code for code in re.findall(r'not_found\(\s*"([A-Za-z]+)"', source)}
        for code in raised:
            if code not in known and not (service == "cloudwatch" and code == "ValidationException"):
                unknown.append(f"{module}: {code} is not an error {service} answers with")
    assert not unknown, "\n".join(unknown)


@pytest.mark.parametrize(
    "service, call, code, status",
    [
        (
            "cloudwatch",
            lambda c: c.set_alarm_state(AlarmName="conformance-nothing", StateValue="OK", StateReason="x"),
            "ResourceNotFound",
            404,
        ),
        (
            "cloudwatch",
            lambda c: c.set_alarm_state(
                AlarmName="churn-staging-5xx-rate", StateValue="OK", StateReason="x", StateReasonData="{"
            ),
            "InvalidFormat",
            400,
        ),
        (
            "cloudwatch",
            lambda c: c.put_metric_data(Namespace="AWS/SageMaker", MetricData=[{"MetricName": "m", "Value": 1}]),
            "InvalidParameterValue",
            400,
        ),
        (
            "cloudwatch",
            lambda c: c.put_metric_alarm(
                AlarmName="bad",
                Namespace="N",
                MetricName="M",
                Statistic="Sum",
                Period=45,
                EvaluationPeriods=1,
                Threshold=1,
                ComparisonOperator="GreaterThanThreshold",
            ),
            "ValidationError",
            400,
        ),
        (
            "cloudwatch",
            lambda c: c.put_composite_alarm(AlarmName="bad", AlarmRule="ALARM(nothing-here)"),
            "ValidationError",
            400,
        ),
        (
            "cloudwatch",
            lambda c: c.put_composite_alarm(AlarmName="bad", AlarmRule="ALARM(churn-staging-5xx-rate) AND"),
            "ValidationError",
            400,
        ),
        (
            "events",
            lambda c: c.put_rule(Name="bad", EventPattern=json.dumps({"a": [{"EXISTS": True}]})),
            "InvalidEventPatternException",
            400,
        ),
        (
            "events",
            lambda c: c.test_event_pattern(EventPattern=json.dumps({"a": ["b"]}), Event="[]"),
            "ValidationException",
            400,
        ),
        ("sagemaker", lambda c: c.describe_endpoint(EndpointName="conformance-nothing"), "ValidationException", 400),
    ],
)
def test_errors_reach_the_client_with_aws_code_and_status(provisioned, service, call, code, status):
    with pytest.raises(ClientError) as raised:
        call(provisioned.client(service, "staging"))
    error = raised.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
