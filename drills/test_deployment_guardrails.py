"""Deployment guardrails catch a regressing model before it takes the traffic: a promotion whose new model
answers 5xx (or answers slowly) goes out through the endpoint's blue/green guardrail; the share of requests
shifted to the new fleet regresses, a rollback alarm enters ALARM during the bake, and SageMaker shifts
all the traffic back to the old fleet: no runbook needed. The timeline shows the shift, the alarm and the
rollback. The guardrail's recorded configuration is checked against the spec first (the deployer reads it)."""

import pytest

from simulacro.provision import conformance, inventory
from simulacro.provision.settle import settled
from simulacro.spec.durations import format_duration
from simulacro.target.waits import wait_for

REGRESSIONS = {"5xx": ("Invocation5XXErrors", None), "latency": ("ModelLatency", "p95")}
SHIFTING = ("ActivatingTraffic", "Baking")


def _guardrail(endpoint):
    if endpoint.deployment_config is None:
        pytest.skip(
            f"endpoint {endpoint.name} declares no deployment_config: its promotions are not guarded, so there is "
            "no guardrail to prove (declare a blue/green guardrail with rollback alarms in the spec to drill it)"
        )
    return endpoint.deployment_config


def _regression_alarm(stack, endpoint, guardrail, metric, statistic):
    """The alarm that sees this regression: a rollback alarm if one watches the metric, else any alarm on it."""
    alarms = [
        a
        for a in stack.alarms_on(metric, "EndpointName", endpoint.name, category="endpoint")
        if statistic is None or any(ref.statistic == statistic for ref in a.metric_refs)
    ]
    if not alarms:
        pytest.fail(f"the spec declares no {statistic or ''} alarm on {metric} of endpoint {endpoint.name}")
    return next((a for a in alarms if a.name in guardrail.rollback_alarms), alarms[0])


def _pending_stage(described):
    variants = (described.get("PendingDeploymentSummary") or {}).get("ProductionVariants") or [{}]
    statuses = variants[0].get("VariantStatus") or [{}]
    return statuses[0].get("Status"), statuses[0].get("StatusMessage", "")


@pytest.mark.drill(category="inventory", gate=True)
def test_the_deployment_guardrail_is_recorded_as_declared(stack, target, fault_endpoint, drill_record):
    """The guardrail the deployer applies (traffic shifting, bakes, rollback alarms) is the one the spec declares."""
    guardrail = _guardrail(fault_endpoint)
    live = inventory(target, fault_endpoint.environment, lazy=True)  # the check reads the endpoints only
    drill_record.add(
        target.clock.now(),
        "note",
        f"guardrail of {fault_endpoint.name} read from its live tags",
        declared=f"{guardrail.traffic} {guardrail.step_percent or 100}% bake {format_duration(guardrail.bake)}",
        rollback_alarms=", ".join(guardrail.rollback_alarms) or "none",
    )
    found = [
        finding
        for finding in conformance.findings(conformance.deployment_guardrail_findings, stack, live)
        if finding.name == fault_endpoint.name  # each endpoint's own drill reports it
    ]
    drill_record.evidence["findings"] = [str(f) for f in found] or "none"
    assert not found, conformance.explain(found)


