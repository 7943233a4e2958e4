"""The game-day guards around each injection, as `InjectionHooks` for the drill's `Faults`:

- before each injection the stop conditions are checked (`simulacro.gameday.stop_conditions`);
- an injection and the registration of its undo happen together, and an undo runs to its end: Ctrl-C or
  SIGTERM during either is held until it is done, then interrupts as usual (`simulacro.target.signals`);
- listeners hear of each injection once it is in place (the interruption rehearsal interrupts there);
- every alarm a drill expects or forces is within its blast radius (`expected_alarm`, for `Expect`).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from simulacro.drill.faults import InjectionHooks
from simulacro.gameday.stop_conditions import DrillWatch
from simulacro.spec import Alarm
from simulacro.target.signals import interrupts_held


class DrillGuard(InjectionHooks):
    """One drill's guards, wired to its stop-condition watch."""

    def __init__(self, watch: DrillWatch):
        self.watch = watch

    def before(self, label: str, detail: dict[str, Any]) -> None:
        self.watch.before_injection(label, detail)

    @contextlib.contextmanager
    def active(self, label: str) -> Iterator[None]:
        self.watch.active += 1
        try:
            yield
        finally:
            self.watch.active -= 1

    def injecting(self, label: str) -> contextlib.AbstractContextManager[None]:
        return interrupts_held(self._notice(f"injecting {label}"))

    @contextlib.contextmanager
    def restoring(self, label: str) -> Iterator[None]:
        self.watch.restoring += 1  # a rollback is never interrupted by a stop condition
        try:
            with interrupts_held(self._notice(f"restoring {label}")):
                yield
        finally:
            self.watch.restoring -= 1

    def in_place(self, label: str) -> None:
        for listener in self.watch.listeners:
            listener(label)

    def expected_alarm(self, alarm: Alarm) -> None:
        self.watch.radius.alarms.add(alarm.name)

    def _notice(self, doing: str) -> Callable[[str], None]:
        return lambda signal_name: self.watch.notice(
            f"{signal_name} received while {doing}: it finishes first, then the "
            "drill stops and every fault is rolled back"
        )
