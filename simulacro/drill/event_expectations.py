"""Expectations on EventBridge: an event is delivered through a rule, stays away, or lands in a DLQ.

A probe queue is added to the live rule as one more target (Id `simulacro-probe`, removed afterwards):
it hears exactly what the rule delivers. Each declared target that reshapes the event (InputTransformer,
InputPath, Input) gets a stand-in probe with the same setting, so the drill asserts on what that target
would really receive: a transformer whose paths match nothing in the event delivers nulls, and fails. That the rule's real targets received it too is read from
`AWS/Events` (`FailedInvocations` must stay 0). Dead-letter queues are read without taking anyone
else's messages: what is not ours is released at once (visibility timeout 0).
"""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from simulacro.drill.probes import Heard, ProbeQueue
from simulacro.evidence import DrillRecord
from simulacro.spec import Rule, format_duration, parse_duration
from simulacro.target.waits import wait_for

if TYPE_CHECKING:
    from simulacro.target.targets import Target

PROBE_TARGET_ID = "simulacro-probe"
RESHAPING = ("Input", "InputPath", "InputTransformer")
DLQ_ATTRIBUTES = ("RULE_ARN", "TARGET_ARN", "ERROR_CODE", "ERROR_MESSAGE", "RETRY_ATTEMPTS")
Predicate = Callable[[dict[str, Any]], bool]


class RuleListener:
    def __init__(self, target: Target, rule: Rule, run_id: str):
        self.target = target
        self.rule = rule
        self.events = target.client("events", rule.environment)
        try:
            self.rule_arn = self.events.describe_rule(Name=rule.name)["Arn"]
        except self.events.exceptions.ResourceNotFoundException:
            raise AssertionError(
                f"rule {rule.name} is declared in the spec but does not exist live in {rule.environment}: "
                "the events it exists for reach nobody"
            ) from None
        self.probe = ProbeQueue(target, rule.environment, run_id, f"events of rule {rule.name}")
        self.probe.allow_rule(self.rule_arn)
        self.events.put_targets(Rule=rule.name, Targets=[{"Id": PROBE_TARGET_ID, "Arn": self.probe.arn}])
        # Stand-ins for the declared targets that reshape the event: (declared target, probe, probe target id).
        self.stand_ins: list[tuple[dict[str, Any], ProbeQueue, str]] = []
        live_targets = self.events.list_targets_by_rule(Rule=rule.name)["Targets"]
        for index, declared in enumerate(
            t for t in live_targets if not t["Id"].startswith(PROBE_TARGET_ID) and any(k in t for k in RESHAPING)
        ):
            probe = ProbeQueue(
                target, rule.environment, run_id, f"what target {declared['Id']} of rule {rule.name} receives"
            )
            probe_id = f"{PROBE_TARGET_ID}-{index}"
            self.stand_ins.append((declared, probe, probe_id))
            probe.allow_rule(self.rule_arn)
            self.events.put_targets(
                Rule=rule.name,
                Targets=[{"Id": probe_id, "Arn": probe.arn, **{k: declared[k] for k in RESHAPING if k in declared}}],
            )

    def close(self) -> None:
        try:
            self.events.remove_targets(Rule=self.rule.name, Ids=[PROBE_TARGET_ID] + [i for _, _, i in self.stand_ins])
        finally:
            self.probe.close()
            for _, probe, _ in self.stand_ins:
                probe.close()


