"""M of N, the comparison operators, the evaluation range and low-sample percentiles."""

from __future__ import annotations

import pytest

from simulacro.alarms import ALARM, INSUFFICIENT_DATA, OK, evaluate_alarm, evaluation_range
from simulacro.alarms.evaluation import judge_window

NOW = 1_800_000_000
PERIOD = 60


def make_alarm(**overrides):
    alarm = {
        "AlarmName": "latency",
        "Period": PERIOD,
        "EvaluationPeriods": 3,
        "Threshold": 10.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "Statistic": "Average",
    }
    alarm.update(overrides)
    return alarm


def one_sample_per_period(values, *, now=NOW):
    """Samples for consecutive periods, the last value in the period that ends at ``now``."""
    first = now - PERIOD * len(values)
    return [(first + PERIOD * i + 1, v) for i, v in enumerate(values) if v is not None]


def state_of(values, previous_state=INSUFFICIENT_DATA, **overrides):
    return evaluate_alarm(
        make_alarm(**overrides), one_sample_per_period(values), now=NOW, previous_state=previous_state
    ).state


def test_evaluation_range_is_five_periods_when_n_is_three():
    assert evaluation_range(3) == 5


def test_evaluation_range_is_always_wider_than_n():
    assert all(evaluation_range(n) == n + 2 for n in (1, 2, 5, 10, 60))


def test_all_n_datapoints_breaching_goes_to_alarm():
    assert state_of([11, 12, 13]) == ALARM


def test_one_good_datapoint_among_n_goes_to_ok_when_m_equals_n():
    assert state_of([11, 9, 13], previous_state=ALARM) == OK


def test_datapoints_to_alarm_defaults_to_evaluation_periods():
    assert state_of([11, 11, 9]) == OK
    assert state_of([11, 11, 9], DatapointsToAlarm=2) == ALARM


def test_m_of_n_breaches_need_not_be_consecutive():
    assert state_of([11, 9, 11], DatapointsToAlarm=2) == ALARM


def test_only_the_n_newest_datapoints_are_judged_when_none_is_missing():
    assert state_of([11, 11, 11, 9, 9], previous_state=ALARM) == OK


def test_newest_real_datapoints_reach_back_over_gaps_within_the_range():
    # 5 periods: X X - X -, three real datapoints, all breaching.
    assert state_of([11, 11, None, 11, None], previous_state=OK) == ALARM


def test_datapoints_older_than_the_evaluation_range_are_not_seen():
    # Six periods back is outside the 5-period range: only one real datapoint remains.
    result = evaluate_alarm(
        make_alarm(TreatMissingData="breaching"),
        one_sample_per_period([9, None, None, None, None, None]),
        now=NOW,
        previous_state=OK,
    )
    assert result.state == ALARM
    assert "no datapoints were received" in result.reason


def test_a_datapoint_at_the_edge_of_the_evaluation_range_still_counts():
    result = evaluate_alarm(
        make_alarm(TreatMissingData="breaching"),
        one_sample_per_period([9, None, None, None, None]),
        now=NOW,
        previous_state=ALARM,
    )
    assert result.state == OK


@pytest.mark.parametrize(
    "operator, breaching_value, good_value",
    [
        ("GreaterThanThreshold", 10.5, 10.0),
        ("GreaterThanOrEqualToThreshold", 10.0, 9.5),
        ("LessThanThreshold", 9.5, 10.0),
        ("LessThanOrEqualToThreshold", 10.0, 10.5),
    ],
)
def test_each_comparison_operator_breaches_on_its_side_of_the_threshold(operator, breaching_value, good_value):
    assert state_of([breaching_value] * 3, ComparisonOperator=operator) == ALARM
    assert state_of([good_value] * 3, ComparisonOperator=operator, previous_state=ALARM) == OK


def test_period_statistic_is_what_is_compared_with_the_threshold():
    first = NOW - 3 * PERIOD
    samples = [(first + PERIOD * i + offset, v) for i in range(3) for offset, v in ((1, 0.0), (2, 30.0))]
    assert evaluate_alarm(make_alarm(Statistic="Average"), samples, now=NOW).state == ALARM  # 15 > 10
    assert evaluate_alarm(make_alarm(Statistic="Minimum"), samples, now=NOW).state == OK
    assert evaluate_alarm(make_alarm(Statistic="SampleCount"), samples, now=NOW).state == OK  # 2 per period


def percentile_alarm(setting):
    return make_alarm(Statistic=None, ExtendedStatistic="p95", EvaluateLowSampleCountPercentile=setting)


def samples_with_counts(counts, value):
    first = NOW - PERIOD * len(counts)
    return [(first + PERIOD * i + j * 0.01, value) for i, count in enumerate(counts) for j in range(count)]


def test_low_sample_percentile_period_keeps_state_when_set_to_ignore():
    # p95 needs 10 / (1 - 0.95) = 200 samples per period; one period has 199.
    result = evaluate_alarm(
        percentile_alarm("ignore"), samples_with_counts([200, 199, 200], 50.0), now=NOW, previous_state=OK
    )
    assert result.state == OK
    assert result.kept_state
    assert "fewer than 200 samples" in result.reason


def test_percentile_periods_with_enough_samples_are_judged_when_set_to_ignore():
    result = evaluate_alarm(
        percentile_alarm("ignore"), samples_with_counts([200, 200, 200], 50.0), now=NOW, previous_state=OK
    )
    assert result.state == ALARM


def test_low_sample_percentile_period_is_judged_anyway_when_set_to_evaluate():
    result = evaluate_alarm(
        percentile_alarm("evaluate"), samples_with_counts([3, 3, 3], 50.0), now=NOW, previous_state=OK
    )
    assert result.state == ALARM


def test_low_sample_rule_only_looks_at_the_datapoints_judged():
    # The thin period is older than the three newest real datapoints: it is not judged.
    result = evaluate_alarm(percentile_alarm("ignore"), samples_with_counts([5, 200, 200, 200], 50.0), now=NOW)
    assert result.state == ALARM


def test_low_sample_rule_uses_ten_over_p_below_the_median():
    alarm = make_alarm(Statistic=None, ExtendedStatistic="p10", EvaluateLowSampleCountPercentile="ignore")
    assert evaluate_alarm(alarm, samples_with_counts([99, 99, 99], 50.0), now=NOW).state == INSUFFICIENT_DATA
    assert evaluate_alarm(alarm, samples_with_counts([100, 100, 100], 50.0), now=NOW).state == ALARM


def test_low_sample_rule_does_not_apply_to_standard_statistics():
    alarm = make_alarm(EvaluateLowSampleCountPercentile="ignore")
    assert evaluate_alarm(alarm, samples_with_counts([1, 1, 1], 50.0), now=NOW).state == ALARM


def test_judge_window_reads_aws_notation_directly():
    verdict = judge_window(list("--X--"), evaluation_periods=3, datapoints_to_alarm=3, treat_missing_data="missing")
    assert verdict.state == ALARM
    assert verdict.rule == "premature-alarm rule"
