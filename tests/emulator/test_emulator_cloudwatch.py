"""CloudWatch in the local AWS behaves as AWS-FACTS.md §3 says, where moto does not."""

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from simulacro.drill.probes import ProbeQueue
from support.plain_alarms import put_plain_alarm

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
        assert heard.subject == f'ALARM: "{ALARM}" in EU (Ireland)'
        message = heard.message
        assert message["NewStateValue"] == "ALARM" and message["OldStateValue"] == "OK"
        assert message["AWSAccountId"] == "210987654321" and message["Region"] == "EU (Ireland)"
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
    alarm = dict(
        Namespace="Simulacro/Test",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch.put_metric_alarm(AlarmName="fresh", **alarm)
    try:
        assert cloudwatch.describe_alarms(AlarmNames=["fresh"])["MetricAlarms"][0]["StateValue"] == "INSUFFICIENT_DATA"
        cloudwatch.set_alarm_state(AlarmName="fresh", StateValue="ALARM", StateReason="x")
        cloudwatch.put_metric_alarm(AlarmName="fresh", **{**alarm, "Threshold": 2})
        assert cloudwatch.describe_alarms(AlarmNames=["fresh"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    finally:
        cloudwatch.delete_alarms(AlarmNames=["fresh"])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"Period": 45}, "Period must be 10, 30 or a multiple of 60"),
        ({"ExtendedStatistic": "p99"}, "Exactly one of Statistic and ExtendedStatistic"),
        ({"DatapointsToAlarm": 3}, "DatapointsToAlarm must be less than or equal to EvaluationPeriods"),
        ({"TreatMissingData": "maybe"}, "Invalid TreatMissingData"),
    ],
)
def test_put_metric_alarm_refuses_what_aws_refuses(cloudwatch, change, message):
    alarm = dict(
        AlarmName="bad",
        Namespace="N",
        MetricName="M",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_metric_alarm(**{**alarm, **change})
    assert message in str(raised.value)


def test_put_metric_data_into_an_aws_namespace_is_refused(cloudwatch):
    with pytest.raises(ClientError, match="reserved for AWS services"):
        cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=[{"MetricName": "Invocations", "Value": 1}])


def test_alarms_evaluate_every_minute_from_the_metrics(cloudwatch, provisioned):
    alarm = dict(
        AlarmName="evaluated",
        Namespace="Simulacro/Test",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=2,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    cloudwatch.put_metric_alarm(**alarm)
    try:
        clock = provisioned.clock
        clock.sleep(60)
        assert cloudwatch.describe_alarms(AlarmNames=["evaluated"])["MetricAlarms"][0]["StateValue"] == "OK"
        for _ in range(2):
            cloudwatch.put_metric_data(
                Namespace="Simulacro/Test", MetricData=[{"MetricName": "Errors", "Value": 10, "Timestamp": clock.now()}]
            )
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
    cloudwatch.put_metric_data(
        Namespace="Simulacro/Pct",
        MetricData=[{"MetricName": "Latency", "Values": values, "Timestamp": start + timedelta(seconds=1)}],
    )
    query = {"Metric": {"Namespace": "Simulacro/Pct", "MetricName": "Latency"}, "Period": 60}
    result = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {"Id": "p99", "MetricStat": {**query, "Stat": "p99"}},
            {"Id": "n", "MetricStat": {**query, "Stat": "SampleCount"}, "ReturnData": False},
            {"Id": "half", "Expression": "n / 2"},
        ],
        StartTime=start,
        EndTime=start + timedelta(minutes=1),
    )["MetricDataResults"]
    by_id = {r["Id"]: r["Values"] for r in result}
    assert by_id["p99"] == [99.0] and by_id["half"] == [50.0]
    stats = cloudwatch.get_metric_statistics(
        Namespace="Simulacro/Pct",
        MetricName="Latency",
        StartTime=start,
        EndTime=start + timedelta(minutes=1),
        Period=60,
        ExtendedStatistics=["p50"],
    )
    assert stats["Datapoints"][0]["ExtendedStatistics"]["p50"] == 50.0


