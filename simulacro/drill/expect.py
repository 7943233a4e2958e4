"""What a drill expects to observe, each expectation waited for on the target's clock and put on the timeline.

expect.steady(alarm)                                   # OK before we start; probes listen
expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget)
expect.notification(alarm).arrives(within=60)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from simulacro.drill.event_expectations import DeadLetterExpectation, EventExpectation, RuleListener
from simulacro.drill.probes import Heard, ProbeQueue, Subscriber, subscribers
from simulacro.evidence import DrillRecord
from simulacro.provision.naming import Names
from simulacro.provision.settle import settled
from simulacro.spec import Alarm, Endpoint, Pipeline, Rule, Stack, format_duration, parse_duration
from simulacro.target.pages import every_item
from simulacro.target.waits import wait_for

if TYPE_CHECKING:
    from simulacro.target.targets import Target


class Expect:
    def __init__(
        self,
        stack: Stack,
        target: Target,
        record: DrillRecord,
        run_id: str,
        progress: Callable[[str], None] | None = None,
        on_expected_alarm: Callable[[Alarm], None] | None = None,
    ):
        self.stack = stack
        self.target = target
        self.record = record
        self.run_id = run_id
        self.progress = progress
        # Told of every alarm the drill expects or listens to (the game-day guards widen the blast radius).
        self.on_expected_alarm = on_expected_alarm or (lambda alarm: None)
        # Per alarm: one probe per declared subscriber's delivery settings (what that subscriber would receive).
        self._probes: dict[str, list[tuple[Subscriber | None, ProbeQueue]]] = {}
        self._listeners: dict[str, RuleListener] = {}

    # --- alarms ---------------------------------------------------------------------------

    def out_of_alarm(self, alarm: Alarm, *, within: Any = None) -> str:
        """The alarm is not in ALARM (OK, or INSUFFICIENT_DATA for one without data yet), waiting up to its
        recovery budget; a probe listens to its ALARM topics. Returns the state."""
        self.listen(alarm)
        budget = parse_duration(within) if within is not None else alarm.recovery_budget

        def out_of_alarm() -> str | None:
            state = self._state(alarm)
            return state if state != "ALARM" else None

        state = wait_for(
            out_of_alarm,
            within=budget,
            clock=self.target.clock,
            what=f"alarm {alarm.name} to leave ALARM before the drill",
            progress=self.progress,
        )
        self.record.add(self.target.clock.now(), "steady", f"{alarm.name} is {state}")
        return state

    def quiet(self, environments: list[str], *, within: Any = "1h", settle: Any = "5m") -> datetime:
        """No alarm of these environments enters or sits in ALARM for `settle` (what earlier drills caused has had
        its evaluations), waiting up to `within`; returns the start of the next minute, from which a window is clean."""
        clock = self.target.clock
        deadline = clock.now().timestamp() + parse_duration(within)
        while True:
            settling_from = clock.now()
            clock.sleep(parse_duration(settle))
            noisy = self._entered_alarm(environments, settling_from) + self._in_alarm(environments)
            if not noisy:
                break
            if clock.now().timestamp() >= deadline:
                raise AssertionError(
                    f"alarms kept entering ALARM before the drill could start quiet: {', '.join(sorted(set(noisy)))}"
                )
        clock.sleep(60 - clock.now().timestamp() % 60)
        self.record.add(
            clock.now(),
            "steady",
            f"no alarm entered ALARM for {format_duration(parse_duration(settle))} in {', '.join(environments)}",
        )
        return clock.now()

    def _in_alarm(self, environments: list[str]) -> list[str]:
        return [
            a["AlarmName"]
            for env in environments
            for a in every_item(
                self.target.client("cloudwatch", env), "describe_alarms", "MetricAlarms", StateValue="ALARM"
            )
        ]

    def _entered_alarm(self, environments: list[str], since: datetime) -> list[str]:
        return [
            i["AlarmName"]
            for env in environments
            for i in every_item(
                self.target.client("cloudwatch", env),
                "describe_alarm_history",
                "AlarmHistoryItems",
                HistoryItemType="StateUpdate",
                StartDate=since,
            )
            if "to ALARM" in i["HistorySummary"] and i["Timestamp"] > since
        ]

    def steady(self, alarm: Alarm, *, within: Any = None, hold: bool = False) -> None:
        """The alarm is OK (waiting up to its recovery budget), and a probe listens to its ALARM topics.

        With `hold`, the alarm must also stay OK for its whole evaluation window (N periods) under the
        traffic already flowing: the steady state is proven under healthy load, not at one instant.
        """
        self.listen(alarm)
        budget = parse_duration(within) if within is not None else alarm.recovery_budget
        try:
            wait_for(
                lambda: self._state(alarm) == "OK",
                within=budget,
                clock=self.target.clock,
                poll=state_poll(alarm),
                what=f"alarm {alarm.name} to be OK before the drill (steady state)",
                progress=self.progress,
            )
        except AssertionError as error:
            raise AssertionError(
                f"{error}; it is {self._state(alarm)}. {describe_live(self._describe(alarm), alarm)}"
            ) from None
        if hold:
            window = alarm.evaluation_periods * alarm.period
            held_from = self.target.clock.now()
            self._hold_ok(alarm, window)
            self.record.add(
                self.target.clock.now(),
                "steady",
                f"{alarm.name} stayed OK for {format_duration(window)} of healthy traffic",
                since=held_from.isoformat(),
            )
        else:
            self.record.add(self.target.clock.now(), "steady", f"{alarm.name} is OK")

    def _hold_ok(self, alarm: Alarm, window: float) -> None:
        end = self.target.clock.now().timestamp() + window
        while self.target.clock.now().timestamp() < end:
            self.target.clock.sleep(min(alarm.period, end - self.target.clock.now().timestamp()))
            state = self._state(alarm)
            if state != "OK":
                raise AssertionError(
                    f"alarm {alarm.name} ({alarm.environment}) left OK for {state} under healthy traffic, before any fault: "
                    f"it would page for a healthy system. {describe_live(self._describe(alarm), alarm)}"
                )

    def pipeline(self, pipeline: Pipeline, execution_arn: str) -> "PipelineExpectation":
        return PipelineExpectation(self, pipeline, execution_arn)

    def endpoint_settles(self, endpoint: Endpoint, *, within: Any = "1h") -> dict[str, Any]:
        """Wait for an update of `endpoint` to end (InService or Failed); the outcome goes on the timeline."""
        sagemaker = self.target.client("sagemaker", endpoint.environment)
        described = settled(sagemaker, self.target.clock, endpoint.name, within=parse_duration(within))
        self.record.add(
            self.target.clock.now(),
            "note",
            f"endpoint {endpoint.name} {described['EndpointStatus']} on {described['EndpointConfigName']}",
            failure_reason=described.get("FailureReason"),
        )
        return described

    def alarm(self, alarm: Alarm) -> "AlarmExpectation":
        self.on_expected_alarm(alarm)
        return AlarmExpectation(self, alarm)

    def notification(self, alarm: Alarm) -> "NotificationExpectation":
        if alarm.name not in self._probes:
            raise RuntimeError(
                f"call expect.steady({alarm.name!r}) or expect.listen() before the fault: a probe must listen first"
            )
        return NotificationExpectation(self, alarm)

    def listen(self, alarm: Alarm) -> ProbeQueue:
        """Probes on the alarm's live ALARM topics, each a stand-in for one declared subscriber (same filter policy,
        same raw delivery). Returns the first probe."""
        self.on_expected_alarm(alarm)
        if alarm.name not in self._probes:
            names = Names(self.stack, alarm.environment, self.stack.region_of(alarm, self.target.region))
            live = self._describe(alarm)
            topics = live.get("AlarmActions", []) if live else [names.topic_arn(t) for t in alarm.actions.alarm]
            probes: list[tuple[Subscriber | None, ProbeQueue]] = []
            self._probes[alarm.name] = probes  # closed with the drill even when a later topic is a finding
            for topic_arn in topics:
                sns = self.target.client("sns", alarm.environment, topic_arn.split(":")[3])  # the topic's own region
                stand_ins: list[Subscriber | None] = list(_distinct(subscribers(sns, topic_arn))) or [None]
                for subscriber in stand_ins:
                    probe = ProbeQueue(self.target, alarm.environment, self.run_id, f"notifications of {alarm.name}")
                    probes.append((subscriber, probe))
                    probe.subscribe(topic_arn, subscriber.attributes if subscriber else None)
            if not probes:
                probes.append(
                    (None, ProbeQueue(self.target, alarm.environment, self.run_id, f"notifications of {alarm.name}"))
                )
        return self._probes[alarm.name][0][1]

    # --- events -----------------------------------------------------------------------------

    def listen_rule(self, rule: Rule) -> RuleListener:
        """Add a probe target to the live rule (removed when the drill ends): it hears what the rule delivers."""
        if rule.name not in self._listeners:
            self._listeners[rule.name] = RuleListener(self.target, rule, self.run_id)
        return self._listeners[rule.name]

    def event(self, rule: Rule) -> EventExpectation:
        if rule.name not in self._listeners:
            raise RuntimeError(
                f"call expect.listen_rule({rule.name!r}) before the fault: the probe target must be in place first"
            )
        return EventExpectation(self._listeners[rule.name], self.record, self.last_injection(), self.progress)

    def dead_letter(self, rule: Rule, target_id: str) -> DeadLetterExpectation:
        return DeadLetterExpectation(self.target, rule, target_id, self.record, self.last_injection(), self.progress)

    def close(self) -> None:
        for listener in self._listeners.values():
            listener.close()
        self._listeners.clear()
        for probes in self._probes.values():
            for _, probe in probes:
                probe.close()
        self._probes.clear()

    def _describe(self, alarm: Alarm) -> dict[str, Any] | None:
        cloudwatch = self.target.client(
            "cloudwatch", alarm.environment, self.stack.region_of(alarm, self.target.region)
        )
        alarms = cloudwatch.describe_alarms(AlarmNames=[alarm.name])["MetricAlarms"]
        return alarms[0] if alarms else None

    def _state(self, alarm: Alarm) -> str | None:
        live = self._describe(alarm)
        if live is None:
            raise AssertionError(f"alarm {alarm.name} does not exist in {alarm.environment}")
        return live["StateValue"]

    def last_injection(self) -> datetime:
        injections = [e.at for e in self.record.entries if e.kind == "inject"]
        return injections[-1] if injections else self.record.started


def state_poll(alarm: Alarm) -> float:
    """How often a wait reads an alarm's state: a twelfth of its period, at least 5 s. Its data comes a period at a
    time, so that is resolution enough for the times it measures, and it keeps a wait on a six-hour billing alarm to a
    few dozen reads (at 5 s, a steady state that never came cost 17,000 calls)."""
    return max(5.0, alarm.period / 12)


@dataclass
class AlarmExpectation:
    expect: Expect
    alarm: Alarm

    def enters(self, state: str, *, within: Any, since: datetime | None = None) -> float:
        """Wait for the alarm to be in `state`; returns the seconds since `since` (default: the last injection,
        or for a recovery the last restore)."""
        expect, alarm = self.expect, self.alarm
        budget = parse_duration(within)
        if since is None:
            since = expect.last_injection() if state == "ALARM" else _recovery_start(expect.record)
        expect.record.budget(f"{alarm.name} {state} budget {format_duration(budget)}", since, budget)
        remaining = max(
            0.0, budget - (expect.target.clock.now() - since).total_seconds()
        )  # the budget runs from `since`
        try:
            wait_for(
                lambda: expect._state(alarm) == state,
                within=remaining,
                clock=expect.target.clock,
                poll=state_poll(alarm),
                what=f"alarm {alarm.name} to enter {state}",
                progress=expect.progress,
            )
        except AssertionError:
            live = expect._describe(alarm)
            now_state = live["StateValue"] if live else "missing"
            expect.record.add(expect.target.clock.now(), "failure", f"{alarm.name} still {now_state}")
            raise AssertionError(
                f"alarm {alarm.name} ({alarm.environment}) did not enter {state} within {format_duration(budget)}: "
                f"it is {now_state}. {describe_live(live, alarm)}"
            ) from None
        at = expect.target.clock.now()
        elapsed = (at - since).total_seconds()
        expect.record.add(
            at,
            "alarm" if state == "ALARM" else "recovered",
            f"{alarm.name} entered {state}",
            after=format_duration(elapsed),
        )
        name = "time to detect" if state == "ALARM" else "time to recover"
        floor = alarm.detection_floor_after(since) if state == "ALARM" else None
        expect.record.measure(f"{name} ({alarm.name})", elapsed, budget=budget, floor=floor)
        return elapsed


@dataclass
class PipelineExpectation:
    expect: Expect
    pipeline: Pipeline
    execution_arn: str

    def ends(self, status: str, *, within: Any = None) -> dict[str, Any]:
        """Wait for the execution to end; assert it ended `status`. Returns the execution and its failed steps."""
        expect = self.expect
        sagemaker = expect.target.client("sagemaker", self.pipeline.environment)
        budget = parse_duration(within) if within is not None else sum(s.duration for s in self.pipeline.steps) + 600

        def ended() -> dict[str, Any] | None:
            described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=self.execution_arn)
            return described if described["PipelineExecutionStatus"] in ("Succeeded", "Failed", "Stopped") else None

        # The failure time comes from the steps' EndTime, so a coarse poll loses no precision.
        described = wait_for(
            ended,
            within=budget,
            clock=expect.target.clock,
            poll=30,
            what=f"execution of pipeline {self.pipeline.name} to end",
            progress=expect.progress,
        )
        steps = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=self.execution_arn)[
            "PipelineExecutionSteps"
        ]
        failed = [s for s in steps if s["StepStatus"] == "Failed"]
        ended_at = max((s["EndTime"] for s in failed), default=described.get("LastModifiedTime"))
        actual = described["PipelineExecutionStatus"]
        label = f"execution of {self.pipeline.name} {actual}" + "".join(
            f"; step {s['StepName']} failed: {s.get('FailureReason', '')}" for s in failed
        )
        expect.record.add(
            expect.target.clock.now(), "note" if actual == status else "failure", label, execution=self.execution_arn
        )
        assert actual == status, f"pipeline execution {self.execution_arn} ended {actual}, expected {status}: {label}"
        return {"execution": described, "failed_steps": failed, "failed_at": ended_at}


@dataclass
class NotificationExpectation:
    expect: Expect
    alarm: Alarm

    def arrives(self, *, within: Any = 60, state: str = "ALARM") -> Heard:
        """Every subscriber of the alarm's topic receives CloudWatch's message for `state`: each probe stands in
        for one subscriber with its filter policy and raw delivery, so a subscriber that would miss it fails."""
        expect, alarm = self.expect, self.alarm
        probes = expect._probes[alarm.name]
        since = _last(expect.record, "alarm") or expect.last_injection()

        def matching(heard: Heard) -> bool:
            message = heard.message
            return (
                isinstance(message, dict)
                and message.get("AlarmName") == alarm.name
                and message.get("NewStateValue") == state
            )

        first: Heard | None = None
        budget = parse_duration(within)
        for subscriber, probe in probes:
            try:
                heard = wait_for(
                    functools.partial(probe.first, matching),
                    within=max(1.0, budget - (expect.target.clock.now() - since).total_seconds()),
                    clock=expect.target.clock,
                    what=f"the {state} notification of {alarm.name}",
                    poll=1.0,
                    progress=expect.progress,
                )
            except AssertionError:
                metrics = (
                    ""
                    if subscriber is None
                    else _sns_delivery_metrics(expect.target, alarm.environment, subscriber.topic_arn, since)
                )
                raise AssertionError(
                    _not_notified(alarm, state, within, subscriber, probe, expect._describe(alarm)) + metrics
                ) from None
            first = first or heard
        assert first is not None
        elapsed = (first.at - since).total_seconds()
        expect.record.add(
            first.at,
            "notification",
            f"{first.subject or alarm.name}",
            topic_subscribers=", ".join(s.label for s, _ in probes if s) or "probe queue",
            new_state=first.message.get("NewStateValue"),
            old_state=first.message.get("OldStateValue"),
        )
        expect.record.measure(f"time to notify ({alarm.name})", elapsed, budget=budget)
        return first


def _not_notified(
    alarm: Alarm, state: str, within: Any, subscriber: Subscriber | None, probe: ProbeQueue, live: dict[str, Any] | None
) -> str:
    got = [h.subject or str(h.message)[:80] for h in probe.heard]
    who = "its topic's subscribers"
    detail = ""
    if subscriber is not None:
        who = f"subscriber {subscriber.label} of topic {subscriber.topic_arn.rsplit(':', 1)[-1]}"
        if subscriber.attributes:
            detail = f" The probe copied that subscriber's delivery settings {subscriber.attributes}: check its filter policy against CloudWatch's message."
    return (
        f"no {state} notification for alarm {alarm.name} reached {who} within {format_duration(parse_duration(within))} "
        f"(heard: {got or 'nothing'}). {_actions_hint(live, alarm, state)} The topic must deliver too: its key lets "
        f"CloudWatch publish, its policy allows cloudwatch.amazonaws.com.{detail}"
    )


SNS_DELIVERY_METRICS = (
    "NumberOfNotificationsDelivered",
    "NumberOfNotificationsFailed",
    "NumberOfNotificationsFilteredOut",
    "NumberOfNotificationsFilteredOut-MessageAttributes",
    "NumberOfNotificationsFilteredOut-MessageBody",
)


def _sns_delivery_metrics(target: Target, environment: str, topic_arn: str, since: datetime) -> str:
    """On real AWS, the topic's own delivery metrics since `since` (what happened to the real subscribers' copies)."""
    if getattr(target.clock, "virtual", True):
        return ""  # the local AWS records deliveries itself; these metrics are AWS's

    try:
        cloudwatch = target.client("cloudwatch", environment)
        sums = {}
        for name in SNS_DELIVERY_METRICS:
            points = cloudwatch.get_metric_statistics(
                Namespace="AWS/SNS",
                MetricName=name,
                Dimensions=[{"Name": "TopicName", "Value": topic_arn.rsplit(":", 1)[-1]}],
                StartTime=since.replace(second=0, microsecond=0),
                EndTime=target.clock.now() + timedelta(minutes=1),
                Period=60,
                Statistics=["Sum"],
            )["Datapoints"]
            sums[name] = sum(p["Sum"] for p in points)
    except Exception as error:  # noqa: BLE001 - the metrics only enrich the message
        return f" (AWS/SNS delivery metrics unreadable: {type(error).__name__})"
    return " AWS/SNS since the fault: " + ", ".join(f"{k} {v:g}" for k, v in sums.items()) + "."


def _distinct(found: list[Subscriber]) -> list[Subscriber]:
    """One stand-in per distinct delivery setting: subscribers that receive the same need one probe."""
    seen, kept = set(), []
    for subscriber in found:
        key = tuple(sorted(subscriber.attributes.items()))
        if key not in seen:
            seen.add(key)
            kept.append(subscriber)
    return kept


def _actions_hint(live: dict[str, Any] | None, alarm: Alarm, state: str) -> str:
    key, field = {
        "ALARM": ("AlarmActions", "alarm"),
        "OK": ("OKActions", "ok"),
        "INSUFFICIENT_DATA": ("InsufficientDataActions", "insufficient_data"),
    }[state]
    declared = ", ".join(getattr(alarm.actions, field)) or "none"
    if live is not None and not live.get(key):
        return f"The live alarm has no {state} actions, so it pages nobody (the spec declares: {declared}): provision it again."
    return f"Check the alarm's {state} actions ({declared}), that actions are enabled and that the topic delivers."


def describe_live(live: dict[str, Any] | None, alarm: Alarm) -> str:
    """The live alarm in one line, and where it differs from the spec: what the operator checks first."""
    if live is None:
        return "The alarm does not exist live."
    if live.get("Metrics"):
        metric = " ".join(
            q.get("Expression")
            or f"{q['Id']}={q['MetricStat']['Metric']['Namespace']}/{q['MetricStat']['Metric']['MetricName']}"
            f"{_dims(q['MetricStat']['Metric'].get('Dimensions'))}"
            for q in live["Metrics"]
        )
        period = next((q["MetricStat"]["Period"] for q in live["Metrics"] if "MetricStat" in q), None)
    else:
        statistic = live.get("ExtendedStatistic") or live.get("Statistic")
        metric = f"{statistic} {live.get('Namespace')}/{live.get('MetricName')}{_dims(live.get('Dimensions'))}"
        period = live.get("Period")
    m = live.get("DatapointsToAlarm") or live["EvaluationPeriods"]
    text = (
        f"Live: {metric}, {live['ComparisonOperator']} {live.get('Threshold')}, {m} of {live['EvaluationPeriods']} x "
        f"{period}s, missing data {live.get('TreatMissingData', 'missing')}."
    )
    wanted = alarm.to_put_metric_alarm(lambda name: name)
    differs: list[str] = [
        key
        for key in (
            "Namespace",
            "MetricName",
            "Dimensions",
            "Statistic",
            "ExtendedStatistic",
            "Period",
            "Threshold",
            "ComparisonOperator",
            "EvaluationPeriods",
            "DatapointsToAlarm",
            "TreatMissingData",
        )
        if key in wanted and _norm(live.get(key)) != _norm(wanted.get(key))
    ]
    if alarm.metric is None and [q.get("Expression") for q in live.get("Metrics", [])] != [
        q.get("Expression") for q in wanted["Metrics"]
    ]:
        differs.append("Metrics")
    return text + (
        f" Differs from the spec in: {', '.join(differs)}."
        if differs
        else " It matches the spec: check what the fault produces against the alarm's definition."
    )


def _dims(dimensions: Any) -> str:
    return "[" + ",".join(f"{d['Name']}={d['Value']}" for d in dimensions or []) + "]"


def _norm(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return sorted((d.get("Name"), d.get("Value")) for d in value) if value and isinstance(value[0], dict) else value
    return value


def _last(record: DrillRecord, kind: str) -> datetime | None:
    moments = [e.at for e in record.entries if e.kind == kind]
    return moments[-1] if moments else None


def _recovery_start(record: DrillRecord) -> datetime:
    """Recovery runs from the fault's removal; a fault that ends by itself (a failed execution) from the ALARM."""
    restored, alarmed = _last(record, "restore"), _last(record, "alarm")
    if restored is not None and (alarmed is None or restored >= alarmed):
        return restored
    return alarmed or record.started
