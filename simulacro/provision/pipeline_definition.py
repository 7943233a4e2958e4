"""The SageMaker pipeline definition provisioned for a spec pipeline.

On real AWS the team's own pipeline runs; here the definition carries what the local control plane
needs to run it: the steps in order, their types and, in `Metadata.Simulacro`, how long each step
takes and what its failure says. The fault parameter is a real pipeline parameter: a drill starts an
execution with it set to a step name and that step fails.

A RegisterModel step carries CreateModelPackage's request, as the SageMaker SDK writes it: the package
group of the pipeline's environment, the environment's model (image and local artifact) and the model
data of the latest training step before it (a data dependency: `{"Get": "Steps.<Train>.ModelArtifacts..."}`),
pending manual approval. Every successful run then registers a version, as the team's pipeline does.
"""

from __future__ import annotations

from typing import Any

from simulacro.spec.model import Model, Pipeline


def pipeline_definition(
    pipeline: Pipeline, *, model_package_group: str | None = None, model: Model | None = None
) -> dict[str, Any]:
    steps = []
    previous: str | None = None
    training: str | None = None
    for step in pipeline.steps:
        arguments = _register_model(model_package_group, model, training) if step.type == "RegisterModel" else {}
        described: dict[str, Any] = {"Name": step.name, "Type": step.type, "Arguments": arguments}
        if previous:
            described["DependsOn"] = [previous]
        steps.append(described)
        previous = step.name
        training = step.name if step.type == "Training" else training
    return {
        "Version": "2020-12-01",
        "Parameters": [
            {"Name": name, "Type": "String", "DefaultValue": value} for name, value in pipeline.parameters.items()
        ],
        "Steps": steps,
        "Metadata": {
            "Simulacro": {
                "FaultParameter": pipeline.fault.parameter,
                "NoFaultValue": pipeline.fault.no_fault_value,
                "LogGroup": pipeline.log_group,
                "StepDurationSeconds": {step.name: step.duration for step in pipeline.steps},
                "StepFailureReasons": {step.name: step.failure_reason for step in pipeline.steps},
            }
        },
    }


def _register_model(group: str | None, model: Model | None, training: str | None) -> dict[str, Any]:
    if group is None:
        return {}
    container: dict[str, Any] = {
        "Image": model.image
        if model
        else "763104351884.dkr.ecr.eu-west-1.amazonaws.com/sklearn-inference:1.2-1-cpu-py3",
        "ModelDataUrl": {"Get": f"Steps.{training}.ModelArtifacts.S3ModelArtifacts"}
        if training
        else "s3://simulacro-local-models/model.tar.gz",
    }
    if model is not None:
        container["Environment"] = {"SIMULACRO_MODEL_ARTIFACT": model.artifact}
    return {
        "ModelPackageGroupName": group,
        "ModelApprovalStatus": "PendingManualApproval",
        "InferenceSpecification": {
            "Containers": [container],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    }
