"""What decides whether a page reaches a person, and what an alarm gets wrong by design: pure checks, many cases."""

import pytest

from simulacro.provision import delivery
from simulacro.provision.alarm_design import design_problems
from simulacro.provision.conformance import differences
from simulacro.spec import DEFAULT_SPEC, load_stack

DEFINITION = {
    "AlarmName": "a",
    "MetricName": "ModelLatency",
    "Namespace": "AWS/SageMaker",
    "ExtendedStatistic": "p95",
    "Period": 60,
    "EvaluationPeriods": 3,
    "ComparisonOperator": "GreaterThanThreshold",
    "Threshold": 250000.0,
    "Dimensions": [{"Name": "EndpointName", "Value": "e"}],
}
MESSAGES = delivery.alarm_messages(DEFINITION, "210987654321", "eu-west-1")


@pytest.fixture(scope="module")
def stack():
    return load_stack(DEFAULT_SPEC)


@pytest.mark.parametrize(
    "policy, scope, dropped",
    [
        ({"severity": ["critical"]}, "MessageAttributes", True),
        ({"severity": [{"exists": False}]}, "MessageAttributes", False),
        ({"NewStateValue": ["ALARM"]}, "MessageBody", False),
        ({"NewStateValue": ["OK"]}, "MessageBody", True),
        ({"AlarmName": [{"prefix": "a"}]}, "MessageBody", False),
        ({"Trigger": {"MetricName": ["Invocation5XXErrors"]}}, "MessageBody", True),
        ({"Trigger": {"Threshold": [{"numeric": [">", 1000]}]}}, "MessageBody", False),
        (None, "MessageAttributes", False),
    ],
)
def test_a_filter_policy_is_judged_on_cloudwatchs_real_message(policy, scope, dropped):
    problem = delivery.filter_policy_problem({"filter_policy": policy, "filter_policy_scope": scope}, MESSAGES)
    assert (problem is not None) == dropped, problem


def test_cloudwatchs_message_has_the_documented_fields():
    alarm, ok = MESSAGES
    assert alarm["NewStateValue"] == "ALARM" and ok["NewStateValue"] == "OK"
    assert {"AlarmName", "AWSAccountId", "Region", "Trigger", "StateChangeTime", "OldStateValue"} <= set(alarm)


@pytest.mark.parametrize(
    "key, refused",
    [
        ("alias/aws/sns", True),
        ("arn:aws:kms:eu-west-1:210987654321:alias/aws/sns", True),
        ("alias/churn-alerts", False),
        (None, False),
    ],
)
def test_the_aws_managed_key_refuses_cloudwatch(key, refused):
    assert (delivery.encryption_problem(key) is not None) == refused


TOPIC = "arn:aws:sns:eu-west-1:210987654321:t"
ALARM_ARN = "arn:aws:cloudwatch:eu-west-1:210987654321:alarm:a"


@pytest.mark.parametrize(
    "statement, refused",
    [
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "SNS:Publish",
                "Resource": TOPIC,
                "Condition": {"StringEquals": {"AWS:SourceOwner": "210987654321"}},
            },
            False,
        ),  # SNS's default policy
        (
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": TOPIC,
            },
            False,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": TOPIC,
            },
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "SNS:Publish",
                "Resource": TOPIC,
                "Condition": {"StringEquals": {"AWS:SourceOwner": "999999999999"}},
            },
            True,
        ),
    ],
)
def test_a_topic_policy_is_judged_for_cloudwatch(statement, refused):
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    problem = delivery.publish_refused(
        policy, principal=delivery.CLOUDWATCH, topic_arn=TOPIC, source_arn=ALARM_ARN, account="210987654321"
    )
    assert (problem is not None) == refused, problem


def test_a_deny_wins_over_the_default_allow():
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "SNS:Publish",
                "Resource": TOPIC,
                "Condition": {"StringEquals": {"AWS:SourceOwner": "210987654321"}},
            },
            {
                "Effect": "Deny",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:*",
                "Resource": "*",
            },
        ]
    }
    assert delivery.publish_refused(
        policy, principal=delivery.CLOUDWATCH, topic_arn=TOPIC, source_arn=ALARM_ARN, account="210987654321"
    )


def test_a_queue_without_policy_refuses_eventbridge():
    assert delivery.send_refused(
        None,
        principal=delivery.EVENTS,
        queue_arn="arn:aws:sqs:eu-west-1:1:q",
        source_arn="arn:aws:events:eu-west-1:1:rule/r",
        account="1",
    )


def test_the_declared_spec_has_no_design_problem(stack):
    assert {a.name: design_problems(a, stack) for a in stack.alarms if design_problems(a, stack)} == {}


def _alarm(stack, name, **changes):
    return stack.alarm(name).model_copy(update=changes)


@pytest.mark.parametrize(
    "name, changes, field, words",
    [
        ("churn-prod-latency-p95", {"threshold": 250}, "threshold", "microseconds"),
        ("churn-prod-latency-p95", {"unit": "Milliseconds"}, "unit", "gets no data"),
        ("churn-prod-latency-p95", {"period": 30}, "period", "resolution"),
        ("churn-prod-5xx-rate", {"expression": "errors / invocations"}, "threshold", "can never be crossed"),
        ("churn-prod-5xx-rate", {"threshold": 100}, "threshold", "can never be crossed"),
        ("churn-prod-5xx-rate", {"period": 300}, "detection budget", "can never page within its budget"),
        ("churn-prod-5xx-rate", {"treat_missing_data": "breaching"}, "missing-data treatment", "an idle endpoint"),
    ],
)
def test_design_problems_name_the_field_and_why(stack, name, changes, field, words):
    problems = design_problems(_alarm(stack, name, **changes), stack)
    assert any(f == field and words in message for f, message in problems), problems


def test_a_prod_alarm_on_staging_dimensions_is_named(stack):
    alarm = stack.alarm("churn-prod-latency-p95")
    metric = alarm.metric.model_copy(
        update={"dimensions": {"EndpointName": "churn-staging", "VariantName": "AllTraffic"}}
    )
    problems = design_problems(alarm.model_copy(update={"metric": metric}), stack)
    assert any("names a resource of staging, not of prod" in m for _, m in problems), problems


def test_a_step_the_pipeline_lacks_is_named(stack):
    alarm = stack.alarm("churn-pipeline-train-step-failed")
    metric = alarm.metric.model_copy(update={"dimensions": {"PipelineName": "churn-training", "StepName": "Training"}})
    problems = design_problems(alarm.model_copy(update={"metric": metric}), stack)
    assert any("StepName=Training is not a step of pipeline churn-training" in m for _, m in problems), problems


def test_differences_walk_every_declared_field_and_live_only_ones():
    wanted = {"A": 1, "B": [1], "New": "x"}
    live = {"A": 1.0, "B": [1], "Unit": "Seconds"}
    assert list(differences(wanted, live, ("Unit",))) == [("New", None, "x"), ("Unit", "Seconds", None)]
    assert list(differences({"R": {"a": 1}}, {}, (), {"R": {"a": 1}})) == []


def test_raw_delivery_is_refused_where_sns_refuses_it():
    from pydantic import ValidationError

    from simulacro.spec.model import Subscription

    with pytest.raises(ValidationError, match="raw_message_delivery applies to sqs"):
        Subscription(protocol="email", endpoint="a@example.com", raw_message_delivery=True)
    assert Subscription(
        protocol="sqs", endpoint="arn:aws:sqs:eu-west-1:1:q", raw_message_delivery=True
    ).attributes() == {"RawMessageDelivery": "true"}
