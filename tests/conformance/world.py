"""Scenarios that make the local AWS produce each kind of document a reference records.

Each scenario is built to match its reference's situation (same alarm settings, same kind of
transition), so that only what legitimately varies differs. Documents are produced once, on first
use, and kept by subject.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from simulacro.target.local_clients import local_client

ACCOUNT = "123456789012"
REGION = "eu-west-1"
NAMESPACE = "Conformance"


class World:
    def __init__(self, local_aws: Any):
        self.aws = local_aws
        self.clock = local_aws.clock
        self.documents: dict[str, Any] = {}
        self._clients: dict[str, Any] = {}
        self._done: set[str] = set()

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = local_client(self.aws.url, service, ACCOUNT, REGION)
        return self._clients[service]

    def document(self, subject: str) -> Any:
        if subject not in self.documents:
            scenario = SCENARIOS.get(subject)
            if scenario is None:
                raise KeyError(f"no scenario produces {subject}")
            if scenario.__name__ not in self._done:
                self._done.add(scenario.__name__)
                scenario(self)
        return self.documents[subject]

    # --- helpers -----------------------------------------------------------------------

    def topic_with_queue(self, name: str) -> tuple[str, str]:
        sns, sqs = self.client("sns"), self.client("sqs")
        topic = sns.create_topic(Name=name)["TopicArn"]
        queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        return topic, queue_url

    def drain(self, queue_url: str) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        bodies = []
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def events_of(self, detail_type: str, name: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.aws.events.emitted
            if e["detail-type"] == detail_type and e["detail"].get("alarmName", e["detail"].get("EndpointName")) == name
        ]

    def put(self, metric: str, value: float | None = None, **datum: Any) -> None:
        entry = {"MetricName": metric, "Timestamp": self.clock.now() - timedelta(seconds=1), **datum}
        if value is not None:
            entry["Value"] = value
        self.client("cloudwatch").put_metric_data(Namespace=NAMESPACE, MetricData=[entry])

    def error(self, call: Callable[[], Any]) -> dict[str, Any]:
        try:
            call()
        except ClientError as error:
            # botocore adds QueryErrorCode when it talks CBOR/JSON to a query-compatible service (as to
            # AWS today); the 2023 recordings were made over the query protocol, which has none.
            # Over CBOR botocore also fills an absent message with "".
            error_fields = {
                k: v
                for k, v in error.response["Error"].items()
                if k != "QueryErrorCode" and not (k == "Message" and v == "")
            }
            return {
                "Error": error_fields,
                "ResponseMetadata": {"HTTPStatusCode": error.response["ResponseMetadata"]["HTTPStatusCode"]},
            }
        raise AssertionError("the call succeeded; AWS refuses it")


def _answer(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


# --- CloudWatch ----------------------------------------------------------------------------


def metric_alarm_lifecycle(world: World) -> None:
    """A 1-of-1 alarm: created, in ALARM on a datapoint of two samples, back to OK when data stops."""
    cw = world.client("cloudwatch")
    topic, queue = world.topic_with_queue("conformance-alarms")
    alarm = dict(
        AlarmName="conformance-1of1",
        AlarmDescription="testing cloudwatch alarms",
        Namespace=NAMESPACE,
        MetricName="my-metric1",
        Dimensions=[{"Name": "InstanceId", "Value": "abc"}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=2.0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        Unit="Seconds",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    cw.put_metric_alarm(**alarm)
    world.documents["api.cloudwatch.DescribeAlarms.new"] = _answer(cw.describe_alarms(AlarmNames=[alarm["AlarmName"]]))
    for _ in range(2):  # one datapoint of two samples: INSUFFICIENT_DATA -> ALARM at the next evaluation
        world.put("my-metric1", 21.5, Dimensions=alarm["Dimensions"], Unit="Seconds")
    world.clock.sleep(60)
    world.documents["api.cloudwatch.DescribeAlarms.triggered"] = _answer(
        cw.describe_alarms(AlarmNames=[alarm["AlarmName"]])
    )
    world.documents["api.cloudwatch.DescribeAlarmsForMetric.triggered"] = _answer(
        cw.describe_alarms_for_metric(Namespace=NAMESPACE, MetricName="my-metric1", Dimensions=alarm["Dimensions"])
    )
    world.documents["api.cloudwatch.DescribeAlarmHistory.state-update"] = _answer(
        cw.describe_alarm_history(AlarmName=alarm["AlarmName"], HistoryItemType="StateUpdate", MaxRecords=1)
    )
    envelopes = world.drain(queue)
    world.documents["sns-envelope.subject"] = envelopes[-1]
    world.documents["sns-message.alarm"] = json.loads(envelopes[-1]["Message"])
    world.documents["event.alarm-state-change.metric-first"] = world.events_of(
        "CloudWatch Alarm State Change", alarm["AlarmName"]
    )[-1]
    world.put("my-metric1", 0.5, Dimensions=alarm["Dimensions"], Unit="Seconds")
    world.clock.sleep(60)  # ALARM -> OK on a good datapoint
    world.documents["sns-message.ok"] = json.loads(world.drain(queue)[-1]["Message"])
    world.documents["event.alarm-state-change.metric-ok"] = world.events_of(
        "CloudWatch Alarm State Change", alarm["AlarmName"]
    )[-1]
    world.put("my-metric1", 21.5, Dimensions=alarm["Dimensions"], Unit="Seconds")
    world.clock.sleep(60)  # OK -> ALARM, as in CloudWatch's sample event
    world.documents["event.alarm-state-change.metric"] = world.events_of(
        "CloudWatch Alarm State Change", alarm["AlarmName"]
    )[-1]
    world.clock.sleep(900)  # no more data: OK, missing data not breaching
    world.documents["api.cloudwatch.DescribeAlarms.ok-not-breaching"] = _answer(
        cw.describe_alarms(AlarmNames=[alarm["AlarmName"]])
    )
    cw.delete_alarms(AlarmNames=[alarm["AlarmName"]])
    world.documents["api.cloudwatch.DescribeAlarms.after-delete"] = _answer(
        cw.describe_alarms(AlarmNames=[alarm["AlarmName"]])
    )


def breaching_alarm(world: World) -> None:
    cw = world.client("cloudwatch")
    topic, queue = world.topic_with_queue("conformance-breaching")
    dims = [{"Name": "InstanceId", "Value": "abc"}]
    cw.put_metric_alarm(
        AlarmName="conformance-breaching",
        AlarmDescription="testing cloudwatch alarms",
        Namespace=NAMESPACE,
        MetricName="my-metric101",
        Dimensions=dims,
        Statistic="Average",
        Period=60,
        EvaluationPeriods=2,
        Threshold=2.0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="breaching",
        Unit="Seconds",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    world.clock.sleep(60)
    world.documents["api.cloudwatch.DescribeAlarms.breaching"] = _answer(
        cw.describe_alarms(AlarmNames=["conformance-breaching"])
    )
    world.documents["sns-message.breaching"] = json.loads(world.drain(queue)[-1]["Message"])
    cw.put_metric_alarm(
        AlarmName="conformance-set-state",
        AlarmDescription="testing cloudwatch alarms",
        Namespace=NAMESPACE,
        MetricName="my-metric101",
        Dimensions=dims,
        Statistic="Average",
        Period=60,
        EvaluationPeriods=2,
        Threshold=2.0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="ignore",
        Unit="Seconds",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    cw.set_alarm_state(AlarmName="conformance-set-state", StateValue="ALARM", StateReason="testing alarm")
    world.documents["sns-message.set-alarm-state"] = json.loads(world.drain(queue)[-1]["Message"])
    cw.put_metric_alarm(
        AlarmName="conformance-minimal",
        Namespace=NAMESPACE,
        MetricName="minimal",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=30,
        ComparisonOperator="GreaterThanThreshold",
    )
    world.documents["api.cloudwatch.DescribeAlarms.minimal"] = _answer(
        cw.describe_alarms(AlarmNames=["conformance-minimal"])
    )
    world.documents["error.cloudwatch.SetAlarmState.invalid-state"] = world.error(
        lambda: cw.set_alarm_state(AlarmName="conformance-minimal", StateValue="INVALID", StateReason="x")
    )
    world.documents["error.cloudwatch.SetAlarmState.not-found"] = world.error(
        lambda: cw.set_alarm_state(AlarmName="conformance-nothing", StateValue="OK", StateReason="x")
    )
    cw.delete_alarms(AlarmNames=["conformance-breaching", "conformance-set-state", "conformance-minimal"])


def math_and_configuration_alarms(world: World) -> None:
    cw = world.client("cloudwatch")
    dims = [{"Name": "InstanceId", "Value": "i-12345678901234567"}]

    def stat(name: str) -> dict[str, Any]:
        return {
            "Metric": {"Namespace": NAMESPACE, "MetricName": name, "Dimensions": dims},
            "Period": 60,
            "Stat": "Maximum",
        }

    cw.put_metric_alarm(
        AlarmName="conformance-math",
        AlarmDescription="Goes into alarm if total network traffic exceeds 10Kb",
        EvaluationPeriods=1,
        Threshold=10000,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="ignore",
        Metrics=[
            {"Id": "e1", "Expression": "m1 + m2", "Label": "Total Network Traffic", "ReturnData": True},
            {"Id": "m1", "MetricStat": stat("NetworkIn"), "ReturnData": False},
            {"Id": "m2", "MetricStat": stat("NetworkOut"), "ReturnData": False},
        ],
    )
    world.put("NetworkIn", 45628.0, Dimensions=dims)
    world.put("NetworkOut", 1.0, Dimensions=dims)
    world.clock.sleep(60)
    world.documents["event.alarm-state-change.math"] = world.events_of(
        "CloudWatch Alarm State Change", "conformance-math"
    )[-1]
    cw.delete_alarms(AlarmNames=["conformance-math"])
    world.documents["event.alarm-configuration-change.delete-math"] = world.events_of(
        "CloudWatch Alarm Configuration Change", "conformance-math"
    )[-1]
    cpu = dict(
        AlarmName="conformance-cpu",
        AlarmDescription="Goes into alarm when server CPU utilization is too high!",
        Namespace=NAMESPACE,
        MetricName="CPUUtilization",
        Dimensions=dims,
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=70,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="ignore",
    )
    cw.put_metric_alarm(**cpu)
    world.clock.sleep(5)
    cw.put_metric_alarm(**{**cpu, "Threshold": 80})
    world.documents["event.alarm-configuration-change.update-metric"] = world.events_of(
        "CloudWatch Alarm Configuration Change", "conformance-cpu"
    )[-1]
    cw.delete_alarms(AlarmNames=["conformance-cpu"])


def composite_alarm(world: World) -> None:
    cw = world.client("cloudwatch")
    for name in ("ServerCpuTooHigh", "TotalNetworkTrafficTooHigh"):
        cw.put_metric_alarm(
            AlarmName=name,
            Namespace=NAMESPACE,
            MetricName=name,
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="ignore",
        )
        cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="start")
    cw.put_composite_alarm(
        AlarmName="ServiceAggregatedAlarm",
        AlarmDescription="Aggregated monitor for instance",
        AlarmRule="ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)",
    )
    world.documents["event.alarm-configuration-change.create-composite"] = world.events_of(
        "CloudWatch Alarm Configuration Change", "ServiceAggregatedAlarm"
    )[0]
    world.clock.sleep(1)
    cw.set_alarm_state(AlarmName="ServerCpuTooHigh", StateValue="ALARM", StateReason="child")
    world.documents["event.alarm-state-change.composite"] = world.events_of(
        "CloudWatch Alarm State Change", "ServiceAggregatedAlarm"
    )[-1]
    world.documents["api.cloudwatch.DescribeAlarms.composite"] = _answer(
        cw.describe_alarms(AlarmNames=["ServiceAggregatedAlarm"], AlarmTypes=["CompositeAlarm"])
    )
    cw.delete_alarms(AlarmNames=["ServiceAggregatedAlarm", "ServerCpuTooHigh", "TotalNetworkTrafficTooHigh"])


def metric_queries(world: World) -> None:
    cw = world.client("cloudwatch")
    start = world.clock.now().replace(second=0, microsecond=0)
    at = start + timedelta(seconds=10)
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[{"MetricName": "metric", "Value": float(v), "Timestamp": at} for v in range(10)],
    )
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "test-metric",
                "Values": [1.0, 10.0, 5.0],
                "Counts": [2, 2, 2],
                "Timestamp": at,
                "Unit": "Count",
            }
        ],
    )
    for index, value in enumerate((50.0, 25.0, 55.0), start=1):
        cw.put_metric_data(
            Namespace=NAMESPACE, MetricData=[{"MetricName": f"metric{index}", "Value": value, "Timestamp": at}]
        )
    end = start + timedelta(minutes=1)
    world.clock.advance_to(end + timedelta(seconds=1))
    world.documents["api.cloudwatch.GetMetricStatistics.all"] = _answer(
        cw.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName="metric",
            StartTime=start,
            EndTime=end,
            Period=60,
            Statistics=["Average", "Maximum", "Minimum", "SampleCount", "Sum"],
        )
    )
    world.documents["api.cloudwatch.GetMetricStatistics.values-list"] = _answer(
        cw.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName="test-metric",
            StartTime=start,
            EndTime=end,
            Period=60,
            Statistics=["Maximum", "SampleCount", "Sum"],
        )
    )
    queries = [
        {
            "Id": f"result{i}",
            "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": f"metric{i}"}, "Period": 60, "Stat": "Sum"},
        }
        for i in (1, 2, 3)
    ]
    world.documents["api.cloudwatch.GetMetricData.multiple"] = _answer(
        cw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end)
    )
    world.documents["api.cloudwatch.GetMetricData.no-results"] = _answer(
        cw.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "result",
                    "MetricStat": {
                        "Metric": {"Namespace": NAMESPACE, "MetricName": "nothing"},
                        "Period": 60,
                        "Stat": "Sum",
                    },
                }
            ],
            StartTime=start,
            EndTime=end,
        )
    )


# --- SNS -----------------------------------------------------------------------------------


def sns_publishing(world: World) -> None:
    sns = world.client("sns")
    topic, queue = world.topic_with_queue("conformance-sns")
    world.documents["api.sns.Publish.ok"] = _answer(sns.publish(TopicArn=topic, Message="test-msg-1"))
    world.documents["sns-envelope.plain"] = world.drain(queue)[-1]
    missing = topic.rsplit(":", 1)[0] + ":conformance-missing"
    world.documents["error.sns.Publish.not-found"] = world.error(lambda: sns.publish(TopicArn=missing, Message="x"))
    world.documents["error.sns.GetTopicAttributes.not-found"] = world.error(
        lambda: sns.get_topic_attributes(TopicArn=missing)
    )


# --- EventBridge ---------------------------------------------------------------------------


def eventbridge(world: World) -> None:
    events, sqs = world.client("events"), world.client("sqs")
    pattern = {
        "source": ["core.update-account-command"],
        "detail-type": ["core.update-account-command"],
        "detail": {"command": ["update-account"]},
    }
    world.documents["api.events.PutRule.ok"] = _answer(
        events.put_rule(Name="conformance-rule", EventPattern=json.dumps(pattern))
    )
    listed = _answer(events.list_rules(NamePrefix="conformance-rule"))
    for rule in listed["Rules"]:
        rule["EventPattern"] = json.loads(rule["EventPattern"])
    world.documents["api.events.ListRules.one"] = listed
    events.put_rule(Name="conformance-delivery", EventPattern=json.dumps({"source": ["core.update-account-command"]}))
    queue_url = sqs.create_queue(QueueName="conformance-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(
        QueueUrl=queue_url,
        Attributes={
            "Policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": queue_arn,
                        }
                    ]
                }
            )
        },
    )
    events.put_targets(Rule="conformance-delivery", Targets=[{"Id": "queue", "Arn": queue_arn}])
    entry = {
        "Source": "core.update-account-command",
        "DetailType": "core.update-account-command",
        "Detail": json.dumps({"message": "short time"}),
    }
    world.documents["api.events.PutEvents.ok"] = _answer(events.put_events(Entries=[entry]))
    delivered = world.drain(queue_url)[-1]
    world.documents["event.custom-delivered"] = delivered
    for key, member in (
        ("without-source", "Source"),
        ("without-detail", "Detail"),
        ("without-detail-type", "DetailType"),
    ):
        world.documents[f"api.events.PutEvents.{key}"] = _answer(
            events.put_events(Entries=[{k: v for k, v in entry.items() if k != member}])
        )
    world.documents["api.events.PutEvents.malformed-detail"] = _answer(
        events.put_events(Entries=[{**entry, "Detail": '{"a": '}])
    )
    world.documents["error.events.TestEventPattern.invalid-event"] = world.error(
        lambda: events.test_event_pattern(EventPattern=json.dumps({"source": ["order"]}), Event="plain string")
    )
    events.remove_targets(Rule="conformance-delivery", Ids=["queue"])
    events.delete_rule(Name="conformance-delivery")
    events.delete_rule(Name="conformance-rule")


def pattern_error(world: World, pattern: Any) -> dict[str, Any]:
    """TestEventPattern's answer to an invalid pattern."""
    event = json.dumps(
        {
            "id": "1",
            "source": "order",
            "detail-type": "Test",
            "account": ACCOUNT,
            "region": REGION,
            "time": "2024-01-01T00:00:00Z",
            "detail": {},
        }
    )
    return world.error(lambda: world.client("events").test_event_pattern(EventPattern=json.dumps(pattern), Event=event))


