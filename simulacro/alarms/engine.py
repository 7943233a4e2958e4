"""`evaluate_alarm`: one evaluation of a CloudWatch metric alarm, as CloudWatch would do it at ``now``.

The verdict is computed at once; the reason text, the reason data and the datapoint objects are
written only when read (CloudWatch writes them on transitions, and most evaluations change nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Mapping

from .datapoints import Datapoint, PeriodSeries, alarm_period_series
from .definition import AlarmDefinition, parse_alarm
from .evaluation import Verdict, datapoint_classes, evaluation_range, judge_window, low_sample_periods
from .few_samples import few_sample_columns, few_samples_series
from .reason import state_reason, state_reason_data
from .states import INSUFFICIENT_DATA, ensure_state_is_valid
from .timestamps import Instant, last_period_boundary, to_datetime, to_epoch_seconds


@dataclass
class AlarmResult:  # read-only by convention (not frozen: one is built at every evaluation)
    state: str  # "OK" | "ALARM" | "INSUFFICIENT_DATA"
    previous_state: str
    kept_state: bool  # the rules left the state as it was (ignore, premature-alarm wait, low samples)
    rule: str  # which rule decided, see `simulacro.alarms.evaluation`
    evaluated_at_seconds: float
    definition: AlarmDefinition = field(repr=False, compare=False)
    verdict: Verdict = field(repr=False, compare=False)
    series: PeriodSeries = field(repr=False, compare=False)
    classes: tuple[str, ...] = field(repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return self.state != self.previous_state

    @cached_property
    def datapoints(self) -> tuple[Datapoint, ...]:
        """The whole evaluation range, oldest first."""
        return tuple(self.series.datapoints())

    @property
    def newest_datapoint(self) -> Datapoint:
        return self.datapoints[-1]

    @cached_property
    def evaluated_at(self) -> datetime:
        return to_datetime(self.evaluated_at_seconds)

    @cached_property
    def reason(self) -> str:
        return state_reason(self.definition, self.verdict, self.datapoints, self.classes)

    @cached_property
    def reason_data(self) -> dict[str, Any]:
        return state_reason_data(self.definition, self.verdict, self.datapoints, self.evaluated_at_seconds)


def evaluation_window(definition: AlarmDefinition, now: float) -> tuple[float, float]:
    """The evaluation range at ``now`` as epoch seconds [start, end): only samples in it count."""
    end = last_period_boundary(now, definition.period)
    return end - evaluation_range(definition.evaluation_periods) * definition.period, end


def evaluate_alarm(
    alarm: Mapping[str, Any] | AlarmDefinition,
    samples: Any,
    *,
    now: Instant,
    previous_state: str = INSUFFICIENT_DATA,
) -> AlarmResult:
    """Evaluate ``alarm`` (a PutMetricAlarm dict) on raw ``samples`` at time ``now``.

    The newest period judged is the last complete one ending at or before ``now``; periods are
    aligned on multiples of Period since the epoch. ``samples`` is an iterable of
    ``(timestamp, value)`` pairs (see `simulacro.alarms.samples`), or for a metric-math alarm a
    dict of metric id -> such samples.
    """
    definition = parse_alarm(alarm)
    ensure_state_is_valid(previous_state)
    now_seconds = to_epoch_seconds(now)
    first_start, _ = evaluation_window(definition, now_seconds)
    n_periods = evaluation_range(definition.evaluation_periods)
    columns = None if definition.is_metric_math else few_sample_columns(samples)
    if columns is not None:
        series = few_samples_series(definition, *columns, first_start=first_start, n_periods=n_periods)
    else:
        series = alarm_period_series(definition, samples, first_start=first_start, n_periods=n_periods)
    return judge_series(definition, series, now=now_seconds, previous_state=previous_state)


def judge_series(
    definition: AlarmDefinition,
    series: PeriodSeries,
    *,
    now: float,
    previous_state: str,
    classes: list[str] | None = None,
) -> AlarmResult:
    """The verdict on the evaluation range's datapoints (``series``, oldest first) at ``now``.

    ``classes``: the datapoints already classified (`simulacro.alarms.evaluation.datapoint_classes`).
    """
    if classes is None:
        classes = datapoint_classes(series.values, definition.comparison_operator, definition.threshold)
    verdict = judge_datapoints(definition, classes, series.sample_counts)
    return alarm_result(definition, series, classes, verdict, now=now, previous_state=previous_state)


def judge_datapoints(definition: AlarmDefinition, classes: list[str], sample_counts: Any) -> Verdict:
    """The rules of `simulacro.alarms.evaluation` applied to the range's classified datapoints."""
    return judge_window(
        classes,
        evaluation_periods=definition.evaluation_periods,
        datapoints_to_alarm=definition.datapoints_to_alarm,
        treat_missing_data=definition.treat_missing_data,
        low_sample=low_sample_periods(definition, sample_counts),
    )


def alarm_result(
    definition: AlarmDefinition,
    series: PeriodSeries,
    classes: list[str],
    verdict: Verdict,
    *,
    now: float,
    previous_state: str,
) -> AlarmResult:
    return AlarmResult(
        state=verdict.state or previous_state,
        previous_state=previous_state,
        kept_state=verdict.state is None,
        rule=verdict.rule,
        evaluated_at_seconds=now,
        definition=definition,
        verdict=verdict,
        series=series,
        classes=tuple(classes),
    )
