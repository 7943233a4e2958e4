"""A client in the process of the local AWS reaches it without the socket, and hears what the socket would say."""

import signal

import pytest
from botocore.exceptions import ClientError

from simulacro.target.local_clients import local_client

ACCOUNT, REGION = "123456789012", "eu-west-1"


@pytest.fixture
def both(local_aws):
    """(in-process client, socket client) of one service, same account."""

    def pair(service):
        return (
            local_client(local_aws.url, service, ACCOUNT, REGION, local_aws.app),
            local_client(local_aws.url, service, ACCOUNT, REGION),
        )

    return pair


def _same(call, *clients, **kwargs):
    answers = []
    for client in clients:
        answer = getattr(client, call)(**kwargs)
        answer.pop("ResponseMetadata")
        answers.append(answer)
    assert answers[0] == answers[1]
    return answers[0]


def _same_error(call, *clients, **kwargs):
    errors = []
    for client in clients:
        with pytest.raises(ClientError) as raised:
            getattr(client, call)(**kwargs)
        errors.append((raised.value.response["Error"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]))
    assert errors[0] == errors[1]
    return errors[0]


def test_query_protocol_answers_are_the_same(both):
    local, remote = both("cloudwatch")
    local.put_metric_alarm(
        AlarmName="in-process 5xx é",
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    alarms = _same("describe_alarms", local, remote, AlarmNamePrefix="in-process")["MetricAlarms"]
    assert [a["AlarmName"] for a in alarms] == ["in-process 5xx é"]
    _same_error("set_alarm_state", local, remote, AlarmName="missing", StateValue="ALARM", StateReason="drill")


def test_json_protocol_answers_are_the_same(both):
    local, remote = both("sqs")
    url = local.create_queue(QueueName="in-process")["QueueUrl"]
    local.send_message(QueueUrl=url, MessageBody='{"text": "ünïcode ✓"}')
    _same(
        "get_queue_attributes", local, remote, QueueUrl=url, AttributeNames=["QueueArn", "ApproximateNumberOfMessages"]
    )
    _same_error("get_queue_url", local, remote, QueueName="missing")
    events, events_remote = both("events")
    events.put_rule(Name="in-process", EventPattern='{"source": ["aws.sagemaker"]}')
    _same("describe_rule", events, events_remote, Name="in-process")


def test_rest_protocol_bodies_keys_and_head_requests_are_the_same(both):
    local, remote = both("s3")
    local.create_bucket(Bucket="in-process", CreateBucketConfiguration={"LocationConstraint": REGION})
    key, body = "capture/a b/ü%2F+x.jsonl", bytes(range(256)) * 10
    local.put_object(Bucket="in-process", Key=key, Body=body)
    assert local.get_object(Bucket="in-process", Key=key)["Body"].read() == body
    assert remote.get_object(Bucket="in-process", Key=key)["Body"].read() == body
    heads = [c.head_object(Bucket="in-process", Key=key) for c in (local, remote)]
    assert [(h["ContentLength"], h["ETag"]) for h in heads] == [(len(body), heads[1]["ETag"])] * 2
    listed = _same("list_objects_v2", local, remote, Bucket="in-process", Prefix="capture/a b/")
    assert [o["Key"] for o in listed["Contents"]] == [key]
    assert _same_error("head_object", local, remote, Bucket="in-process", Key="missing")[1] == 404


def test_a_signal_during_a_request_waits_for_its_answer(local_aws):
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:

        def interrupted_mid_request(environ, start_response):
            signal.raise_signal(signal.SIGINT)
            return local_aws.app(environ, start_response)

        sqs = local_client(local_aws.url, "sqs", ACCOUNT, REGION, interrupted_mid_request)
        with pytest.raises(KeyboardInterrupt):
            sqs.create_queue(QueueName="held")
    finally:
        signal.signal(signal.SIGINT, previous)
    plain = local_client(local_aws.url, "sqs", ACCOUNT, REGION, local_aws.app)
    assert any(url.endswith("/held") for url in plain.list_queues()["QueueUrls"])


def _refusing_app(environ, start_response):
    raise AssertionError("the request came in-process")


def test_the_socket_can_be_asked_for(local_aws, monkeypatch):
    with pytest.raises(AssertionError, match="in-process"):
        local_client(local_aws.url, "sqs", ACCOUNT, REGION, _refusing_app).list_queues()
    monkeypatch.setenv("SIMULACRO_LOCAL_TRANSPORT", "http")
    local_client(local_aws.url, "sqs", ACCOUNT, REGION, _refusing_app).list_queues()