SCENARIOS: dict[str, Callable[[World], None]] = {}
for _subjects, _scenario in (
    (
        (
            "api.cloudwatch.DescribeAlarms.new",
            "api.cloudwatch.DescribeAlarms.triggered",
            "api.cloudwatch.DescribeAlarmsForMetric.triggered",
            "api.cloudwatch.DescribeAlarmHistory.state-update",
            "sns-envelope.subject",
            "sns-message.alarm",
            "event.alarm-state-change.metric",
            "api.cloudwatch.DescribeAlarms.ok-not-breaching",
            "sns-message.ok",
            "api.cloudwatch.DescribeAlarms.after-delete",
            "event.alarm-state-change.metric-ok",
            "event.alarm-state-change.metric-first",
        ),
        metric_alarm_lifecycle,
    ),
    (
        (
            "api.cloudwatch.DescribeAlarms.breaching",
            "sns-message.breaching",
            "sns-message.set-alarm-state",
            "api.cloudwatch.DescribeAlarms.minimal",
            "error.cloudwatch.SetAlarmState.invalid-state",
            "error.cloudwatch.SetAlarmState.not-found",
        ),
        breaching_alarm,
    ),
    (
        (
            "event.alarm-state-change.math",
            "event.alarm-configuration-change.delete-math",
            "event.alarm-configuration-change.update-metric",
        ),
        math_and_configuration_alarms,
    ),
    (
        (
            "event.alarm-configuration-change.create-composite",
            "event.alarm-state-change.composite",
            "api.cloudwatch.DescribeAlarms.composite",
        ),
        composite_alarm,
    ),
    (
        (
            "api.cloudwatch.GetMetricStatistics.all",
            "api.cloudwatch.GetMetricStatistics.values-list",
            "api.cloudwatch.GetMetricData.multiple",
            "api.cloudwatch.GetMetricData.no-results",
        ),
        metric_queries,
    ),
    (
        (
            "api.sns.Publish.ok",
            "sns-envelope.plain",
            "error.sns.Publish.not-found",
            "error.sns.GetTopicAttributes.not-found",
        ),
        sns_publishing,
    ),
    (
        (
            "api.events.PutRule.ok",
            "api.events.ListRules.one",
            "api.events.PutEvents.ok",
            "event.custom-delivered",
            "api.events.PutEvents.without-source",
            "api.events.PutEvents.without-detail",
            "api.events.PutEvents.without-detail-type",
            "api.events.PutEvents.malformed-detail",
            "error.events.TestEventPattern.invalid-event",
        ),
        eventbridge,
    ),
):
    for _subject in _subjects:
        SCENARIOS[_subject] = _scenario
