"""What AWS accepts for one API parameter, read from botocore's service models (not retyped by hand).

`ApiParam("cloudwatch", "PutMetricAlarm", "Metrics[].Id")` names a parameter as a path into the
operation's input shape: `.Member` for a structure member, `[]` for a list's items, `{key}` and `{value}`
for a map's keys and values. `problems(value)` lists what the shape's `min`, `max`, `pattern` and `enum`
refuse, in words. Patterns are AWS's (Java-style `\\p{L}` classes included): they must match the whole value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import regex


@dataclass(frozen=True)
class ApiParam:
    service: str
    operation: str
    member: str

    def __str__(self) -> str:
        return f"{self.operation} {self.member}"

    @property
    def shape(self) -> Any:
        return _shape(self.service, self.operation, self.member)

    @property
    def enum(self) -> list[str]:
        return list(getattr(self.shape, "enum", None) or [])

    @property
    def documentation(self) -> str:
        return re.sub(r"<[^>]+>", "", getattr(self.shape, "documentation", "") or "")

    def problems(self, value: Any) -> list[str]:
        """Why AWS would refuse `value` for this parameter (empty when it accepts it)."""
        shape = self.shape
        limits = shape.metadata
        found: list[str] = []
        if shape.type_name == "string":
            if not isinstance(value, str):
                return [f"expected text, got {value!r} (botocore: {self.service} {self})"]
            found += _length_problems(len(value), limits, "characters")
            enum = self.enum
            if enum and value not in enum:
                found.append(f"{value!r} is not one of the values AWS accepts{_close(value, enum)} ({_listing(enum)})")
            pattern = limits.get("pattern")
            if pattern and value and not _pattern(pattern).fullmatch(value):
                found.append(f"{value!r} does not match the pattern AWS requires: {pattern}")
        elif shape.type_name in ("integer", "long", "double", "float"):
            found += _number_problems(value, limits, shape.type_name)
        elif shape.type_name in ("list", "map"):
            found += _length_problems(len(value), limits, "items" if shape.type_name == "list" else "entries")
        if found:
            found = [f"{problem} (botocore: {self.service} {self})" for problem in found]
        return found


def _length_problems(length: int, limits: dict[str, Any], unit: str) -> list[str]:
    if "min" in limits and length < limits["min"]:
        return [f"has {length} {unit}; AWS requires at least {limits['min']}"]
    if "max" in limits and length > limits["max"]:
        return [f"has {length} {unit}; AWS allows at most {limits['max']}"]
    return []


def _number_problems(value: Any, limits: dict[str, Any], kind: str) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [f"expected a number, got {value!r}"]
    if not math.isfinite(value):
        return [f"{value!r} is not a finite number"]
    if kind in ("integer", "long") and value != int(value):
        return [f"expected a whole number, got {value!r}"]
    if "min" in limits and value < limits["min"]:
        return [f"{value!r} is below the minimum AWS accepts ({limits['min']})"]
    if "max" in limits and value > limits["max"]:
        return [f"{value!r} is above the maximum AWS accepts ({limits['max']})"]
    return []


def _close(value: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, choices, n=3)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def _listing(values: list[str]) -> str:
    return ", ".join(values) if len(values) <= 12 else ", ".join(values[:12]) + f", ... ({len(values)} in all)"


@cache
def service_model(service: str) -> Any:
    """botocore's model of `service`, latest API version, read straight from its data folder."""
    import botocore
    from botocore.loaders import JSONFileLoader
    from botocore.model import ServiceModel

    versions = sorted((Path(botocore.__file__).parent / "data" / service).iterdir())
    return ServiceModel(JSONFileLoader().load_file(str(versions[-1] / "service-2")), service_name=service)


@cache
def _pattern(pattern: str) -> Any:
    return regex.compile(pattern)


_STEP = re.compile(r"[A-Za-z0-9_]+|\[\]|\{key\}|\{value\}")


def _steps(member: str) -> list[str]:
    """`Metrics[].Id` -> ["Metrics", "[]", "Id"]."""
    return _STEP.findall(member)


@cache
def _shape(service: str, operation: str, member: str) -> Any:
    shape = service_model(service).operation_model(operation).input_shape
    for step in _steps(member):
        if step == "[]":
            shape = shape.member
        elif step == "{key}":
            shape = shape.key
        elif step == "{value}":
            shape = shape.value
        else:
            shape = shape.members[step]
    return shape
