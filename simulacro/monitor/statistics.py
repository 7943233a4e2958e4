"""statistics.json for a set of columns, in the documented Model Monitor format.

Numeric features (Integral, Fractional) get ``numerical_statistics``: ``common{num_present,
num_missing}``, ``mean``, ``sum``, ``std_dev`` (population), ``min``, ``max`` and ``distribution.kll``
(see :mod:`simulacro.monitor.sketch`). String features, and features with no present value
(``Unknown``), get ``string_statistics``: ``common``, ``distinct_count`` and
``distribution.categorical.buckets`` (``{value, count}``, most frequent first, at most
``MAX_CATEGORICAL_BUCKETS`` of them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from simulacro.monitor.errors import MonitorInputError
from simulacro.monitor.sketch import SKETCH_SIZE, kll_distribution
from simulacro.monitor.types import NUMERIC_TYPES, TypedColumn, read_column

STATISTICS_VERSION = 0
MAX_CATEGORICAL_BUCKETS = 1000

Columns = Mapping[str, object]


def read_columns(columns: Columns) -> dict[str, TypedColumn]:
    """Type every column; all columns must have one value per row."""
    if not isinstance(columns, Mapping):
        raise MonitorInputError(f"columns: expected a mapping of feature name to values, got {type(columns).__name__}")
    typed = {str(name): read_column(values, str(name)) for name, values in columns.items()}
    lengths = {name: column.item_count for name, column in typed.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"'{name}' has {count}" for name, count in lengths.items())
        raise MonitorInputError(f"columns: every column needs one value per row, but {shown} values")
    return typed


def dataset_statistics(typed: Mapping[str, TypedColumn], sketch_size: int = SKETCH_SIZE) -> dict[str, Any]:
    item_count = next(iter(typed.values())).item_count if typed else 0
    return {
        "version": STATISTICS_VERSION,
        "dataset": {"item_count": item_count},
        "features": [feature_statistics(name, column, sketch_size) for name, column in typed.items()],
    }


def feature_statistics(name: str, column: TypedColumn, sketch_size: int = SKETCH_SIZE) -> dict[str, Any]:
    inferred_type = column.inferred_type
    if inferred_type in NUMERIC_TYPES:
        return {
            "name": name,
            "inferred_type": inferred_type,
            "numerical_statistics": numerical_statistics(column, sketch_size),
        }
    return {"name": name, "inferred_type": inferred_type, "string_statistics": string_statistics(column)}


def common(column: TypedColumn) -> dict[str, Any]:
    return {"num_present": column.num_present, "num_missing": column.num_missing}


def numerical_statistics(column: TypedColumn, sketch_size: int = SKETCH_SIZE) -> dict[str, Any]:
    numbers = column.sorted_numbers  # not empty: a numeric inferred type means some values are numbers
    total = float(np.sum(numbers))
    return {
        "common": common(column),
        "mean": total / len(numbers),
        "sum": total,
        "std_dev": float(np.std(numbers)),
        "min": float(numbers[0]),
        "max": float(numbers[-1]),
        "distribution": {"kll": kll_distribution(numbers, sketch_size)},
    }


def string_statistics(column: TypedColumn) -> dict[str, Any]:
    values, counts = column.text_counts
    order = np.lexsort((values, -counts))[:MAX_CATEGORICAL_BUCKETS]
    buckets = [{"value": str(v), "count": int(c)} for v, c in zip(values[order], counts[order])]
    return {
        "common": common(column),
        "distinct_count": len(values),
        "distribution": {"categorical": {"buckets": buckets}},
    }
