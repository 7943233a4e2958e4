"""The alarm unit-test helper: alarms tested as data, the way promtool tests Prometheus rules."""

from __future__ import annotations

import pytest

from simulacro.alarms.testing import check_alarm, replay_alarm, series

ERRORS_ALARM = {
    "AlarmName": "churn-staging-5xx",
    "Namespace": "AWS/SageMaker",
    "MetricName": "Invocation5XXErrors",
    "Period": 60,
    "EvaluationPeriods": 3,
    "Threshold": 1.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "Statistic": "Sum",
}


def test_series_notation_covers_values_gaps_repeats_ramps_and_several_samples():
    assert series("1 _ 5x3 1+2x3 10-1x2 [1,2,3] _x2 [4, 5]x2") == [
        [1.0],
        [],
        [5.0],
        [5.0],
        [5.0],
        [1.0],
        [3.0],
        [5.0],
        [10.0],
        [9.0],
        [1.0, 2.0, 3.0],
        [],
        [],
        [4.0, 5.0],
        [4.0, 5.0],
    ]


def test_series_notation_reports_what_it_cannot_read():
    with pytest.raises(ValueError, match=r"cannot read 'five'.*5x3 \(repeat\)"):
        series("1 five")


def test_three_breaching_periods_raise_the_alarm():
    check_alarm(ERRORS_ALARM, "0 0 5 5 5", expect="OK OK OK OK ALARM")


def test_expectations_may_run_past_the_series_into_missing_data():
    # A fresh breach waits (premature-alarm rule); after the data stops, the alarm re-judges the last
    # real datapoints while they are in the 5-period range, keeps its state, then has no data at all.
    check_alarm(
        ERRORS_ALARM,
        "5 5 5",
        expect=[
            "INSUFFICIENT_DATA",
            "INSUFFICIENT_DATA",
            "ALARM",
            "ALARM",
            "ALARM",
            "ALARM",
            "ALARM",
            "INSUFFICIENT_DATA",
        ],
    )


def test_missing_data_treated_as_breaching_alarms_once_the_good_datapoint_leaves_the_range():
    alarm = {**ERRORS_ALARM, "TreatMissingData": "breaching"}
    check_alarm(alarm, "0 _ _ _ _ _", expect="OK OK OK OK OK ALARM")


def test_two_out_of_three_alarm_on_a_ramp():
    alarm = {**ERRORS_ALARM, "DatapointsToAlarm": 2}
    check_alarm(alarm, "0+1x4", expect="OK OK OK ALARM")


def test_percentile_alarm_with_several_samples_per_period():
    alarm = {**ERRORS_ALARM, "Statistic": None, "ExtendedStatistic": "p50", "EvaluationPeriods": 1}
    check_alarm(alarm, "[0,0,9] [0,9,9] [9,9,9]", expect="OK ALARM ALARM")


def test_one_minute_samples_under_a_five_minute_period():
    alarm = {**ERRORS_ALARM, "Period": 300, "EvaluationPeriods": 1, "Threshold": 3.0}
    check_alarm(alarm, "0 1 0 1 0  1 1 1 1 0", interval=60, expect="OK ALARM")


def test_metric_math_alarm_tested_with_one_series_per_metric():
    alarm = {
        "AlarmName": "churn-error-rate",
        "EvaluationPeriods": 2,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "Metrics": [
            {
                "Id": "errors",
                "MetricStat": {"Metric": {"MetricName": "Invocation5XXErrors"}, "Period": 60, "Stat": "Sum"},
                "ReturnData": False,
            },
            {
                "Id": "invocations",
                "MetricStat": {"Metric": {"MetricName": "Invocations"}, "Period": 60, "Stat": "Sum"},
                "ReturnData": False,
            },
            {"Id": "rate", "Expression": "100 * errors / invocations"},
        ],
    }
    check_alarm(alarm, {"errors": "0 10 10 0 0 0", "invocations": "100x3 0x3"}, expect="OK OK ALARM ALARM ALARM OK")


def test_a_mismatch_raises_with_a_per_period_diff():
    with pytest.raises(AssertionError) as raised:
        check_alarm(ERRORS_ALARM, "0 0 5 5 5", expect="OK OK OK ALARM ALARM")
    message = str(raised.value)
    assert "alarm 'churn-staging-5xx' did not go through the expected states: 1 of 5 evaluations differ" in message
    differing = [line for line in message.splitlines() if line.startswith(">")]
    assert len(differing) == 1
    assert "2026-01-01 00:04:00" in differing[0]
    assert "ALARM     OK" in differing[0]
    assert "1 out of the last 3 datapoints [0.0 (01/01/26 00:01:00)] was not greater" in differing[0]


def test_unknown_expected_state_is_refused():
    with pytest.raises(ValueError, match="'ALRAM' is not one of"):
        check_alarm(ERRORS_ALARM, "5 5 5", expect="OK OK ALRAM")


def test_replay_returns_each_evaluation_for_inspection():
    results = replay_alarm({**ERRORS_ALARM, "DatapointsToAlarm": 1}, "_ 5 0")
    assert [r.state for r in results] == ["INSUFFICIENT_DATA", "ALARM", "ALARM"]
    assert [r.rule for r in results] == ["no datapoints", "real datapoints only", "real datapoints only"]
    assert [r.newest_datapoint.value for r in results] == [None, 5.0, 0.0]


def test_replay_can_start_from_a_given_state():
    results = replay_alarm({**ERRORS_ALARM, "TreatMissingData": "ignore"}, "_ _", previous_state="ALARM")
    assert [r.state for r in results] == ["ALARM", "ALARM"]
