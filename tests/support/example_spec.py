"""The example spec as data, and a changed copy of it written where a test wants it.

Parsed once per process with libyaml (a fresh deep copy each time: tests change it), written with libyaml
too, beside links to the example's models, baselines and datasets (the spec names them by relative path)."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from simulacro.spec import DEFAULT_SPEC

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
LINKED = ("models", "baselines", "datasets")


@functools.cache
def _parsed() -> Any:
    return yaml.load(DEFAULT_SPEC.read_text(), Loader=LOADER)  # noqa: S506 - a safe loader


def example_data() -> Any:
    """The example spec's YAML as plain data, yours to change."""
    return copy.deepcopy(_parsed())


def write_spec(data: Any, folder: Path, name: str = "stack.yaml") -> Path:
    """`data` as `folder/name`, with the example's folders linked beside it."""
    path = folder / name
    path.write_text(yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True))
    for linked in LINKED:
        if (DEFAULT_SPEC.parent / linked).exists() and not (folder / linked).exists():
            (folder / linked).symlink_to(DEFAULT_SPEC.parent / linked)
    return path
