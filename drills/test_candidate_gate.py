"""The pre-promotion gate on a candidate (`pytest drills -m gate --candidate PATH_OR_ARN`): before prod sees a
model, the gate checks its endpoint config against what watches the endpoint, deploys it through the team's
path on staging, runs healthy traffic on it, and rehearses the way back. The verdict heads the report:
"candidate X: promotable" or "not promotable", with the reasons. Without --candidate these drills skip.
"""

import pytest

from simulacro.drill.candidate.compatibility import WatchedToday, blinded_by_rename, incompatibilities
from simulacro.drill.candidate.deployment import await_deployment
from simulacro.drill.candidate.package import candidate_config
from simulacro.runbooks import RUNBOOKS
from simulacro.spec import format_duration
from simulacro.spec import model as spec_model

# Each alarm on the endpoint judges at least two full evaluation windows of the candidate; never less than this.
CONTROL_FLOOR = 300
ROLLBACK_RUNBOOK = "regression-after-promotion"
# Deployment guardrails (UpdateEndpoint DeploymentConfig) are in the build once the spec can declare them; until
# then the guardrail drill only skips, touching nothing, so it is not destructive.
GUARDRAILS = hasattr(spec_model, "DeploymentConfig")


@pytest.mark.drill(category="endpoint", gate=True)
def test_candidate_keeps_everything_that_watches_the_endpoint(stack, target, drill_record, candidate):
    """Static compatibility, before any deployment: every alarm, rule, capture setting and monitoring schedule
    that watches the endpoint today still watches it with the candidate's endpoint config."""
    today = _watched_today(target, candidate)
    config = candidate_config(candidate, today.serving_config)
    found = incompatibilities(today, config)
    drill_record.add(
        target.clock.now(),
        "note",
        f"candidate {candidate.name} checked against {len(today.alarms)} alarms, "
        f"{len(today.rules)} rules and {len(today.schedules)} monitoring schedules of {candidate.environment}",
    )
    drill_record.evidence["candidate endpoint config"] = config
    drill_record.evidence["incompatibilities"] = [str(i) for i in found] or "none"
    if found:
        blinded = blinded_by_rename(found)
        serving = [v["VariantName"] for v in today.serving_config["ProductionVariants"]]
        head = (
            (
                f"candidate {candidate.name} renames variant {', '.join(serving)} of {candidate.endpoint_name} to "
                f"{candidate.endpoint_config.variant_name}: it would blind alarm(s) {', '.join(blinded)}. "
            )
            if blinded
            else ""
        )
        pytest.fail(
            f"{head}candidate {candidate.name} is incompatible with what watches {candidate.endpoint_name} today "
            f"({len(found)}):\n" + "\n".join(f"  - {i}" for i in found),
            pytrace=False,
        )


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)
def test_candidate_deploys_through_the_promotion_path(
    stack, target, drill_record, candidate, leave_candidate, expect, faults, traffic
):
    """The candidate is registered and approved; the promotion rule and the team's deployer put it live with the
    endpoint's declared deployment config, under steady traffic (a guardrail judges what the new fleet serves). It
    reaches InService, or the failure is reported with its FailureReason and the old config still serving."""
    traffic.keep(candidate.endpoint_in(stack))
    outcome = _deploy(stack, target, candidate, expect, faults, drill_record, leave=leave_candidate)
    if not outcome["Deployed"]:
        smoke = _smoke(target, candidate)
        serving = (
            f"the old config {outcome['EndpointConfigName']} is still serving (a smoke request answered)"
            if smoke is None
            else f"and the endpoint does not answer: {smoke}"
        )
        pytest.fail(
            f"candidate {candidate.name} did not reach InService on {candidate.endpoint_name}: FailureReason: "
            f"{outcome.get('FailureReason') or 'none given'} ({outcome['EndpointStatus']}); {serving}",
            pytrace=False,
        )


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)
def test_candidate_passes_the_control_run(stack, target, drill_record, candidate, expect, faults, traffic):
    """A control run on the candidate: steady healthy traffic through its deployment and after raises no alarm on
    the endpoint, and a smoke payload answers."""
    endpoint = candidate.endpoint_in(stack)
    alarms = _alarms_watching(stack, endpoint)
    traffic.keep(endpoint)
    since = expect.quiet([candidate.environment])
    outcome = _deploy(stack, target, candidate, expect, faults, drill_record)
    if not outcome["Deployed"]:
        pytest.fail(
            f"no control run on candidate {candidate.name}: it never went live on {endpoint.name} "
            f"(FailureReason: {outcome.get('FailureReason')})",
            pytrace=False,
        )
    window = max([CONTROL_FLOOR] + [2 * a.evaluation_periods * a.period for a in alarms])
    target.clock.sleep(window)
    fired = _entered_alarm(target, candidate.environment, {a.name for a in alarms}, since)
    smoke = _smoke(target, candidate)
    drill_record.evidence["control window on the candidate"] = format_duration(window)
    drill_record.evidence["alarms that fired"] = fired or "none"
    drill_record.evidence["smoke request"] = smoke or "answered"
    problems = [f"alarm {line}" for line in fired] + ([f"the smoke payload was not answered: {smoke}"] if smoke else [])
    if problems:
        pytest.fail(
            f"candidate {candidate.name} under healthy traffic on {endpoint.name}: " + "; ".join(problems),
            pytrace=False,
        )


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)
def test_candidate_can_be_rolled_back_and_deployed_again(
    stack, target, drill_record, candidate, expect, faults, traffic, simulacro_session
):
    """The way back: with the candidate live, the rollback runbook returns the endpoint to the current model within
    its recovery budget, and the candidate can then be deployed again."""
    endpoint = candidate.endpoint_in(stack)
    traffic.keep(endpoint)
    first = _deploy(stack, target, candidate, expect, faults, drill_record)
    if not first["Deployed"]:
        pytest.fail(
            f"the way back could not be rehearsed: candidate {candidate.name} never went live on {endpoint.name} "
            f"(FailureReason: {first.get('FailureReason')})",
            pytrace=False,
        )
    runbook = RUNBOOKS[ROLLBACK_RUNBOOK](
        stack,
        target,
        candidate.environment,
        run_id=simulacro_session.run_id,
        record=drill_record,
        endpoint=endpoint.name,
    )
    started = target.clock.now()
    run = runbook.run()
    drill_record.evidence[f"runbook {runbook.name}"] = {s.name: s.outcome for s in run.steps}
    if run.outcome != "recovered":
        pytest.fail(
            f"the rollback runbook {runbook.name} did not bring {endpoint.name} back from candidate {candidate.name}: "
            f"{run.message}",
            pytrace=False,
        )
    back = next(s.ended for s in run.steps if s.name == "roll back")
    recovery, budget = (back - started).total_seconds(), _recovery_budget(stack, endpoint)
    drill_record.measure(f"time to recover ({runbook.name})", recovery, budget=budget)
    drill_record.budget(f"recovery budget: {format_duration(budget)}", started, budget)
    serving = target.client("sagemaker", candidate.environment).describe_endpoint(EndpointName=endpoint.name)[
        "EndpointConfigName"
    ]
    if serving != first["Before"]:
        pytest.fail(
            f"after the rollback {endpoint.name} serves {serving}, not the current model's config {first['Before']}",
            pytrace=False,
        )
    if recovery > budget:
        pytest.fail(
            f"the rollback of candidate {candidate.name} took {format_duration(recovery)}, over the recovery budget "
            f"{format_duration(budget)} of {endpoint.name}'s alarms",
            pytrace=False,
        )
    again = _deploy_again(stack, target, candidate, first["Package"], drill_record)
    if not again["Deployed"]:
        pytest.fail(
            f"after the rollback, candidate {candidate.name} could not be deployed again on {endpoint.name}: "
            f"FailureReason: {again.get('FailureReason')}",
            pytrace=False,
        )


