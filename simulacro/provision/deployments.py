"""How a deployment records what it replaced, so a rollback can rely on it.

DescribeEndpoint shows no history of earlier configs (AWS-FACTS.md §6). Every deployment therefore
tags the endpoint, before it updates it, with the config and model package it replaces:

    deployment:current-config            the config being deployed
    deployment:previous-config           the config that served before (the rollback target)
    deployment:model-package             the model package being deployed ("" when none)
    deployment:previous-model-package    the model package that served before

The team's own deployment tooling does the same on real AWS (README: "Runbooks"); the local deployer,
the drills' faults and the runbooks all go through `deploy` and `deployment_record` below.
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


def deploy(sagemaker: Any, endpoint_name: str, config_name: str, *, model_package: str | None = None) -> DeploymentRecord:
    """Record what `config_name` replaces on the endpoint, then update the endpoint to it."""
    before = deployment_record(sagemaker, endpoint_name)
    sagemaker.add_tags(ResourceArn=before.endpoint_arn, Tags=[
        {"Key": CURRENT_CONFIG, "Value": config_name},
        {"Key": PREVIOUS_CONFIG, "Value": before.serving_config},
        {"Key": MODEL_PACKAGE, "Value": model_package or ""},
        {"Key": PREVIOUS_MODEL_PACKAGE, "Value": before.model_package or ""},
    ])
    sagemaker.update_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name)
    return before


def config_from_model_package(sagemaker: Any, endpoint_name: str, package_arn: str, suffix: str) -> str:
    """A copy of the serving config whose variants run the model package's container: what a promotion deploys."""
    package = sagemaker.describe_model_package(ModelPackageName=package_arn)
    serving = sagemaker.describe_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"])
    source_model = sagemaker.describe_model(ModelName=serving["ProductionVariants"][0]["ModelName"])
    container = package["InferenceSpecification"]["Containers"][0]
    model_name = f"{endpoint_name}-{suffix}"[:63]
    sagemaker.create_model(ModelName=model_name, ExecutionRoleArn=source_model["ExecutionRoleArn"], PrimaryContainer={
        "Image": container["Image"], "ModelDataUrl": container.get("ModelDataUrl", ""),
        "Environment": container.get("Environment") or {},
    })
    variants = [{k: v for k, v in variant.items() if k in _VARIANT_FIELDS} | {"ModelName": model_name}
                for variant in serving["ProductionVariants"]]
    extra = {"DataCaptureConfig": serving["DataCaptureConfig"]} if serving.get("DataCaptureConfig") else {}
    sagemaker.create_endpoint_config(EndpointConfigName=model_name, ProductionVariants=variants, **extra)
    return model_name


_VARIANT_FIELDS = ("VariantName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight")
