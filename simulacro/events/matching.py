"""Matching events against patterns: compile a pattern once into closures, then match many events.

How an event is read (aws/event-ruler's JSON matching, which EventBridge runs):
- a leaf field's values are the scalars at that place; a list contributes each of its scalars
  (nested lists are flattened) and one matching value suffices;
- an object, or an empty list, is not a leaf value: for a leaf pattern the field counts as absent,
  so only `exists: false` matches it;
- a nested pattern applied to a list of objects must match within one element: fields of
  different elements are never combined;
- a nested pattern whose field is absent (or a scalar) is matched against an empty object, so it
  matches only if everything under it accepts absence (`exists: false`).
"""

import functools
from dataclasses import dataclass
from typing import Any, Callable

from simulacro.events.operators import EQUALS, ValueTest
from simulacro.events.pattern_json import literal_key, parse_json
from simulacro.events.validation import LeafPattern, ObjectPattern, parse_pattern, pattern_text

ObjectMatcher = Callable[[dict[str, Any]], bool]
_MISSING = object()


class CompiledPattern:
    """A validated pattern ready to match; call it with an event (dict or JSON text)."""

    __slots__ = ("text", "tree", "_match")

    def __init__(self, text: str):
        self.text = text
        self.tree = parse_pattern(text)
        self._match = compile_object(self.tree)

    def __call__(self, event: Any) -> bool:
        if type(event) is not dict:
            event = _as_event(event)
        return self._match(event)

    def __repr__(self) -> str:
        return f"CompiledPattern({self.text!r})"


def compile_pattern(pattern: Any) -> CompiledPattern:
    """Validate and compile a pattern (dict, JSON text or CompiledPattern); compilations are cached by text."""
    if isinstance(pattern, CompiledPattern):
        return pattern
    return _compile_text(pattern_text(pattern))


def event_matches(pattern: Any, event: Any) -> bool:
    """Whether EventBridge would deliver `event` to a rule with `pattern` (each a dict or JSON text)."""
    return compile_pattern(pattern)(event)


@functools.lru_cache(maxsize=4096)
def _compile_text(text: str) -> CompiledPattern:
    return CompiledPattern(text)


def _as_event(event: Any) -> dict[str, Any]:
    if isinstance(event, (str, bytes, bytearray)):
        event = parse_json(event)
    if not isinstance(event, dict):
        raise ValueError(f"an event must be a JSON object, got {type(event).__name__}")
    return event


@dataclass(frozen=True)
class LeafMatcher:
    """`accepts` judges one present scalar; `when_absent` is the verdict when the field has no value."""

    accepts: Callable[[Any], bool]
    when_absent: bool


def compile_leaf(leaf: LeafPattern) -> LeafMatcher:
    exact_keys = frozenset(literal_key(c.operand) for c in leaf.conditions if c.operator == EQUALS)
    tests = tuple(c.test for c in leaf.conditions if c.operator not in (EQUALS, "exists"))
    exists = {c.operand for c in leaf.conditions if c.operator == "exists"}
    accepts: ValueTest
    if True in exists:
        accepts = _accept_anything
    elif tests:
        accepts = _exact_or_tests(exact_keys, tests)
    else:
        accepts = _exact_only(exact_keys)
    return LeafMatcher(accepts, when_absent=False in exists)


def compile_object(node: ObjectPattern) -> ObjectMatcher:
    # Leaves first: they are cheap and usually decide (source, detail-type).
    leaves = [_leaf_field(key, child) for key, child in node.fields if isinstance(child, LeafPattern)]
    objects = [_object_field(key, child) for key, child in node.fields if isinstance(child, ObjectPattern)]
    checks = leaves + objects
    if node.any_of:
        checks.append(_any_of(tuple(compile_object(alternative) for alternative in node.any_of)))
    return _all_of(tuple(checks))


def _leaf_field(key: str, leaf: LeafPattern) -> ObjectMatcher:
    matcher = compile_leaf(leaf)
    accepts, when_absent = matcher.accepts, matcher.when_absent

    def leaf_field_matches(obj: dict[str, Any]) -> bool:
        value = obj.get(key, _MISSING)
        if type(value) is str:
            return accepts(value)
        if value is _MISSING or isinstance(value, dict):
            return when_absent
        if isinstance(value, list):
            scalars = _scalars_in(value)
            if not scalars:
                return when_absent
            return any(map(accepts, scalars))
        return accepts(value)

    return leaf_field_matches


def _object_field(key: str, node: ObjectPattern) -> ObjectMatcher:
    sub_matches = compile_object(node)
    matches_nothing_there = sub_matches({})

    def object_field_matches(obj: dict[str, Any]) -> bool:
        value = obj.get(key, _MISSING)
        if isinstance(value, dict):
            return sub_matches(value)
        if isinstance(value, list):
            elements = _objects_in(value)
            if elements:
                return any(map(sub_matches, elements))
        return matches_nothing_there

    return object_field_matches


def _all_of(checks: tuple[ObjectMatcher, ...]) -> ObjectMatcher:
    if len(checks) == 1:
        return checks[0]

    def all_match(obj: dict[str, Any]) -> bool:
        for check in checks:
            if not check(obj):
                return False
        return True

    return all_match


def _any_of(alternatives: tuple[ObjectMatcher, ...]) -> ObjectMatcher:
    return lambda obj: any(alternative(obj) for alternative in alternatives)


def _accept_anything(value: Any) -> bool:
    return True


def _exact_only(exact_keys: frozenset[Any]) -> ValueTest:
    def accepts(value: Any) -> bool:
        return (value if type(value) is str else literal_key(value)) in exact_keys

    return accepts


def _exact_or_tests(exact_keys: frozenset[Any], tests: tuple[ValueTest, ...]) -> ValueTest:
    def accepts(value: Any) -> bool:
        if (value if type(value) is str else literal_key(value)) in exact_keys:
            return True
        for test in tests:
            if test(value):
                return True
        return False

    return accepts


def _scalars_in(values: list[Any]) -> list[Any]:
    scalars: list[Any] = []
    for value in values:
        if isinstance(value, list):
            scalars.extend(_scalars_in(value))
        elif not isinstance(value, dict):
            scalars.append(value)
    return scalars


def _objects_in(values: list[Any]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for value in values:
        if isinstance(value, dict):
            objects.append(value)
        elif isinstance(value, list):
            objects.extend(_objects_in(value))
    return objects
