"""Anything that writes into an environment is destructive: a drill not marked destructive that makes a call which
writes (synthetic InvokeEndpoint traffic included) is stopped at that call, with one paragraph; marked destructive,
the same drill runs. Every drill of the catalogue that writes is marked (the drills' own run proves it)."""

import textwrap

from support.drill_runner import ROOT

DRILLS = textwrap.dedent("""
    import pytest


    @pytest.mark.drill(category="endpoint")
    def test_unmarked_traffic(stack, target):
        target.traffic("churn-staging", "staging", requests_per_minute=60, duration_seconds=60)


    @pytest.mark.drill(category="notification")
    def test_unmarked_write(target):
        target.client("cloudwatch", "staging").set_alarm_state(AlarmName="churn-staging-5xx-rate", StateValue="OK",
                                                             StateReason="test")


    @pytest.mark.drill(category="endpoint", destructive=True)
    def test_marked_traffic(stack, target):
        target.traffic("churn-staging", "staging", requests_per_minute=60, duration_seconds=60)


    @pytest.mark.drill(category="inventory")
    def test_unmarked_read(target):
        target.client("cloudwatch", "staging").describe_alarms()
""")


def test_a_drill_that_writes_without_being_marked_destructive_is_stopped(pytester):
    pytester.makeconftest('pytest_plugins = ["simulacro.pytest_plugin.plugin"]')
    pytester.makepyfile(test_writes=DRILLS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "-q", f"--spec={ROOT / 'fixtures' / 'stack.yaml'}", "-rA"
    )
    out = result.stdout.str()
    result.assert_outcomes(failed=2, passed=2)
    assert (
        "drill test_writes.py::test_unmarked_traffic is not marked destructive but called sagemaker:InvokeEndpoint"
        in out
    )
    assert "called cloudwatch:SetAlarmState in staging" in out and "The call was not sent" in out
    assert "Traceback" not in out
