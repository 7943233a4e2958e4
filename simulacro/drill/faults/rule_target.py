"""An unreachable rule target, the way they break in real life, undone afterwards:
- `policy`: the target queue's (or topic's) policy denies the rule (EventBridge answers NO_PERMISSIONS);
- `missing`: the target points at a queue that does not exist (NO_RESOURCE), as after a deleted queue.
Neither touches the team's messages: the queue itself is never deleted.
"""

from __future__ import annotations

import json
from typing import Any

from .steps import Undo


def make_unreachable(
    events: Any, sqs: Any, sns: Any, rule_name: str, rule_arn: str, target_id: str, how: str, run_id: str, *, undo: Undo
) -> None:
    target = _target(events, rule_name, target_id)
    if how == "missing":
        return _point_at_missing_queue(events, rule_name, target, run_id, undo)
    if how == "policy":
        return _deny_in_policy(sqs, sns, target["Arn"], rule_arn, undo)
    raise ValueError(f"unknown way to make a target unreachable: {how!r} (policy or missing)")


def _target(events: Any, rule_name: str, target_id: str) -> dict[str, Any]:
    for target in events.list_targets_by_rule(Rule=rule_name)["Targets"]:
        if target["Id"] == target_id:
            return target
    raise AssertionError(f"rule {rule_name} has no target {target_id!r}: nothing to make unreachable")


def _point_at_missing_queue(events: Any, rule_name: str, target: dict[str, Any], run_id: str, undo: Undo) -> None:
    service, region, account = target["Arn"].split(":")[2:5]
    missing = f"arn:aws:sqs:{region}:{account}:simulacro-missing-{run_id}"[:256]
    undo(lambda: events.put_targets(Rule=rule_name, Targets=[target]))  # putting the target back is right either way
    events.put_targets(Rule=rule_name, Targets=[{**target, "Arn": missing}])


def _deny_in_policy(sqs: Any, sns: Any, arn: str, rule_arn: str, undo: Undo) -> None:
    deny = {
        "Sid": "SimulacroDenyRule",
        "Effect": "Deny",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "*",
        "Resource": arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
    }
    if arn.startswith("arn:aws:sqs:"):
        url = sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]
        before = (
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {}).get("Policy", "")
        )
        undo(lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": before}))
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _with(before, deny)})
        return
    topic_policy = sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("Policy", "")
    undo(lambda: sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=topic_policy))
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=_with(topic_policy, deny))


def _with(policy: str, statement: dict[str, Any]) -> str:
    document = json.loads(policy) if policy else {"Version": "2012-10-17", "Statement": []}
    document["Statement"] = list(document.get("Statement") or []) + [statement]
    return json.dumps(document)
