"""The SageMaker pipeline definition provisioned for a spec pipeline.

On real AWS the team's own pipeline runs; here the definition carries what the local control plane
needs to run it: the steps in order, their types and, in `Metadata.Simulacro`, how long each step
takes and what its failure says. The fault parameter is a real pipeline parameter: a drill starts an
execution with it set to a step name and that step fails.
"""
from __future__ import annotations

from typing import Any

from simulacro.spec.model import Pipeline


def pipeline_definition(pipeline: Pipeline) -> dict[str, Any]:
    steps = []
    previous: str | None = None
    for step in pipeline.steps:
        described: dict[str, Any] = {"Name": step.name, "Type": step.type, "Arguments": {}}
        if previous:
            described["DependsOn"] = [previous]
        steps.append(described)
        previous = step.name
    return {
        "Version": "2020-12-01",
        "Parameters": [{"Name": name, "Type": "String", "DefaultValue": value} for name, value in pipeline.parameters.items()],
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
