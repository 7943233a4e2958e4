"""What happened during a drill, when, measured on the target's clock: the drill's evidence as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KINDS = ("steady", "inject", "alarm", "notification", "event", "runbook", "restore", "recovered", "note", "failure")


@dataclass
class Entry:
    at: datetime
    kind: str
    label: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Budget:
    label: str
    start: datetime
    seconds: float


@dataclass
class DrillRecord:
    nodeid: str
    title: str
    category: str
    environment: str | None
    started: datetime
    entries: list[Entry] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    measurements: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    outcome: str = "running"
    message: str = ""
    wall_seconds: float = 0.0

    def add(self, at: datetime, kind: str, label: str, **detail: Any) -> Entry:
        entry = Entry(at, kind, label, detail)
        self.entries.append(entry)
        return entry

    def budget(self, label: str, start: datetime, seconds: float) -> None:
        self.budgets.append(Budget(label, start, seconds))

    def measure(self, name: str, seconds: float, *, budget: float | None = None, floor: float | None = None) -> None:
        self.measurements.append({"name": name, "seconds": seconds, "budget": budget, "floor": floor})

    def seconds_since_start(self, moment: datetime) -> float:
        return (moment - self.started).total_seconds()
