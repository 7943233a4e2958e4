"""Deployment guardrails of the local AWS: blue/green UpdateEndpoint shifts traffic step by step in virtual
time, bakes, rolls back when a rollback alarm is in ALARM, and reports each stage as AWS does."""

import json

import pytest
from botocore.exceptions import ClientError

from simulacro.emulator.endpoints import CREATING_SECONDS, UPDATING_SECONDS
from simulacro.emulator.errors import AwsError
from simulacro.emulator.guardrails import ROLLBACK_SECONDS, parse_policy
from simulacro.spec import load_stack
from simulacro.target.targets import LocalTarget

QUEUE = "emulator-deployment-events"
ALARM = "guardrail-5xx"


@pytest.fixture(scope="module")
def target(aws):
    target = LocalTarget(load_stack(), aws)
    sm = target.client("sagemaker")
    for name, artifact in (
        ("good", "models/churn/v3.json"),
        ("errors", "models/churn/v3-broken-image.json"),
        ("slow", "models/churn/v4.json"),
    ):
        sm.create_model(
            ModelName=name,
            ExecutionRoleArn=f"arn:aws:iam::{target.account()}:role/model",
            PrimaryContainer={"Image": "sklearn", "Environment": {"SIMULACRO_MODEL_ARTIFACT": artifact}},
        )
        sm.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": name,
                    "InitialInstanceCount": 4,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )
    _catch(target)
    return target


@pytest.fixture
def sm(target):
    return target.client("sagemaker")


def _endpoint(aws, sm, name):
    sm.create_endpoint(EndpointName=name, EndpointConfigName="good")
    aws.clock.sleep(CREATING_SECONDS)


def _alarm(target, name, endpoint, threshold=5):
    target.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Statistic="Average",
        Dimensions=[{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}],
        Period=60,
        EvaluationPeriods=1,
        Threshold=threshold / 100,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )


def _config(kind="CANARY", size=25, wait=600, termination=0, timeout=3600, alarms=(ALARM,)):
    routing = {"Type": kind, "WaitIntervalInSeconds": wait}
    if kind == "CANARY":
        routing["CanarySize"] = {"Type": "CAPACITY_PERCENT", "Value": size}
    if kind == "LINEAR":
        routing["LinearStepSize"] = {"Type": "CAPACITY_PERCENT", "Value": size}
    config = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": routing,
            "TerminationWaitInSeconds": termination,
            "MaximumExecutionTimeoutInSeconds": timeout,
        }
    }
    if alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": a} for a in alarms]}
    return config


