"""The phase scorecard: each requirement of the observability phase, its status, and the drills that prove it.

The person who signs the phase off reads this first: one row per requirement (pipeline alarms and their
notification test; endpoint alarms per environment and the staging alarm test; capture, versioned
baseline and visible schedule, drift; rules with dead-letter queues; each runbook on its incident;
ownership and retention; the alarm inventory by category), each proven, failed, not run or skipped with
the reason, with links to its drills. Below it: every alarm's time to detect beside its floor and
budget, time to notify and to recover, and every rule's delivery latency. Given the previous run's
bundle, it marks what regressed. Pure: drills as the JSON bundle holds them, and the spec, in; data out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from simulacro.spec.model import Stack

Drill = dict[str, Any]
Predicate = Callable[[Drill, Stack], bool]

PROVEN, FAILED, NOT_RUN, SKIPPED = "proven", "failed", "not run", "skipped"


@dataclass(frozen=True)
class Requirement:
    key: str
    title: str
    proven_by: Predicate


@dataclass
class Row:
    key: str
    title: str
    status: str
    drills: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    regressed: bool = False


def function(drill: Drill) -> str:
    """The drill's test function, whatever folder the catalogue was collected from."""
    return drill["drill"].split("::")[-1].split("[", 1)[0]


def _param(drill: Drill) -> str:
    node = drill["drill"]
    return node[node.index("[") + 1 : -1] if "[" in node else ""


def _named(*names: str) -> Predicate:
    return lambda drill, stack: function(drill) in names


def _alarm_drill(category: str, environment: str | None, *names: str) -> Predicate:
    """Drills of `names` parametrized with an alarm (or endpoint, pipeline) of `category` in `environment`."""

    def matches(drill: Drill, stack: Stack) -> bool:
        if function(drill) not in names:
            return False
        param = _param(drill)
        alarms = [a for a in stack.alarms if a.name in param and a.category == category]
        env_ok = (
            environment is None
            or drill.get("environment") == environment
            or any(a.environment == environment for a in alarms)
        )
        category_ok = bool(alarms) or drill.get("category") == category
        return env_ok and category_ok

    return matches


def _any(*predicates: Predicate) -> Predicate:
    return lambda drill, stack: any(p(drill, stack) for p in predicates)


def _in_environment(environment: str, predicate: Predicate) -> Predicate:
    return lambda drill, stack: predicate(drill, stack) and environment in (drill.get("environment"), _param(drill))


INVENTORY_ALARMS = "test_alarms_exist_with_owner_and_actions_as_declared"
NOTIFICATION = "test_alarm_notification_reaches_its_subscribers"

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "pipeline-alarms",
        "Pipeline, training and evaluation failures raise an alarm",
        _named("test_pipeline_failure_pages_the_on_call"),
    ),
    Requirement(
        "pipeline-notification-test",
        "A controlled notification test of the pipeline alarms is recorded",
        _alarm_drill("pipeline", None, NOTIFICATION),
    ),
    Requirement(
        "endpoint-alarms-staging",
        "Staging: 5xx and P95/P99 latency alarms fire on a staged fault",
        _named("test_5xx_errors_page_the_on_call", "test_high_latency_pages_the_on_call"),
    ),
    Requirement(
        "endpoint-alarm-test-staging",
        "Staging: an endpoint alarm test is recorded (notification reached a person)",
        _alarm_drill("endpoint", "staging", NOTIFICATION),
    ),
    Requirement(
        "endpoint-alarms-prod",
        "Prod: 5xx and P95/P99 latency alarms exist as declared and would page",
        _any(
            _in_environment("prod", _named(INVENTORY_ALARMS)),
            _alarm_drill("endpoint", "prod", NOTIFICATION),
            lambda d, s: "prod" in _param(d) and "replay" in function(d),
        ),
    ),
    Requirement(
        "capture",
        "Data capture is on for the monitored endpoint, in the documented layout, with retention",
        _named(
            "test_requests_are_captured_in_the_documented_layout",
            "test_monitored_endpoints_capture_data_with_retention",
            "test_captured_data_expires_after_the_declared_retention",
        ),
    ),
    Requirement(
        "baseline-and-schedule",
        "A versioned baseline and a visible monitoring schedule on it",
        _named("test_monitoring_schedules_run_on_the_declared_baseline"),
    ),
    Requirement(
        "drift-detected",
        "Drift is detected when the data drifts (and not on healthy data)",
        _named(
            "test_drift_on_the_watched_feature_pages_the_owner",
            "test_healthy_traffic_raises_no_violation_and_no_drift_alarm",
            "test_missing_values_break_the_completeness_constraint",
        ),
    ),
    Requirement(
        "rules-delivered",
        "Rules for pipeline, model package and endpoint changes deliver their events",
        _named(
            "test_rule_delivers_the_event_it_exists_for",
            "test_model_package_approval_change_is_delivered",
            "test_failed_endpoint_update_is_delivered",
            "test_failure_rules_stay_silent_on_success",
        ),
    ),
    Requirement(
        "rules-dead-letter",
        "Every rule target has a dead-letter queue, and an undeliverable event lands in it",
        _named(
            "test_rules_are_enabled_with_targets_that_have_a_dead_letter_queue",
            "test_undeliverable_event_lands_in_the_dead_letter_queue",
        ),
    ),
    Requirement(
        "runbook-endpoint-not-responding",
        "Runbook 'endpoint not responding' restores service on a simulated incident",
        _named("test_endpoint_not_responding_is_rolled_back_to_the_previous_config"),
    ),
    Requirement(
        "runbook-regression-after-promotion",
        "Runbook 'regression after promotion' freezes, rolls back and reports",
        _named("test_regression_after_promotion_is_frozen_rolled_back_and_reported"),
    ),
    Requirement(
        "runbook-recurring-pipeline-failure",
        "Runbook 'recurring pipeline failure' inspects and blocks promotions",
        _named("test_recurring_pipeline_failure_is_inspected_and_promotions_blocked"),
    ),
    Requirement(
        "ownership-and-retention",
        "Every alarm has an owner and actions; logs and captured data expire",
        _named(INVENTORY_ALARMS, "test_topics_have_their_subscribers", "test_log_groups_have_retention"),
    ),
    Requirement(
        "alarm-inventory",
        "Alarm inventory by category (pipeline, endpoint, monitor, cost), cost alarms included",
        _any(_named(INVENTORY_ALARMS), lambda d, s: d.get("category") == "cost"),
    ),
)


