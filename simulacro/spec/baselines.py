"""Versioned Model Monitor baselines under fixtures/baselines/<model>/<version>/.

A version holds statistics.json and constraints.json (as Model Monitor's baselining job writes them)
and manifest.json: the version, when it was made, the checksum of the source dataset and of each file.
A version is never rewritten: a new dataset makes a new version.
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from simulacro.monitor import suggest_baseline
from simulacro.spec.paths import BASELINES

FILES = ("statistics.json", "constraints.json")


@dataclass(frozen=True)
class Baseline:
    model: str
    version: str
    directory: Path

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.directory / "manifest.json").read_text())

    @property
    def statistics(self) -> dict[str, Any]:
        return json.loads((self.directory / "statistics.json").read_text())

    @property
    def constraints(self) -> dict[str, Any]:
        return json.loads((self.directory / "constraints.json").read_text())

    def checksum_problems(self) -> list[str]:
        """What does not match the manifest (empty when the version is intact)."""
        if not (self.directory / "manifest.json").is_file():
            return [f"{self.directory}: no manifest.json"]
        problems = []
        for name, expected in self.manifest["files"].items():
            path = self.directory / name
            if not path.is_file():
                problems.append(f"{path}: missing (the manifest lists it)")
            elif sha256(path.read_bytes()) != expected:
                problems.append(f"{path}: sha256 {sha256(path.read_bytes())[:12]}... differs from the manifest's {expected[:12]}...")
        return problems


def baseline(model: str, version: str, root: Path = BASELINES) -> Baseline:
    return Baseline(model, version, root / model / version)


def build_baseline(dataset: Path, model: str, version: str, root: Path = BASELINES,
                   now: datetime | None = None) -> Baseline:
    target = baseline(model, version, root)
    if target.directory.exists():
        raise FileExistsError(f"baseline {model}/{version} already exists at {target.directory}; versions are immutable, choose a new version")
    statistics, constraints = suggest_baseline(read_columns(dataset))
    target.directory.mkdir(parents=True)
    files = {"statistics.json": statistics, "constraints.json": constraints}
    for name, document in files.items():
        (target.directory / name).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    manifest = {
        "model": model,
        "version": version,
        "created": (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source_dataset": {"path": _display(dataset), "sha256": sha256(dataset.read_bytes()), "rows": statistics["dataset"]["item_count"]},
        "files": {name: sha256((target.directory / name).read_bytes()) for name in FILES},
    }
    (target.directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def read_columns(dataset: Path) -> dict[str, list[Any]]:
    """A CSV with a header row, as columns; numbers become numbers, empty cells None."""
    with dataset.open(newline="") as handle:
        reader = csv.DictReader(handle)
        columns: dict[str, list[Any]] = {name: [] for name in reader.fieldnames or []}
        for row in reader:
            for name in columns:
                columns[name].append(_value(row.get(name)))
    return columns


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _value(text: str | None) -> Any:
    if text is None or text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(BASELINES.parents[1]))
    except ValueError:
        return str(path)
