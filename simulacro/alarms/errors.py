"""The exceptions of the alarm engine: one for a bad alarm, one for bad samples."""

from __future__ import annotations

from simulacro.errors import BadInput


class AlarmInputError(BadInput):
    """The engine cannot evaluate what it was given; nothing was evaluated."""


class AlarmDefinitionError(AlarmInputError):
    """The alarm dict is not a PutMetricAlarm request this engine can evaluate."""

    def __init__(self, alarm_name: str | None, field: str, problem: str):
        self.alarm_name = alarm_name
        self.field = field
        self.problem = problem
        who = f"alarm {alarm_name!r}" if alarm_name else "alarm"
        super().__init__(f"{who}: {field}: {problem}")


class SamplesError(AlarmInputError):
    """The samples cannot be read as (timestamp, value) pairs."""
