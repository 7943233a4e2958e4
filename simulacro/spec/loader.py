"""Read a stack spec from YAML into a `Stack`, or fail with every problem named by file, line and path."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .aws_limits import limit_problems
from .errors import Problem, SpecError
from .model import Stack
from .paths import DEFAULT_SPEC
from .references import reference_problems
from .yaml_budget import LOADER, OverBudget, check_yaml_budget, read_spec_text


def load_stack(path: str | Path = DEFAULT_SPEC) -> Stack:
    path = Path(path)
    text = _read(path)
    node = _compose(text, path)
    data = _construct(text, path)
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
    problems += [problem(where, message) for where, message in limit_problems(stack)]
    if problems:
        raise SpecError(problems)
    return stack.from_folder(path.resolve().parent)


def _read(path: Path) -> str:
    try:
        return read_spec_text(path)
    except FileNotFoundError:
        raise SpecError([Problem(str(path), "", "file not found")]) from None
    except IsADirectoryError:
        raise SpecError([Problem(str(path), "", "is a folder, not a spec file")]) from None
    except OverBudget as error:
        raise SpecError([Problem(str(path), "", str(error), error.line)]) from None
    except OSError as error:
        raise SpecError([Problem(str(path), "", f"cannot read the file: {error.strerror or error}")]) from None


def _compose(text: str, path: Path) -> yaml.Node | None:
    try:
        check_yaml_budget(text)
        return yaml.compose(text, Loader=LOADER)
    except OverBudget as error:
        raise SpecError([Problem(str(path), "", str(error), error.line)]) from None
    except yaml.YAMLError as error:
        raise SpecError([Problem(str(path), "", f"not valid YAML: {_yaml_detail(error)}", _yaml_line(error))]) from None


def _construct(text: str, path: Path) -> Any:
    """The YAML as Python data; tags and keys that the safe loader cannot build are refused by line."""
    try:
        return yaml.load(text, Loader=LOADER)  # noqa: S506 - LOADER is a safe loader
    except yaml.YAMLError as error:
        raise SpecError(
            [Problem(str(path), "", f"cannot be read as data: {_yaml_detail(error)}", _yaml_line(error))]
        ) from None


def _yaml_detail(error: yaml.YAMLError) -> str:
    parts = [getattr(error, "context", None), getattr(error, "problem", None)]
    return "; ".join(p for p in parts if p) or str(error).splitlines()[0]


def _yaml_line(error: yaml.YAMLError) -> int | None:
    mark: yaml.Mark | None = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    return None


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
                yield (
                    child,
                    f"key {name!r} appears twice (line {key.start_mark.line + 1}); YAML would silently keep only the last",
                )
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


def _dotted(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part).startswith(("function-", "union", "tagged-union")):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _explain(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling against the spec format in the README)"
    if error["type"] == "missing":
        return "required field is missing"
    given = error.get("input")
    if error["type"] == "string_pattern_mismatch":
        return f"{given!r} does not match the required pattern {error.get('ctx', {}).get('pattern')}"
    shows_value = ("_type", "_parsing")
    bounds = (
        "literal",
        "greater_than",
        "less_than",
        "too_short",
        "too_long",
        "finite_number",
        "string_too",
        "int_from_float",
    )
    if error["type"].endswith(shows_value) or error["type"].startswith(bounds):
        return f"{message}; got {_short(given)}"
    return message


def _short(value: Any) -> str:
    text = repr(value)
    return (
        text if len(text) <= 80 else f"{text[:60]}... ({len(value) if hasattr(value, '__len__') else len(text)} long)"
    )
