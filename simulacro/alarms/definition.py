"""A PutMetricAlarm request (botocore's cloudwatch model) read into a checked, typed definition.

Every problem is raised as `AlarmDefinitionError`, naming the field and what was expected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, Mapping, TypedDict

from .comparison import COMPARISON_OPERATORS
from .errors import AlarmDefinitionError
from .metric_math import ExpressionError, Node, parse_expression, referenced_ids
from .statistics import STANDARD_STATISTICS, Statistic, parse_statistic

TREAT_MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
LOW_SAMPLE_COUNT_CHOICES = ("evaluate", "ignore")
_QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")


@dataclass(frozen=True)
class MetricQuery:
    """One entry of ``Metrics``: a metric with its statistic, or an expression over other ids."""

    id: str
    return_data: bool
    statistic: Statistic | None = None
    metric: Mapping[str, Any] = field(default_factory=dict)
    expression: Node | None = None
    expression_text: str | None = None


@dataclass(frozen=True)
class AlarmDefinition:
    name: str | None
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison_operator: str
    treat_missing_data: str
    evaluate_low_sample_count_percentile: str
    statistic: Statistic | None = None  # single-metric alarms
    unit: str | None = None
    metrics: tuple[MetricQuery, ...] = ()  # metric-math alarms

    @property
    def is_metric_math(self) -> bool:
        return bool(self.metrics)

    @property
    def returned_query(self) -> MetricQuery:
        return next(query for query in self.metrics if query.return_data)

    @property
    def single_statistic(self) -> Statistic:
        """The statistic of a single-metric alarm (a metric-math alarm has one per metric query)."""
        if self.statistic is None:
            raise AlarmDefinitionError(self.name, "Statistic", "a metric-math alarm has no single statistic")
        return self.statistic

    @property
    def low_sample_minimum(self) -> int | None:
        """For a percentile alarm told to keep its state while a period has too few samples: fewer
        samples than this make a period too few. None for every other alarm."""
        if self.statistic is None or self.evaluate_low_sample_count_percentile != "ignore":
            return None
        return self.statistic.minimum_samples

    @property
    def skips_low_sample_periods(self) -> bool:
        """A percentile alarm told to keep its state while a period has too few samples."""
        return self.low_sample_minimum is not None


def parse_alarm(alarm: Mapping[str, Any] | AlarmDefinition) -> AlarmDefinition:
    if isinstance(alarm, AlarmDefinition):
        return alarm
    if not isinstance(alarm, Mapping):
        raise AlarmDefinitionError(None, "<alarm>", f"expected a PutMetricAlarm dict, got {type(alarm).__name__}")
    reader = _Reader(alarm)
    evaluation_periods = reader.positive_int("EvaluationPeriods")
    common = _CommonFields(
        name=alarm.get("AlarmName"),
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=reader.datapoints_to_alarm(evaluation_periods),
        threshold=reader.number("Threshold"),
        comparison_operator=reader.choice("ComparisonOperator", COMPARISON_OPERATORS),
        treat_missing_data=reader.choice("TreatMissingData", TREAT_MISSING_DATA, default="missing"),
        evaluate_low_sample_count_percentile=reader.choice(
            "EvaluateLowSampleCountPercentile", LOW_SAMPLE_COUNT_CHOICES, default="evaluate"
        ),
        unit=alarm.get("Unit"),
    )
    if "Metrics" in alarm:
        reader.ensure_absent("Metrics", ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Period"))
        metrics = reader.metric_queries()
        return AlarmDefinition(period=reader.common_period(metrics), metrics=metrics, **common)
    return AlarmDefinition(period=reader.period("Period"), statistic=reader.statistic(), **common)


class _CommonFields(TypedDict):
    """The fields a single-metric and a metric-math alarm share."""

    name: str | None
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison_operator: str
    treat_missing_data: str
    evaluate_low_sample_count_percentile: str
    unit: str | None


def _label(where: str, field_name: str) -> str:
    return f"{where}.{field_name}" if where else field_name


def _is_finite_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


class _Reader:
    def __init__(self, alarm: Mapping[str, Any]):
        self.alarm = alarm
        self.name = alarm.get("AlarmName")

    def fail(self, field_name: str, problem: str) -> AlarmDefinitionError:
        return AlarmDefinitionError(self.name, field_name, problem)

    def required(self, field_name: str, source: Mapping[str, Any] | None = None, where: str = "") -> Any:
        source = self.alarm if source is None else source
        if source.get(field_name) is None:
            raise self.fail(_label(where, field_name), "is required")
        return source[field_name]

    def number(self, field_name: str) -> float:
        value = self.required(field_name)
        if not _is_finite_number(value):
            raise self.fail(field_name, f"expected a number, got {value!r}")
        return float(value)

    def positive_int(self, field_name: str, source: Mapping[str, Any] | None = None, where: str = "") -> int:
        value = self.required(field_name, source, where)
        if not _is_finite_number(value) or value != int(value) or value < 1:
            raise self.fail(_label(where, field_name), f"expected a whole number of at least 1, got {value!r}")
        return int(value)

    def choice(self, field_name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.alarm.get(field_name) or default
        if value is None:
            raise self.fail(field_name, f"is required; expected one of {', '.join(choices)}")
        if value not in choices:
            raise self.fail(field_name, f"is {value!r}; expected one of {', '.join(choices)}")
        return value

    def datapoints_to_alarm(self, evaluation_periods: int) -> int:
        if self.alarm.get("DatapointsToAlarm") is None:
            return evaluation_periods
        value = self.positive_int("DatapointsToAlarm")
        if value > evaluation_periods:
            raise self.fail("DatapointsToAlarm", f"is {value}, more than EvaluationPeriods ({evaluation_periods})")
        return value

    def period(self, field_name: str, source: Mapping[str, Any] | None = None, where: str = "") -> int:
        value = self.positive_int(field_name, source, where)
        if value not in (10, 30) and value % 60:
            raise self.fail(_label(where, field_name), f"is {value}; expected 10, 30 or a multiple of 60 seconds")
        return value

    def statistic(self) -> Statistic:
        has_standard = self.alarm.get("Statistic") is not None
        has_extended = self.alarm.get("ExtendedStatistic") is not None
        if has_standard == has_extended:
            raise self.fail("Statistic", "give exactly one of Statistic or ExtendedStatistic")
        if has_standard:
            value = self.choice("Statistic", STANDARD_STATISTICS)
            return parse_statistic(value)
        value = self.alarm["ExtendedStatistic"]
        try:
            statistic = parse_statistic(value)
        except ValueError:
            statistic = None
        if statistic is None or not statistic.is_percentile:
            raise self.fail(
                "ExtendedStatistic", f"{value!r} is not supported: use a percentile such as p90, p99, p99.9"
            )
        return statistic

    def ensure_absent(self, present: str, fields: tuple[str, ...]) -> None:
        clashing = [name for name in fields if self.alarm.get(name) is not None]
        if clashing:
            raise self.fail(present, f"a metric-math alarm must not also set {', '.join(clashing)}")

    def metric_queries(self) -> tuple[MetricQuery, ...]:
        raw = self.alarm["Metrics"]
        if not isinstance(raw, list) or not raw:
            raise self.fail("Metrics", "expected a non-empty list of MetricDataQuery dicts")
        queries = tuple(self.metric_query(index, entry) for index, entry in enumerate(raw))
        self.ensure_ids_are_unique(queries)
        self.ensure_one_query_returns_data(queries)
        self.ensure_references_resolve(queries)
        return queries

    def metric_query(self, index: int, entry: Any) -> MetricQuery:
        where = f"Metrics[{index}]"
        if not isinstance(entry, Mapping):
            raise self.fail(where, "expected a MetricDataQuery dict")
        query_id = entry.get("Id")
        if not isinstance(query_id, str) or not _QUERY_ID.match(query_id):
            raise self.fail(
                f"{where}.Id", f"{query_id!r}: an id starts with a lower-case letter, then letters, digits or _"
            )
        return_data = entry.get("ReturnData", True) is not False
        has_stat, has_expression = entry.get("MetricStat") is not None, entry.get("Expression") is not None
        if has_stat == has_expression:
            raise self.fail(where, "give exactly one of MetricStat or Expression")
        if has_expression:
            try:
                tree = parse_expression(entry["Expression"])
            except ExpressionError as error:
                raise self.fail(f"{where}.Expression", str(error)) from None
            return MetricQuery(query_id, return_data, expression=tree, expression_text=entry["Expression"])
        return self.metric_stat_query(where, query_id, return_data, entry["MetricStat"])

    def metric_stat_query(self, where: str, query_id: str, return_data: bool, stat: Any) -> MetricQuery:
        where = f"{where}.MetricStat"
        if not isinstance(stat, Mapping):
            raise self.fail(where, "expected a dict with Metric, Period and Stat")
        metric = self.required("Metric", stat, where)
        try:
            statistic = parse_statistic(self.required("Stat", stat, where))
        except ValueError as error:
            raise self.fail(f"{where}.Stat", str(error)) from None
        period = self.period("Period", stat, where)
        return MetricQuery(query_id, return_data, statistic=statistic, metric={**metric, "Period": period})

    def ensure_ids_are_unique(self, queries: tuple[MetricQuery, ...]) -> None:
        ids = [query.id for query in queries]
        duplicates = sorted({query_id for query_id in ids if ids.count(query_id) > 1})
        if duplicates:
            raise self.fail("Metrics", f"ids must be unique, repeated: {', '.join(duplicates)}")

    def ensure_one_query_returns_data(self, queries: tuple[MetricQuery, ...]) -> None:
        returning = [query.id for query in queries if query.return_data]
        if len(returning) != 1:
            raise self.fail(
                "Metrics",
                f"exactly one query must have ReturnData true (the alarm's series), found {len(returning)}"
                + (f": {', '.join(returning)}" if returning else "")
                + "; ReturnData defaults to true, so set it to false on the others",
            )

    def ensure_references_resolve(self, queries: tuple[MetricQuery, ...]) -> None:
        known = {query.id: query for query in queries}
        for query in queries:
            if query.expression is None:
                continue
            unknown = sorted(referenced_ids(query.expression) - known.keys())
            if unknown:
                raise self.fail(f"Metrics[{query.id}].Expression", f"refers to unknown id(s) {', '.join(unknown)}")
        for query in queries:
            self.ensure_no_cycle(query, known, ())

    def ensure_no_cycle(self, query: MetricQuery, known: dict[str, MetricQuery], path: tuple[str, ...]) -> None:
        if query.id in path:
            raise self.fail("Metrics", f"expressions refer to each other in a cycle: {' -> '.join(path + (query.id,))}")
        if query.expression is not None:
            for referenced in sorted(referenced_ids(query.expression)):
                self.ensure_no_cycle(known[referenced], known, path + (query.id,))

    def common_period(self, queries: tuple[MetricQuery, ...]) -> int:
        periods = {int(query.metric["Period"]) for query in queries if query.statistic is not None}
        if len(periods) != 1:
            found = ", ".join(str(p) for p in sorted(periods)) or "none"
            raise self.fail("Metrics", f"every MetricStat must use the same Period (found: {found})")
        return periods.pop()
