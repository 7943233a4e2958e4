"""Issue 16: the drills catch what teams really get wrong, each with a message naming the resource and what is
wrong. Live drift outside the fields the inventory used to compare, what decides whether a page or an event
reaches a person, designs that are wrong but consistent with their spec (applied to a copy of the spec, so
only behaviour can tell), prod alarms proven by replay, and coverage gaps instead of silent skips."""

import json
import sys

import pytest

from support.drill_runner import ROOT, account, all_of, assert_drills_report, change_alarm

sys.path.insert(0, str(ROOT / "tests" / "quality" / "mutations"))
from spec_mutation import write_mutated_spec  # noqa: E402

SPEC = ROOT / "fixtures" / "stack.yaml"


def spec_with(tmp_path, *operations):
    return ("--spec", str(write_mutated_spec(SPEC, list(operations), tmp_path / "spec")))


def set_(path, value):
    return {"op": "set", "path": path, "value": value}


# --- live drift ----------------------------------------------------------------------------------------


def _topic_region(target, name):
    declared = next((t for t in target.stack.topics if t.environment == "staging" and t.name == name), None)
    return target.stack.region_of(declared, target.region) if declared else target.region


def _topic_arn(target, name="churn-oncall-staging"):
    return f"arn:aws:sns:{_topic_region(target, name)}:{account(target)}:{name}"


def _queue(target, name):
    sqs = target.client("sqs", "staging")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs, url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def dlq_retention_one_minute(target):
    sqs, url, _ = _queue(target, "churn-events-dlq-staging")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "60"})


def ops_queue_refuses_eventbridge(target):
    sqs, url, arn = _queue(target, "churn-ops-events-staging")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})


def _retarget(target, rule, **changes):
    events = target.client("events", "staging")
    live = events.list_targets_by_rule(Rule=rule)["Targets"][0]
    live.update(changes)
    events.put_targets(Rule=rule, Targets=[live])


def pipeline_rule_to_deployer_queue(target):
    _retarget(target, "churn-pipeline-failed", Arn=_queue(target, "churn-deployments-staging")[2])


def package_rule_dlq_to_ops_queue(target):
    _retarget(
        target, "churn-model-package-state", DeadLetterConfig={"Arn": _queue(target, "churn-ops-events-staging")[2]}
    )


def endpoint_rule_retry_zeroed(target):
    _retarget(
        target, "churn-endpoint-state-staging", RetryPolicy={"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60}
    )


def endpoint_rule_transformer_nulls(target):
    _retarget(
        target,
        "churn-endpoint-state-staging",
        InputTransformer={
            "InputPathsMap": {"status": "$.detail.Status", "endpoint": "$.detail.EndpointName"},
            "InputTemplate": '{"endpoint": "<endpoint>", "status": "<status>"}',
        },
    )


def p95_unit_milliseconds(target):
    change_alarm(target, "churn-staging-latency-p95", Unit="Milliseconds")


def runbook_tag_changed(target):
    cloudwatch = target.client("cloudwatch", "staging")
    arn = cloudwatch.describe_alarms(AlarmNames=["churn-staging-5xx-rate"])["MetricAlarms"][0]["AlarmArn"]
    cloudwatch.tag_resource(ResourceARN=arn, Tags=[{"Key": "runbook", "Value": "restart-the-endpoint"}])


def oncall_filter_policy(target):
    sns = target.client("sns", "staging")
    for subscription in sns.list_subscriptions_by_topic(TopicArn=_topic_arn(target))["Subscriptions"]:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription["SubscriptionArn"],
            AttributeName="FilterPolicy",
            AttributeValue=json.dumps({"severity": ["critical"]}),
        )


def finops_topic_managed_key(target):
    sns = target.client(
        "sns", "staging", _topic_region(target, "churn-finops-staging")
    )  # a FinOps topic lives in us-east-1
    sns.set_topic_attributes(
        TopicArn=_topic_arn(target, "churn-finops-staging"),
        AttributeName="KmsMasterKeyId",
        AttributeValue="alias/aws/sns",
    )


def oncall_topic_deleted(target):
    target.client("sns", "staging").delete_topic(TopicArn=_topic_arn(target))


LIVE = {
    "test_inventory.py": (
        all_of(
            dlq_retention_one_minute,
            ops_queue_refuses_eventbridge,
            pipeline_rule_to_deployer_queue,
            package_rule_dlq_to_ops_queue,
            endpoint_rule_retry_zeroed,
            endpoint_rule_transformer_nulls,
            p95_unit_milliseconds,
            runbook_tag_changed,
            oncall_filter_policy,
            finops_topic_managed_key,
        ),
        [
            "queue churn-events-dlq-staging: retention: live 60s, spec 1209600s",
            "queue churn-ops-events-staging: policy: target of rule churn-pipeline-failed: events.amazonaws.com may not send to it",
            'rule churn-pipeline-failed: target ops-queue: destination: live "arn:aws:sqs:eu-west-1:210987654321:churn-deployments-staging"',
            "rule churn-model-package-state: target ops-queue: dead-letter queue: live",
            "rule churn-endpoint-state-staging: target ops-queue: retry policy: live",
            "rule churn-endpoint-state-staging: target ops-queue: input transformer: live",
            'alarm churn-staging-latency-p95: unit: live "Milliseconds", spec none',
            'alarm churn-staging-5xx-rate: tag runbook: live "restart-the-endpoint", spec "endpoint-not-responding"',
            'subscriber email:ml-oncall@example.com: filter policy {"severity": ["critical"]} (scope MessageAttributes) drops every CloudWatch alarm message',
            "topic churn-finops-staging: encryption: encrypted with the AWS-managed key alias/aws/sns: CloudWatch cannot publish to it",
        ],
    ),
    "test_notifications.py": (
        all_of(oncall_filter_policy, finops_topic_managed_key),
        [
            "no ALARM notification for alarm churn-staging-5xx-rate reached subscriber email:ml-oncall@example.com of topic churn-oncall-staging",
            "FilterPolicy",
            "no ALARM notification for alarm churn-staging-estimated-charges reached subscriber email:finops@example.com of topic churn-finops-staging",
        ],
    ),
}


