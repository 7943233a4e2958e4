"""How a deployment records what it replaced, so a rollback can rely on it.

DescribeEndpoint shows no history of earlier configs (AWS-FACTS.md §6). Every deployment therefore
tags the endpoint, before it updates it, with the config and model package it replaces:

    deployment:current-config            the config being deployed
    deployment:previous-config           the config that served before (the rollback target)
    deployment:model-package             the model package being deployed ("" when none)
    deployment:previous-model-package    the model package that served before

The team's own deployment tooling does the same on real AWS (README: "Runbooks"); the local deployer,
the drills' faults and the runbooks all go through `deploy` and `deployment_record` below.

A promotion deploys a copy of the serving config that runs the package's container. A package may ask
for a different endpoint config in its `CustomerMetadataProperties` (`ENDPOINT_CONFIG_KEYS`: variant
name, instance type and count, capture on or off, sampling and destination): the deployer honours
them, as a team's deployer reads its deployment parameters from the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IN_PROGRESS = ("Creating", "Updating", "SystemUpdating", "RollingBack")
CURRENT_CONFIG = "deployment:current-config"
PREVIOUS_CONFIG = "deployment:previous-config"
MODEL_PACKAGE = "deployment:model-package"
PREVIOUS_MODEL_PACKAGE = "deployment:previous-model-package"


@dataclass(frozen=True)
class DeploymentRecord:
    endpoint_arn: str
    serving_config: str
    previous_config: str | None
    model_package: str | None
    previous_model_package: str | None


def deployment_record(sagemaker: Any, endpoint_name: str) -> DeploymentRecord:
    live = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=live["EndpointArn"]).get("Tags", [])}
    return DeploymentRecord(
        endpoint_arn=live["EndpointArn"],
        serving_config=live["EndpointConfigName"],
        previous_config=tags.get(PREVIOUS_CONFIG) or None,
        model_package=tags.get(MODEL_PACKAGE) or None,
        previous_model_package=tags.get(PREVIOUS_MODEL_PACKAGE) or None,
    )


def deploy(
    sagemaker: Any, endpoint_name: str, config_name: str, *, model_package: str | None = None
) -> DeploymentRecord:
    """Record what `config_name` replaces on the endpoint, then update the endpoint to it."""
    before = deployment_record(sagemaker, endpoint_name)
    sagemaker.add_tags(
        ResourceArn=before.endpoint_arn,
        Tags=[
            {"Key": CURRENT_CONFIG, "Value": config_name},
            {"Key": PREVIOUS_CONFIG, "Value": before.serving_config},
            {"Key": MODEL_PACKAGE, "Value": model_package or ""},
            {"Key": PREVIOUS_MODEL_PACKAGE, "Value": before.model_package or ""},
        ],
    )
    sagemaker.update_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name)
    return before


def config_from_model_package(sagemaker: Any, endpoint_name: str, package_arn: str, suffix: str) -> str:
    """A copy of the serving config whose variants run the model package's container: what a promotion deploys."""
    package = sagemaker.describe_model_package(ModelPackageName=package_arn)
    serving = sagemaker.describe_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"]
    )
    source_model = sagemaker.describe_model(ModelName=serving["ProductionVariants"][0]["ModelName"])
    container = package["InferenceSpecification"]["Containers"][0]
    model_name = f"{endpoint_name}-{suffix}"[:63]
    sagemaker.create_model(
        ModelName=model_name,
        ExecutionRoleArn=source_model["ExecutionRoleArn"],
        PrimaryContainer={
            "Image": container["Image"],
            "ModelDataUrl": container.get("ModelDataUrl", ""),
            "Environment": container.get("Environment") or {},
        },
    )
    body = endpoint_config_for_package(serving, package.get("CustomerMetadataProperties") or {}, model_name)
    sagemaker.create_endpoint_config(EndpointConfigName=model_name, **body)
    return model_name


def endpoint_config_for_package(serving: dict[str, Any], metadata: dict[str, str], model_name: str) -> dict[str, Any]:
    """The CreateEndpointConfig body a promotion deploys: the serving config's variants and capture, running
    `model_name`, with what the package's metadata asks for (`ENDPOINT_CONFIG_KEYS`) in their place."""
    asked = {field: metadata[key] for field, key in ENDPOINT_CONFIG_KEYS.items() if key in metadata}
    variants = [
        {k: v for k, v in variant.items() if k in _VARIANT_FIELDS} | {"ModelName": model_name}
        for variant in serving["ProductionVariants"]
    ]
    if "variant_name" in asked:
        variants[0]["VariantName"] = asked["variant_name"]
    if "instance_type" in asked:
        variants[0]["InstanceType"] = asked["instance_type"]
    if "instance_count" in asked:
        variants[0]["InitialInstanceCount"] = int(asked["instance_count"])
    capture = dict(serving.get("DataCaptureConfig") or {})
    for field, api in (("capture_sampling", "InitialSamplingPercentage"), ("capture_destination", "DestinationS3Uri")):
        if field in asked:
            capture[api] = int(asked[field]) if api == "InitialSamplingPercentage" else asked[field]
    if "capture" in asked:
        capture["EnableCapture"] = asked["capture"].strip().lower() == "on"
    body: dict[str, Any] = {"ProductionVariants": variants}
    if capture.get("DestinationS3Uri"):
        body["DataCaptureConfig"] = {**_CAPTURE_DEFAULTS, "InitialSamplingPercentage": 100, **capture}
    return body


_VARIANT_FIELDS = ("VariantName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight")
ENDPOINT_CONFIG_KEYS = {
    "variant_name": "endpoint-config:variant-name",
    "instance_type": "endpoint-config:instance-type",
    "instance_count": "endpoint-config:instance-count",
    "capture": "endpoint-config:capture",  # on | off
    "capture_sampling": "endpoint-config:capture-sampling-percentage",
    "capture_destination": "endpoint-config:capture-destination",
}
_CAPTURE_DEFAULTS = {"CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
