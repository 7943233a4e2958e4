"""How CloudWatch turns the datapoints of its evaluation range into a state (AWS-FACTS.md section 3).

Datapoints are classified with the notation of AWS's worked examples: ``X`` breaching, ``0`` good,
``-`` missing. Within the evaluation range (oldest first):

1. At least N real datapoints: judge the N newest real ones; ALARM if at least M breach, else OK.
   ``TreatMissingData`` plays no part (this also covers "nothing missing").
2. Fewer than N real datapoints: every real datapoint in the range counts, and the gap up to N is
   filled as ``TreatMissingData`` says:
   - ``breaching`` / ``notBreaching`` fill the gap with breaching / good datapoints, then M of N;
   - ``missing`` / ``ignore`` fill nothing: ALARM if the real breaching datapoints reach M; else OK
     if any real datapoint is good; else (only breaching, fewer than M) the premature-alarm rule
     decides for ``missing``, and otherwise the alarm keeps its state; with no real datapoint at
     all, ``missing`` gives INSUFFICIENT_DATA and ``ignore`` keeps the state.
3. Premature-alarm rule (``missing`` only): if the oldest breaching datapoint within the last N
   periods is at least M periods old (the newest period being 1 period old) and nothing newer is
   good, ALARM. So with M = 3, ``- - - - X`` and ``- - - X -`` wait, ``- - X - -`` alarms.
4. Percentile alarms with ``EvaluateLowSampleCountPercentile: ignore``: if a judged datapoint has too
   few samples, the alarm keeps its state.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from .comparison import breach_test, breaches
from .definition import AlarmDefinition
from .states import ALARM, INSUFFICIENT_DATA, OK

BREACHING, GOOD, MISSING = "X", "0", "-"

NEWEST_REAL = "newest real datapoints"
FILLED = "missing datapoints filled"
REAL_ONLY = "real datapoints only"
PREMATURE_ALARM = "premature-alarm rule"
TOO_FEW_BREACHING = "too few breaching datapoints to decide"
NO_DATA = "no datapoints"
LOW_SAMPLE = "low sample count"


def evaluation_range(evaluation_periods: int) -> int:
    """How many periods CloudWatch retrieves to evaluate an alarm of N evaluation periods: N + 2.

    AWS publishes one point only: 5 periods when N is 3. N + 2 matches it, is always wider than N
    (AWS: CloudWatch "attempts to retrieve a higher number of data points than Evaluation
    Periods"), and is consistent with what users report for N = 1: a 1-of-1 alarm treating missing
    data as breaching goes to ALARM only after about three empty periods.
    """
    return evaluation_periods + 2


class Verdict(NamedTuple):  # a NamedTuple: built at every evaluation, and cheaper than a frozen dataclass
    state: str | None  # None: the alarm keeps its current state
    rule: str  # which of the rules above decided
    judged: tuple[int, ...] = ()  # window positions of the real datapoints that were judged
    filled: int = 0  # missing datapoints counted as TreatMissingData says


def judge_window(
    classes: Sequence[str],
    *,
    evaluation_periods: int,
    datapoints_to_alarm: int,
    treat_missing_data: str = "missing",
    low_sample: Sequence[bool] | np.ndarray | None = None,
) -> Verdict:
    """The verdict on an evaluation range of classified datapoints (oldest first)."""
    n, m = evaluation_periods, datapoints_to_alarm
    real: Sequence[int]
    if MISSING not in classes and len(classes) >= n:  # the common case, without listing positions one by one
        real = range(len(classes))
    else:
        real = [position for position, kind in enumerate(classes) if kind != MISSING]
    if len(real) >= n:
        verdict = _m_of_n(classes, tuple(real[-n:]), m)
    else:
        verdict = _with_fewer_than_n_real(classes, tuple(real), n, m, treat_missing_data)
    if low_sample is not None and any(low_sample[position] for position in verdict.judged):
        return Verdict(None, LOW_SAMPLE, verdict.judged, verdict.filled)
    return verdict


def _m_of_n(classes: Sequence[str], judged: tuple[int, ...], m: int) -> Verdict:
    breaching = [classes[position] for position in judged].count(BREACHING)
    return Verdict(ALARM if breaching >= m else OK, NEWEST_REAL, judged)


def _with_fewer_than_n_real(
    classes: Sequence[str], real: tuple[int, ...], n: int, m: int, treat_missing_data: str
) -> Verdict:
    breaching = [classes[position] for position in real].count(BREACHING)
    gap = n - len(real)
    if treat_missing_data == "breaching":
        return Verdict(ALARM if breaching + gap >= m else OK, FILLED, real, gap)
    if treat_missing_data == "notBreaching":
        return Verdict(ALARM if breaching >= m else OK, FILLED, real, gap)
    if not real:
        return Verdict(INSUFFICIENT_DATA if treat_missing_data == "missing" else None, NO_DATA)
    if breaching >= m:
        return Verdict(ALARM, REAL_ONLY, real)
    if breaching < len(real):
        return Verdict(OK, REAL_ONLY, real)
    if treat_missing_data == "missing" and _oldest_breach_is_old_enough(classes, n, m):
        return Verdict(ALARM, PREMATURE_ALARM, real)
    return Verdict(None, TOO_FEW_BREACHING, real)


def _oldest_breach_is_old_enough(classes: Sequence[str], n: int, m: int) -> bool:
    last_n = list(classes[-n:])
    if BREACHING not in last_n:
        return False
    oldest = last_n.index(BREACHING)
    age_in_periods = len(last_n) - oldest
    return age_in_periods >= m and GOOD not in last_n[oldest:]


def datapoint_classes(values: np.ndarray | list[float], comparison_operator: str, threshold: float) -> list[str]:
    """``X``, ``0`` or ``-`` for each period value (NaN: missing)."""
    if isinstance(values, list):  # a few periods: plain comparisons beat numpy's per-call cost
        test = breach_test(comparison_operator)
        return [MISSING if value != value else BREACHING if test(value, threshold) else GOOD for value in values]
    breaching = breaches(values, comparison_operator, threshold)
    missing = np.isnan(values)
    return [MISSING if gap else BREACHING if bad else GOOD for gap, bad in zip(missing, breaching)]


def low_sample_periods(
    definition: AlarmDefinition, sample_counts: np.ndarray | list[int] | None
) -> np.ndarray | list[bool] | None:
    """Which periods are too thin to judge, for a percentile alarm that ignores them; else None."""
    minimum = definition.low_sample_minimum
    if sample_counts is None or minimum is None:
        return None
    if isinstance(sample_counts, list):
        return [0 < count < minimum for count in sample_counts]
    return (sample_counts > 0) & (sample_counts < minimum)
