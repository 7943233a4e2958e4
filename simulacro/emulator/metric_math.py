"""GetMetricData and GetMetricStatistics answers, computed with the alarm engine's own statistics.

Using one implementation for alarms and for the metric APIs means a drill that reads a metric sees
exactly the datapoints the alarm judged.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np

from simulacro.alarms.datapoints import metric_statistic
from simulacro.alarms.metric_math import evaluate_tree, parse_expression
from simulacro.alarms.statistics import parse_statistic

from .errors import validation

SampleReader = Callable[[dict[str, Any]], tuple[np.ndarray, np.ndarray]]


def metric_data_results(
    queries: list[dict[str, Any]], read: SampleReader, start: float, end: float
) -> list[dict[str, Any]]:
    period = _common_period(queries)
    first = math.floor(start / period) * period
    n_periods = max(0, math.ceil((end - first) / period))
    series: dict[str, np.ndarray] = {}
    for query in queries:
        if "MetricStat" in query:
            stat = query["MetricStat"]
            values, _ = metric_statistic(read(stat), _statistic(stat["Stat"]), first, period, n_periods)
            series[query["Id"]] = values
    for query in queries:
        if "Expression" in query:
            try:
                series[query["Id"]] = np.asarray(
                    evaluate_tree(parse_expression(query["Expression"]), series, n_periods), dtype=float
                )
            except ValueError as error:
                raise validation(f"Invalid metric math expression in query {query['Id']}: {error}") from None
    times = [datetime.fromtimestamp(first + i * period, timezone.utc) for i in range(n_periods)]
    results = []
    for query in queries:
        if not query.get("ReturnData", True):
            continue
        values = series[query["Id"]]
        present = [i for i in range(n_periods) if not math.isnan(values[i])]
        results.append(
            {
                "Id": query["Id"],
                "Label": query.get("Label") or _label(query),
                "Timestamps": [times[i] for i in present],
                "Values": [float(values[i]) for i in present],
                "StatusCode": "Complete",
            }
        )
    return results


def period_datapoints(
    samples: tuple[np.ndarray, np.ndarray],
    start: float,
    end: float,
    period: int,
    statistics: list[str],
    extended: list[str],
    *,
    unit: str,
) -> list[dict[str, Any]]:
    if not statistics and not extended:
        raise validation("Either Statistics or ExtendedStatistics must be specified.")
    first = math.floor(start / period) * period
    n_periods = max(0, math.ceil((end - first) / period))
    arrays = samples
    computed = {
        name: metric_statistic(arrays, _statistic(name), first, period, n_periods)[0] for name in statistics + extended
    }
    counts = metric_statistic(arrays, _statistic("SampleCount"), first, period, n_periods)[0]
    datapoints = []
    for i in range(n_periods):
        if math.isnan(counts[i]):
            continue
        point: dict[str, Any] = {"Timestamp": datetime.fromtimestamp(first + i * period, timezone.utc), "Unit": unit}
        point.update({name: float(computed[name][i]) for name in statistics})
        if extended:
            point["ExtendedStatistics"] = {name: float(computed[name][i]) for name in extended}
        datapoints.append(point)
    return datapoints


def _statistic(name: str) -> Any:
    try:
        return parse_statistic(name)
    except ValueError as error:
        raise validation(str(error)) from None


def _common_period(queries: list[dict[str, Any]]) -> int:
    periods = {int(q["MetricStat"]["Period"]) for q in queries if "MetricStat" in q}
    periods |= {int(q["Period"]) for q in queries if q.get("Period")}
    return min(periods) if periods else 60


def _label(query: dict[str, Any]) -> str:
    if "MetricStat" in query:
        return query["MetricStat"]["Metric"]["MetricName"]
    return query["Id"]
