"""Everything a run creates carries its run id, so that a crashed run's leftovers can be found and removed
(`python -m simulacro cleanup --run-id ...`).

The target tags every `Create*` call made while a run is active (the tag is `simulacro-run=<run id>`),
whatever module makes it: a fault, a probe, a runbook. Names tell the rest: probe queues are
`simulacro-probe-<run id>-<n>`, the configs and models a fault creates contain `simulacro-` and the
run id, and a probe target on a rule has the Id `simulacro-probe`.
"""

from __future__ import annotations

from typing import Any

RUN_TAG = "simulacro-run"


def tag_what_the_run_creates(params: dict[str, Any], model: Any, run_id: str) -> None:
    """Add the run tag to the parameters of a `Create*` call whose API takes tags (in place)."""
    if not model.name.startswith("Create") or _takes_the_groups_tags(model.name, params):
        return
    members = model.input_shape.members if model.input_shape is not None else {}
    for key in ("Tags", "tags"):
        shape = members.get(key)
        if shape is None:
            continue
        if shape.type_name == "map":
            params[key] = {RUN_TAG: run_id, **(params.get(key) or {})}
        elif shape.type_name == "list" and shape.member.type_name == "structure":
            params[key] = _with_run_tag(list(params.get(key) or []), shape.member.members, run_id)
        return


def _with_run_tag(tags: list[dict[str, str]], fields: Any, run_id: str) -> list[dict[str, str]]:
    key_field = "Key" if "Key" in fields else "key"
    value_field = "Value" if "Value" in fields else "value"
    if any(tag.get(key_field) == RUN_TAG for tag in tags):
        return tags
    return tags + [{key_field: RUN_TAG, value_field: run_id}]


def _takes_the_groups_tags(operation: str, params: dict[str, Any]) -> bool:
    # AWS refuses tags on a versioned model package: it carries its group's tags.
    return operation == "CreateModelPackage" and bool(params.get("ModelPackageGroupName"))
