"""Validate a response (as the overlay's handler returns it) against botocore's output shape.

AWS's own description of each answer: members not in the shape are unknown (a client would never
see them on AWS), required members must be there, and each value has the shape's type (strings in
the enum when the shape has one, integers, doubles, booleans, timestamps, lists, maps).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape


@cache
def service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def output_problems(service: str, operation: str, response: dict[str, Any]) -> list[str]:
    shape = service_model(service).operation_model(operation).output_shape
    if shape is None:
        return [] if not response else [f"{operation} has no output in AWS's model, got {sorted(response)}"]
    return shape_problems(shape, {k: v for k, v in response.items() if k != "ResponseMetadata"}, operation)


def shape_problems(shape: Shape, value: Any, path: str) -> list[str]:
    if value is None:
        return []  # an absent member: serialisers leave it out
    if isinstance(shape, StructureShape):
        return _structure(shape, value, path)
    if isinstance(shape, ListShape):
        if not isinstance(value, (list, tuple)):
            return [f"{path}: a list in AWS's model, got {type(value).__name__}"]
        return [p for index, item in enumerate(value) for p in shape_problems(shape.member, item, f"{path}[{index}]")]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return [f"{path}: a map in AWS's model, got {type(value).__name__}"]
        return [p for key, item in value.items() for p in shape_problems(shape.value, item, f"{path}.{key}")]
    return _scalar(shape, value, path)


def error_codes(service: str) -> dict[str, int]:
    """Error code -> HTTP status, for every error AWS's model declares for the service."""
    model = service_model(service)
    codes = {}
    for name in model.shape_names:
        shape = model.shape_for(name)
        if shape.metadata.get("exception"):
            error = shape.metadata.get("error") or {}
            codes[error.get("code", name)] = int(error.get("httpStatusCode", 400))
    return codes


def _structure(shape: StructureShape, value: Any, path: str) -> list[str]:
    if hasattr(value, "__dict__") and not isinstance(value, dict):
        return []  # one of moto's model objects: moto serialises it member by member from this very shape
    if not isinstance(value, dict):
        return [f"{path}: a structure in AWS's model, got {type(value).__name__}"]
    problems = [f"{path}.{name}: unknown member (not in {shape.name})" for name in value if name not in shape.members]
    problems += [
        f"{path}.{name}: required by {shape.name}, missing"
        for name in shape.required_members
        if value.get(name) is None
    ]
    for name, member in shape.members.items():
        if name in value:
            problems += shape_problems(member, value[name], f"{path}.{name}")
    return problems


def _scalar(shape: Shape, value: Any, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: a string in AWS's model, got {type(value).__name__} {value!r}"]
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} is not one of {shape.name}'s values {shape.enum}"]
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{path}: an integer in AWS's model, got {type(value).__name__} {value!r}"]
    elif kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"{path}: a number in AWS's model, got {type(value).__name__} {value!r}"]
    elif kind == "boolean":
        if not isinstance(value, bool):
            return [f"{path}: a boolean in AWS's model, got {type(value).__name__} {value!r}"]
    elif kind == "timestamp":
        if not isinstance(value, (datetime, int, float)):
            return [f"{path}: a timestamp in AWS's model, got {type(value).__name__} {value!r}"]
    elif kind == "blob":
        if not isinstance(value, (bytes, bytearray, str)):
            return [f"{path}: a blob in AWS's model, got {type(value).__name__}"]
    return []
