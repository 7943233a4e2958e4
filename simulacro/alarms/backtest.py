"""Replay an alarm over a long series at every period end, vectorised, for threshold calibration.

`backtest` gives exactly the states `evaluate_alarm` would give if called at each period end in
turn (a test holds it to that), but it buckets the samples and computes the per-period statistic
once, then applies the rules of `simulacro.alarms.evaluation` to every evaluation range at once with
prefix sums. Only "keep the current state" is sequential, and that is a forward fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Mapping

import numpy as np

from .comparison import breaches
from .datapoints import alarm_period_series
from .definition import AlarmDefinition, parse_alarm
from .evaluation import evaluation_range, low_sample_periods
from .states import ALARM, ALARM_STATES, INSUFFICIENT_DATA, OK, ensure_state_is_valid
from .timestamps import Instant, first_period_boundary, last_period_boundary, to_datetime, to_epoch_seconds

_KEEP = -1
_CODE = {state: code for code, state in enumerate(ALARM_STATES)}


@dataclass(frozen=True)
class Transition:
    time: datetime
    from_state: str
    to_state: str


@dataclass(frozen=True)
class BacktestResult:
    evaluation_times: np.ndarray  # epoch seconds of each evaluation (each period end in [start, end])
    state_codes: np.ndarray  # index into ALARM_STATES of the state after each evaluation
    previous_state: str  # the state before the first evaluation
    end: float  # epoch seconds; the last state holds until then

    @property
    def evaluations(self) -> int:
        return len(self.evaluation_times)

    @property
    def states(self) -> list[str]:
        return [ALARM_STATES[code] for code in self.state_codes]

    @cached_property
    def transitions(self) -> tuple[Transition, ...]:
        before = self._states_before()
        return tuple(
            Transition(
                to_datetime(self.evaluation_times[i]), ALARM_STATES[before[i]], ALARM_STATES[self.state_codes[i]]
            )
            for i in np.flatnonzero(self.state_codes != before)
        )

    @property
    def alarm_entries(self) -> int:
        """How many times the alarm went into ALARM."""
        in_alarm = self.state_codes == _CODE[ALARM]
        return int(np.count_nonzero(in_alarm & (self._states_before() != _CODE[ALARM])))

    @property
    def seconds_in_alarm(self) -> float:
        """Each state holds from its evaluation until the next one, the last until ``end``."""
        held = np.diff(np.append(self.evaluation_times, self.end))
        return float(held[self.state_codes == _CODE[ALARM]].sum())

    @property
    def time_in_alarm(self) -> timedelta:
        return timedelta(seconds=self.seconds_in_alarm)

    @property
    def seconds_observed(self) -> float:
        """From the first evaluation to ``end``."""
        return float(self.end - self.evaluation_times[0]) if self.evaluations else 0.0

    @property
    def fraction_in_alarm(self) -> float:
        return self.seconds_in_alarm / self.seconds_observed if self.seconds_observed else 0.0

    def _states_before(self) -> np.ndarray:
        return np.concatenate(([_CODE[self.previous_state]], self.state_codes[:-1])).astype(np.int8)


def backtest(
    alarm: Mapping[str, Any] | AlarmDefinition,
    samples: Any,
    *,
    start: Instant,
    end: Instant,
    previous_state: str = INSUFFICIENT_DATA,
) -> BacktestResult:
    """Evaluate ``alarm`` at every period end in [start, end], starting from ``previous_state``.

    ``samples`` as for `evaluate_alarm`; a pair of numpy arrays (timestamps, values) is fastest.
    """
    definition = parse_alarm(alarm)
    ensure_state_is_valid(previous_state)
    end_seconds = to_epoch_seconds(end)
    period, range_length = definition.period, evaluation_range(definition.evaluation_periods)
    first_end = first_period_boundary(to_epoch_seconds(start), period)
    steps = max(0, int((last_period_boundary(end_seconds, period) - first_end) // period) + 1)
    times = first_end + period * np.arange(steps, dtype=float)
    codes = np.empty(0, dtype=np.int8)
    if steps:
        series = alarm_period_series(
            definition, samples, first_start=first_end - range_length * period, n_periods=steps + range_length - 1
        )
        low = low_sample_periods(definition, series.sample_counts)
        values, low_flags = np.asarray(series.values), None if low is None else np.asarray(low)  # arrays already
        codes = _carry_kept_states(_verdicts(definition, values, low_flags, steps), _CODE[previous_state])
    return BacktestResult(times, codes, previous_state, end_seconds)


def _verdicts(definition: AlarmDefinition, values: np.ndarray, low: np.ndarray | None, steps: int) -> np.ndarray:
    """The verdict code of each evaluation (or _KEEP); evaluation k judges periods k .. k + range - 1."""
    n, m = definition.evaluation_periods, definition.datapoints_to_alarm
    windows = _Windows(evaluation_range(n), steps)
    real = ~np.isnan(values)
    breaching = breaches(values, definition.comparison_operator, definition.threshold)
    real_prefix, breaching_prefix = _prefix_sums(real), _prefix_sums(breaching)

    real_in_range = windows.count(real_prefix)
    breaching_in_range = windows.count(breaching_prefix)
    enough_real = real_in_range >= n
    newest_real = _NewestReal(real, real_prefix, windows, n)
    verdict = np.where(
        enough_real,
        np.where(newest_real.count(breaching) >= m, _CODE[ALARM], _CODE[OK]),
        _fewer_than_n_real_verdict(definition, real_prefix, real_in_range, breaching_in_range, windows),
    )
    if low is not None:
        low_judged = np.where(enough_real, newest_real.count(low), windows.count(_prefix_sums(low)))
        verdict = np.where(low_judged > 0, _KEEP, verdict)
    return verdict


def _fewer_than_n_real_verdict(
    definition: AlarmDefinition,
    real_prefix: np.ndarray,
    real_in_range: np.ndarray,
    breaching_in_range: np.ndarray,
    windows: _Windows,
) -> np.ndarray:
    n, m = definition.evaluation_periods, definition.datapoints_to_alarm
    treat = definition.treat_missing_data
    if treat == "breaching":
        return np.where(breaching_in_range + (n - real_in_range) >= m, _CODE[ALARM], _CODE[OK])
    if treat == "notBreaching":
        return np.where(breaching_in_range >= m, _CODE[ALARM], _CODE[OK])
    verdict = np.full(len(real_in_range), _KEEP)
    if treat == "missing":
        # Premature-alarm rule: a real datapoint (all are breaching wherever this verdict stands)
        # M to N periods old, the newest period being 1 period old.
        old_enough = windows.count(real_prefix, skip_newest=m - 1, length=n - m + 1) > 0
        verdict = np.where(old_enough, _CODE[ALARM], _KEEP)
    verdict = np.where(real_in_range > breaching_in_range, _CODE[OK], verdict)
    verdict = np.where(breaching_in_range >= m, _CODE[ALARM], verdict)
    no_data = _CODE[INSUFFICIENT_DATA] if treat == "missing" else _KEEP
    return np.where(real_in_range == 0, no_data, verdict)


class _Windows:
    """Per evaluation, how many periods of its range (or of a part of it) carry a flag.

    Evaluation k judges periods k .. k + range - 1, so its counts are differences of prefix sums
    taken as two shifted slices.
    """

    def __init__(self, range_length: int, steps: int):
        self.range_length = range_length
        self.steps = steps

    def count(self, prefix: np.ndarray, *, skip_newest: int = 0, length: int | None = None) -> np.ndarray:
        """Flags over ``length`` periods (default: the whole range), leaving out the ``skip_newest`` newest."""
        length = self.range_length if length is None else length
        end = self.range_length - skip_newest  # prefix index just past the newest period counted
        counts: np.ndarray = prefix[end : end + self.steps] - prefix[end - length : end - length + self.steps]
        return counts

    def up_to_newest(self, prefix: np.ndarray) -> np.ndarray:
        """Flags from the first period up to each evaluation's newest period."""
        return prefix[self.range_length : self.range_length + self.steps]


class _NewestReal:
    """Per evaluation, counts over its N newest real datapoints (when the range holds at least N)."""

    def __init__(self, real: np.ndarray, real_prefix: np.ndarray, windows: _Windows, n: int):
        self.real = real
        self.reals_up_to_newest = windows.up_to_newest(real_prefix)
        self.oldest_judged = np.maximum(self.reals_up_to_newest - n, 0)

    def count(self, flags: np.ndarray) -> np.ndarray:
        flags_of_reals = _prefix_sums(flags[self.real])
        counts: np.ndarray = flags_of_reals[self.reals_up_to_newest] - flags_of_reals[self.oldest_judged]
        return counts


def _prefix_sums(flags: np.ndarray) -> np.ndarray:
    prefix = np.zeros(len(flags) + 1, dtype=np.int64)
    np.cumsum(flags, out=prefix[1:])
    return prefix


def _carry_kept_states(verdicts: np.ndarray, initial_code: int) -> np.ndarray:
    decided = verdicts != _KEEP
    last_decided = np.maximum.accumulate(np.where(decided, np.arange(len(verdicts)), -1))
    return np.where(last_decided >= 0, verdicts[np.maximum(last_decided, 0)], initial_code).astype(np.int8)
