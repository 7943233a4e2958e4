"""Synthetic traffic drawn from a baseline's statistics.json, in distribution or drifted on purpose.

In-distribution traffic draws numeric features by inverse-CDF sampling of the baseline's quantile
sketch (Integral features from the sketch points themselves, so they stay whole numbers; Fractional
features interpolated between mid-ranks) and String features from the categorical bucket
frequencies. It has no missing values, so it never trips a completeness check whatever the
baseline's completeness; against its own baseline it produces no violation.

Drifted traffic is in-distribution traffic with one feature broken in one way. Each
:class:`DriftKind` names the one violation it must produce on that feature, and no other:

================  ==========================  ======================================================
kind              violation                   what changes (``magnitude``, default)
================  ==========================  ======================================================
mean_shift        baseline_drift_check        values + magnitude * std_dev (1.0), whole for Integral
new_categories    categorical_values_check    share of rows (0.05) get 3 unseen categories
nulls             completeness_check          completeness falls magnitude (0.2) below baseline
wrong_type        data_type_check             share of numeric rows (0.5) become text
missing_column    missing_column_check        the feature is left out
extra_column      extra_column_check          a column the baseline does not know is added
================  ==========================  ======================================================

The defaults are sized for the constraints :func:`~simulacro.monitor.suggest_baseline` writes and
a few thousand rows: unseen categories at 5% move the category frequencies by at most 0.05, well
under the drift threshold, and the rows left numeric by ``wrong_type`` or ``nulls`` are still drawn
from the baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from simulacro.monitor.errors import MonitorInputError
from simulacro.monitor.sketch import QuantileSketch
from simulacro.monitor.types import INTEGRAL, NUMERIC_TYPES, STRING, as_text, numbers_as_text
from simulacro.monitor.validation import ensure_statistics_are_valid
from simulacro.monitor.violations import (
    BASELINE_DRIFT_CHECK,
    CATEGORICAL_VALUES_CHECK,
    COMPLETENESS_CHECK,
    DATA_TYPE_CHECK,
    EXTRA_COLUMN_CHECK,
    MISSING_COLUMN_CHECK,
)

WRONG_TYPE_TEXT = "not-a-number"
UNSEEN_CATEGORY_COUNT = 3


class DriftKind(str, Enum):
    MEAN_SHIFT = "mean_shift"
    NEW_CATEGORIES = "new_categories"
    NULLS = "nulls"
    WRONG_TYPE = "wrong_type"
    MISSING_COLUMN = "missing_column"
    EXTRA_COLUMN = "extra_column"

    @property
    def check_type(self) -> str:
        """The constraint_check_type this drift must produce."""
        return _CHECK_TYPES[self]

    @property
    def default_magnitude(self) -> float:
        return _DEFAULT_MAGNITUDES.get(self, 0.0)


_CHECK_TYPES = {
    DriftKind.MEAN_SHIFT: BASELINE_DRIFT_CHECK,
    DriftKind.NEW_CATEGORIES: CATEGORICAL_VALUES_CHECK,
    DriftKind.NULLS: COMPLETENESS_CHECK,
    DriftKind.WRONG_TYPE: DATA_TYPE_CHECK,
    DriftKind.MISSING_COLUMN: MISSING_COLUMN_CHECK,
    DriftKind.EXTRA_COLUMN: EXTRA_COLUMN_CHECK,
}
_DEFAULT_MAGNITUDES = {
    DriftKind.MEAN_SHIFT: 1.0,
    DriftKind.NEW_CATEGORIES: 0.05,
    DriftKind.NULLS: 0.2,
    DriftKind.WRONG_TYPE: 0.5,
}


@dataclass(frozen=True)
class Scenario:
    """One feature broken one way, and the violation Model Monitor must report for it."""

    feature: str
    kind: DriftKind
    magnitude: float | None = None

    @property
    def expected_violation(self) -> tuple[str, str]:
        return (self.feature, self.kind.check_type)

    def traffic(self, statistics: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        return drifted(statistics, n, self.feature, self.kind, rng, magnitude=self.magnitude)


def in_distribution(statistics: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``n`` rows drawn from the baseline, as a columns mapping (feature name -> numpy array)."""
    ensure_statistics_are_valid(statistics)
    return {feature["name"]: draw_feature(feature, n, rng) for feature in statistics["features"]}


