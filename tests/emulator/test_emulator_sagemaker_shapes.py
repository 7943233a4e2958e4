"""What the local AWS answers for SageMaker holds to botocore's output shapes: every member known to the shape,
every required member present, types and enums right, in every state a drill meets (creating, updating under a
guardrail, rolling back, failed, stopped, retried). Checked on the raw JSON the server sent, before botocore's
parser drops what it does not know. The job, model package and model events carry the same members as the
Describe answers (times in epoch milliseconds, tags as an object)."""

import contextlib
import json

import botocore.session
import pytest

from simulacro.emulator.endpoints import CREATING_SECONDS, UPDATING_SECONDS
from simulacro.emulator.guardrails import ROLLBACK_SECONDS
from simulacro.emulator.pipelines import STOPPING_SECONDS
from simulacro.spec import load_stack
from simulacro.target.targets import LocalTarget
from support.sagemaker_events import catch_sagemaker_events

MODEL = botocore.session.get_session().get_service_model("sagemaker")
QUEUE = "emulator-shape-events"
EVENT_SHAPES = {
    "SageMaker Training Job State Change": "DescribeTrainingJobResponse",
    "SageMaker Processing Job State Change": "DescribeProcessingJobResponse",
    "SageMaker Model Package State Change": "DescribeModelPackageOutput",
    "SageMaker Model State Change": "DescribeModelOutput",
}
EVENT_ONLY_MEMBERS = {"Tags", "UpdatedModelPackageFields"}  # documented in the events, absent from Describe


