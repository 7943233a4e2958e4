"""Steady traffic for the length of a drill: a minute of requests at a time, as the target's clock moves.

Locally each minute is thousands of simulated requests in virtual time (`LocalTarget.traffic`); the
requests carry whatever fault attribute is active for their endpoint at that minute, so a fault
shows in the metrics exactly from the minute it was injected until the minute it was removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, cast

from simulacro.evidence import DrillRecord
from simulacro.spec.model import Endpoint

if TYPE_CHECKING:
    from simulacro.target.targets import Target
from simulacro.target.clock import SchedulingClock

MINUTE = 60
# Requests are generated ten seconds at a time, so a fault shows in the metrics at most 10 s late.
CHUNK = 10


class Traffic:
    def __init__(self, target: Target, record: DrillRecord, attributes_for: Callable[[Endpoint], str | None]):
        self.target = target
        self.record = record
        self.attributes_for = attributes_for
        self._timers: list[Any] = []
        self.minutes: list[dict[str, Any]] = []

    def keep(self, endpoint: Endpoint, *, per_minute: float | None = None) -> None:
        """From now until the drill ends, `per_minute` requests every minute (default: the spec's drill traffic)."""
        rate = per_minute or endpoint.drill_traffic_per_minute
        if not self.target.clock.virtual:
            # Real requests from a background thread, each with the fault attribute active when it is sent.
            self._timers.append(
                self.target.background_traffic(
                    endpoint.name, endpoint.environment, rate, lambda: self.attributes_for(endpoint)
                )
            )
            self.record.add(
                self.target.clock.now(), "note", f"steady traffic to {endpoint.name}: {rate:g} requests/minute"
            )
            return

        def one_chunk() -> None:
            attributes = self.attributes_for(endpoint)
            served = self.target.traffic(
                endpoint.name,
                endpoint.environment,
                requests_per_minute=rate,
                duration_seconds=CHUNK,
                custom_attributes=attributes,
            )
            self.minutes.append(
                {"at": self.target.clock.now(), "endpoint": endpoint.name, "fault": attributes, "served": served}
            )

        scheduler = cast(SchedulingClock, self.target.clock)  # a virtual clock: it has timers
        self._timers.append(scheduler.call_every(CHUNK, one_chunk, now=True))
        self.record.add(self.target.clock.now(), "note", f"steady traffic to {endpoint.name}: {rate:g} requests/minute")
        self.target.clock.sleep(0)  # the first minute starts now

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
