"""What a drill expects to observe, each expectation waited for on the target's clock and put on the timeline.

    expect.steady(alarm)                                   # OK before we start; probes listen
    expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget)
    expect.notification(alarm).arrives(within=60)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulacro.evidence import DrillRecord
from simulacro.probes import Heard, ProbeQueue, wait_for
from simulacro.provision.naming import Names
from simulacro.spec import Alarm, Stack, format_duration, parse_duration


class Expect:
    def __init__(self, stack: Stack, target: Any, record: DrillRecord, run_id: str, progress: Any = None):
        self.stack = stack
        self.target = target
        self.record = record
        self.run_id = run_id
        self.progress = progress
        self._probes: dict[str, ProbeQueue] = {}

    # --- alarms ---------------------------------------------------------------------------

    def steady(self, alarm: Alarm, *, within: Any = None) -> None:
        """The alarm is OK (waiting up to its recovery budget), and a probe listens to its ALARM topics."""
        self.listen(alarm)
        budget = parse_duration(within) if within is not None else alarm.recovery_budget
        state = wait_for(lambda: self._state(alarm) == "OK" and "OK", within=budget, clock=self.target.clock,
                         what=f"alarm {alarm.name} to be OK before the drill (steady state)", progress=self.progress)
        self.record.add(self.target.clock.now(), "steady", f"{alarm.name} is {state}")

    def alarm(self, alarm: Alarm) -> "AlarmExpectation":
        return AlarmExpectation(self, alarm)

    def notification(self, alarm: Alarm) -> "NotificationExpectation":
        if alarm.name not in self._probes:
            raise RuntimeError(f"call expect.steady({alarm.name!r}) or expect.listen() before the fault: a probe must listen first")
        return NotificationExpectation(self, alarm)

    def listen(self, alarm: Alarm) -> ProbeQueue:
        if alarm.name not in self._probes:
            probe = ProbeQueue(self.target, alarm.environment, self.run_id, f"notifications of {alarm.name}")
            names = Names(self.stack, alarm.environment, self.target.region)
            live = self._describe(alarm)
            topics = live.get("AlarmActions", []) if live else [names.topic_arn(t) for t in alarm.actions.alarm]
            for topic_arn in topics:
                probe.subscribe(topic_arn)
            self._probes[alarm.name] = probe
        return self._probes[alarm.name]

    def close(self) -> None:
        for probe in self._probes.values():
            probe.close()
        self._probes.clear()

    def _describe(self, alarm: Alarm) -> dict[str, Any] | None:
        cloudwatch = self.target.client("cloudwatch", alarm.environment)
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


@dataclass
class AlarmExpectation:
    expect: Expect
    alarm: Alarm

    def enters(self, state: str, *, within: Any) -> float:
        """Wait for the alarm to be in `state`; returns the seconds since the last injection."""
        expect, alarm = self.expect, self.alarm
        budget = parse_duration(within)
        since = expect.last_injection() if state == "ALARM" else _last_restore(expect.record) or expect.last_injection()
        expect.record.budget(f"{alarm.name} {state} budget {format_duration(budget)}", since, budget)
        try:
            wait_for(lambda: expect._state(alarm) == state, within=budget, clock=expect.target.clock,
                     what=f"alarm {alarm.name} to enter {state}", progress=expect.progress)
        except AssertionError:
            now_state = expect._state(alarm)
            expect.record.add(expect.target.clock.now(), "failure", f"{alarm.name} still {now_state}")
            raise AssertionError(
                f"alarm {alarm.name} ({alarm.environment}) did not enter {state} within {format_duration(budget)}: "
                f"it is {now_state}. Check its metric, dimensions, statistic, threshold ({alarm.comparison} {alarm.threshold}), "
                f"period ({alarm.period}s x {alarm.datapoints_to_alarm or alarm.evaluation_periods}/{alarm.evaluation_periods}) "
                f"and missing-data treatment ({alarm.treat_missing_data}) against what the fault produces."
            ) from None
        at = expect.target.clock.now()
        elapsed = (at - since).total_seconds()
        expect.record.add(at, "alarm" if state == "ALARM" else "recovered", f"{alarm.name} entered {state}",
                          after=format_duration(elapsed))
        name = "time to detect" if state == "ALARM" else "time to recover"
        floor = alarm.detection_floor if state == "ALARM" else None
        expect.record.measure(f"{name} ({alarm.name})", elapsed, budget=budget, floor=floor)
        return elapsed


@dataclass
class NotificationExpectation:
    expect: Expect
    alarm: Alarm

    def arrives(self, *, within: Any = 60, state: str = "ALARM") -> Heard:
        """A person subscribed to the alarm's topic receives CloudWatch's message for `state`."""
        expect, alarm = self.expect, self.alarm
        probe = expect._probes[alarm.name]
        since = expect.last_injection()

        def matching(heard: Heard) -> bool:
            message = heard.message
            return isinstance(message, dict) and message.get("AlarmName") == alarm.name and message.get("NewStateValue") == state

        try:
            heard = wait_for(lambda: probe.first(matching), within=parse_duration(within), clock=expect.target.clock,
                             what=f"the {state} notification of {alarm.name}", poll=1.0, progress=expect.progress)
        except AssertionError:
            got = [h.subject or str(h.message)[:80] for h in probe.heard]
            raise AssertionError(
                f"no {state} notification for alarm {alarm.name} reached its topic's subscribers within "
                f"{format_duration(parse_duration(within))} (heard: {got or 'nothing'}). Check the alarm's ALARM actions "
                f"({', '.join(alarm.actions.alarm) or 'none'}), that actions are enabled and that the topic delivers."
            ) from None
        elapsed = (heard.at - since).total_seconds()
        expect.record.add(heard.at, "notification", f"{heard.subject}", topic_subscribers="probe queue",
                          new_state=heard.message.get("NewStateValue"), old_state=heard.message.get("OldStateValue"))
        expect.record.measure(f"time to notify ({alarm.name})", elapsed, budget=parse_duration(within))
        return heard


def _last_restore(record: DrillRecord) -> datetime | None:
    restores = [e.at for e in record.entries if e.kind == "restore"]
    return restores[-1] if restores else None
