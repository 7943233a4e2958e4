"""The candidate deployed through the team's path, and undone: registered, approved, heard by the promotion
rule, deployed by the deployer; afterwards rejected, the endpoint put back on the config it served, and
(on the local AWS) everything the deployment created removed.

On real staging `leave=True` (`--leave-candidate`) keeps the candidate serving, and its package approved.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from simulacro.drill.faults.steps import Undo, forget
from simulacro.provision.deployments import CURRENT_CONFIG, IN_PROGRESS, deployment_record
from simulacro.provision.settle import settled
from simulacro.spec.candidate import Candidate
from simulacro.spec.model import Stack
from simulacro.target.clock import Clock
from simulacro.target.pages import every_item
from simulacro.target.waits import wait_for

from .package import register

# From the approval to the end of the update: the deployer's poll, the update itself, a guardrail's bakes.
DEPLOYMENT_BUDGET = 2 * 3600


def promote_candidate(
    sagemaker: Any,
    clock: Clock,
    candidate: Candidate,
    stack: Stack,
    group: str,
    run_id: str,
    *,
    local: bool,
    leave: bool = False,
    undo: Undo = forget,
) -> str:
    """Register the candidate in `group` and approve it; returns its package ARN. The way back is registered (`undo`)
    before the approval, so a failure between the two cannot leave an approved candidate behind."""
    endpoint = candidate.endpoint_name
    original = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    arn = register(sagemaker, candidate, stack, group, run_id, local=local)

    def restore() -> None:
        if leave and not local:
            return
        # Rejected first: a deployer still holding the approval event must not deploy it after the restore.
        sagemaker.update_model_package(
            ModelPackageArn=arn,
            ModelApprovalStatus="Rejected",
            ApprovalDescription="Simulacro pre-promotion gate over: not this way to prod",
        )
        back_to(sagemaker, clock, endpoint, original)
        if local:
            _delete_copies(sagemaker, endpoint, arn, keep=original)
            sagemaker.delete_model_package(ModelPackageName=arn)

    undo(restore)
    sagemaker.update_model_package(
        ModelPackageArn=arn,
        ModelApprovalStatus="Approved",
        ApprovalDescription=f"Simulacro pre-promotion gate {run_id}: staging rehearsal",
    )
    return arn


def back_to(sagemaker: Any, clock: Clock, endpoint: str, config: str) -> None:
    """The endpoint serves `config` again, without the deployment tags a promotion left."""
    settled(sagemaker, clock, endpoint)
    if sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] != config:
        sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=config)
        settled(sagemaker, clock, endpoint)
    arn = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointArn"]
    keys = [
        t["Key"] for t in sagemaker.list_tags(ResourceArn=arn).get("Tags", []) if t["Key"].startswith("deployment:")
    ]
    if keys:
        sagemaker.delete_tags(ResourceArn=arn, TagKeys=keys)


def await_deployment(
    sagemaker: Any,
    clock: Clock,
    endpoint: str,
    package_arn: str,
    *,
    since: Any = None,
    within: float = DEPLOYMENT_BUDGET,
) -> dict[str, Any]:
    """Wait until the deployer has deployed `package_arn` and the update has ended; DescribeEndpoint, plus
    `Deployed` (True when InService on the config that deployment asked for) and `RequestedConfig`."""

    def ended() -> dict[str, Any] | None:
        record = deployment_record(sagemaker, endpoint)
        if record.model_package != package_arn:
            return None
        described = sagemaker.describe_endpoint(EndpointName=endpoint)
        if described["EndpointStatus"] in IN_PROGRESS:
            return None
        tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=record.endpoint_arn).get("Tags", [])}
        requested = tags.get(CURRENT_CONFIG)
        on_it = described["EndpointConfigName"] == requested and described["EndpointStatus"] == "InService"
        if not on_it and not described.get("FailureReason") and described["EndpointStatus"] == "InService":
            return None  # tagged, not yet updated
        return {**described, "Deployed": on_it, "RequestedConfig": requested}

    return wait_for(
        ended,
        within=within,
        clock=clock,
        poll=30,
        what=f"the promotion path to deploy {package_arn.rsplit('/', 2)[-2]} v{package_arn.rsplit('/', 1)[-1]} to {endpoint}",
    )


def _delete_copies(sagemaker: Any, endpoint: str, package_arn: str, keep: str) -> None:
    """The local deployer made a model and a config per deployment of the package: remove them."""
    prefix = f"{endpoint}-package-{package_arn.rsplit('/', 1)[-1]}-"
    for config in every_item(sagemaker, "list_endpoint_configs", "EndpointConfigs", NameContains=prefix):
        name = config["EndpointConfigName"]
        if name != keep and name.startswith(prefix):
            for delete, what in (
                (sagemaker.delete_endpoint_config, "EndpointConfigName"),
                (sagemaker.delete_model, "ModelName"),
            ):
                try:
                    delete(**{what: name})
                except ClientError:
                    pass  # already gone
