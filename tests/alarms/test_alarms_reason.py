"""State reason text and reason data in CloudWatch's formats."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from simulacro.alarms import evaluate_alarm
from simulacro.alarms.reason import java_number

NOW = datetime(2026, 11, 27, 14, 21, tzinfo=timezone.utc)
T = NOW.timestamp()


def alarm(**overrides):
    base = {
        "AlarmName": "latency",
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "Statistic": "Maximum",
    }
    base.update(overrides)
    return base


def values(*per_period):
    """One sample per period, the last period ending at NOW; None for no sample."""
    first = T - 60 * len(per_period)
    return [(first + 60 * i, v) for i, v in enumerate(per_period) if v is not None]


def test_alarm_reason_lists_the_breaching_datapoints_newest_first():
    result = evaluate_alarm(alarm(), values(0, 0, 3, 4, 5), now=NOW)
    assert result.reason == (
        "Threshold Crossed: 3 out of the last 3 datapoints [5.0 (27/11/26 14:20:00), 4.0 (27/11/26 14:19:00), "
        "3.0 (27/11/26 14:18:00)] were greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )


def test_ok_reason_counts_the_good_datapoints_and_the_minimum_for_alarm_to_ok():
    result = evaluate_alarm(alarm(DatapointsToAlarm=2), values(5, 0.5, 5), now=NOW, previous_state="ALARM")
    assert result.state == "ALARM"
    result = evaluate_alarm(alarm(DatapointsToAlarm=2), values(5, 0.5, 0.25), now=NOW, previous_state="ALARM")
    assert result.reason == (
        "Threshold Crossed: 2 out of the last 3 datapoints [0.25 (27/11/26 14:20:00), 0.5 (27/11/26 14:19:00)] "
        "were not greater than the threshold (1.0) (minimum 2 datapoints for ALARM -> OK transition)."
    )


def test_a_one_of_one_alarm_is_worded_as_aws_records_it():
    """LocalStack's test_put_metric_alarm snapshot, recorded against AWS in 2023."""
    result = evaluate_alarm(
        alarm(EvaluationPeriods=1, ComparisonOperator="LessThanOrEqualToThreshold"), values(0.5), now=NOW
    )
    assert result.reason == (
        "Threshold Crossed: 1 datapoint [0.5 (27/11/26 14:20:00)] was less than or equal to the threshold (1.0)."
    )
    result = evaluate_alarm(alarm(EvaluationPeriods=1), values(0.5), now=NOW, previous_state="ALARM")
    assert (
        result.reason
        == "Threshold Crossed: 1 datapoint [0.5 (27/11/26 14:20:00)] was not greater than the threshold (1.0)."
    )


def test_a_two_of_two_alarm_keeps_the_m_of_n_wording():
    result = evaluate_alarm(alarm(EvaluationPeriods=2), values(5, 5), now=NOW)
    assert result.reason.startswith("Threshold Crossed: 2 out of the last 2 datapoints [")
    assert result.reason.endswith("(minimum 2 datapoints for OK -> ALARM transition).")


@pytest.mark.parametrize(
    "periods, text",
    [
        (1, "Insufficient Data: 1 datapoint was unknown."),
        (3, "Insufficient Data: 3 datapoints were unknown."),
        (5, "Insufficient Data: 5 datapoints were unknown."),
    ],
)
def test_insufficient_data_counts_the_evaluation_periods_not_the_range(periods, text):
    assert evaluate_alarm(alarm(EvaluationPeriods=periods), [], now=NOW).reason == text


def test_reason_when_every_datapoint_was_filled_as_breaching():
    result = evaluate_alarm(alarm(TreatMissingData="breaching"), [], now=NOW)
    assert result.reason == (
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching]."
    )


def test_reason_when_some_datapoints_were_filled_as_not_breaching():
    result = evaluate_alarm(alarm(EvaluationPeriods=2, TreatMissingData="notBreaching"), values(5, None), now=NOW)
    assert result.reason == (
        "Threshold Crossed: 1 datapoint [5.0 (27/11/26 14:19:00)] was received for 2 periods and "
        "1 missing datapoint was treated as [NonBreaching]."
    )


def test_insufficient_data_reason_counts_evaluation_periods():
    assert evaluate_alarm(alarm(), [], now=NOW).reason == "Insufficient Data: 3 datapoints were unknown."


def test_kept_state_reason_says_the_state_is_unchanged_and_why():
    result = evaluate_alarm(alarm(TreatMissingData="ignore"), [], now=NOW, previous_state="ALARM")
    assert result.reason.startswith("Unchanged state: no datapoints were received for 3 periods")
    assert result.kept_state and not result.changed


def test_reason_data_has_cloudwatch_fields():
    result = evaluate_alarm(alarm(Unit="Milliseconds"), values(0, 0, 3, 4, 5), now=NOW)
    assert result.reason_data == {
        "version": "1.0",
        "queryDate": "2026-11-27T14:21:00.000+0000",
        "startDate": "2026-11-27T14:18:00.000+0000",
        "statistic": "Maximum",
        "unit": "Milliseconds",
        "period": 60,
        "recentDatapoints": [3.0, 4.0, 5.0],
        "threshold": 1.0,
        "evaluatedDatapoints": [
            {"timestamp": "2026-11-27T14:20:00.000+0000", "sampleCount": 1.0, "value": 5.0},
            {"timestamp": "2026-11-27T14:19:00.000+0000", "sampleCount": 1.0, "value": 4.0},
            {"timestamp": "2026-11-27T14:18:00.000+0000", "sampleCount": 1.0, "value": 3.0},
        ],
    }


def test_reason_data_of_a_percentile_alarm_names_the_extended_statistic():
    result = evaluate_alarm(alarm(Statistic=None, ExtendedStatistic="p99"), values(5, 5, 5), now=NOW)
    assert result.reason_data["extendedStatistic"] == "p99"
    assert "statistic" not in result.reason_data


def test_reason_data_lists_missing_periods_by_timestamp_only():
    result = evaluate_alarm(alarm(), values(None, None, None, None, 0), now=NOW)
    assert result.reason_data["evaluatedDatapoints"][1] == {"timestamp": "2026-11-27T14:19:00.000+0000"}
    assert result.reason_data["recentDatapoints"] == [0.0]


def test_query_date_keeps_milliseconds():
    result = evaluate_alarm(alarm(), [], now=datetime(2026, 11, 27, 14, 21, 5, 399000, tzinfo=timezone.utc))
    assert result.reason_data["queryDate"] == "2026-11-27T14:21:05.399+0000"


@pytest.mark.parametrize(
    "value, text",
    [
        (1.0, "1.0"),
        (0.1, "0.1"),
        (20000.0, "20000.0"),
        (3.6266666666666665, "3.6266666666666665"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (0.0001, "1.0E-4"),
        (-2.5e-5, "-2.5E-5"),
        (0.0, "0.0"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_numbers_are_written_as_java_writes_doubles(value, text):
    assert java_number(value) == text
