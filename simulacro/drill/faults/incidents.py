"""Incidents staged the way production breaks, each undone afterwards:
- a bad deployment: a config whose model loads but answers errors goes live (recorded as a deployment);
- a regressed model promoted: a slower model package is approved and the promotion path deploys it;
- promotion rules kept as they were: a runbook may freeze promotion; the drill puts it back.
"""

from __future__ import annotations

from typing import Any, Callable

from botocore.exceptions import ClientError

from simulacro.provision.deployments import deploy
from simulacro.provision.naming import endpoint_config_body, endpoint_config_name
from simulacro.provision.settle import settled
from simulacro.spec.model import Endpoint, Stack
from simulacro.target.clock import Clock
from simulacro.target.pages import every_item

from .steps import Undo


def bad_deployment(
    sagemaker: Any, clock: Clock, stack: Stack, endpoint: Endpoint, artifact: str, run_id: str, *, undo: Undo
) -> None:
    """Deploy the spec's endpoint config with a model that answers errors (built from the spec, not the live config).
    Each step registers its undo as it goes: the model, the config, then the rollback to the original config."""
    original = sagemaker.describe_endpoint(EndpointName=endpoint.name)["EndpointConfigName"]
    name = f"{endpoint.name}-simulacro-bad-{run_id}"[:63]
    spec_model = stack.model_of(endpoint)
    account = stack.account(endpoint.environment)
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=f"arn:aws:iam::{account}:role/{spec_model.role_name}",
        PrimaryContainer={
            "Image": spec_model.image,
            "ModelDataUrl": f"s3://simulacro-local-models/{artifact}",
            "Environment": {"SIMULACRO_MODEL_ARTIFACT": artifact},
        },
    )
    undo(lambda: sagemaker.delete_model(ModelName=name))
    sagemaker.create_endpoint_config(EndpointConfigName=name, **endpoint_config_body(endpoint, name))
    undo(lambda: sagemaker.delete_endpoint_config(EndpointConfigName=name))
    undo(_restorer(sagemaker, clock, endpoint.name, original, spec_fallback=(endpoint, spec_model.name)))
    deploy(sagemaker, endpoint.name, name)


def promote_regressed_model(
    sagemaker: Any, clock: Clock, endpoint: Endpoint, group: str, artifact: str, run_id: str, *, undo: Undo
) -> str:
    """Register and approve a package of the regressed model; the promotion path deploys it. Returns the package.

    Undone in reverse: the package is rejected first (a deployer still holding the approval event must not
    deploy it after the rollback), the endpoint goes back with the deployer's copies removed, the package is
    deleted. Each is registered before the step it undoes, so an approval that fails half-way (refused,
    interrupted) never leaves an Approved package behind."""
    original = sagemaker.describe_endpoint(EndpointName=endpoint.name)["EndpointConfigName"]
    model = sagemaker.describe_model(
        ModelName=sagemaker.describe_endpoint_config(EndpointConfigName=original)["ProductionVariants"][0]["ModelName"]
    )
    container = model["PrimaryContainer"]
    package = sagemaker.create_model_package(
        ModelPackageGroupName=group,
        ModelApprovalStatus="PendingManualApproval",
        ModelPackageDescription=f"Simulacro incident drill {run_id}: a regressed model",
        InferenceSpecification={
            "Containers": [
                {
                    "Image": container["Image"],
                    "ModelDataUrl": container.get("ModelDataUrl", ""),
                    "Environment": {**container.get("Environment", {}), "SIMULACRO_MODEL_ARTIFACT": artifact},
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    undo(lambda: sagemaker.delete_model_package(ModelPackageName=package))
    restore_endpoint = _restorer(sagemaker, clock, endpoint.name, original)

    def endpoint_back() -> None:
        restore_endpoint()
        _delete_deployed_copies(sagemaker, endpoint.name, original)

    undo(endpoint_back)
    undo(
        lambda: sagemaker.update_model_package(
            ModelPackageArn=package,
            ModelApprovalStatus="Rejected",
            ApprovalDescription="Simulacro drill over: never deploy",
        )
    )
    sagemaker.update_model_package(ModelPackageArn=package, ModelApprovalStatus="Approved")
    return package


def keep_promotion_rules(events: Any, stack: Stack, environment: str) -> Callable[[], None]:
    """Remember the promotion rules' state; the returned undo puts it back (and drops freeze tags)."""
    rules = [r for r in stack.rules if r.environment == environment and r.purpose == "promotion"]
    states = {}
    for rule in rules:
        try:
            states[rule.name] = events.describe_rule(Name=rule.name)
        except ClientError:
            continue  # a missing rule has no state to put back

    def restore() -> None:
        for name, live in states.items():
            (events.enable_rule if live["State"] == "ENABLED" else events.disable_rule)(Name=name)
            events.untag_resource(ResourceARN=live["Arn"], TagKeys=["simulacro:frozen-by"])

    return restore


def _restorer(
    sagemaker: Any, clock: Clock, endpoint: str, original: str, spec_fallback: tuple[Endpoint, str] | None = None
) -> Callable[[], None]:
    """How to put `endpoint` back on its `original` config (and drop the deployment tags) once it has settled."""

    def restore() -> None:
        settled(sagemaker, clock, endpoint)
        if spec_fallback is not None:
            _ensure_config(sagemaker, original, *spec_fallback)
        if sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] != original:
            sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=original)
            settled(sagemaker, clock, endpoint)
        _untag_deployment(sagemaker, endpoint)

    return restore


def _ensure_config(sagemaker: Any, name: str, endpoint: Endpoint, model_name: str) -> None:
    """The config to go back to vanished during the drill: recreate it from the spec when it is the spec's own."""
    try:
        sagemaker.describe_endpoint_config(EndpointConfigName=name)
    except ClientError:
        if name != endpoint_config_name(endpoint, model_name):
            raise AssertionError(
                f"cannot restore {endpoint.name}: its original config {name} was deleted and is not the spec's"
            ) from None
        sagemaker.create_endpoint_config(EndpointConfigName=name, **endpoint_config_body(endpoint, model_name))


def _delete_deployed_copies(sagemaker: Any, endpoint: str, keep: str) -> None:
    """The promotion path's deployer made a config and a model for the package: remove them."""
    for config in list(
        every_item(sagemaker, "list_endpoint_configs", "EndpointConfigs", NameContains=f"{endpoint}-package-")
    ):
        name = config["EndpointConfigName"]
        if name != keep:
            sagemaker.delete_endpoint_config(EndpointConfigName=name)
            sagemaker.delete_model(ModelName=name)


def _untag_deployment(sagemaker: Any, endpoint: str) -> None:
    arn = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointArn"]
    keys = [
        t["Key"] for t in sagemaker.list_tags(ResourceArn=arn).get("Tags", []) if t["Key"].startswith("deployment:")
    ]
    if keys:
        sagemaker.delete_tags(ResourceArn=arn, TagKeys=keys)