def test_every_transition_emits_the_alarm_state_change_event(cloudwatch, provisioned, stack):
    bus = provisioned.local_aws.events
    events = provisioned.client("events", "staging")
    probe = ProbeQueue(provisioned, "staging", "test", "alarm events")
    events.put_rule(
        Name="alarm-events",
        EventPattern=json.dumps({"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}),
    )
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


def _fresh(cloudwatch, name, **change):
    alarm = dict(
        AlarmName=name,
        Namespace="Simulacro/Composite",
        MetricName=name,
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="ignore",
    )
    cloudwatch.put_metric_alarm(**{**alarm, **change})
    return name


def _events(provisioned, detail_type, name):
    return [
        e
        for e in provisioned.local_aws.events.emitted
        if e["detail-type"] == detail_type and e["detail"]["alarmName"] == name
    ]


def test_configuration_changes_emit_events_on_create_update_and_delete(cloudwatch, provisioned):
    name = _fresh(cloudwatch, "configured", AlarmDescription="first")
    _fresh(cloudwatch, "configured", AlarmDescription="second", Threshold=5)
    cloudwatch.delete_alarms(AlarmNames=[name])
    events = _events(provisioned, "CloudWatch Alarm Configuration Change", name)
    assert [e["detail"]["operation"] for e in events] == ["create", "update", "delete"]
    update = events[1]["detail"]
    assert update["configuration"]["threshold"] == 5 and update["previousConfiguration"]["threshold"] == 1
    assert update["configuration"]["description"] == "second"
    assert "previousConfiguration" not in events[2]["detail"]
    assert events[0]["resources"] == [f"arn:aws:cloudwatch:eu-west-1:{provisioned.account('staging')}:alarm:{name}"]


@pytest.mark.parametrize(
    "rule, children, expected",
    [
        ("ALARM(c-a) OR ALARM(c-b)", {"c-a": "ALARM", "c-b": "OK"}, "ALARM"),
        ("ALARM(c-a) AND ALARM(c-b)", {"c-a": "ALARM", "c-b": "OK"}, "OK"),
        ("ALARM(c-a) AND NOT ALARM(c-b)", {"c-a": "ALARM", "c-b": "OK"}, "ALARM"),
        ("OK(c-a) AND INSUFFICIENT_DATA(c-b)", {"c-a": "OK", "c-b": "INSUFFICIENT_DATA"}, "ALARM"),
        ("ALARM(c-a) OR TRUE", {"c-a": "OK", "c-b": "OK"}, "ALARM"),
        ("ALARM(c-a) AND FALSE", {"c-a": "ALARM", "c-b": "ALARM"}, "OK"),
    ],
)
def test_a_composite_alarm_follows_its_rule(cloudwatch, rule, children, expected):
    for child, state in children.items():
        _fresh(cloudwatch, child)
        if state != "INSUFFICIENT_DATA":
            cloudwatch.set_alarm_state(AlarmName=child, StateValue=state, StateReason="test")
    cloudwatch.put_composite_alarm(AlarmName="composite", AlarmRule=rule)
    try:
        composite = cloudwatch.describe_alarms(AlarmNames=["composite"], AlarmTypes=["CompositeAlarm"])[
            "CompositeAlarms"
        ][0]
        assert composite["StateValue"] == expected, composite["StateReason"]
        assert composite["StateReason"].endswith(f"was created and its alarm rule evaluates to {expected}")
    finally:
        cloudwatch.delete_alarms(AlarmNames=["composite", *children])


def test_a_composite_alarm_acts_and_emits_when_a_child_changes(cloudwatch, probe, provisioned):
    topic = f"arn:aws:sns:eu-west-1:{provisioned.account('staging')}:churn-oncall-staging"
    _fresh(cloudwatch, "child-a")
    _fresh(cloudwatch, "child-b")
    for child in ("child-a", "child-b"):
        cloudwatch.set_alarm_state(AlarmName=child, StateValue="OK", StateReason="start")
    cloudwatch.put_composite_alarm(
        AlarmName="service", AlarmRule="ALARM(child-a) OR ALARM(child-b)", AlarmActions=[topic]
    )
    try:
        cloudwatch.set_alarm_state(AlarmName="child-b", StateValue="ALARM", StateReason="broken")
        composite = cloudwatch.describe_alarms(AlarmNames=["service"], AlarmTypes=["CompositeAlarm"])[
            "CompositeAlarms"
        ][0]
        assert composite["StateValue"] == "ALARM"
        assert ":alarm:child-b transitioned to ALARM at " in composite["StateReason"]
        assert json.loads(composite["StateReasonData"])["triggeringAlarms"][0]["state"]["value"] == "ALARM"
        heard = probe.first(lambda h: isinstance(h.message, dict) and h.message.get("AlarmName") == "service")
        assert heard is not None and heard.message["AlarmRule"] == "ALARM(child-a) OR ALARM(child-b)"
        assert "Trigger" not in heard.message
        event = _events(provisioned, "CloudWatch Alarm State Change", "service")[-1]
        assert event["detail"]["configuration"] == {"alarmRule": "ALARM(child-a) OR ALARM(child-b)"}
        assert event["detail"]["previousState"]["value"] == "OK"
        history = cloudwatch.describe_alarm_history(AlarmName="service", AlarmTypes=["CompositeAlarm"])[
            "AlarmHistoryItems"
        ]
        assert history and all(item["AlarmType"] == "CompositeAlarm" for item in history)
        cloudwatch.set_alarm_state(AlarmName="child-b", StateValue="OK", StateReason="fixed")
        assert (
            cloudwatch.describe_alarms(AlarmNames=["service"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0][
                "StateValue"
            ]
            == "OK"
        )
    finally:
        cloudwatch.delete_alarms(AlarmNames=["service", "child-a", "child-b"])


@pytest.mark.parametrize(
    "rule, message",
    [
        ("ALARM(no-such-alarm)", "alarms [no-such-alarm] in the alarm rule do not exist"),
        ("ALARM(churn-staging-5xx-rate) AND", "ends too early"),
        ("alarm(churn-staging-5xx-rate)", "keywords are upper case"),
        ("ALARM(bad-composite)", "do not exist"),
    ],
)
def test_put_composite_alarm_refuses_what_aws_refuses(cloudwatch, rule, message):
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_composite_alarm(AlarmName="bad-composite", AlarmRule=rule)
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert message in raised.value.response["Error"]["Message"]


def test_statistic_values_keep_minimum_and_maximum(cloudwatch, provisioned):
    clock = provisioned.clock
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    clock.advance_to(start + timedelta(seconds=5))
    for stats in (
        {"SampleCount": 4, "Sum": 20, "Minimum": 1, "Maximum": 12},
        {"SampleCount": 1, "Sum": 3, "Minimum": 3, "Maximum": 3},
        {"SampleCount": 2, "Sum": 9, "Minimum": 2, "Maximum": 7},
    ):
        cloudwatch.put_metric_data(
            Namespace="Simulacro/Stats",
            MetricData=[{"MetricName": "Latency", "StatisticValues": stats, "Timestamp": start + timedelta(seconds=1)}],
        )
    point = cloudwatch.get_metric_statistics(
        Namespace="Simulacro/Stats",
        MetricName="Latency",
        StartTime=start,
        EndTime=start + timedelta(minutes=1),
        Period=60,
        Statistics=["Minimum", "Maximum", "Sum", "SampleCount", "Average"],
    )["Datapoints"][0]
    assert (point["Minimum"], point["Maximum"], point["Sum"], point["SampleCount"]) == (1.0, 12.0, 32.0, 7.0)
    assert point["Average"] == pytest.approx(32 / 7)


def test_a_percentile_alarm_names_its_extended_statistic_in_the_notification(cloudwatch, probe, provisioned):
    topic = f"arn:aws:sns:eu-west-1:{provisioned.account('staging')}:churn-oncall-staging"
    cloudwatch.put_metric_alarm(
        AlarmName="p99-latency",
        Namespace="Simulacro/Pct",
        MetricName="Latency",
        ExtendedStatistic="p99",
        Period=60,
        EvaluationPeriods=3,
        DatapointsToAlarm=2,
        Threshold=100,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    try:
        cloudwatch.set_alarm_state(AlarmName="p99-latency", StateValue="ALARM", StateReason="test")
        heard = probe.first(lambda h: isinstance(h.message, dict) and h.message.get("AlarmName") == "p99-latency")
        trigger = heard.message["Trigger"]
        assert trigger["StatisticType"] == "ExtendedStatistic" and trigger["ExtendedStatistic"] == "p99"
        assert "Statistic" not in trigger and trigger["DatapointsToAlarm"] == 2 and trigger["Threshold"] == 100.0
        assert trigger["Unit"] is None
    finally:
        cloudwatch.delete_alarms(AlarmNames=["p99-latency"])


def _paged(probe, name):
    for _ in range(5):
        probe.receive()
    return [h for h in probe.heard if isinstance(h.message, dict) and h.message.get("AlarmName") == name]


@pytest.fixture
def suppressed(cloudwatch, provisioned):
    """A composite on `symptom` with `maintenance` as its actions suppressor, paging the on-call topic."""
    topic = f"arn:aws:sns:eu-west-1:{provisioned.account('staging')}:churn-oncall-staging"
    for child in ("symptom", "maintenance"):
        _fresh(cloudwatch, child)
        cloudwatch.set_alarm_state(AlarmName=child, StateValue="OK", StateReason="start")

    def make(name, **suppressor):
        cloudwatch.put_composite_alarm(
            AlarmName=name,
            AlarmRule="ALARM(symptom)",
            AlarmActions=[topic],
            ActionsSuppressor="maintenance",
            **suppressor,
        )
        return name

    yield make
    for name in ("suppressed-a", "suppressed-b", "suppressed-c", "suppressed-d"):
        cloudwatch.delete_alarms(AlarmNames=[name])
    cloudwatch.delete_alarms(AlarmNames=["symptom", "maintenance"])


def _composite(cloudwatch, name):
    return cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]


def test_a_suppressor_in_alarm_holds_the_composites_actions(cloudwatch, probe, provisioned, suppressed):
    name = suppressed("suppressed-a", ActionsSuppressorWaitPeriod=60, ActionsSuppressorExtensionPeriod=60)
    cloudwatch.set_alarm_state(AlarmName="maintenance", StateValue="ALARM", StateReason="maintenance window")
    cloudwatch.set_alarm_state(AlarmName="symptom", StateValue="ALARM", StateReason="broken")
    composite = _composite(cloudwatch, name)
    assert composite["StateValue"] == "ALARM" and composite["ActionsSuppressedBy"] == "Alarm"
    assert composite["ActionsSuppressor"] == "maintenance"
    event = _events(provisioned, "CloudWatch Alarm State Change", name)[-1]
    assert event["detail"]["state"]["actionsSuppressedBy"] == "Alarm"
    assert event["detail"]["configuration"]["actionsSuppressor"] == "maintenance"
    provisioned.clock.sleep(120)
    assert _paged(probe, name) == []


def test_the_wait_period_runs_the_actions_when_the_suppressor_stays_quiet(cloudwatch, probe, provisioned, suppressed):
    name = suppressed("suppressed-b", ActionsSuppressorWaitPeriod=120, ActionsSuppressorExtensionPeriod=60)
    cloudwatch.set_alarm_state(AlarmName="symptom", StateValue="ALARM", StateReason="broken")
    assert _composite(cloudwatch, name)["ActionsSuppressedBy"] == "WaitPeriod"
    event = _events(provisioned, "CloudWatch Alarm State Change", name)[-1]
    assert event["detail"]["state"]["actionsSuppressedReason"] == "Actions suppressed by WaitPeriod"
    assert _paged(probe, name) == []
    provisioned.clock.sleep(121)
    assert len(_paged(probe, name)) == 1
    assert "ActionsSuppressedBy" not in _composite(cloudwatch, name)


def test_the_wait_period_suppresses_when_the_suppressor_alarms_in_time(cloudwatch, probe, provisioned, suppressed):
    name = suppressed("suppressed-c", ActionsSuppressorWaitPeriod=120, ActionsSuppressorExtensionPeriod=60)
    cloudwatch.set_alarm_state(AlarmName="symptom", StateValue="ALARM", StateReason="broken")
    provisioned.clock.sleep(30)
    cloudwatch.set_alarm_state(AlarmName="maintenance", StateValue="ALARM", StateReason="maintenance window")
    provisioned.clock.sleep(120)
    assert _paged(probe, name) == []
    assert _composite(cloudwatch, name)["ActionsSuppressedBy"] == "Alarm"


def test_the_extension_period_holds_actions_after_the_suppressor_clears(cloudwatch, probe, provisioned, suppressed):
    name = suppressed("suppressed-d", ActionsSuppressorWaitPeriod=0, ActionsSuppressorExtensionPeriod=300)
    cloudwatch.set_alarm_state(AlarmName="maintenance", StateValue="ALARM", StateReason="maintenance window")
    cloudwatch.set_alarm_state(AlarmName="maintenance", StateValue="OK", StateReason="over")
    provisioned.clock.sleep(60)
    cloudwatch.set_alarm_state(AlarmName="symptom", StateValue="ALARM", StateReason="broken")
    assert _composite(cloudwatch, name)["ActionsSuppressedBy"] == "ExtensionPeriod"
    assert _paged(probe, name) == []


def test_describe_alarms_lists_composites_only_when_asked_as_aws_does(cloudwatch):
    for child in ("family-a", "family-b"):
        _fresh(cloudwatch, child)
    cloudwatch.put_composite_alarm(AlarmName="family", AlarmRule="ALARM(family-a) AND NOT ALARM(family-b)")
    try:
        default = cloudwatch.describe_alarms(AlarmNamePrefix="family")
        assert [a["AlarmName"] for a in default["MetricAlarms"]] == ["family-a", "family-b"] and default[
            "CompositeAlarms"
        ] == []
        composites = cloudwatch.describe_alarms(AlarmNamePrefix="family", AlarmTypes=["CompositeAlarm"])
        assert composites["MetricAlarms"] == [] and [a["AlarmName"] for a in composites["CompositeAlarms"]] == [
            "family"
        ]
        both = cloudwatch.describe_alarms(
            AlarmNames=["family", "family-b"], AlarmTypes=["CompositeAlarm", "MetricAlarm"]
        )
        assert len(both["MetricAlarms"]) == 1 and len(both["CompositeAlarms"]) == 1
        children = cloudwatch.describe_alarms(ChildrenOfAlarmName="family")
        assert [a["AlarmName"] for a in children["MetricAlarms"]] == ["family-a", "family-b"]
        parents = cloudwatch.describe_alarms(ParentsOfAlarmName="family-b")
        assert [a["AlarmName"] for a in parents["CompositeAlarms"]] == ["family"]
        assert cloudwatch.describe_alarms(AlarmNamePrefix="family", StateValue="ALARM")["MetricAlarms"] == []
    finally:
        cloudwatch.delete_alarms(AlarmNames=["family", "family-a", "family-b"])


def test_an_alarm_a_composite_depends_on_cannot_be_deleted(cloudwatch):
    _fresh(cloudwatch, "needed")
    cloudwatch.put_composite_alarm(AlarmName="needs-it", AlarmRule="ALARM(needed)")
    try:
        with pytest.raises(ClientError) as raised:
            cloudwatch.delete_alarms(AlarmNames=["needed"])
        assert (
            raised.value.response["Error"]["Code"],
            raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
        ) == ("ResourceConflict", 409)
        assert "needs-it" in raised.value.response["Error"]["Message"]
        assert cloudwatch.describe_alarms(AlarmNames=["needed"])["MetricAlarms"]
    finally:
        cloudwatch.delete_alarms(AlarmNames=["needs-it", "needed"])


def test_a_cycle_of_composites_stops_their_evaluation(cloudwatch):
    _fresh(cloudwatch, "loop-child")
    cloudwatch.set_alarm_state(AlarmName="loop-child", StateValue="OK", StateReason="start")
    cloudwatch.put_composite_alarm(AlarmName="loop-a", AlarmRule="ALARM(loop-child)")
    cloudwatch.put_composite_alarm(AlarmName="loop-b", AlarmRule="NOT ALARM(loop-a)")
    cloudwatch.put_composite_alarm(AlarmName="loop-a", AlarmRule="ALARM(loop-child) OR ALARM(loop-b)")
    try:
        cloudwatch.set_alarm_state(
            AlarmName="loop-child", StateValue="ALARM", StateReason="flip"
        )  # returns: no endless loop
        states = {
            a["AlarmName"]: a["StateValue"]
            for a in cloudwatch.describe_alarms(AlarmNames=["loop-a", "loop-b"], AlarmTypes=["CompositeAlarm"])[
                "CompositeAlarms"
            ]
        }
        assert set(states) == {"loop-a", "loop-b"}
    finally:
        cloudwatch.put_composite_alarm(AlarmName="loop-a", AlarmRule="FALSE")
        cloudwatch.delete_alarms(AlarmNames=["loop-b"])
        cloudwatch.delete_alarms(AlarmNames=["loop-a", "loop-child"])


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
    definition = dict(
        AlarmName="errors",
        Namespace="Simulacro/Test",
        MetricName="Errors",
        Dimensions=[{"Name": "Host", "Value": "a"}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    cloudwatch.alarms[(account, "eu-west-1", "errors")] = record = AlarmRecord(
        account, "eu-west-1", definition, configured_at=start
    )

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
    assert record.reason.startswith("Threshold Crossed: 1 datapoint [12.0 (30/11/26 12:00:00)] was greater than")
    assert events[-1]["detail"]["state"]["value"] == "ALARM"
    minute(6)
    assert cloudwatch.evaluator.evaluations == 2
    store.put(key, (start + timedelta(minutes=2)).timestamp(), -20.0)  # a late sample in the judged period
    minute(7)
    assert (record.state, cloudwatch.evaluator.evaluations) == ("OK", 3)


def test_alarm_history_pages_with_a_next_token_so_a_reader_misses_nothing(local_aws):
    """More state updates than one page (100): the paginator reads them all; a made-up token is refused as AWS does."""
    from simulacro.target.local_clients import local_client

    cloudwatch = local_client(local_aws.url, "cloudwatch", "123456789012", "eu-west-1")
    for i in range(130):
        put_plain_alarm(cloudwatch, f"paged-{i}")
        cloudwatch.set_alarm_state(AlarmName=f"paged-{i}", StateValue="ALARM", StateReason="paging test")
    first = cloudwatch.describe_alarm_history(HistoryItemType="StateUpdate")
    assert len(first["AlarmHistoryItems"]) == 100 and first["NextToken"]
    pages = cloudwatch.get_paginator("describe_alarm_history").paginate(HistoryItemType="StateUpdate")
    names = [item["AlarmName"] for item in pages.search("AlarmHistoryItems[]")]
    assert sorted(names) == sorted(f"paged-{i}" for i in range(130))
    with pytest.raises(ClientError) as refused:
        cloudwatch.describe_alarm_history(NextToken="not-a-token")
    assert refused.value.response["Error"]["Code"] == "InvalidNextToken"


def test_describe_alarms_pages_fifty_at_a_time_and_refuses_what_aws_refuses(local_aws):
    """AWS answers 50 alarms a page unless MaxRecords (at most 100) says otherwise: a reader that takes only the
    first page misses the rest; a made-up token, MaxRecords over 100 and more than 100 AlarmNames are refused."""
    from simulacro.target.local_clients import local_client
    from simulacro.target.pages import every_item

    cloudwatch = local_client(local_aws.url, "cloudwatch", "123456789012", "eu-west-1", local_aws.app)
    for i in range(120):
        put_plain_alarm(cloudwatch, f"many-{i:03d}")
    first = cloudwatch.describe_alarms(AlarmNamePrefix="many-")
    assert len(first["MetricAlarms"]) == 50 and first["NextToken"]
    assert len(cloudwatch.describe_alarms(AlarmNamePrefix="many-", MaxRecords=100)["MetricAlarms"]) == 100
    every = [a["AlarmName"] for a in every_item(cloudwatch, "describe_alarms", "MetricAlarms", AlarmNamePrefix="many-")]
    assert every == [f"many-{i:03d}" for i in range(120)]
    refusals = {
        "InvalidNextToken": {"NextToken": "not-a-token"},
        "Value '999' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100": {
            "MaxRecords": 999
        },
        "at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100": {
            "AlarmNames": [f"many-{i:03d}" for i in range(101)]
        },
    }
    for expected, params in refusals.items():
        with pytest.raises(ClientError) as refused:
            cloudwatch.describe_alarms(**params)
        error = refused.value.response["Error"]
        assert expected in (error["Code"], error["Message"]) or expected in error["Message"], error
        assert error["Code"] in ("InvalidNextToken", "ValidationError"), error
