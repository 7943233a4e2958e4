"""The envelope SNS wraps each message in, as AWS writes it (moto's differs in three ways).

A subscriber that is not raw receives JSON with `Type`, `MessageId`, `TopicArn`, `Subject` (only when
the publisher gave one), `Message`, `Timestamp`, `SignatureVersion`, `Signature`, `SigningCertURL`,
`UnsubscribeURL` (LocalStack's SNS snapshots recorded against AWS). moto stamps the wall clock, always
signs with version 2 and points `UnsubscribeURL` at us-east-1 with a made-up subscription. Here:
`Timestamp` is the virtual clock's (ISO 8601, milliseconds, `Z`), the signature version is the
topic's `SignatureVersion` attribute (AWS's default is 1, SHA1; 2 is SHA256) and the message is
signed again over the fields that changed, and `UnsubscribeURL` names the real subscription in the
topic's own region.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from moto.sns.models import Subscription

from simulacro.target.clock import SchedulingClock

_original_post_data = Subscription.get_post_data
_clocks: list[SchedulingClock] = []  # a stack, like the overlay's: the newest local AWS's clock stamps the messages


def install(clock: SchedulingClock) -> None:
    _clocks.append(clock)
    Subscription.get_post_data = _post_data  # type: ignore[method-assign]


def uninstall(clock: SchedulingClock) -> None:
    if clock in _clocks:
        _clocks.remove(clock)
    if not _clocks:
        Subscription.get_post_data = _original_post_data  # type: ignore[method-assign]


def sns_timestamp(moment: datetime) -> str:
    """SNS's spelling: 2026-06-03T17:43:27.123Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _post_data(
    self: Subscription,
    message: str,
    message_id: str,
    subject: str | None,
    message_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data = _original_post_data(self, message, message_id, subject, message_attributes=message_attributes)
    if not _clocks:
        return data
    topic = self.topic
    region = topic.arn.split(":")[3]
    version = str(getattr(topic, "SignatureVersion", None) or "1")
    data["Timestamp"] = sns_timestamp(_clocks[-1].now())
    data["SignatureVersion"] = version
    data["Signature"] = _signature(self, data, version)
    data["UnsubscribeURL"] = f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={self.arn}"
    return data


def _signature(subscription: Subscription, data: dict[str, Any], version: str) -> str:
    """Signed as SNS signs a notification: its fields, name and value on their own lines, in order."""
    fields = ["Message", "MessageId"] + (["Subject"] if "Subject" in data else []) + ["Timestamp", "TopicArn", "Type"]
    text = "".join(f"{name}\n{data[name]}\n" for name in fields)
    algorithm: Callable[[], Any] = hashes.SHA1 if version == "1" else hashes.SHA256
    signature = subscription.private_key().sign(text.encode("utf-8"), padding.PKCS1v15(), algorithm())
    return base64.b64encode(signature).decode("ascii")
