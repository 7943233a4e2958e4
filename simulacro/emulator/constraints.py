"""What AWS refuses before an operation runs: a top-level member outside its shape's range or length.

Applied to the operations the overlay answers itself (moto checks its own, or not). The shapes are botocore's;
the wording is AWS's (`1 validation error detected: Value '999' at 'maxRecords' failed to satisfy constraint:
Member must have value less than or equal to 100`), under the code each protocol uses. Enums are left to each
handler: AWS lists an enum's values in an order of its own (SetAlarmState's `[INSUFFICIENT_DATA, ALARM, OK]`,
botocore's `[OK, ALARM, INSUFFICIENT_DATA]`), which the shapes do not tell."""

from __future__ import annotations

import functools
from typing import Any, Iterator

from simulacro.spec.aws_shapes import service_model

from .errors import AwsError

CODES = {"query": "ValidationError"}  # JSON and REST protocols: ValidationException


def constraint_error(service: str, operation: str, params: dict[str, Any]) -> AwsError | None:
    """The error AWS answers for `params`, or None when they keep every constraint checked here."""
    model = _operation(service, operation)
    if model is None or model.input_shape is None:
        return None
    problems = [
        problem
        for name, member in model.input_shape.members.items()
        if name in params and params[name] is not None
        for problem in _problems(name, member, params[name])
    ]
    if not problems:
        return None
    count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected: "
    return AwsError(CODES.get(model.metadata.get("protocol"), "ValidationException"), count + "; ".join(problems))


@functools.cache
def _operation(service: str, operation: str) -> Any:
    try:
        return service_model(service).operation_model(operation)
    except Exception:  # noqa: BLE001 - an operation botocore does not know is checked by nobody here
        return None


def _problems(name: str, shape: Any, value: Any) -> Iterator[str]:
    where = f"Value '{_shown(value)}' at '{name[:1].lower() + name[1:]}' failed to satisfy constraint: "
    meta = shape.metadata
    if shape.type_name in ("integer", "long"):
        number = _number(value)
        if number is not None and "min" in meta and number < meta["min"]:
            yield where + f"Member must have value greater than or equal to {meta['min']}"
        if number is not None and "max" in meta and number > meta["max"]:
            yield where + f"Member must have value less than or equal to {meta['max']}"
    elif shape.type_name in ("string", "list"):
        size = len(value) if isinstance(value, (str, list)) else None
        if size is not None and "min" in meta and size < meta["min"]:
            yield where + f"Member must have length greater than or equal to {meta['min']}"
        if size is not None and "max" in meta and size > meta["max"]:
            yield where + f"Member must have length less than or equal to {meta['max']}"


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _shown(value: Any) -> str:
    return "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else str(value)
