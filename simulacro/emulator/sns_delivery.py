"""SNS deliveries in the local AWS never leave 127.0.0.1, and one subscriber never hides another's delivery.

moto delivers a topic's message to each subscriber in turn: it POSTs to http/https endpoints (a real
network call to whatever the spec names: a webhook, a pager), invokes Lambda functions (which may start
containers) and stops at the first subscriber that fails, so every later subscriber, the drill's probe
included, hears nothing. Here, as on AWS, each subscription is delivered on its own:

- `sqs` subscribers receive the message in the local queue, as moto does;
- every other protocol (http, https, email, email-json, sms, lambda, firehose, application) is recorded
  in `SnsDeliveries.log`, with what AWS would have sent, and never sent;
- a delivery that fails (a queue that no longer exists) is recorded in `SnsDeliveries.failures` and the
  other subscribers still get theirs.

A subscription's filter policy applies to recorded deliveries as to sent ones.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from moto.moto_api._internal import mock_random
from moto.sns import models as sns_models

SENT_LOCALLY = ("sqs",)


@dataclass(frozen=True)
class Delivery:
    topic_arn: str
    subscription_arn: str
    protocol: str
    endpoint: str
    message_id: str
    subject: str | None
    body: Any
    outcome: str = "recorded, not sent"


@dataclass
class SnsDeliveries:
    """What the local AWS's topics delivered to subscribers outside it (recorded) and what failed."""

    log: list[Delivery] = field(default_factory=list)
    failures: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, endpoint: str) -> list[Delivery]:
        return [d for d in self.log if d.endpoint == endpoint]

    def clear(self) -> None:
        with self.lock:
            self.log.clear()
            self.failures.clear()


_installed: list[SnsDeliveries] = []  # nested local AWSs: the newest records
_original_publish = sns_models.Topic.publish


def install(deliveries: SnsDeliveries) -> None:
    _installed.append(deliveries)
    sns_models.Topic.publish = _publish  # type: ignore[method-assign]


def uninstall(deliveries: SnsDeliveries) -> None:
    if deliveries in _installed:
        _installed.remove(deliveries)
    if not _installed:
        sns_models.Topic.publish = _original_publish  # type: ignore[method-assign]


def _publish(
    self: Any,
    message: str,
    subject: str | None = None,
    message_attributes: dict[str, Any] | None = None,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    message_structure: str | None = None,
) -> str:
    """`Topic.publish`, one subscriber at a time: sqs locally, the rest recorded; a failure hides nothing."""
    deliveries = _installed[-1] if _installed else SnsDeliveries()
    message_id = str(mock_random.uuid4())
    subscriptions, _ = self.sns_backend.list_subscriptions_by_topic(topic_arn=self.arn)
    for subscription in subscriptions:
        try:
            if subscription.protocol in SENT_LOCALLY:
                subscription.publish(
                    message,
                    message_id,
                    subject=subject,
                    message_attributes=message_attributes,
                    group_id=group_id,
                    deduplication_id=deduplication_id,
                    message_structure=message_structure,
                )
            else:
                _record(
                    deliveries, self, subscription, message, message_id, subject, message_attributes, message_structure
                )
        except Exception as error:  # noqa: BLE001 - one subscriber's failure must not stop the others
            with deliveries.lock:
                deliveries.failures.append(
                    Delivery(
                        self.arn,
                        subscription.arn,
                        subscription.protocol,
                        subscription.endpoint,
                        message_id,
                        subject,
                        message,
                        f"failed: {type(error).__name__}: {error}",
                    )
                )
    self.sent_notifications.append((message_id, message, subject, message_attributes, group_id))
    return message_id


def _record(
    deliveries: SnsDeliveries,
    topic: Any,
    subscription: Any,
    message: str,
    message_id: str,
    subject: str | None,
    attributes: dict[str, Any] | None,
    structure: str | None,
) -> None:
    matcher = getattr(subscription, "_filter_policy_matcher", None)
    if matcher is not None and not matcher.matches(attributes, message):
        return
    if structure == "json":
        message = subscription._parse_message_structure(message, subscription.protocol)
    raw = subscription.protocol in ("email", "sms") or subscription.attributes.get("RawMessageDelivery") == "true"
    body = message if raw else subscription.get_post_data(message, message_id, subject, message_attributes=attributes)
    with deliveries.lock:
        deliveries.log.append(
            Delivery(
                topic.arn, subscription.arn, subscription.protocol, subscription.endpoint, message_id, subject, body
            )
        )
