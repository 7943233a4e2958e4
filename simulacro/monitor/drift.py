"""Baseline drift distance: L-infinity between the baseline and the current distribution.

Numeric features: the largest absolute difference between the two CDFs, read from the baseline's
``kll`` sketch and a sketch of the current values (the two-sample Kolmogorov-Smirnov statistic, to
within ``1/k``; see :mod:`simulacro.monitor.sketch`).

Categorical features (``categorical_drift_method`` LInfinity): the largest absolute difference
between the two frequency tables, over the union of categories, each frequency being a count over
the feature's present values. Not cumulative: categories have no order, and this is what Deequ's
``categoricalLInfinityDistance`` (the library under Model Monitor's container) computes.

Robust (``comparison_method``): ``max(0, distance - 1.8 * sqrt((n + m) / (n m)))`` with ``n``, ``m``
the baseline and current sample sizes (Deequ's default c(alpha) = 1.8, alpha about 0.003).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulacro.monitor.sketch import SKETCH_SIZE, QuantileSketch, linf_distance
from simulacro.monitor.types import TypedColumn

ROBUST_C_ALPHA = 1.8


def numeric_distance(baseline_numerical: dict[str, Any], current: TypedColumn, sketch_size: int = SKETCH_SIZE) -> float:
    kll = (baseline_numerical.get("distribution") or {}).get("kll") or {}
    baseline = QuantileSketch.from_kll(kll)
    return linf_distance(baseline, QuantileSketch.from_sorted(current.sorted_numbers, sketch_size))


def categorical_distance(baseline_string: dict[str, Any], current: TypedColumn) -> float:
    baseline_values, baseline_counts = _bucket_counts(baseline_string)
    current_values, current_counts = current.text_counts
    n = baseline_string["common"]["num_present"]
    m = current.num_present
    if not n or not m:
        return 0.0
    categories, index = np.unique(np.concatenate((baseline_values, current_values)), return_inverse=True)
    baseline_share = np.bincount(index[: len(baseline_values)], weights=baseline_counts, minlength=len(categories))
    current_share = np.bincount(index[len(baseline_values) :], weights=current_counts, minlength=len(categories))
    return float(np.max(np.abs(baseline_share / n - current_share / m)))


def robust_distance(distance: float, n: int, m: int) -> float:
    if not n or not m:
        return distance
    return max(0.0, distance - ROBUST_C_ALPHA * math.sqrt((n + m) / (n * m)))


def _bucket_counts(string_statistics: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    buckets = ((string_statistics.get("distribution") or {}).get("categorical") or {}).get("buckets") or []
    values = np.array([str(b["value"]) for b in buckets], dtype=str)
    counts = np.array([b["count"] for b in buckets], dtype=np.float64)
    return values, counts
