"""Would SNS accept CloudWatch's publish to a topic? What moto does not check and AWS does.

- Encryption: a topic encrypted with the AWS-managed key `alias/aws/sns` refuses CloudWatch's publishes
  (that key's policy cannot be changed to let cloudwatch.amazonaws.com use it); the alarm records the
  failed action and nobody is paged.
- Topic policy: the publish is made by cloudwatch.amazonaws.com for the alarm (source ARN the alarm's,
  source account/owner the alarm's account); a policy that neither allows it nor the account's own
  principals (SNS's default policy does) refuses it.
"""

from __future__ import annotations

from typing import Any

from .resource_policy import service_may

AWS_MANAGED_SNS_KEY = "alias/aws/sns"
CLOUDWATCH = "cloudwatch.amazonaws.com"


class PublishRefused(Exception):
    """SNS refused the publish; CloudWatch records it in the alarm's action history."""


def check_cloudwatch_publish(topic: Any, topic_arn: str, alarm_arn: str, account: str) -> None:
    key = getattr(topic, "kms_master_key_id", "") or ""
    if key == AWS_MANAGED_SNS_KEY or key.endswith(":" + AWS_MANAGED_SNS_KEY):
        raise PublishRefused(
            f"KMS.AccessDeniedException: CloudWatch may not use the AWS-managed key {AWS_MANAGED_SNS_KEY} "
            f"of topic {topic_arn}"
        )
    policy = getattr(topic, "policy", None)
    if policy and not service_may(
        policy,
        service=CLOUDWATCH,
        action="sns:Publish",
        resource=topic_arn,
        source_arn=alarm_arn,
        source_account=account,
    ):
        raise PublishRefused(
            f"AuthorizationError: the policy of topic {topic_arn} does not allow {CLOUDWATCH} to publish"
        )
