"""Prod proven without touching it: each prod endpoint alarm (drills may not fault prod) is replayed, with the
pure alarm engine in virtual time, on the metric signature its staging twin really showed: under the fault
the staging drills inject (5xx, slowness: sizes from the spec) it must page within its detection budget,
and under the healthy traffic of a control window it must stay quiet. Static checks come first: its
dimensions name prod's own resources, its unit and threshold fit the metric's documented unit."""

from datetime import timedelta

import pytest

from simulacro.drill.replay import Window, replay, signature
from simulacro.evidence.coverage import endpoint_of, may_break, replay_source
from simulacro.provision.alarm_design import design_problems
from simulacro.pytest_plugin.plugin import STATE_KEY
from simulacro.spec import format_duration

ERRORS, LATENCY = "Invocation5XXErrors", "ModelLatency"
SETTLE_AFTER_FAULT = 900  # seconds without traffic: every period of the twin's alarms' evaluation range is empty again


def pytest_generate_tests(metafunc):
    if "prod_alarm" in metafunc.fixturenames:
        stack = metafunc.config.stash[STATE_KEY].stack
        environments = metafunc.config.stash[STATE_KEY].environments
        alarms = [
            a
            for a in stack.alarms
            if a.category == "endpoint"
            and not may_break(stack, a.environment)
            and not a.coverage_exemption
            and (source := replay_source(stack, a)) is not None
            and source.environment in environments
        ]
        metafunc.parametrize("prod_alarm", alarms, ids=[a.name for a in alarms])


def _window(what, target, traffic, twin, length, fault=None):
    """Record `length` seconds of the twin's traffic with `fault` active (None: healthy)."""
    traffic.keep(twin)
    clock = target.clock
    clock.sleep(120 - clock.now().timestamp() % 60)  # a full minute of traffic, then start on a minute boundary
    start = clock.now()
    if fault is None:
        clock.sleep(length)
    else:
        with fault():
            clock.sleep(length)
    window = Window(what, start, clock.now())
    traffic.stop()
    if fault is not None:  # the twin's own alarms settle back to OK before any other drill looks at them
        clock.sleep(SETTLE_AFTER_FAULT)
    return window


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)
def test_prod_alarm_pages_on_the_recorded_fault_and_stays_quiet_when_healthy(
    stack, target, prod_alarm, faults, traffic, drill_record
):
    """The prod alarm definition, replayed on staging's recorded signatures: pages on the fault within budget, quiet when healthy."""
    alarm = prod_alarm
    problems = design_problems(alarm, stack)
    assert not problems, f"prod alarm {alarm.name} is wrong by design:\n" + "\n".join(
        f"  - {field}: {message}" for field, message in problems
    )
    twin = replay_source(stack, alarm)
    own_endpoint = endpoint_of(alarm)
    metrics = {ref.name for ref in alarm.metric_refs}
    length = max(alarm.detection_budget, alarm.evaluation_periods * alarm.period) + 2 * alarm.period
    if ERRORS in metrics:
        what, fault = (
            f"5xx on {twin.faults.error_rate:.0%} of requests",
            lambda: faults.endpoint_errors(twin, rate=twin.faults.error_rate),
        )
    else:
        what, fault = (
            f"+{twin.faults.added_latency * 1000:g} ms latency",
            lambda: faults.endpoint_latency(twin, added_ms=twin.faults.added_latency * 1000),
        )
    healthy = _window("healthy traffic", target, traffic, twin, max(length, 600))
    broken = _window(what, target, traffic, twin, length, fault)
    cloudwatch = target.client("cloudwatch", twin.environment)
    definition = alarm.to_put_metric_alarm(lambda name: name)
    calm = replay(alarm, definition, signature(cloudwatch, alarm, own_endpoint, twin, healthy), healthy)
    paged = replay(alarm, definition, signature(cloudwatch, alarm, own_endpoint, twin, broken), broken)
    first = paged.first("ALARM")
    drill_record.add(
        target.clock.now(),
        "note",
        f"{alarm.name} replayed on {twin.name}: {calm.states[-1][1] if calm.states else 'OK'} "
        f"on healthy traffic, {'ALARM after ' + format_duration((first - broken.start).total_seconds()) if first else 'no ALARM'} "
        f"under {what}",
    )
    drill_record.evidence["replayed on"] = (
        f"{twin.name} ({twin.environment}): healthy {format_duration((healthy.end - healthy.start).total_seconds())}, {what}"
    )
    drill_record.evidence["replayed datapoints (fault)"] = [round(v, 3) for v in paged.datapoints]
    noisy = calm.first("ALARM")
    assert noisy is None, (
        f"prod alarm {alarm.name} would page on healthy traffic: replayed on {twin.name}'s control window it enters ALARM after "
        f"{format_duration((noisy - healthy.start).total_seconds())} (threshold {alarm.threshold:g} {alarm.comparison}; healthy datapoints "
        f"{[round(v, 3) for v in calm.datapoints]}): check the threshold's unit and the comparison"
    )
    deadline = broken.start + timedelta(seconds=alarm.detection_budget)
    assert first is not None and first <= deadline, (
        f"prod alarm {alarm.name} would not page within its {format_duration(alarm.detection_budget)} budget on the signature "
        f"{twin.name} recorded under {what}: "
        + (
            f"it enters ALARM only after {format_duration((first - broken.start).total_seconds())}"
            if first
            else f"it stays {paged.states[-1][1] if paged.states else 'OK'}"
        )
        + f" (threshold {alarm.threshold:g} {alarm.comparison}, {alarm.m_of_n[0]} of {alarm.m_of_n[1]} x {alarm.period}s; "
        f"datapoints {[round(v, 3) for v in paged.datapoints]})"
    )
    drill_record.measure(
        f"replayed time to detect ({alarm.name})", (first - broken.start).total_seconds(), budget=alarm.detection_budget
    )
