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

from simulacro.provision import delivery
from simulacro.provision.compare import canonical
from simulacro.provision.inventory import Inventory
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


Check = Callable[[Stack, Inventory, Names], Iterator[Finding]]


def findings(check: Check, stack: Stack, found: Inventory) -> list[Finding]:
    environment_stack = stack.in_environment(found.environment)
    return list(check(environment_stack, found, Names(stack, found.environment, found.region)))


def explain(found: list[Finding]) -> str:
    return f"{len(found)} problem(s) in the live stack:\n" + "\n".join(f"  - {f}" for f in found)


# --- generic comparison -------------------------------------------------------------------


def differences(
    wanted: dict[str, Any],
    live: dict[str, Any],
    keys: Any = (),
    defaults: dict[str, Any] | None = None,
) -> Iterator[tuple[str, Any, Any]]:
    """(key, live, wanted) for every key the spec declares (`wanted`), and every key of `keys` set live only,
    that differ once AWS's defaults are filled in. Walks the declared fields: a new spec field is compared by construction."""
    defaults = defaults or {}
    for key in dict.fromkeys([*wanted, *keys]):
        want = wanted.get(key, defaults.get(key))
        have = live.get(key, defaults.get(key))
        if key not in wanted and key not in defaults and _empty(have):
            continue
        if canonical(_empty_as_none(have)) != canonical(_empty_as_none(want)):
            yield key, have, want


def _empty(value: Any) -> bool:
    return value in (None, [], {}, "")


def _empty_as_none(value: Any) -> Any:
    if _empty(value):
        return None
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- alarms ------------------------------------------------------------------------------

ALARM_FIELDS = {
    "MetricName": "metric name",
    "Namespace": "namespace",
    "Dimensions": "dimensions",
    "Statistic": "statistic",
    "ExtendedStatistic": "statistic",
    "Metrics": "metric math",
    "Period": "period",
    "EvaluationPeriods": "evaluation periods",
    "DatapointsToAlarm": "datapoints to alarm",
    "Threshold": "threshold",
    "ComparisonOperator": "comparison",
    "TreatMissingData": "missing-data treatment",
    "EvaluateLowSampleCountPercentile": "low-sample-count percentiles",
    "AlarmActions": "ALARM actions",
    "OKActions": "OK actions",
    "InsufficientDataActions": "INSUFFICIENT_DATA actions",
    "Unit": "unit",
    "AlarmDescription": "description",
    "ActionsEnabled": "actions enabled",
    "ThresholdMetricId": "threshold metric",
}
# Every PutMetricAlarm field the live alarm may carry although the spec leaves it out (then it must be unset).
ALARM_LIVE_ONLY = (
    "Unit",
    "ExtendedStatistic",
    "Statistic",
    "Dimensions",
    "Metrics",
    "MetricName",
    "Namespace",
    "InsufficientDataActions",
    "OKActions",
    "ThresholdMetricId",
    "EvaluateLowSampleCountPercentile",
)


def alarm_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    topics = {t["arn"]: t for t in found.topics}
    queues = {q["arn"]: q for q in found.queues}
    for alarm in stack.alarms:
        live = _live_in_its_region("alarm", found.alarms, alarm.name, stack.region_of(alarm, found.region))
        if isinstance(live, Finding):
            yield live
            continue
        wanted = alarm.to_put_metric_alarm(names.topic_arn)
        definition = {**live["definition"]}
        if "Metrics" in definition:
            definition["Metrics"] = [_metric_query(q) for q in definition["Metrics"]]
        defaults = {
            "ActionsEnabled": True,
            "TreatMissingData": "missing",
            "DatapointsToAlarm": definition.get("EvaluationPeriods"),
        }
        declared = {k: v for k, v in wanted.items() if k not in ("AlarmName", "Tags")}
        for key, have, want in differences(declared, definition, ALARM_LIVE_ONLY, defaults):
            yield Finding("alarm", alarm.name, ALARM_FIELDS.get(key, key), f"live {_show(have)}, spec {_show(want)}")
        live_tags = live.get("tags") or {}
        for tag in wanted["Tags"]:
            if live_tags.get(tag["Key"]) != tag["Value"] and not (tag["Key"] == "owner" and not live.get("owner")):
                yield Finding(
                    "alarm",
                    alarm.name,
                    f"tag {tag['Key']}",
                    f"live {_show(live_tags.get(tag['Key']))}, spec {_show(tag['Value'])}",
                )
        yield from _alarm_policy(alarm.name, live, topics)
        yield from _alarm_reaches_people(alarm.name, live, topics, queues, found)


