"""Stop conditions: the guard alarms the spec declares per environment (`environments.<env>.guard_alarms`).

They are checked before each injection and watched while a fault is in place. One in ALARM outside
the drill's own blast radius aborts the drill: the fault registry rolls everything back (in reverse
order) and the run stops. The blast radius is what the drill itself touches: the alarms it expects or
forces, and every alarm that watches a resource it breaks (an endpoint, a pipeline, a rule, a group).
The checks before an injection are made by the drill's fault registry (`simulacro.gameday.drill_guard`); the watch
while time passes by the target's clock (`WatchedClock`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from simulacro.spec import Alarm, Stack, format_duration
from simulacro.target.clock import Clock
from simulacro.target.pages import every_item
from simulacro.target.waits import LONG_WAIT, PROGRESS_EVERY

if TYPE_CHECKING:
    from datetime import datetime

    from simulacro.target.targets import Target

RESOURCE_KEYS = ("endpoint", "pipeline", "rule", "group", "target")
NAMES_PER_CALL = 100  # DescribeAlarms takes at most 100 AlarmNames
TYPES = ["MetricAlarm", "CompositeAlarm"]
ALARM_KINDS = ("MetricAlarms", "CompositeAlarms")
WALL_CHECK_EVERY = 30.0  # CloudWatch evaluates alarms every minute: half of that catches each change
VIRTUAL_CHECK_EVERY = 60.0


class StopCondition(BaseException):
    """A guard alarm is in ALARM outside the drill's blast radius: the drill is aborted and rolled back.

    A BaseException, like KeyboardInterrupt, so that no `except Exception` in a drill or runbook swallows it.
    """


@dataclass
class BlastRadius:
    alarms: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)

    def include_injection(self, detail: dict[str, Any]) -> None:
        if detail.get("alarm"):
            self.alarms.add(str(detail["alarm"]))
        self.resources.update(str(detail[key]) for key in RESOURCE_KEYS if detail.get(key))

    def covers(self, name: str, declared: Alarm | None) -> bool:
        if name in self.alarms:
            return True
        watched = {value for ref in declared.metric_refs for value in ref.dimensions.values()} if declared else set()
        return bool(watched & self.resources)


class GuardAlarms:
    """The guard alarms of the environments a target reaches, read live."""

    def __init__(self, stack: Stack, target: Target):
        self.stack = stack
        self.target = target
        self.by_environment = {
            env: list(stack.environments[env].guard_alarms)
            for env in target.environments
            if stack.environments[env].guard_alarms
        }

    def __bool__(self) -> bool:
        return bool(self.by_environment)

    def missing(self) -> list[str]:
        """Guard alarms the spec declares that do not exist live (a stop condition that cannot fire)."""
        return [
            f"{name} ({env})"
            for env, names in self.by_environment.items()
            for name in sorted(set(names) - {a["AlarmName"] for a in self._describe(env, names)})
        ]

    def firing(self, radius: BlastRadius) -> list[str]:
        """Guard alarms in ALARM that the drill's blast radius does not explain."""
        return [
            f"{a['AlarmName']} ({env}): {a.get('StateReason', '')}".strip()
            for env, names in self.by_environment.items()
            for a in self._describe(env, names)
            if a["StateValue"] == "ALARM" and not radius.covers(a["AlarmName"], self._declared(a["AlarmName"], env))
        ]

    def _describe(self, environment: str, names: list[str]) -> list[dict[str, Any]]:
        """The live guard alarms, each read in the region the spec puts it (a cost alarm: us-east-1)."""
        by_region: dict[str, list[str]] = {}
        for name in names:
            region = self.stack.region_of(self._declared(name, environment), self.target.region)
            by_region.setdefault(region, []).append(name)
        alarms: list[dict[str, Any]] = []
        for region, in_region in by_region.items():
            cloudwatch = self.target.client("cloudwatch", environment, region)
            for start in range(0, len(in_region), NAMES_PER_CALL):
                names_here = in_region[start : start + NAMES_PER_CALL]
                # without AlarmTypes, only metric alarms are listed
                alarms += every_item(
                    cloudwatch, "describe_alarms", ALARM_KINDS, AlarmNames=names_here, AlarmTypes=TYPES
                )
        return alarms

    def _declared(self, name: str, environment: str) -> Alarm | None:
        return next((a for a in self.stack.alarms if a.name == name and a.environment == environment), None)


class DrillWatch:
    """One drill's stop-condition watch: its blast radius, the faults in place, and rate-limited checks."""

    def __init__(
        self,
        guards: GuardAlarms,
        clock: Clock,
        drill: str,
        listeners: list[Callable[[str], None]] | None = None,
        notice: Callable[[str], None] | None = None,
    ):
        self.guards = guards
        self.clock = clock
        self.drill = drill
        self.notice = notice or (lambda line: print(f"[simulacro] {line}", file=sys.stderr, flush=True))
        # Told of each injection once it is in place and its undo registered (the interruption rehearsal listens).
        self.listeners = listeners if listeners is not None else []
        self.radius = BlastRadius()
        self.active = 0
        self.restoring = 0
        self._checked_at: datetime | None = None
        self.every = VIRTUAL_CHECK_EVERY if clock.virtual else WALL_CHECK_EVERY

    def before_injection(self, label: str, detail: dict[str, Any]) -> None:
        self.radius.include_injection(detail)
        self._check(f"before injecting {label}")

    def tick(self) -> None:
        if not self.active or self.restoring or not self.guards:
            return
        now = self.clock.now()
        if self._checked_at is None or (now - self._checked_at).total_seconds() >= self.every:
            self._check("while the drill's faults were in place")

    def _check(self, when: str) -> None:
        self._checked_at = self.clock.now()
        if not self.guards:
            return
        firing = self.guards.firing(self.radius)
        if firing:
            raise StopCondition(
                f"stop condition: guard alarm {'; '.join(firing)} is in ALARM {when}, outside the blast radius of "
                f"{self.drill}. The drill was aborted and its faults rolled back; the run stops here. Find out why "
                "the guard alarm fired before running again."
            )


class WatchedClock:
    """The target's clock, checking the current drill's stop conditions as time passes; a wall-clock sleep of 30 s
    or more (a steady-state hold, the control run's window) says so, and says how far it got every 30 s."""

    def __init__(
        self, clock: Clock, current: Callable[[], DrillWatch | None], progress: Callable[[str], None] | None = None
    ):
        self._clock = clock
        self._current = current
        self._progress = progress

    def sleep(self, seconds: float) -> None:
        watch = self._current()
        if self._clock.virtual:
            self._clock.sleep(seconds)
        else:
            self._wall_sleep(seconds, watch)
        if watch is not None:
            watch.tick()

    def _wall_sleep(self, seconds: float, watch: DrillWatch | None) -> None:
        say = self._progress if seconds >= LONG_WAIT else None
        if say is not None:
            say(
                f"letting {format_duration(seconds)} pass on the wall clock (a steady-state hold or a control window; "
                "nothing is wrong)"
            )
        slept = reported = 0.0
        while slept < seconds:  # a long wall-clock sleep is watched as it goes
            step = min(seconds - slept, watch.every if watch is not None else PROGRESS_EVERY, PROGRESS_EVERY)
            self._clock.sleep(step)
            slept += step
            if watch is not None:
                watch.tick()
            if say is not None and slept - reported >= PROGRESS_EVERY and slept < seconds:
                say(f"still letting time pass: {format_duration(slept)} of {format_duration(seconds)}")
                reported = slept

    def __getattr__(self, name: str) -> Any:
        return getattr(self._clock, name)
