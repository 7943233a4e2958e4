"""Read a stack spec from YAML into a `Stack`, or fail with every problem named by file, line and path."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml
from pydantic import ValidationError

from .errors import Problem, SpecError
from .model import Stack
from .paths import DEFAULT_SPEC
from .references import reference_problems



def load_stack(path: str | Path = DEFAULT_SPEC) -> Stack:
    path = Path(path)
    text = _read(path)
    node = _compose(text, path)
    data = yaml.safe_load(text)
    lines = _LineIndex(node)

    def problem(where: str, message: str) -> Problem:
        return Problem(str(path), where, message, lines.line_of(where))

    duplicates = [problem(where, message) for where, message in _duplicate_keys(node, "")]
    if duplicates:
        raise SpecError(duplicates)
    if not isinstance(data, dict):
        raise SpecError([problem("", "expected a mapping with version, name, region, environments, ...")])
    try:
        stack = Stack.model_validate(data)
    except ValidationError as error:
        raise SpecError([problem(_dotted(e["loc"]), _explain(e)) for e in error.errors()]) from None
    problems = [problem(where, message) for where, message in reference_problems(stack, path.parent)]
    problems += [problem(where, message) for where, message in _pattern_problems(stack)]
    if problems:
        raise SpecError(problems)
    return stack


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([Problem(str(path), "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError([Problem(str(path), "", f"cannot read the file: {error}")]) from None


def _compose(text: str, path: Path) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        detail = getattr(error, "problem", None) or str(error)
        raise SpecError([Problem(str(path), "", f"not valid YAML: {detail}", line)]) from None


def _pattern_problems(stack: Stack) -> Iterator[tuple[str, str]]:
    from simulacro.events import InvalidEventPattern, validate_pattern
    from simulacro.events.lint import lint_pattern

    for index, rule in enumerate(stack.rules):
        where = f"rules[{index}].pattern"
        try:
            validate_pattern(rule.pattern)
        except InvalidEventPattern as error:
            yield where, f"invalid event pattern: {error}"
            continue
        for finding in lint_pattern(rule.pattern):
            fix = f" (likely fix: {finding.likely_fix})" if finding.likely_fix else ""
            yield f"{where}.{finding.path}".rstrip("."), f"can never match a documented event: {finding.message}{fix}"


def _duplicate_keys(node: yaml.Node | None, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            child = f"{where}.{name}" if where else name
            if name in seen:
                yield child, f"key {name!r} appears twice (line {key.start_mark.line + 1}); YAML would silently keep only the last"
            seen.add(name)
            yield from _duplicate_keys(value, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, f"{where}[{index}]")


class _LineIndex:
    """Line numbers of the composed YAML, looked up by dotted path such as `alarms[3].actions.alarm[0]`."""

    def __init__(self, root: yaml.Node | None):
        self._lines: dict[str, int] = {}
        if root is not None:
            self._walk(root, "")

    def _walk(self, node: yaml.Node, where: str) -> None:
        self._lines[where] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{where}.{key.value}" if where else str(key.value)
                self._lines[child] = key.start_mark.line + 1
                self._walk(value, child)
                self._lines[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, f"{where}[{index}]")

    def line_of(self, where: str) -> int | None:
        while where:
            if where in self._lines:
                return self._lines[where]
            where = where.rsplit(".", 1)[0] if "." in where else where.rsplit("[", 1)[0] if "[" in where else ""
        return self._lines.get("")


def _dotted(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part).startswith(("function-", "union", "tagged-union")):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _explain(error: dict[str, Any]) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling against the spec format in the README)"
    if error["type"] == "missing":
        return "required field is missing"
    given = error.get("input")
    if error["type"].endswith("_type") or error["type"].startswith("literal"):
        return f"{message}; got {given!r}"
    return message
