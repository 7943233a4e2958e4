"""Which drill exercises each declared alarm, rule and runbook behaviourally, or why the spec exempts it.

Computed from the spec with the same selection rules the drills use, so an item no drill would exercise
(an endpoint with alarms but no fault mechanism, an alarm on a metric no fault moves, a runbook no incident
rehearses) shows as uncovered instead of vanishing as an empty parameter set. Pure: the spec in, rows out;
`coverage_table` renders them for the report, and the coverage drill fails on any uncovered row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any, Iterable

from simulacro.spec.model import Alarm, Endpoint, Rule, Stack

ENDPOINT_DRILL = "test_endpoint_alarms"
PIPELINE_DRILL = "test_pipeline_alarms::test_pipeline_failure_pages_the_on_call"
MONITOR_DRILL = "test_model_monitor::test_drift_on_the_watched_feature_pages_the_owner"
REPLAY_DRILL = "test_prod_replay::test_prod_alarm_pages_on_the_recorded_fault_and_stays_quiet_when_healthy"
EVENT_DRILL = "test_event_rules::test_rule_delivers_the_event_it_exists_for"
DRILLED_RULE_PURPOSES = ("pipeline", "model_package", "endpoint")
# The runbooks rehearsed on a simulated incident, and which drill rehearses each.
RUNBOOK_DRILLS = {
    "endpoint-not-responding": "test_incidents::test_endpoint_not_responding_is_rolled_back_to_the_previous_config",
    "regression-after-promotion": "test_incidents::test_regression_after_promotion_is_frozen_rolled_back_and_reported",
    "recurring-pipeline-failure": "test_incidents::test_recurring_pipeline_failure_is_inspected_and_promotions_blocked",
}
ERRORS_5XX, MODEL_LATENCY = "Invocation5XXErrors", "ModelLatency"
REPLAYABLE_METRICS = (ERRORS_5XX, "Invocations", MODEL_LATENCY)
LATENCY_DRILLED_STATISTICS = ("p95", "p99")


@dataclass
class Row:
    kind: str
    name: str
    environment: str
    covered_by: list[str] = field(default_factory=list)
    exemption: str | None = None
    gap: str = ""

    @property
    def covered(self) -> bool:
        return bool(self.covered_by) or bool(self.exemption)

    def __str__(self) -> str:
        return f"{self.kind} {self.name} ({self.environment}): {self.gap or 'no drill exercises it'}"


def coverage(stack: Stack) -> list[Row]:
    return [
        *(_alarm_row(stack, a) for a in stack.alarms),
        *(_rule_row(stack, r) for r in stack.rules),
        *_runbook_rows(stack),
    ]


def uncovered(rows: Iterable[Row]) -> list[Row]:
    return [row for row in rows if not row.covered]


def may_break(stack: Stack, environment: str) -> bool:
    """Destructive drills may inject faults in this environment (some of them at least)."""
    return bool(stack.environments[environment].allow_destructive)


def endpoint_of(alarm: Alarm) -> str | None:
    return next((ref.dimensions["EndpointName"] for ref in alarm.metric_refs if "EndpointName" in ref.dimensions), None)


def faultless_endpoints_with_alarms(stack: Stack, environments: Iterable[str]) -> list[Endpoint]:
    """Endpoints the drills may break that have non-exempt alarms but no fault mechanism: a gap, not a skip."""
    return [
        e
        for e in stack.endpoints
        if e.environment in environments
        and e.faults is None
        and may_break(stack, e.environment)
        and any(
            endpoint_of(a) == e.name and a.environment == e.environment and not a.coverage_exemption
            for a in stack.alarms
            if a.category == "endpoint"
        )
    ]


def require_fault_mechanism(endpoint: Endpoint) -> None:
    """A drill handed an endpoint without a fault mechanism fails as a finding (never a skip, never a crash)."""
    if endpoint.faults is None:
        raise AssertionError(
            f"endpoint {endpoint.name} ({endpoint.environment}) has alarms but declares no fault mechanism (`faults:`): no drill "
            "can prove that they page. Declare the mechanism, or exempt each alarm with `coverage_exemption`."
        )


def replay_source(stack: Stack, alarm: Alarm) -> Endpoint | None:
    """The endpoint whose drills' signature stands for this alarm's endpoint: one with a fault mechanism, in an
    environment drills may break, serving the same model (or, failing that, any such endpoint)."""
    own = next(
        (e for e in stack.endpoints if e.name == endpoint_of(alarm) and e.environment == alarm.environment), None
    )
    sources = [
        e
        for e in stack.endpoints
        if e.faults is not None and may_break(stack, e.environment) and e.environment != alarm.environment
    ]
    same_model = [e for e in sources if own is not None and e.model == own.model]
    candidates = same_model or sources
    return candidates[0] if candidates else None


def _alarm_row(stack: Stack, alarm: Alarm) -> Row:
    row = Row("alarm", alarm.name, alarm.environment, exemption=alarm.coverage_exemption)
    if alarm.category == "pipeline":
        row.covered_by, row.gap = _pipeline(stack, alarm)
    elif alarm.category == "endpoint":
        row.covered_by, row.gap = _endpoint(stack, alarm)
    elif alarm.category == "monitor":
        drilled = (
            any(
                s.environment == alarm.environment
                and any(ref.dimensions.get("MonitoringSchedule") == s.name for ref in alarm.metric_refs)
                for s in stack.monitoring_schedules
            )
            and may_break(stack, alarm.environment)
            and any(ref.name.startswith("feature_baseline_drift_") for ref in alarm.metric_refs)
        )
        row.covered_by = [MONITOR_DRILL] if drilled else []
        row.gap = (
            "" if drilled else "no drift drill can break its schedule's data (drills may not break this environment)"
        )
    else:
        row.gap = f"no drill can cause a {alarm.category} alarm's metric"
    return row


def _pipeline(stack: Stack, alarm: Alarm) -> tuple[list[str], str]:
    dimensions = alarm.metric.dimensions if alarm.metric else {}
    pipeline = next(
        (p for p in stack.pipelines if p.name == dimensions.get("PipelineName") and p.environment == alarm.environment),
        None,
    )
    if pipeline is None:
        return [], f"PipelineName={dimensions.get('PipelineName')} names no pipeline of {alarm.environment}"
    if "StepName" in dimensions and dimensions["StepName"] not in {s.name for s in pipeline.steps}:
        return [], f"StepName={dimensions['StepName']} is not a step of {pipeline.name}"
    return [PIPELINE_DRILL], ""


def _endpoint(stack: Stack, alarm: Alarm) -> tuple[list[str], str]:
    name = endpoint_of(alarm)
    endpoint = next((e for e in stack.endpoints if e.name == name and e.environment == alarm.environment), None)
    metrics = {ref.name for ref in alarm.metric_refs}
    if endpoint is None:
        return [], f"EndpointName={name} names no endpoint of {alarm.environment}"
    if may_break(stack, alarm.environment):
        if endpoint.faults is None:
            return (
                [],
                f"endpoint {endpoint.name} has alarms but no fault mechanism (`faults:`): no drill can make it page",
            )
        if ERRORS_5XX in metrics:
            return [f"{ENDPOINT_DRILL}::test_5xx_errors_page_the_on_call"], ""
        if (
            MODEL_LATENCY in metrics
            and alarm.metric is not None
            and alarm.metric.statistic in LATENCY_DRILLED_STATISTICS
        ):
            return [f"{ENDPOINT_DRILL}::test_high_latency_pages_the_on_call[{alarm.metric.statistic}]"], ""
        return (
            [],
            f"no endpoint fault drives {', '.join(sorted(metrics))} with statistic {', '.join(r.statistic for r in alarm.metric_refs)}",
        )
    if not metrics <= set(REPLAYABLE_METRICS):
        return [], f"prod replay has no recorded signature for {', '.join(sorted(metrics - set(REPLAYABLE_METRICS)))}"
    source = replay_source(stack, alarm)
    if source is None:
        return [], "no endpoint with a fault mechanism in an environment drills may break: nothing to replay"
    return [f"{REPLAY_DRILL} (signature of {source.name})"], ""


def _rule_row(stack: Stack, rule: Rule) -> Row:
    row = Row("rule", rule.name, rule.environment, exemption=rule.coverage_exemption)
    if rule.purpose == "promotion":
        drilled = rule.deploys_endpoint is not None and any(
            e.name == rule.deploys_endpoint and e.environment == rule.environment and e.faults is not None
            for e in stack.endpoints
        )
        row.covered_by = [RUNBOOK_DRILLS["regression-after-promotion"]] if drilled else []
        row.gap = "" if drilled else "its endpoint has no fault mechanism: the promotion drill cannot run"
    elif rule.purpose in DRILLED_RULE_PURPOSES:
        by_purpose: dict[str, list[Any]] = {
            "pipeline": list(stack.pipelines),
            "model_package": list(stack.model_package_groups),
            "endpoint": list(stack.endpoints),
        }
        kinds = by_purpose[rule.purpose]
        named = [item for item in kinds if item.environment == rule.environment and rule.mentions(item.name)]
        row.covered_by = [EVENT_DRILL] if named else []
        row.gap = (
            ""
            if named
            else f"its pattern names no {rule.purpose.replace('_', ' ')} of the spec: nothing can cause its event"
        )
    else:
        row.gap = f"no drill causes the events of a {rule.purpose} rule"
    return row


def _runbook_rows(stack: Stack) -> list[Row]:
    named = sorted({a.runbook for a in stack.alarms} | set(stack.runbook_exemptions))
    rows = []
    for runbook in named:
        environments = ", ".join(sorted({a.environment for a in stack.alarms if a.runbook == runbook})) or "-"
        row = Row("runbook", runbook, environments, exemption=stack.runbook_exemptions.get(runbook))
        if runbook in RUNBOOK_DRILLS:
            row.covered_by = [RUNBOOK_DRILLS[runbook]]
        else:
            row.gap = "named by alarms, but no runbook of that name is rehearsed by a drill"
        rows.append(row)
    return rows


def coverage_json(rows: Iterable[Row]) -> list[dict[str, object]]:
    return [
        {
            "kind": r.kind,
            "name": r.name,
            "environment": r.environment,
            "covered_by": r.covered_by,
            "exemption": r.exemption,
            "gap": "" if r.covered else (r.gap or "no drill exercises it"),
        }
        for r in rows
    ]


def coverage_table(rows: Iterable[Row]) -> str:
    """The HTML table the report shows: what proves each item, or why nothing does."""
    body = "".join(
        f"<tr class='{'covered' if r.covered else 'uncovered'}'><td>{escape(r.kind)}</td><td>{escape(r.name)}</td>"
        f"<td>{escape(r.environment)}</td><td>{escape(', '.join(r.covered_by) or '-')}</td>"
        f"<td>{escape(r.exemption or ('' if r.covered else 'UNCOVERED: ' + (r.gap or 'no drill exercises it')))}</td></tr>"
        for r in rows
    )
    return (
        "<h2>Coverage</h2><table class='coverage'><tr><th>kind</th><th>name</th><th>environment</th>"
        f"<th>exercised by</th><th>exemption or gap</th></tr>{body}</table>"
    )
