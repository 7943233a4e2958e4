"""JSON as EventBridge reads it: numbers keep the spelling they were written with.

EventBridge compares a plain number in a pattern with the event's number *by its text*
(`300`, `300.0` and `3.0e2` are three different values), while `numeric` compares values.
So parsed numbers must carry both: `JsonNumber` is a float that remembers its text.
"""

import json
from typing import Any


class JsonNumber(float):
    """A JSON number that remembers how it was spelled."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> "JsonNumber":
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str | bytes | bytearray) -> Any:
    """Parse JSON text, keeping every number's spelling (see `JsonNumber`)."""
    return json.loads(
        text,
        parse_int=JsonNumber,
        parse_float=JsonNumber,
        parse_constant=_reject_constant,
    )


def is_number(value: Any) -> bool:
    """True for JSON numbers, whether parsed from text or given as Python int/float."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_text(value: int | float) -> str:
    """The JSON spelling of a number: the original text if parsed, else what json.dumps writes."""
    if type(value) is JsonNumber:
        return value.text
    if isinstance(value, int):
        return str(int(value))
    return float.__repr__(float(value))


def to_json_text(value: Any) -> str:
    """Compact JSON for messages, numbers spelled as written."""
    if is_number(value):
        return number_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_json_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {to_json_text(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


NULL_KEY = ("literal", "null")
TRUE_KEY = ("literal", "true")
FALSE_KEY = ("literal", "false")


def literal_key(value: Any) -> Any:
    """A hashable key under which a scalar is matched exactly.

    Strings are their own key, so the common case costs nothing; other literals are tagged
    with their JSON text so that the string "true" never equals the literal true.
    """
    if isinstance(value, str):
        return str.__str__(value)
    if value is None:
        return NULL_KEY
    if value is True:
        return TRUE_KEY
    if value is False:
        return FALSE_KEY
    if is_number(value):
        return ("number", number_text(value))
    return ("unsupported", repr(value))
