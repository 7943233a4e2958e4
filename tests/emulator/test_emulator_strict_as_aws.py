"""The local AWS is no kinder than AWS (issue 16, class 5): each point where moto would let a drill pass
that AWS would fail, with the AWS behaviour reproduced."""

import json

import numpy as np
import pytest
from botocore.exceptions import ClientError

from simulacro.drill.probes import ProbeQueue
from simulacro.emulator.metric_fidelity import visible

ACCOUNT = "210987654321"
REGION = "eu-west-1"


def _alarm(cloudwatch, name, **changes):
    request = {
        "AlarmName": name,
        "Namespace": "AWS/SageMaker",
        "MetricName": "ModelLatency",
        "Dimensions": [{"Name": "EndpointName", "Value": f"strict-{name}"}],
        "Statistic": "Maximum",
        "Period": 60,
        "EvaluationPeriods": 2,
        "DatapointsToAlarm": 2,
        "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "ActionsEnabled": True,
    }
    cloudwatch.put_metric_alarm(**{**request, **changes})


def _publish_every(local_aws, name, seconds, minutes, unit="Microseconds"):
    clock = local_aws.clock
    for _ in range(int(minutes * 60 / seconds)):
        local_aws.cloudwatch.put_metric(
            ACCOUNT, REGION, "AWS/SageMaker", "ModelLatency", {"EndpointName": f"strict-{name}"}, 5000.0, unit=unit
        )
        clock.sleep(seconds)


def _state(cloudwatch, name):
    return cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]


def test_an_alarm_whose_unit_differs_from_the_metrics_gets_no_data(provisioned, local_aws):
    cloudwatch = provisioned.client("cloudwatch", "staging")
    _alarm(cloudwatch, "unit-wrong", Unit="Milliseconds", TreatMissingData="missing")
    _alarm(cloudwatch, "unit-right", Unit="Microseconds", TreatMissingData="missing")
    _publish_every(local_aws, "unit-wrong", 10, 4)
    _publish_every(local_aws, "unit-right", 10, 4)
    assert _state(cloudwatch, "unit-wrong") == "INSUFFICIENT_DATA"
    assert _state(cloudwatch, "unit-right") == "ALARM"


def test_a_period_shorter_than_the_metrics_resolution_sees_data_in_one_period_a_minute(provisioned, local_aws):
    cloudwatch = provisioned.client("cloudwatch", "staging")
    _alarm(cloudwatch, "period-30s", Period=30, EvaluationPeriods=3, DatapointsToAlarm=3)
    _publish_every(local_aws, "period-30s", 10, 5)
    # Every 10 s on a 1-minute metric: CloudWatch stamps the minute's data at the minute, so of each two 30 s
    # periods only the first has data; 3 of 3 breaching periods never happen.
    assert _state(cloudwatch, "period-30s") == "OK"


def test_visible_samples_are_stamped_at_the_minute_for_sub_minute_periods():
    times, values = visible(
        np.array([60.0, 75.0, 100.0]),
        np.ones(3),
        namespace="AWS/SageMaker",
        period=30,
        unit=None,
        published_unit="Microseconds",
    )
    assert times.tolist() == [60.0, 60.0, 60.0]
    times, _ = visible(np.array([75.0]), np.ones(1), namespace="Custom", period=30, unit=None, published_unit=None)
    assert times.tolist() == [75.0]


def _topic_with_probe(provisioned, name, **attributes):
    sns = provisioned.client("sns", "staging")
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    probe = ProbeQueue(provisioned, "staging", "strict", name)
    probe.subscribe(arn)
    return arn, probe


def _alarm_to(provisioned, name, topic_arn):
    cloudwatch = provisioned.client("cloudwatch", "staging")
    _alarm(cloudwatch, name, AlarmActions=[topic_arn])
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="strictness test")
    history = cloudwatch.describe_alarm_history(AlarmName=name, HistoryItemType="Action")["AlarmHistoryItems"]
    return history


def test_cloudwatch_cannot_publish_to_a_topic_encrypted_with_the_aws_managed_key(provisioned):
    arn, probe = _topic_with_probe(provisioned, "strict-managed-key", KmsMasterKeyId="alias/aws/sns")
    try:
        history = _alarm_to(provisioned, "kms-managed", arn)
        assert probe.receive() == []
        assert "alias/aws/sns" in json.dumps(history, default=str)
    finally:
        probe.close()
    arn, probe = _topic_with_probe(provisioned, "strict-customer-key", KmsMasterKeyId="alias/churn-alerts")
    try:
        _alarm_to(provisioned, "kms-customer", arn)
        assert [h for h in probe.receive() if h.message.get("AlarmName") == "kms-customer"]
    finally:
        probe.close()


def test_a_topic_policy_that_refuses_cloudwatch_stops_the_page(provisioned):
    arn, probe = _topic_with_probe(provisioned, "strict-policy")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": arn,
            }
        ],
    }
    provisioned.client("sns", "staging").set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy)
    )
    try:
        history = _alarm_to(provisioned, "policy-refuses", arn)
        assert probe.receive() == []
        assert "does not allow cloudwatch.amazonaws.com" in json.dumps(history, default=str)
    finally:
        probe.close()


def test_sqs_messages_expire_after_the_retention_period_in_virtual_time(provisioned):
    sqs = provisioned.client("sqs", "staging")
    short = sqs.create_queue(QueueName="strict-short-retention", Attributes={"MessageRetentionPeriod": "60"})[
        "QueueUrl"
    ]
    long = sqs.create_queue(QueueName="strict-long-retention")["QueueUrl"]
    for url in (short, long):
        sqs.send_message(QueueUrl=url, MessageBody="event")
    provisioned.clock.sleep(240)
    assert sqs.receive_message(QueueUrl=short, WaitTimeSeconds=0).get("Messages", []) == []
    assert len(sqs.receive_message(QueueUrl=long, WaitTimeSeconds=0)["Messages"]) == 1


def test_setting_other_queue_attributes_keeps_the_policy(provisioned):
    sqs = provisioned.client("sqs", "staging")
    url = sqs.create_queue(QueueName="strict-policy-kept")["QueueUrl"]
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": "*",
                }
            ],
        }
    )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["Policy"]) == json.loads(policy)
    assert attributes["VisibilityTimeout"] == "45"


@pytest.mark.parametrize(
    "service, operation, params, member, limit",
    [
        ("events", "list_rules", {"Limit": 101}, "limit", 100),
        ("logs", "describe_log_groups", {"limit": 51}, "limit", 50),
        ("sagemaker", "list_endpoints", {"MaxResults": 101}, "maxResults", 100),
    ],
)
def test_moto_answers_only_what_keeps_the_apis_limits(provisioned, service, operation, params, member, limit):
    """moto lists whatever page size it is asked for; AWS refuses one over the limit before anything runs."""
    client = provisioned.client(service, "staging")
    with pytest.raises(ClientError) as refused:
        getattr(client, operation)(**params)
    error = refused.value.response["Error"]
    (value,) = params.values()
    assert error["Code"] in ("ValidationException", "ValidationError"), error
    assert error["Message"] == (
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must have value less than or equal to {limit}"
    )