def _metric_query(query: dict[str, Any]) -> dict[str, Any]:
    """A live metric-math query as PutMetricAlarm takes it (DescribeAlarms adds nothing we declare)."""
    return {k: v for k, v in query.items() if k in ("Id", "MetricStat", "Expression", "Label", "ReturnData", "Period")}


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
            yield Finding(
                "alarm",
                name,
                "ALARM actions",
                f"topic {topic['name']} has no confirmed subscriber: the page reaches nobody",
            )


def _live_in_its_region(kind: str, items: list[dict[str, Any]], name: str, region: str) -> dict[str, Any] | Finding:
    """The live alarm or topic in the region the spec puts it, or the finding: missing, or found only elsewhere."""
    live = _in_region(items, name, region)
    if live is not None:
        return live
    elsewhere = sorted(item.get("region", "?") for item in items if item["name"] == name)
    detail = f"found only in {', '.join(elsewhere)}" if elsewhere else "declared in the spec but not found live"
    return Finding(kind, name, "existence" if not elsewhere else "region", f"{detail} (spec: {region})")


def _in_region(items: list[dict[str, Any]], name: str, region: str) -> dict[str, Any] | None:
    """The live alarm or topic named `name` in `region` (an inventory without regions: the first by that name)."""
    return next((item for item in items if item["name"] == name and item.get("region", region) == region), None)


def _alarm_reaches_people(
    name: str, live: dict[str, Any], topics: dict[str, Any], queues: dict[str, Any], found: Inventory
) -> Iterator[Finding]:
    """What SNS does with CloudWatch's message decides whether the page reaches a person: evaluate it."""
    messages = delivery.alarm_messages(live["definition"], found.account, found.region)
    for arn in live["actions"]["alarm"]:
        topic = topics.get(arn)
        if topic is None:
            continue
        where = f"ALARM actions ({topic['name']})"
        problem = delivery.encryption_problem(topic.get("kms_key"))
        if problem:
            yield Finding("alarm", name, where, f"topic {topic['name']} is {problem}: the page never leaves CloudWatch")
        refused = delivery.publish_refused(
            topic.get("policy"),
            principal=delivery.CLOUDWATCH,
            topic_arn=arn,
            source_arn=live["arn"],
            account=found.account,
        )
        if refused:
            yield Finding("alarm", name, where, f"topic {topic['name']}: {refused}: the page never reaches the topic")
        for subscription in (s for s in topic["subscriptions"] if not _is_probe(s)):
            dropped = delivery.filter_policy_problem(subscription, messages)
            if dropped:
                yield Finding(
                    "alarm", name, where, f"subscriber {subscription['protocol']}:{subscription['endpoint']}: {dropped}"
                )
            yield from _sqs_subscriber(name, where, subscription, arn, queues, found)


def _sqs_subscriber(
    name: str, where: str, subscription: dict[str, Any], topic_arn: str, queues: dict[str, Any], found: Inventory
) -> Iterator[Finding]:
    if subscription["protocol"] != "sqs":
        return
    queue = queues.get(subscription["endpoint"])
    if queue is None:
        yield Finding("alarm", name, where, f"subscriber queue {subscription['endpoint']} does not exist")
        return
    refused = delivery.send_refused(
        queue.get("policy"), principal=delivery.SNS, queue_arn=queue["arn"], source_arn=topic_arn, account=found.account
    )
    if refused:
        yield Finding("alarm", name, where, f"subscriber queue {queue['name']}: {refused}")