def drifted(
    statistics: dict[str, Any],
    n: int,
    feature: str,
    kind: DriftKind | str,
    rng: np.random.Generator,
    magnitude: float | None = None,
) -> dict[str, np.ndarray]:
    """``n`` in-distribution rows with `feature` drifted by `kind` (see the module table)."""
    kind = DriftKind(kind)
    magnitude = kind.default_magnitude if magnitude is None else magnitude
    columns = in_distribution(statistics, n, rng)
    baseline = {f["name"]: f for f in statistics["features"]}
    if kind is DriftKind.EXTRA_COLUMN:
        if feature in baseline:
            raise MonitorInputError(f"extra_column: '{feature}' is already a baseline feature; name a new column")
        columns[feature] = rng.normal(size=n)
        return columns
    if feature not in baseline:
        raise MonitorInputError(f"{kind.value}: '{feature}' is not a feature of the baseline statistics")
    if kind is DriftKind.MISSING_COLUMN:
        del columns[feature]
    else:
        columns[feature] = _DRIFTS[kind](baseline[feature], columns[feature], magnitude, rng)
    return columns


def draw_feature(feature: dict[str, Any], n: int, rng: np.random.Generator) -> np.ndarray:
    if feature["inferred_type"] in NUMERIC_TYPES:
        sketch = QuantileSketch.from_kll(feature["numerical_statistics"]["distribution"]["kll"])
        return draw_numbers(sketch, n, rng, integral=feature["inferred_type"] == INTEGRAL)
    buckets = feature["string_statistics"]["distribution"]["categorical"]["buckets"]
    if not buckets:
        return np.full(n, None, dtype=object)
    values = np.array([b["value"] for b in buckets], dtype=str)
    counts = np.array([b["count"] for b in buckets], dtype=np.float64)
    return rng.choice(values, size=n, p=counts / counts.sum())


def draw_numbers(sketch: QuantileSketch, n: int, rng: np.random.Generator, integral: bool) -> np.ndarray:
    """Inverse-CDF sampling of the sketch: its own points for Integral, interpolated for Fractional."""
    targets = rng.random(n) * sketch.total
    drawn: np.ndarray
    if integral:
        index = np.minimum(np.searchsorted(sketch.cumulative, targets, side="right"), len(sketch.values) - 1)
        drawn = np.rint(sketch.values[index]).astype(np.int64)
    else:
        weights = np.diff(np.concatenate(([0.0], sketch.cumulative)))
        drawn = np.interp(targets, sketch.cumulative - weights / 2, sketch.values)
    return drawn


def _shift_mean(feature: dict[str, Any], values: np.ndarray, magnitude: float, rng: np.random.Generator) -> np.ndarray:
    stats = _numeric_statistics(feature, DriftKind.MEAN_SHIFT)
    shift = magnitude * (stats.get("std_dev") or 0.0)
    if not shift:
        raise MonitorInputError(
            f"mean_shift: '{feature['name']}' needs a non-zero magnitude and a baseline std_dev above 0"
        )
    if feature["inferred_type"] == INTEGRAL:
        return values + int(np.sign(shift) * max(1, round(abs(shift))))  # whole steps keep it Integral
    return values + shift


