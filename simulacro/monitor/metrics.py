"""CloudWatch metrics a data-quality monitoring execution emits when ``emit_metrics`` is Enabled.

For every feature observed: ``feature_non_null_<feature>`` (share of non-null values, 0..1) and,
when the drift comparison runs, ``feature_baseline_drift_<feature>`` (the distance compared with the
threshold: robust if ``comparison_method`` is Robust). For numeric features also
``feature_data_<feature>``, given as a CloudWatch statistic set (``SampleCount``, ``Sum``, ``Minimum``,
``Maximum``; CloudWatch derives ``Average``) ready for ``PutMetricData``'s ``StatisticValues``.
Real-time endpoints publish them in ``aws/sagemaker/Endpoints/data-metrics`` with the ``Endpoint``
and ``MonitoringSchedule`` dimensions.
"""

from __future__ import annotations

import numpy as np

from simulacro.monitor.types import TypedColumn

ENDPOINT_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
BATCH_NAMESPACE = "aws/sagemaker/ModelMonitoring/data-metrics"

MetricValue = float | dict[str, float]


def feature_data_name(feature: str) -> str:
    return f"feature_data_{feature}"


def feature_non_null_name(feature: str) -> str:
    return f"feature_non_null_{feature}"


def feature_baseline_drift_name(feature: str) -> str:
    return f"feature_baseline_drift_{feature}"


def statistic_set(column: TypedColumn) -> dict[str, float]:
    numbers = column.sorted_numbers
    if not len(numbers):
        return {"SampleCount": 0.0, "Sum": 0.0, "Minimum": 0.0, "Maximum": 0.0}
    return {
        "SampleCount": float(len(numbers)),
        "Sum": float(np.sum(numbers)),
        "Minimum": float(numbers[0]),
        "Maximum": float(numbers[-1]),
    }


def feature_metrics(feature: str, column: TypedColumn, numeric: bool, drift: float | None) -> dict[str, MetricValue]:
    metrics: dict[str, MetricValue] = {feature_non_null_name(feature): column.completeness}
    if numeric:
        metrics[feature_data_name(feature)] = statistic_set(column)
    if drift is not None:
        metrics[feature_baseline_drift_name(feature)] = drift
    return metrics