def alarm_design_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    """What the spec's own alarm definitions get wrong, live or not (see `alarm_design`)."""
    from simulacro.provision.alarm_design import design_problems

    for alarm in stack.alarms:
        for field, message in design_problems(
            alarm, names.stack
        ):  # the whole spec: a dimension may name another environment
            yield Finding("alarm", alarm.name, field, message)


# --- topics ------------------------------------------------------------------------------

SUBSCRIPTION_DEFAULTS = {
    "filter_policy": None,
    "filter_policy_scope": "MessageAttributes",
    "raw_message_delivery": False,
}


def topic_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    queues = {q["arn"]: q for q in found.queues}
    for topic in stack.topics:
        live = _live_in_its_region("topic", found.topics, topic.name, stack.region_of(topic, found.region))
        if isinstance(live, Finding):
            yield live
            continue
        subscribed = {(s["protocol"], s["endpoint"]): s for s in live["subscriptions"]}
        for wanted in topic.subscriptions:
            have = subscribed.get((wanted.protocol, wanted.endpoint))
            if have is None:
                yield Finding(
                    "topic",
                    topic.name,
                    "subscriptions",
                    f"{wanted.protocol}:{wanted.endpoint} is declared but not subscribed",
                )
                continue
            declared = {
                "filter_policy": wanted.filter_policy,
                "raw_message_delivery": wanted.raw_message_delivery,
                "filter_policy_scope": wanted.filter_policy_scope if wanted.filter_policy is not None else None,
            }
            for key, have_value, want_value in differences(declared, {k: have.get(k) for k in declared}):
                yield Finding(
                    "topic",
                    topic.name,
                    f"subscription {wanted.protocol}:{wanted.endpoint}",
                    f"{key.replace('_', ' ')} live {_show(have_value)}, spec {_show(want_value)}",
                )
        declared_endpoints = {(s.protocol, s.endpoint) for s in topic.subscriptions}
        for extra in live["subscriptions"]:
            if not _is_probe(extra) and (extra["protocol"], extra["endpoint"]) not in declared_endpoints:
                yield Finding(
                    "topic",
                    topic.name,
                    "subscriptions",
                    f"{extra['protocol']}:{extra['endpoint']} is subscribed live but not declared",
                )
        if not any(s["confirmed"] for s in live["subscriptions"] if not _is_probe(s)):
            yield Finding("topic", topic.name, "subscriptions", "no confirmed subscription: notifications reach nobody")
        if (live.get("kms_key") or None) != topic.kms_key:
            yield Finding(
                "topic", topic.name, "encryption", f"live key {_show(live.get('kms_key'))}, spec {_show(topic.kms_key)}"
            )
        if topic.policy is not None and _empty_as_none(live.get("policy")) != topic.policy:
            yield Finding(
                "topic", topic.name, "policy", f"live {_show(live.get('policy'))}, spec {_show(topic.policy)}"
            )
        if topic.owner != (live.get("owner") or topic.owner):
            yield Finding(
                "topic", topic.name, "tag owner", f"live {_show(live.get('owner'))}, spec {_show(topic.owner)}"
            )
        yield from _topic_publishers(stack, topic.name, live, names, found, queues)


