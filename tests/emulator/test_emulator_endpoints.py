"""Endpoints of the local AWS go through AWS's lifecycle in virtual time, failures included."""

import json

import pytest
from botocore.exceptions import ClientError

from simulacro.emulator.endpoints import CREATING_SECONDS, UPDATING_SECONDS
from simulacro.emulator.local_model import ModelLoadError, load_model
from simulacro.spec import load_stack
from simulacro.target.targets import LocalTarget

QUEUE = "emulator-endpoint-events"
ROW = b"40,51.58,2046.1,month-to-month,3,electronic-check"


@pytest.fixture(scope="module")
def target(aws):
    target = LocalTarget(load_stack(), aws)
    sm = target.client("sagemaker")
    for name, artifact in (("churn-v3", "models/churn/v3.json"), ("churn-missing", "models/churn/v404.json")):
        sm.create_model(
            ModelName=name,
            ExecutionRoleArn=f"arn:aws:iam::{target.account()}:role/model",
            PrimaryContainer={"Image": "sklearn", "Environment": {"SIMULACRO_MODEL_ARTIFACT": artifact}},
        )
    for config, model, capture in (
        ("good", "churn-v3", 100),
        ("good-again", "churn-v3", 20),
        ("broken", "churn-missing", 100),
    ):
        sm.create_endpoint_config(
            EndpointConfigName=config,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": model,
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
            DataCaptureConfig={
                "EnableCapture": True,
                "InitialSamplingPercentage": capture,
                "DestinationS3Uri": "s3://capture-bucket/datacapture",
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            },
        )
    _catch_endpoint_events(target)
    return target


@pytest.fixture
def sm(target):
    return target.client("sagemaker")


def create(sm, name, config="good", tags=()):
    sm.create_endpoint(EndpointName=name, EndpointConfigName=config, Tags=[{"Key": k, "Value": v} for k, v in tags])


def test_a_new_endpoint_is_creating_then_in_service(aws, target, sm):
    create(sm, "lifecycle", tags=[("owner", "ml-platform")])
    described = sm.describe_endpoint(EndpointName="lifecycle")
    assert described["EndpointStatus"] == "Creating"
    assert described["CreationTime"] == aws.clock.now()

    aws.clock.sleep(CREATING_SECONDS)
    described = sm.describe_endpoint(EndpointName="lifecycle")
    assert described["EndpointStatus"] == "InService"
    assert described["LastModifiedTime"] == aws.clock.now()
    assert "FailureReason" not in described
    assert described["DataCaptureConfig"]["CaptureStatus"] == "Started"
    assert described["DataCaptureConfig"]["CurrentSamplingPercentage"] == 100
    events = _events(target, "lifecycle")
    assert [e["detail"]["EndpointStatus"] for e in events] == ["CREATING", "IN_SERVICE"]
    assert events[-1]["detail"]["Tags"] == {"owner": "ml-platform"}
    assert events[-1]["detail"]["LastModifiedTime"] == int(aws.clock.now().timestamp() * 1000)
    assert sm.list_endpoints(NameContains="lifecycle")["Endpoints"][0]["EndpointStatus"] == "InService"


def test_a_duplicate_create_is_refused_like_aws(aws, sm):
    create(sm, "duplicate")
    with pytest.raises(ClientError, match="Cannot create already existing endpoint") as refused:
        create(sm, "duplicate", config="good-again")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert sm.describe_endpoint(EndpointName="duplicate")["EndpointConfigName"] == "good"


def test_an_update_keeps_the_old_config_serving_until_the_new_one_is_in_service(aws, target, sm):
    create(sm, "updated")
    aws.clock.sleep(CREATING_SECONDS)
    sm.update_endpoint(EndpointName="updated", EndpointConfigName="good-again")
    described = sm.describe_endpoint(EndpointName="updated")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("Updating", "good")
    assert described["PendingDeploymentSummary"]["EndpointConfigName"] == "good-again"
    target.client("sagemaker-runtime").invoke_endpoint(EndpointName="updated", Body=ROW, ContentType="text/csv")

    aws.clock.sleep(UPDATING_SECONDS)
    described = sm.describe_endpoint(EndpointName="updated")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "good-again")
    assert described["DataCaptureConfig"]["CurrentSamplingPercentage"] == 20
    assert [e["detail"]["EndpointStatus"] for e in _events(target, "updated")] == [
        "CREATING",
        "IN_SERVICE",
        "UPDATING",
        "IN_SERVICE",
    ]
    history = aws.endpoints.deployments(target.account(), target.region, "updated")
    assert [(d.config_name, d.outcome) for d in history] == [("good", "InService"), ("good-again", "InService")]