@pytest.mark.parametrize("drill", sorted(LIVE))
def test_live_drift_is_caught_with_a_message_naming_what_is_wrong(pytester, drill):
    breaker, messages = LIVE[drill]
    assert_drills_report(pytester, breaker, drill, messages)


def test_a_transformer_that_delivers_nulls_fails_the_event_drill(pytester):
    assert_drills_report(
        pytester,
        endpoint_rule_transformer_nulls,
        "test_event_rules.py",
        [
            "target ops-queue of rule churn-endpoint-state-staging receives null for status=$.detail.Status",
        ],
        extra=("-k", "test_rule_delivers_the_event_it_exists_for and endpoint-state-staging"),
    )


def test_a_deleted_on_call_topic_is_a_finding_not_a_crash(pytester):
    output = assert_drills_report(
        pytester,
        oncall_topic_deleted,
        "test_notifications.py",
        [
            "topic churn-oncall-staging (arn:aws:sns:eu-west-1:210987654321:churn-oncall-staging) does not exist",
        ],
        extra=("-k", "churn-staging-5xx-rate"),
    )
    assert "error" not in output.strip().splitlines()[-1], output[-2000:]


# --- designs that are wrong but consistent with their spec ----------------------------------------------


def test_prod_replay_catches_thresholds_that_never_page_or_always_page(pytester, tmp_path):
    assert_drills_report(
        pytester,
        None,
        "test_prod_replay.py",
        [
            "prod alarm churn-prod-5xx-rate would not page within its 5m budget on the signature churn-staging recorded under 5xx on 50% of requests",
            "prod alarm churn-prod-latency-p95 would page on healthy traffic: replayed on churn-staging's control window",
            "prod alarm churn-prod-latency-p99 is wrong by design",
            "threshold: 600 microseconds (0.6 ms): ModelLatency is published in microseconds",
        ],
        extra=spec_with(
            tmp_path,
            set_("alarms[name=churn-prod-5xx-rate].threshold", 90),
            set_("alarms[name=churn-prod-latency-p95].threshold", 60000),
            set_("alarms[name=churn-prod-latency-p99].threshold", 600),
        ),
    )


def test_alarm_design_catches_a_prod_alarm_copied_from_staging_and_a_missing_step(pytester, tmp_path):
    extra = spec_with(
        tmp_path,
        set_("alarms[name=churn-prod-latency-p95].metric.dimensions.EndpointName", "churn-staging"),
        set_("alarms[name=churn-pipeline-train-step-failed].metric.dimensions.StepName", "Training"),
    )
    assert_drills_report(
        pytester,
        None,
        "test_inventory.py",
        [
            "alarm churn-prod-latency-p95: dimensions: EndpointName=churn-staging names a resource of staging, not of prod",
            "alarm churn-pipeline-train-step-failed: dimensions: StepName=Training is not a step of pipeline churn-training",
        ],
        extra=(*extra, "-k", "alarm_definitions"),
    )
    assert_drills_report(
        pytester,
        None,
        "test_pipeline_alarms.py",
        [
            "alarm churn-pipeline-train-step-failed watches StepName=Training, which is not a step of pipeline churn-training",
        ],
        extra=(*extra, "-k", "train-step"),
    )


def test_an_endpoint_with_alarms_but_no_fault_mechanism_is_a_gap_not_a_skip(pytester, tmp_path):
    extra = spec_with(tmp_path, {"op": "remove", "path": "endpoints[name=churn-staging].faults"})
    assert_drills_report(
        pytester,
        None,
        "test_coverage.py",
        [
            "alarm churn-staging-5xx-rate (staging): endpoint churn-staging has alarms but no fault mechanism",
            "rule churn-promotion (staging): its endpoint has no fault mechanism",
            "alarm churn-prod-5xx-rate (prod): no endpoint with a fault mechanism",
        ],
        extra=extra,
    )
    assert_drills_report(
        pytester,
        None,
        "test_endpoint_alarms.py",
        [
            "endpoint churn-staging (staging) has alarms but declares no fault mechanism",
        ],
        extra=(*extra, "-k", "5xx"),
    )


def test_a_filter_policy_declared_in_the_spec_is_caught_by_behaviour(pytester, tmp_path):
    extra = spec_with(
        tmp_path,
        set_("topics[name=churn-oncall-staging].subscriptions[0].filter_policy", {"NewStateValue": ["OK"]}),
        set_("topics[name=churn-oncall-staging].subscriptions[0].filter_policy_scope", "MessageBody"),
    )
    assert_drills_report(
        pytester,
        None,
        "test_notifications.py",
        [
            "no ALARM notification for alarm churn-staging-5xx-rate reached subscriber email:ml-oncall@example.com",
        ],
        extra=(*extra, "-k", "churn-staging-5xx-rate"),
    )
