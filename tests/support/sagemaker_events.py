"""A queue that hears every SageMaker event of the local AWS, for tests that check what the control plane emits."""

from __future__ import annotations

import json
from typing import Any


def catch_sagemaker_events(target: Any, queue: str) -> None:
    """A rule on `aws.sagemaker` delivering to a new queue named `queue` (read it with ReceiveMessage)."""
    sqs, events = target.client("sqs"), target.client("events")
    queue_arn = f"arn:aws:sqs:{target.region}:{target.account()}:{queue}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            }
        ],
    }
    sqs.create_queue(QueueName=queue, Attributes={"Policy": json.dumps(policy)})
    events.put_rule(Name=queue, EventPattern=json.dumps({"source": ["aws.sagemaker"]}))
    events.put_targets(Rule=queue, Targets=[{"Id": "queue", "Arn": queue_arn}])
