"""An endpoint's deployment guardrail in the spec: AWS's limits enforced with the path named, rollback alarms that
exist and watch the endpoint, the UpdateEndpoint DeploymentConfig it becomes, and the tags that record it."""

import pytest

from simulacro.provision.deployment_guardrails import guardrail_tags, recorded_deployment_config
from simulacro.spec import SpecError, load_stack
from simulacro.spec.model import DeploymentConfig
from support.example_spec import example_data, write_spec

STAGING = 0  # endpoints[0] is churn-staging in the example spec
WHERE = f"endpoints[{STAGING}].deployment_config"


def _load_with(tmp_path, **guardrail):
    data = example_data()
    data["endpoints"][STAGING]["deployment_config"] = guardrail
    return load_stack(write_spec(data, tmp_path))


@pytest.mark.parametrize(
    "guardrail,message",
    [
        ({"traffic": "canary", "step_percent": 60, "bake": "5m"}, "at most 50% of the new fleet"),
        ({"traffic": "canary", "bake": "5m"}, "a canary needs step_percent"),
        ({"traffic": "linear", "step_percent": 5, "bake": "5m"}, "between 10 and 50"),
        ({"traffic": "all-at-once", "step_percent": 20}, "all-at-once shifts 100% at once"),
        ({"traffic": "blue-green"}, "traffic"),
        ({"traffic": "canary", "step_percent": 10, "bake": "2h"}, "bake"),
        ({"traffic": "linear", "step_percent": 10, "bake": "10m", "timeout": "1h"}, "must be longer than the bakes"),
        ({"timeout": "5m"}, "timeout"),
        ({"termination_wait": "2h"}, "termination_wait"),
        ({"bake": "90.5s"}, "whole seconds"),
        ({"rollback_alarms": [f"a{i}" for i in range(11)]}, "rollback_alarms"),
        ({"rollback_alarms": ["churn-staging-5xx-rat"]}, "unknown alarm in staging 'churn-staging-5xx-rat'"),
        ({"rollback_alarms": ["churn-prod-5xx-rate"]}, "unknown alarm in staging 'churn-prod-5xx-rate'"),
        ({"rollback_alarms": ["churn-pipeline-execution-failed"]}, "does not watch endpoint churn-staging"),
        ({"roll_back_alarms": ["churn-staging-5xx-rate"]}, "unknown field"),
    ],
)
def test_a_guardrail_aws_would_refuse_is_refused_with_its_path(tmp_path, guardrail, message):
    with pytest.raises(SpecError) as refused:
        _load_with(tmp_path, **guardrail)
    text = str(refused.value)
    assert message in text and WHERE in text, text


def test_the_example_spec_guards_staging_promotions_with_its_5xx_and_p95_alarms():
    endpoint = load_stack().endpoint("churn-staging")
    assert endpoint.deployment_config.rollback_alarms == ["churn-staging-5xx-rate", "churn-staging-latency-p95"]
    assert endpoint.deployment_config.to_aws() == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "WaitIntervalInSeconds": 600,
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
            },
            "TerminationWaitInSeconds": 300,
            "MaximumExecutionTimeoutInSeconds": 3600,
        },
        "AutoRollbackConfiguration": {
            "Alarms": [{"AlarmName": "churn-staging-5xx-rate"}, {"AlarmName": "churn-staging-latency-p95"}]
        },
    }


@pytest.mark.parametrize(
    "guardrail",
    [
        DeploymentConfig(),
        DeploymentConfig(
            traffic="linear",
            step_percent=25,
            bake=300,
            termination_wait=60,
            timeout=7200,
            rollback_alarms=["x" * 255, "y"],
        ),
        DeploymentConfig(traffic="canary", step_percent=1, bake=0, rollback_alarms=[f"alarm-{i}" for i in range(10)]),
    ],
)
def test_the_recorded_tags_read_back_as_the_same_deployment_config(guardrail):
    tags = guardrail_tags(guardrail)
    assert all(len(k) <= 128 and len(v) <= 256 for k, v in tags.items())
    assert recorded_deployment_config(tags) == guardrail.to_aws()


def test_a_guardrail_without_rollback_alarms_has_no_auto_rollback():
    assert "AutoRollbackConfiguration" not in DeploymentConfig(traffic="canary", step_percent=10, bake=600).to_aws()


@pytest.mark.parametrize(
    "tags,message",
    [
        ({"simulacro:deployment-traffic": "SOMETIMES"}, "expected ALL_AT_ONCE, CANARY:<percent> or LINEAR:<percent>"),
        ({"simulacro:deployment-traffic": "CANARY:ten"}, "'ten' is not a whole number"),
        (
            {"simulacro:deployment-traffic": "ALL_AT_ONCE", "simulacro:deployment-waits": "bake=60;nap=5"},
            "unknown item 'nap'",
        ),
    ],
)
def test_a_tampered_record_is_named_not_guessed(tags, message):
    with pytest.raises(ValueError, match=message):
        recorded_deployment_config(tags)


def test_no_record_means_no_guardrail():
    assert recorded_deployment_config({"owner": "ml-platform"}) is None
