"""The deployment guardrail drills fail, saying why, when the guardrail the deployer applies cannot roll back a
regressing model: no rollback alarms recorded, or bakes too short for the alarms to fire."""

import pytest

from simulacro.provision.deployment_guardrails import ALARM_TAG_PREFIX, WAITS_TAG
from support.drill_runner import assert_drills_report

ENDPOINT = "churn-staging"


def _endpoint_arn(target):
    return target.client("sagemaker", "staging").describe_endpoint(EndpointName=ENDPOINT)["EndpointArn"]


def without_rollback_alarms(target):
    """Someone dropped the rollback alarms from the guardrail recorded on the endpoint."""
    sagemaker, arn = target.client("sagemaker", "staging"), _endpoint_arn(target)
    keys = [t["Key"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"] if t["Key"].startswith(ALARM_TAG_PREFIX)]
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=keys)


def bakes_too_short(target):
    """The guardrail bakes a minute per shift and terminates the old fleet at once: over before any alarm can fire."""
    target.client("sagemaker", "staging").add_tags(
        ResourceArn=_endpoint_arn(target), Tags=[{"Key": WAITS_TAG, "Value": "bake=60;termination=0;timeout=3600"}]
    )


CASES = {
    "without rollback alarms": (
        without_rollback_alarms,
        [
            "the deployment guardrail of churn-staging did not roll back a regressing model",
            "the update ran with rollback alarms [none], without churn-staging-5xx-rate: nothing could trigger the rollback",
            "without churn-staging-latency-p95",
            "endpoint churn-staging: deployment guardrail: live",
        ],
    ),
    "bakes too short": (
        bakes_too_short,
        [
            "the deployment guardrail of churn-staging did not roll back a regressing model",
            "ended before it could fire",
            "lengthen the bake",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_guardrail_drill_fails_when_the_guardrail_cannot_roll_back(pytester, case):
    breaker, messages = CASES[case]
    assert_drills_report(pytester, breaker, "test_deployment_guardrails.py", messages)
