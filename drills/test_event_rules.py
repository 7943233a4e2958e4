"""EventBridge: state changes reach operations without polling, and an undeliverable event lands in a
dead-letter queue instead of vanishing.

For each rule, AWS itself is made to emit the event the rule exists for (a failing pipeline execution,
a model package registration and approval change, an endpoint update, a failed endpoint update):
never a forged `aws.*` event. A probe added as one more target hears what the rule delivers.
"""

import pytest

from simulacro.spec import parse_duration

FAILURE_BUDGET = "1h"  # how long the cause itself may take (a pipeline step, an endpoint update)


def _one(items, what, rule):
    found = [item for item in items if item.environment == rule.environment and rule.mentions(item.name)]
    if not found:
        pytest.fail(f"rule {rule.name} names no {what} of the spec in its pattern: nothing to drill")
    return found[0]


def cause(stack, rule, faults, expect):
    """Make AWS emit the event `rule` exists for; returns (what, how to recognise it)."""
    if rule.purpose == "pipeline":
        pipeline = _one(stack.pipelines, "pipeline", rule)
        execution = faults.pipeline_step_failure(pipeline, pipeline.steps[0].name)
        expect.pipeline(pipeline, execution).ends("Failed", within=FAILURE_BUDGET)
        return (
            "the Failed execution event",
            lambda e: (
                e["detail"].get("pipelineExecutionArn") == execution
                and e["detail"].get("currentPipelineExecutionStatus") == "Failed"
            ),
        )
    if rule.purpose == "model_package":
        group = _one(stack.model_package_groups, "model package group", rule)
        package = faults.model_package_registration(group.name, rule.environment)
        return "the registration event", lambda e: e["detail"].get("ModelPackageArn") == package
    endpoint = _one(stack.endpoints, "endpoint", rule)
    faults.endpoint_update(endpoint)
    return (
        "the UPDATING event",
        lambda e: e["detail"].get("EndpointName") == endpoint.name and e["detail"].get("EndpointStatus") == "UPDATING",
    )


@pytest.mark.drill(category="events", gate=True, destructive=True)
def test_rule_delivers_the_event_it_exists_for(stack, event_rule, expect, faults):
    """AWS emits the state change; the rule delivers it to its targets, and its latency is recorded."""
    expect.listen_rule(event_rule)
    what, recognise = cause(stack, event_rule, faults, expect)
    expect.event(event_rule).arrives(recognise, within=event_rule.delivery_budget, what=what)


@pytest.mark.drill(category="events", gate=True, destructive=True)
def test_model_package_approval_change_is_delivered(stack, target, expect, faults):
    """Changing a model package's approval emits a state change naming ModelApprovalStatus as updated."""
    for rule in (r for r in stack.rules if r.purpose == "model_package" and r.environment in target.environments):
        expect.listen_rule(rule)
        group = _one(stack.model_package_groups, "model package group", rule)
        package = faults.model_package_registration(group.name, rule.environment)
        # Rejected, not Approved: an approval would start the promotion path, which the runbook drills own.
        target.client("sagemaker", rule.environment).update_model_package(
            ModelPackageArn=package, ModelApprovalStatus="Rejected"
        )
        expect.event(rule).arrives(
            lambda e: (
                e["detail"].get("ModelPackageArn") == package  # noqa: B023 - called at once, inside the loop
                and "ModelApprovalStatus" in (e["detail"].get("UpdatedModelPackageFields") or [])
                and e["detail"].get("ModelApprovalStatus") == "Rejected"
            ),
            within=rule.delivery_budget,
            what="the approval change to Rejected",
        )


@pytest.mark.drill(category="events", gate=True, destructive=True)
def test_failed_endpoint_update_is_delivered(stack, target, expect, faults):
    """A broken config fails the update (the old config keeps serving); the endpoint rule delivers the failure."""
    broken = []
    for rule in (r for r in stack.rules if r.purpose == "endpoint" and r.environment in target.environments):
        endpoint = _one(stack.endpoints, "endpoint", rule)
        if endpoint.faults is None:
            continue  # only endpoints that declare a fault mechanism may be broken (prod never)
        expect.listen_rule(rule)
        faults.endpoint_update(endpoint, broken=True)
        broken.append((rule, endpoint))
    for rule, endpoint in broken:  # every update fails in the same virtual minutes, however many models there are
        settled = expect.endpoint_settles(endpoint)
        assert settled.get("FailureReason"), (
            f"the broken update of {endpoint.name} did not fail: {settled['EndpointStatus']}"
        )
        expect.event(rule).arrives(
            lambda e: e["detail"].get("EndpointName") == endpoint.name and e["detail"].get("FailureReason"),  # noqa: B023 - called at once, inside the loop
            within=rule.delivery_budget,
            what="the failed update event",
        )


@pytest.mark.drill(category="events", gate=True, destructive=True)
@pytest.mark.parametrize("how, error_code", [("policy", "NO_PERMISSIONS"), ("missing", "NO_RESOURCE")])
def test_undeliverable_event_lands_in_the_dead_letter_queue(stack, event_rule, how, error_code, expect, faults):
    """The rule's target refuses it or is gone: the event lands in the DLQ with the error code; the target is restored."""
    target_id = event_rule.targets[0].id
    with faults.rule_target_unreachable(event_rule, target_id, how=how):
        what, recognise = cause(stack, event_rule, faults, expect)
        expect.dead_letter(event_rule, target_id).receives(
            error_code=error_code, within=event_rule.delivery_budget, matching=recognise
        )


@pytest.mark.drill(category="events", gate=True, destructive=True)
def test_failure_rules_stay_silent_on_success(stack, target, expect, faults):
    """A rule declared for failures only delivers nothing for a successful pipeline run (no page on success)."""
    rules = [
        r for r in stack.rules if r.failures_only and r.purpose == "pipeline" and r.environment in target.environments
    ]
    executions = {}  # one successful run per pipeline, all at once: the drill's length does not grow with the platform
    for rule in rules:
        pipeline = _one(stack.pipelines, "pipeline", rule)
        expect.listen_rule(rule)
        if pipeline.name not in executions:
            executions[pipeline.name] = (pipeline, faults.pipeline_step_failure(pipeline, step=None))
    for pipeline, execution in executions.values():
        expect.pipeline(pipeline, execution).ends("Succeeded", within=FAILURE_BUDGET)
    ended = target.clock.now()
    for rule in rules:
        execution = executions[_one(stack.pipelines, "pipeline", rule).name][1]
        waited = (target.clock.now() - ended).total_seconds()
        expect.event(rule).absent(
            lambda e: e["detail"].get("pipelineExecutionArn") == execution,  # noqa: B023 - called at once, inside the loop
            within=max(0.0, parse_duration(rule.delivery_budget) - waited),
            what="a successful execution",
        )
