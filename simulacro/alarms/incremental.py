"""Many alarms evaluated again and again (the emulator's every-minute loop): evaluate only what changed.

An evaluation is a function of the alarm's definition, its current state and the samples in its
evaluation range. `AlarmEvaluator` remembers, per alarm, the parsed definition (parsed again only
when another definition object is given) and what the last evaluation saw, and evaluates again only
when one of those changed:

- the definition object or the state (a SetAlarmState, a transition made elsewhere);
- the evaluation range: it moves only at a period boundary, so a 5-minute alarm checked every
  minute is evaluated once per 5 minutes; a range with no sample at all is the same wherever it
  lies (every datapoint missing), so an idle alarm is not evaluated again while it stays idle;
- the samples in the range, as told by the caller's *fingerprint* of them (the emulator gives the
  number of samples of each metric in the range: its store only ever adds samples, so within a
  fixed range an unchanged count means unchanged samples, late ones included).

Skipping is exact: the rules of `simulacro.alarms.evaluation` read nothing else, so an evaluation
skipped would have given the state the alarm already has, and no transition.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Iterable, Mapping, Protocol

from .definition import AlarmDefinition, parse_alarm
from .engine import AlarmResult, evaluate_alarm, evaluation_window


class AlarmInputs(Protocol):
    """Where an alarm's samples come from: a cheap fingerprint, and the samples when needed."""

    def fingerprint(self, definition: AlarmDefinition, start: float, end: float) -> tuple[int, ...]:
        """One count per metric: the samples with start <= time < end (all zero: no data at all)."""

    def samples(self, definition: AlarmDefinition, start: float, end: float) -> Any:
        """The samples with start <= time < end, as `evaluate_alarm` takes them."""


@dataclass
class _Remembered:
    source: Any  # the definition object as given; parsed again when another object comes
    definition: AlarmDefinition
    last_inputs: tuple | None = None  # (state after, range end or None when empty, fingerprint)


class AlarmEvaluator:
    def __init__(self) -> None:
        self._alarms: dict[Hashable, _Remembered] = {}
        self.evaluations = 0  # how many evaluations were really run (the rest were skipped)

    def definition(self, alarm_id: Hashable, alarm: Mapping[str, Any] | AlarmDefinition) -> AlarmDefinition:
        """``alarm`` parsed, once per definition object (a new PutMetricAlarm gives a new object)."""
        remembered = self._alarms.get(alarm_id)
        if remembered is None or remembered.source is not alarm:
            remembered = self._alarms[alarm_id] = _Remembered(alarm, parse_alarm(alarm))
        return remembered.definition

    def evaluate(
        self,
        alarm_id: Hashable,
        alarm: Mapping[str, Any] | AlarmDefinition,
        inputs: AlarmInputs,
        *,
        now: float,
        state: str,
    ) -> AlarmResult | None:
        """The evaluation at ``now`` (epoch seconds), or None when nothing it reads has changed.

        ``state`` is the alarm's current state; the caller applies the result's transition, if any,
        before the next call (the next call then sees the new state and skips).
        """
        definition = self.definition(alarm_id, alarm)
        remembered = self._alarms[alarm_id]
        start, end = evaluation_window(definition, now)
        fingerprint = inputs.fingerprint(definition, start, end)
        seen = (state, end if any(fingerprint) else None, fingerprint)
        if seen == remembered.last_inputs:
            return None
        result = evaluate_alarm(definition, inputs.samples(definition, start, end), now=now, previous_state=state)
        self.evaluations += 1
        remembered.last_inputs = (result.state, *seen[1:])
        return result

    def forget_samples_seen(self) -> None:
        """Evaluate every alarm at its next call (the sample store was emptied: counts no longer tell)."""
        for remembered in self._alarms.values():
            remembered.last_inputs = None

    def keep_only(self, alarm_ids: Iterable[Hashable]) -> None:
        """Forget the alarms not in ``alarm_ids`` (deleted ones)."""
        wanted = set(alarm_ids)
        for alarm_id in [known for known in self._alarms if known not in wanted]:
            del self._alarms[alarm_id]

    def __len__(self) -> int:
        return len(self._alarms)
