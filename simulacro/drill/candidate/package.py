"""The candidate as a model package: what is registered for it, and the endpoint config it leads to.

Locally the candidate file becomes a package whose container names the fixture model and its
behaviour (`simulacro.emulator.local_model`), and whose `CustomerMetadataProperties` carry the
candidate's endpoint config in the keys the deployer reads (`ENDPOINT_CONFIG_KEYS`). On real AWS the
candidate is a package that exists: its containers and metadata are read back. Either way the endpoint
config is the one the team's deployer would build (`endpoint_config_for_package`), so the static check
judges what would really go live.
"""

from __future__ import annotations

from typing import Any

from simulacro.provision.deployments import ENDPOINT_CONFIG_KEYS, endpoint_config_for_package
from simulacro.spec.candidate import Candidate
from simulacro.spec.model import Stack

BEHAVIOUR_VARIABLES = {
    "error_rate": "SIMULACRO_ERROR_RATE",
    "latency_ms": "SIMULACRO_LATENCY_MS",
    "fails_to_start": "SIMULACRO_FAILS_TO_START",
}
ARTIFACT_VARIABLE = "SIMULACRO_MODEL_ARTIFACT"
CANDIDATE_TAG = "simulacro:candidate"


def container(candidate: Candidate, stack: Stack, *, local: bool) -> dict[str, Any]:
    """The inference container registered for the candidate (behaviour variables only for the local AWS)."""
    if candidate.package_arn is not None:
        return _real_container(candidate)  # a real package: registered as it is
    environment = dict(candidate.model_package.environment)
    if local:
        endpoint = candidate.endpoint_in(stack)
        served = next(m for m in stack.models if m.name == endpoint.model and m.environment == endpoint.environment)
        environment[ARTIFACT_VARIABLE] = candidate.model_package.artifact or served.artifact
        behaviour = candidate.behaviour
        if behaviour is not None:
            environment[BEHAVIOUR_VARIABLES["error_rate"]] = f"{behaviour.error_rate:g}"
            if behaviour.latency_ms is not None:
                environment[BEHAVIOUR_VARIABLES["latency_ms"]] = f"{behaviour.latency_ms:g}"
            if behaviour.fails_to_start:
                environment[BEHAVIOUR_VARIABLES["fails_to_start"]] = "true"
    return {
        "Image": candidate.model_package.image,
        "ModelDataUrl": candidate.model_package.model_data,
        "Environment": environment,
    }


def _real_container(candidate: Candidate) -> dict[str, Any]:
    return {
        "Image": candidate.model_package.image,
        "ModelDataUrl": candidate.model_package.model_data,
        "Environment": dict(candidate.model_package.environment),
    }


def endpoint_metadata(candidate: Candidate) -> dict[str, str]:
    """The candidate's endpoint config in the package metadata keys the deployer honours."""
    config = candidate.endpoint_config
    metadata = {
        ENDPOINT_CONFIG_KEYS["variant_name"]: config.variant_name,
        ENDPOINT_CONFIG_KEYS["instance_type"]: config.instance_type,
        ENDPOINT_CONFIG_KEYS["instance_count"]: str(config.instance_count),
        ENDPOINT_CONFIG_KEYS["capture"]: "on" if config.capture is not None and config.capture.enabled else "off",
    }
    if config.capture is not None:
        metadata[ENDPOINT_CONFIG_KEYS["capture_sampling"]] = str(config.capture.sampling_percentage)
        metadata[ENDPOINT_CONFIG_KEYS["capture_destination"]] = config.capture.destination
    return metadata


def candidate_config(candidate: Candidate, serving_config: dict[str, Any]) -> dict[str, Any]:
    """The CreateEndpointConfig body the deployer would create for the candidate, next to `serving_config`."""
    return endpoint_config_for_package(serving_config, endpoint_metadata(candidate), f"{candidate.name}-candidate")


def register(sagemaker: Any, candidate: Candidate, stack: Stack, group: str, run_id: str, *, local: bool) -> str:
    """Register the candidate as a new version of `group`, pending approval; returns its ARN."""
    return sagemaker.create_model_package(
        ModelPackageGroupName=group,
        ModelPackageDescription=f"Simulacro pre-promotion gate {run_id}: candidate {candidate.name} ({candidate.source})"[
            :1000
        ],
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [container(candidate, stack, local=local)],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        CustomerMetadataProperties={**endpoint_metadata(candidate), CANDIDATE_TAG: run_id},
    )["ModelPackageArn"]


def candidate_from_package(sagemaker: Any, arn: str, stack: Stack, environment: str) -> Candidate:
    """A real model package read back as a candidate: its first container, and the endpoint config the deployer
    would build for it on the endpoint its group is promoted to."""
    package = sagemaker.describe_model_package(ModelPackageName=arn)
    first = package["InferenceSpecification"]["Containers"][0]
    group = package.get("ModelPackageGroupName") or arn.rsplit("/", 2)[-2]
    promotion = [
        r for r in stack.rules if r.purpose == "promotion" and r.environment == environment and r.deploys_endpoint
    ]
    endpoint_name = next(
        (r.deploys_endpoint for r in promotion if r.mentions(group)),
        promotion[0].deploys_endpoint if promotion else None,
    )
    if endpoint_name is None:
        from simulacro.errors import BadInput

        raise BadInput(
            f"--candidate {arn}: the spec declares no promotion rule deploying to an endpoint of {environment}: "
            "the gate cannot tell which endpoint the candidate would go to"
        )
    live = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    serving = sagemaker.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
    body = endpoint_config_for_package(serving, package.get("CustomerMetadataProperties") or {}, "candidate")
    variant = body["ProductionVariants"][0]
    capture = body.get("DataCaptureConfig")
    endpoint = next(e for e in stack.endpoints if e.name == endpoint_name and e.environment == environment)
    declared_capture = None
    if capture is not None:
        declared_capture = {
            "enabled": bool(capture.get("EnableCapture")),
            "sampling_percentage": int(capture["InitialSamplingPercentage"]),
            "destination": capture["DestinationS3Uri"],
            "retention_days": endpoint.capture.retention_days if endpoint.capture else 1,
        }
    # Validated from plain data like a candidate file (the nested parts are models of their own).
    return Candidate.model_validate(
        {
            "name": f"{group}-v{package.get('ModelPackageVersion', arn.rsplit('/', 1)[-1])}",
            "source": arn,
            "package_arn": arn,
            "environment": environment,
            "endpoint_name": endpoint_name,
            "model_package": {
                "group": group,
                "image": first["Image"],
                "model_data": first.get("ModelDataUrl") or "s3://unknown/",
                "environment": first.get("Environment") or {},
            },
            "endpoint_config": {
                "variant_name": variant["VariantName"],
                "instance_type": variant["InstanceType"],
                "instance_count": variant["InitialInstanceCount"],
                "capture": declared_capture,
            },
        }
    )
