"""The local AWS never reaches the network through SNS: deliveries to http/https/email/sms/lambda subscribers
are recorded, never sent, and one subscriber's failure never hides another's delivery (the drill's probe)."""

import json
import socket

import pytest

from simulacro.target.local_clients import local_client

ACCOUNT, REGION = "111122223333", "eu-west-1"


@pytest.fixture
def clients(local_aws):
    local_aws.reset()
    return {s: local_client(local_aws.url, s, ACCOUNT, REGION) for s in ("sns", "sqs")}


@pytest.fixture
def no_network(monkeypatch):
    """Any connection to anything but the local AWS fails the test (and is counted)."""
    attempts = []
    original = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "localhost", "::1"):
            attempts.append(address)
            raise AssertionError(f"the local AWS tried to reach {address}")
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(
        "moto.sns.models.requests.post",
        lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(AssertionError(f"moto POSTed to {a}")),
    )
    return attempts


def _queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_every_outside_subscriber_is_recorded_and_the_probe_still_hears(local_aws, clients, no_network):
    sns, sqs = clients["sns"], clients["sqs"]
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    outside = [
        ("https", "https://hooks.example.com/services/T0/B0/secret?token=abc"),
        ("http", "http://pager.example.com/x"),
        ("email", "oncall@example.com"),
        ("sms", "+15555550100"),
        ("lambda", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:does-not-exist"),
    ]
    for protocol, endpoint in outside:  # subscribed before the probe: in moto they would stop its delivery
        sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
    gone_url, gone_arn = _queue(sqs, "deleted-later")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn)
    sqs.delete_queue(QueueUrl=gone_url)
    probe_url, probe_arn = _queue(sqs, "probe")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=probe_arn)

    sns.publish(TopicArn=topic, Message="ALARM: churn-staging-5xx-rate", Subject="ALARM")

    assert no_network == []
    heard = sqs.receive_message(QueueUrl=probe_url, WaitTimeSeconds=0)["Messages"]
    assert json.loads(heard[0]["Body"])["Message"] == "ALARM: churn-staging-5xx-rate"
    recorded = {(d.protocol, d.endpoint) for d in local_aws.sns_deliveries.log}
    assert recorded == set(outside)
    https = local_aws.sns_deliveries.to(outside[0][1])[0]
    assert https.body["Message"] == "ALARM: churn-staging-5xx-rate" and https.body["Type"] == "Notification"
    assert [d.endpoint for d in local_aws.sns_deliveries.failures] == [gone_arn]


def test_alarm_notifications_from_cloudwatch_reach_the_probe_past_a_webhook(provisioned, stack, no_network):
    """The notification path the drills use (CloudWatch -> SNS) with a webhook on the on-call topic."""
    sns, sqs = provisioned.client("sns", "staging"), provisioned.client("sqs", "staging")
    cloudwatch = provisioned.client("cloudwatch", "staging")
    topic = f"arn:aws:sns:{REGION}:{stack.account('staging')}:churn-oncall-staging"
    webhook = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://hooks.example.com/T0/B0/secret")[
        "SubscriptionArn"
    ]
    probe_url, probe_arn = _queue(sqs, "probe-webhook")
    probe = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=probe_arn)["SubscriptionArn"]
    try:
        alarm = next(
            a for a in stack.alarms if a.environment == "staging" and "churn-oncall-staging" in a.actions.alarm
        )
        cloudwatch.set_alarm_state(AlarmName=alarm.name, StateValue="ALARM", StateReason="test")
        provisioned.clock.sleep(1)
        assert sqs.receive_message(QueueUrl=probe_url, WaitTimeSeconds=0).get("Messages"), "the probe heard nothing"
        assert provisioned.local_aws.sns_deliveries.to("https://hooks.example.com/T0/B0/secret")
        assert no_network == []
    finally:
        cloudwatch.set_alarm_state(AlarmName=alarm.name, StateValue="OK", StateReason="test over")
        for arn in (webhook, probe):
            sns.unsubscribe(SubscriptionArn=arn)
        sqs.delete_queue(QueueUrl=probe_url)
