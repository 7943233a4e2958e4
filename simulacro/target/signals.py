"""Interruptions that still roll back.

- `SIGTERM` (a CI job cancelled, a pod evicted, `kill`) becomes a `KeyboardInterrupt`, like Ctrl-C: pytest
  then tears down what is set up, and every fault is undone in reverse order.
- While faults are being rolled back, Ctrl-C and SIGTERM are held: the rollback finishes, then the run
  stops. (An exception raised from a teardown would skip the teardowns after it.)
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Callable, Iterator

HELD = (signal.SIGINT, signal.SIGTERM)


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def sigterm_raises_keyboard_interrupt() -> Callable[[], None]:
    """From now on SIGTERM raises KeyboardInterrupt in the main thread; returns how to put the old handler back."""
    if not _on_main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt("SIGTERM received: rolling back every fault in place, then stopping")

    signal.signal(signal.SIGTERM, interrupt)

    def put_back() -> None:
        signal.signal(signal.SIGTERM, previous)

    return put_back


@contextlib.contextmanager
def interrupts_held(on_held: Callable[[str], None] | None = None, *, redeliver: bool = True) -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM during the block: `on_held(signal name)` hears each at once. On exit the first
    one held is handed to the handler that was in place before (which raises KeyboardInterrupt, or holds
    it in turn), unless `redeliver` is False."""
    if not _on_main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        held.append(signum)
        if on_held is not None:
            on_held(signal.Signals(signum).name)

    previous = {sig: signal.getsignal(sig) for sig in HELD}
    for sig in HELD:
        signal.signal(sig, hold)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        first = previous[signal.Signals(held[0])] if held else None
        if redeliver and callable(first):
            first(held[0], None)
