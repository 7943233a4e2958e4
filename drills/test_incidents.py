"""Runbooks proven on simulated incidents: steady state, break the system the way production breaks, expect
the alarms and events, run the runbook as code, expect recovery and the evidence the runbook promises.
A second run of each runbook on the recovered system does nothing and says so."""

import pytest

from simulacro.evidence.coverage import require_fault_mechanism
from simulacro.runbooks import RUNBOOKS

ERRORS_5XX, MODEL_LATENCY = "Invocation5XXErrors", "ModelLatency"


def _runbook(name, stack, target, environment, drill_record, simulacro_session, **inputs):
    return RUNBOOKS[name](stack, target, environment, run_id=simulacro_session.run_id, record=drill_record, **inputs)


def _run(runbook, drill_record):
    run = runbook.run()
    drill_record.evidence[f"runbook {runbook.name}"] = {s.name: s.outcome for s in run.steps}
    drill_record.evidence.update(
        {k: v for k, v in run.evidence.items() if not isinstance(v, (dict, list)) or k.startswith("smoke")}
    )
    assert run.outcome == "recovered", run.message
    return run


def _alarm_on(stack, endpoint, metric, statistic=None):
    alarms = stack.alarms_watching(endpoint, metric, statistic)
    assert alarms, f"the spec declares no alarm on {metric} of {endpoint.name} ({endpoint.environment})"
    return alarms[0]


def _endpoint_rule(stack, endpoint):
    """The endpoint rule whose pattern names this endpoint (not the first of its environment: models share one)."""
    rules = stack.rules_for(endpoint, "endpoint")
    assert rules, f"the spec declares no endpoint rule naming {endpoint.name} in {endpoint.environment}"
    return rules[0]


@pytest.mark.drill(category="runbook", destructive=True)
def test_endpoint_not_responding_is_rolled_back_to_the_previous_config(
    stack, target, fault_endpoint, expect, faults, traffic, drill_record, simulacro_session
):
    """A broken config goes live and the endpoint answers 5xx: the alarm pages, the endpoint event arrives,
    the runbook rolls back to the previous config and the smoke test passes."""
    endpoint = fault_endpoint
    require_fault_mechanism(endpoint)
    alarm = _alarm_on(stack, endpoint, ERRORS_5XX)
    endpoint_rule = _endpoint_rule(stack, endpoint)
    traffic.keep(endpoint)
    expect.steady(alarm, hold=True)
    expect.listen_rule(endpoint_rule)
    with faults.bad_deployment(endpoint):
        expect.event(endpoint_rule).arrives(
            lambda e: (
                e["detail"].get("EndpointName") == endpoint.name and e["detail"].get("EndpointStatus") == "UPDATING"
            ),
            within=endpoint_rule.delivery_budget,
            what="the deployment's UPDATING event",
        )
        expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget + 240)  # the update itself takes minutes
        expect.notification(alarm).arrives(within="1m")
        runbook = _runbook(
            "endpoint-not-responding",
            stack,
            target,
            endpoint.environment,
            drill_record,
            simulacro_session,
            endpoint=endpoint.name,
        )
        run = _run(runbook, drill_record)
        evidence = run.evidence
        assert {"endpoint_arn", "status", "observed_at", "config_before", "config_after"} <= set(evidence), evidence
        assert evidence["config_after"] == evidence["rollback_to"] and evidence["smoke_after"]["passed"]
        expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)
        again = runbook.run()
        assert again.outcome == "nothing to do", again.message


@pytest.mark.drill(category="runbook", destructive=True)
def test_regression_after_promotion_is_frozen_rolled_back_and_reported(
    stack, target, fault_endpoint, expect, faults, traffic, drill_record, simulacro_session
):
    """A slower model is approved and the promotion path deploys it: the P95 alarm pages, the runbook freezes
    promotion, rolls back, rejects the package and opens an incident with smoke results before and after."""
    endpoint = fault_endpoint
    require_fault_mechanism(endpoint)
    alarm = _alarm_on(stack, endpoint, MODEL_LATENCY, "p95")
    promotions = stack.promotion_rules_for(endpoint)
    assert promotions, f"the spec declares no promotion rule deploying to {endpoint.name} in {endpoint.environment}"
    promotion = promotions[0]
    groups = [g for g in stack.model_package_groups_of(endpoint) if promotion.mentions(g.name)]
    assert groups, f"promotion rule {promotion.name} names no model package group of {endpoint.environment}"
    group = groups[0]
    faults.keep_promotion_as_it_was(endpoint.environment)
    traffic.keep(endpoint)
    expect.steady(alarm, hold=True)
    expect.listen_rule(promotion)
    package = faults.regressed_promotion(endpoint, group.name)
    expect.event(promotion).arrives(
        lambda e: e["detail"].get("ModelPackageArn") == package,
        within=promotion.delivery_budget,
        what="the approval of the regressed package",
    )
    expect.alarm(alarm).enters(
        "ALARM", within=alarm.detection_budget + 300
    )  # deployer poll and the update take minutes
    expect.notification(alarm).arrives(within="1m")
    runbook = _runbook(
        "regression-after-promotion",
        stack,
        target,
        endpoint.environment,
        drill_record,
        simulacro_session,
        endpoint=endpoint.name,
    )
    run = _run(runbook, drill_record)
    evidence = run.evidence
    assert evidence["model_package"] == package and evidence["promotion_frozen"] == [promotion.name]
    assert evidence["smoke_before"] and evidence["smoke_after"]["passed"] and evidence["incident_file"]
    assert target.client("events", endpoint.environment).describe_rule(Name=promotion.name)["State"] == "DISABLED"
    expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)
    again = runbook.run()
    assert again.outcome == "nothing to do", again.message


@pytest.mark.drill(category="runbook", destructive=True)
def test_recurring_pipeline_failure_is_inspected_and_promotions_blocked(
    stack, target, drill_pipeline, expect, faults, drill_record, simulacro_session
):
    """Two failed executions in a row: the runbook lists the failed steps with their reasons and log lines,
    diffs the parameters against the last success, and blocks promotions."""
    pipeline = drill_pipeline
    alarms = stack.pipeline_alarms(pipeline, "ExecutionFailed")
    assert alarms, f"the spec declares no ExecutionFailed alarm of pipeline {pipeline.name} in {pipeline.environment}"
    alarm = alarms[0]
    faults.keep_promotion_as_it_was(pipeline.environment)
    expect.steady(alarm)
    clean = faults.pipeline_step_failure(pipeline, step=None)
    expect.pipeline(pipeline, clean).ends("Succeeded")
    failing_step = next(s.name for s in pipeline.steps if s.type == "Training")
    for _ in range(2):
        execution = faults.pipeline_step_failure(pipeline, failing_step)
        ended = expect.pipeline(pipeline, execution).ends("Failed")
    expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget, since=ended["failed_at"])
    runbook = _runbook(
        "recurring-pipeline-failure",
        stack,
        target,
        pipeline.environment,
        drill_record,
        simulacro_session,
        pipeline=pipeline.name,
    )
    run = _run(runbook, drill_record)
    evidence = run.evidence
    assert len(evidence["failed_executions"]) == 2
    assert all(s["step"] == failing_step and s["reason"] for s in evidence["failed_steps"])
    assert any(evidence["log_lines"].values()), "no log line of the failed jobs was kept"
    assert evidence["parameter_diff"] == {
        pipeline.fault.parameter: {"last_success": pipeline.fault.no_fault_value, "failed": failing_step}
    }
    assert evidence["promotion_blocked"]
    expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)