@pytest.mark.drill(category="endpoint", gate=True, destructive=GUARDRAILS)
def test_a_regressing_candidate_is_rolled_back_by_the_guardrail(
    stack, target, drill_record, candidate, expect, faults, traffic
):
    """With a deployment guardrail declared, a regressing version of the candidate (answering 5xx) is rolled back by
    the guardrail's alarms before the deployment completes; the endpoint stays on the current model."""
    if not GUARDRAILS:
        pytest.skip(
            "deployment guardrails (UpdateEndpoint DeploymentConfig with auto-rollback alarms) are not in this "
            "build yet: the guardrail part of the gate is not proven"
        )
    endpoint = candidate.endpoint_in(stack)
    if not (candidate.endpoint_config.deployment_config or endpoint.deployment_config):
        pytest.skip(f"neither candidate {candidate.name} nor endpoint {endpoint.name} declares a deployment guardrail")
    if not hasattr(target, "local_aws") or endpoint.faults is None:
        pytest.skip(
            "a regressing version of the candidate is staged on the local AWS only (its model is simulated there)"
        )
    # Answering 5xx to every request: whatever share the guardrail shifts first regresses past the alarms.
    regressing = type(candidate).model_validate(
        {
            **candidate.model_dump(),
            "name": f"{candidate.name}-regressing",
            "behaviour": {"error_rate": 1.0, "latency_ms": None, "fails_to_start": False},
        }
    )
    traffic.keep(endpoint)
    outcome = _deploy(stack, target, regressing, expect, faults, drill_record)
    if outcome["Deployed"]:
        pytest.fail(
            f"the guardrail of {endpoint.name} let a version of candidate {candidate.name} that answers 5xx on "
            "every request complete its deployment",
            pytrace=False,
        )
    assert outcome["EndpointConfigName"] == outcome["Before"], (
        f"after the guardrail's rollback {endpoint.name} serves {outcome['EndpointConfigName']}, not {outcome['Before']}"
    )


