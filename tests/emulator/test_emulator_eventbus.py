"""EventBridge delivery in the local AWS, with AWS's failure semantics (AWS-FACTS.md §4), where moto has none."""

import json

import pytest
from botocore.exceptions import ClientError

from simulacro.drill.probes import ProbeQueue

PATTERN = {"source": ["simulacro.test"], "detail-type": ["Thing Happened"]}


@pytest.fixture
def bus(provisioned):
    """A rule with a probe target and a probe DLQ, on staging's default bus; removed afterwards."""
    events, env = provisioned.client("events", "staging"), "staging"
    target, dlq = ProbeQueue(provisioned, env, "bus", "target"), ProbeQueue(provisioned, env, "bus", "dlq")
    arn = events.put_rule(Name="bus-test", EventPattern=json.dumps(PATTERN))["RuleArn"]
    target.allow_rule(arn)
    dlq.allow_rule(arn)

    def targets(**extra):
        events.put_targets(
            Rule="bus-test", Targets=[{"Id": "t", "Arn": target.arn, "DeadLetterConfig": {"Arn": dlq.arn}, **extra}]
        )

    targets()
    yield {
        "events": events,
        "target": target,
        "dlq": dlq,
        "targets": targets,
        "arn": arn,
        "local": provisioned.local_aws,
    }
    events.remove_targets(Rule="bus-test", Ids=["t"])
    events.delete_rule(Name="bus-test")
    target.close()
    dlq.close()
    provisioned.local_aws.events.transient_failures.clear()


def _send(events, detail=None):
    return events.put_events(
        Entries=[{"Source": "simulacro.test", "DetailType": "Thing Happened", "Detail": json.dumps(detail or {"n": 1})}]
    )


def test_a_matching_event_reaches_the_target_with_its_full_envelope(bus):
    _send(bus["events"])
    heard = bus["target"].receive()
    assert len(heard) == 1 and heard[0].message["account"] == "210987654321" and heard[0].message["detail"] == {"n": 1}


def test_a_disabled_rule_delivers_nothing(bus):
    bus["events"].disable_rule(Name="bus-test")
    _send(bus["events"])
    assert bus["target"].receive() == []


def test_transient_failures_are_retried_in_virtual_time_then_dead_lettered_as_exhausted(bus, provisioned):
    bus["targets"](RetryPolicy={"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600})
    bus["local"].events.transient_failures[bus["target"].arn] = "THROTTLING"
    _send(bus["events"])
    assert bus["dlq"].receive() == []  # still retrying
    provisioned.clock.sleep(120)
    dead = bus["dlq"].receive()
    assert len(dead) == 1
    attributes = dead[0].attributes
    assert (
        attributes["ERROR_CODE"] == "THROTTLING" and attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    )
    assert (
        attributes["RETRY_ATTEMPTS"] == "3"
        and attributes["RULE_ARN"] == bus["arn"]
        and attributes["TARGET_ARN"] == bus["target"].arn
    )


def test_retries_stop_at_the_maximum_event_age(bus, provisioned):
    bus["targets"](RetryPolicy={"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 60})
    bus["local"].events.transient_failures[bus["target"].arn] = "TIMEOUT"
    _send(bus["events"])
    provisioned.clock.sleep(120)
    dead = bus["dlq"].receive()
    assert dead and dead[0].attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"


def test_a_transient_failure_that_clears_is_delivered_late_not_lost(bus, provisioned):
    bus["local"].events.transient_failures[bus["target"].arn] = "THROTTLING"
    _send(bus["events"])
    provisioned.clock.sleep(3)
    bus["local"].events.transient_failures.clear()
    provisioned.clock.sleep(60)
    assert len(bus["target"].receive()) == 1 and bus["dlq"].receive() == []


def test_without_a_dlq_the_event_is_dropped_and_only_failed_invocations_says_so(bus, provisioned):
    events = bus["events"]
    events.put_targets(
        Rule="bus-test", Targets=[{"Id": "t", "Arn": bus["target"].arn.replace("simulacro-probe", "gone")}]
    )
    _send(events)
    log = bus["local"].events.log[-1]
    assert log["outcome"] == "dropped" and log["error_code"] == "NO_RESOURCE"


def test_put_rule_and_test_event_pattern_refuse_an_invalid_pattern(bus):
    events = bus["events"]
    with pytest.raises(ClientError, match="InvalidEventPatternException"):
        events.put_rule(Name="bad", EventPattern=json.dumps({"source": [{"prefx": "aws."}]}))
    with pytest.raises(ClientError, match="InvalidEventPatternException"):
        events.test_event_pattern(EventPattern='{"source": "aws.sagemaker"}', Event="{}")
    event = {
        "id": "1",
        "account": "210987654321",
        "source": "simulacro.test",
        "time": "2026-11-27T10:00:00Z",
        "region": "eu-west-1",
        "detail-type": "Thing Happened",
        "resources": [],
        "detail": {},
    }
    assert events.test_event_pattern(EventPattern=json.dumps(PATTERN), Event=json.dumps(event))["Result"] is True


def test_put_events_refuses_a_source_only_aws_may_use(bus):
    result = bus["events"].put_events(Entries=[{"Source": "aws.sagemaker", "DetailType": "x", "Detail": "{}"}])
    assert result["FailedEntryCount"] == 1 and result["Entries"][0]["ErrorCode"] == "NotAuthorizedForSourceException"


def test_an_input_transformer_shapes_what_the_target_receives(bus):
    bus["targets"](
        InputTransformer={
            "InputPathsMap": {"n": "$.detail.n", "kind": "$.detail-type"},
            "InputTemplate": '{"what": "<kind>", "count": <n>}',
        }
    )
    _send(bus["events"], {"n": 7})
    assert bus["target"].receive()[0].message == {"what": "Thing Happened", "count": 7}
