"""Which IAM actions the drills need, heard from the calls they really make (`--record-calls PATH`).

Every call the target makes is filed under the drill running at the time, or under `provision`
(applying the spec) or `session` (the run's own reads: inventories, guard alarms). The file is what
`python -m simulacro iam-policy` turns into a least-privilege policy (`simulacro/gameday/iam_actions.json`).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Iterator

from simulacro.target.iam_actions import actions_for


class CallRecorder:
    def __init__(self) -> None:
        self.session: set[str] = set()
        self.provision: set[str] = set()
        self.drills: dict[str, set[str]] = {}
        self._drill: str | None = None
        self._provisioning = False
        self._paused = False

    def hear(self, service: str, operation: str, environment: str, params: dict[str, Any]) -> None:
        if not self._paused:
            self._bucket().update(actions_for(service, operation, params))

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Calls that are no drill's nor the run's (the interruption rehearsal's own checks) are not recorded."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def _bucket(self) -> set[str]:
        if self._provisioning:
            return self.provision
        if self._drill is not None:
            return self.drills.setdefault(self._drill, set())
        return self.session

    @contextlib.contextmanager
    def provisioning(self) -> Iterator[None]:
        self._provisioning = True
        try:
            yield
        finally:
            self._provisioning = False

    @contextlib.contextmanager
    def drill(self, nodeid: str) -> Iterator[None]:
        """Calls made from here on belong to the drill (its function: parameters share their needs)."""
        self._drill = drill_function(nodeid)
        self.drills.setdefault(
            self._drill, set()
        )  # a drill that calls nothing (skipped here) needs nothing: known, empty
        try:
            yield
        finally:
            self._drill = None

    @contextlib.contextmanager
    def outside_drills(self) -> Iterator[None]:
        """Calls made here belong to the run itself (inventories at start and end), whichever drill is running."""
        drill, self._drill = self._drill, None
        try:
            yield
        finally:
            self._drill = drill

    def to_json(self) -> dict[str, Any]:
        return {
            "session": sorted(self.session),
            "provision": sorted(self.provision),
            "drills": {name: sorted(actions) for name, actions in sorted(self.drills.items())},
        }

    def merge(self, recorded: dict[str, Any]) -> None:
        """Add what another process heard (an xdist worker's `to_json()`)."""
        self.session.update(recorded["session"])
        self.provision.update(recorded["provision"])
        for drill, actions in recorded["drills"].items():
            self.drills.setdefault(drill, set()).update(actions)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n")


def drill_function(nodeid: str) -> str:
    """`drills/test_x.py::test_y[param]` -> `drills/test_x.py::test_y`."""
    return nodeid.split("[", 1)[0]