def scorecard(
    drills: list[Drill], skipped: dict[str, str], stack: Stack, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The scorecard as data: `requirements` rows, the `alarms` and `rules` tables, and what `regressed`."""
    everything = list(drills) + [
        {"drill": nodeid, "outcome": "skipped", "message": reason}
        for nodeid, reason in skipped.items()
        if nodeid not in {d["drill"] for d in drills}
    ]
    rows = [_row(requirement, everything, stack) for requirement in REQUIREMENTS]
    card = {
        "requirements": [asdict(r) for r in rows],
        "alarms": alarm_table(drills, stack),
        "rules": rule_table(drills),
    }
    card["regressed"] = regressions(card, drills, previous) if previous else []
    regressed_keys = {r["key"] for r in card["regressed"] if r.get("key")}
    for row in card["requirements"]:
        row["regressed"] = row["key"] in regressed_keys
    return card


def _row(requirement: Requirement, drills: list[Drill], stack: Stack) -> Row:
    proving = [d for d in drills if requirement.proven_by(d, stack)]
    row = Row(requirement.key, requirement.title, NOT_RUN, [d["drill"] for d in proving])
    outcomes = [d.get("outcome") for d in proving]
    if any(o == "failed" for o in outcomes):
        row.status = FAILED
        row.reasons = [
            f"{d['drill']}: {_first_line(d.get('message'))}" for d in proving if d.get("outcome") == "failed"
        ]
    elif any(o == "passed" for o in outcomes):
        row.status = PROVEN
    elif proving:
        row.status = SKIPPED
        row.reasons = sorted({_first_line(d.get("message")) for d in proving})
    else:
        row.reasons = ["no drill selected in this run proves it"]
    return row


def alarm_table(drills: list[Drill], stack: Stack) -> list[dict[str, Any]]:
    """Per declared alarm: the best (latest) measured time to detect, its floor and budget, time to notify and recover."""
    measured: dict[str, dict[str, Any]] = {}
    for drill in drills:
        for m in drill.get("measurements", []):
            name, _, alarm = m["name"].partition(" (")
            alarm = alarm.rstrip(")")
            column = {"time to detect": "detect", "time to notify": "notify", "time to recover": "recover"}.get(name)
            if column is None:
                continue
            row = measured.setdefault(alarm, {})
            row[column] = m["seconds"]
            if column == "detect":
                row["floor"], row["detect_budget"] = m.get("floor"), m.get("budget")
            if column == "recover":
                row["recover_budget"] = m.get("budget")
    return [
        {
            "alarm": a.name,
            "environment": a.environment,
            "category": a.category,
            "owner": a.owner,
            "detect": measured.get(a.name, {}).get("detect"),
            "floor": measured.get(a.name, {}).get("floor"),
            "detect_budget": a.detection_budget,
            "notify": measured.get(a.name, {}).get("notify"),
            "recover": measured.get(a.name, {}).get("recover"),
            "recover_budget": a.recovery_budget,
        }
        for a in stack.alarms
    ]


def rule_table(drills: list[Drill]) -> list[dict[str, Any]]:
    latencies: dict[str, float] = {}
    for drill in drills:
        for m in drill.get("measurements", []):
            if m["name"].startswith("delivery latency ("):
                latencies[m["name"][len("delivery latency (") : -1]] = m["seconds"]
    return [{"rule": rule, "delivery_latency": seconds} for rule, seconds in sorted(latencies.items())]


def regressions(card: dict[str, Any], drills: list[Drill], previous: dict[str, Any]) -> list[dict[str, Any]]:
    """What got worse since `previous` (a bundle): requirements no longer proven, drills that now fail, slower detection."""
    found: list[dict[str, Any]] = []
    before = {r["key"]: r for r in (previous.get("scorecard") or {}).get("requirements", [])}
    for row in card["requirements"]:
        old = before.get(row["key"])
        if old and old["status"] == PROVEN and row["status"] != PROVEN:
            found.append({"key": row["key"], "what": f"{row['title']}: was proven, now {row['status']}"})
    outcomes = {d["drill"]: d.get("outcome") for d in previous.get("drills", [])}
    for drill in drills:
        if outcomes.get(drill["drill"]) == "passed" and drill.get("outcome") == "failed":
            found.append({"drill": drill["drill"], "what": f"{drill['drill']}: passed before, fails now"})
    old_detect = {a["alarm"]: a.get("detect") for a in (previous.get("scorecard") or {}).get("alarms", [])}
    for alarm in card["alarms"]:
        was, now = old_detect.get(alarm["alarm"]), alarm.get("detect")
        if was is not None and now is not None and now > was:
            found.append(
                {"alarm": alarm["alarm"], "what": f"time to detect of {alarm['alarm']} grew from {was:g}s to {now:g}s"}
            )
    return found


def _first_line(text: Any) -> str:
    return (str(text or "").strip().splitlines() or [""])[0][:300]
