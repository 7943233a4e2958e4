"""Endpoint (staging/prod) not responding: describe it, read the failure reason, roll back to the previous config."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from simulacro.provision.deployments import deploy, deployment_record
from simulacro.provision.settle import settled

from .core import NothingToDo, Runbook, StepFailed, step
from .smoke import smoke_endpoint

if TYPE_CHECKING:
    from simulacro.spec.model import Endpoint


class EndpointNotResponding(Runbook):
    name = "endpoint-not-responding"
    symptom = "endpoint (staging/prod) not responding"
    likely_cause = "endpoint `Failed`, or a deployed config whose model answers errors"
    evidence_kept = "endpoint ARN, status, timestamp, failure reason, config used before and after, smoke results"
    usage = "python -m simulacro runbook endpoint-not-responding --env staging --endpoint churn-staging"
    required_inputs = ("endpoint",)

    @property
    def endpoint(self) -> Endpoint:
        return self.stack.endpoint(self.inputs["endpoint"], self.environment)

    @step("DescribeEndpoint: status, FailureReason and the config in use")
    def describe(self) -> dict[str, Any]:
        described = self.client("sagemaker").describe_endpoint(EndpointName=self.endpoint.name)
        self.described = described
        return {
            "endpoint_arn": described["EndpointArn"],
            "status": described["EndpointStatus"],
            "failure_reason": described.get("FailureReason"),
            "config_before": described["EndpointConfigName"],
            "observed_at": self.target.clock.now().isoformat(),
        }

    @step("smoke test: does it answer a known-good request?")
    def smoke_before(self) -> dict[str, Any]:
        result = (
            self._smoke()
            if self.described["EndpointStatus"] == "InService"
            else {"passed": False, "skipped": "not InService"}
        )
        if result["passed"] and not self.described.get("FailureReason"):
            raise NothingToDo(f"{self.endpoint.name} is InService and answers: nothing to roll back")
        return {"smoke_before": result}

    @step("find the previous config the last deployment recorded on the endpoint")
    def find_previous_config(self) -> dict[str, Any]:
        record = deployment_record(self.client("sagemaker"), self.endpoint.name)
        if record.previous_config is None:
            raise StepFailed(
                f"no previous config is recorded on {self.endpoint.name} (tag deployment:previous-config): "
                "the deployment did not record what it replaced; roll back by hand from your deployment history"
            )
        try:
            self.client("sagemaker").describe_endpoint_config(EndpointConfigName=record.previous_config)
        except ClientError:
            raise StepFailed(
                f"the recorded previous config {record.previous_config} of {self.endpoint.name} no longer exists "
                "(deleted?): recreate it from your deployment history before rolling back"
            ) from None
        self.previous = record
        self.rollback_to: str = record.previous_config  # checked above: there is one
        return {"rollback_to": record.previous_config, "previous_model_package": record.previous_model_package}

    @step("roll back: UpdateEndpoint to the previous config (delete and recreate a Failed endpoint)")
    def roll_back(self) -> dict[str, Any]:
        sagemaker = self.client("sagemaker")
        if self.described["EndpointStatus"] == "Failed":  # AWS allows only delete on a Failed endpoint
            sagemaker.delete_endpoint(EndpointName=self.endpoint.name)
            sagemaker.create_endpoint(EndpointName=self.endpoint.name, EndpointConfigName=self.rollback_to)
        else:
            deploy(
                sagemaker,
                self.endpoint.name,
                self.rollback_to,
                model_package=self.previous.previous_model_package,
            )
        return {"rolled_back_from": self.described["EndpointConfigName"]}

    @step("wait until the endpoint is InService on the previous config")
    def wait_in_service(self) -> dict[str, Any]:
        sagemaker = self.client("sagemaker")
        described = settled(sagemaker, self.target.clock, self.endpoint.name)
        if described["EndpointStatus"] != "InService" or described["EndpointConfigName"] != self.rollback_to:
            raise StepFailed(
                f"{self.endpoint.name} is {described['EndpointStatus']} on {described['EndpointConfigName']} "
                f"after the rollback: {described.get('FailureReason')}"
            )
        return {"status_after": described["EndpointStatus"], "config_after": described["EndpointConfigName"]}

    @step("smoke test after the rollback")
    def smoke_after(self) -> dict[str, Any]:
        result = self._smoke(after_change=True)
        if not result["passed"]:
            raise StepFailed(
                f"{self.endpoint.name} still fails {result['errors']} of {result['requests']} smoke requests "
                f"after the rollback: {result['first_error']}"
            )
        return {"smoke_after": result}

    def _smoke(self, *, after_change: bool = False) -> dict[str, Any]:
        return smoke_endpoint(self, self.endpoint, after_change=after_change)
