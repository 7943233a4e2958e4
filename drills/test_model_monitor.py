"""Model Monitor sees what the model is fed: requests are captured as documented, healthy traffic raises
nothing, drift on the watched feature pages its owner, and missing values break the completeness
constraint. Traffic is drawn from the versioned baseline the schedule declares, drifted one way on one
feature; each monitor drill sends one hourly analysis window of it and reads the run that analyses it
(its execution, its constraint_violations.json in S3, its metrics) before expecting the drift alarm.
On real AWS these drills take as long as the monitor does: hours."""

import pytest

from simulacro.drill import model_monitor as drift
from simulacro.drill.model_monitor import DriftKind, Monitor, Scenario
from simulacro.gameday.guards import allows
from simulacro.pytest_plugin.plugin import STATE_KEY

SMOKE_INVOCATIONS = 3  # real InvokeEndpoint calls beside the simulated traffic, so the wire path is proven too


def pytest_generate_tests(metafunc):
    session = metafunc.config.stash[STATE_KEY]
    for fixture, destructive in (("schedule", False), ("breakable_schedule", True)):
        if fixture in metafunc.fixturenames:
            schedules = [
                s
                for s in session.stack.monitoring_schedules
                if s.environment in session.environments
                and (not destructive or _allows(session.stack, s.environment, metafunc.function.__name__))
            ]
            metafunc.parametrize(fixture, schedules, ids=[s.name for s in schedules])


def _allows(stack, environment, drill):
    """The run's own rule (`gameday.guards.allows`: `all`, names, node ids and globs), for the drills parametrized here."""
    return allows(stack.environments[environment].allow_destructive, drill, f"drills/test_model_monitor.py::{drill}")


@pytest.mark.drill(category="monitor", gate=True, destructive=True)  # synthetic requests land in data capture
def test_requests_are_captured_in_the_documented_layout(stack, target, schedule, drill_record):
    """Requests to a monitored endpoint land in S3 as JSON Lines at <destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/, at the declared sampling."""
    monitor = Monitor(stack, target, schedule, drill_record)
    endpoint = monitor.endpoint
    live = drift.capture_config(target, endpoint)
    since = target.clock.now()
    rows = monitor.payloads(endpoint.drill_traffic_per_minute, seed="capture")
    served = target.traffic(
        endpoint.name, endpoint.environment, requests_per_minute=len(rows), duration_seconds=60, payloads=rows
    )
    runtime = target.client("sagemaker-runtime", endpoint.environment)
    smoke_ids = [f"simulacro-smoke-{i}" for i in range(SMOKE_INVOCATIONS)]
    for body, inference_id in zip(rows, smoke_ids):
        runtime.invoke_endpoint(
            EndpointName=endpoint.name, ContentType="text/csv", Body=body.encode(), InferenceId=inference_id
        )
    target.clock.sleep(60)
    sent = served.requests - served.errors + len(smoke_ids)
    records = drift.captured_records(
        target,
        endpoint,
        live.get("DestinationS3Uri") or endpoint.capture.destination,
        since,
        target.clock.now(),
        inputs=set(rows),
    )
    drill_record.add(
        target.clock.now(),
        "event",
        f"{len(records)} of {sent} requests captured for {endpoint.name}",
        capture_status=live.get("CaptureStatus"),
        sampling=live.get("CurrentSamplingPercentage"),
    )
    problems = drift.capture_problems(endpoint, live, records, sent, smoke_ids)
    drill_record.evidence["capture problems"] = problems or "none"
    assert not problems, (
        f"data capture of {endpoint.name} ({endpoint.environment}), {len(records)} of {sent} requests "
        "captured:\n  " + "\n  ".join(problems)
    )


