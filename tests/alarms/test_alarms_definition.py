"""Reading PutMetricAlarm dicts: defaults, and a clear error for each way one can be wrong."""

from __future__ import annotations

import pytest

from simulacro.alarms import AlarmDefinitionError, evaluate_alarm, parse_alarm

BASE = {
    "AlarmName": "churn-staging-5xx",
    "Namespace": "AWS/SageMaker",
    "MetricName": "Invocation5XXErrors",
    "Dimensions": [{"Name": "EndpointName", "Value": "churn-staging"}],
    "Period": 60,
    "EvaluationPeriods": 3,
    "Threshold": 1.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "Statistic": "Sum",
}


def with_fields(**changes):
    alarm = dict(BASE)
    for key, value in changes.items():
        if value is None:
            alarm.pop(key, None)
        else:
            alarm[key] = value
    return alarm


def test_defaults_follow_put_metric_alarm():
    definition = parse_alarm(BASE)
    assert definition.datapoints_to_alarm == 3
    assert definition.treat_missing_data == "missing"
    assert definition.evaluate_low_sample_count_percentile == "evaluate"
    assert not definition.is_metric_math


def test_a_parsed_definition_can_be_passed_instead_of_the_dict():
    definition = parse_alarm(BASE)
    assert parse_alarm(definition) is definition
    assert evaluate_alarm(definition, [], now=0).state == "INSUFFICIENT_DATA"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"Period": 45}, "Period", "10, 30 or a multiple of 60"),
        ({"Period": None}, "Period", "is required"),
        ({"EvaluationPeriods": 0}, "EvaluationPeriods", "at least 1"),
        ({"DatapointsToAlarm": 4}, "DatapointsToAlarm", "more than EvaluationPeriods"),
        ({"Threshold": "1"}, "Threshold", "expected a number"),
        ({"ComparisonOperator": "GreaterThan"}, "ComparisonOperator", "GreaterThanThreshold"),
        ({"ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold"}, "ComparisonOperator", "expected one of"),
        ({"Statistic": "Mean"}, "Statistic", "expected one of SampleCount"),
        ({"Statistic": None}, "Statistic", "exactly one of Statistic or ExtendedStatistic"),
        ({"ExtendedStatistic": "p99"}, "Statistic", "exactly one of Statistic or ExtendedStatistic"),
        ({"Statistic": None, "ExtendedStatistic": "tm99"}, "ExtendedStatistic", "percentile such as"),
        ({"TreatMissingData": "zero"}, "TreatMissingData", "notBreaching"),
        ({"EvaluateLowSampleCountPercentile": "skip"}, "EvaluateLowSampleCountPercentile", "evaluate, ignore"),
        ({"Metrics": [{"Id": "m1", "Expression": "1"}]}, "Metrics", "must not also set"),
    ],
)
def test_invalid_alarm_is_refused_naming_the_field_and_what_was_expected(changes, field, message):
    with pytest.raises(AlarmDefinitionError, match=message) as raised:
        parse_alarm(with_fields(**changes))
    assert raised.value.field == field
    assert str(raised.value).startswith("alarm 'churn-staging-5xx': ")


def test_percentile_alarm_reads_its_percentile():
    definition = parse_alarm(
        with_fields(Statistic=None, ExtendedStatistic="p99.9", EvaluateLowSampleCountPercentile="ignore")
    )
    assert definition.statistic.name == "p99.9"
    assert definition.skips_low_sample_periods
    assert definition.low_sample_minimum == 10000  # 10 / (1 - 0.999)
    assert definition.single_statistic is definition.statistic


@pytest.mark.parametrize(
    "changes",
    [
        dict(Statistic=None, ExtendedStatistic="p99"),  # evaluates low-sample periods (the default)
        dict(Statistic=None, ExtendedStatistic="p99", EvaluateLowSampleCountPercentile="evaluate"),
        dict(Statistic="Average", EvaluateLowSampleCountPercentile="ignore"),  # no percentile: no minimum
        dict(Statistic=None, ExtendedStatistic="p100", EvaluateLowSampleCountPercentile="ignore"),  # p100: none
    ],
)
def test_only_a_percentile_alarm_that_ignores_thin_periods_skips_them(changes):
    definition = parse_alarm(with_fields(**changes))
    assert definition.low_sample_minimum is None
    assert not definition.skips_low_sample_periods


def test_a_metric_math_alarm_has_no_single_statistic():
    alarm = with_fields(MetricName=None, Namespace=None, Dimensions=None, Statistic=None, Period=None)
    alarm["Metrics"] = [
        {"Id": "m1", "MetricStat": {"Metric": {}, "Period": 60, "Stat": "p99"}, "ReturnData": False},
        {"Id": "e1", "Expression": "m1 * 2"},
    ]
    alarm["EvaluateLowSampleCountPercentile"] = "ignore"
    definition = parse_alarm(alarm)
    assert definition.low_sample_minimum is None  # thin periods are a single-metric percentile alarm's matter
    with pytest.raises(AlarmDefinitionError, match="metric-math alarm has no single statistic"):
        _ = definition.single_statistic


def test_metric_query_ids_must_start_with_a_lower_case_letter():
    alarm = with_fields(Namespace=None, MetricName=None, Period=None, Statistic=None, Dimensions=None)
    alarm["Metrics"] = [{"Id": "Errors", "MetricStat": {"Metric": {}, "Period": 60, "Stat": "Sum"}}]
    with pytest.raises(AlarmDefinitionError, match="lower-case letter"):
        parse_alarm(alarm)


def test_something_other_than_a_dict_is_refused():
    with pytest.raises(AlarmDefinitionError, match="expected a PutMetricAlarm dict"):
        parse_alarm(["not", "an", "alarm"])


def test_an_unknown_previous_state_is_refused():
    with pytest.raises(ValueError, match="not one of OK, ALARM, INSUFFICIENT_DATA"):
        evaluate_alarm(BASE, [], now=0, previous_state="Alarm")


def test_metric_stat_errors_name_the_query_they_come_from():
    alarm = with_fields(Namespace=None, MetricName=None, Period=None, Statistic=None, Dimensions=None)
    alarm["Metrics"] = [{"Id": "m1", "MetricStat": {"Metric": {}, "Period": 45, "Stat": "Sum"}}]
    with pytest.raises(AlarmDefinitionError) as raised:
        parse_alarm(alarm)
    assert raised.value.field == "Metrics[0].MetricStat.Period"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True])
def test_non_finite_or_boolean_numbers_are_refused(value):
    with pytest.raises(AlarmDefinitionError, match="expected"):
        parse_alarm(with_fields(Threshold=value))
    with pytest.raises(AlarmDefinitionError, match="expected a whole number"):
        parse_alarm(with_fields(EvaluationPeriods=value))
