"""A baselining job: statistics.json and the constraints.json it suggests.

Suggested constraints per feature, like Model Monitor's: ``inferred_type``, ``completeness`` (the
baseline's share of non-null values), ``num_constraints.is_non_negative`` for numeric features and,
for String features of small cardinality (at most ``MAX_DOMAIN_SIZE`` distinct values), the
observed values as ``string_constraints.domains``. ``monitoring_config`` is
:data:`~simulacro.monitor.config.SUGGESTED_MONITORING_CONFIG`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from simulacro.monitor.config import SUGGESTED_MONITORING_CONFIG
from simulacro.monitor.sketch import SKETCH_SIZE
from simulacro.monitor.statistics import dataset_statistics, read_columns
from simulacro.monitor.types import NUMERIC_TYPES, STRING
from simulacro.monitor.validation import ensure_statistics_are_valid

CONSTRAINTS_VERSION = 0
MAX_DOMAIN_SIZE = 256


def suggest_baseline(
    columns: Mapping[str, object], *, sketch_size: int = SKETCH_SIZE
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(statistics, constraints)`` documents for the baseline ``columns``."""
    statistics = dataset_statistics(read_columns(columns), sketch_size)
    return statistics, suggest_constraints(statistics)


def suggest_constraints(statistics: dict[str, Any]) -> dict[str, Any]:
    ensure_statistics_are_valid(statistics)
    item_count = statistics["dataset"]["item_count"]
    return {
        "version": CONSTRAINTS_VERSION,
        "features": [feature_constraints(feature, item_count) for feature in statistics["features"]],
        "monitoring_config": copy.deepcopy(SUGGESTED_MONITORING_CONFIG),
    }


def feature_constraints(feature: dict[str, Any], item_count: int) -> dict[str, Any]:
    inferred_type = feature["inferred_type"]
    stats: dict[str, Any] = feature.get("numerical_statistics") or feature["string_statistics"]
    num_present = stats["common"]["num_present"]
    constraints = {
        "name": feature["name"],
        "inferred_type": inferred_type,
        "completeness": num_present / item_count if item_count else 1.0,
    }
    if inferred_type in NUMERIC_TYPES:
        minimum = stats.get("min")
        constraints["num_constraints"] = {"is_non_negative": minimum is not None and minimum >= 0}
    elif inferred_type == STRING and stats["distinct_count"] <= MAX_DOMAIN_SIZE:
        buckets = stats["distribution"]["categorical"]["buckets"]
        constraints["string_constraints"] = {"domains": sorted(bucket["value"] for bucket in buckets)}
    return constraints
