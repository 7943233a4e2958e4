"""Versioned Model Monitor baselines under <spec folder>/baselines/<model>/<version>/.

A version holds statistics.json and constraints.json (as Model Monitor's baselining job writes them)
and manifest.json: the version, when it was made, the checksum of the source dataset and of each file.
A version is never rewritten: a new dataset makes a new version. Model and version are plain names (one
folder each, never a path), so nothing is read or written outside the baselines folder.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from simulacro.errors import BadInput
from simulacro.monitor import suggest_baseline
from simulacro.monitor.errors import MonitorInputError
from simulacro.monitor.validation import ensure_constraints_are_valid, ensure_statistics_are_valid
from simulacro.spec.paths import BASELINES as BASELINES  # re-exported: the default root of every function here

FILES = ("statistics.json", "constraints.json")
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# One CSV cell as read_columns gives it: a number when it reads as one, None when empty, else the text.
CsvCell = int | float | str | None
_VALIDATORS = {"statistics.json": ensure_statistics_are_valid, "constraints.json": ensure_constraints_are_valid}


def name_problem(kind: str, name: str) -> str | None:
    """Why `name` cannot be a baseline's model or version folder (None when it can)."""
    if PLAIN_NAME.match(name) and ".." not in name:
        return None
    return (
        f"{kind} {name!r} must be a plain name (1-64 letters, digits, '.', '_' or '-', starting with a letter or "
        "digit, no '..'): it names one folder under the baselines folder"
    )


@dataclass(frozen=True)
class Baseline:
    model: str
    version: str
    directory: Path

    @property
    def manifest(self) -> dict[str, Any]:
        return _json_object(self.directory / "manifest.json")

    @property
    def statistics(self) -> dict[str, Any]:
        return _json_object(self.directory / "statistics.json")

    @property
    def constraints(self) -> dict[str, Any]:
        return _json_object(self.directory / "constraints.json")

    def checksum_problems(self) -> list[str]:
        """What is wrong with this version (empty when it is intact): the manifest, each file's checksum, and
        each file's content against the format Model Monitor documents (a truncated file fails here)."""
        manifest, problems = self._manifest()
        if manifest is None:
            return problems
        listed = manifest.get("files")
        if not isinstance(listed, dict) or set(listed) != set(FILES):
            return [
                f"{self.directory / 'manifest.json'}: 'files' must list exactly {' and '.join(FILES)} with their sha256"
            ]
        for name, expected in listed.items():
            path = self.directory / name
            if not path.is_file():
                problems.append(f"{path}: missing (the manifest lists it)")
            elif sha256(path.read_bytes()) != expected:
                problems.append(
                    f"{path}: sha256 {sha256(path.read_bytes())[:12]}... differs from the manifest's {str(expected)[:12]}..."
                )
        return problems + self.content_problems()

    def content_problems(self) -> list[str]:
        """Each of statistics.json and constraints.json that is missing, not JSON, or not in the documented format."""
        problems: list[str] = []
        for name in FILES:
            path = self.directory / name
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                problems.append(f"{path}: missing")
                continue
            except (OSError, UnicodeDecodeError, ValueError) as error:
                problems.append(f"{path}: not valid JSON ({error}); the file may be truncated")
                continue
            try:
                _VALIDATORS[name](document)
            except MonitorInputError as error:
                problems.append(f"{path}: not in Model Monitor's format: {error}")
        return problems

    def _manifest(self) -> tuple[dict[str, Any] | None, list[str]]:
        path = self.directory / "manifest.json"
        if not path.is_file():
            return None, [f"{self.directory}: no manifest.json"]
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            return None, [f"{path}: not valid JSON ({error})"]
        if not isinstance(manifest, dict):
            return None, [f"{path}: expected a JSON object"]
        return manifest, []


def baseline(model: str, version: str, root: Path = BASELINES) -> Baseline:
    """The version `model`/`version` under `root`; refused (BadInput) unless both are plain names."""
    for kind, name in (("model", model), ("version", version)):
        problem = name_problem(kind, name)
        if problem:
            raise BadInput(problem)
    return Baseline(model, version, root / model / version)


def build_baseline(
    dataset: Path, model: str, version: str, root: Path = BASELINES, now: datetime | None = None
) -> Baseline:
    target = baseline(model, version, root)
    if target.directory.exists():
        raise FileExistsError(
            f"baseline {model}/{version} already exists at {target.directory}; versions are immutable, choose a new version"
        )
    columns = read_columns(dataset)
    statistics, constraints = suggest_baseline(columns)
    target.directory.mkdir(parents=True)
    files = {"statistics.json": statistics, "constraints.json": constraints}
    for name, document in files.items():
        (target.directory / name).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    manifest = {
        "model": model,
        "version": version,
        "created": (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source_dataset": {
            "path": _display(dataset, root),
            "sha256": sha256(dataset.read_bytes()),
            "rows": statistics["dataset"]["item_count"],
        },
        "files": {name: sha256((target.directory / name).read_bytes()) for name in FILES},
    }
    (target.directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def read_columns(dataset: Path) -> dict[str, list[CsvCell]]:
    """A CSV with a header row and at least one data row, as columns; numbers become numbers, empty cells None.

    Refused (BadInput, naming the file): not UTF-8, no header, blank or repeated column names, no data row,
    a row with more cells than the header.
    """
    try:
        with dataset.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            rows = [row for row in reader if any(cell.strip() for cell in row)]
    except UnicodeDecodeError as error:
        raise BadInput(f"{dataset}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except csv.Error as error:
        raise BadInput(f"{dataset}: not a readable CSV ({error})") from None
    names = _checked_header(dataset, header)
    if not rows:
        raise BadInput(f"{dataset}: a header but no data row; a baseline needs rows to describe (nothing was written)")
    columns: dict[str, list[CsvCell]] = {name: [] for name in names}
    for number, row in enumerate(rows, start=2):
        if len(row) > len(names):
            raise BadInput(
                f"{dataset}: row {number} has {len(row)} cells, the header {len(names)} (nothing was written)"
            )
        for index, name in enumerate(names):
            columns[name].append(_value(row[index] if index < len(row) else None))
    return columns


def _checked_header(dataset: Path, header: list[str] | None) -> list[str]:
    """The header row's column names; refused (BadInput) when absent, blank or repeated."""
    if not header or not any(name.strip() for name in header):
        raise BadInput(f"{dataset}: empty; expected a CSV with a header row and data rows (nothing was written)")
    blank = [i + 1 for i, name in enumerate(header) if not name.strip()]
    if blank:
        raise BadInput(f"{dataset}: header column {blank[0]} has no name (nothing was written)")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise BadInput(f"{dataset}: the header repeats {', '.join(repeated)} (nothing was written)")
    return header


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _value(text: str | None) -> CsvCell:
    if text is None or text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _json_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path` (its values unchecked: content_problems checks them against Model Monitor's
    format); refused (BadInput, naming the file) when the file holds another JSON value."""
    document = json.loads(path.read_text())
    if not isinstance(document, dict):
        raise BadInput(f"{path}: expected a JSON object, got {type(document).__name__}")
    return document


def _display(path: Path, root: Path) -> str:
    """The dataset's path as the manifest records it: relative to the repository (or the folder holding
    baselines/) when inside it, else as given."""
    for base in (BASELINES.parents[1], root.resolve().parent):
        try:
            return str(path.resolve().relative_to(base))
        except ValueError:
            continue
    return str(path)
