"""Regions and billing: EstimatedCharges exists only in us-east-1 (AWS-FACTS §2, §8), alarm actions are same-region,
and the spec's cost alarms and FinOps topics are provisioned, read back, checked and allowed (IAM) there."""

import math
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from simulacro.provision import inventory

BILLING = {
    "Namespace": "AWS/Billing",
    "MetricName": "EstimatedCharges",
    "Dimensions": [{"Name": "Currency", "Value": "USD"}],
}


def _billing_alarm(**changes):
    return {
        "AlarmName": "hand-made-billing",
        "Statistic": "Maximum",
        "Period": 21600,
        "EvaluationPeriods": 1,
        "Threshold": 100.0,
        "ComparisonOperator": "GreaterThanThreshold",
        **BILLING,
        **changes,
    }


def _charges(cloudwatch, clock, hours=12):
    now = clock.now()
    datapoints = cloudwatch.get_metric_statistics(
        **BILLING,
        StartTime=now - timedelta(hours=hours),
        EndTime=now + timedelta(minutes=1),
        Period=3600,
        Statistics=["Maximum"],
    )["Datapoints"]
    return sorted(d["Maximum"] for d in datapoints)


def test_provisioning_puts_cost_alarms_and_finops_topics_in_us_east_1_only(provisioned, stack):
    for environment in ("staging", "prod"):
        cost = [a.name for a in stack.in_environment(environment).alarms if a.category == "cost"]
        east = provisioned.client("cloudwatch", environment, "us-east-1").describe_alarms(AlarmNames=cost)[
            "MetricAlarms"
        ]
        west = provisioned.client("cloudwatch", environment, "eu-west-1").describe_alarms(AlarmNames=cost)[
            "MetricAlarms"
        ]
        assert sorted(a["AlarmName"] for a in east) == sorted(cost) and west == []
        assert all(arn.split(":")[3] == "us-east-1" for a in east for arn in a["AlarmActions"])
        east_topics = [
            t["TopicArn"] for t in provisioned.client("sns", environment, "us-east-1").list_topics()["Topics"]
        ]
        assert [arn.rsplit(":", 1)[1] for arn in east_topics] == [f"churn-finops-{environment}"]


def test_the_inventory_reads_each_alarm_and_topic_in_its_own_region(provisioned):
    found = inventory(provisioned, "staging")
    assert found.find("alarms", "churn-staging-estimated-charges")["region"] == "us-east-1"
    assert found.find("alarms", "churn-staging-5xx-rate")["region"] == "eu-west-1"
    assert found.find("topics", "churn-finops-staging")["region"] == "us-east-1"
    assert found.find("topics", "churn-oncall-staging")["region"] == "eu-west-1"


def test_estimated_charges_are_published_in_us_east_1_only_and_republished_until_they_change(provisioned):
    provisioned.inject_billing("staging", 42.5)
    east = provisioned.client("cloudwatch", "staging", "us-east-1")
    west = provisioned.client("cloudwatch", "staging", "eu-west-1")
    assert _charges(east, provisioned.clock) == [42.5]
    assert _charges(west, provisioned.clock) == []
    assert not west.list_metrics(Namespace="AWS/Billing")["Metrics"]
    assert east.list_metrics(Namespace="AWS/Billing")["Metrics"][0]["MetricName"] == "EstimatedCharges"
    provisioned.clock.sleep(9 * 3600)
    assert len(_charges(east, provisioned.clock)) >= 3, "AWS updates the estimate several times a day"
    other_account = provisioned.client("cloudwatch", "prod", "us-east-1")
    assert _charges(other_account, provisioned.clock) == [], "each account has its own bill"


@pytest.mark.parametrize("amount", [-1, math.nan, math.inf, "12", True])
def test_injected_charges_must_be_an_amount(provisioned, amount):
    with pytest.raises(ValueError, match="estimated charges must be a finite amount"):
        provisioned.inject_billing("staging", amount)


