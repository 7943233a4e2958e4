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
period's statistic. The rules read only the classified datapoints (``X 0 -``, and the low-sample
flags of a percentile alarm that ignores thin periods): their verdict on a pattern already seen is
remembered, not worked out again.

`evaluate` returns a result only for a transition, the reason text being written only then.
Skipping is exact: an evaluation skipped would have given the state the alarm already has.
"""

from __future__ import annotations

import math
from typing import Any, Hashable, Iterable, Mapping, Protocol

from .comparison import breach_test
from .datapoints import PeriodSeries
from .definition import AlarmDefinition, parse_alarm
from .engine import AlarmResult, alarm_result, evaluate_alarm, judge_datapoints
from .evaluation import BREACHING, GOOD, MISSING, Verdict, evaluation_range, low_sample_periods
from .few_samples import sorted_period_datapoints, statistic_of
from .states import ALARM_STATES, ensure_state_is_valid
from .timestamps import last_period_boundary

_VERDICTS_KEPT = 256  # patterns remembered per alarm (a few in practice; the bound is for pathological data)


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
        self.is_metric_math = definition.is_metric_math
        self.breaches = breach_test(definition.comparison_operator)
        # (state after, range end or None when empty, fingerprint)
        self.last_inputs: tuple[str, float | None, tuple[int, ...]] | None = None
        # (classes, low-sample flags) -> the rules' verdict
        self.verdicts: dict[tuple[tuple[str, ...], tuple[bool, ...] | None], Verdict] = {}
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
        """The evaluation at ``now`` (epoch seconds) if it changes the alarm's ``state``, else None.

        The caller applies the transition before the next call (which then sees the new state).
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
        self.evaluations += 1
        if remembered.is_metric_math:
            result = evaluate_alarm(definition, inputs.samples(definition, start, end), now=now, previous_state=state)
            remembered.last_inputs = (result.state, seen[1], fingerprint)
            return result if result.state != state else None
        if state not in ALARM_STATES:
            ensure_state_is_valid(state)
        self._update_periods(remembered, inputs, start, end, fingerprint[0])
        classes, counts = remembered.known_classes, remembered.known_counts
        low_sample = low_sample_periods(definition, counts) if remembered.skips_low_sample else None
        pattern = (tuple(classes), None if low_sample is None else tuple(low_sample))
        verdict = remembered.verdicts.get(pattern)
        if verdict is None:
            if len(remembered.verdicts) >= _VERDICTS_KEPT:
                remembered.verdicts.clear()
            verdict = remembered.verdicts[pattern] = judge_datapoints(definition, classes, counts)
        new_state = verdict.state or state
        remembered.last_inputs = (new_state, seen[1], fingerprint)
        if new_state == state:
            return None
        series = PeriodSeries(start, period, list(remembered.known_values), list(counts))  # copies: those slide on
        return alarm_result(definition, series, classes, verdict, now=now, previous_state=state)

    @staticmethod
    def _update_periods(remembered: _Remembered, inputs: AlarmInputs, start: float, end: float, total: int) -> None:
        """Bring the known datapoints to the range [start, end), reusing the periods whose samples did not change."""
        definition, period, n_periods = remembered.definition, remembered.period, remembered.n_periods
        counts, values, classes = remembered.known_counts, remembered.known_values, remembered.known_classes
        shift = n_periods if remembered.known_start is None else int((start - remembered.known_start) // period)
        if not 0 <= shift < n_periods:
            shift = n_periods  # nothing known overlaps this range
        del counts[:shift], values[:shift], classes[:shift]  # keep the periods the range still covers
        new_samples = inputs.samples(definition, start + len(counts) * period, end)
        if counts and sum(counts) != total - len(new_samples.times):
            for known in (counts, values, classes):  # a late sample reached a known period: all again
                known.clear()
            new_samples = inputs.samples(definition, start, end)
        kept, statistic = len(counts), definition.single_statistic
        if kept == n_periods - 1:  # the usual slide: the samples read are those of the one new period
            new_values = new_samples.values
            datapoints = [(len(new_values), statistic_of(new_values, statistic) if new_values else math.nan)]
        else:
            datapoints = sorted_period_datapoints(
                statistic,
                new_samples.times,
                new_samples.values,
                first_start=start,
                period=period,
                periods=range(kept, n_periods),
            )
        breaches, threshold = remembered.breaches, definition.threshold
        for count, value in datapoints:
            counts.append(count)
            values.append(value)
            classes.append(MISSING if value != value else BREACHING if breaches(value, threshold) else GOOD)
        remembered.known_start = start

    def forget_samples_seen(self) -> None:
        """Evaluate every alarm at its next call (the sample store was emptied: counts no longer tell)."""
        for remembered in self._alarms.values():
            remembered.last_inputs = remembered.known_start = None
            remembered.known_counts, remembered.known_values, remembered.known_classes = [], [], []

    def keep_only(self, alarm_ids: Iterable[Hashable]) -> None:
        """Forget the alarms not in ``alarm_ids`` (deleted ones)."""
        wanted = set(alarm_ids)
        for alarm_id in [known for known in self._alarms if known not in wanted]:
            del self._alarms[alarm_id]

    def __len__(self) -> int:
        return len(self._alarms)
