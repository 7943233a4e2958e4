"""The operations a mutation is made of, applied through the AWS APIs to a freshly provisioned local stack.

Each is the kind of change people make by hand in the console or with a half-reviewed template.
"""

from __future__ import annotations

import json
from typing import Any, Callable

ALARM_KEYS = (
    "AlarmName",
    "AlarmDescription",
    "AlarmActions",
    "OKActions",
    "InsufficientDataActions",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "Metrics",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "EvaluateLowSampleCountPercentile",
    "ActionsEnabled",
)


def region_of(target: Any, env: str, kind: str, name: str) -> str:
    """Where the spec puts the alarm or topic (a cost alarm and its topic: us-east-1), else the target's region."""
    declared = next((r for r in getattr(target.stack, kind) if r.environment == env and r.name == name), None)
    return target.stack.region_of(declared, target.region)


def alarm(
    target: Any,
    env: str,
    name: str,
    set: dict[str, Any] | None = None,
    untag: list[str] | None = None,
    tag: dict[str, str] | None = None,
) -> None:
    cloudwatch = target.client("cloudwatch", env, region_of(target, env, "alarms", name))
    live = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    if set:
        request = {k: live[k] for k in ALARM_KEYS if live.get(k) not in (None, [])}
        cloudwatch.put_metric_alarm(**{**request, **set})
    if untag:
        cloudwatch.untag_resource(ResourceARN=live["AlarmArn"], TagKeys=untag)
    if tag:
        cloudwatch.tag_resource(ResourceARN=live["AlarmArn"], Tags=[{"Key": k, "Value": v} for k, v in tag.items()])


def alarm_to_silent_topic(target: Any, env: str, name: str, topic: str) -> None:
    """Point the alarm at a new topic that nobody subscribed to."""
    arn = target.client("sns", env, region_of(target, env, "alarms", name)).create_topic(Name=topic)["TopicArn"]
    alarm(target, env, name, set={"AlarmActions": [arn]})


def rule_pattern(target: Any, env: str, name: str, set: dict[str, Any]) -> None:
    events = target.client("events", env)
    pattern = json.loads(events.describe_rule(Name=name)["EventPattern"])
    for path, value in set.items():
        node = pattern
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))


def rule_disable(target: Any, env: str, name: str) -> None:
    target.client("events", env).disable_rule(Name=name)


def rule_delete(target: Any, env: str, name: str) -> None:
    events = target.client("events", env)
    ids = [t["Id"] for t in events.list_targets_by_rule(Rule=name)["Targets"]]
    if ids:
        events.remove_targets(Rule=name, Ids=ids)
    events.delete_rule(Name=name)


def rule_target(
    target: Any,
    env: str,
    name: str,
    id: str,
    set: dict[str, Any] | None = None,
    remove: list[str] | None = None,
    fifo_dlq: str | None = None,
    to_queue: str | None = None,
    dlq_queue: str | None = None,
) -> None:
    """Change a live rule target; `to_queue`/`dlq_queue` point it (or its DLQ) at another existing queue."""
    events = target.client("events", env)
    live = next(t for t in events.list_targets_by_rule(Rule=name)["Targets"] if t["Id"] == id)
    for key in remove or []:
        live.pop(key, None)
    live.update(set or {})
    if to_queue:
        live["Arn"] = _queue_arn(target, env, to_queue)
    if dlq_queue:
        live["DeadLetterConfig"] = {"Arn": _queue_arn(target, env, dlq_queue)}
    if fifo_dlq:
        sqs = target.client("sqs", env)
        url = sqs.create_queue(QueueName=fifo_dlq, Attributes={"FifoQueue": "true"})["QueueUrl"]
        live["DeadLetterConfig"] = {
            "Arn": sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        }
    events.put_targets(Rule=name, Targets=[live])


def _queue_arn(target: Any, env: str, name: str) -> str:
    sqs = target.client("sqs", env)
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _topic_arn(target: Any, env: str, name: str) -> str:
    sns = target.client("sns", env)
    return next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{name}"))


def queue_attributes(target: Any, env: str, name: str, set: dict[str, str]) -> None:
    sqs = target.client("sqs", env)
    sqs.set_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"], Attributes=set)


def queue_policy(target: Any, env: str, name: str, allow: str) -> None:
    """Replace the queue's policy with one that lets only `allow` (a service principal) send."""
    arn = _queue_arn(target, env, name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": allow}, "Action": "sqs:SendMessage", "Resource": arn}
        ],
    }
    queue_attributes(target, env, name, {"Policy": json.dumps(policy)})


def topic_attributes(target: Any, env: str, name: str, set: dict[str, str]) -> None:
    sns = target.client("sns", env)
    arn = _topic_arn(target, env, name)
    for key, value in set.items():
        sns.set_topic_attributes(
            TopicArn=arn, AttributeName=key, AttributeValue=value if isinstance(value, str) else json.dumps(value)
        )