def test_a_broken_update_leaves_the_old_config_in_service_with_a_failure_reason(aws, target, sm):
    create(sm, "rolled-back")
    aws.clock.sleep(CREATING_SECONDS)
    sm.update_endpoint(EndpointName="rolled-back", EndpointConfigName="broken")
    aws.clock.sleep(UPDATING_SECONDS)

    described = sm.describe_endpoint(EndpointName="rolled-back")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "good")
    assert "models/churn/v404.json not found" in described["FailureReason"]
    events = _events(target, "rolled-back")
    assert [e["detail"]["EndpointStatus"] for e in events] == ["CREATING", "IN_SERVICE", "UPDATING", "IN_SERVICE"]
    assert events[-1]["detail"]["FailureReason"] == described["FailureReason"]
    assert events[-1]["detail"]["EndpointConfigName"] == "good"
    answer = target.client("sagemaker-runtime").invoke_endpoint(
        EndpointName="rolled-back", Body=ROW, ContentType="text/csv"
    )
    assert answer["InvokedProductionVariant"] == "AllTraffic"
    outcomes = [d.outcome for d in aws.endpoints.deployments(target.account(), target.region, "rolled-back")]
    assert outcomes == ["InService", "RolledBack"]

    sm.update_endpoint(EndpointName="rolled-back", EndpointConfigName="good-again")
    aws.clock.sleep(UPDATING_SECONDS)
    assert "FailureReason" not in sm.describe_endpoint(EndpointName="rolled-back")


def test_a_create_with_a_broken_config_fails_and_serves_nothing(aws, target, sm):
    create(sm, "failed", config="broken")
    aws.clock.sleep(CREATING_SECONDS)
    described = sm.describe_endpoint(EndpointName="failed")
    assert described["EndpointStatus"] == "Failed"
    assert "did not pass the ping health check" in described["FailureReason"]
    event = _events(target, "failed")[-1]["detail"]
    assert (event["EndpointStatus"], event["FailureReason"]) == ("FAILED", described["FailureReason"])
    with pytest.raises(ClientError, match="Endpoint failed of account .* not found"):
        target.client("sagemaker-runtime").invoke_endpoint(EndpointName="failed", Body=ROW, ContentType="text/csv")
    with pytest.raises(ClientError, match="Cannot update failed endpoint"):
        sm.update_endpoint(EndpointName="failed", EndpointConfigName="good")


def test_an_endpoint_in_progress_cannot_be_updated(aws, sm):
    create(sm, "busy")
    with pytest.raises(ClientError, match="Cannot update in-progress endpoint"):
        sm.update_endpoint(EndpointName="busy", EndpointConfigName="good-again")


def test_updating_an_unknown_endpoint_or_config_is_refused(aws, sm):
    with pytest.raises(ClientError, match="Could not find endpoint"):
        sm.update_endpoint(EndpointName="nowhere", EndpointConfigName="good")
    create(sm, "config-check")
    aws.clock.sleep(CREATING_SECONDS)
    with pytest.raises(ClientError, match="Could not find endpoint configuration"):
        sm.update_endpoint(EndpointName="config-check", EndpointConfigName="nowhere")


def test_a_deleted_endpoint_is_gone_and_its_pending_timers_do_nothing(aws, target, sm):
    create(sm, "deleted")
    sm.delete_endpoint(EndpointName="deleted")
    aws.clock.sleep(CREATING_SECONDS)
    with pytest.raises(ClientError, match="Could not find endpoint"):
        sm.describe_endpoint(EndpointName="deleted")
    assert [e["detail"]["EndpointStatus"] for e in _events(target, "deleted")] == ["CREATING", "DELETING"]


def test_an_artifact_that_is_not_a_model_cannot_load(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "odd.json").write_text(json.dumps({"kind": "random-forest"}))
    with pytest.raises(ModelLoadError, match="bad.json is not a valid model"):
        load_model("bad.json", root=tmp_path)
    with pytest.raises(ModelLoadError, match="random-forest"):
        load_model("odd.json", root=tmp_path)
    with pytest.raises(ModelLoadError, match="not found"):
        load_model("none.json", root=tmp_path)


# --- helpers ---------------------------------------------------------------------------


def _catch_endpoint_events(target):
    sqs, events = target.client("sqs"), target.client("events")
    queue_arn = f"arn:aws:sqs:{target.region}:{target.account()}:{QUEUE}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            }
        ],
    }
    sqs.create_queue(QueueName=QUEUE, Attributes={"Policy": json.dumps(policy)})
    events.put_rule(
        Name=QUEUE,
        EventPattern=json.dumps({"source": ["aws.sagemaker"], "detail-type": ["SageMaker Endpoint State Change"]}),
    )
    events.put_targets(Rule=QUEUE, Targets=[{"Id": "queue", "Arn": queue_arn}])


_seen: list[dict] = []


def _events(target, endpoint):
    """The endpoint's state-change events so far, oldest first."""
    sqs = target.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600).get(
        "Messages", []
    ):
        _seen.extend(json.loads(m["Body"]) for m in messages)
    return [e for e in _seen if e["detail"]["EndpointName"] == endpoint]
