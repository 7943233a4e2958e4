"""A failing pipeline step, through the pipeline parameter the spec declares (a condition step and a
fail step on real AWS): start an execution whose fault parameter names the step to fail."""

from __future__ import annotations

from typing import Any

from simulacro.spec.model import Pipeline

from .steps import Undo

RUNNING = ("Executing", "Stopping")


def start_failing_execution(sagemaker: Any, pipeline: Pipeline, step: str | None, run_id: str, *, undo: Undo) -> str:
    """Start an execution that fails at `step` (None: a clean run); returns its ARN (undo: stop it if still running)."""
    if step is not None:
        pipeline.step(step)  # an unknown step is the drill's bug: say so before starting anything
    value = step or pipeline.fault.no_fault_value
    arn = sagemaker.start_pipeline_execution(
        PipelineName=pipeline.name,
        PipelineExecutionDisplayName=f"simulacro-{'fail-' + step if step else 'clean-run'}"[:82],
        PipelineParameters=[{"Name": pipeline.fault.parameter, "Value": value}],
        PipelineExecutionDescription=f"Simulacro drill {run_id}: {'step ' + step + ' made to fail' if step else 'a clean run'}",
    )["PipelineExecutionArn"]

    def stop_if_running() -> None:
        status = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
        if status in RUNNING:
            sagemaker.stop_pipeline_execution(PipelineExecutionArn=arn)

    undo(stop_if_running)
    return arn
