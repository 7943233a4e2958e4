"""Metric-math alarms: the expression parser, missing data and division by zero, end to end."""

from __future__ import annotations

import numpy as np
import pytest

from simulacro.alarms import ALARM, OK, AlarmDefinitionError, SamplesError, evaluate_alarm
from simulacro.alarms.metric_math import ExpressionError, evaluate_tree, parse_expression

NOW = 1_800_000_000


def compute(expression, **series):
    arrays = {name: np.asarray(values, dtype=float) for name, values in series.items()}
    length = len(next(iter(arrays.values()))) if arrays else 1
    return evaluate_tree(parse_expression(expression), arrays, length).tolist()


def test_multiplication_binds_tighter_than_addition():
    assert compute("1 + 2 * 3") == [7.0]


def test_parentheses_group_first():
    assert compute("(1 + 2) * 3") == [9.0]


def test_operators_of_equal_precedence_apply_left_to_right():
    assert compute("8 / 4 / 2") == [1.0]
    assert compute("10 - 3 - 2") == [5.0]


def test_unary_minus_and_decimal_numbers():
    assert compute("-m1 * 0.5 + -(-2)", m1=[4.0]) == [0.0]


def test_error_rate_expression_over_metric_ids():
    assert compute("100 * errors / invocations", errors=[1, 5], invocations=[50, 10]) == [2.0, 50.0]


def test_division_by_zero_yields_no_datapoint_for_that_period():
    result = compute("errors / invocations", errors=[1, 0, 3], invocations=[2, 0, 0])
    assert result[0] == 0.5 and np.isnan(result[1]) and np.isnan(result[2])


def test_a_missing_operand_yields_no_datapoint():
    result = compute("m1 + m2", m1=[1.0, 2.0], m2=[np.nan, 3.0])
    assert np.isnan(result[0]) and result[1] == 5.0


def test_fill_replaces_missing_datapoints_with_a_value():
    assert compute("FILL(m1, 0) + 1", m1=[np.nan, 2.0]) == [1.0, 3.0]


@pytest.mark.parametrize(
    "expression, message",
    [
        ("1 +", "ends too early"),
        ("(m1 + 2", "ends too early"),
        ("m1 m2", "unexpected"),
        ("m1 ^ 2", "cannot read"),
        ("__import__('os')", "cannot read"),
        ("SQRT(m1)", "not supported"),
        ("FILL(m1)", "takes 2 arguments"),
        ("", "non-empty"),
    ],
)
def test_malformed_expressions_are_refused_without_evaluating_anything(expression, message):
    with pytest.raises(ExpressionError, match=message):
        parse_expression(expression)


def error_rate_alarm(**overrides):
    def metric(name):
        return {
            "Namespace": "AWS/SageMaker",
            "MetricName": name,
            "Dimensions": [{"Name": "EndpointName", "Value": "churn"}],
        }

    alarm = {
        "AlarmName": "churn-error-rate",
        "EvaluationPeriods": 2,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "Metrics": [
            {
                "Id": "errors",
                "MetricStat": {"Metric": metric("Invocation5XXErrors"), "Period": 60, "Stat": "Sum"},
                "ReturnData": False,
            },
            {
                "Id": "invocations",
                "MetricStat": {"Metric": metric("Invocations"), "Period": 60, "Stat": "Sum"},
                "ReturnData": False,
            },
            {"Id": "rate", "Expression": "100 * errors / invocations", "ReturnData": True},
        ],
    }
    alarm.update(overrides)
    return alarm


def per_period(values, periods_back_of_first):
    first = NOW - 60 * periods_back_of_first
    return [(first + 60 * i + 1, v) for i, v in enumerate(values) if v is not None]


def test_metric_math_alarm_goes_to_alarm_on_the_expression_value():
    samples = {"errors": per_period([1, 10, 10], 3), "invocations": per_period([100, 100, 100], 3)}
    result = evaluate_alarm(error_rate_alarm(), samples, now=NOW)
    assert result.state == ALARM
    assert [p.value for p in result.datapoints[-3:]] == [1.0, 10.0, 10.0]
    assert result.reason_data["period"] == 60 and "statistic" not in result.reason_data


def test_metric_math_alarm_without_traffic_has_no_datapoints_and_goes_to_insufficient_data():
    samples = {"errors": per_period([0, 0, 0], 3), "invocations": per_period([0, 0, 0], 3)}
    result = evaluate_alarm(error_rate_alarm(), samples, now=NOW, previous_state=OK)
    assert result.state == "INSUFFICIENT_DATA"


def test_metric_math_alarm_treats_missing_expression_values_as_configured():
    samples = {"errors": per_period([0, 0, 0], 3), "invocations": per_period([0, 0, 0], 3)}
    result = evaluate_alarm(error_rate_alarm(TreatMissingData="notBreaching"), samples, now=NOW, previous_state=ALARM)
    assert result.state == OK


def test_expressions_may_build_on_other_expressions():
    alarm = error_rate_alarm()
    alarm["Metrics"][2] = {"Id": "ratio", "Expression": "errors / invocations", "ReturnData": False}
    alarm["Metrics"].append({"Id": "percent", "Expression": "ratio * 100"})
    samples = {"errors": per_period([10, 10], 2), "invocations": per_period([100, 100], 2)}
    assert evaluate_alarm(alarm, samples, now=NOW).state == ALARM


def test_metric_math_samples_must_name_each_metric():
    with pytest.raises(SamplesError, match=r"no samples for \['invocations'\]"):
        evaluate_alarm(error_rate_alarm(), {"errors": []}, now=NOW)
    with pytest.raises(SamplesError, match="dict of metric id"):
        evaluate_alarm(error_rate_alarm(), [], now=NOW)


def test_expression_referring_to_an_unknown_id_is_refused_when_the_alarm_is_read():
    alarm = error_rate_alarm()
    alarm["Metrics"][2]["Expression"] = "100 * errors / invocatons"
    with pytest.raises(AlarmDefinitionError, match="unknown id.*invocatons"):
        evaluate_alarm(alarm, {}, now=NOW)


def test_exactly_one_query_must_return_data():
    alarm = error_rate_alarm()
    del alarm["Metrics"][0]["ReturnData"]
    with pytest.raises(AlarmDefinitionError, match="exactly one query must have ReturnData true.*errors, rate"):
        evaluate_alarm(alarm, {}, now=NOW)


def test_expressions_referring_to_each_other_in_a_cycle_are_refused():
    alarm = error_rate_alarm()
    alarm["Metrics"][2]["Expression"] = "other + 1"
    alarm["Metrics"].append({"Id": "other", "Expression": "rate * 2", "ReturnData": False})
    with pytest.raises(AlarmDefinitionError, match="cycle"):
        evaluate_alarm(alarm, {}, now=NOW)


def test_metric_stats_with_different_periods_are_refused():
    alarm = error_rate_alarm()
    alarm["Metrics"][1]["MetricStat"]["Period"] = 300
    with pytest.raises(AlarmDefinitionError, match="same Period"):
        evaluate_alarm(alarm, {}, now=NOW)
