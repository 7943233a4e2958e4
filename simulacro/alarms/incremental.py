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

When it does evaluate a single-metric alarm, it reuses the datapoints of the periods it already
knows from the last range if their samples did not change (the count over those periods is the
same: with samples only ever added, an equal total means every period is equal), reads only the
samples of the new periods, and computes only those: as the range slides by one period, one
period's statistic. The rules then run only if the classified datapoints (``X 0 -``, and the
low-sample flags of a percentile alarm that ignores thin periods) differ from those of the last
evaluation: the rules read nothing else.

Skipping is exact: an evaluation skipped would have given the state the alarm already has by the
same rule, so no transition, and the reason text is written only for a transition.
"""
from __future__ import annotations

from typing import Any, Hashable, Iterable, Mapping, Protocol

from .datapoints import PeriodSeries
from .definition import AlarmDefinition, parse_alarm
from .engine import AlarmResult, evaluate_alarm, judge_series
from .evaluation import datapoint_class, evaluation_range
from .few_samples import sorted_period_datapoints
from .states import ensure_state_is_valid
from .timestamps import last_period_boundary


class AlarmInputs(Protocol):
    """Where an alarm's samples come from: a cheap fingerprint, and the samples when needed."""

    def fingerprint(self, definition: AlarmDefinition, start: float, end: float) -> tuple[int, ...]:
        """One count per metric: the samples with start <= time < end (all zero: no data at all)."""

    def samples(self, definition: AlarmDefinition, start: float, end: float) -> Any:
        """The samples with start <= time < end: for a single-metric alarm `SampleColumns` sorted by
        time; for a metric-math alarm a dict of metric id -> samples, as `evaluate_alarm` takes them."""


class _Remembered:
    """What the evaluator knows of one alarm: its definition, read once, and what it last saw."""

    def __init__(self, source: Any, definition: AlarmDefinition):
        self.source = source  # the definition object as given; parsed again when another object comes
        self.definition = definition
        self.period = definition.period
        self.n_periods = evaluation_range(definition.evaluation_periods)
        self.skips_low_sample = definition.skips_low_sample_periods
        self.last_inputs: tuple | None = None  # (state after, range end or None when empty, fingerprint)
        self.last_judged: tuple | None = None  # (state after, classes, low-sample key) the rules last ran on
        self.known_start: float | None = None  # start of the last range whose datapoints are known
        self.known_counts: list[int] = []  # its sample count per period
        self.known_values: list[float] = []  # its datapoint per period (NaN: missing)
        self.known_classes: list[str] = []  # its datapoint classes (X, 0, -)


class AlarmEvaluator:
    def __init__(self) -> None:
        self._alarms: dict[Hashable, _Remembered] = {}
        self.evaluations = 0  # how many evaluations read their samples (the rest were skipped)

    def definition(self, alarm_id: Hashable, alarm: Mapping[str, Any] | AlarmDefinition) -> AlarmDefinition:
        """``alarm`` parsed, once per definition object (a new PutMetricAlarm gives a new object)."""
        return self._remembered(alarm_id, alarm).definition

    def _remembered(self, alarm_id: Hashable, alarm: Mapping[str, Any] | AlarmDefinition) -> _Remembered:
        remembered = self._alarms.get(alarm_id)
        if remembered is None or remembered.source is not alarm:
            remembered = self._alarms[alarm_id] = _Remembered(alarm, parse_alarm(alarm))
        return remembered

    def evaluate(
        self,
        alarm_id: Hashable,
        alarm: Mapping[str, Any] | AlarmDefinition,
        inputs: AlarmInputs,
        *,
        now: float,
        state: str,
    ) -> AlarmResult | None:
        """The evaluation at ``now`` (epoch seconds), or None when nothing the rules read has changed.

        ``state`` is the alarm's current state; the caller applies the result's transition, if any,
        before the next call (the next call then sees the new state and skips).
        """
        remembered = self._alarms.get(alarm_id)
        if remembered is None or remembered.source is not alarm:
            remembered = self._remembered(alarm_id, alarm)
        definition, period = remembered.definition, remembered.period
        end = last_period_boundary(now, period)
        start = end - remembered.n_periods * period
        fingerprint = inputs.fingerprint(definition, start, end)
        seen = (state, end if any(fingerprint) else None, fingerprint)
        if seen == remembered.last_inputs:
            return None
        remembered.last_inputs = seen
        self.evaluations += 1
        if definition.is_metric_math:
            result = evaluate_alarm(definition, inputs.samples(definition, start, end), now=now, previous_state=state)
        else:
            ensure_state_is_valid(state)
            self._update_periods(remembered, inputs, start, end, fingerprint[0])
            classes = remembered.known_classes
            judged = (state, tuple(classes), tuple(remembered.known_counts) if remembered.skips_low_sample else None)
            if judged == remembered.last_judged:
                return None
            series = PeriodSeries(start, period, remembered.known_values, remembered.known_counts)
            result = judge_series(definition, series, now=now, previous_state=state, classes=classes)
            remembered.last_judged = (result.state, *judged[1:])
        remembered.last_inputs = (result.state, *seen[1:])
        return result

    @staticmethod
    def _update_periods(remembered: _Remembered, inputs: AlarmInputs, start: float, end: float, total: int) -> None:
        """Bring the known datapoints to the range [start, end), reusing the periods whose samples did not change."""
        definition, period, n_periods = remembered.definition, remembered.period, remembered.n_periods
        kept = 0
        if remembered.known_start is not None:
            shift = int((start - remembered.known_start) // period)
            if 0 <= shift < n_periods:  # the range slid forward by `shift` periods: keep the others
                kept = n_periods - shift
        new_samples = inputs.samples(definition, start + kept * period, end)
        if kept and sum(remembered.known_counts[-kept:]) != total - len(new_samples.times):
            kept = 0  # a late sample reached a known period: compute them all again
            new_samples = inputs.samples(definition, start, end)
        counts, values, classes = (
            (remembered.known_counts[-kept:], remembered.known_values[-kept:], remembered.known_classes[-kept:])
            if kept else ([], [], [])
        )
        operator, threshold = definition.comparison_operator, definition.threshold
        for count, value in sorted_period_datapoints(
            definition.statistic, new_samples.times, new_samples.values,
            first_start=start, period=period, periods=range(kept, n_periods),
        ):
            counts.append(count)
            values.append(value)
            classes.append(datapoint_class(value, operator, threshold))
        remembered.known_start, remembered.known_counts = start, counts
        remembered.known_values, remembered.known_classes = values, classes

    def forget_samples_seen(self) -> None:
        """Evaluate every alarm at its next call (the sample store was emptied: counts no longer tell)."""
        for remembered in self._alarms.values():
            remembered.last_inputs = remembered.known_start = remembered.last_judged = None

    def keep_only(self, alarm_ids: Iterable[Hashable]) -> None:
        """Forget the alarms not in ``alarm_ids`` (deleted ones)."""
        wanted = set(alarm_ids)
        for alarm_id in [known for known in self._alarms if known not in wanted]:
            del self._alarms[alarm_id]

    def __len__(self) -> int:
        return len(self._alarms)
