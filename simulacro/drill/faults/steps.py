"""The registrar every fault function takes: `undo(step_undo)` registers how to undo the step just made (or
about to be made, when its undo is safe either way), so that an injection failing half-way is undone
step by step, in reverse order (`Faults._injected` holds the steps in an `ExitStack`)."""

from __future__ import annotations

from typing import Any, Callable

Undo = Callable[[Callable[[], Any]], Any]


def forget(_: Callable[[], Any]) -> None:
    """A registrar that keeps nothing: for tests that stage what a killed run leaves behind."""
