"""Raw metric samples kept in process, so alarm evaluation costs microseconds, not API round trips.

Samples are only ever added (until `clear`, which bumps `generation`): the samples of a series in a
fixed time range change exactly when their count does, which is how the alarm loop tells, with two
binary searches, that an alarm's inputs did not change (`simulacro.alarms.incremental`).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from simulacro.alarms.samples import SampleColumns

_EMPTY = np.empty(0)
_NO_COLUMNS = SampleColumns((), ())
MetricKey = tuple[str, str, str, str, tuple[tuple[str, str], ...]]  # account, region, namespace, name, dims


def metric_key(account: str, region: str, namespace: str, name: str, dimensions: dict[str, str]) -> MetricKey:
    return account, region, namespace, name, tuple(sorted(dimensions.items()))


@dataclass
class _Series:
    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    unit: str | None = None

    def add(self, at: float, value: float) -> None:
        if not self.times or at >= self.times[-1]:
            self.times.append(at)
            self.values.append(value)
        else:  # late sample: keep the series sorted
            index = bisect.bisect_right(self.times, at)
            self.times.insert(index, at)
            self.values.insert(index, value)

    def count(self, start: float, end: float) -> int:
        """How many samples have start <= time < end."""
        times = self.times
        if not times or times[-1] < start or times[0] >= end:  # all outside: no binary search
            return 0
        return bisect.bisect_left(times, end) - bisect.bisect_left(times, start)

    def columns(self, start: float, end: float) -> SampleColumns:
        """(times, values) of the samples with start <= time < end, as lists."""
        lo = bisect.bisect_left(self.times, start)
        hi = bisect.bisect_left(self.times, end)
        return SampleColumns(self.times[lo:hi], self.values[lo:hi])


def statistic_values_samples(sample_count: float, total: float, minimum: float, maximum: float) -> list[float]:
    """Samples standing for a `StatisticValues` datum: SampleCount, Sum, Minimum and Maximum exact.

    The store keeps samples, and AWS keeps these four statistics of such a datum exactly: the smallest
    and the largest are the datum's Minimum and Maximum, the others share what remains of the Sum
    (for consistent input that share lies between them, so no statistic moves). Percentiles of such
    data are not available on AWS either.
    """
    count = int(round(sample_count))
    if count <= 0:
        return []
    if count == 1:
        return [float(total)]
    if count == 2:
        return [float(minimum), float(maximum)]
    middle = (total - minimum - maximum) / (count - 2)
    return [float(minimum)] + [middle] * (count - 2) + [float(maximum)]


class MetricStore:
    def __init__(self) -> None:
        self._series: dict[MetricKey, _Series] = defaultdict(_Series)
        self.generation = 0  # bumped by `clear`
        self.layout = 0  # bumped when a series appears or its unit changes: a lookup that found none may now find one

    def put(self, key: MetricKey, at: float, value: float, unit: str | None = None) -> None:
        series = self._writable(key, unit)
        series.add(at, value)

    def put_many(
        self, key: MetricKey, times: Iterable[float], values: Iterable[float], unit: str | None = None
    ) -> None:
        series = self._writable(key, unit)
        for at, value in zip(times, values):
            series.add(at, value)

    def _writable(self, key: MetricKey, unit: str | None) -> _Series:
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = _Series()
            self.layout += 1
        if unit and unit != series.unit:
            series.unit = unit
            self.layout += 1
        return series

    def samples(self, key: MetricKey, start: float, end: float) -> list[tuple[float, float]]:
        """(time, value) pairs of the samples with start <= time < end."""
        times, values = self.sample_arrays(key, start, end)
        return list(zip(times.tolist(), values.tolist()))

    def sample_arrays(self, key: MetricKey, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
        """(times, values) of the samples with start <= time < end, as arrays: the alarm engine's fast path."""
        series = self._series.get(key)
        if series is None:
            return _EMPTY, _EMPTY
        lo = bisect.bisect_left(series.times, start)
        hi = bisect.bisect_left(series.times, end)
        return np.array(series.times[lo:hi], dtype=float), np.array(series.values[lo:hi], dtype=float)

    def count(self, key: MetricKey, start: float, end: float) -> int:
        """How many samples have start <= time < end."""
        series = self._series.get(key)
        return 0 if series is None else series.count(start, end)

    def sample_columns(self, key: MetricKey, start: float, end: float) -> SampleColumns:
        """(times, values) of the samples with start <= time < end, as lists: no array built for a few samples."""
        series = self._series.get(key)
        return _NO_COLUMNS if series is None else series.columns(start, end)

    def series(self, key: MetricKey) -> _Series | None:
        """The series itself (None until a first sample): a handle the alarm loop keeps until `clear`."""
        return self._series.get(key)

    def unit(self, key: MetricKey) -> str | None:
        series = self._series.get(key)
        return series.unit if series else None

    def keys(self, account: str, region: str) -> list[MetricKey]:
        return [key for key in self._series if key[0] == account and key[1] == region]

    def clear(self) -> None:
        self._series.clear()
        self.generation += 1
        self.layout += 1
