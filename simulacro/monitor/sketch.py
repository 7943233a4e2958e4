"""The quantile summary behind a numeric feature's ``distribution.kll`` in statistics.json.

We keep the documented KLL shape, ``{"buckets": [...], "sketch": {"parameters": {"c", "k"}, "data": [[...]]}}``,
and fill it deterministically: ``data`` holds one level of ``k`` mid-rank quantiles of the sorted values
(all the values when there are at most ``k``), so ``c`` is 1.0 (no compaction between levels).

Error bound: quantile ``j`` is the value of 0-based rank ``floor((2j + 1) n / 2k)``. Counting the
points at or below any ``x`` then gives ``ceil(k F(x) - 1/2) / k``, where ``F`` is the exact empirical
CDF, so the sketch CDF is within ``1/(2k)`` of ``F`` everywhere (ties included). The L-infinity
distance between two such sketches is therefore within ``1/(2k_a) + 1/(2k_b)`` of the exact
two-sample Kolmogorov-Smirnov statistic: 0.001 with the default ``k = 1024``.

Sketches written by Model Monitor itself have several levels; level ``i`` items weigh ``2**i``
(Deequ's KLL layout), and :meth:`QuantileSketch.from_kll` reads them that way.

``buckets`` are the 10 equal-width buckets between min and max that Model Monitor materialises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

SKETCH_SIZE = 1024
BUCKET_COUNT = 10


@dataclass(frozen=True)
class QuantileSketch:
    """Sorted values with the cumulative weight (rank) at each of them."""

    values: np.ndarray
    cumulative: np.ndarray

    @property
    def total(self) -> float:
        return float(self.cumulative[-1]) if len(self.cumulative) else 0.0

    @classmethod
    def from_sorted(cls, sorted_values: np.ndarray, size: int = SKETCH_SIZE) -> QuantileSketch:
        points = mid_rank_quantiles(sorted_values, size)
        return cls(points, np.arange(1, len(points) + 1, dtype=np.float64))

    @classmethod
    def from_kll(cls, kll: dict[str, Any]) -> QuantileSketch:
        """Read a statistics.json ``kll`` object: its sketch levels, or its buckets if it has no sketch."""
        levels = (kll.get("sketch") or {}).get("data") or []
        if any(len(level) for level in levels):
            values = np.concatenate([np.asarray(level, dtype=np.float64) for level in levels])
            weights = np.concatenate([np.full(len(level), 2.0**i) for i, level in enumerate(levels)])
        else:
            buckets = kll.get("buckets") or []
            values = np.array([b["upper_bound"] for b in buckets], dtype=np.float64)
            weights = np.array([b["count"] for b in buckets], dtype=np.float64)
        order = np.argsort(values, kind="stable")
        return cls(values[order], np.cumsum(weights[order]))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Share of the weight at or below each x."""
        if not self.total:
            return np.zeros(len(x))
        index = np.searchsorted(self.values, x, side="right")
        padded = np.concatenate(([0.0], self.cumulative))
        return padded[index] / self.total

    def to_document(self) -> dict[str, Any]:
        return {"parameters": {"c": 1.0, "k": len(self.values)}, "data": [self.values.tolist()]}


def mid_rank_quantiles(sorted_values: np.ndarray, size: int = SKETCH_SIZE) -> np.ndarray:
    n = len(sorted_values)
    if n <= size:
        return sorted_values.copy()
    ranks = ((2 * np.arange(size, dtype=np.int64) + 1) * n) // (2 * size)
    return sorted_values[ranks]


def linf_distance(a: QuantileSketch, b: QuantileSketch) -> float:
    """Largest absolute difference between the two CDFs (both are step functions, so checking
    every point where either one steps finds the supremum)."""
    if not a.total or not b.total:
        return 0.0
    steps = np.concatenate((a.values, b.values))
    return float(np.max(np.abs(a.cdf(steps) - b.cdf(steps))))


def equal_width_buckets(sorted_values: np.ndarray, count: int = BUCKET_COUNT) -> list[dict[str, Any]]:
    """Counts in ``count`` equal-width buckets between min and max (the last bucket includes max)."""
    if not len(sorted_values):
        return []
    low, high = float(sorted_values[0]), float(sorted_values[-1])
    if low == high:
        return [{"lower_bound": low, "upper_bound": high, "count": len(sorted_values)}]
    edges = np.linspace(low, high, count + 1)
    inner = np.searchsorted(sorted_values, edges[1:-1], side="left")
    counts = np.diff(np.concatenate(([0], inner, [len(sorted_values)])))
    return [
        {"lower_bound": float(lo), "upper_bound": float(hi), "count": int(c)}
        for lo, hi, c in zip(edges[:-1], edges[1:], counts)
    ]


def kll_distribution(sorted_values: np.ndarray, size: int = SKETCH_SIZE) -> dict[str, Any]:
    return {
        "buckets": equal_width_buckets(sorted_values),
        "sketch": QuantileSketch.from_sorted(sorted_values, size).to_document(),
    }
