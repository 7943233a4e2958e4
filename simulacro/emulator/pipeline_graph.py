"""A pipeline definition read as SageMaker reads it: steps ordered by their dependencies, not by list order.

A step runs once every step it depends on has succeeded. It depends on the steps named in its
`DependsOn`, and on every step whose properties its arguments read (a data dependency:
`{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}`, also inside `Std:Join` or `Std:JsonGet`).
Steps without a path between them run in parallel, up to `ParallelismConfiguration.MaxParallelExecutionSteps`.
A definition that names an unknown step or whose dependencies form a cycle is refused at CreatePipeline
and UpdatePipeline, as SageMaker does, with the step named.

`resolve` evaluates the few expressions the emulator needs at run time (a RegisterModel step's request):
`Parameters.<name>`, `Execution.PipelineExecutionArn` / `PipelineExecutionId`, a training step's
`ModelArtifacts.S3ModelArtifacts`, and `Std:Join`.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator

DEFAULT_MAX_PARALLEL_STEPS = 50


class DefinitionError(ValueError):
    """The definition cannot run: the message names the step and what is wrong."""


def top_level_steps(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in definition.get("Steps") or [] if isinstance(s, dict)]


def dependencies(step: dict[str, Any]) -> tuple[str, ...]:
    """The steps `step` waits for: DependsOn first, then data dependencies, each once."""
    found: list[str] = [str(name) for name in step.get("DependsOn") or []]
    for reference in _step_references(step.get("Arguments")):
        if reference not in found:
            found.append(reference)
    for key in ("PropertyFiles", "Outputs"):
        for reference in _step_references(step.get(key)):
            if reference not in found:
                found.append(reference)
    return tuple(name for name in found if name != step.get("Name"))


def check_definition(definition: dict[str, Any]) -> None:
    """Raise DefinitionError when a step is unnamed, named twice, depends on an unknown step, or on itself in a cycle."""
    steps = top_level_steps(definition)
    names = [str(s.get("Name") or "") for s in steps]
    for index, name in enumerate(names):
        if not name:
            raise DefinitionError(f"Step {index} of the pipeline definition has no Name.")
        if names.count(name) > 1:
            raise DefinitionError(f"Step name {name} is used more than once in the pipeline definition.")
    known = set(names)
    graph = {s["Name"]: dependencies(s) for s in steps}
    for name, needs in graph.items():
        unknown = [n for n in needs if n not in known]
        if unknown:
            raise DefinitionError(
                f"Step {name} depends on {', '.join(unknown)}, which is not a step of this pipeline "
                f"(steps: {', '.join(names)})."
            )
    cycle = _cycle(graph)
    if cycle:
        raise DefinitionError(f"The pipeline definition has a dependency cycle: {' -> '.join(cycle)}.")


def parse_definition(text: str | None) -> dict[str, Any]:
    try:
        definition = json.loads(text or "{}")
    except ValueError as error:
        raise DefinitionError(f"The pipeline definition is not valid JSON: {error}") from None
    if not isinstance(definition, dict):
        raise DefinitionError("The pipeline definition must be a JSON object.")
    return definition


def resolve(value: Any, lookup: Callable[[str], Any]) -> Any:
    """`value` with each `{"Get": path}` replaced by `lookup(path)` and each `Std:Join` joined."""
    if isinstance(value, list):
        return [resolve(item, lookup) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Get"} and isinstance(value["Get"], str):
        return lookup(value["Get"])
    if set(value) == {"Std:Join"}:
        join = value["Std:Join"]
        return str(join.get("On", "")).join(str(resolve(v, lookup)) for v in join.get("Values") or [])
    return {key: resolve(item, lookup) for key, item in value.items()}


def _step_references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        got = value.get("Get")
        if isinstance(got, str) and got.startswith("Steps."):
            yield got.split(".")[1]
        for key, item in value.items():
            if key not in ("IfSteps", "ElseSteps"):  # a condition's branches are steps of their own
                yield from _step_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _step_references(item)


def _cycle(graph: dict[str, tuple[str, ...]]) -> list[str]:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    path: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        path.append(name)
        for need in graph.get(name, ()):
            if state.get(need) == 1:
                return path[path.index(need) :] + [need]
            if need not in state:
                found = visit(need)
                if found:
                    return found
        path.pop()
        state[name] = 2
        return []

    for name in graph:
        if name not in state:
            found = visit(name)
            if found:
                return found
    return []
