"""The IAM actions an AWS API call needs: mostly `<service prefix>:<operation>`, with AWS's exceptions.

Pure naming, no I/O: used to name a refused permission, to record what the drills call, and to print
the least-privilege policy.
"""

from __future__ import annotations

from typing import Any

# The IAM prefix where it is not the boto3 service name.
PREFIXES = {
    "sagemaker-runtime": "sagemaker",
    "resourcegroupstaggingapi": "tag",
    "sagemaker-featurestore-runtime": "sagemaker",
}
# S3 names its actions after resources, not operations.
S3_ACTIONS = {
    "ListBuckets": "ListAllMyBuckets",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "HeadObject": "GetObject",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "PutLifecycleConfiguration",
    "DeleteObjects": "DeleteObject",
    "GetBucketPolicy": "GetBucketPolicy",
    "GetBucketTagging": "GetBucketTagging",
    "PutBucketTagging": "PutBucketTagging",
}
# Calls that need no permission at all.
FREE = {("sts", "GetCallerIdentity")}
# Tagging on create needs the tagging action too (AWS documents this per service).
TAG_ON_CREATE = {
    ("sqs", "CreateQueue"): ("tags", "sqs:TagQueue"),
    ("sns", "CreateTopic"): ("Tags", "sns:TagResource"),
    ("cloudwatch", "PutMetricAlarm"): ("Tags", "cloudwatch:TagResource"),
    ("events", "PutRule"): ("Tags", "events:TagResource"),
    ("logs", "CreateLogGroup"): ("tags", "logs:TagResource"),
}
SAGEMAKER_TAG_ACTION = "sagemaker:AddTags"
# Calls that hand SageMaker a role need iam:PassRole on it (the local AWS does not check; AWS does).
PASSES_A_ROLE = {
    ("sagemaker", "CreateModel"),
    ("sagemaker", "CreatePipeline"),
    ("sagemaker", "UpdatePipeline"),
    ("sagemaker", "CreateMonitoringSchedule"),
    ("sagemaker", "UpdateMonitoringSchedule"),
}
PASS_ROLE = "iam:PassRole"
READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Head", "BatchGet", "Search")


def iam_action(service: str, operation: str) -> str:
    if service == "s3":
        return f"s3:{S3_ACTIONS.get(operation, operation)}"
    return f"{PREFIXES.get(service, service)}:{operation}"


def actions_for(service: str, operation: str, params: dict[str, Any] | None = None) -> list[str]:
    """Every action the call needs, given its parameters (tags on create need the tagging action as well)."""
    if (service, operation) in FREE:
        return []
    actions = [iam_action(service, operation)]
    params = params or {}
    tagging = TAG_ON_CREATE.get((service, operation))
    if tagging and params.get(tagging[0]):
        actions.append(tagging[1])
    if service == "sagemaker" and operation.startswith("Create") and params.get("Tags"):
        actions.append(SAGEMAKER_TAG_ACTION)
    if (service, operation) in PASSES_A_ROLE:
        actions.append(PASS_ROLE)
    return actions


def is_read_only(action: str) -> bool:
    """Does the action only read? (What the data science identity's read-only operational access allows.)"""
    return action.split(":", 1)[1].startswith(READ_ONLY_PREFIXES)