def _topic_publishers(
    stack: Stack, topic: str, live: dict[str, Any], names: Names, found: Inventory, queues: dict[str, Any]
) -> Iterator[Finding]:
    """The topic accepts what its publishers (the spec's alarms and rules) send, and hands it on."""
    publishers = [
        (delivery.CLOUDWATCH, _alarm_arn(names, a.name))
        for a in stack.alarms
        if topic in a.actions.alarm + a.actions.ok + a.actions.insufficient_data
    ]
    publishers += [
        (delivery.EVENTS, names.rule_arn(r.name)) for r in stack.rules if any(t.topic == topic for t in r.targets)
    ]
    if any(p == delivery.CLOUDWATCH for p, _ in publishers):
        problem = delivery.encryption_problem(live.get("kms_key"))
        if problem:
            yield Finding("topic", topic, "encryption", f"{problem}: every alarm notification through it is lost")
    for principal, source in publishers:
        refused = delivery.publish_refused(
            live.get("policy"), principal=principal, topic_arn=live["arn"], source_arn=source, account=found.account
        )
        if refused:
            yield Finding("topic", topic, "policy", refused)
    for subscription in live["subscriptions"]:
        if subscription["protocol"] == "sqs" and not _is_probe(subscription) and subscription["endpoint"] in queues:
            queue = queues[subscription["endpoint"]]
            refused = delivery.send_refused(
                queue.get("policy"),
                principal=delivery.SNS,
                queue_arn=queue["arn"],
                source_arn=live["arn"],
                account=found.account,
            )
            if refused:
                yield Finding("topic", topic, f"subscription sqs:{queue['name']}", refused)


def _alarm_arn(names: Names, alarm: str) -> str:
    return f"arn:aws:cloudwatch:{names.region}:{names.account}:alarm:{alarm}"


# --- queues ------------------------------------------------------------------------------


def queue_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    for queue in stack.queues:
        live = found.find("queues", queue.name)
        if live is None:
            yield Finding("queue", queue.name, "existence", "declared in the spec but not found live")
            continue
        if live["retention_seconds"] != int(queue.retention):
            yield Finding(
                "queue",
                queue.name,
                "retention",
                f"live {live['retention_seconds']}s, spec {int(queue.retention)}s: "
                "messages expire before anyone reads them"
                if live["retention_seconds"] < queue.retention
                else f"live {live['retention_seconds']}s, spec {int(queue.retention)}s",
            )
        if live["fifo"] != queue.fifo:
            yield Finding("queue", queue.name, "fifo", f"live {live['fifo']}, spec {queue.fifo}")
        live_key = live.get("kms_key")
        if live_key != queue.kms_key:
            yield Finding("queue", queue.name, "encryption", f"live key {_show(live_key)}, spec {_show(queue.kms_key)}")
        if queue.policy is not None and _empty_as_none(live.get("policy")) != queue.policy:
            yield Finding(
                "queue", queue.name, "policy", f"live {_show(live.get('policy'))}, spec {_show(queue.policy)}"
            )
        publishers = [r.name for r in stack.rules for t in r.targets if queue.name in (t.queue, t.dead_letter_queue)]
        publishers += [
            t.name for t in stack.topics for s in t.subscriptions if s.protocol == "sqs" and s.endpoint == live["arn"]
        ]
        if (
            live_key
            and (live_key == AWS_MANAGED_SQS_KEY or live_key.endswith(":" + AWS_MANAGED_SQS_KEY))
            and publishers
        ):
            yield Finding(
                "queue",
                queue.name,
                "encryption",
                f"encrypted with the AWS-managed key {AWS_MANAGED_SQS_KEY}: "
                f"{', '.join(publishers)} cannot send to it (EventBridge and SNS need a customer managed key)",
            )
        yield from _queue_design(stack, queue)
        if live.get("owner") not in (None, queue.owner):
            yield Finding(
                "queue", queue.name, "tag owner", f"live {_show(live.get('owner'))}, spec {_show(queue.owner)}"
            )
        for rule in stack.rules:
            for target in rule.targets:
                if queue.name in (target.queue, target.dead_letter_queue):
                    role = "target" if target.queue == queue.name else "dead-letter queue"
                    refused = delivery.send_refused(
                        live.get("policy"),
                        principal=delivery.EVENTS,
                        queue_arn=live["arn"],
                        source_arn=names.rule_arn(rule.name),
                        account=found.account,
                    )
                    if refused:
                        yield Finding("queue", queue.name, "policy", f"{role} of rule {rule.name}: {refused}")


