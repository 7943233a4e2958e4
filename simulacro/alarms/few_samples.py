"""An evaluation range with few samples, bucketed and reduced in plain Python.

One evaluation judges a handful of periods holding a few dozen samples; there numpy's cost per call
(about a microsecond, a dozen calls) outweighs the work. For ranges of at most `PLAIN_PYTHON_LIMIT`
samples this path computes each period's datapoint with the same float operations, in the same
order, as the numpy path of `simulacro.alarms.datapoints` (sums add in time order, an average is
that sum over the count, percentiles are the nearest-rank sample), so the values are bit-identical;
a test holds the two paths to that. Longer ranges, and metric math, take the numpy path.

`sorted_period_datapoints` serves an alarm evaluated again and again (`simulacro.alarms.incremental`):
it computes only the periods asked for, from time-sorted samples, so the periods already known can
be reused.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import Any

import numpy as np

from .datapoints import PeriodSeries
from .definition import AlarmDefinition
from .errors import SamplesError
from .samples import SampleColumns
from .statistics import Statistic

PLAIN_PYTHON_LIMIT = 160


def few_sample_columns(samples: Any) -> tuple[list[float], list[float]] | None:
    """(times, values) as lists when ``samples`` are columns short enough for plain Python; else None."""
    if isinstance(samples, SampleColumns):
        times, values = samples
    elif (
        isinstance(samples, tuple)
        and len(samples) == 2
        and all(isinstance(part, np.ndarray) and part.ndim == 1 for part in samples)
    ):
        times, values = samples
    else:
        return None
    if len(times) > PLAIN_PYTHON_LIMIT:  # before any conversion: a long series stays in numpy
        return None
    if isinstance(times, np.ndarray):
        times = times.tolist()
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if len(times) != len(values):
        raise SamplesError(f"samples: {len(times)} timestamps but {len(values)} values")
    try:
        values = list(map(float, values))
        times = list(map(float, times))
    except (TypeError, ValueError) as error:
        raise SamplesError(f"samples: expected numbers: {error}") from error
    if not all(map(math.isfinite, values)):
        raise SamplesError("samples: values must be finite numbers (CloudWatch rejects NaN and infinity)")
    return times, values


def few_samples_series(
    definition: AlarmDefinition, times: list[float], values: list[float], *, first_start: float, n_periods: int
) -> PeriodSeries:
    """The single-metric alarm's datapoint for each of ``n_periods`` periods from ``first_start``."""
    period = definition.period
    buckets: list[list[float]] = [[] for _ in range(n_periods)]
    for at, value in zip(times, values):
        index = math.floor((at - first_start) / period)
        if 0 <= index < n_periods:
            buckets[index].append(value)
    statistic = definition.single_statistic
    period_values = [statistic_of(bucket, statistic) if bucket else math.nan for bucket in buckets]
    return PeriodSeries(first_start, period, period_values, [len(bucket) for bucket in buckets])


def sorted_period_datapoints(
    statistic: Statistic, times: list[float], values: list[float], *, first_start: float, period: int, periods: range
) -> list[tuple[int, float]]:
    """(sample count, datapoint) of each period of ``periods`` (counted from ``first_start``), from
    time-sorted samples that hold every sample of those periods.

    A binary search at each period boundary splits the samples as the floor test of
    `few_samples_series` does: boundaries are whole seconds, so ``t - first_start`` is exact and
    ``floor((t - first_start) / period) >= k`` holds exactly when ``t >= first_start + k * period``.
    """
    bounds = [bisect_left(times, first_start + k * period) for k in range(periods.start, periods.stop + 1)]
    return [
        (hi - lo, statistic_of(values[lo:hi], statistic) if hi > lo else math.nan) for lo, hi in zip(bounds, bounds[1:])
    ]


def statistic_of(values: list[float], statistic: Statistic) -> float:
    """The statistic of one period's samples (at least one), as the numpy path computes it."""
    name = statistic.name
    p = statistic.percentile
    if p is not None:
        ordered = sorted(values)
        rank = max(-(-len(ordered) * p.numerator // p.denominator), 1)  # ceil(p * n), exactly
        return ordered[rank - 1]
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    if name == "SampleCount":
        return float(len(values))
    total = 0.0
    for value in values:  # in time order, as np.bincount adds (sum() may compensate on newer Pythons)
        total += value
    return total / len(values) if name == "Average" else total