# --- the team's path, shared by the drills ------------------------------------------------------------------------


def _deploy(stack, target, candidate, expect, faults, record, *, leave=False):
    """Register and approve the candidate; the promotion rule delivers, the deployer deploys; wait for the outcome."""
    promotion = _promotion_rule(stack, candidate)
    sagemaker = target.client("sagemaker", candidate.environment)
    before = sagemaker.describe_endpoint(EndpointName=candidate.endpoint_name)["EndpointConfigName"]
    faults.keep_promotion_as_it_was(candidate.environment)
    expect.listen_rule(promotion)
    package = faults.candidate_promotion(candidate, candidate.model_package.group, leave=leave)
    expect.event(promotion).arrives(
        lambda e: e["detail"].get("ModelPackageArn") == package,
        within=promotion.delivery_budget,
        what=f"the approval of candidate {candidate.name}",
    )
    outcome = await_deployment(sagemaker, target.clock, candidate.endpoint_name, package)
    _note_outcome(target, candidate, outcome, record)
    return {**outcome, "Package": package, "Before": before}


def _deploy_again(stack, target, candidate, package, record):
    """After a rollback (promotion frozen, package rejected): unfreeze, approve again, and the deployer redeploys."""
    events, sagemaker = (
        target.client("events", candidate.environment),
        target.client("sagemaker", candidate.environment),
    )
    events.enable_rule(Name=_promotion_rule(stack, candidate).name)
    sagemaker.update_model_package(
        ModelPackageArn=package,
        ModelApprovalStatus="Approved",
        ApprovalDescription="Simulacro pre-promotion gate: deployed again after the rollback",
    )
    record.add(target.clock.now(), "inject", f"promotion unfrozen, candidate {candidate.name} approved again")
    outcome = await_deployment(sagemaker, target.clock, candidate.endpoint_name, package)
    _note_outcome(target, candidate, outcome, record)
    return outcome


