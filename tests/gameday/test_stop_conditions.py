"""Stop conditions: a guard alarm in ALARM outside the drill's blast radius aborts the drill (before an
injection, or while a fault is in place), the faults are rolled back and the run stops; an alarm the
drill itself expects is not a stop condition."""

import json

import pytest

from simulacro.gameday.drill_guard import DrillGuard
from simulacro.target.clock import VirtualClock
from support.aws_double import spec_with
from support.drill_runner import ROOT
from support.plain_alarms import put_plain_alarm

DRILL = "test_endpoint_alarms.py"
GUARD = "churn-pipeline-execution-failed"  # watches the pipeline: outside the blast radius of an endpoint drill


class GuardAlarmFires:
    """Puts the guard alarm in ALARM (as an unrelated incident would) once `after` injections are in place."""

    def __init__(self, monkeypatch, alarm, after):
        self.alarm, self.after, self.injected, self.target = alarm, after, 0, None
        original_in_place, original_sleep = DrillGuard.in_place, VirtualClock.sleep
        plugin = self

        def in_place(guard, label):
            plugin.injected += 1
            plugin.fire()
            return original_in_place(guard, label)

        def sleep(clock, seconds):
            original_sleep(clock, seconds)
            plugin.fire()

        monkeypatch.setattr(DrillGuard, "in_place", in_place)
        monkeypatch.setattr(VirtualClock, "sleep", sleep)

    def pytest_simulacro_provisioned(self, target):
        self.target = target

    def fire(self):
        if self.target is not None and self.injected > self.after:
            self.target.client("cloudwatch", "staging").set_alarm_state(
                AlarmName=self.alarm, StateValue="ALARM", StateReason="an unrelated incident"
            )


def _run(pytester, monkeypatch, tmp_path, guard, after, *selection):
    firing = GuardAlarmFires(monkeypatch, guard, after)
    spec = spec_with(tmp_path, staging={"guard_alarms": [guard]})
    result = pytester.runpytest_inprocess(
        *selection, "-p", "no:cacheprovider", "-q", f"--spec={spec}", "--evidence=run.json", plugins=[firing]
    )
    return result, firing, json.loads((pytester.path / "run.json").read_text())


@pytest.fixture
def drills():
    return [str(ROOT / "drills" / DRILL) + "::test_5xx_errors_page_the_on_call", f"--rootdir={ROOT}"]


def test_a_guard_alarm_firing_during_the_fault_aborts_rolls_back_and_stops_the_run(
    pytester, monkeypatch, tmp_path, drills
):
    result, firing, bundle = _run(
        pytester,
        monkeypatch,
        tmp_path,
        GUARD,
        0,
        drills[0],
        drills[0].replace("5xx_errors_page", "high_latency_pages"),
        drills[1],
    )
    output = result.stdout.str()
    assert result.ret == 2, output  # interrupted, everything rolled back
    assert (
        f"StopCondition: stop condition: guard alarm {GUARD} (staging): an unrelated incident is in ALARM while the drill's "
        f"faults were in place, outside the blast radius of drills/test_endpoint_alarms.py::test_5xx_errors_page_the_on_call"
    ) in output
    assert (
        "Interrupted: stop condition (a guard alarm fired): every fault was rolled back" in output
        and "1 failed" in output
        and "passed" not in output
    )
    kinds = [e["kind"] for e in bundle["drills"][0]["timeline"]]
    assert kinds.count("inject") == 1 and kinds.count("restore") == 1
    assert bundle["leftovers"] == []


def test_a_guard_alarm_already_firing_stops_the_drill_before_it_injects(pytester, monkeypatch, tmp_path, drills):
    result, firing, bundle = _run(pytester, monkeypatch, tmp_path, GUARD, -1, drills[0], drills[1])
    output = result.stdout.str()
    assert result.ret == 2 and "is in ALARM before injecting 5xx on 50% of requests to churn-staging" in output, output
    assert [e for e in bundle["drills"][0]["timeline"] if e["kind"] == "inject"] == []
    assert bundle["leftovers"] == []


def test_an_alarm_the_drill_expects_is_not_a_stop_condition(pytester, monkeypatch, tmp_path, drills):
    spec = spec_with(tmp_path, staging={"guard_alarms": ["churn-staging-5xx-rate", "churn-staging-latency-p99"]})
    result = pytester.runpytest_inprocess(drills[0], drills[1], "-p", "no:cacheprovider", "-q", f"--spec={spec}")
    result.assert_outcomes(passed=1)


def test_guard_alarms_are_found_whatever_their_number_and_kind(provisioned):
    """More guard alarms than one DescribeAlarms page, more than its 100 AlarmNames, and a composite one (listed
    only when AlarmTypes asks for composites): none of them is reported missing."""
    from simulacro.gameday.stop_conditions import GuardAlarms

    cloudwatch = provisioned.client("cloudwatch", "staging")
    names = [f"guard-{i:03d}" for i in range(130)]
    for name in names:
        put_plain_alarm(cloudwatch, name)
    cloudwatch.put_composite_alarm(AlarmName="guard-composite", AlarmRule='ALARM("guard-000")')
    try:
        guards = GuardAlarms(provisioned.stack, provisioned)
        guards.by_environment = {"staging": [*names, "guard-composite"]}
        assert guards.missing() == []
        guards.by_environment = {"staging": ["guard-000", "guard-never-created"]}
        assert guards.missing() == ["guard-never-created (staging)"]
    finally:
        cloudwatch.delete_alarms(AlarmNames=["guard-composite"])
        for start in range(0, len(names), 100):
            cloudwatch.delete_alarms(AlarmNames=names[start : start + 100])