def _traffic(aws, target, endpoint, seconds, rate=600):
    """Steady traffic, `seconds` at a time, while the clock runs (the control plane acts between slices)."""
    for _ in range(int(seconds // 30)):
        aws.dataplane.traffic(target.account(), target.region, endpoint, requests_per_minute=rate, duration_seconds=30)
        aws.clock.sleep(30)


def test_a_canary_shifts_then_bakes_then_completes(aws, target, sm):
    _endpoint(aws, sm, "canary-ok")
    sm.update_endpoint(
        EndpointName="canary-ok",
        EndpointConfigName="slow",
        DeploymentConfig=_config(size=25, wait=300, termination=120, alarms=()),
    )
    described = sm.describe_endpoint(EndpointName="canary-ok")
    pending = described["PendingDeploymentSummary"]["ProductionVariants"][0]
    assert described["EndpointStatus"] == "Updating" and pending["VariantStatus"][0]["Status"] == "Creating"
    aws.clock.sleep(UPDATING_SECONDS)
    pending = sm.describe_endpoint(EndpointName="canary-ok")["PendingDeploymentSummary"]["ProductionVariants"][0]
    assert pending["VariantStatus"][0]["Status"] == "Baking" and "25%" in pending["VariantStatus"][0]["StatusMessage"]
    assert aws.guardrails.traffic_split(target.account(), target.region, "canary-ok") == ("slow", 0.25)
    aws.clock.sleep(300)
    assert aws.guardrails.traffic_split(target.account(), target.region, "canary-ok") == ("slow", 1.0)
    aws.clock.sleep(300)
    message = sm.describe_endpoint(EndpointName="canary-ok")["PendingDeploymentSummary"]["ProductionVariants"][0][
        "VariantStatus"
    ][0]
    assert "TerminationWaitInSeconds" in message["StatusMessage"]
    aws.clock.sleep(120)
    described = sm.describe_endpoint(EndpointName="canary-ok")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "slow")
    assert "PendingDeploymentSummary" not in described and "FailureReason" not in described
    assert described["LastDeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["Type"] == "CANARY"
    stages = [
        v["Status"]
        for e in _events(target, "canary-ok", "SageMaker Endpoint Deployment State Change")
        for v in e["detail"]
        .get("PendingDeploymentSummary", {})
        .get("ProductionVariants", [{}])[0]
        .get("VariantStatus", [])
    ]
    assert stages == ["Creating", "ActivatingTraffic", "Baking", "ActivatingTraffic", "Baking", "Baking"]
    last = _events(target, "canary-ok", "SageMaker Endpoint Deployment State Change")[-1]["detail"]
    assert last["EndpointStatus"] == "IN_SERVICE" and "PendingDeploymentSummary" not in last
    assert last["EndpointConfigName"] == "slow"


@pytest.mark.parametrize(
    "kind,size,expected",
    [
        ("LINEAR", 25, (0.25, 0.5, 0.75, 1.0)),
        ("LINEAR", 40, (0.4, 0.8, 1.0)),
        ("CANARY", 10, (0.1, 1.0)),
        ("ALL_AT_ONCE", None, (1.0,)),
    ],
)
def test_the_traffic_steps_follow_the_routing_type(kind, size, expected):
    assert parse_policy(_config(kind=kind, size=size), 4).shares == pytest.approx(expected)


def test_a_canary_sized_in_instances_is_a_share_of_the_new_fleet():
    config = _config()
    config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["CanarySize"] = {
        "Type": "INSTANCE_COUNT",
        "Value": 1,
    }
    assert parse_policy(config, 4).shares == (0.25, 1.0)


@pytest.mark.parametrize(
    "change,message",
    [
        (
            lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].update(
                CanarySize={"Type": "CAPACITY_PERCENT", "Value": 60}
            ),
            "at most 50%",
        ),
        (
            lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].pop("CanarySize"),
            "CanarySize is required",
        ),
        (
            lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].update(WaitIntervalInSeconds=4000),
            "WaitIntervalInSeconds",
        ),
        (
            lambda c: c["BlueGreenUpdatePolicy"].update(MaximumExecutionTimeoutInSeconds=300),
            "MaximumExecutionTimeoutInSeconds",
        ),
        (lambda c: c["BlueGreenUpdatePolicy"].update(TerminationWaitInSeconds=-1), "TerminationWaitInSeconds"),
        (
            lambda c: c["AutoRollbackConfiguration"].update(Alarms=[{"AlarmName": f"a{i}"} for i in range(11)]),
            "between 1 and 10",
        ),
        (
            lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].update(Type="SOMETIMES"),
            "ALL_AT_ONCE, CANARY, LINEAR",
        ),
    ],
)
def test_a_malformed_deployment_config_is_refused_with_what_is_wrong(change, message):
    config = _config()
    change(config)
    with pytest.raises(AwsError, match=message):
        parse_policy(config, 4)


def test_the_api_refuses_a_malformed_deployment_config_and_leaves_the_endpoint_alone(aws, sm):
    _endpoint(aws, sm, "refused")
    with pytest.raises(ClientError, match="at most 50%") as refused:
        sm.update_endpoint(EndpointName="refused", EndpointConfigName="slow", DeploymentConfig=_config(size=75))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert sm.describe_endpoint(EndpointName="refused")["EndpointStatus"] == "InService"


