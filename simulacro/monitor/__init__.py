"""Model Monitor data-quality semantics, pure: data in, data out (no I/O, clients, clock or globals).

    from simulacro.monitor import suggest_baseline, analyze
    statistics, constraints = suggest_baseline(baseline_columns)
    result = analyze(statistics, constraints, current_columns)
    result.violations_document   # constraint_violations.json
    result.metrics               # feature_baseline_drift_<f>, feature_non_null_<f>, feature_data_<f>

Columns map a feature name to its values (a list or 1-D numpy array; None, NaN and "" are missing).
The documents follow Model Monitor's statistics.json, constraints.json and constraint_violations.json.
"""

from simulacro.monitor.analysis import AnalysisResult, FeatureDrift, analyze
from simulacro.monitor.baseline import suggest_baseline, suggest_constraints
from simulacro.monitor.config import SUGGESTED_MONITORING_CONFIG, MonitoringConfig
from simulacro.monitor.drift import ROBUST_C_ALPHA, robust_distance
from simulacro.monitor.errors import MonitorInputError
from simulacro.monitor.metrics import ENDPOINT_NAMESPACE
from simulacro.monitor.payloads import DriftKind, Scenario, drifted, in_distribution, to_csv_rows
from simulacro.monitor.schedule import NOW, first_run_at, next_run_after, parse_schedule_expression
from simulacro.monitor.sketch import SKETCH_SIZE, QuantileSketch
from simulacro.monitor.statistics import dataset_statistics, read_columns
from simulacro.monitor.types import FRACTIONAL, INTEGRAL, STRING, UNKNOWN
from simulacro.monitor.validation import ensure_constraints_are_valid, ensure_statistics_are_valid
from simulacro.monitor.violations import CHECK_TYPES

__all__ = [
    "AnalysisResult",
    "CHECK_TYPES",
    "DriftKind",
    "ENDPOINT_NAMESPACE",
    "FRACTIONAL",
    "FeatureDrift",
    "INTEGRAL",
    "MonitorInputError",
    "MonitoringConfig",
    "NOW",
    "QuantileSketch",
    "ROBUST_C_ALPHA",
    "SKETCH_SIZE",
    "STRING",
    "SUGGESTED_MONITORING_CONFIG",
    "Scenario",
    "UNKNOWN",
    "analyze",
    "dataset_statistics",
    "drifted",
    "ensure_constraints_are_valid",
    "ensure_statistics_are_valid",
    "first_run_at",
    "in_distribution",
    "next_run_after",
    "parse_schedule_expression",
    "read_columns",
    "robust_distance",
    "suggest_baseline",
    "suggest_constraints",
    "to_csv_rows",
]