def test_nobody_can_write_a_billing_metric_through_the_api(provisioned):
    east = provisioned.client("cloudwatch", "staging", "us-east-1")
    with pytest.raises(ClientError) as raised:
        east.put_metric_data(
            Namespace="AWS/Billing",
            MetricData=[{"MetricName": "EstimatedCharges", "Value": 1.0, "Dimensions": BILLING["Dimensions"]}],
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize("key", ["AlarmActions", "OKActions", "InsufficientDataActions"])
def test_an_alarm_action_in_another_region_is_refused_as_aws_does(provisioned, stack, key):
    west = provisioned.client("cloudwatch", "staging", "eu-west-1")
    topic = f"arn:aws:sns:us-east-1:{stack.account('staging')}:churn-finops-staging"
    with pytest.raises(ClientError) as raised:
        west.put_metric_alarm(**_billing_alarm(**{key: [topic]}))
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"] == "Invalid region us-east-1 specified. Only eu-west-1 is supported."
    assert west.describe_alarms(AlarmNames=["hand-made-billing"])["MetricAlarms"] == []


def test_a_billing_alarm_outside_us_east_1_never_sees_a_datapoint(provisioned):
    """What the spec lint prevents: the same alarm, in eu-west-1 and in us-east-1, after charges over its threshold."""
    clients = {region: provisioned.client("cloudwatch", "staging", region) for region in ("eu-west-1", "us-east-1")}
    for cloudwatch in clients.values():
        cloudwatch.put_metric_alarm(**_billing_alarm())
    try:
        provisioned.inject_billing("staging", 250.0)
        provisioned.clock.sleep(13 * 3600)
        states = {
            region: c.describe_alarms(AlarmNames=["hand-made-billing"])["MetricAlarms"][0]["StateValue"]
            for region, c in clients.items()
        }
        assert states == {"eu-west-1": "INSUFFICIENT_DATA", "us-east-1": "ALARM"}
    finally:
        provisioned.inject_billing("staging", 0.0)
        for cloudwatch in clients.values():
            cloudwatch.delete_alarms(AlarmNames=["hand-made-billing"])


def test_the_inventory_drill_sees_a_cost_alarm_recreated_in_the_wrong_region(provisioned, stack):
    """A cost alarm deleted from us-east-1 and made again by hand in eu-west-1 (where it never sees billing data)."""
    from simulacro.provision import apply, conformance

    name = "churn-staging-estimated-charges"
    east, west = (provisioned.client("cloudwatch", "staging", region) for region in ("us-east-1", "eu-west-1"))
    request = stack.alarm(name).to_put_metric_alarm(
        lambda topic: f"arn:aws:sns:eu-west-1:{stack.account('staging')}:churn-oncall-staging"
    )
    east.delete_alarms(AlarmNames=[name])
    west.put_metric_alarm(**request)
    try:
        found = conformance.findings(conformance.alarm_findings, stack, inventory(provisioned, "staging"))
        assert [str(f) for f in found if f.name == name] == [
            f"alarm {name}: region: found only in eu-west-1 (spec: us-east-1)"
        ]
    finally:
        west.delete_alarms(AlarmNames=[name])
        apply(stack, provisioned, ["staging"])
    assert east.describe_alarms(AlarmNames=[name])["MetricAlarms"]


def test_the_least_privilege_policy_allows_every_region_the_spec_uses(stack):
    from simulacro.gameday.iam import policy_document

    assert stack.regions() == ["eu-west-1", "us-east-1"]
    policy = policy_document({"cloudwatch:DescribeAlarms", "cloudwatch:SetAlarmState"}, stack.regions())
    conditions = [
        s["Condition"] for s in policy["Statement"] if s["Sid"].startswith(("SimulacroRead", "SimulacroInject"))
    ]
    assert conditions == [{"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}] * 2
