"""Per-period statistics: SampleCount, Sum, Average, Minimum, Maximum and percentiles ``pNN(.N)``.

Percentiles use the nearest-rank method: the p-th percentile of n samples is the k-th smallest
sample with k = ceil(p * n) (at least 1), computed in exact rational arithmetic. It always returns
a value that was really published, as CloudWatch does for raw (non-statistic-set) data, and it
is numpy's ``inverted_cdf`` method.

Everything here works on whole arrays so that one call computes every period of a series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

STANDARD_STATISTICS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0+)?)$")


@dataclass(frozen=True)
class Statistic:
    name: str
    percentile: Fraction | None = None  # 0.999 for p99.9; None for the standard statistics

    @property
    def is_percentile(self) -> bool:
        return self.percentile is not None

    @property
    def minimum_samples(self) -> int | None:
        """Fewer samples than this make a period "low sample" (EvaluateLowSampleCountPercentile).

        AWS: below 10/(1-p) samples for 0.5 <= p < 1, below 10/p samples for 0 < p < 0.5.
        """
        p = self.percentile
        if p is None or p <= 0 or p >= 1:
            return None
        bound = 10 / (1 - p) if p >= Fraction(1, 2) else 10 / p
        return -(-bound.numerator // bound.denominator)  # ceil, exactly


def parse_statistic(name: str) -> Statistic:
    if name in STANDARD_STATISTICS:
        return Statistic(name)
    match = _PERCENTILE.match(name) if isinstance(name, str) else None
    if not match:
        raise ValueError(
            f"{name!r} is not a statistic this engine knows: use one of {', '.join(STANDARD_STATISTICS)} "
            "or a percentile such as p90, p99, p99.9"
        )
    return Statistic(name, Fraction(match.group(1)) / 100)


def per_period_statistic(
    period_index: np.ndarray, values: np.ndarray, n_periods: int, statistic: Statistic
) -> tuple[np.ndarray, np.ndarray]:
    """The statistic of each period, NaN where a period has no sample, and each period's sample count.

    ``period_index`` gives, for each sample, its period in ``range(n_periods)``.
    """
    counts = np.bincount(period_index, minlength=n_periods)
    empty = counts == 0
    if statistic.percentile is not None:
        result = _nearest_rank_percentile(period_index, values, counts, statistic.percentile)
    else:
        result = _STANDARD[statistic.name](period_index, values, counts, n_periods)
    result[empty] = np.nan
    return result, counts


def _sum(index: np.ndarray, values: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    # bincount adds in input order, so a subset of the samples gives bit-identical sums per period.
    return np.bincount(index, weights=values, minlength=n).astype(float, copy=False)


def _average(index: np.ndarray, values: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        averages: np.ndarray = _sum(index, values, counts, n) / counts
    return averages


def _minimum(index: np.ndarray, values: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    result = np.full(n, np.inf)
    np.minimum.at(result, index, values)
    return result


def _maximum(index: np.ndarray, values: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    result = np.full(n, -np.inf)
    np.maximum.at(result, index, values)
    return result


def _sample_count(index: np.ndarray, values: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    return counts.astype(float)


_STANDARD = {
    "SampleCount": _sample_count,
    "Sum": _sum,
    "Average": _average,
    "Minimum": _minimum,
    "Maximum": _maximum,
}


def _nearest_rank_percentile(
    index: np.ndarray, values: np.ndarray, counts: np.ndarray, percentile: Fraction
) -> np.ndarray:
    # Complex numbers sort by real then imaginary part: one exact sort by (period, value), several
    # times faster than np.lexsort, and faster still ("stable" is timsort) on time-ordered samples.
    keys = np.empty(len(values), dtype=complex)
    keys.real, keys.imag = index, values
    keys.sort(kind="stable")
    ordered = keys.imag
    first_of_period = np.cumsum(counts) - counts
    rank = -(-counts * percentile.numerator // percentile.denominator)  # ceil(p * n), exactly
    rank = np.maximum(rank, 1)
    result = np.full(len(counts), np.nan)
    present = counts > 0
    result[present] = ordered[first_of_period[present] + rank[present] - 1]
    return result