def _note_outcome(target, candidate, outcome, record):
    if outcome["Deployed"]:
        record.add(
            target.clock.now(),
            "note",
            f"{candidate.endpoint_name} InService on candidate {candidate.name} ({outcome['EndpointConfigName']})",
        )
    else:
        record.add(
            target.clock.now(),
            "failure",
            f"deployment of candidate {candidate.name} failed; {outcome['EndpointConfigName']} serves",
            failure_reason=outcome.get("FailureReason"),
        )


def _promotion_rule(stack, candidate):
    rules = [
        r
        for r in stack.rules
        if r.purpose == "promotion"
        and r.environment == candidate.environment
        and r.deploys_endpoint == candidate.endpoint_name
    ]
    if not rules:
        pytest.fail(
            f"the spec declares no promotion rule deploying to {candidate.endpoint_name} in {candidate.environment}: "
            "the gate deploys candidates through the team's promotion path only",
            pytrace=False,
        )
    return next((r for r in rules if r.mentions(candidate.model_package.group)), rules[0])


def _watched_today(target, candidate):
    sagemaker = target.client("sagemaker", candidate.environment)
    described = sagemaker.describe_endpoint(EndpointName=candidate.endpoint_name)
    cloudwatch, events = (
        target.client("cloudwatch", candidate.environment),
        target.client("events", candidate.environment),
    )
    alarms = [
        a
        for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
        for a in page["MetricAlarms"]
    ]
    rules = {r["Name"]: r.get("EventPattern") or "" for r in events.list_rules(Limit=100)["Rules"]}
    schedules = [
        sagemaker.describe_monitoring_schedule(MonitoringScheduleName=s["MonitoringScheduleName"])
        for s in sagemaker.list_monitoring_schedules(MaxResults=100)["MonitoringScheduleSummaries"]
    ]
    return WatchedToday(
        endpoint=candidate.endpoint_name,
        serving_config=sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"]),
        capture=described.get("DataCaptureConfig"),
        alarms=alarms,
        rules=rules,
        schedules=schedules,
    )


def _alarms_watching(stack, endpoint):
    """The alarms on the endpoint's own metrics (the monitoring alarms judge hourly analyses, not a control window)."""
    return [
        a
        for a in stack.alarms
        if a.environment == endpoint.environment
        and any(ref.dimensions.get("EndpointName") == endpoint.name for ref in a.metric_refs)
    ]


def _entered_alarm(target, environment, names, since):
    cloudwatch = target.client("cloudwatch", environment)
    items = cloudwatch.describe_alarm_history(HistoryItemType="StateUpdate", StartDate=since, MaxRecords=100)[
        "AlarmHistoryItems"
    ]
    return [
        f"{i['AlarmName']} entered ALARM ({i['HistorySummary']})"
        for i in items
        if i["AlarmName"] in names and "to ALARM" in i["HistorySummary"] and i["Timestamp"] >= since
    ]


def _smoke(target, candidate):
    """None when the endpoint answers the spec's smoke payload; else what went wrong."""
    payload = candidate.endpoint_in(target.stack).smoke_payload
    if not payload:
        return f"the spec declares no smoke_payload for {candidate.endpoint_name}"
    try:
        target.client("sagemaker-runtime", candidate.environment).invoke_endpoint(
            EndpointName=candidate.endpoint_name, ContentType="text/csv", Body=payload.encode()
        )
    except Exception as error:  # noqa: BLE001 - a failing request is what is measured
        return f"{type(error).__name__}: {str(error)[:200]}"
    return None


def _recovery_budget(stack, endpoint):
    alarms = _alarms_watching(stack, endpoint)
    own = [a.recovery_budget for a in alarms if a.runbook == ROLLBACK_RUNBOOK]
    return max(own or [a.recovery_budget for a in alarms] or [600])
