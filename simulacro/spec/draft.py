"""A spec draft as YAML a person reviews: the values read from an account, and a `# review:` comment on
every value only a person can decide (budgets, fault mechanisms, allow-lists, stand-ins).

Pure: a `Draft` (the spec as plain data, plus notes) in, text out. `simulacro.provision.discover` fills it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_MARK = re.compile(r"__simulacro_review_(\d+)__$", re.M)


@dataclass
class Draft:
    """The spec as data; `review(value, why)` marks a value a person must decide."""

    spec: dict[str, Any] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def review(self, value: Any, why: str) -> Any:
        """`value`, marked so the YAML carries `# review: why` on its line (strings and numbers only)."""
        self.notes.append(why)
        return _Reviewed(value, len(self.notes) - 1)


@dataclass(frozen=True)
class _Reviewed:
    value: Any
    index: int


def plain(data: Any) -> Any:
    """The draft's data without review marks: what the YAML will parse back to."""
    if isinstance(data, _Reviewed):
        return data.value
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def render(draft: Draft) -> str:
    """The YAML text: header comments, the spec in block style, review comments on their lines."""
    marked = yaml.safe_dump(
        _marked(draft.spec), sort_keys=False, default_flow_style=False, width=10_000, allow_unicode=True
    )
    reviewed: dict[int, Any] = {}
    _collect(draft.spec, reviewed)

    def comment(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return f"{_scalar(reviewed[index])}  # review: {draft.notes[index]}"

    header = "".join(f"# {line}\n" if line else "#\n" for line in draft.header)
    return header + _MARK.sub(comment, marked)


def _marked(data: Any) -> Any:
    if isinstance(data, _Reviewed):
        return f"__simulacro_review_{data.index}__"
    if isinstance(data, dict):
        return {k: _marked(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_marked(v) for v in data]
    return data


def _collect(data: Any, found: dict[int, Any]) -> None:
    if isinstance(data, _Reviewed):
        found[data.index] = data.value
    elif isinstance(data, dict):
        for value in data.values():
            _collect(value, found)
    elif isinstance(data, list):
        for value in data:
            _collect(value, found)


def _scalar(value: Any) -> str:
    """One scalar as YAML writes it inline (quoted where it must be)."""
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()
