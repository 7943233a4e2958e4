"""When a live value is the declared one: one rule for provisioning (re-put only what differs) and for
the inventory (report only what differs), so the two never disagree about the same field."""

from __future__ import annotations

import json
from typing import Any


def canonical(value: Any) -> str:
    """A stable text of `value`: keys sorted, and whole floats written as integers (AWS answers `5.0` for `5`)."""
    return json.dumps(_whole_numbers(value), sort_keys=True, default=str)


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value