def test_create_endpoint_checks_and_reports_its_deployment_config(aws, sm):
    linear = _config(kind="LINEAR")
    linear["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].pop("LinearStepSize")
    with pytest.raises(ClientError, match="LinearStepSize is required"):
        sm.create_endpoint(EndpointName="created-guarded", EndpointConfigName="good", DeploymentConfig=linear)
    with pytest.raises(ClientError, match="Could not find endpoint"):
        sm.describe_endpoint(EndpointName="created-guarded")
    sm.create_endpoint(EndpointName="created-guarded", EndpointConfigName="good", DeploymentConfig=_config())
    assert sm.describe_endpoint(EndpointName="created-guarded")["LastDeploymentConfig"] == _config()


def test_the_endpoint_keeps_serving_while_it_rolls_back(aws, target, sm):
    _endpoint(aws, sm, "serving-rollback")
    _alarm(target, "serving-rollback-alarm", "serving-rollback")
    sm.update_endpoint(
        EndpointName="serving-rollback",
        EndpointConfigName="slow",
        DeploymentConfig=_config(alarms=("serving-rollback-alarm",)),
    )
    aws.clock.sleep(UPDATING_SECONDS)
    target.client("cloudwatch").set_alarm_state(
        AlarmName="serving-rollback-alarm", StateValue="ALARM", StateReason="test"
    )
    aws.clock.sleep(10)
    assert sm.describe_endpoint(EndpointName="serving-rollback")["EndpointStatus"] == "RollingBack"
    answer = target.client("sagemaker-runtime").invoke_endpoint(
        EndpointName="serving-rollback",
        ContentType="text/csv",
        Body=b"40,51.58,2046.1,month-to-month,3,electronic-check",
    )
    assert answer["InvokedProductionVariant"] == "AllTraffic"


def test_a_regressing_canary_is_rolled_back_by_its_alarm(aws, target, sm):
    _endpoint(aws, sm, "canary-bad")
    _alarm(target, ALARM, "canary-bad")
    sm.update_endpoint(
        EndpointName="canary-bad", EndpointConfigName="errors", DeploymentConfig=_config(size=25, wait=600)
    )
    _traffic(aws, target, "canary-bad", UPDATING_SECONDS)
    assert target.client("cloudwatch").describe_alarms(AlarmNames=[ALARM])["MetricAlarms"][0]["StateValue"] == "OK"
    for _ in range(10):  # the canary answers 5xx: the alarm fires within its bake
        _traffic(aws, target, "canary-bad", 30)
        described = sm.describe_endpoint(EndpointName="canary-bad")
        if described["EndpointStatus"] != "Updating":
            break
    assert described["EndpointStatus"] == "RollingBack" and ALARM in described["FailureReason"]
    assert aws.guardrails.traffic_split(target.account(), target.region, "canary-bad") is None
    aws.clock.sleep(ROLLBACK_SECONDS)
    described = sm.describe_endpoint(EndpointName="canary-bad")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "good")
    assert ALARM in described["FailureReason"]
    statuses = [e["detail"]["EndpointStatus"] for e in _events(target, "canary-bad", "SageMaker Endpoint State Change")]
    assert statuses[-3:] == ["UPDATING", "ROLLING_BACK", "IN_SERVICE"]
    deployment = [e["detail"] for e in _events(target, "canary-bad", "SageMaker Endpoint Deployment State Change")]
    assert [d["EndpointStatus"] for d in deployment][-2:] == ["ROLLING_BACK", "IN_SERVICE"]
    assert ALARM in deployment[-1]["FailureReason"] and deployment[-1]["EndpointConfigName"] == "good"
    summary = aws.dataplane.traffic(
        target.account(), target.region, "canary-bad", requests_per_minute=600, duration_seconds=60
    )
    assert summary.errors_5xx == 0, "after the rollback the old model serves alone"


