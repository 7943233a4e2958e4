"""CloudWatch in the local AWS behaves as AWS-FACTS.md §3 says, where moto does not."""
import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from simulacro.probes import ProbeQueue

ALARM = "churn-staging-5xx-rate"


@pytest.fixture
def cloudwatch(provisioned):
    return provisioned.client("cloudwatch", "staging")


@pytest.fixture
def probe(provisioned, stack):
    queue = ProbeQueue(provisioned, "staging", "test", "cloudwatch tests")
    queue.subscribe(f"arn:aws:sns:eu-west-1:{stack.account('staging')}:churn-oncall-staging")
    yield queue
    queue.close()


def test_set_alarm_state_runs_the_actions_with_cloudwatchs_message(cloudwatch, probe, provisioned):
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="drill")
    try:
        heard = probe.first(lambda h: isinstance(h.message, dict) and h.message.get("AlarmName") == ALARM)
        assert heard is not None
        assert heard.subject == f'ALARM: "{ALARM}" in EU - Ireland'
        message = heard.message
        assert message["NewStateValue"] == "ALARM" and message["OldStateValue"] == "OK"
        assert message["AWSAccountId"] == "210987654321" and message["Region"] == "EU - Ireland"
        assert message["StateChangeTime"].endswith("+0000") and "." in message["StateChangeTime"]
        assert message["Trigger"]["Metrics"][-1]["Expression"] == "100 * errors / invocations"
    finally:
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="restore")


