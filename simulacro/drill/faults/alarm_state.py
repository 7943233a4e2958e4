"""The controlled notification test: SetAlarmState, then put the state back."""

from __future__ import annotations

from typing import Any

from .steps import Undo

REASON = "Simulacro notification drill: controlled state change, not a real incident"


def force_alarm_state(cloudwatch: Any, alarm_name: str, state: str, *, undo: Undo) -> None:
    before = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    if not before:
        raise AssertionError(f"alarm {alarm_name} does not exist: cannot test its notification")
    previous = before[0]["StateValue"]
    if previous == state:
        raise AssertionError(
            f"alarm {alarm_name} is already in {state}: setting it again changes nothing and notifies nobody"
        )

    def restore() -> None:
        # On AWS the alarm also returns to its real state at its next evaluation; we do not wait for that.
        cloudwatch.set_alarm_state(AlarmName=alarm_name, StateValue=previous, StateReason=f"{REASON} (restored)")

    undo(restore)  # before the call: putting the previous state back is right whether or not the call landed
    cloudwatch.set_alarm_state(AlarmName=alarm_name, StateValue=state, StateReason=REASON)
