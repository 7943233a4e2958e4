"""The pipeline and endpoint alarm drills fail, naming the alarm and why, on the misconfigurations they
exist to catch (the declared stack's run is in test_catalogue.py)."""

import pytest

from support.drill_runner import all_of, assert_drills_report, change_alarm


def p99_dims(endpoint):
    return [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}]


def threshold_too_high(target):
    change_alarm(target, "churn-staging-5xx-rate", Threshold=90.0)


def wrong_dimension(target):
    change_alarm(target, "churn-staging-latency-p95", Dimensions=p99_dims("churn-staging-v2"))


def period_too_long(target):
    change_alarm(target, "churn-staging-latency-p99", Period=300)


def wrong_namespace_spelling(target):
    change_alarm(target, "churn-pipeline-execution-failed", Namespace="AWS/SageMaker/ModelBuildingPipeline")


def wrong_step_dimension(target):
    change_alarm(
        target,
        "churn-pipeline-train-step-failed",
        Dimensions=[{"Name": "PipelineName", "Value": "churn-training"}, {"Name": "StepName", "Value": "Training"}],
    )


def evaluate_alarm_without_actions(target):
    change_alarm(target, "churn-pipeline-evaluate-step-failed", AlarmActions=[])


def comparison_reversed(target):
    change_alarm(target, "churn-staging-latency-p95", ComparisonOperator="LessThanThreshold")


def threshold_below_healthy_latency(target):
    change_alarm(target, "churn-staging-latency-p99", Threshold=20000.0)


CASES = {
    "test_endpoint_alarms.py": (
        all_of(threshold_too_high, wrong_dimension, period_too_long),
        [
            "alarm churn-staging-5xx-rate (staging) did not enter ALARM within 4m",
            "Differs from the spec in: Threshold",
            "alarm churn-staging-latency-p95 (staging) did not enter ALARM within 5m",
            "alarm churn-staging-latency-p99 (staging) did not enter",
            "3 of 3 x 300s, missing data notBreaching. Differs from the spec in: Period",
        ],
    ),
    "test_pipeline_alarms.py": (
        all_of(wrong_namespace_spelling, wrong_step_dimension, evaluate_alarm_without_actions),
        [
            "alarm churn-pipeline-execution-failed (staging) did not enter ALARM within 3m",
            "alarm churn-pipeline-train-step-failed (staging) did not enter ALARM within 3m",
            "no ALARM notification for alarm churn-pipeline-evaluate-step-failed",
        ],
    ),
    "test_control_run.py": (
        threshold_below_healthy_latency,
        [
            "alarms fired on a healthy system",
            "churn-staging-latency-p99 (staging): Alarm updated from OK to ALARM",
        ],
    ),
}


@pytest.mark.parametrize("drill", sorted(CASES))
def test_alarm_drills_fail_naming_the_alarm_and_why(pytester, drill):
    breaker, messages = CASES[drill]
    assert_drills_report(pytester, breaker, drill, messages)


def test_a_reversed_comparison_breaks_the_steady_state(pytester):
    assert_drills_report(
        pytester,
        comparison_reversed,
        "test_endpoint_alarms.py",
        [
            "alarm churn-staging-latency-p95 (staging) left OK for ALARM under healthy traffic, before any fault",
            "Differs from the spec in: ComparisonOperator",
        ],
        extra=("-k", "p95"),
    )
