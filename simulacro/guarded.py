"""The fault registry and the expectations a drill gets from the plugin: `Faults` and `Expect` with the
game-day guards wired in.

- Before each injection the stop conditions are checked (`simulacro.stop_conditions`).
- An injection and the registration of its undo happen together, and an undo runs to its end: Ctrl-C or
  SIGTERM during either is held until it is done, then interrupts as usual (`simulacro.interrupts`).
- Listeners hear of each injection once it is in place (the interruption rehearsal interrupts there).
- Every alarm a drill expects or forces is within its blast radius.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from simulacro.expect import Expect
from simulacro.faults import Faults
from simulacro.interrupts import interrupts_held
from simulacro.spec import Alarm
from simulacro.stop_conditions import DrillWatch


class GuardedFaults(Faults):
    """The drill's fault registry (see the module docstring)."""

    def __init__(self, *args: Any, watch: DrillWatch, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.watch = watch

    @contextlib.contextmanager
    def _injected(self, label: str, inject: Callable[[], Callable[[], None]], **detail: Any) -> Iterator[None]:
        """Stop conditions checked first; then the fault and its undo are registered together, and undone
        whole: Ctrl-C or SIGTERM during either waits until it is done (then interrupts as usual)."""
        self.watch.before_injection(label, detail)

        def watched_inject() -> Callable[[], None]:
            restore = inject()

            def watched_restore() -> None:
                self.watch.restoring += 1  # a rollback is never interrupted by a stop condition
                try:
                    with interrupts_held(self._notice(f"restoring {label}")):
                        restore()
                finally:
                    self.watch.restoring -= 1
            return watched_restore

        self.watch.active += 1
        try:
            with contextlib.ExitStack() as undo_on_exit:
                with interrupts_held(self._notice(f"injecting {label}")):
                    undo_on_exit.enter_context(super()._injected(label, watched_inject, **detail))
                for listener in self.watch.listeners:
                    listener(label)
                yield
        finally:
            self.watch.active -= 1

    def _notice(self, doing: str) -> Callable[[str], None]:
        return lambda signal_name: self.watch.notice(f"{signal_name} received while {doing}: it finishes first, then the "
                                                     "drill stops and every fault is rolled back")


class GuardedExpect(Expect):
    """The drill's expectations: every alarm a drill expects is within its blast radius."""

    def __init__(self, *args: Any, watch: DrillWatch, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.watch = watch

    def alarm(self, alarm: Alarm) -> Any:
        self.watch.radius.alarms.add(alarm.name)
        return super().alarm(alarm)

    def listen(self, alarm: Alarm) -> Any:
        self.watch.radius.alarms.add(alarm.name)
        return super().listen(alarm)
