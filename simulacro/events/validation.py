"""Reading an event pattern the way PutRule does: refuse what AWS refuses, say where.

The result is a small tree (`ObjectPattern`, `LeafPattern`) that the matcher compiles and the
lint inspects. Rules followed (aws/event-ruler's rule compiler, AWS's pattern documentation):
- the pattern is a non-empty JSON object; every object in it is non-empty;
- a field's value is an object (nesting) or a non-empty list of values (a leaf): a bare scalar is
  refused, and so is a list inside a leaf list or an object that is not an operator;
- an operator object has exactly one key, a known operator, with a well-formed operand;
- `$or` holds a list of two or more non-empty objects; inside those objects a field may not be
  named after an operator (AWS reserves those names there).
"""

import difflib
import json
from dataclasses import dataclass
from typing import Any, Union

from simulacro.events.errors import InvalidEventPattern, OperandError
from simulacro.events.operators import OPERATOR_NAMES, OPERATORS, Condition, equals
from simulacro.events.pattern_json import is_number, parse_json, to_json_text

OR_KEY = "$or"


@dataclass(frozen=True)
class LeafPattern:
    """A list of allowed values: the field matches if any condition does."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class ObjectPattern:
    """Fields that must all match, plus `$or` alternatives of which one must match."""

    fields: tuple[tuple[str, Union["ObjectPattern", LeafPattern]], ...]
    any_of: tuple["ObjectPattern", ...] = ()


def parse_pattern(pattern: Any) -> ObjectPattern:
    """Validate a pattern (dict or JSON text) and return its tree; raises InvalidEventPattern."""
    document = _as_json_document(pattern)
    if not isinstance(document, dict):
        raise InvalidEventPattern("", f"an event pattern must be a JSON object, got {_describe(document)}")
    return _parse_object(document, "", inside_or=False)


def validate_pattern(pattern: Any) -> None:
    """Raise InvalidEventPattern (a ValueError naming the path) if PutRule would refuse the pattern."""
    parse_pattern(pattern)


def join_path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def pattern_text(pattern: Any) -> str:
    """The pattern as JSON text; a dict is serialised as boto3 would send it (300.0 stays "300.0")."""
    if isinstance(pattern, str):
        return pattern
    if isinstance(pattern, (bytes, bytearray)):
        return pattern.decode()
    try:
        return json.dumps(pattern, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidEventPattern("", f"the pattern is not JSON-serialisable: {error}") from None


def _as_json_document(pattern: Any) -> Any:
    try:
        return parse_json(pattern_text(pattern))
    except ValueError as error:
        raise InvalidEventPattern("", f"the pattern is not valid JSON: {error}") from None


def _parse_object(document: dict[str, Any], path: str, inside_or: bool) -> ObjectPattern:
    if not document:
        raise InvalidEventPattern(path, "empty objects are not allowed; name at least one field")
    fields: list[tuple[str, ObjectPattern | LeafPattern]] = []
    any_of: tuple[ObjectPattern, ...] = ()
    for key, value in document.items():
        field_path = join_path(path, key)
        if key == OR_KEY:
            any_of = _parse_or(value, field_path)
        elif inside_or and key in OPERATOR_NAMES:
            raise InvalidEventPattern(field_path, f'"{key}" is reserved inside $or and cannot name a field')
        elif isinstance(value, dict):
            fields.append((key, _parse_object(value, field_path, inside_or)))
        elif isinstance(value, list):
            fields.append((key, _parse_leaf(value, field_path)))
        else:
            raise InvalidEventPattern(
                field_path,
                f"must be an object or a list of values, got {_describe(value)}; "
                f"wrap the value in a list: [{to_json_text(value)}]",
            )
    return ObjectPattern(tuple(fields), any_of)


def _parse_or(value: Any, path: str) -> tuple[ObjectPattern, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise InvalidEventPattern(path, f"takes a list of two or more objects, got {_describe(value)}")
    alternatives = []
    for index, alternative in enumerate(value):
        alternative_path = f"{path}[{index}]"
        if not isinstance(alternative, dict):
            raise InvalidEventPattern(
                alternative_path, f"each $or alternative must be an object, got {_describe(alternative)}"
            )
        alternatives.append(_parse_object(alternative, alternative_path, inside_or=True))
    return tuple(alternatives)


def _parse_leaf(values: list[Any], path: str) -> LeafPattern:
    if not values:
        raise InvalidEventPattern(path, "empty lists are not allowed; list at least one value to match")
    return LeafPattern(tuple(_parse_value(value, f"{path}[{index}]") for index, value in enumerate(values)))


def _parse_value(value: Any, path: str) -> Condition:
    if isinstance(value, dict):
        return _parse_operator(value, path)
    if isinstance(value, str) or is_number(value) or value is None or isinstance(value, bool):
        return equals(value)
    raise InvalidEventPattern(
        path, f"a match value must be a string, number, true, false, null or an operator object, got {_describe(value)}"
    )


def _parse_operator(operator_object: dict[str, Any], path: str) -> Condition:
    if len(operator_object) != 1:
        names = ", ".join(operator_object) or "none"
        raise InvalidEventPattern(path, f"an operator object holds exactly one operator, got {names}")
    [(name, operand)] = operator_object.items()
    if name not in OPERATORS:
        raise InvalidEventPattern(path, _unknown_operator(name))
    try:
        test = OPERATORS[name](operand)
    except OperandError as error:
        raise InvalidEventPattern(join_path(path, name), str(error)) from None
    return Condition(name, operand, test)


def _unknown_operator(name: str) -> str:
    message = f'unknown operator "{name}"; expected one of {", ".join(OPERATOR_NAMES)}'
    close = difflib.get_close_matches(name, OPERATOR_NAMES, n=1)
    return f'{message} (did you mean "{close[0]}"?)' if close else message


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)}" if value else "an empty list"
    return f"the scalar {to_json_text(value)}"
