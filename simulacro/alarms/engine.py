"""`evaluate_alarm`: one evaluation of a CloudWatch metric alarm, as CloudWatch would do it at ``now``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from .datapoints import Datapoint, alarm_period_series
from .definition import AlarmDefinition, parse_alarm
from .evaluation import datapoint_classes, evaluation_range, judge_window, low_sample_periods
from .reason import state_reason, state_reason_data
from .states import INSUFFICIENT_DATA, ensure_state_is_valid
from .timestamps import Instant, last_period_boundary, to_datetime, to_epoch_seconds


@dataclass(frozen=True)
class AlarmResult:
    state: str  # "OK" | "ALARM" | "INSUFFICIENT_DATA"
    reason: str
    reason_data: dict[str, Any]
    previous_state: str
    kept_state: bool  # the rules left the state as it was (ignore, premature-alarm wait, low samples)
    rule: str  # which rule decided, see `simulacro.alarms.evaluation`
    datapoints: tuple[Datapoint, ...]  # the whole evaluation range, oldest first
    evaluated_at: datetime

    @property
    def changed(self) -> bool:
        return self.state != self.previous_state

    @property
    def newest_datapoint(self) -> Datapoint:
        return self.datapoints[-1]


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
    range_length = evaluation_range(definition.evaluation_periods)
    newest_end = last_period_boundary(now_seconds, definition.period)
    series = alarm_period_series(
        definition, samples, first_start=newest_end - range_length * definition.period, n_periods=range_length
    )
    classes = datapoint_classes(series.values, definition.comparison_operator, definition.threshold)
    verdict = judge_window(
        classes,
        evaluation_periods=definition.evaluation_periods,
        datapoints_to_alarm=definition.datapoints_to_alarm,
        treat_missing_data=definition.treat_missing_data,
        low_sample=low_sample_periods(definition, series.sample_counts),
    )
    window = series.datapoints()
    return AlarmResult(
        state=verdict.state or previous_state,
        reason=state_reason(definition, verdict, window, classes),
        reason_data=state_reason_data(definition, verdict, window, now_seconds),
        previous_state=previous_state,
        kept_state=verdict.state is None,
        rule=verdict.rule,
        datapoints=tuple(window),
        evaluated_at=to_datetime(now_seconds),
    )