def test_alarm_history_is_kept_and_served_newest_first(cloudwatch):
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="drill")
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="restore")
    items = cloudwatch.describe_alarm_history(AlarmName=ALARM, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert items[0]["HistorySummary"] == "Alarm updated from ALARM to OK"
    assert json.loads(items[0]["HistoryData"])["newState"]["stateValue"] == "OK"
    actions = cloudwatch.describe_alarm_history(AlarmName=ALARM, HistoryItemType="Action")["AlarmHistoryItems"]
    assert actions and actions[0]["HistorySummary"].startswith("Successfully executed action arn:aws:sns:")


def test_a_new_alarm_starts_insufficient_data_and_an_update_keeps_its_state(cloudwatch, provisioned):
    alarm = dict(Namespace="Simulacro/Test", MetricName="Errors", Statistic="Sum", Period=60, EvaluationPeriods=1,
                 Threshold=1, ComparisonOperator="GreaterThanThreshold")
    cloudwatch.put_metric_alarm(AlarmName="fresh", **alarm)
    try:
        assert cloudwatch.describe_alarms(AlarmNames=["fresh"])["MetricAlarms"][0]["StateValue"] == "INSUFFICIENT_DATA"
        cloudwatch.set_alarm_state(AlarmName="fresh", StateValue="ALARM", StateReason="x")
        cloudwatch.put_metric_alarm(AlarmName="fresh", **{**alarm, "Threshold": 2})
        assert cloudwatch.describe_alarms(AlarmNames=["fresh"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    finally:
        cloudwatch.delete_alarms(AlarmNames=["fresh"])


@pytest.mark.parametrize("change, message", [
    ({"Period": 45}, "Period must be 10, 30 or a multiple of 60"),
    ({"ExtendedStatistic": "p99"}, "Exactly one of Statistic and ExtendedStatistic"),
    ({"DatapointsToAlarm": 3}, "DatapointsToAlarm must be less than or equal to EvaluationPeriods"),
    ({"TreatMissingData": "maybe"}, "Invalid TreatMissingData"),
])
def test_put_metric_alarm_refuses_what_aws_refuses(cloudwatch, change, message):
    alarm = dict(AlarmName="bad", Namespace="N", MetricName="M", Statistic="Sum", Period=60, EvaluationPeriods=1,
                 Threshold=1, ComparisonOperator="GreaterThanThreshold")
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_metric_alarm(**{**alarm, **change})
    assert message in str(raised.value)


def test_put_metric_data_into_an_aws_namespace_is_refused(cloudwatch):
    with pytest.raises(ClientError, match="reserved for AWS services"):
        cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=[{"MetricName": "Invocations", "Value": 1}])


def test_alarms_evaluate_every_minute_from_the_metrics(cloudwatch, provisioned):
    alarm = dict(AlarmName="evaluated", Namespace="Simulacro/Test", MetricName="Errors", Statistic="Sum", Period=60,
                 EvaluationPeriods=2, Threshold=5, ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")
    cloudwatch.put_metric_alarm(**alarm)
    try:
        clock = provisioned.clock
        clock.sleep(60)
        assert cloudwatch.describe_alarms(AlarmNames=["evaluated"])["MetricAlarms"][0]["StateValue"] == "OK"
        for _ in range(2):
            cloudwatch.put_metric_data(Namespace="Simulacro/Test", MetricData=[{"MetricName": "Errors", "Value": 10, "Timestamp": clock.now()}])
            clock.sleep(60)
        state = cloudwatch.describe_alarms(AlarmNames=["evaluated"])["MetricAlarms"][0]
        assert state["StateValue"] == "ALARM", state["StateReason"]
        assert state["StateReason"].startswith("Threshold Crossed")
    finally:
        cloudwatch.delete_alarms(AlarmNames=["evaluated"])


def test_get_metric_data_serves_percentiles_and_metric_math(cloudwatch, provisioned):
    clock = provisioned.clock
    start = clock.now()
    values = [float(v) for v in range(1, 101)]
    cloudwatch.put_metric_data(Namespace="Simulacro/Pct", MetricData=[{"MetricName": "Latency", "Values": values, "Timestamp": start + timedelta(seconds=1)}])
    query = {"Metric": {"Namespace": "Simulacro/Pct", "MetricName": "Latency"}, "Period": 60}
    result = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {"Id": "p99", "MetricStat": {**query, "Stat": "p99"}},
            {"Id": "n", "MetricStat": {**query, "Stat": "SampleCount"}, "ReturnData": False},
            {"Id": "half", "Expression": "n / 2"},
        ],
        StartTime=start, EndTime=start + timedelta(minutes=1),
    )["MetricDataResults"]
    by_id = {r["Id"]: r["Values"] for r in result}
    assert by_id["p99"] == [99.0] and by_id["half"] == [50.0]
    stats = cloudwatch.get_metric_statistics(Namespace="Simulacro/Pct", MetricName="Latency", StartTime=start,
                                             EndTime=start + timedelta(minutes=1), Period=60, ExtendedStatistics=["p50"])
    assert stats["Datapoints"][0]["ExtendedStatistics"]["p50"] == 50.0


def test_every_transition_emits_the_alarm_state_change_event(cloudwatch, provisioned, stack):
    bus = provisioned.local_aws.events
    events = provisioned.client("events", "staging")
    probe = ProbeQueue(provisioned, "staging", "test", "alarm events")
    events.put_rule(Name="alarm-events", EventPattern=json.dumps({"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}))
    probe.allow_rule(f"arn:aws:events:eu-west-1:{stack.account('staging')}:rule/alarm-events")
    events.put_targets(Rule="alarm-events", Targets=[{"Id": "probe", "Arn": probe.arn}])
    try:
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="drill")
        heard = probe.first(lambda h: h.message.get("detail", {}).get("alarmName") == ALARM)
        assert heard is not None, bus.log[-3:]
        detail = heard.message["detail"]
        assert detail["state"]["value"] == "ALARM" and detail["previousState"]["value"] == "OK"
        assert heard.message["account"] == stack.account("staging") and heard.message["source"] == "aws.cloudwatch"
        assert detail["configuration"]["metrics"][0]["metricStat"]["metric"]["namespace"] == "AWS/SageMaker"
    finally:
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="restore")
        events.remove_targets(Rule="alarm-events", Ids=["probe"])
        events.delete_rule(Name="alarm-events")
        probe.close()


class _Clock:
    def __init__(self, now):
        self.moment = now

    def now(self):
        return self.moment


def test_the_minute_loop_evaluates_an_alarm_again_only_when_its_inputs_change():
    from datetime import datetime, timezone

    from simulacro.emulator.alarm_messages import AlarmRecord
    from simulacro.emulator.cloudwatch import CloudWatch
    from simulacro.emulator.metric_store import MetricStore, metric_key

    start = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
    clock, store, events = _Clock(start), MetricStore(), []
    cloudwatch = CloudWatch(clock, store, lambda account, region, event: events.append(event))
    account, key = "123456789012", metric_key("123456789012", "eu-west-1", "Simulacro/Test", "Errors", {"Host": "a"})
    definition = dict(AlarmName="errors", Namespace="Simulacro/Test", MetricName="Errors", Dimensions=[{"Name": "Host", "Value": "a"}],
                      Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanThreshold",
                      TreatMissingData="notBreaching")
    cloudwatch.alarms[(account, "eu-west-1", "errors")] = record = AlarmRecord(account, "eu-west-1", definition, configured_at=start)

    def minute(n, *samples):
        for value in samples:
            store.put(key, clock.now().timestamp() + 1, value)
        clock.moment = start + timedelta(minutes=n)
        cloudwatch.evaluate_all()

    minute(0)
    assert (record.state, cloudwatch.evaluator.evaluations) == ("OK", 1)
    for n in range(1, 5):
        minute(n, 3.0)  # samples in the 5-minute period still open: nothing to judge yet
    assert (record.state, cloudwatch.evaluator.evaluations) == ("OK", 1)
    minute(5)  # the period closed with 12 > 5
    assert (record.state, cloudwatch.evaluator.evaluations) == ("ALARM", 2)
    assert record.reason.startswith("Threshold Crossed: 1 out of the last 1 datapoints [12.0 (30/11/26 12:00:00)] was greater than")
    assert events[-1]["detail"]["state"]["value"] == "ALARM"
    minute(6)
    assert cloudwatch.evaluator.evaluations == 2
    store.put(key, (start + timedelta(minutes=2)).timestamp(), -20.0)  # a late sample in the judged period
    minute(7)
    assert (record.state, cloudwatch.evaluator.evaluations) == ("OK", 3)
