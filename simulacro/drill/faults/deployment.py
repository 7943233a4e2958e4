"""Endpoint deployments a drill makes and undoes: an update to a copy of the serving config (healthy),
or to a config whose model cannot load (broken: the update fails and the old config keeps serving).

The model is broken through the mechanism the local AWS and real SageMaker share: its artifact
cannot be loaded (locally `SIMULACRO_MODEL_ARTIFACT` names a file that does not exist; on real
AWS, a model data URL that does not exist).
"""

from __future__ import annotations

from typing import Any

from simulacro.provision.settle import settled
from simulacro.spec.model import Endpoint
from simulacro.target.clock import Clock

from .steps import Undo

BROKEN_ARTIFACT = "models/does-not-exist.json"


def update_endpoint(sagemaker: Any, clock: Clock, endpoint: Endpoint, run_id: str, *, broken: bool, undo: Undo) -> str:
    """Start an update of `endpoint`; returns the new config's name. Each step registers its undo as it goes:
    the model (when broken), the config, then the way back to the original config."""
    live = sagemaker.describe_endpoint(EndpointName=endpoint.name)
    original = live["EndpointConfigName"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=original)
    suffix = f"simulacro-{'broken' if broken else 'copy'}-{run_id}"
    new_config = f"{endpoint.name}-{suffix}"[:63]
    created_model = _broken_model(sagemaker, config, suffix) if broken else None
    if created_model:
        undo(lambda: sagemaker.delete_model(ModelName=created_model))
    variants = [{k: v for k, v in variant.items() if k in _VARIANT_FIELDS} for variant in config["ProductionVariants"]]
    if created_model:
        variants = [{**v, "ModelName": created_model} for v in variants]
    extra = {"DataCaptureConfig": config["DataCaptureConfig"]} if config.get("DataCaptureConfig") else {}
    sagemaker.create_endpoint_config(EndpointConfigName=new_config, ProductionVariants=variants, **extra)
    undo(lambda: sagemaker.delete_endpoint_config(EndpointConfigName=new_config))

    def back_to_original() -> None:
        settled(sagemaker, clock, endpoint.name)
        if sagemaker.describe_endpoint(EndpointName=endpoint.name)["EndpointConfigName"] != original:
            sagemaker.update_endpoint(EndpointName=endpoint.name, EndpointConfigName=original)
            settled(sagemaker, clock, endpoint.name)

    undo(back_to_original)  # before the call: it checks what the endpoint serves, so it is right either way
    sagemaker.update_endpoint(EndpointName=endpoint.name, EndpointConfigName=new_config)
    return new_config


_VARIANT_FIELDS = ("VariantName", "ModelName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight")


def _broken_model(sagemaker: Any, config: dict[str, Any], suffix: str) -> str:
    source = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    container = dict(source["PrimaryContainer"])
    container["Environment"] = {**container.get("Environment", {}), "SIMULACRO_MODEL_ARTIFACT": BROKEN_ARTIFACT}
    container["ModelDataUrl"] = f"s3://simulacro-missing/{suffix}/model.tar.gz"
    name = f"{source['ModelName']}-{suffix}"[:63]
    sagemaker.create_model(ModelName=name, ExecutionRoleArn=source["ExecutionRoleArn"], PrimaryContainer=container)
    return name
