"""Read a spec file at a bounded cost, whatever it holds: a size cap, text that is UTF-8 and not binary, and
a walk of the YAML events (no recursion, no construction) that caps nesting depth and the number of nodes
once aliases are expanded, so "billion laughs" or ten thousand nested brackets end in one clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

# libyaml when present: the same YAML, read several times faster than the pure-Python loader.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_NODES = 100_000


class OverBudget(ValueError):
    """The file is too big, not text, or its YAML would cost too much to load; `line` says where, if known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def read_spec_text(path: Path) -> str:
    """The file's text, refused when over MAX_BYTES, binary or not UTF-8 (a UTF-8 BOM is accepted)."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise OverBudget("not a regular file (a pipe or a device would be read forever)")
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OverBudget(f"the file is larger than {MAX_BYTES:,} bytes; a stack spec is a few dozen kilobytes")
    if b"\x00" in data:
        raise OverBudget(
            "the file contains NUL bytes: it is binary, not a YAML spec", data[: data.index(b"\x00")].count(b"\n") + 1
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise OverBudget(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})", line
        ) from None


@dataclass(slots=True)
class _OpenCollection:
    """A mapping or sequence whose end event has not come yet: its anchor, and its size so far (aliases expanded)."""

    anchor: str | None
    size: int = 1


def check_yaml_budget(text: str) -> None:
    """Refuse YAML nested deeper than MAX_DEPTH or expanding to more than MAX_NODES nodes (aliases counted in full)."""
    sizes: dict[str, int] = {}
    open_collections: list[_OpenCollection] = []
    total = 0
    for event in yaml.parse(text, Loader=LOADER):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(open_collections) >= MAX_DEPTH:
                raise OverBudget(f"nesting depth exceeds {MAX_DEPTH} levels; a stack spec needs far fewer", line)
            open_collections.append(_OpenCollection(event.anchor))
            total += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            closed = open_collections.pop()
            if closed.anchor:
                sizes[closed.anchor] = closed.size
            if open_collections:
                open_collections[-1].size += closed.size
            continue
        elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            size = sizes.get(event.anchor, 1) if isinstance(event, yaml.AliasEvent) and event.anchor else 1
            if isinstance(event, yaml.ScalarEvent) and event.anchor:
                sizes[event.anchor] = 1
            if open_collections:
                open_collections[-1].size += size
            total += size
        if total > MAX_NODES:
            raise OverBudget(
                f"expands to more than {MAX_NODES:,} YAML nodes (aliases such as *name count in full); "
                "a stack spec needs far fewer",
                line,
            )