AWS_MANAGED_SQS_KEY = "alias/aws/sqs"
DEAD_LETTER_RETENTION_AT_LEAST = 86400  # dead letters are read by people, not at once
EVENT_QUEUE_RETENTION_AT_LEAST = 3600


def _queue_design(stack: Stack, queue: Any) -> Iterator[Finding]:
    """Retention that lets people read what lands in the queue, and a deployer's queue that only promotions feed."""
    as_dlq = [r.name for r in stack.rules for t in r.targets if t.dead_letter_queue == queue.name]
    as_target = [r for r in stack.rules for t in r.targets if t.queue == queue.name]
    if as_dlq and queue.retention < DEAD_LETTER_RETENTION_AT_LEAST:
        yield Finding(
            "queue",
            queue.name,
            "retention",
            f"{int(queue.retention)}s for the dead-letter queue of {', '.join(as_dlq)}: "
            "dead letters expire before anyone reads them (keep them at least a day)",
        )
    elif as_target and queue.retention < EVENT_QUEUE_RETENTION_AT_LEAST:
        yield Finding(
            "queue",
            queue.name,
            "retention",
            f"{int(queue.retention)}s for the target of {', '.join(r.name for r in as_target)}: "
            "events expire before operations reads them (keep them at least an hour)",
        )
    feeds = [r.deploys_endpoint for r in as_target if r.deploys_endpoint]
    others = [r.name for r in as_target if not r.deploys_endpoint]
    if feeds and others:
        yield Finding(
            "queue",
            queue.name,
            "consumers",
            f"feeds the deployer of {', '.join(feeds)}, but rule(s) {', '.join(others)} "
            "also deliver there: their events go to a deployer, not to the people who act on them",
        )
    for rule in stack.rules:
        for target in rule.targets:
            if target.queue == queue.name and target.dead_letter_queue == queue.name:
                yield Finding(
                    "queue",
                    queue.name,
                    "dead letters",
                    f"is both the target and the dead-letter queue of rule {rule.name}: "
                    "an event it cannot take has nowhere to go",
                )


# --- rules -------------------------------------------------------------------------------

