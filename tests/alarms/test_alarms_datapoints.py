"""Bucketing samples into aligned periods, and the times the engine accepts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from simulacro.alarms import ALARM, OK, SamplesError, evaluate_alarm

NOW = datetime(2026, 11, 27, 14, 21, tzinfo=timezone.utc)
ALARM_ON_SUM = {
    "AlarmName": "errors",
    "Period": 60,
    "EvaluationPeriods": 1,
    "Threshold": 2.0,
    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
    "Statistic": "Sum",
}


def newest_datapoint(samples, now=NOW, alarm=ALARM_ON_SUM):
    return evaluate_alarm(alarm, samples, now=now).newest_datapoint


def test_newest_period_is_the_one_ending_at_now():
    point = newest_datapoint([(NOW - timedelta(seconds=60), 1.0), (NOW - timedelta(seconds=1), 1.0)])
    assert point.timestamp == NOW - timedelta(seconds=60)
    assert point.value == 2.0 and point.sample_count == 2


def test_sample_at_period_start_belongs_to_that_period_and_at_period_end_to_the_next():
    point = newest_datapoint([(NOW - timedelta(seconds=60), 1.0), (NOW, 5.0)])
    assert point.value == 1.0


def test_unaligned_now_judges_the_last_complete_period():
    later = NOW + timedelta(seconds=42)
    point = newest_datapoint([(NOW - timedelta(seconds=30), 3.0), (NOW + timedelta(seconds=10), 7.0)], now=later)
    assert point.timestamp == NOW - timedelta(seconds=60)
    assert point.value == 3.0


def test_periods_are_aligned_on_multiples_of_the_period_since_the_epoch():
    alarm = {**ALARM_ON_SUM, "Period": 300}
    now = datetime(2026, 11, 27, 14, 23, 10, tzinfo=timezone.utc)
    point = newest_datapoint([(datetime(2026, 11, 27, 14, 15, tzinfo=timezone.utc), 1.0)], now=now, alarm=alarm)
    assert point.timestamp == datetime(2026, 11, 27, 14, 15, tzinfo=timezone.utc)


def test_evaluation_range_datapoints_are_listed_oldest_first_with_missing_ones():
    result = evaluate_alarm(ALARM_ON_SUM, [(NOW - timedelta(seconds=90), 4.0)], now=NOW)
    assert [p.value for p in result.datapoints] == [None, 4.0, None]
    assert result.datapoints[1].is_missing is False


def test_epoch_seconds_and_datetimes_give_the_same_result():
    moment = NOW - timedelta(seconds=30)
    with_datetimes = evaluate_alarm(ALARM_ON_SUM, [(moment, 3.0)], now=NOW)
    with_epochs = evaluate_alarm(ALARM_ON_SUM, [(moment.timestamp(), 3.0)], now=int(NOW.timestamp()))
    assert with_datetimes.state == with_epochs.state == ALARM
    assert with_datetimes.reason == with_epochs.reason


def test_naive_datetimes_are_read_as_utc():
    naive_now = NOW.replace(tzinfo=None)
    result = evaluate_alarm(ALARM_ON_SUM, [(naive_now - timedelta(seconds=30), 3.0)], now=naive_now)
    assert result.state == ALARM
    assert result.evaluated_at == NOW


def test_other_time_zones_are_converted_to_utc():
    paris = timezone(timedelta(hours=1))
    result = evaluate_alarm(
        ALARM_ON_SUM, [(NOW.astimezone(paris) - timedelta(seconds=30), 3.0)], now=NOW.astimezone(paris)
    )
    assert result.state == ALARM


def test_numpy_arrays_are_accepted_as_samples():
    times = np.array([NOW.timestamp() - 30, NOW.timestamp() - 20])
    values = np.array([1.0, 1.0])
    assert evaluate_alarm(ALARM_ON_SUM, (times, values), now=NOW).state == ALARM
    assert evaluate_alarm(ALARM_ON_SUM, np.column_stack((times, values)), now=NOW).state == ALARM


def test_samples_may_come_in_any_order():
    samples = [
        (NOW - timedelta(seconds=5), 1.0),
        (NOW - timedelta(seconds=200), 9.0),
        (NOW - timedelta(seconds=50), 1.0),
    ]
    assert newest_datapoint(samples).value == 2.0


def test_samples_after_now_are_not_seen():
    result = evaluate_alarm(
        ALARM_ON_SUM,
        [(NOW + timedelta(seconds=5), 9.0), (NOW - timedelta(seconds=5), 0.0)],
        now=NOW,
        previous_state=ALARM,
    )
    assert result.state == OK


@pytest.mark.parametrize(
    "samples, message",
    [
        ([(NOW, float("nan"))], "finite"),
        ([("yesterday", 1.0)], "timestamp"),
        ([(NOW,)], "pairs"),
        ("1 2 3", "iterable"),
        (np.zeros((3, 3)), "shape"),
    ],
)
def test_unreadable_samples_are_refused_with_a_clear_error(samples, message):
    with pytest.raises(SamplesError, match=message):
        evaluate_alarm(ALARM_ON_SUM, samples, now=NOW)
