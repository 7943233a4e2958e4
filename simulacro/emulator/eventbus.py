"""EventBridge delivery with AWS's failure semantics (moto routes, but never fails like AWS does).

Events from the control plane (`emit`) and from `PutEvents` are matched against the enabled rules of
their bus with `simulacro.events`, then delivered to each target. A target that cannot succeed
without a fix (gone, or its policy refuses the rule) goes straight to the dead-letter queue; a
transient failure is retried with backoff in virtual time until the retry policy is exhausted.
Without a dead-letter queue the event is dropped, and only `FailedInvocations` says so.
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from simulacro.events import InvalidEventPattern, event_matches, validate_pattern
from simulacro.target.clock import SchedulingClock

from . import backends
from .errors import AwsError
from .input_transform import transform_input
from .overlay import Call, Overlay
from .resource_policy import service_may

EVENTS_PRINCIPAL = "events.amazonaws.com"
DEFAULT_RETRY = {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
MAX_ENTRIES = 10
EMITTED_KEPT = 2000
REQUIRED_ENTRY_MEMBERS = ("Source", "DetailType", "Detail")  # PutEvents checks them in this order


class DeliveryFailure(Exception):
    def __init__(self, code: str, message: str, *, retriable: bool):
        super().__init__(message)
        self.code, self.message, self.retriable = code, message, retriable


@dataclass
class Delivery:
    account: str
    region: str
    rule_arn: str
    rule_name: str
    target: dict[str, Any]
    event: dict[str, Any]
    first_attempt: datetime
    attempts: int = 0


class EventBus:
    def __init__(self, clock: SchedulingClock, put_metric: Callable[..., None]):
        self.clock = clock
        self.put_metric = put_metric
        # Target ARN -> error code: a transient failure a test of the emulator can switch on.
        self.transient_failures: dict[str, str] = {}
        self.log: list[dict[str, Any]] = []  # every delivery outcome, for the emulator's own tests
        self.emitted: deque[dict[str, Any]] = deque(maxlen=EMITTED_KEPT)  # the latest events, matched or not

    def install(self, overlay: Overlay) -> None:
        overlay.check("events", "PutRule", self._check_put_rule)
        overlay.handle("events", "PutEvents", self._put_events)
        overlay.handle("events", "TestEventPattern", self._test_event_pattern)

    # --- the control plane -------------------------------------------------------------

    def emit(self, account: str, region: str, event: dict[str, Any], bus: str = "default") -> None:
        """An AWS service emits `event` (already in its documented shape) on `bus`."""
        self.emitted.append(event)
        for rule in self._rules(account, region, bus):
            if rule.state != "ENABLED" or not rule.event_pattern.dump():
                continue
            if not event_matches(rule.event_pattern.dump(), event):
                continue
            self.put_metric(account, region, "AWS/Events", "MatchedEvents", {"RuleName": rule.name}, 1)
            self.put_metric(account, region, "AWS/Events", "TriggeredRules", {"RuleName": rule.name}, 1)
            for target in rule.targets:
                delivery = Delivery(account, region, rule.arn, rule.name, target, event, self.clock.now())
                self._attempt(delivery)

    def _attempt(self, delivery: Delivery) -> None:
        metric = lambda name: self.put_metric(  # noqa: E731
            delivery.account, delivery.region, "AWS/Events", name, {"RuleName": delivery.rule_name}, 1
        )
        metric("Invocations")
        try:
            self._deliver(delivery)
        except DeliveryFailure as failure:
            if failure.retriable and self._may_retry(delivery):
                delivery.attempts += 1
                self.clock.call_later(_backoff(delivery.attempts), lambda: self._attempt(delivery))
                return
            metric("FailedInvocations")
            exhausted = self._exhausted_condition(delivery) if failure.retriable else None
            self._dead_letter(delivery, failure, exhausted, metric)
            return
        self._record(delivery, "delivered")

    def _deliver(self, delivery: Delivery) -> None:
        arn = delivery.target["Arn"]
        if arn in self.transient_failures:
            raise DeliveryFailure(self.transient_failures[arn], f"{arn} is throttling requests", retriable=True)
        body = transform_input(delivery.target, delivery.event)
        service, region, account, resource = backends.arn_parts(arn)
        if service == "sqs":
            self._send_to_queue(delivery, account, region, resource, body)
        elif service == "sns":
            self._publish_to_topic(delivery, arn, account, region, body)
        else:
            raise DeliveryFailure("NO_RESOURCE", f"targets of type {service} are not emulated", retriable=False)

    def _send_to_queue(
        self,
        delivery: Delivery,
        account: str,
        region: str,
        name: str,
        body: str,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        sqs = backends.sqs(account, region)
        queue = sqs.queues.get(name)
        if queue is None:
            raise DeliveryFailure("NO_RESOURCE", f"SQS queue {name} does not exist", retriable=False)
        if not service_may(
            queue.policy,
            service=EVENTS_PRINCIPAL,
            action="sqs:SendMessage",
            resource=queue.queue_arn,
            source_arn=delivery.rule_arn,
            source_account=delivery.account,
        ):
            raise DeliveryFailure(
                "NO_PERMISSIONS",
                f"the policy of SQS queue {name} does not allow EventBridge to send from {delivery.rule_arn}",
                retriable=False,
            )
        group = {"group_id": delivery.rule_name, "deduplication_id": str(uuid.uuid4())} if queue.fifo_queue else {}
        if queue.fifo_queue and attributes is not None:
            raise DeliveryFailure(
                "NO_RESOURCE", f"dead-letter queue {name} is FIFO; EventBridge needs a standard queue", retriable=False
            )
        sqs.send_message(name, body, message_attributes=attributes or {}, **group)

    def _publish_to_topic(self, delivery: Delivery, arn: str, account: str, region: str, body: str) -> None:
        sns = backends.sns(account, region)
        topic = sns.topics.get(arn)
        if topic is None:
            raise DeliveryFailure("NO_RESOURCE", f"SNS topic {arn} does not exist", retriable=False)
        if not service_may(
            topic.policy,
            service=EVENTS_PRINCIPAL,
            action="sns:Publish",
            resource=arn,
            source_arn=delivery.rule_arn,
            source_account=delivery.account,
        ):
            raise DeliveryFailure(
                "NO_PERMISSIONS",
                f"the policy of SNS topic {arn} does not allow EventBridge to publish",
                retriable=False,
            )
        sns.publish(body, arn=arn)

    def _dead_letter(
        self, delivery: Delivery, failure: DeliveryFailure, exhausted: str | None, metric: Callable[[str], None]
    ) -> None:
        dlq_arn = (delivery.target.get("DeadLetterConfig") or {}).get("Arn")
        if not dlq_arn:
            self._record(delivery, "dropped", failure)
            return
        attributes = {
            "RULE_ARN": delivery.rule_arn,
            "TARGET_ARN": delivery.target["Arn"],
            "ERROR_CODE": failure.code,
            "ERROR_MESSAGE": failure.message,
            "RETRY_ATTEMPTS": str(delivery.attempts),
        }
        if exhausted:
            attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
        _, region, account, name = backends.arn_parts(dlq_arn)
        try:
            self._send_to_queue(
                delivery,
                account,
                region,
                name,
                json.dumps(delivery.event),
                {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
            )
        except DeliveryFailure as dlq_failure:
            metric("InvocationsFailedToBeSentToDLQ")
            self._record(delivery, "dropped", dlq_failure)
            return
        metric("InvocationsSentToDLQ")
        self._record(delivery, "dead-lettered", failure)

    def _may_retry(self, delivery: Delivery) -> bool:
        return self._exhausted_condition(delivery) is None

    def _exhausted_condition(self, delivery: Delivery) -> str | None:
        policy = {**DEFAULT_RETRY, **(delivery.target.get("RetryPolicy") or {})}
        if delivery.attempts >= policy["MaximumRetryAttempts"]:
            return "MaximumRetryAttempts"
        age = (self.clock.now() - delivery.first_attempt).total_seconds() + _backoff(delivery.attempts + 1)
        if age > policy["MaximumEventAgeInSeconds"]:
            return "MaximumEventAgeInSeconds"
        return None

    def _record(self, delivery: Delivery, outcome: str, failure: DeliveryFailure | None = None) -> None:
        self.log.append(
            {
                "at": self.clock.now(),
                "rule": delivery.rule_name,
                "target": delivery.target["Arn"],
                "outcome": outcome,
                "error_code": failure.code if failure else None,
                "event_id": delivery.event.get("id"),
            }
        )

    def _rules(self, account: str, region: str, bus: str) -> list[Any]:
        event_bus = backends.events(account, region).event_buses.get(bus)
        return list(event_bus.rules.values()) if event_bus else []

    # --- API ---------------------------------------------------------------------------

    def _check_put_rule(self, call: Call) -> None:
        pattern = call.params.get("EventPattern")
        if pattern is not None:
            _validated(pattern)

    def _put_events(self, call: Call) -> dict[str, Any]:
        entries = call.params.get("Entries") or []
        if len(entries) > MAX_ENTRIES:
            raise AwsError(
                "ValidationException",
                f"1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to {MAX_ENTRIES}",
            )
        results, failed = [], 0
        for entry in entries:
            refusal = _entry_refusal(entry)
            if refusal is not None:
                failed += 1
                results.append(refusal)
                continue
            event = self._custom_event(call, entry)
            self.emit(call.account, call.region, event, bus=_bus_name(entry.get("EventBusName")))
            results.append({"EventId": event["id"]})
        return {"FailedEntryCount": failed, "Entries": results}

    def _test_event_pattern(self, call: Call) -> dict[str, Any]:
        pattern = _validated(call.params["EventPattern"])
        try:
            event = json.loads(call.params["Event"])
        except ValueError:
            event = None
        if not isinstance(event, dict):
            raise AwsError("ValidationException", "Parameter Event is not valid.")
        missing = [f for f in ("id", "account", "source", "time", "region", "detail-type") if f not in event]
        if missing:
            raise AwsError("ValidationException", f"Parameter(s) {', '.join(missing)} must be specified in the event.")
        return {"Result": event_matches(pattern, call.params["Event"])}

    def _custom_event(self, call: Call, entry: dict[str, Any]) -> dict[str, Any]:
        at = entry.get("Time") or self.clock.now()
        if not isinstance(at, datetime):
            at = datetime.fromtimestamp(float(at), timezone.utc)
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": entry.get("DetailType", ""),
            "source": entry.get("Source", ""),
            "account": call.account,
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": call.region,
            "resources": entry.get("Resources") or [],
            "detail": json.loads(entry.get("Detail") or "{}"),
        }


def _entry_refusal(entry: dict[str, Any]) -> dict[str, str] | None:
    """Why PutEvents refuses one entry (the call itself succeeds), as AWS words it; None to accept."""
    for member in REQUIRED_ENTRY_MEMBERS:
        if not entry.get(member):
            return {
                "ErrorCode": "InvalidArgument",
                "ErrorMessage": f"Parameter {member} is not valid. Reason: {member} is a required argument.",
            }
    try:
        detail = json.loads(entry["Detail"])
    except ValueError:
        detail = None
    if not isinstance(detail, dict):
        return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    if entry["Source"].startswith("aws."):
        return {"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."}
    return None


def _validated(pattern: str) -> str:
    try:
        validate_pattern(pattern)
    except InvalidEventPattern as error:
        raise AwsError("InvalidEventPatternException", f"Event pattern is not valid. Reason: {error}") from None
    return pattern


def _bus_name(name_or_arn: str | None) -> str:
    if not name_or_arn:
        return "default"
    return name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn


def _backoff(attempt: int) -> float:
    """EventBridge backs off exponentially with jitter; we keep the exponent and drop the jitter."""
    return float(min(2**attempt, 300))