def shape_problems(shape, value, path="$"):
    """Where `value` (parsed JSON) departs from botocore `shape`: unknown or missing members, wrong types or enums."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        found = [f"{path}.{key}: not a member of {shape.name}" for key in value if key not in shape.members]
        found += [
            f"{path}.{key}: required by {shape.name}, missing" for key in shape.required_members if key not in value
        ]
        for key, item in value.items():
            if key in shape.members:
                found += shape_problems(shape.members[key], item, f"{path}.{key}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        return [p for i, item in enumerate(value) for p in shape_problems(shape.member, item, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {value!r}"]
        return [p for key, item in value.items() for p in shape_problems(shape.value, item, f"{path}[{key}]")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        return (
            [f"{path}: {value!r} is not one of {shape.name}'s values"] if shape.enum and value not in shape.enum else []
        )
    if kind in ("integer", "long"):
        return (
            []
            if isinstance(value, int) and not isinstance(value, bool)
            else [f"{path}: expected an integer, got {value!r}"]
        )
    if kind in ("float", "double", "timestamp"):  # JSON protocol timestamps are epoch seconds (events: milliseconds)
        return (
            []
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            else [f"{path}: expected a number, got {value!r}"]
        )
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean, got {value!r}"]
    return []


@pytest.fixture(scope="module")
def target(aws):
    target = LocalTarget(load_stack(), aws)
    _catch(target)
    sm = target.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="shapes")
    for name, artifact in (
        ("good", "models/churn/v3.json"),
        ("errors", "models/churn/v3-broken-image.json"),
        ("missing", "models/churn/v404.json"),
    ):
        sm.create_model(
            ModelName=name,
            ExecutionRoleArn=f"arn:aws:iam::{target.account()}:role/model",
            PrimaryContainer={"Image": "sklearn", "Environment": {"SIMULACRO_MODEL_ARTIFACT": artifact}},
            Tags=[{"Key": "owner", "Value": "ml-platform"}],
        )
        sm.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": name,
                    "InitialInstanceCount": 2,
                    "InstanceType": "ml.m5.large",
                }
            ],
            DataCaptureConfig={
                "EnableCapture": name == "good",
                "InitialSamplingPercentage": 50,
                "DestinationS3Uri": "s3://capture/datacapture",
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            },
        )
    steps = [
        {"Name": "Prepare", "Type": "Processing", "Arguments": {}},
        {"Name": "Train", "Type": "Training", "Arguments": {}, "DependsOn": ["Prepare"]},
        {
            "Name": "Register",
            "Type": "RegisterModel",
            "Arguments": {
                "ModelPackageGroupName": "shapes",
                "ModelApprovalStatus": "PendingManualApproval",
                "InferenceSpecification": {
                    "Containers": [
                        {"Image": "sklearn", "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}
                    ],
                    "SupportedContentTypes": ["text/csv"],
                    "SupportedResponseMIMETypes": ["text/csv"],
                },
            },
        },
    ]
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "Fail", "Type": "String", "DefaultValue": "none"}],
        "Steps": steps,
        "Metadata": {
            "Simulacro": {
                "FaultParameter": "Fail",
                "StepDurationSeconds": {"Prepare": 120, "Train": 600, "Register": 30},
            }
        },
    }
    sm.create_pipeline(
        PipelineName="shapes",
        RoleArn=f"arn:aws:iam::{target.account()}:role/p",
        PipelineDefinition=json.dumps(definition),
    )
    return target


@contextlib.contextmanager
def _recording(target):
    """The raw JSON of every SageMaker answer while it is open, by operation, newest last."""
    answers: dict[str, list] = {}
    sm = target.client("sagemaker")

    def keep(http_response, model, **_):
        answers.setdefault(model.name, []).append(json.loads(http_response.content or b"{}"))

    sm.meta.events.register("after-call.sagemaker.*", keep)
    try:
        yield answers
    finally:
        sm.meta.events.unregister("after-call.sagemaker.*", keep)


@pytest.fixture(scope="module")
def exercised(aws, target):
    """Every endpoint, job, pipeline and package state the module checks, produced once (any test may run first)."""
    raws = {}
    for name, scenario in (("endpoint", _endpoint_scenario), ("pipeline", _pipeline_scenario)):
        with _recording(target) as raw:
            scenario(aws, target)
        raws[name] = raw
    return raws


def _assert_shapes(raw):
    problems = []
    for operation, bodies in raw.items():
        shape = MODEL.operation_model(operation).output_shape
        for body in bodies:
            problems += [f"{operation}: {p}" for p in (shape_problems(shape, body) if shape else [])]
    assert not problems, "\n".join(problems)


def _endpoint_scenario(aws, target):
    sm = target.client("sagemaker")
    sm.create_endpoint(EndpointName="shape-ep", EndpointConfigName="good")
    sm.describe_endpoint(EndpointName="shape-ep")  # Creating
    aws.clock.sleep(CREATING_SECONDS)
    described = sm.describe_endpoint(EndpointName="shape-ep")  # InService, capture on
    assert described["DataCaptureConfig"]["CaptureStatus"] == "Started"
    sm.create_endpoint(EndpointName="shape-failed", EndpointConfigName="missing")
    aws.clock.sleep(CREATING_SECONDS)
    assert "FailureReason" in sm.describe_endpoint(EndpointName="shape-failed")
    guardrail = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "LINEAR",
                "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
                "WaitIntervalInSeconds": 300,
            },
            "MaximumExecutionTimeoutInSeconds": 3600,
        }
    }
    sm.update_endpoint(EndpointName="shape-ep", EndpointConfigName="errors", DeploymentConfig=guardrail)
    sm.describe_endpoint(EndpointName="shape-ep")  # Updating, green fleet Creating
    aws.clock.sleep(UPDATING_SECONDS)
    sm.describe_endpoint(EndpointName="shape-ep")  # Updating, Baking
    aws.clock.sleep(600)
    described = sm.describe_endpoint(EndpointName="shape-ep")  # InService on a config whose capture is disabled
    # Capture declared but disabled: reported, stopped (the summary's EnableCapture and CaptureStatus are required).
    assert described["EndpointConfigName"] == "errors" and described["DataCaptureConfig"]["CaptureStatus"] == "Stopped"
    target.client("cloudwatch").put_metric_alarm(
        AlarmName="shape-rollback",
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Statistic="Sum",
        Dimensions=[{"Name": "EndpointName", "Value": "shape-ep"}],
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
    )
    sm.update_endpoint(
        EndpointName="shape-ep",
        EndpointConfigName="good",
        DeploymentConfig={**guardrail, "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "shape-rollback"}]}},
    )
    aws.clock.sleep(UPDATING_SECONDS)
    target.client("cloudwatch").set_alarm_state(AlarmName="shape-rollback", StateValue="ALARM", StateReason="shapes")
    aws.clock.sleep(10)
    assert sm.describe_endpoint(EndpointName="shape-ep")["EndpointStatus"] == "RollingBack"
    aws.clock.sleep(ROLLBACK_SECONDS)
    sm.describe_endpoint(EndpointName="shape-ep")
    sm.describe_endpoint_config(EndpointConfigName="good")
    sm.describe_model(ModelName="good")


def _pipeline_scenario(aws, target):
    sm = target.client("sagemaker")
    ok = sm.start_pipeline_execution(PipelineName="shapes")["PipelineExecutionArn"]
    aws.clock.sleep(60)
    processing = _job(sm, ok, "Prepare", "ProcessingJob")
    sm.describe_processing_job(ProcessingJobName=processing)  # InProgress
    aws.clock.sleep(60 + 300)
    training = _job(sm, ok, "Train", "TrainingJob")
    assert sm.describe_training_job(TrainingJobName=training)["SecondaryStatus"] == "Training"
    aws.clock.sleep(300 + 30)
    assert sm.describe_pipeline_execution(PipelineExecutionArn=ok)["PipelineExecutionStatus"] == "Succeeded"
    described = sm.describe_training_job(TrainingJobName=training)
    assert [t["Status"] for t in described["SecondaryStatusTransitions"]] == [
        "Starting",
        "Downloading",
        "Training",
        "Uploading",
        "Completed",
    ]
    assert described["TrainingTimeInSeconds"] == described["BillableTimeInSeconds"] == 600
    sm.describe_processing_job(ProcessingJobName=processing)
    package = sm.list_pipeline_execution_steps(PipelineExecutionArn=ok)["PipelineExecutionSteps"][0]["Metadata"][
        "RegisterModel"
    ]["Arn"]
    assert sm.describe_model_package(ModelPackageName=package)["ModelPackageName"] == "shapes"
    sm.update_model_package(ModelPackageArn=package, ModelApprovalStatus="Approved")

    failed = sm.start_pipeline_execution(
        PipelineName="shapes", PipelineParameters=[{"Name": "Fail", "Value": "Prepare"}]
    )["PipelineExecutionArn"]
    aws.clock.sleep(120)
    sm.describe_processing_job(ProcessingJobName=_job(sm, failed, "Prepare", "ProcessingJob"))  # Failed
    sm.retry_pipeline_execution(PipelineExecutionArn=failed)
    stopped = sm.start_pipeline_execution(PipelineName="shapes")["PipelineExecutionArn"]
    aws.clock.sleep(180)
    job = _job(sm, stopped, "Train", "TrainingJob")
    sm.stop_training_job(TrainingJobName=job)
    sm.describe_training_job(TrainingJobName=job)  # Stopping
    aws.clock.sleep(STOPPING_SECONDS)
    assert sm.describe_training_job(TrainingJobName=job)["TrainingJobStatus"] == "Stopped"
    halted = sm.start_pipeline_execution(PipelineName="shapes")["PipelineExecutionArn"]
    sm.stop_pipeline_execution(PipelineExecutionArn=halted)
    sm.describe_pipeline_execution(PipelineExecutionArn=halted)  # Stopping
    aws.clock.sleep(STOPPING_SECONDS)
    for arn in (ok, failed, stopped, halted):
        sm.describe_pipeline_execution(PipelineExecutionArn=arn)
        sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)
    sm.list_pipeline_executions(PipelineName="shapes")


def test_endpoint_answers_in_every_state_hold_to_the_shapes(exercised):
    _assert_shapes(exercised["endpoint"])


def test_pipeline_job_and_package_answers_hold_to_the_shapes(exercised):
    _assert_shapes(exercised["pipeline"])


def test_job_package_and_model_events_carry_the_describe_members(target, exercised):
    problems, seen = [], set()
    for event in _events(target):
        shape_name = EVENT_SHAPES.get(event["detail-type"])
        if shape_name is None:
            continue
        seen.add(event["detail-type"])
        detail = {k: v for k, v in event["detail"].items() if k not in EVENT_ONLY_MEMBERS}
        problems += [f"{event['detail-type']}: {p}" for p in shape_problems(MODEL.shape_for(shape_name), detail)]
        assert isinstance(event["detail"].get("Tags", {}), dict)
        assert event["resources"], event
    assert seen == set(EVENT_SHAPES), f"no event seen for {set(EVENT_SHAPES) - seen}"
    assert not problems, "\n".join(problems)


def test_deployment_events_carry_the_pending_deployment_as_describe_endpoint_reports_it(target, exercised):
    deployments = [
        e["detail"] for e in _events(target) if e["detail-type"] == "SageMaker Endpoint Deployment State Change"
    ]
    assert {d["EndpointStatus"] for d in deployments} >= {"UPDATING", "ROLLING_BACK", "IN_SERVICE"}
    problems = []
    for detail in deployments:
        for variant in detail["ProductionVariants"]:
            problems += shape_problems(MODEL.shape_for("ProductionVariantSummary"), variant, "$.ProductionVariants[]")
        if "PendingDeploymentSummary" in detail:
            problems += shape_problems(
                MODEL.shape_for("PendingDeploymentSummary"),
                detail["PendingDeploymentSummary"],
                "$.PendingDeploymentSummary",
            )
        assert isinstance(detail["CreationTime"], int) and isinstance(detail["Tags"], dict)
    stages = {
        v["Status"]
        for d in deployments
        for p in d.get("PendingDeploymentSummary", {}).get("ProductionVariants", [])
        for v in p["VariantStatus"]
    }
    assert stages == {"Creating", "ActivatingTraffic", "Baking"}
    assert not problems, "\n".join(problems)


def test_a_failed_training_event_says_why_and_a_completed_one_does_not(target, exercised):
    training = [e["detail"] for e in _events(target) if e["detail-type"] == "SageMaker Training Job State Change"]
    assert all(("FailureReason" in d) == (d["TrainingJobStatus"] == "Failed") for d in training)
    assert any(d["TrainingJobStatus"] == "Completed" and d["SecondaryStatusTransitions"] for d in training)


def test_deleting_a_model_emits_its_state_change(target, exercised):
    sm = target.client("sagemaker")
    sm.create_model(
        ModelName="short-lived",
        ExecutionRoleArn=f"arn:aws:iam::{target.account()}:role/model",
        PrimaryContainer={"Image": "sklearn"},
    )
    sm.delete_model(ModelName="short-lived")
    changes = [
        e
        for e in _events(target)
        if e["detail-type"] == "SageMaker Model State Change" and e["detail"]["ModelName"] == "short-lived"
    ]
    assert len(changes) == 2 and changes[0]["resources"] == [changes[0]["detail"]["ModelArn"]]


def _job(sm, execution, step, kind):
    steps = {
        s["StepName"]: s
        for s in sm.list_pipeline_execution_steps(PipelineExecutionArn=execution)["PipelineExecutionSteps"]
    }
    return steps[step]["Metadata"][kind]["Arn"].split("/")[-1]


def _catch(target):
    catch_sagemaker_events(target, QUEUE)


_seen: list[dict] = []


def _events(target):
    sqs = target.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600).get(
        "Messages", []
    ):
        _seen.extend(json.loads(m["Body"]) for m in messages)
    return list(_seen)
