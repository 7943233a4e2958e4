"""Samples bucketed into periods, one datapoint per period: the statistic of the samples in it.

A sample at time t belongs to the period [start, start + Period) that contains t, periods being
aligned on multiples of Period since the epoch. A period without samples has no datapoint (NaN
in the arrays, ``value=None`` in a `Datapoint`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

import numpy as np

from .definition import AlarmDefinition, MetricQuery
from .errors import SamplesError
from .metric_math import evaluate_tree, referenced_ids
from .samples import as_sample_arrays
from .statistics import Statistic, per_period_statistic
from .timestamps import to_datetime


@dataclass(frozen=True)
class Datapoint:
    timestamp: datetime  # start of the period
    value: float | None  # None: no datapoint for this period
    sample_count: int | None = None  # None for metric-math results

    @property
    def is_missing(self) -> bool:
        return self.value is None


@dataclass
class PeriodSeries:  # read-only by convention (not frozen: one is built at every evaluation)
    """Consecutive periods from ``first_start``: each period's value (NaN: missing) and sample count.

    Arrays from the numpy path, lists from the few-samples path (`simulacro.alarms.few_samples`).
    """

    first_start: float
    period: int
    values: np.ndarray | list[float]
    sample_counts: np.ndarray | list[int] | None

    def __len__(self) -> int:
        return len(self.values)

    def start_of(self, index: int) -> float:
        return self.first_start + index * self.period

    def datapoint(self, index: int) -> Datapoint:
        value = self.values[index]
        count = None if self.sample_counts is None else int(self.sample_counts[index])
        return Datapoint(to_datetime(self.start_of(index)), None if value != value else float(value), count)

    def datapoints(self) -> list[Datapoint]:
        return [self.datapoint(index) for index in range(len(self))]


def alarm_period_series(
    definition: AlarmDefinition, samples: Any, *, first_start: float, n_periods: int
) -> PeriodSeries:
    """The alarm's datapoint for each of ``n_periods`` periods starting at ``first_start``."""
    if definition.is_metric_math:
        return _metric_math_series(definition, samples, first_start, n_periods)
    values, counts = metric_statistic(
        as_sample_arrays(samples), definition.single_statistic, first_start, definition.period, n_periods
    )
    return PeriodSeries(first_start, definition.period, values, counts)


def metric_statistic(
    sample_arrays: tuple[np.ndarray, np.ndarray], statistic: Statistic, first_start: float, period: int, n_periods: int
) -> tuple[np.ndarray, np.ndarray]:
    times, values = sample_arrays
    index = np.floor((times - first_start) / period)
    inside = (index >= 0) & (index < n_periods)
    if not inside.all():
        index, values = index[inside], values[inside]
    return per_period_statistic(index.astype(np.intp), values, n_periods, statistic)


def _metric_math_series(definition: AlarmDefinition, samples: Any, first_start: float, n_periods: int) -> PeriodSeries:
    by_id = _samples_by_metric_id(definition, samples)
    queries = {query.id: query for query in definition.metrics}
    computed: dict[str, np.ndarray] = {}

    def series_of(query: MetricQuery) -> np.ndarray:
        if query.id not in computed:
            if query.statistic is not None:
                computed[query.id], _ = metric_statistic(
                    by_id[query.id], query.statistic, first_start, definition.period, n_periods
                )
            else:
                expression = query.expression
                assert expression is not None, "a query without a MetricStat has an Expression (parse_alarm checks)"
                inputs = {ref: series_of(queries[ref]) for ref in referenced_ids(expression)}
                computed[query.id] = evaluate_tree(expression, inputs, n_periods)
        return computed[query.id]

    return PeriodSeries(first_start, definition.period, series_of(definition.returned_query), None)


def _samples_by_metric_id(definition: AlarmDefinition, samples: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    expected = {query.id for query in definition.metrics if query.statistic is not None}
    if not isinstance(samples, Mapping):
        raise SamplesError(
            f"a metric-math alarm takes samples as a dict of metric id -> samples, one for each of {sorted(expected)}"
        )
    missing, unknown = expected - samples.keys(), samples.keys() - expected
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"no samples for {sorted(missing)} (pass an empty list if a metric has no data)")
        if unknown:
            problems.append(f"samples for ids that are not metrics of the alarm: {sorted(unknown)}")
        raise SamplesError("; ".join(problems))
    return {metric_id: as_sample_arrays(samples[metric_id], label=f"samples[{metric_id!r}]") for metric_id in expected}