@pytest.mark.drill(category="endpoint", destructive=True)
@pytest.mark.parametrize("regression", sorted(REGRESSIONS))
def test_a_regressing_promotion_is_rolled_back_by_the_guardrail(
    stack, target, fault_endpoint, regression, expect, faults, traffic, drill_record
):
    """A promoted model regresses (5xx or latency): the guardrail's alarm fires during the bake and the endpoint rolls back."""
    endpoint, guardrail = fault_endpoint, _guardrail(fault_endpoint)
    alarm = _regression_alarm(stack, endpoint, guardrail, *REGRESSIONS[regression])
    promotion = next((r for r in stack.rules if r.purpose == "promotion" and r.deploys_endpoint == endpoint.name), None)
    if promotion is None:
        pytest.fail(f"no promotion rule deploys to {endpoint.name}: nothing promotes a model through its guardrail")
    group = next(
        g for g in stack.model_package_groups if g.environment == endpoint.environment and promotion.mentions(g.name)
    )
    endpoint_rule = next(
        (
            r
            for r in stack.rules
            if r.purpose == "endpoint" and r.environment == endpoint.environment and r.mentions(endpoint.name)
        ),
        None,
    )
    sagemaker = target.client("sagemaker", endpoint.environment)
    original = sagemaker.describe_endpoint(EndpointName=endpoint.name)["EndpointConfigName"]
    faults.keep_promotion_as_it_was(endpoint.environment)
    traffic.keep(endpoint)
    expect.steady(alarm, hold=True)
    if endpoint_rule is not None:
        expect.listen_rule(endpoint_rule)

    artifact = endpoint.faults.broken_artifact if regression == "5xx" else endpoint.faults.regressed_artifact
    faults.regressed_promotion(endpoint, group.name, artifact=artifact)
    shifted = wait_for(
        lambda: _shifting(sagemaker, endpoint.name),
        within=guardrail.timeout,
        clock=target.clock,
        what=f"the promotion's blue/green deployment on {endpoint.name} to shift traffic",
        poll=10,
    )
    shift_at = target.clock.now()
    drill_record.add(
        shift_at,
        "event",
        f"shift: {shifted}",
        endpoint=endpoint.name,
        traffic=guardrail.traffic,
        step_percent=guardrail.step_percent,
        bake=format_duration(guardrail.bake),
    )

    expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget, since=shift_at)
    moved = wait_for(
        lambda: _out_of_updating(sagemaker, endpoint.name),
        within=guardrail.timeout,
        clock=target.clock,
        what=f"the deployment on {endpoint.name} to roll back or complete",
        poll=5,
    )
    if moved["EndpointStatus"] == "RollingBack":
        drill_record.add(
            target.clock.now(),
            "restore",
            f"rollback: {endpoint.name} shifts all traffic back to the old fleet",
            failure_reason=moved.get("FailureReason"),
        )
        if endpoint_rule is not None:
            expect.event(endpoint_rule).arrives(
                lambda e: (
                    e["detail"].get("EndpointName") == endpoint.name
                    and e["detail"].get("EndpointStatus") == "ROLLING_BACK"
                ),
                within=endpoint_rule.delivery_budget,
                what="the ROLLING_BACK event",
            )
    described = settled(sagemaker, target.clock, endpoint.name, within=guardrail.timeout)
    if described["EndpointConfigName"] != original:
        drill_record.add(target.clock.now(), "failure", f"deployment completed on {described['EndpointConfigName']}")
        pytest.fail(_not_rolled_back(endpoint, guardrail, alarm, described))
    drill_record.add(
        target.clock.now(),
        "recovered",
        f"{endpoint.name} InService on {original} again, before any runbook",
        failure_reason=described.get("FailureReason"),
    )
    assert described["EndpointStatus"] == "InService", (
        f"{endpoint.name} is {described['EndpointStatus']} after the rollback"
    )
    assert described.get("FailureReason"), f"{endpoint.name} rolled back without a FailureReason saying why"
    expect.alarm(alarm).enters("OK", within=alarm.recovery_budget, since=target.clock.now())


def _out_of_updating(sagemaker, endpoint_name):
    described = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    return None if described["EndpointStatus"] == "Updating" else described


def _shifting(sagemaker, endpoint_name):
    """What the deployment shifted, once traffic flows to the new fleet (None before); fails if it ended first."""
    described = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    stage, message = _pending_stage(described)
    if stage in SHIFTING:
        return message or stage
    if (
        described["EndpointStatus"] in ("InService", "Failed")
        and "PendingDeploymentSummary" not in described
        and described.get("LastDeploymentConfig") is None
        and _deployed(sagemaker, endpoint_name)
    ):
        raise AssertionError(
            f"{endpoint_name} was updated without a DeploymentConfig: the deployer did not apply the "
            "endpoint's guardrail, so no traffic shifting or rollback alarm protected the promotion"
        )
    return None


def _deployed(sagemaker, endpoint_name):
    arn = sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointArn"]
    tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn).get("Tags", [])}
    return bool(tags.get("deployment:model-package"))


def _not_rolled_back(endpoint, guardrail, alarm, described):
    """Why the guardrail let the regression through, from the DeploymentConfig the update really ran with."""
    used = described.get("LastDeploymentConfig") or {}
    alarms = [a["AlarmName"] for a in (used.get("AutoRollbackConfiguration") or {}).get("Alarms", [])]
    routing = (used.get("BlueGreenUpdatePolicy") or {}).get("TrafficRoutingConfiguration") or {}
    termination = (used.get("BlueGreenUpdatePolicy") or {}).get("TerminationWaitInSeconds", 0)
    if not used:
        why = "the update ran without a DeploymentConfig: the deployer did not apply the endpoint's guardrail"
    elif alarm.name not in alarms:
        why = (
            f"the update ran with rollback alarms [{', '.join(alarms) or 'none'}], without {alarm.name}: nothing could "
            f"trigger the rollback (spec: deployment_config.rollback_alarms = [{', '.join(guardrail.rollback_alarms)}]; "
            "check the guardrail recorded on the endpoint and re-provision)"
        )
    else:
        why = (
            f"{alarm.name} was a rollback alarm, but the bakes ({routing.get('WaitIntervalInSeconds', 0)} s per shift, "
            f"{termination} s before the old fleet is terminated) ended before it could fire "
            f"(detection budget {format_duration(alarm.detection_budget)}): lengthen the bake"
        )
    return (
        f"the deployment guardrail of {endpoint.name} did not roll back a regressing model: the deployment completed "
        f"and {described['EndpointConfigName']} (the regressed model) now takes all the traffic, although {alarm.name} "
        f"entered ALARM. {why}."
    )
