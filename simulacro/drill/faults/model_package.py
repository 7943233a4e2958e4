"""Register a model package version in a group (the registry emits its state change), deleted afterwards."""

from __future__ import annotations

from typing import Any

from .steps import Undo

IMAGE = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/sklearn-inference:1.2-1-cpu-py3"


def register_model_package(sagemaker: Any, group: str, run_id: str, *, undo: Undo) -> str:
    arn = sagemaker.create_model_package(
        ModelPackageGroupName=group,
        ModelPackageDescription=f"Simulacro drill {run_id}: not a model to deploy",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://simulacro-drills/{run_id}/model.tar.gz"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        CustomerMetadataProperties={"simulacro-run": run_id},
    )["ModelPackageArn"]
    undo(lambda: sagemaker.delete_model_package(ModelPackageName=arn))
    return arn
