"""The three states of a CloudWatch metric alarm."""

from __future__ import annotations

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
ALARM_STATES = (OK, ALARM, INSUFFICIENT_DATA)


def ensure_state_is_valid(state: str) -> str:
    if state not in ALARM_STATES:
        raise ValueError(f"alarm state {state!r} is not one of {', '.join(ALARM_STATES)}")
    return state
