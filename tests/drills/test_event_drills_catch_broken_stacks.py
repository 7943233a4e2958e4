"""The EventBridge drills fail, naming the rule and what is wrong, on the ways rules fail silently in real life."""

import json

import pytest

from support.drill_runner import all_of, assert_drills_report

DRILL = "test_event_rules.py"


def _pattern(target, rule, change, environment="staging"):
    events = target.client("events", environment)
    pattern = json.loads(events.describe_rule(Name=rule)["EventPattern"])
    change(pattern)
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))


def detail_type_typo(target):
    _pattern(
        target,
        "churn-model-package-state",
        lambda p: p.update({"detail-type": ["SageMaker Model Package State Changed"]}),
    )


def api_status_casing(target):
    _pattern(
        target,
        "churn-endpoint-state-staging",
        lambda p: p["detail"].update(EndpointStatus=["Updating", "InService", "Failed"]),
    )


def rule_disabled(target):
    target.client("events", "staging").disable_rule(Name="churn-pipeline-failed")


def _retarget(target, rule, environment="staging", **changes):
    events = target.client("events", environment)
    live = events.list_targets_by_rule(Rule=rule)["Targets"][0]
    live.update(changes)
    for key, value in list(live.items()):
        if value is None:
            live.pop(key)
    events.put_targets(Rule=rule, Targets=[live])


def target_without_dlq(target):
    _retarget(target, "churn-endpoint-state-prod", environment="prod", DeadLetterConfig=None)


def fifo_dlq(target):
    sqs = target.client("sqs", "staging")
    url = sqs.create_queue(QueueName="churn-events-dlq.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _retarget(target, "churn-model-package-state", DeadLetterConfig={"Arn": arn})


def retry_zero_without_dlq(target):
    _retarget(
        target,
        "churn-pipeline-failed",
        DeadLetterConfig=None,
        RetryPolicy={"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60},
    )


def failures_rule_too_wide(target):
    _pattern(target, "churn-pipeline-failed", lambda p: p["detail"].pop("currentPipelineExecutionStatus"))


RUNS = {
    "patterns and state": (
        all_of(detail_type_typo, api_status_casing, rule_disabled, target_without_dlq),
        [
            "rule churn-model-package-state did not deliver the registration event",
            "rule churn-endpoint-state-staging did not deliver the UPDATING event",
            "rule churn-endpoint-state-staging did not deliver the failed update event",
            "endpoint events say IN_SERVICE, not InService",
            "rule churn-pipeline-failed did not deliver the Failed execution event within 1m (rule state DISABLED",
            "target ops-queue of rule churn-endpoint-state-prod has no dead-letter queue: the undeliverable event was lost silently",
        ],
    ),
    "dead-letter queues": (
        all_of(fifo_dlq, retry_zero_without_dlq, failures_rule_too_wide),
        [
            "did not reach dead-letter queue arn:aws:sqs:eu-west-1:210987654321:churn-events-dlq.fifo",
            "is a standard (not FIFO) queue",
            "target ops-queue of rule churn-pipeline-failed has no dead-letter queue",
            "rule churn-pipeline-failed is declared for failures only but delivered 2 event(s) on a successful execution",
        ],
    ),
}


@pytest.mark.parametrize("run", sorted(RUNS))
def test_event_drills_fail_naming_the_rule_and_what_is_wrong(pytester, run):
    breaker, messages = RUNS[run]
    assert_drills_report(pytester, breaker, DRILL, messages)