def _add_unseen_categories(
    feature: dict[str, Any], values: np.ndarray, magnitude: float, rng: np.random.Generator
) -> np.ndarray:
    if feature["inferred_type"] != STRING:
        raise MonitorInputError(
            f"new_categories: '{feature['name']}' is {feature['inferred_type']}; it needs a String feature"
        )
    known = {b["value"] for b in feature["string_statistics"]["distribution"]["categorical"]["buckets"]}
    unseen = [f"unseen-{i}" for i in range(UNSEEN_CATEGORY_COUNT * 2) if f"unseen-{i}" not in known]
    rows = _chosen_rows(len(values), magnitude, rng)
    drifted_values = values.astype(object)
    drifted_values[rows] = rng.choice(unseen[:UNSEEN_CATEGORY_COUNT], size=len(rows))
    return drifted_values


def _add_nulls(feature: dict[str, Any], values: np.ndarray, magnitude: float, rng: np.random.Generator) -> np.ndarray:
    stats = feature.get("numerical_statistics") or feature["string_statistics"]
    present = stats["common"]["num_present"]
    baseline_completeness = present / (present + stats["common"]["num_missing"]) if present else 1.0
    rows = _chosen_rows(len(values), min(1.0, 1.0 - baseline_completeness + magnitude), rng)
    if feature["inferred_type"] in NUMERIC_TYPES:
        with_nulls = values.astype(np.float64)
        with_nulls[rows] = np.nan
    else:
        with_nulls = values.astype(object)
        with_nulls[rows] = None
    return with_nulls


def _add_wrong_types(
    feature: dict[str, Any], values: np.ndarray, magnitude: float, rng: np.random.Generator
) -> np.ndarray:
    _numeric_statistics(feature, DriftKind.WRONG_TYPE)
    mixed = values.astype(object)
    mixed[_chosen_rows(len(values), magnitude, rng)] = WRONG_TYPE_TEXT
    return mixed


def _numeric_statistics(feature: dict[str, Any], kind: DriftKind) -> dict[str, Any]:
    if feature["inferred_type"] not in NUMERIC_TYPES:
        raise MonitorInputError(
            f"{kind.value}: '{feature['name']}' is {feature['inferred_type']}; it needs a numeric feature"
        )
    statistics: dict[str, Any] = feature["numerical_statistics"]
    return statistics


def _chosen_rows(n: int, share: float, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(n, size=int(round(min(max(share, 0.0), 1.0) * n)), replace=False)


_DRIFTS = {
    DriftKind.MEAN_SHIFT: _shift_mean,
    DriftKind.NEW_CATEGORIES: _add_unseen_categories,
    DriftKind.NULLS: _add_nulls,
    DriftKind.WRONG_TYPE: _add_wrong_types,
}


def to_csv_rows(columns: Mapping[str, object], feature_order: Iterable[str] | None = None) -> list[str]:
    """One CSV line per row (no header), the body of an ``InvokeEndpoint`` with ``text/csv``.

    Missing values become empty fields, whole floats are written as integers (so an Integral
    feature with NaNs stays Integral when read back), fields with commas or quotes are quoted.
    """
    order = list(columns) if feature_order is None else list(feature_order)
    unknown = [name for name in order if name not in columns]
    if unknown:
        raise MonitorInputError(f"to_csv_rows: feature_order names {unknown}, which the columns do not have")
    if not order:
        return []
    rows = _csv_fields(columns[order[0]])
    for name in order[1:]:
        rows = np.strings.add(np.strings.add(rows, ","), _csv_fields(columns[name]))
    lines: list[str] = rows.tolist()
    return lines


def _csv_fields(values: object) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array.astype(str)
    if array.dtype.kind == "f":
        missing = np.isnan(array)
        text = numbers_as_text(np.where(missing, 0.0, array))
        text[missing] = ""
        return text
    return _quoted(as_text(array))


def _quoted(text: np.ndarray) -> np.ndarray:
    needs_quotes = np.zeros(len(text), dtype=bool)
    for special in (",", '"', "\n", "\r"):
        needs_quotes |= np.strings.find(text, special) >= 0
    if not needs_quotes.any():
        return text
    quoted = text.astype(object)
    escaped = np.strings.replace(text[needs_quotes], '"', '""')
    quoted[needs_quotes] = np.strings.add(np.strings.add('"', escaped), '"')
    return quoted.astype(str)
