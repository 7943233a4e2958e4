"""Faults: each injects through a mechanism that also works on real AWS, records when, and always restores.

`Faults` is the per-drill registry: every injection pushes its undo onto a stack, and the stack is
unwound (in reverse order) when the `with` block ends, when the drill fails, and at teardown
whatever happened, Ctrl-C included.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from simulacro.evidence import DrillRecord
from simulacro.spec import Alarm, Stack

from .alarm_state import force_alarm_state


class Faults:
    def __init__(self, stack: Stack, target: Any, record: DrillRecord):
        self.stack = stack
        self.target = target
        self.record = record
        self._undo = contextlib.ExitStack()

    @contextlib.contextmanager
    def _injected(self, label: str, inject: Callable[[], Callable[[], None]], **detail: Any) -> Iterator[None]:
        restore = inject()
        self.record.add(self.target.clock.now(), "inject", label, **detail)
        done = False

        def undo() -> None:
            nonlocal done
            if not done:
                done = True
                restore()
                self.record.add(self.target.clock.now(), "restore", f"undo: {label}")

        self._undo.callback(undo)
        try:
            yield
        finally:
            undo()

    def alarm_state(self, alarm: Alarm, state: str = "ALARM") -> contextlib.AbstractContextManager[None]:
        """SetAlarmState, the controlled notification test; the alarm's state is put back on exit."""
        return self._injected(
            f"set-alarm-state {alarm.name} -> {state}",
            lambda: force_alarm_state(self.target.client("cloudwatch", alarm.environment), alarm.name, state),
            alarm=alarm.name, state=state,
        )

    def undo_all(self) -> None:
        self._undo.close()
