"""A composite alarm's AlarmRule, parsed and evaluated as CloudWatch does."""

import re

import pytest

from simulacro.alarms.composite import (
    CompositeRuleError,
    alarm_name,
    evaluate_rule,
    parse_rule,
    referenced_alarms,
)

STATES = {"cpu": "ALARM", "mem": "OK", "disk": "INSUFFICIENT_DATA", "my alarm": "ALARM"}


@pytest.mark.parametrize(
    "rule, holds",
    [
        ("ALARM(cpu)", True),
        ("ALARM(mem)", False),
        ("OK(mem)", True),
        ("INSUFFICIENT_DATA(disk)", True),
        ("ALARM(cpu) AND ALARM(mem)", False),
        ("ALARM(cpu) OR ALARM(mem)", True),
        ("NOT ALARM(mem)", True),
        ("NOT (ALARM(cpu) OR ALARM(mem))", False),
        ("ALARM(mem) OR ALARM(cpu) AND OK(mem)", True),  # AND binds tighter than OR
        ("(ALARM(mem) OR ALARM(cpu)) AND NOT OK(mem)", False),
        ("TRUE", True),
        ("FALSE", False),
        ("ALARM(cpu) AND TRUE", True),
        ("ALARM(cpu) AND FALSE", False),
        ('ALARM("my alarm")', True),
        ("ALARM(arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cpu)", True),
        ("ALARM(gone)", False),  # an alarm without a state is in no state
    ],
)
def test_rules_hold_as_cloudwatch_evaluates_them(rule, holds):
    states = {**STATES, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cpu": "ALARM"}
    assert evaluate_rule(parse_rule(rule), states) is holds


@pytest.mark.parametrize(
    "rule, words",
    [
        ("", "empty"),
        ("ALARM(cpu) AND", "ends too early"),
        ("ALARM(cpu", "ends too early"),
        ("alarm(cpu)", "upper case"),
        ("ALARM(cpu) and OK(mem)", "upper case"),
        ("ALARM()", "needs an alarm name"),
        ("ALARM(cpu) OK(mem)", "Unexpected 'OK'"),
        ("cpu", "expected ALARM()"),
        ("ALARM(cpu))", "Unexpected ')'"),
    ],
)
def test_malformed_rules_are_refused_saying_where(rule, words):
    with pytest.raises(CompositeRuleError, match=re.escape(words)):
        parse_rule(rule)


def test_referenced_alarms_in_order_without_repeats_and_names_from_arns():
    rule = parse_rule("ALARM(a) OR (OK(b) AND NOT ALARM(a)) OR ALARM(arn:aws:cloudwatch:eu-west-1:1:alarm:c)")
    assert referenced_alarms(rule) == ["a", "b", "arn:aws:cloudwatch:eu-west-1:1:alarm:c"]
    assert alarm_name("arn:aws:cloudwatch:eu-west-1:1:alarm:c") == "c" and alarm_name("a") == "a"


def test_aws_limits_of_100_children_and_500_elements():
    parse_rule(" OR ".join(f"ALARM(a{i})" for i in range(100)))
    with pytest.raises(CompositeRuleError, match="names 101 alarms; at most 100"):
        parse_rule(" OR ".join(f"ALARM(a{i})" for i in range(101)))
    with pytest.raises(CompositeRuleError, match="at most 500 are allowed"):
        parse_rule(" OR ".join(["ALARM(a)"] + ["TRUE"] * 500))
