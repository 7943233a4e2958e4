"""AWS's worked examples of missing-data evaluation, row by row.

From "Configuring how CloudWatch alarms treat missing data" (CloudWatch user guide): the evaluation
range is 5 periods for N = 3; ``0`` is a good datapoint, ``X`` a breaching one, ``-`` missing, the
newest on the right. "Retain current state" is checked from every starting state.
"""

from __future__ import annotations

import pytest

from simulacro.alarms import ALARM, ALARM_STATES, INSUFFICIENT_DATA, OK, evaluate_alarm

NOW = 1_800_000_000  # a multiple of 60: the newest period ends here
RETAIN = "retain current state"
VALUE_OF = {"0": 0.0, "X": 5.0}


def evaluate_pattern(pattern: str, *, m: int, treat_missing_data: str, previous_state: str = INSUFFICIENT_DATA):
    alarm = {
        "AlarmName": "table-row",
        "Period": 60,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": m,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "Statistic": "Maximum",
        "TreatMissingData": treat_missing_data,
    }
    marks = pattern.split()
    oldest_start = NOW - 60 * len(marks)
    samples = [(oldest_start + 60 * i + 30, VALUE_OF[mark]) for i, mark in enumerate(marks) if mark != "-"]
    return evaluate_alarm(alarm, samples, now=NOW, previous_state=previous_state)


def assert_row(pattern: str, m: int, treat_missing_data: str, expected: str) -> None:
    if expected == RETAIN:
        for state in ALARM_STATES:
            result = evaluate_pattern(pattern, m=m, treat_missing_data=treat_missing_data, previous_state=state)
            assert result.state == state and result.kept_state, (state, result.reason)
    else:
        result = evaluate_pattern(pattern, m=m, treat_missing_data=treat_missing_data)
        assert result.state == expected, result.reason


COLUMNS = ("missing", "ignore", "breaching", "notBreaching")

THREE_OUT_OF_THREE = [
    ("0 - X - X", (OK, OK, OK, OK)),
    ("0 - - - -", (OK, OK, OK, OK)),
    ("- - - - -", (INSUFFICIENT_DATA, RETAIN, ALARM, OK)),
    ("0 X X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("- - X - -", (ALARM, RETAIN, ALARM, OK)),
]

TWO_OUT_OF_THREE = [
    ("0 - X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 0 X 0 X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 - X - -", (OK, OK, ALARM, OK)),
    ("- - - - 0", (OK, OK, ALARM, OK)),
    ("- - - X -", (ALARM, RETAIN, ALARM, OK)),
]


@pytest.mark.parametrize("pattern, expected", THREE_OUT_OF_THREE)
@pytest.mark.parametrize("column", range(4), ids=COLUMNS)
def test_three_out_of_three_alarm_matches_aws_table_row(pattern, expected, column):
    assert_row(pattern, 3, COLUMNS[column], expected[column])


@pytest.mark.parametrize("pattern, expected", TWO_OUT_OF_THREE)
@pytest.mark.parametrize("column", range(4), ids=COLUMNS)
def test_two_out_of_three_alarm_matches_aws_table_row(pattern, expected, column):
    assert_row(pattern, 2, COLUMNS[column], expected[column])


def test_one_good_datapoint_keeps_a_breaching_alarm_ok_until_it_leaves_the_range():
    # AWS: "0 - - - -" stays OK even when missing data is breaching; next time it goes to ALARM.
    assert evaluate_pattern("0 - - - -", m=3, treat_missing_data="breaching").state == OK
    assert evaluate_pattern("- - - - -", m=3, treat_missing_data="breaching", previous_state=OK).state == ALARM


@pytest.mark.parametrize("pattern", ["- - - - X", "- - - X -"])
@pytest.mark.parametrize("previous_state", ALARM_STATES)
def test_fresh_breach_followed_by_missing_data_does_not_alarm_prematurely(pattern, previous_state):
    result = evaluate_pattern(pattern, m=3, treat_missing_data="missing", previous_state=previous_state)
    assert result.state == previous_state
    assert result.kept_state
    assert "premature-alarm rule" in result.reason


def test_breach_three_periods_old_followed_by_missing_data_alarms_under_missing():
    result = evaluate_pattern("- - X - -", m=3, treat_missing_data="missing", previous_state=OK)
    assert result.state == ALARM
    assert not result.kept_state


def test_premature_alarm_rule_does_not_apply_when_missing_data_is_ignored():
    result = evaluate_pattern("- - X - -", m=3, treat_missing_data="ignore", previous_state=OK)
    assert result.state == OK
    assert result.kept_state


def test_premature_alarm_rule_counts_age_within_the_last_n_periods_only():
    # The breach has left the last N periods: the rule no longer fires and the alarm keeps its state.
    assert evaluate_pattern("X - - - -", m=3, treat_missing_data="missing", previous_state=OK).state == OK


def test_premature_alarm_rule_needs_breach_at_least_m_periods_old_for_m_of_n():
    assert evaluate_pattern("- - - - X", m=2, treat_missing_data="missing", previous_state=OK).state == OK
    assert evaluate_pattern("- - - X -", m=2, treat_missing_data="missing", previous_state=OK).state == ALARM


def test_missing_data_gives_insufficient_data_only_when_the_whole_range_is_empty():
    assert evaluate_pattern("0 - - - -", m=3, treat_missing_data="missing", previous_state=ALARM).state == OK
    assert evaluate_pattern("- - - - -", m=3, treat_missing_data="missing", previous_state=ALARM).state == (
        INSUFFICIENT_DATA
    )


@pytest.mark.parametrize("treat_missing_data", COLUMNS)
def test_enough_real_datapoints_make_treat_missing_data_irrelevant(treat_missing_data):
    result = evaluate_pattern("X - 0 0 -", m=1, treat_missing_data=treat_missing_data, previous_state=ALARM)
    assert result.state == ALARM  # the three newest real datapoints are X 0 0: one breach is enough
    assert result.rule == "newest real datapoints"


def test_missing_data_treated_as_not_breaching_fills_gap_with_good_points():
    assert evaluate_pattern("- - - X X", m=3, treat_missing_data="notBreaching").state == OK
    assert evaluate_pattern("- - - X X", m=2, treat_missing_data="notBreaching").state == ALARM


def test_missing_data_breaching_fills_gap_with_breaching_points():
    assert evaluate_pattern("- - - - X", m=3, treat_missing_data="breaching").state == ALARM
    assert evaluate_pattern("- - - 0 X", m=3, treat_missing_data="breaching").state == OK
    assert evaluate_pattern("- - - 0 X", m=2, treat_missing_data="breaching").state == ALARM
