"""Provisioning records each endpoint's deployment guardrail where the deployer reads it; the inventory reads it
back, conformance names a drifted record, and the local deployer applies it to a promotion."""

from simulacro.emulator.deployer import deploy_with_guardrail
from simulacro.provision import apply, conformance, inventory
from simulacro.provision.deployment_guardrails import ALARM_TAG_PREFIX, TRAFFIC_TAG
from simulacro.provision.settle import settled

ENDPOINT = "churn-staging"


def _tags(sagemaker):
    arn = sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointArn"]
    return arn, {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}


def test_the_guardrail_is_recorded_on_the_endpoint_and_read_back_as_declared(provisioned, stack):
    _, tags = _tags(provisioned.client("sagemaker", "staging"))
    assert tags[TRAFFIC_TAG] == "CANARY:10"
    found = inventory(provisioned, "staging").find("endpoints", ENDPOINT)
    assert found["deployment_config"] == stack.endpoint(ENDPOINT).deployment_config.to_aws()
    assert inventory(provisioned, "prod").find("endpoints", "churn-prod")["deployment_config"] is None


def test_a_dropped_rollback_alarm_is_a_finding_and_apply_puts_it_back(provisioned, stack):
    sagemaker = provisioned.client("sagemaker", "staging")
    arn, tags = _tags(sagemaker)
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=[k for k in tags if k.startswith(ALARM_TAG_PREFIX)])
    found = conformance.findings(conformance.deployment_guardrail_findings, stack, inventory(provisioned, "staging"))
    assert len(found) == 1 and "without the declared guardrail" in str(found[0]) and ENDPOINT in str(found[0])
    report = apply(stack, provisioned)
    assert ("tagged", "endpoint", ENDPOINT) in report.changes
    assert (
        conformance.findings(conformance.deployment_guardrail_findings, stack, inventory(provisioned, "staging")) == []
    )


def test_a_guardrail_the_spec_does_not_declare_is_a_finding_and_apply_removes_it(provisioned, stack):
    sagemaker = provisioned.client("sagemaker", "prod")
    arn = sagemaker.describe_endpoint(EndpointName="churn-prod")["EndpointArn"]
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": TRAFFIC_TAG, "Value": "ALL_AT_ONCE"}])
    found = conformance.findings(conformance.deployment_guardrail_findings, stack, inventory(provisioned, "prod"))
    assert len(found) == 1 and "a guardrail the spec does not declare" in str(found[0])
    apply(stack, provisioned)
    assert conformance.findings(conformance.deployment_guardrail_findings, stack, inventory(provisioned, "prod")) == []


def test_the_deployer_passes_the_recorded_guardrail_to_update_endpoint(provisioned, stack):
    sagemaker = provisioned.client("sagemaker", "staging")
    serving = sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"]
    deploy_with_guardrail(sagemaker, ENDPOINT, serving)
    described = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert described["LastDeploymentConfig"] == stack.endpoint(ENDPOINT).deployment_config.to_aws()
    assert settled(sagemaker, provisioned.clock, ENDPOINT)["EndpointConfigName"] == serving
