"""Spec lint: find the parts of a pattern that can never match an event AWS documents.

A rule with `"EndpointStatus": ["InService"]` is valid, PutRule accepts it, and it never fires:
endpoint events say `IN_SERVICE`. Such rules fail silently in production, so we look for them
before a drill runs: sources and detail-types AWS never sends, detail fields with the wrong
casing, status values the event never carries. Everything is read from `DOCUMENTED_EVENTS`.
"""

import difflib
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from simulacro.events.catalog import DOCUMENTED_EVENTS, DOCUMENTED_SOURCES, DocumentedEvent, known_detail_types
from simulacro.events.errors import InvalidEventPattern
from simulacro.events.matching import compile_leaf
from simulacro.events.operators import EQUALS, IGNORE_CASE, Condition
from simulacro.events.pattern_json import to_json_text
from simulacro.events.validation import OR_KEY, LeafPattern, ObjectPattern, join_path, parse_pattern

Node = LeafPattern | ObjectPattern
_NEVER_DEAD = ("exists", "anything-but")


@dataclass(frozen=True)
class Finding:
    """Where (`path` in the pattern), what is wrong, and the value most likely meant (or None)."""

    path: str
    message: str
    likely_fix: str | None = None


def lint_pattern(pattern: Any) -> list[Finding]:
    """Findings for a pattern (dict or JSON text); an invalid pattern gives one finding naming the error."""
    try:
        tree = parse_pattern(pattern)
    except InvalidEventPattern as error:
        return [Finding(error.path, f"PutRule would refuse this pattern: {error.reason}")]
    top_level = list(_fields_at_level(tree, ""))
    source_leaves = _leaves_named("source", top_level)
    type_leaves = _leaves_named("detail-type", top_level)
    findings, sources = _lint_sources(source_leaves)
    if source_leaves and not sources:
        return findings  # a custom source (PutEvents): its events are the user's, not ours to know
    type_findings, events = _lint_detail_types(type_leaves, sources, explicit_source=bool(source_leaves))
    findings += type_findings
    if events and (source_leaves or type_leaves):
        for key, node, path in top_level:
            if key == "detail" and isinstance(node, ObjectPattern):
                findings += _DetailLint(events).lint(node, path)
    return findings


def _lint_sources(leaves: list[tuple[LeafPattern, str]]) -> tuple[list[Finding], set[str]]:
    """Findings for near-miss sources, and the documented sources the pattern can (or meant to) match."""
    if not leaves:
        return [], set(DOCUMENTED_SOURCES)
    findings = []
    sources = {source for source in DOCUMENTED_SOURCES if any(_accepts(leaf, source) for leaf, _ in leaves)}
    for leaf, path in leaves:
        for index, value in _plain_strings(leaf):
            fix = _near_source(value)
            if value not in DOCUMENTED_SOURCES and fix:
                findings.append(
                    Finding(
                        f"{path}[{index}]",
                        f'source "{value}" is never sent: AWS events come from "{fix}" '
                        "(matched exactly: case sensitive, no spaces)",
                        fix,
                    )
                )
                sources.add(fix)
    return findings, sources


def _lint_detail_types(
    leaves: list[tuple[LeafPattern, str]], sources: set[str], explicit_source: bool
) -> tuple[list[Finding], list[DocumentedEvent]]:
    candidates = [event for event in DOCUMENTED_EVENTS.values() if event.source in sources]
    if not leaves:
        return [], candidates if explicit_source else []
    findings: list[Finding] = []
    meant: set[str] = set()
    names = list(dict.fromkeys(name for source in sorted(sources) for name in known_detail_types(source)))
    for leaf, path in leaves:
        for index, condition in enumerate(leaf.conditions):
            finding, fix = _lint_detail_type(condition, f"{path}[{index}]", names, sources, explicit_source)
            if finding:
                findings.append(finding)
            if fix:
                meant.add(fix)
    events = [
        event
        for event in candidates
        if event.detail_type in meant or any(_accepts(leaf, event.detail_type) for leaf, _ in leaves)
    ]
    return findings, events


def _lint_detail_type(
    condition: Condition, path: str, names: list[str], sources: set[str], explicit_source: bool
) -> tuple[Finding | None, str | None]:
    if condition.operator in _NEVER_DEAD or any(condition.test(name) for name in names):
        return None, None
    where = " or ".join(sorted(sources))
    if condition.operator == EQUALS and isinstance(condition.operand, str):
        fix = _closest(condition.operand, names, cutoff=0.6 if explicit_source else 0.85)
        if fix or explicit_source:
            message = f'detail-type "{condition.operand}" is not an event {where} is known to send'
            return Finding(path, message + (f'; did you mean "{fix}"?' if fix else ""), fix), fix
        return None, None
    if explicit_source:
        message = f"{_render(condition)} matches no detail-type {where} is known to send"
        return Finding(path, message), None
    return None, None


