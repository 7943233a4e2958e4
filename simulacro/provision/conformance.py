"""Does the live stack (an `Inventory`) match the spec, and keep the phase's rules? Pure: data in, findings out.

Two kinds of finding: drift (live differs from what the spec declares) and policy (what the phase
requires of every stack whatever the spec says: alarms with an owner and actions that reach a
person, rule targets with a standard dead-letter queue, log retention, capture where monitoring
reads it, a running schedule on the declared baseline).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from simulacro.provision.naming import Names
from simulacro.spec.model import Stack


@dataclass(frozen=True)
class Finding:
    kind: str
    name: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}: {self.field}: {self.message}"


Check = Callable[[Stack, Any, Names], Iterator[Finding]]


def findings(check: Check, stack: Stack, found: Any) -> list[Finding]:
    environment_stack = stack.in_environment(found.environment)
    return list(check(environment_stack, found, Names(stack, found.environment, found.region)))


def explain(found: list[Finding]) -> str:
    return f"{len(found)} problem(s) in the live stack:\n" + "\n".join(f"  - {f}" for f in found)


# --- alarms ------------------------------------------------------------------------------

ALARM_FIELDS = {
    "MetricName": "metric name", "Namespace": "namespace", "Dimensions": "dimensions", "Statistic": "statistic",
    "ExtendedStatistic": "statistic", "Metrics": "metric math", "Period": "period", "EvaluationPeriods": "evaluation periods",
    "DatapointsToAlarm": "datapoints to alarm", "Threshold": "threshold", "ComparisonOperator": "comparison",
    "TreatMissingData": "missing-data treatment", "EvaluateLowSampleCountPercentile": "low-sample-count percentiles",
    "AlarmActions": "ALARM actions", "OKActions": "OK actions",
}


def alarm_findings(stack: Stack, found: Any, names: Names) -> Iterator[Finding]:
    topics = {t["arn"]: t for t in found.topics}
    for alarm in stack.alarms:
        live = found.find("alarms", alarm.name)
        if live is None:
            yield Finding("alarm", alarm.name, "existence", "declared in the spec but not found live")
            continue
        wanted = alarm.to_put_metric_alarm(names.topic_arn)
        for key, label in ALARM_FIELDS.items():
            have, want = live["definition"].get(key), wanted.get(key)
            if (have or want) and _canonical(have) != _canonical(want):
                yield Finding("alarm", alarm.name, label, f"live {_show(have)}, spec {_show(want)}")
        yield from _alarm_policy(alarm.name, live, topics)


def _alarm_policy(name: str, live: dict[str, Any], topics: dict[str, Any]) -> Iterator[Finding]:
    if not live.get("owner"):
        yield Finding("alarm", name, "owner", "no owner tag: nobody is accountable when it fires")
    if not live["actions_enabled"]:
        yield Finding("alarm", name, "actions", "actions are disabled: it changes state silently")
    if not live["actions"]["alarm"]:
        yield Finding("alarm", name, "ALARM actions", "none: entering ALARM notifies nobody")
    for arn in live["actions"]["alarm"]:
        topic = topics.get(arn)
        if topic is None:
            yield Finding("alarm", name, "ALARM actions", f"topic {arn} does not exist")
        elif not any(s["confirmed"] for s in topic["subscriptions"] if not _is_probe(s)):
            yield Finding("alarm", name, "ALARM actions", f"topic {topic['name']} has no confirmed subscriber: the page reaches nobody")


# --- topics ------------------------------------------------------------------------------

def topic_findings(stack: Stack, found: Any, names: Names) -> Iterator[Finding]:
    for topic in stack.topics:
        live = found.find("topics", topic.name)
        if live is None:
            yield Finding("topic", topic.name, "existence", "declared in the spec but not found live")
            continue
        subscribed = {(s["protocol"], s["endpoint"]) for s in live["subscriptions"]}
        for wanted in topic.subscriptions:
            if (wanted.protocol, wanted.endpoint) not in subscribed:
                yield Finding("topic", topic.name, "subscriptions", f"{wanted.protocol}:{wanted.endpoint} is declared but not subscribed")
        if not any(s["confirmed"] for s in live["subscriptions"] if not _is_probe(s)):
            yield Finding("topic", topic.name, "subscriptions", "no confirmed subscription: notifications reach nobody")


# --- rules -------------------------------------------------------------------------------

def rule_findings(stack: Stack, found: Any, names: Names) -> Iterator[Finding]:
    queues = {q["arn"]: q for q in found.queues}
    for rule in stack.rules:
        live = found.find("rules", rule.name)
        if live is None:
            yield Finding("rule", rule.name, "existence", "declared in the spec but not found live")
            continue
        if live["state"] != "ENABLED":
            yield Finding("rule", rule.name, "state", f"{live['state']}: matching events are silently dropped")
        if _json(live["pattern"]) != _json(rule.pattern_json):
            yield Finding("rule", rule.name, "pattern", f"live {live['pattern']} differs from spec {rule.pattern_json}")
        live_targets = {t["id"]: t for t in live["targets"]}
        for target in rule.targets:
            if target.id not in live_targets:
                yield Finding("rule", rule.name, f"target {target.id}", "declared but not attached: events go nowhere")
        for target in live["targets"]:
            yield from _target_policy(rule.name, target, queues)


def _target_policy(rule: str, target: dict[str, Any], queues: dict[str, Any]) -> Iterator[Finding]:
    where = f"target {target['id']}"
    if target["arn"].startswith("arn:aws:sqs:") and target["arn"] not in queues:
        yield Finding("rule", rule, where, f"target queue {target['arn'].rsplit(':', 1)[1]} does not exist")
    dlq = target["dead_letter_queue"]
    retries = (target.get("retry") or {}).get("MaximumRetryAttempts", 185)
    if not dlq:
        detail = " and a retry policy of 0 drops it at the first failure" if retries == 0 else ""
        yield Finding("rule", rule, where, f"no dead-letter queue: an undeliverable event is lost silently{detail}")
        return
    queue = queues.get(dlq)
    if queue is None:
        yield Finding("rule", rule, where, f"dead-letter queue {dlq} does not exist")
    elif queue["fifo"]:
        yield Finding("rule", rule, where, f"dead-letter queue {queue['name']} is FIFO; EventBridge needs a standard queue")


# --- logs, capture, monitoring -----------------------------------------------------------

def log_group_findings(stack: Stack, found: Any, names: Names) -> Iterator[Finding]:
    for group in stack.log_groups:
        live = found.find("log_groups", group.name)
        if live is None:
            yield Finding("log group", group.name, "existence", "declared in the spec but not found live")
        elif live["retention_days"] is None:
            yield Finding("log group", group.name, "retention", f"never expires (spec: {group.retention_days} days): cost grows without bound")
        elif live["retention_days"] != group.retention_days:
            yield Finding("log group", group.name, "retention", f"live {live['retention_days']} days, spec {group.retention_days}")


def capture_findings(stack: Stack, found: Any, names: Names) -> Iterator[Finding]:
    monitored = {s.endpoint for s in stack.monitoring_schedules}
    for endpoint in stack.endpoints:
        live = found.find("endpoints", endpoint.name)
        if live is None:
            yield Finding("endpoint", endpoint.name, "existence", "declared in the spec but not found live")
            continue
        capture = live["capture"]
        if endpoint.name in monitored and capture["status"] != "Started":
            yield Finding("endpoint", endpoint.name, "data capture", f"{capture['status']}: the monitoring schedule has no data to analyse")
        elif endpoint.name in monitored and capture["sampling_percentage"] == 0:
            yield Finding("endpoint", endpoint.name, "data capture", "sampling is 0 %: nothing is captured")
        if endpoint.capture is not None and capture["status"] == "Started":
            yield from _retention(endpoint, found)


def _retention(endpoint: Any, found: Any) -> Iterator[Finding]:
    rules = found.bucket_lifecycles.get(endpoint.capture.bucket, [])
    days = [r.get("Expiration", {}).get("Days") for r in rules if r.get("Status") == "Enabled"]
    if not any(days):
        yield Finding("endpoint", endpoint.name, "capture retention", f"bucket {endpoint.capture.bucket} has no expiration rule: captured data is kept forever")
    elif endpoint.capture.retention_days not in days:
        yield Finding("endpoint", endpoint.name, "capture retention", f"live {days} days, spec {endpoint.capture.retention_days}")


def schedule_findings(stack: Stack, found: Any, names: Names) -> Iterator[Finding]:
    from simulacro.spec.baselines import baseline

    for schedule in stack.monitoring_schedules:
        live = found.find("monitoring_schedules", schedule.name)
        if live is None:
            yield Finding("monitoring schedule", schedule.name, "existence", "declared in the spec but not found live")
            continue
        if live["status"] != "Scheduled":
            yield Finding("monitoring schedule", schedule.name, "status", f"{live['status']}: no monitoring run will happen")
        if live["endpoint"] != schedule.endpoint:
            yield Finding("monitoring schedule", schedule.name, "endpoint", f"live {live['endpoint']}, spec {schedule.endpoint}")
        uri = names.baseline_uri(schedule.output, schedule.baseline.model, schedule.baseline.version)
        if live["statistics"] != f"{uri}/statistics.json" or live["constraints"] != f"{uri}/constraints.json":
            yield Finding("monitoring schedule", schedule.name, "baseline", f"uses {live['statistics']}, spec version {schedule.baseline.version} at {uri}")
        local = baseline(schedule.baseline.model, schedule.baseline.version)
        for problem in local.checksum_problems():
            yield Finding("monitoring schedule", schedule.name, "baseline checksum", problem)
        live_sums = live.get("baseline_checksums") or {}
        for file_name, expected in (local.manifest.get("files", {}) if not local.checksum_problems() else {}).items():
            if live_sums.get(file_name) not in (None, expected):
                yield Finding("monitoring schedule", schedule.name, "baseline checksum", f"{uri}/{file_name} in S3 differs from the versioned baseline's manifest")


def deployment_guardrail_findings(stack: Stack, found: Any, names: Names) -> Iterator[Finding]:
    """The deployment guardrail recorded on each endpoint for its deployer is the one the spec declares."""
    for endpoint in stack.endpoints:
        live = found.find("endpoints", endpoint.name)
        if live is None:
            continue  # capture_findings reports the missing endpoint
        wanted = endpoint.deployment_config.to_aws() if endpoint.deployment_config else None
        recorded = live.get("deployment_config")
        if recorded and "unreadable" in recorded:
            yield Finding("endpoint", endpoint.name, "deployment guardrail", recorded["unreadable"])
        elif _canonical(recorded) != _canonical(wanted):
            yield Finding("endpoint", endpoint.name, "deployment guardrail",
                          f"live {_show(recorded)}, spec {_show(wanted)}: the deployer would update the endpoint "
                          + ("without the declared guardrail" if wanted else "with a guardrail the spec does not declare"))


CHECKS: dict[str, Check] = {
    "alarms": alarm_findings,
    "topics": topic_findings,
    "rules": rule_findings,
    "log groups": log_group_findings,
    "data capture": capture_findings,
    "deployment guardrails": deployment_guardrail_findings,
    "monitoring schedules": schedule_findings,
}


def _is_probe(subscription: dict[str, Any]) -> bool:
    return subscription["protocol"] == "sqs" and ":simulacro-probe-" in subscription["endpoint"]


def _canonical(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, sort_keys=True, default=str)


def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "null")
    except ValueError:
        return text


def _show(value: Any) -> str:
    return "none" if value in (None, [], "") else _canonical(value)