class EventExpectation:
    def __init__(
        self,
        listener: RuleListener,
        record: DrillRecord,
        since: datetime,
        progress: Callable[[str], None] | None = None,
    ):
        self.listener = listener
        self.record = record
        self.since = since
        self.progress = progress

    def arrives(self, matching: Predicate, *, within: Any, what: str) -> dict[str, Any]:
        """The rule delivers an event for which `matching(event)` holds; its delivery latency goes on the timeline."""
        listener, clock = self.listener, self.listener.target.clock
        budget = parse_duration(within)
        self.record.budget(f"{what} via {listener.rule.name}: {format_duration(budget)}", self.since, budget)
        try:
            heard = wait_for(
                lambda: listener.probe.first(lambda h: _is_event(h) and matching(h.message)),
                within=budget,
                clock=clock,
                what=f"{what} through rule {listener.rule.name}",
                poll=1.0,
                progress=self.progress,
            )
        except AssertionError:
            raise AssertionError(self._not_delivered(what, budget)) from None
        event = heard.message
        latency = max(0.0, (heard.at - _event_time(event)).total_seconds())
        self.record.add(
            heard.at,
            "event",
            f"{event['detail-type']} delivered by {listener.rule.name}",
            status=_status(event),
            event_id=event["id"],
            delivery_latency=format_duration(latency),
        )
        self.record.measure(f"delivery latency ({listener.rule.name})", latency)
        self._as_declared_targets_receive(event)
        failed = rule_metric(listener.target, listener.rule, "FailedInvocations", self.since)
        assert failed == 0, (
            f"rule {listener.rule.name} matched {what}, but {failed:g} deliveries to its targets failed "
            f"(AWS/Events FailedInvocations): check each target's existence and policy"
        )
        return event

    def _as_declared_targets_receive(self, event: dict[str, Any]) -> None:
        """What each reshaping target receives for `event` carries the event: no transformer path matching nothing."""
        listener, clock = self.listener, self.listener.target.clock
        for declared, probe, _ in listener.stand_ins:
            where = f"target {declared['Id']} of rule {listener.rule.name}"
            try:
                received = wait_for(
                    functools.partial(probe.first, _anything),
                    within=listener.rule.delivery_budget,
                    clock=clock,
                    what=f"what {where} receives",
                    poll=1.0,
                    progress=self.progress,
                )
            except AssertionError:
                raise AssertionError(
                    f"{where} received nothing for {event['detail-type']} while the rule matched it: "
                    f"its input setting {_reshaping(declared)} is refused by EventBridge"
                ) from None
            empty = unresolved_paths(declared, event)
            self.record.add(
                received.at, "event", f"{where} received its transformed input", received=str(received.message)[:200]
            )
            assert not empty, (
                f"{where} receives null for {', '.join(empty)}: its input setting {_reshaping(declared)} names "
                f"fields the {event['detail-type']} event does not have (delivered: {str(received.message)[:200]})"
            )

    def absent(self, matching: Predicate, *, within: Any, what: str) -> None:
        """No event for which `matching(event)` holds is delivered during `within`."""
        listener, clock = self.listener, self.listener.target.clock
        clock.sleep(parse_duration(within))
        listener.probe.receive()
        delivered = [h.message for h in listener.probe.heard if _is_event(h) and matching(h.message)]
        self.record.add(
            clock.now(),
            "note",
            f"{listener.rule.name} silent on {what}" if not delivered else f"{listener.rule.name} delivered on {what}",
        )
        assert not delivered, (
            f"rule {listener.rule.name} is declared for failures only but delivered {len(delivered)} event(s) on {what}: "
            f"{_status(delivered[0])}; its pattern is too wide (would page on success)"
        )

    def _not_delivered(self, what: str, budget: float) -> str:
        listener = self.listener
        live = listener.events.describe_rule(Name=listener.rule.name)
        heard = [_status(h.message) for h in listener.probe.heard if _is_event(h)]
        return (
            f"rule {listener.rule.name} did not deliver {what} within {format_duration(budget)} "
            f"(rule state {live['State']}; the probe target heard: {heard or 'nothing'}). "
            f"Live pattern: {live.get('EventPattern')}. Check the detail-type, field names and status spelling "
            f"against the event (endpoint events say IN_SERVICE, not InService) and that the rule is ENABLED."
        )


