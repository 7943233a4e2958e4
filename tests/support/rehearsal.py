"""One run of every drill with `--interrupt-each-phase --record-calls`, shared by the tests that read it
(the interruption test and the IAM policy test): the drills as usual, each destructive drill interrupted
at each of its phases, and every call heard. It runs as two processes side by side (each with its own
local AWS), which halves its time on two cores."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from simulacro.spec.paths import EXAMPLE_CANDIDATE
from support.drill_runner import ROOT

# The heaviest drill files in one process, every other drill (those added later too) in the other.
FIRST_HALF = ("drills/test_event_rules.py", "drills/test_pipeline_alarms.py", "drills/test_notifications.py")
_RUN: dict[str, Any] = {}


def rehearsal(folder_factory: Any) -> dict[str, Any]:
    """Run it once per test process; `folder_factory` is pytest's `tmp_path_factory`."""
    if not _RUN:
        out = folder_factory.mktemp("rehearsal")
        halves = [list(FIRST_HALF), ["drills", *(f"--ignore={path}" for path in FIRST_HALF)]]
        running = [_start(selection, out / f"half{n}") for n, selection in enumerate(halves)]
        runs = [process.communicate(timeout=900) and process for process in running]
        _RUN.update(
            returncodes=[run.returncode for run in runs],
            calls=_merged([json.loads((out / f"half{n}" / "calls.json").read_text()) for n in range(2)]),
            cases={name: failure for n in range(2) for name, failure in _cases(out / f"half{n}" / "junit.xml").items()},
        )
    return _RUN


def _start(selection: list[str], out: Path) -> subprocess.Popen:
    out.mkdir()
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            *selection,
            "-q",
            "-p",
            "no:cacheprovider",
            "--interrupt-each-phase",
            f"--candidate={EXAMPLE_CANDIDATE}",
            f"--record-calls={out / 'calls.json'}",
            f"--junitxml={out / 'junit.xml'}",
            f"--evidence={out / 'bundle.json'}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _merged(halves: list[dict[str, Any]]) -> dict[str, Any]:
    drills: dict[str, list[str]] = {}
    for half in halves:
        for name, actions in half["drills"].items():
            drills[name] = sorted(set(drills.get(name, [])) | set(actions))
    return {
        "session": sorted(set().union(*(h["session"] for h in halves))),
        "provision": sorted(set().union(*(h["provision"] for h in halves))),
        "drills": dict(sorted(drills.items())),
    }


def _cases(junit: Path) -> dict[str, str | None]:
    """name -> failure message (None when it passed), for every result in the JUnit XML."""
    cases = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        failure = case.find("failure")
        name = f"{case.get('classname')}::{case.get('name')}"
        cases[name] = None if failure is None else (failure.get("message", "") + "\n" + (failure.text or ""))
    return cases