@pytest.mark.drill(category="monitor", gate=True)
def test_captured_data_expires_after_the_declared_retention(stack, target, schedule, drill_record):
    """The capture bucket has a lifecycle rule that expires the endpoint's captured requests after the spec's retention_days."""
    endpoint = stack.endpoint(schedule.endpoint, schedule.environment)
    days = drift.capture_expirations(target, endpoint)
    expiry = f"expire after {', '.join(map(str, days))} days" if days else "never expire"
    drill_record.add(
        target.clock.now(),
        "note",
        f"lifecycle of {endpoint.capture.bucket}: {endpoint.name}'s captured requests {expiry}",
    )
    problem = drift.retention_problem(endpoint, days)
    assert problem is None, f"data capture of {endpoint.name} ({endpoint.environment}): {problem}"


@pytest.mark.drill(category="monitor", gate=False, destructive=True)  # synthetic requests land in data capture
def test_healthy_traffic_raises_no_violation_and_no_drift_alarm(stack, target, schedule, expect, drill_record):
    """One window of in-distribution traffic: the run completes without violation, drift stays under the threshold, the drift alarm is OK."""
    monitor = Monitor(stack, target, schedule, drill_record)
    alarm = monitor.drift_alarm
    run = monitor.healthy_run()
    distance = monitor.metric(alarm.metric.name, run)
    assert distance is not None and distance <= alarm.threshold, (
        f"{alarm.metric.name} of healthy traffic is {distance}, the alarm's threshold {alarm.threshold:g}. {monitor.diagnosis(run)}"
    )
    monitor.steady(expect, alarm)
    fired = monitor.alarm_transitions(alarm, "ALARM", since=drill_record.started)
    assert not fired, f"alarm {alarm.name} fired on healthy traffic: {fired}"


@pytest.mark.drill(category="monitor", gate=False, destructive=True)
def test_drift_on_the_watched_feature_pages_the_owner(stack, target, breakable_schedule, expect, drill_record):
    """The watched feature's mean shifts by a standard deviation: baseline drift on that feature only, over the threshold; the drift alarm pages, then recovers."""
    monitor = Monitor(stack, target, breakable_schedule, drill_record)
    alarm = monitor.drift_alarm
    monitor.steady(expect, alarm)
    scenario = Scenario(monitor.watched_feature, DriftKind.MEAN_SHIFT)
    window = monitor.inject(scenario)
    run = monitor.run_for(window)
    assert run.violated_checks == [scenario.expected_violation], (
        f"expected only {scenario.expected_violation}; {run.describe()}. {monitor.diagnosis(run)}"
    )
    distance = monitor.metric(alarm.metric.name, run)
    assert distance is not None and distance > alarm.threshold, (
        f"{alarm.metric.name} of drifted traffic is {distance}, the alarm's threshold {alarm.threshold:g}. {monitor.diagnosis(run)}"
    )
    monitor.alarm_enters(expect, alarm, "ALARM", within=alarm.detection_budget)
    expect.notification(alarm).arrives(within="1m")
    monitor.alarm_enters(expect, alarm, "OK", within=alarm.recovery_budget)


@pytest.mark.drill(category="monitor", gate=False, destructive=True)
def test_missing_values_break_the_completeness_constraint(stack, target, breakable_schedule, drill_record):
    """A categorical feature arrives empty in part of the requests: the run reports completeness on that feature only."""
    monitor = Monitor(stack, target, breakable_schedule, drill_record)
    feature = monitor.categorical_features[0]
    scenario = Scenario(feature, DriftKind.NULLS)
    run = monitor.run_for(monitor.inject(scenario))
    assert run.violated_checks == [scenario.expected_violation], (
        f"expected only {scenario.expected_violation}; {run.describe()}. {monitor.diagnosis(run)}"
    )
    non_null = monitor.metric(f"{drift.NON_NULL_METRIC_PREFIX}{feature}", run)
    assert non_null is not None and non_null < monitor.completeness(feature), (
        f"{drift.NON_NULL_METRIC_PREFIX}{feature} is {non_null}, not under the baseline's completeness {monitor.completeness(feature):g}"
    )
