"""Regression after promotion: freeze promotion, roll back with UpdateEndpoint, open an incident."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulacro.provision.deployments import (
    CURRENT_CONFIG,
    MODEL_PACKAGE,
    PREVIOUS_CONFIG,
    PREVIOUS_MODEL_PACKAGE,
    deploy,
    deployment_record,
)
from simulacro.provision.settle import settled

from .core import NothingToDo, Runbook, StepFailed, step
from .incidents import open_incident
from .promotion import freeze_promotion
from .smoke import smoke_endpoint

if TYPE_CHECKING:
    from simulacro.spec.model import Endpoint


class RegressionAfterPromotion(Runbook):
    name = "regression-after-promotion"
    symptom = "regression after promotion"
    likely_cause = "the promoted model does not behave as expected (errors or latency)"
    evidence_kept = "ModelPackageArn (promoted and restored), smoke results before and after, incident record"
    usage = "python -m simulacro runbook regression-after-promotion --env staging --endpoint churn-staging"
    required_inputs = ("endpoint",)

    @property
    def endpoint(self) -> Endpoint:
        return self.stack.endpoint(self.inputs["endpoint"], self.environment)

    @step("freeze promotion: disable the promotion rules that deploy to this endpoint")
    def freeze(self) -> dict[str, Any]:
        return {"promotion_frozen": freeze_promotion(self, self.endpoint.name, reason=f"{self.name} {self.run_id}")}

    @step("find the promoted model package and the deployment it replaced")
    def find_deployment(self) -> dict[str, Any]:
        record = deployment_record(self.client("sagemaker"), self.endpoint.name)
        if record.model_package is None:
            raise NothingToDo(
                f"{self.endpoint.name} serves no promoted model package (tag deployment:model-package): "
                "nothing to roll back; promotion stays frozen until you unfreeze it"
            )
        if record.previous_config is None:
            raise StepFailed(f"no previous config is recorded on {self.endpoint.name}: cannot roll back the promotion")
        self.deployment = record
        self.promoted: str = record.model_package  # checked above: both are recorded
        self.rollback_to: str = record.previous_config
        return {
            "model_package": record.model_package,
            "previous_model_package": record.previous_model_package,
            "rollback_to": record.previous_config,
        }

    @step("smoke test before the rollback")
    def smoke_before(self) -> dict[str, Any]:
        self.smoke_results = {"smoke_before": self._smoke()}
        return dict(self.smoke_results)

    @step("roll back: UpdateEndpoint to the previous config")
    def roll_back(self) -> dict[str, Any]:
        sagemaker = self.client("sagemaker")
        # A blue/green deployment still shifting or baking refuses UpdateEndpoint; its guardrail may roll back itself.
        current = settled(sagemaker, self.target.clock, self.endpoint.name)
        if current["EndpointConfigName"] == self.rollback_to:
            self._record_guardrail_rollback(sagemaker)
            return {
                "config_after": current["EndpointConfigName"],
                "rolled_back_by": f"the deployment guardrail: {current.get('FailureReason') or 'the update did not complete'}",
            }
        deploy(
            sagemaker,
            self.endpoint.name,
            self.rollback_to,
            model_package=self.deployment.previous_model_package,
        )
        described = settled(sagemaker, self.target.clock, self.endpoint.name)
        if described["EndpointConfigName"] != self.rollback_to:
            raise StepFailed(
                f"{self.endpoint.name} did not return to {self.rollback_to}: {described.get('FailureReason')}"
            )
        return {"config_after": described["EndpointConfigName"]}

    @step("smoke test after the rollback")
    def smoke_after(self) -> dict[str, Any]:
        result = self._smoke(after_change=True)
        self.smoke_results["smoke_after"] = result
        if not result["passed"]:
            raise StepFailed(f"{self.endpoint.name} fails smoke requests after the rollback: {result['first_error']}")
        return {"smoke_after": result}

    @step("reject the regressed model package so it is not promoted again")
    def reject(self) -> dict[str, Any]:
        self.client("sagemaker").update_model_package(
            ModelPackageArn=self.deployment.model_package,
            ModelApprovalStatus="Rejected",
            ApprovalDescription=f"regression after promotion: rolled back by {self.name} ({self.run_id})",
        )
        return {"rejected_model_package": self.deployment.model_package}

    @step("open an incident with the smoke results before and after")
    def open_incident(self) -> dict[str, Any]:
        incident = open_incident(
            self,
            key=f"{self.endpoint.name}:{self.deployment.model_package}:{self.run_id}",
            title=f"Regression after promotion of {_package_name(self.promoted)} on {self.endpoint.name}",
            evidence={"model_package": self.deployment.model_package, **self.smoke_results},
        )
        return {"incident": incident["id"], "incident_file": incident["path"], "incident_reused": incident["reused"]}

    def _record_guardrail_rollback(self, sagemaker: Any) -> None:
        """The record says what serves now, as `deploy` would have written it had the runbook rolled back."""
        arn = self.deployment.endpoint_arn
        promoted = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn).get("Tags", [])}.get(
            CURRENT_CONFIG
        )
        sagemaker.add_tags(
            ResourceArn=arn,
            Tags=[
                {"Key": CURRENT_CONFIG, "Value": self.rollback_to},
                {"Key": PREVIOUS_CONFIG, "Value": promoted or self.deployment.serving_config},
                {"Key": MODEL_PACKAGE, "Value": self.deployment.previous_model_package or ""},
                {"Key": PREVIOUS_MODEL_PACKAGE, "Value": self.deployment.model_package or ""},
            ],
        )

    def _smoke(self, *, after_change: bool = False) -> dict[str, Any]:
        return smoke_endpoint(self, self.endpoint, after_change=after_change)


def _package_name(arn: str) -> str:
    group, version = arn.rsplit("/", 2)[-2:]
    return f"{group} version {version}"