class DeadLetterExpectation:
    def __init__(
        self,
        target: Target,
        rule: Rule,
        target_id: str,
        record: DrillRecord,
        since: datetime,
        progress: Callable[[str], None] | None = None,
    ):
        self.target = target
        self.rule = rule
        self.target_id = target_id
        self.record = record
        self.since = since
        self.progress = progress

    def receives(self, *, error_code: str, within: Any, matching: Predicate) -> dict[str, str]:
        """The undeliverable event lands in the target's DLQ with `error_code` and every documented attribute."""
        events = self.target.client("events", self.rule.environment)
        live = {t["Id"]: t for t in events.list_targets_by_rule(Rule=self.rule.name)["Targets"]}[self.target_id]
        dlq_arn = (live.get("DeadLetterConfig") or {}).get("Arn")
        if not dlq_arn:
            failed = rule_metric(self.target, self.rule, "FailedInvocations", self.since)
            raise AssertionError(
                f"target {self.target_id} of rule {self.rule.name} has no dead-letter queue: the undeliverable event "
                f"was lost silently (AWS/Events FailedInvocations {failed:g}). Give the target a standard SQS DLQ."
            )
        sqs = self.target.client("sqs", self.rule.environment)
        url = sqs.get_queue_url(QueueName=dlq_arn.rsplit(":", 1)[1])["QueueUrl"]
        budget = parse_duration(within)
        try:
            message = wait_for(
                lambda: _take_ours(sqs, url, matching),
                within=budget,
                clock=self.target.clock,
                what=f"the event in dead-letter queue {dlq_arn.rsplit(':', 1)[1]}",
                poll=1.0,
                progress=self.progress,
            )
        except AssertionError:
            sent = rule_metric(self.target, self.rule, "InvocationsSentToDLQ", self.since)
            lost = rule_metric(self.target, self.rule, "InvocationsFailedToBeSentToDLQ", self.since)
            raise AssertionError(
                f"the undeliverable event of rule {self.rule.name} did not reach dead-letter queue {dlq_arn} within "
                f"{format_duration(budget)} (AWS/Events InvocationsSentToDLQ {sent:g}, InvocationsFailedToBeSentToDLQ {lost:g}): "
                "check that the DLQ exists, is a standard (not FIFO) queue, and that its policy lets EventBridge send."
            ) from None
        attributes = {k: v.get("StringValue", "") for k, v in (message.get("MessageAttributes") or {}).items()}
        missing = [name for name in DLQ_ATTRIBUTES if name not in attributes]
        assert not missing, f"dead-letter message lacks documented attributes {missing}: {attributes}"
        assert attributes["ERROR_CODE"] == error_code, (
            f"dead-lettered with {attributes['ERROR_CODE']}, expected {error_code}: {attributes['ERROR_MESSAGE']}"
        )
        at = self.target.clock.now()
        self.record.add(
            at,
            "event",
            f"dead-lettered with {attributes['ERROR_CODE']} in {dlq_arn.rsplit(':', 1)[1]}",
            **{k.lower(): v for k, v in attributes.items()},
        )
        self.record.measure(f"time to dead-letter ({self.rule.name})", (at - self.since).total_seconds())
        return attributes


def rule_metric(target: Target, rule: Rule, name: str, since: datetime) -> float:
    """The Sum of an AWS/Events metric of `rule` since `since` (0 when there is no datapoint)."""
    cloudwatch = target.client("cloudwatch", rule.environment)
    end = target.clock.now() + timedelta(minutes=1)
    start = since.replace(second=0, microsecond=0)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/Events",
        MetricName=name,
        Dimensions=[{"Name": "RuleName", "Value": rule.name}],
        StartTime=start,
        EndTime=end,
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]
    return sum(p["Sum"] for p in points)


def _take_ours(sqs: Any, url: str, matching: Predicate) -> dict[str, Any] | None:
    response = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=0, MessageAttributeNames=["All"]
    )
    for message in response.get("Messages", []):
        try:
            event = json.loads(message["Body"])
        except ValueError:
            continue
        if isinstance(event, dict) and matching(event):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            return {**message, "event": event}
    return None


def _anything(heard: Heard) -> bool:
    return True


def unresolved_paths(target: dict[str, Any], event: dict[str, Any]) -> list[str]:
    """The input paths of `target` (InputPath, InputTransformer paths) that match nothing in `event`."""
    paths = dict((target.get("InputTransformer") or {}).get("InputPathsMap") or {})
    if "InputPath" in target:
        paths["InputPath"] = target["InputPath"]
    return [f"{name}={path}" for name, path in paths.items() if json_path(event, path) is None]


def json_path(event: Any, path: str) -> Any:
    """The simple JSONPath EventBridge accepts: `$`, `$.detail.field`, `$.resources[0]`."""
    import re

    value: Any = event
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", str(path).removeprefix("$")):
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def _reshaping(target: dict[str, Any]) -> str:
    return json.dumps({k: target[k] for k in RESHAPING if k in target})


def _is_event(heard: Heard) -> bool:
    return isinstance(heard.message, dict) and "detail-type" in heard.message


def _event_time(event: dict[str, Any]) -> datetime:
    return datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _status(event: dict[str, Any]) -> str:
    detail = event.get("detail") or {}
    for key in ("currentPipelineExecutionStatus", "EndpointStatus", "ModelApprovalStatus", "ModelPackageStatus"):
        if key in detail:
            return f"{event.get('detail-type')}: {key}={detail[key]}"
    return str(event.get("detail-type"))
