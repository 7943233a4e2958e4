"""Wrong-but-consistent designs: a mutation applied to the SPEC before provisioning, so the live stack matches
its (wrong) spec and only behaviour can tell.

    spec:
      - {op: set, path: "alarms[name=churn-prod-5xx-rate].threshold", value: 90}
      - {op: remove, path: "endpoints[name=churn-staging].faults"}

A path is dot-separated keys; `key[name=X]` (or `[name=X,environment=Y]`, or `[0]`) selects a list element.
The mutated spec is written beside links to the original spec's fixtures (models, baselines, datasets), so it
resolves them as the original does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

SEGMENT = re.compile(r"^(?P<key>[^\[\]]+)(?:\[(?P<select>[^\]]+)\])?$")


def mutate_spec(spec: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    for operation in operations:
        *parents, leaf = operation["path"].split(".")
        node = spec
        for segment in parents:
            node = _step(node, segment)
        key, select = _parse(leaf)
        if select is not None:
            node = _step(node, leaf)
            raise ValueError(f"a path must end with a key, not a selection: {operation['path']}")
        if operation["op"] == "set":
            node[key] = operation["value"]
        elif operation["op"] == "remove":
            node.pop(key, None)
        else:
            raise ValueError(f"unknown spec operation {operation['op']!r} (set, remove)")
    return spec


def _parse(segment: str) -> tuple[str, str | None]:
    match = SEGMENT.match(segment)
    if match is None:
        raise ValueError(f"bad path segment {segment!r}")
    return match["key"], match["select"]


def _step(node: Any, segment: str) -> Any:
    key, select = _parse(segment)
    value = node[key]
    if select is None:
        return value
    if select.isdigit():
        return value[int(select)]
    wanted = dict(part.split("=", 1) for part in select.split(","))
    found = [item for item in value if all(str(item.get(k)) == v for k, v in wanted.items())]
    if len(found) != 1:
        raise ValueError(f"{segment!r} selects {len(found)} items, expected one")
    return found[0]


def write_mutated_spec(original: Path, operations: list[dict[str, Any]], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    spec = mutate_spec(yaml.safe_load(original.read_text()), operations)
    for linked in ("models", "baselines", "datasets"):
        source, link = original.parent / linked, folder / linked
        if source.exists() and not link.exists():
            link.symlink_to(source.resolve(), target_is_directory=True)
    path = folder / original.name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path
