"""Clocks with one interface: ``now()`` and ``sleep(seconds)``.

On real AWS a wait is a real wait (`WallClock`). Against the local AWS, time is virtual
(`VirtualClock`): sleeping advances time at once and runs every timer that falls due on the
way, which is how the emulator's control plane (alarm evaluation, pipeline steps, event
retries, monitoring runs) moves forward. A drill whose alarm needs three one-minute periods
therefore takes milliseconds.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable, Protocol

Timer = Callable[[], None]


class Clock(Protocol):
    virtual: bool

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SchedulingClock(Protocol):
    """What the emulator's control plane needs of its clock: the time, and timers (`VirtualClock` has them)."""

    def now(self) -> datetime: ...

    def call_at(self, moment: datetime, timer: Timer, *, locked: bool = True) -> None: ...

    def call_later(self, seconds: float, timer: Timer, *, locked: bool = True) -> None: ...

    def call_every(
        self, seconds: float, timer: Timer, *, aligned: bool = True, now: bool = False, locked: bool = True
    ) -> Repeating: ...


class WallClock:
    virtual = False

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class VirtualClock:
    """Discrete-event time: timers run in time order as `sleep` or `advance_to` passes them."""

    virtual = True

    def __init__(self, start: datetime | None = None):
        self._now = start or _start_of_this_hour()
        self._timers: list[tuple[datetime, int, Timer, bool]] = []
        self._order = itertools.count()
        # Timers run on the caller's thread while emulator requests run on server threads.
        self.lock = threading.RLock()

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.advance_to(self._now + timedelta(seconds=max(seconds, 0)))

    def advance_to(self, moment: datetime) -> None:
        while True:
            with self.lock:
                if not (self._timers and self._timers[0][0] <= moment):
                    self._now = max(self._now, moment)
                    return
                due, _, timer, locked = heapq.heappop(self._timers)
                self._now = max(self._now, due)
                if locked:
                    timer()
                    continue
            # An unlocked timer plays a client of the local AWS (it calls it over HTTP): holding the
            # lock that request handlers take would deadlock it.
            timer()

    def call_at(self, moment: datetime, timer: Timer, *, locked: bool = True) -> None:
        with self.lock:
            heapq.heappush(self._timers, (moment, next(self._order), timer, locked))

    def call_later(self, seconds: float, timer: Timer, *, locked: bool = True) -> None:
        self.call_at(self._now + timedelta(seconds=seconds), timer, locked=locked)

    def call_every(
        self, seconds: float, timer: Timer, *, aligned: bool = True, now: bool = False, locked: bool = True
    ) -> "Repeating":
        """Run `timer` every `seconds` (on multiples of `seconds` since the epoch when aligned) until cancelled."""
        repeating = Repeating()

        def tick() -> None:
            if repeating.cancelled:
                return
            timer()
            self.call_later(seconds, tick, locked=locked)

        if now:
            self.call_at(self._now, tick, locked=locked)
        else:
            first = _next_multiple(self._now, seconds) if aligned else self._now + timedelta(seconds=seconds)
            self.call_at(first, tick, locked=locked)
        return repeating


class Repeating:
    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def _start_of_this_hour() -> datetime:
    return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)


def _next_multiple(moment: datetime, seconds: float) -> datetime:
    epoch = moment.timestamp()
    nxt = (int(epoch // seconds) + 1) * seconds
    return datetime.fromtimestamp(nxt, timezone.utc)
