"""Calibration against alert fatigue: replay a metric history through every alarm of the spec.

For each alarm: how often it would have entered ALARM, for how long in all, and whether that makes it
noisy (it would page more than once a day on average, or sit in ALARM more than 5 % of the time). The
history is a CSV (`timestamp,namespace,metric,dimensions,value[,count]`, dimensions as
`Name=Value;Name=Value`, `count` repeating the value as PutMetricData's Values/Counts do) or
GetMetricData against a target (for percentile alarms with each period's SampleCount, so that the
low-sample-count rule judges the real traffic, not one datapoint).
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from simulacro.alarms import backtest
from simulacro.spec.model import Alarm, MetricRef

NOISY_ENTRIES_PER_DAY = 1.0
NOISY_FRACTION_IN_ALARM = 0.05

# A period's percentile repeated as often as it had samples (capped: enough for any low-sample rule).
MAX_REPEAT = 10_000
SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Calibration:
    alarm: str
    category: str
    owner: str
    days: float
    entries: int
    seconds_in_alarm: float
    fraction_in_alarm: float
    has_data: bool

    @property
    def entries_per_day(self) -> float:
        return self.entries / self.days if self.days else 0.0

    @property
    def verdict(self) -> str:
        if not self.has_data:
            return "no data: cannot judge (is the metric published?)"
        if self.entries_per_day > NOISY_ENTRIES_PER_DAY or self.fraction_in_alarm > NOISY_FRACTION_IN_ALARM:
            return "NOISY: would page too often; raise the threshold, widen M of N or the period"
        return "ok"


def series_key(ref: MetricRef) -> SeriesKey:
    return ref.namespace, ref.name, tuple(sorted(ref.dimensions.items()))


def read_history(path: Path) -> dict[SeriesKey, tuple[np.ndarray, np.ndarray]]:
    """The CSV history, grouped per metric series; a malformed row is an error naming its line."""
    grouped: dict[SeriesKey, list[tuple[float, float, int]]] = defaultdict(list)
    with path.open(newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                at = _epoch(row["timestamp"])
                dims = tuple(sorted(tuple(p.split("=", 1)) for p in row["dimensions"].split(";") if p))  # type: ignore[misc]
                count = int(row.get("count") or 1)
                grouped[(row["namespace"], row["metric"], dims)].append((at, float(row["value"]), count))
            except (KeyError, ValueError, TypeError) as error:
                raise ValueError(f"{path}:{line}: expected timestamp,namespace,metric,dimensions,value ({error})") from None
    return {key: _repeated(sorted(rows)) for key, rows in grouped.items()}


def history_from_target(target: Any, alarms: Iterable[Alarm], start: datetime, end: datetime) -> dict[SeriesKey, tuple[np.ndarray, np.ndarray]]:
    """Each alarm's metrics from GetMetricData, at the alarm's period, as one sample per period."""
    history: dict[SeriesKey, tuple[np.ndarray, np.ndarray]] = {}
    for alarm in alarms:
        cloudwatch = target.client("cloudwatch", alarm.environment, target.stack.region_of(alarm, target.region))
        for ref in alarm.metric_refs:
            key = series_key(ref)
            if key in history:
                continue
            stat = {"Metric": ref.metric(), "Period": alarm.period}
            queries = [{"Id": "value", "MetricStat": {**stat, "Stat": ref.statistic}}]
            if ref.is_percentile:
                queries.append({"Id": "count", "MetricStat": {**stat, "Stat": "SampleCount"}})
            found: dict[str, dict[float, float]] = {"value": {}, "count": {}}
            for page in cloudwatch.get_paginator("get_metric_data").paginate(
                    MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending"):
                for result in page["MetricDataResults"]:
                    found[result["Id"]].update((t.timestamp(), v) for t, v in zip(result["Timestamps"], result["Values"]))
            rows = [(at, value, min(int(found["count"].get(at, 1)), MAX_REPEAT)) for at, value in sorted(found["value"].items())]
            history[key] = _repeated(rows)
    return history


def calibrate(alarms: Iterable[Alarm], history: dict[SeriesKey, tuple[np.ndarray, np.ndarray]],
              start: datetime, end: datetime) -> list[Calibration]:
    days = (end - start).total_seconds() / 86400
    results = []
    for alarm in alarms:
        definition = alarm.to_put_metric_alarm(lambda name: name)
        if alarm.metric is not None:
            samples: Any = history.get(series_key(alarm.metric), _arrays([]))
            has_data = len(samples[0]) > 0
        else:
            samples = {metric_id: history.get(series_key(ref), _arrays([])) for metric_id, ref in alarm.metrics.items()}
            has_data = all(len(s[0]) > 0 for s in samples.values())
        replay = backtest(definition, samples, start=start, end=end)
        results.append(Calibration(alarm.name, alarm.category, alarm.owner, days, replay.alarm_entries,
                                   replay.seconds_in_alarm, replay.fraction_in_alarm, has_data))
    return results


def report(results: list[Calibration]) -> str:
    header = f"{'alarm':40} {'category':9} {'pages/day':>9} {'in ALARM':>9}  verdict"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.alarm:40} {r.category:9} {r.entries_per_day:9.2f} {r.fraction_in_alarm:9.1%}  {r.verdict}")
    noisy = sum(r.verdict.startswith("NOISY") for r in results)
    lines.append(f"{noisy} noisy alarm(s) of {len(results)}")
    return "\n".join(lines)


def default_window(days: float, now: datetime | None = None) -> tuple[datetime, datetime]:
    end = (now or datetime.now(timezone.utc)).replace(second=0, microsecond=0)
    return end - timedelta(days=days), end


def _epoch(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()


def _repeated(rows: list[tuple[float, float, int]]) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.empty(0), np.empty(0)
    times, values, counts = (np.asarray(column) for column in zip(*rows))
    return np.repeat(times.astype(float), counts), np.repeat(values.astype(float), counts)


def _arrays(pairs: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    if not pairs:
        return np.empty(0), np.empty(0)
    times, values = zip(*pairs)
    return np.asarray(times, dtype=float), np.asarray(values, dtype=float)
