"""What a rule target receives: the event, or what its Input, InputPath or InputTransformer make of it."""

from __future__ import annotations

import json
import re
from typing import Any

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def transform_input(target: dict[str, Any], event: dict[str, Any]) -> str:
    if "Input" in target:
        return target["Input"]
    if "InputPath" in target:
        return json.dumps(json_path(event, target["InputPath"]))
    transformer = target.get("InputTransformer")
    if transformer:
        values = {name: json_path(event, path) for name, path in (transformer.get("InputPathsMap") or {}).items()}
        return _fill(transformer["InputTemplate"], values)
    return json.dumps(event)


def json_path(event: dict[str, Any], path: str) -> Any:
    """The simple JSONPath EventBridge accepts: `$`, `$.detail.field`, `$.resources[0]`."""
    value: Any = event
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path.removeprefix("$")):
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def _fill(template: str, values: dict[str, Any]) -> str:
    # A string goes in as it is (a JSON template quotes it itself); anything else goes in as JSON.
    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return value if isinstance(value, str) else json.dumps(value)

    return _PLACEHOLDER.sub(replace, template)
