"""The vectorised backtest gives exactly the states of evaluate_alarm called at every period end."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from simulacro.alarms import ALARM, INSUFFICIENT_DATA, OK, backtest, evaluate_alarm

START = 1_800_000_000 - 1_800_000_000 % 300
PERIODS = 160


def random_samples(rng, period, *, per_period=3, gap_rate=0.3, burst_rate=0.3):
    """Samples with gaps, bursts of missing periods, some per-period noise, and values near a threshold of 50."""
    times, values = [], []
    level = 50.0
    for index in range(-8, PERIODS):
        level = float(np.clip(level + rng.normal(0, 12), 0, 100))
        if rng.random() < gap_rate or (rng.random() < burst_rate and index % 7 < 3):
            continue
        count = int(rng.integers(1, per_period + 1))
        times.extend(START + index * period + rng.uniform(0, period, count))
        values.extend(level + rng.normal(0, 8, count))
    order = np.argsort(times)
    return np.asarray(times)[order], np.asarray(values)[order]


def step_by_step_states(alarm, samples, period, previous_state):
    states = []
    for step in range(1, PERIODS + 1):
        previous_state = evaluate_alarm(alarm, samples, now=START + step * period, previous_state=previous_state).state
        states.append(previous_state)
    return states


CASES = list(
    itertools.product(
        ["missing", "ignore", "breaching", "notBreaching"],
        [(1, 1), (3, 3), (3, 2), (5, 2), (4, 4)],
        ["Average", "Maximum", "SampleCount", "p90"],
    )
)


@pytest.mark.parametrize("treat_missing_data, n_and_m, statistic", CASES)
def test_backtest_states_equal_step_by_step_evaluation_on_random_series(treat_missing_data, n_and_m, statistic):
    n, m = n_and_m
    seed = CASES.index((treat_missing_data, n_and_m, statistic))
    rng = np.random.default_rng(seed)
    period = 60
    operator = "LessThanThreshold" if seed % 2 else "GreaterThanOrEqualToThreshold"
    threshold = 2.0 if statistic == "SampleCount" else 50.0
    alarm = {
        "Period": period,
        "EvaluationPeriods": n,
        "DatapointsToAlarm": m,
        "Threshold": threshold,
        "ComparisonOperator": operator,
        "TreatMissingData": treat_missing_data,
        **(
            {"ExtendedStatistic": statistic, "EvaluateLowSampleCountPercentile": "ignore"}
            if statistic.startswith("p")
            else {"Statistic": statistic}
        ),
    }
    samples = random_samples(rng, period, per_period=200 if statistic.startswith("p") else 3)
    previous_state = [OK, ALARM, INSUFFICIENT_DATA][seed % 3]
    result = backtest(alarm, samples, start=START + period, end=START + PERIODS * period, previous_state=previous_state)
    assert result.states == step_by_step_states(alarm, samples, period, previous_state)


def test_backtest_of_a_metric_math_alarm_equals_step_by_step_evaluation():
    rng = np.random.default_rng(99)
    period = 300
    alarm = {
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 2,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "Metrics": [
            {"Id": "a", "MetricStat": {"Metric": {}, "Period": period, "Stat": "Average"}, "ReturnData": False},
            {"Id": "b", "MetricStat": {"Metric": {}, "Period": period, "Stat": "Sum"}, "ReturnData": False},
            {"Id": "ratio", "Expression": "a / (b - 100)"},
        ],
    }
    samples = {"a": random_samples(rng, period), "b": random_samples(rng, period)}
    result = backtest(alarm, samples, start=START + period, end=START + PERIODS * period)
    assert result.states == step_by_step_states(alarm, samples, period, INSUFFICIENT_DATA)


def simple_alarm(**overrides):
    return {
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "Statistic": "Maximum",
        **overrides,
    }


def one_sample_per_minute(values):
    return [(START + 60 * i, v) for i, v in enumerate(values)]


def test_backtest_reports_transitions_entries_and_time_in_alarm():
    result = backtest(simple_alarm(), one_sample_per_minute([0, 5, 5, 0, 5, 0]), start=START, end=START + 360)
    assert result.states == [INSUFFICIENT_DATA, OK, ALARM, ALARM, OK, ALARM, OK]
    assert [(t.from_state, t.to_state) for t in result.transitions] == [
        (INSUFFICIENT_DATA, OK),
        (OK, ALARM),
        (ALARM, OK),
        (OK, ALARM),
        (ALARM, OK),
    ]
    assert result.transitions[1].time == datetime.fromtimestamp(START + 120, tz=timezone.utc)
    assert result.alarm_entries == 2
    assert result.time_in_alarm == timedelta(minutes=3)
    assert result.fraction_in_alarm == pytest.approx(0.5)


def test_backtest_evaluates_at_period_ends_within_the_interval_only():
    result = backtest(simple_alarm(), one_sample_per_minute([5] * 10), start=START + 30, end=START + 200)
    assert [t - START for t in result.evaluation_times] == [60, 120, 180]
    assert result.seconds_observed == 140


def test_backtest_accepts_datetimes():
    start = datetime.fromtimestamp(START, tz=timezone.utc)
    result = backtest(simple_alarm(), one_sample_per_minute([5, 5]), start=start, end=start + timedelta(minutes=2))
    assert result.states == [INSUFFICIENT_DATA, ALARM, ALARM]


def test_backtest_over_an_interval_without_a_period_end_has_no_evaluation():
    result = backtest(simple_alarm(), [], start=START + 1, end=START + 59)
    assert result.evaluations == 0 and result.transitions == () and result.fraction_in_alarm == 0.0