def test_the_new_fleet_serves_its_share_of_requests(aws, target, sm):
    _endpoint(aws, sm, "split")
    sm.update_endpoint(
        EndpointName="split", EndpointConfigName="errors", DeploymentConfig=_config(size=25, wait=600, alarms=())
    )
    aws.clock.sleep(UPDATING_SECONDS)
    summary = aws.dataplane.traffic(
        target.account(), target.region, "split", requests_per_minute=4000, duration_seconds=60
    )
    assert 0.2 < summary.errors_5xx / summary.requests < 0.3


def test_an_alarm_set_by_hand_during_the_bake_rolls_back(aws, target, sm):
    _endpoint(aws, sm, "by-hand")
    _alarm(target, "by-hand-alarm", "by-hand")
    sm.update_endpoint(
        EndpointName="by-hand",
        EndpointConfigName="slow",
        DeploymentConfig=_config(kind="LINEAR", size=50, wait=300, alarms=("by-hand-alarm",)),
    )
    aws.clock.sleep(UPDATING_SECONDS + 320)  # second linear step
    target.client("cloudwatch").set_alarm_state(AlarmName="by-hand-alarm", StateValue="ALARM", StateReason="test")
    aws.clock.sleep(20)
    assert sm.describe_endpoint(EndpointName="by-hand")["EndpointStatus"] == "RollingBack"
    aws.clock.sleep(ROLLBACK_SECONDS)
    assert sm.describe_endpoint(EndpointName="by-hand")["EndpointConfigName"] == "good"


def test_without_rollback_alarms_a_regressing_deployment_completes(aws, target, sm):
    _endpoint(aws, sm, "unguarded")
    _alarm(target, "unguarded-alarm", "unguarded")
    sm.update_endpoint(
        EndpointName="unguarded",
        EndpointConfigName="errors",
        DeploymentConfig=_config(kind="ALL_AT_ONCE", wait=300, alarms=()),
    )
    _traffic(aws, target, "unguarded", UPDATING_SECONDS + 330)
    described = sm.describe_endpoint(EndpointName="unguarded")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "errors")
    assert (
        target.client("cloudwatch").describe_alarms(AlarmNames=["unguarded-alarm"])["MetricAlarms"][0]["StateValue"]
        == "ALARM"
    )


def test_a_deployment_longer_than_its_timeout_rolls_back(aws, target, sm):
    _endpoint(aws, sm, "timeout")
    sm.update_endpoint(
        EndpointName="timeout",
        EndpointConfigName="slow",
        DeploymentConfig=_config(kind="LINEAR", size=10, wait=600, timeout=1200, alarms=()),
    )
    aws.clock.sleep(1200 + 10)
    described = sm.describe_endpoint(EndpointName="timeout")
    assert (
        described["EndpointStatus"] == "RollingBack"
        and "MaximumExecutionTimeoutInSeconds" in described["FailureReason"]
    )


def test_deleting_an_endpoint_mid_deployment_stops_its_rollout(aws, target, sm):
    _endpoint(aws, sm, "deleted-mid")
    sm.update_endpoint(EndpointName="deleted-mid", EndpointConfigName="slow", DeploymentConfig=_config(alarms=()))
    aws.clock.sleep(UPDATING_SECONDS + 10)
    sm.delete_endpoint(EndpointName="deleted-mid")
    aws.clock.sleep(1800)
    assert aws.guardrails.pending(target.account(), target.region, "deleted-mid") is None


def _catch(target):
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
        EventPattern=json.dumps(
            {
                "source": ["aws.sagemaker"],
                "detail-type": ["SageMaker Endpoint State Change", "SageMaker Endpoint Deployment State Change"],
            }
        ),
    )
    events.put_targets(Rule=QUEUE, Targets=[{"Id": "queue", "Arn": queue_arn}])


_seen: list[dict] = []


def _events(target, endpoint, detail_type):
    sqs = target.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600).get(
        "Messages", []
    ):
        _seen.extend(json.loads(m["Body"]) for m in messages)
    return [e for e in _seen if e["detail"]["EndpointName"] == endpoint and e["detail-type"] == detail_type]
