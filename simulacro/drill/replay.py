"""Prove an alarm that drills may not fault (prod) on what a faultable twin (staging) really showed.

A drill records the metric signature of the twin endpoint under a fault, and under healthy traffic (the
control window), by reading the twin's datapoints back through GetMetricData: per period, the statistic
the alarm uses and the sample count. `replay` rebuilds samples from them (each period's samples carry the
period's statistic, as many as it had) and runs the alarm definition through the pure alarm engine
(`simulacro.alarms`) in virtual time, minute by minute, as CloudWatch would evaluate it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from simulacro.alarms import evaluate_alarm
from simulacro.spec.model import Alarm, Endpoint, MetricRef


@dataclass
class Window:
    """A stretch of the twin's traffic: what was injected, from when to when."""

    what: str
    start: datetime
    end: datetime


@dataclass
class Replayed:
    states: list[tuple[datetime, str]]
    datapoints: list[float]

    def first(self, state: str) -> datetime | None:
        return next((at for at, s in self.states if s == state), None)


def twin_ref(ref: MetricRef, alarm_endpoint: str, twin: Endpoint) -> dict[str, Any]:
    """The twin's metric standing in for `ref`: the same metric with the twin's endpoint (and variant)."""
    dimensions = dict(ref.dimensions)
    if dimensions.get("EndpointName") == alarm_endpoint:
        dimensions["EndpointName"] = twin.name
        if "VariantName" in dimensions:
            dimensions["VariantName"] = twin.variant
    return {
        "Namespace": ref.namespace,
        "MetricName": ref.name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
    }


def signature(
    cloudwatch: Any, alarm: Alarm, alarm_endpoint: str, twin: Endpoint, window: Window
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Samples (times, values) per metric id, rebuilt from the twin's per-period statistic and sample count."""
    refs = {"m": alarm.metric} if alarm.metric is not None else dict(alarm.metrics)
    queries = []
    for index, ref in enumerate(refs.values()):
        metric = twin_ref(ref, alarm_endpoint, twin)  # type: ignore[arg-type]
        queries.append(
            {"Id": f"v{index}", "MetricStat": {"Metric": metric, "Period": alarm.period, "Stat": ref.statistic}}
        )  # type: ignore[union-attr]
        queries.append(
            {"Id": f"n{index}", "MetricStat": {"Metric": metric, "Period": alarm.period, "Stat": "SampleCount"}}
        )
    results = {r["Id"]: dict(zip(r["Timestamps"], r["Values"])) for r in _metric_data(cloudwatch, queries, window)}
    samples = {}
    for index, (metric_id, ref) in enumerate(refs.items()):
        values, counts = results.get(f"v{index}", {}), results.get(f"n{index}", {})
        times, data = [], []
        for stamp, value in values.items():
            count = max(1, int(round(counts.get(stamp, 1))))
            each = value / count if ref.statistic == "Sum" else value  # type: ignore[union-attr]
            times += [stamp.timestamp() + 1] * count
            data += [each] * count
        order = np.argsort(times) if times else np.array([], dtype=int)
        samples[metric_id] = (np.array(times, dtype=float)[order], np.array(data, dtype=float)[order])
    return samples


def replay(
    alarm: Alarm, definition: dict[str, Any], samples: dict[str, tuple[np.ndarray, np.ndarray]], window: Window
) -> Replayed:
    """The alarm's state at each minute of the window, evaluated on the rebuilt samples."""
    inputs: Any = samples if alarm.metric is None else samples["m"]
    state, states = "OK", []
    moment = window.start + timedelta(seconds=60)
    while moment <= window.end:
        result = evaluate_alarm(definition, inputs, now=moment, previous_state=state)
        state = result.state
        states.append((moment, state))
        moment += timedelta(seconds=60)
    datapoints = [float(d.value) for d in result.datapoints if d.value is not None] if states else []  # type: ignore[attr-defined]
    return Replayed(states, datapoints)


def _metric_data(cloudwatch: Any, queries: list[dict[str, Any]], window: Window) -> list[dict[str, Any]]:
    start = window.start
    return cloudwatch.get_metric_data(
        MetricDataQueries=queries,
        StartTime=start,
        EndTime=window.end + timedelta(seconds=60),
        ScanBy="TimestampAscending",
    )["MetricDataResults"]
