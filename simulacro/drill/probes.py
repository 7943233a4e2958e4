"""Observers: SQS probe queues that hear what a topic tells people, or what a rule delivers.

A probe observes the declared destination, not itself: subscribed to a topic, it copies the settings
of the subscriber it stands in for (filter policy and its scope, raw delivery), so what it hears is
what that subscriber would receive. A topic that does not exist is a finding, not an SQS/SNS error.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from botocore.exceptions import ClientError

from simulacro.target.pages import every_item

if TYPE_CHECKING:
    from simulacro.target.targets import Target

# The subscription attributes that decide what a subscriber receives; a probe standing in for it copies them.
DELIVERY_ATTRIBUTES = ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery")
RAW_CAPABLE = ("sqs", "http", "https", "firehose", "lambda")

_probe_numbers = itertools.count(1)


@dataclass
class Heard:
    at: datetime
    subject: str | None
    message: Any
    attributes: dict[str, str] = field(default_factory=dict)


class ProbeQueue:
    """A temporary SQS queue: subscribed to topics or added as a rule target, deleted on exit."""

    def __init__(self, target: Target, environment: str, run_id: str, purpose: str):
        self.target = target
        self.environment = environment
        self.sqs = target.client("sqs", environment)
        self.sns = target.client("sns", environment)
        # The xdist worker is part of the name: parallel workers of one run never share a probe.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        self.name = f"simulacro-probe-{run_id}-{worker}{next(_probe_numbers)}"[:80]
        self.purpose = purpose
        self.heard: list[Heard] = []
        self._subscriptions: list[str] = []
        self.url = self.sqs.create_queue(QueueName=self.name, tags={"simulacro-run": run_id, "purpose": purpose[:200]})[
            "QueueUrl"
        ]
        self.arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def subscribe(self, topic_arn: str, attributes: dict[str, str] | None = None) -> None:
        """Subscribe to `topic_arn` with the delivery `attributes` of the subscriber this probe stands in for.
        SNS delivers across regions: the subscription is made in the topic's region, the queue stays here."""
        self._allow("sns.amazonaws.com", topic_arn)
        try:
            arn = self._sns_of(topic_arn).subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=self.arn,
                ReturnSubscriptionArn=True,
                **({"Attributes": attributes} if attributes else {}),
            )["SubscriptionArn"]
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NotFound", "NotFoundException", "ResourceNotFoundException"):
                raise AssertionError(
                    f"topic {topic_arn.rsplit(':', 1)[-1]} ({topic_arn}) does not exist in {self.environment}: "
                    "whatever publishes to it reaches nobody"
                ) from None
            raise
        self._subscriptions.append(arn)

    def _allow(self, service: str, source_arn: str) -> None:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["Policy"]).get("Attributes", {})
        policy = json.loads(attributes.get("Policy") or '{"Version": "2012-10-17", "Statement": []}')
        policy["Statement"].append(
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sqs:SendMessage",
                "Resource": self.arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
            }
        )
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"Policy": json.dumps(policy)})

    def _sns_of(self, arn: str) -> Any:
        return self.target.client("sns", self.environment, arn.split(":")[3])

    def allow_rule(self, rule_arn: str) -> None:
        self._allow("events.amazonaws.com", rule_arn)

    def receive(self) -> list[Heard]:
        """Drain what arrived; SNS envelopes are unwrapped into subject and message."""
        response = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        )
        fresh = []
        for message in response.get("Messages", []):
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
            fresh.append(_heard(message, self.target.clock.now()))
        self.heard.extend(fresh)
        return fresh

    def first(self, predicate: Callable[[Heard], bool]) -> Heard | None:
        self.receive()
        return next((h for h in self.heard if predicate(h)), None)

    def close(self) -> None:
        for arn in self._subscriptions:
            try:
                self._sns_of(arn).unsubscribe(SubscriptionArn=arn)
            except Exception:  # noqa: BLE001 - cleanup goes on; the queue's deletion matters most
                pass
        self.sqs.delete_queue(QueueUrl=self.url)


@dataclass(frozen=True)
class Subscriber:
    """A declared (non-probe) subscriber of a topic, and the delivery settings a probe must copy to stand in for it."""

    topic_arn: str
    protocol: str
    endpoint: str
    attributes: dict[str, str]

    @property
    def label(self) -> str:
        return f"{self.protocol}:{self.endpoint}"

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery") == "true"


def subscribers(sns: Any, topic_arn: str) -> list[Subscriber]:
    """The topic's subscribers other than probes, each with its delivery attributes; raises a finding when the topic is gone."""
    try:
        listed = list(every_item(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic_arn))
    except ClientError as error:
        if error.response["Error"]["Code"] in ("NotFound", "NotFoundException", "ResourceNotFoundException"):
            raise AssertionError(
                f"topic {topic_arn.rsplit(':', 1)[-1]} ({topic_arn}) does not exist: whatever publishes to it reaches nobody"
            ) from None
        raise
    found = []
    for subscription in listed:
        if subscription["Protocol"] == "sqs" and ":simulacro-probe-" in subscription["Endpoint"]:
            continue
        attributes: dict[str, str] = {}
        if subscription["SubscriptionArn"] not in ("PendingConfirmation", "Deleted"):
            live = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
            attributes = {k: str(live[k]) for k in DELIVERY_ATTRIBUTES if live.get(k) not in (None, "")}
            if "FilterPolicy" not in attributes:
                attributes.pop("FilterPolicyScope", None)
            if subscription["Protocol"] not in RAW_CAPABLE or attributes.get("RawMessageDelivery") != "true":
                attributes.pop("RawMessageDelivery", None)
        found.append(Subscriber(topic_arn, subscription["Protocol"], subscription["Endpoint"], attributes))
    return found


def _heard(message: dict[str, Any], at: datetime) -> Heard:
    try:
        body = json.loads(message["Body"]) if message["Body"].startswith("{") else message["Body"]
    except ValueError:  # a transformed input need not be JSON: keep what the target received
        body = message["Body"]
    attributes = {k: v.get("StringValue", "") for k, v in (message.get("MessageAttributes") or {}).items()}
    if isinstance(body, dict) and body.get("Type") == "Notification":
        inner = body.get("Message")
        if isinstance(inner, str):  # else (absent, or not a string) it is kept as it is
            try:
                inner = json.loads(inner)
            except ValueError:
                pass
        return Heard(at, body.get("Subject"), inner, attributes)
    return Heard(at, None, body, attributes)