def topic_policy(target: Any, env: str, name: str, allow: str) -> None:
    """Replace the topic's policy with one that lets only `allow` (a service principal) publish."""
    arn = _topic_arn(target, env, name)
    topic_attributes(
        target,
        env,
        name,
        {
            "Policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": allow}, "Action": "sns:Publish", "Resource": arn}
                    ],
                }
            )
        },
    )


def subscription_attributes(target: Any, env: str, name: str, set: dict[str, Any], protocol: str | None = None) -> None:
    """Set attributes (a filter policy, raw delivery) on the topic's subscriptions (of `protocol`, if given)."""
    sns = target.client("sns", env)
    for subscription in sns.list_subscriptions_by_topic(TopicArn=_topic_arn(target, env, name))["Subscriptions"]:
        if protocol and subscription["Protocol"] != protocol:
            continue
        for key, value in set.items():
            sns.set_subscription_attributes(
                SubscriptionArn=subscription["SubscriptionArn"],
                AttributeName=key,
                AttributeValue=value if isinstance(value, str) else json.dumps(value),
            )


def topic_delete(target: Any, env: str, name: str) -> None:
    target.client("sns", env).delete_topic(TopicArn=_topic_arn(target, env, name))


def queue_delete(target: Any, env: str, name: str) -> None:
    sqs = target.client("sqs", env)
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])


def endpoint_capture(target: Any, env: str, name: str, enabled: bool = True, sampling: int | None = None) -> None:
    """Redeploy the endpoint with its capture switched off or its sampling changed (a new config, as a deploy would)."""
    sagemaker = target.client("sagemaker", env)
    current = sagemaker.describe_endpoint(EndpointName=name)["EndpointConfigName"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=current)
    capture = dict(config["DataCaptureConfig"], EnableCapture=enabled)
    if sampling is not None:
        capture["InitialSamplingPercentage"] = sampling
    variants = [
        {k: v for k, v in variant.items() if k in ("VariantName", "ModelName", "InitialInstanceCount", "InstanceType")}
        for variant in config["ProductionVariants"]
    ]
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-mutated", ProductionVariants=variants, DataCaptureConfig=capture
    )
    sagemaker.update_endpoint(EndpointName=name, EndpointConfigName=f"{name}-mutated")
    target.clock.sleep(600)


def endpoint_config_delete(target: Any, env: str, name: str) -> None:
    sagemaker = target.client("sagemaker", env)
    sagemaker.delete_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName=name)["EndpointConfigName"]
    )


def schedule_stop(target: Any, env: str, name: str) -> None:
    target.client("sagemaker", env).stop_monitoring_schedule(MonitoringScheduleName=name)


def s3_put(target: Any, env: str, bucket: str, key: str, body: str) -> None:
    target.client("s3", env).put_object(Bucket=bucket, Key=key, Body=body.encode())


def log_retention_delete(target: Any, env: str, name: str) -> None:
    target.client("logs", env).delete_retention_policy(logGroupName=name)


def topic_unsubscribe(target: Any, env: str, name: str) -> None:
    sns = target.client("sns", env, region_of(target, env, "topics", name))
    arn = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{name}"))
    for subscription in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]:
        sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])


OPERATIONS: dict[str, Callable[..., None]] = {
    "alarm": alarm,
    "alarm_to_silent_topic": alarm_to_silent_topic,
    "rule_pattern": rule_pattern,
    "rule_disable": rule_disable,
    "rule_delete": rule_delete,
    "rule_target": rule_target,
    "queue_delete": queue_delete,
    "endpoint_capture": endpoint_capture,
    "endpoint_config_delete": endpoint_config_delete,
    "schedule_stop": schedule_stop,
    "s3_put": s3_put,
    "log_retention_delete": log_retention_delete,
    "topic_unsubscribe": topic_unsubscribe,
    "queue_attributes": queue_attributes,
    "queue_policy": queue_policy,
    "topic_attributes": topic_attributes,
    "topic_policy": topic_policy,
    "subscription_attributes": subscription_attributes,
    "topic_delete": topic_delete,
}


def apply_mutation(target: Any, mutation: dict[str, Any]) -> None:
    for operation in mutation["apply"]:
        arguments = dict(operation)
        name = arguments.pop("op")
        if name not in OPERATIONS:
            raise ValueError(
                f"mutation {mutation['id']}: unknown operation {name!r}; known: {', '.join(sorted(OPERATIONS))}"
            )
        try:
            OPERATIONS[name](target, arguments.pop("env", "staging"), **arguments)
        except Exception as error:  # a held-out catalogue's mistake: say which operation, on what, went wrong
            raise ValueError(
                f"mutation {mutation['id']}: {name} {arguments} could not be applied: {type(error).__name__}: {error}"
            ) from error
