"""A drill that cannot fail is a defect: break the live stack the way each skeleton drill must catch,
and see the drill fail with a message that tells the operator what is wrong."""

import pytest

from support.drill_runner import account, all_of, assert_drills_report, change_alarm

INVENTORY = "test_inventory.py"
NOTIFICATIONS = "test_notifications.py"


def alarm_without_actions(target):
    change_alarm(target, "churn-staging-5xx-rate", AlarmActions=[])


def topic_without_subscription(target):
    sns = target.client("sns", "staging")
    arn = f"arn:aws:sns:eu-west-1:{account(target)}:churn-oncall-staging"
    for subscription in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]:
        sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])


def rule_disabled(target):
    target.client("events", "staging").disable_rule(Name="churn-pipeline-failed")


def target_without_dlq(target):
    events = target.client("events", "staging")
    live = events.list_targets_by_rule(Rule="churn-endpoint-state-staging")["Targets"][0]
    live.pop("DeadLetterConfig")
    events.put_targets(Rule="churn-endpoint-state-staging", Targets=[live])


def fifo_dlq(target):
    sqs = target.client("sqs", "staging")
    arn = sqs.get_queue_attributes(
        QueueUrl=sqs.create_queue(QueueName="churn-dlq.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"],
        AttributeNames=["QueueArn"],
    )["Attributes"]["QueueArn"]
    events = target.client("events", "staging")
    live = events.list_targets_by_rule(Rule="churn-model-package-state")["Targets"][0]
    events.put_targets(Rule="churn-model-package-state", Targets=[{**live, "DeadLetterConfig": {"Arn": arn}}])


def log_group_without_retention(target):
    target.client("logs", "staging").delete_retention_policy(logGroupName="/aws/sagemaker/TrainingJobs")


def schedule_stopped(target):
    target.client("sagemaker", "staging").stop_monitoring_schedule(MonitoringScheduleName="churn-staging-data-quality")


def baseline_tampered(target):
    target.client("s3", "staging").put_object(
        Bucket="churn-monitoring-staging", Key="baselines/churn/v1/statistics.json", Body=b"{}"
    )


def alarm_without_owner(target):
    cloudwatch = target.client("cloudwatch", "staging")
    arn = cloudwatch.describe_alarms(AlarmNames=["churn-pipeline-execution-failed"])["MetricAlarms"][0]["AlarmArn"]
    cloudwatch.untag_resource(ResourceARN=arn, TagKeys=["owner"])


def wrong_threshold(target):
    change_alarm(target, "churn-staging-latency-p99", Threshold=6_000_000.0)


def capture_bucket_without_retention(target):
    target.client("s3", "staging").delete_bucket_lifecycle(Bucket="churn-capture-staging")


CASES = [
    (
        alarm_without_actions,
        INVENTORY,
        "alarm churn-staging-5xx-rate: ALARM actions: none: entering ALARM notifies nobody",
    ),
    (alarm_without_actions, NOTIFICATIONS, "no ALARM notification for alarm churn-staging-5xx-rate"),
    (
        topic_without_subscription,
        INVENTORY,
        "topic churn-oncall-staging: subscriptions: email:ml-oncall@example.com is declared but not subscribed",
    ),
    (topic_without_subscription, INVENTORY, "has no confirmed subscriber: the page reaches nobody"),
    (rule_disabled, INVENTORY, "rule churn-pipeline-failed: state: DISABLED: matching events are silently dropped"),
    (target_without_dlq, INVENTORY, "rule churn-endpoint-state-staging: target ops-queue: no dead-letter queue"),
    (fifo_dlq, INVENTORY, "dead-letter queue churn-dlq.fifo is FIFO; EventBridge needs a standard queue"),
    (log_group_without_retention, INVENTORY, "log group /aws/sagemaker/TrainingJobs: retention: never expires"),
    (schedule_stopped, INVENTORY, "monitoring schedule churn-staging-data-quality: status: Stopped"),
    (baseline_tampered, INVENTORY, "statistics.json in S3 differs from the versioned baseline's manifest"),
    (alarm_without_owner, INVENTORY, "alarm churn-pipeline-execution-failed: owner: no owner tag"),
    (wrong_threshold, INVENTORY, "alarm churn-staging-latency-p99: threshold: live 6000000, spec 600000"),
    (capture_bucket_without_retention, INVENTORY, "bucket churn-capture-staging has no expiration rule"),
]


@pytest.mark.parametrize("drill", sorted({case[1] for case in CASES}))
def test_drill_fails_with_a_message_naming_each_thing_that_is_wrong(pytester, drill):
    """All breakages aimed at one drill file are applied in one run (they touch different resources),
    and each must show up in the failure output with its own message."""
    cases = [case for case in CASES if case[1] == drill]
    assert_drills_report(
        pytester, all_of(*dict.fromkeys(case[0] for case in cases)), drill, [case[2] for case in cases]
    )