class _DetailLint:
    """Checks a `detail` pattern against the fields and statuses of the events it can apply to."""

    def __init__(self, events: list[DocumentedEvent]):
        self.fields = _union(event.detail_fields for event in events)
        self.statuses = _merged(event.status_values for event in events)
        self.nested = _merged(event.nested_fields for event in events)
        self.events_text = (
            f'"{events[0].detail_type}" events'
            if len(events) == 1
            else "any documented " + " or ".join(sorted({e.source for e in events})) + " event"
        )

    def lint(self, node: ObjectPattern, path: str, inside: str = "") -> list[Finding]:
        findings = []
        known = self.fields if not inside else self.nested.get(inside)
        for key, child, child_path in _fields_at_level(node, path):
            name = key
            if known is not None and key not in known and not _only_absence(child):
                closest = _closest_field(key, known)
                findings.append(self._unknown_field(key, child_path, inside, closest))
                if closest is None:
                    continue
                name = closest
            findings += self._lint_child(child, child_path, join_path(inside, name))
        return findings

    def _lint_child(self, child: Node, path: str, field_path: str) -> list[Finding]:
        if isinstance(child, LeafPattern):
            allowed = self.statuses.get(field_path)
            return self._lint_status(child, path, field_path, allowed) if allowed else []
        if field_path in self.nested or any(p.startswith(field_path + ".") for p in self.statuses):
            return self.lint(child, path, field_path)
        return []

    def _unknown_field(self, key: str, path: str, inside: str, fix: str | None) -> Finding:
        message = f"{self.events_text} carry no field detail.{join_path(inside, key)} (names are case sensitive)"
        if fix:
            message += f'; the event spells it "{fix}"'
        return Finding(path, message, fix)

    def _lint_status(self, leaf: LeafPattern, path: str, field_path: str, allowed: tuple[str, ...]) -> list[Finding]:
        findings = []
        for index, condition in enumerate(leaf.conditions):
            if condition.operator in _NEVER_DEAD or any(condition.test(value) for value in allowed):
                continue
            fix = _closest_status(condition, allowed)
            message = (
                f"detail.{field_path} is never {_render(condition)} in {self.events_text}; "
                f"it is one of {', '.join(allowed)}"
            )
            if fix:
                message += f'; the event spells it "{fix}"'
            findings.append(Finding(f"{path}[{index}]", message, fix))
        return findings


def _fields_at_level(node: ObjectPattern, path: str) -> Iterator[tuple[str, Node, str]]:
    """The fields of one object level, including those inside its `$or` alternatives."""
    for key, child in node.fields:
        yield key, child, join_path(path, key)
    for index, alternative in enumerate(node.any_of):
        yield from _fields_at_level(alternative, f"{join_path(path, OR_KEY)}[{index}]")


def _leaves_named(name: str, fields: list[tuple[str, Node, str]]) -> list[tuple[LeafPattern, str]]:
    return [(node, path) for key, node, path in fields if key == name and isinstance(node, LeafPattern)]


def _accepts(leaf: LeafPattern, value: str) -> bool:
    return compile_leaf(leaf).accepts(value)


def _plain_strings(leaf: LeafPattern) -> Iterator[tuple[int, str]]:
    for index, condition in enumerate(leaf.conditions):
        if condition.operator == EQUALS and isinstance(condition.operand, str):
            yield index, condition.operand


def _only_absence(node: Node) -> bool:
    return isinstance(node, LeafPattern) and all(c.operator == "exists" and c.operand is False for c in node.conditions)


def _near_source(value: str) -> str | None:
    return _closest(value.strip(), DOCUMENTED_SOURCES, cutoff=0.8)


def _closest_field(name: str, known: Iterable[str]) -> str | None:
    return _closest(name, known, cutoff=0.75)


def _closest_status(condition: Condition, allowed: tuple[str, ...]) -> str | None:
    if condition.operator not in (EQUALS, IGNORE_CASE) or not isinstance(condition.operand, str):
        return None
    return _closest(condition.operand, allowed, cutoff=0.75)


def _closest(value: str, candidates: Iterable[str], cutoff: float) -> str | None:
    """The candidate meant: same letters ignoring case and separators, else the nearest spelling."""
    by_normal = {_normalise(candidate): candidate for candidate in candidates}
    if _normalise(value) in by_normal:
        return by_normal[_normalise(value)]
    close = difflib.get_close_matches(_normalise(value), list(by_normal), n=1, cutoff=cutoff)
    return by_normal[close[0]] if close else None


def _normalise(text: str) -> str:
    return re.sub(r"[\s_\-]", "", text.lower())


def _render(condition: Condition) -> str:
    if condition.operator == EQUALS:
        return to_json_text(condition.operand)
    return to_json_text({condition.operator: condition.operand})


def _union(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in groups for name in group))


def _merged(mappings: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for mapping in mappings:
        for key, values in mapping.items():
            merged[key] = tuple(dict.fromkeys(merged.get(key, ()) + tuple(values)))
    return merged
