"""One data-quality monitoring execution: current statistics, constraint violations and metrics.

``analyze(statistics, constraints, columns)`` evaluates the current ``columns`` against a baseline
(``statistics`` and ``constraints`` in the documented formats) the way Model Monitor's prebuilt
container does: per baseline feature a ``missing_column_check``, ``data_type_check``,
``completeness_check``, ``categorical_values_check`` and ``baseline_drift_check``; per column the
baseline does not know an ``extra_column_check``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulacro.monitor.config import MonitoringConfig, feature_overrides, monitoring_config
from simulacro.monitor.drift import categorical_distance, numeric_distance, robust_distance
from simulacro.monitor.metrics import MetricValue, feature_metrics
from simulacro.monitor.sketch import SKETCH_SIZE
from simulacro.monitor.statistics import dataset_statistics, read_columns
from simulacro.monitor.types import NUMERIC_TYPES, TypedColumn
from simulacro.monitor.validation import ensure_constraints_are_valid, ensure_statistics_are_valid
from simulacro.monitor.violations import (
    Violation,
    baseline_drift_violation,
    categorical_values_violation,
    completeness_violation,
    data_type_violation,
    extra_column_violation,
    missing_column_violation,
)

COMPLETED = "Completed"
COMPLETED_WITH_VIOLATIONS = "CompletedWithViolations"


@dataclass(frozen=True)
class AnalysisResult:
    statistics: dict[str, Any]
    violations: list[Violation]
    metrics: dict[str, MetricValue]

    @property
    def violations_document(self) -> dict[str, Any]:
        """The constraint_violations.json document."""
        return {"violations": [dict(v) for v in self.violations]}

    @property
    def execution_status(self) -> str:
        return COMPLETED_WITH_VIOLATIONS if self.violations else COMPLETED

    @property
    def violated_checks(self) -> list[tuple[str, str]]:
        """``(feature_name, constraint_check_type)`` of each violation, in order."""
        return [(v["feature_name"], v["constraint_check_type"]) for v in self.violations]


@dataclass(frozen=True)
class FeatureDrift:
    distance: float  # the one compared with the threshold (robust when the method is Robust)
    simple_distance: float
    threshold: float


def analyze(
    statistics: dict[str, Any],
    constraints: dict[str, Any],
    columns: Mapping[str, object],
    *,
    sketch_size: int = SKETCH_SIZE,
) -> AnalysisResult:
    ensure_statistics_are_valid(statistics)
    ensure_constraints_are_valid(constraints)
    typed = read_columns(columns)
    baseline_features = {feature["name"]: feature for feature in statistics["features"]}
    expected_features = constraints["features"]
    global_config = constraints.get("monitoring_config") or {}
    violations: list[Violation] = []
    metrics: dict[str, MetricValue] = {}
    for feature in expected_features:
        name = feature["name"]
        config = monitoring_config(global_config, feature_overrides(feature))
        column = typed.get(name)
        if column is None:
            if config.evaluate_constraints:
                violations.append(missing_column_violation(name, len(typed), len(expected_features)))
            continue
        drift = feature_drift(baseline_features.get(name), column, config, sketch_size)
        if config.evaluate_constraints:
            violations.extend(feature_violations(feature, column, config, drift))
        if config.emit_metrics:
            numeric = feature["inferred_type"] in NUMERIC_TYPES
            metrics.update(feature_metrics(name, column, numeric, drift.distance if drift else None))
    _add_extra_columns(typed, expected_features, monitoring_config(global_config), violations, metrics)
    return AnalysisResult(dataset_statistics(typed, sketch_size), violations, metrics)


def feature_violations(
    feature: dict[str, Any], column: TypedColumn, config: MonitoringConfig, drift: FeatureDrift | None
) -> list[Violation]:
    name, expected_type = feature["name"], feature["inferred_type"]
    type_share, completeness = column.match_share(expected_type), feature.get("completeness")
    found = [
        data_type_violation(name, expected_type, type_share, config.datatype_check_threshold)
        if expected_type in NUMERIC_TYPES
        else None,
        completeness_violation(name, completeness, column.completeness) if completeness is not None else None,
        domain_violation(feature, column, config),
        baseline_drift_violation(name, drift.distance, drift.threshold) if drift else None,
    ]
    return [v for v in found if v is not None]


def feature_drift(
    baseline_feature: dict[str, Any] | None,
    column: TypedColumn,
    config: MonitoringConfig,
    sketch_size: int = SKETCH_SIZE,
) -> FeatureDrift | None:
    if baseline_feature is None or not config.perform_comparison:
        return None
    if "numerical_statistics" in baseline_feature:
        baseline, m = baseline_feature["numerical_statistics"], len(column.numbers)
        simple = numeric_distance(baseline, column, sketch_size) if m else None
        threshold = config.comparison_threshold
    else:
        baseline, m = baseline_feature["string_statistics"], column.num_present
        simple = categorical_distance(baseline, column) if m else None
        threshold = config.categorical_comparison_threshold
    if simple is None:
        return None
    n = int(baseline["common"]["num_present"])
    distance = robust_distance(simple, n, m) if config.robust else simple
    return FeatureDrift(distance, simple, threshold)


def domain_violation(feature: dict[str, Any], column: TypedColumn, config: MonitoringConfig) -> Violation | None:
    domains = (feature.get("string_constraints") or {}).get("domains")
    if not domains or not column.num_present:
        return None
    values, counts = column.text_counts
    inside = np.isin(values, np.asarray(domains, dtype=str))
    share = float(counts[inside].sum()) / column.num_present
    unknown_order = np.argsort(-counts[~inside], kind="stable")
    unknown = [str(v) for v in values[~inside][unknown_order]]
    return categorical_values_violation(feature["name"], share, config.domain_content_threshold, unknown)


def _add_extra_columns(
    typed: dict[str, TypedColumn],
    expected_features: list[dict[str, Any]],
    config: MonitoringConfig,
    violations: list[Violation],
    metrics: dict[str, MetricValue],
) -> None:
    known = {feature["name"] for feature in expected_features}
    for name, column in typed.items():
        if name in known:
            continue
        if config.evaluate_constraints:
            violations.append(extra_column_violation(name, len(typed), len(expected_features)))
        if config.emit_metrics:
            metrics.update(feature_metrics(name, column, column.inferred_type in NUMERIC_TYPES, None))
