"""Does a page or an event reach its destination? Pure: the live (or declared) settings in, the reason it would not out.

What decides it on AWS, beyond the alarm and the rule themselves:
- a subscription's filter policy, evaluated against the message the publisher really sends: CloudWatch's
  alarm message carries no message attributes, so a policy in the `MessageAttributes` scope drops every
  alarm notification; in the `MessageBody` scope it is matched against the alarm's JSON message;
- the topic's encryption: CloudWatch cannot publish to a topic encrypted with the AWS-managed key
  `alias/aws/sns` (its key policy does not let CloudWatch use it);
- the topic policy, for the principal that publishes (`cloudwatch.amazonaws.com` for alarms,
  `events.amazonaws.com` for rules), and the queue policy for `sns.amazonaws.com` and `events.amazonaws.com`.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from simulacro.emulator.alarm_messages import AlarmRecord, notification
from simulacro.emulator.resource_policy import service_may
from simulacro.events.errors import InvalidEventPattern
from simulacro.events.matching import event_matches

AWS_MANAGED_SNS_KEY = "alias/aws/sns"
CLOUDWATCH = "cloudwatch.amazonaws.com"
EVENTS = "events.amazonaws.com"
SNS = "sns.amazonaws.com"
RAW_CAPABLE = ("sqs", "http", "https", "firehose", "lambda")


def alarm_messages(definition: dict[str, Any], account: str, region: str) -> list[dict[str, Any]]:
    """The JSON messages CloudWatch publishes for this alarm entering ALARM and OK (CloudWatch's real format)."""
    messages = []
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for state, old in (("ALARM", "OK"), ("OK", "ALARM")):
        record = AlarmRecord(account, region, definition, moment, state=state, reason=f"Threshold Crossed (to {state})")
        messages.append(json.loads(notification(record, old, moment)[1]))
    return messages


def filter_policy_problem(subscription: dict[str, Any], messages: list[dict[str, Any]]) -> str | None:
    """Why this subscription's filter policy drops the ALARM message (None when it lets it through)."""
    policy = subscription.get("filter_policy")
    if not policy:
        return None
    scope = subscription.get("filter_policy_scope") or "MessageAttributes"
    alarm_message = next((m for m in messages if m.get("NewStateValue") == "ALARM"), messages[0] if messages else {})
    subject = {} if scope == "MessageAttributes" else alarm_message
    try:
        delivered = event_matches(policy, subject)
    except (InvalidEventPattern, ValueError, TypeError) as error:
        return f"filter policy {json.dumps(policy)} cannot be evaluated ({error}): SNS would refuse or drop"
    if delivered:
        return None
    if scope == "MessageAttributes":
        return (
            f"filter policy {json.dumps(policy)} (scope MessageAttributes) drops every CloudWatch alarm message: "
            "CloudWatch publishes no message attributes"
        )
    return f"filter policy {json.dumps(policy)} (scope MessageBody) does not match CloudWatch's ALARM message for {alarm_message.get('AlarmName')}"


def encryption_problem(kms_key: str | None) -> str | None:
    if kms_key and (kms_key == AWS_MANAGED_SNS_KEY or kms_key.endswith(":" + AWS_MANAGED_SNS_KEY)):
        return (
            f"encrypted with the AWS-managed key {AWS_MANAGED_SNS_KEY}: CloudWatch cannot publish to it "
            "(use a customer managed key whose policy allows cloudwatch.amazonaws.com)"
        )
    return None


def publish_refused(
    policy: str | dict[str, Any] | None, *, principal: str, topic_arn: str, source_arn: str, account: str
) -> str | None:
    """Why the topic policy refuses `principal` publishing from `source_arn` (None when it allows)."""
    if policy is None:
        return None  # no policy read (the default one allows the account's own services)
    if service_may(
        policy,
        service=principal,
        action="sns:Publish",
        resource=topic_arn,
        source_arn=source_arn,
        source_account=account,
    ):
        return None
    return f"its policy does not let {principal} publish (from {source_arn.rsplit(':', 1)[-1]})"


def send_refused(
    policy: str | dict[str, Any] | None, *, principal: str, queue_arn: str, source_arn: str, account: str
) -> str | None:
    """Why the queue policy refuses `principal` sending from `source_arn` (None when it allows)."""
    if service_may(
        policy,
        service=principal,
        action="sqs:SendMessage",
        resource=queue_arn,
        source_arn=source_arn,
        source_account=account,
    ):
        return None
    what = "has no policy" if not policy else "its policy does not allow it"
    return f"{principal} may not send to it from {source_arn.rsplit(':', 1)[-1]} ({what})"