TARGET_LIVE_ONLY = (
    "Input",
    "InputPath",
    "InputTransformer",
    "DeadLetterConfig",
    "RoleArn",
    "SqsParameters",
    "HttpParameters",
)
TARGET_DEFAULTS = {"RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}}


def rule_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    queues = {q["arn"]: q for q in found.queues}
    for rule in stack.rules:
        live = found.find("rules", rule.name)
        if live is None:
            yield Finding("rule", rule.name, "existence", "declared in the spec but not found live")
            continue
        wanted_state = "ENABLED" if rule.enabled else "DISABLED"
        if live["state"] != wanted_state:
            yield Finding(
                "rule",
                rule.name,
                "state",
                f"{live['state']}: matching events are silently dropped"
                if wanted_state == "ENABLED"
                else f"live {live['state']}, spec {wanted_state}",
            )
        if _json(live["pattern"]) != _json(rule.pattern_json):
            yield Finding("rule", rule.name, "pattern", f"live {live['pattern']} differs from spec {rule.pattern_json}")
        live_targets = {t["id"]: t for t in live["targets"]}
        for target in rule.targets:
            have = live_targets.get(target.id)
            if have is None:
                yield Finding("rule", rule.name, f"target {target.id}", "declared but not attached: events go nowhere")
                continue
            wanted = target.to_put_target(names.queue_arn, names.topic_arn)
            for key, have_value, want_value in differences(
                wanted, have.get("definition") or {}, TARGET_LIVE_ONLY, TARGET_DEFAULTS
            ):
                yield Finding(
                    "rule",
                    rule.name,
                    f"target {target.id}",
                    f"{_TARGET_LABELS.get(key, key)}: live {_show(have_value)}, spec {_show(want_value)}",
                )
            yield from _transformer_problems(rule.name, target.id, target.input_transformer)
        declared = {t.id for t in rule.targets}
        for target in live["targets"]:
            if target["id"] not in declared and not target["id"].startswith(PROBE_PREFIX):
                yield Finding(
                    "rule", rule.name, f"target {target['id']}", f"attached live to {target['arn']} but not declared"
                )
            if not target["id"].startswith(PROBE_PREFIX):
                yield from _target_policy(rule.name, target, queues)


_TARGET_LABELS = {
    "Arn": "destination",
    "DeadLetterConfig": "dead-letter queue",
    "RetryPolicy": "retry policy",
    "InputTransformer": "input transformer",
    "Input": "constant input",
    "InputPath": "input path",
}
PROBE_PREFIX = "simulacro-probe"


def _transformer_problems(rule: str, target_id: str, transformer: dict[str, Any] | None) -> Iterator[Finding]:
    """An input transformer whose template names an undefined placeholder, or whose paths are not JSONPath, delivers nulls."""
    if not transformer:
        return
    import re

    paths = transformer.get("InputPathsMap") or {}
    template = transformer.get("InputTemplate") or ""
    for placeholder in sorted(
        set(re.findall(r"<([A-Za-z0-9_.\-]+)>", template))
        - set(paths)
        - {
            "aws.events.event",
            "aws.events.rule-arn",
            "aws.events.rule-name",
            "aws.events.event.ingestion-time",
            "aws.events.event.json",
        }
    ):
        yield Finding(
            "rule",
            rule,
            f"target {target_id}",
            f"input template uses <{placeholder}>, which InputPathsMap does not define: the target receives null",
        )
    for name, path in paths.items():
        if not str(path).startswith("$"):
            yield Finding(
                "rule",
                rule,
                f"target {target_id}",
                f"input path {name}={path} is not a JSONPath ($.detail...): the target receives null",
            )


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
        yield Finding(
            "rule", rule, where, f"dead-letter queue {queue['name']} is FIFO; EventBridge needs a standard queue"
        )


# --- logs, capture, monitoring -----------------------------------------------------------


def log_group_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    for group in stack.log_groups:
        live = found.find("log_groups", group.name)
        if live is None:
            yield Finding("log group", group.name, "existence", "declared in the spec but not found live")
        elif live["retention_days"] is None:
            yield Finding(
                "log group",
                group.name,
                "retention",
                f"never expires (spec: {group.retention_days} days): cost grows without bound",
            )
        elif live["retention_days"] != group.retention_days:
            yield Finding(
                "log group", group.name, "retention", f"live {live['retention_days']} days, spec {group.retention_days}"
            )


def capture_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    monitored = {s.endpoint for s in stack.monitoring_schedules}
    for endpoint in stack.endpoints:
        live = found.find("endpoints", endpoint.name)
        if live is None:
            yield Finding("endpoint", endpoint.name, "existence", "declared in the spec but not found live")
            continue
        capture = live["capture"]
        if endpoint.name in monitored and capture["status"] != "Started":
            yield Finding(
                "endpoint",
                endpoint.name,
                "data capture",
                f"{capture['status']}: the monitoring schedule has no data to analyse",
            )
        elif endpoint.name in monitored and capture["sampling_percentage"] == 0:
            yield Finding("endpoint", endpoint.name, "data capture", "sampling is 0 %: nothing is captured")
        if endpoint.capture is not None and capture["status"] == "Started":
            yield from _retention(endpoint, found)


def _retention(endpoint: Any, found: Inventory) -> Iterator[Finding]:
    rules = found.bucket_lifecycles.get(endpoint.capture.bucket, [])
    days = [r.get("Expiration", {}).get("Days") for r in rules if r.get("Status") == "Enabled"]
    if not any(days):
        yield Finding(
            "endpoint",
            endpoint.name,
            "capture retention",
            f"bucket {endpoint.capture.bucket} has no expiration rule: captured data is kept forever",
        )
    elif endpoint.capture.retention_days not in days:
        yield Finding(
            "endpoint", endpoint.name, "capture retention", f"live {days} days, spec {endpoint.capture.retention_days}"
        )


def schedule_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    from simulacro.spec.baselines import baseline

    for schedule in stack.monitoring_schedules:
        live = found.find("monitoring_schedules", schedule.name)
        if live is None:
            yield Finding("monitoring schedule", schedule.name, "existence", "declared in the spec but not found live")
            continue
        if live["status"] != "Scheduled":
            yield Finding(
                "monitoring schedule", schedule.name, "status", f"{live['status']}: no monitoring run will happen"
            )
        if live["endpoint"] != schedule.endpoint:
            yield Finding(
                "monitoring schedule", schedule.name, "endpoint", f"live {live['endpoint']}, spec {schedule.endpoint}"
            )
        uri = names.baseline_uri(schedule.output, schedule.baseline.model, schedule.baseline.version)
        if live["statistics"] != f"{uri}/statistics.json" or live["constraints"] != f"{uri}/constraints.json":
            yield Finding(
                "monitoring schedule",
                schedule.name,
                "baseline",
                f"uses {live['statistics']}, spec version {schedule.baseline.version} at {uri}",
            )
        local = baseline(schedule.baseline.model, schedule.baseline.version, stack.baselines)
        for problem in local.checksum_problems():
            yield Finding("monitoring schedule", schedule.name, "baseline checksum", problem)
        live_sums = live.get("baseline_checksums") or {}
        for file_name, expected in (local.manifest.get("files", {}) if not local.checksum_problems() else {}).items():
            if live_sums.get(file_name) not in (None, expected):
                yield Finding(
                    "monitoring schedule",
                    schedule.name,
                    "baseline checksum",
                    f"{uri}/{file_name} in S3 differs from the versioned baseline's manifest",
                )


def deployment_guardrail_findings(stack: Stack, found: Inventory, names: Names) -> Iterator[Finding]:
    """The deployment guardrail recorded on each endpoint for its deployer is the one the spec declares."""
    for endpoint in stack.endpoints:
        live = found.find("endpoints", endpoint.name)
        if live is None:
            continue  # capture_findings reports the missing endpoint
        wanted = endpoint.deployment_config.to_aws() if endpoint.deployment_config else None
        recorded = live.get("deployment_config")
        if recorded and "unreadable" in recorded:
            yield Finding("endpoint", endpoint.name, "deployment guardrail", recorded["unreadable"])
        elif canonical(recorded) != canonical(wanted):
            yield Finding(
                "endpoint",
                endpoint.name,
                "deployment guardrail",
                f"live {_show(recorded)}, spec {_show(wanted)}: the deployer would update the endpoint "
                + ("without the declared guardrail" if wanted else "with a guardrail the spec does not declare"),
            )


CHECKS: dict[str, Check] = {
    "alarms": alarm_findings,
    "alarm design": alarm_design_findings,
    "topics": topic_findings,
    "queues": queue_findings,
    "rules": rule_findings,
    "log groups": log_group_findings,
    "data capture": capture_findings,
    "deployment guardrails": deployment_guardrail_findings,
    "monitoring schedules": schedule_findings,
}


def _is_probe(subscription: dict[str, Any]) -> bool:
    return subscription["protocol"] == "sqs" and ":simulacro-probe-" in subscription["endpoint"]


def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "null")
    except ValueError:
        return text


def _show(value: Any) -> str:
    return "none" if value in (None, [], "") else canonical(value)
