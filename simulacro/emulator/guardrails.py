"""Deployment guardrails: a blue/green UpdateEndpoint that shifts traffic, bakes and rolls back on alarms.

AWS-FACTS §8 ("Deployment guardrails"). `UpdateEndpoint` with a `DeploymentConfig` provisions the new
(green) fleet beside the old (blue) one, then shifts traffic to it as
`BlueGreenUpdatePolicy.TrafficRoutingConfiguration` says:
- `ALL_AT_ONCE`: 100 % at once;
- `CANARY`: `CanarySize` (at most 50 % of the green fleet), then the rest;
- `LINEAR`: `LinearStepSize` (10-50 %) per step until 100 %;
each shift followed by a baking period of `WaitIntervalInSeconds`. After the last bake the blue fleet is
kept `TerminationWaitInSeconds` more, then terminated: the deployment is done. While the blue fleet
exists (every bake and the termination wait), any alarm of `AutoRollbackConfiguration.Alarms` in ALARM
shifts all traffic back to it: the endpoint is `RollingBack`, then `InService` on the old config with a
`FailureReason`. A deployment still running after `MaximumExecutionTimeoutInSeconds` rolls back too.

The share of requests on the green fleet is what the data plane asks (`traffic_split`): it serves that
share with the new config's model, so a regressing model really produces the 5xx and latency the alarms
watch. Each stage emits `SageMaker Endpoint Deployment State Change` with the pending deployment's
`VariantStatus` (`Creating`, `ActivatingTraffic`, `Baking`). The emulator checks the alarms every
`WATCH_SECONDS` of virtual time (alarms change state once a minute, or on SetAlarmState).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from simulacro.target.clock import SchedulingClock

from .errors import validation

WATCH_SECONDS = 10
ROLLBACK_SECONDS = 120
TRAFFIC_TYPES = ("ALL_AT_ONCE", "CANARY", "LINEAR")
SIZE_TYPES = ("INSTANCE_COUNT", "CAPACITY_PERCENT")
DEFAULT_TIMEOUT_SECONDS = 28800


@dataclass(frozen=True)
class Policy:
    """What a DeploymentConfig asks, read once: the green fleet's share after each shift (the last is 1.0)."""

    traffic_type: str
    shares: tuple[float, ...]
    wait_seconds: int
    termination_wait_seconds: int
    timeout_seconds: int
    alarms: tuple[str, ...]


@dataclass
class Rollout:
    key: tuple[str, str, str]  # account, region, endpoint
    policy: Policy
    old_config: str
    new_config: str
    started: datetime
    finish: Callable[[], None]  # the deployment is done: the endpoint serves the new config
    roll_back: Callable[[str], None]  # all traffic is going back to the old fleet, for this reason
    restored: Callable[[str], None]  # the rollback is over: the old config serves alone again
    emit: Callable[["Rollout"], None]  # a Deployment State Change event for the current stage
    step: int = -1
    share: float = 0.0
    stage: str = "Creating"
    stage_message: str = "Creating the new fleet"
    stage_start: datetime | None = None
    rolling_back: bool = False
    log: list[tuple[datetime, str, str]] = field(
        default_factory=list
    )  # (when, stage, message): the emulator's own record


def parse_policy(config: dict[str, Any] | None, instance_count: int) -> Policy | None:
    """The Policy of an UpdateEndpoint's DeploymentConfig; None when it asks no blue/green traffic shifting."""
    if not config:
        return None
    if config.get("RollingUpdatePolicy") and config.get("BlueGreenUpdatePolicy"):
        raise validation("DeploymentConfig takes either BlueGreenUpdatePolicy or RollingUpdatePolicy, not both.")
    if config.get("RollingUpdatePolicy"):
        raise validation("RollingUpdatePolicy is not emulated locally: use BlueGreenUpdatePolicy.")
    blue_green = config.get("BlueGreenUpdatePolicy") or {
        "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}
    }
    routing = blue_green.get("TrafficRoutingConfiguration") or {}
    traffic_type = routing.get("Type")
    if traffic_type not in TRAFFIC_TYPES:
        raise validation(
            f"TrafficRoutingConfiguration.Type must be one of {', '.join(TRAFFIC_TYPES)}, got {traffic_type!r}."
        )
    wait = _bounded(routing.get("WaitIntervalInSeconds"), "TrafficRoutingConfiguration.WaitIntervalInSeconds", 0, 3600)
    termination = _bounded(
        blue_green.get("TerminationWaitInSeconds", 0), "BlueGreenUpdatePolicy.TerminationWaitInSeconds", 0, 3600
    )
    timeout = _bounded(
        blue_green.get("MaximumExecutionTimeoutInSeconds", DEFAULT_TIMEOUT_SECONDS),
        "BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds",
        600,
        28800,
    )
    alarms = tuple(a.get("AlarmName", "") for a in (config.get("AutoRollbackConfiguration") or {}).get("Alarms") or [])
    if "AutoRollbackConfiguration" in config and not 1 <= len(alarms) <= 10:
        raise validation("AutoRollbackConfiguration.Alarms takes between 1 and 10 alarms.")
    return Policy(traffic_type, _shares(traffic_type, routing, instance_count), wait, termination, timeout, alarms)


def _shares(traffic_type: str, routing: dict[str, Any], instance_count: int) -> tuple[float, ...]:
    if traffic_type == "ALL_AT_ONCE":
        return (1.0,)
    member = "CanarySize" if traffic_type == "CANARY" else "LinearStepSize"
    size = routing.get(member)
    if not size:
        raise validation(f"TrafficRoutingConfiguration.{member} is required when Type is {traffic_type}.")
    share = _capacity_share(size, member, instance_count)
    if traffic_type == "CANARY":
        if share > 0.5:
            raise validation(f"{member} must be at most 50% of the new fleet's capacity, got {share:.0%}.")
        return (share, 1.0)
    if not 0.1 <= share <= 0.5 and size.get("Type") == "CAPACITY_PERCENT":
        raise validation(f"{member} must be between 10% and 50% of the new fleet's capacity, got {share:.0%}.")
    steps = math.ceil(round(1.0 / share, 9))
    return tuple(min(1.0, share * (k + 1)) for k in range(steps))


def _capacity_share(size: dict[str, Any], member: str, instance_count: int) -> float:
    kind, value = size.get("Type"), size.get("Value")
    if kind not in SIZE_TYPES:
        raise validation(f"{member}.Type must be one of {', '.join(SIZE_TYPES)}, got {kind!r}.")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise validation(f"{member}.Value must be a positive integer, got {value!r}.")
    share = value / 100.0 if kind == "CAPACITY_PERCENT" else value / max(instance_count, 1)
    if share > 1.0:
        raise validation(f"{member} of {value} {kind} is larger than the new fleet ({instance_count} instances).")
    return share


def _bounded(value: Any, name: str, low: int, high: int) -> int:
    if value is None:
        raise validation(f"{name} is required.")
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise validation(f"{name} must be an integer between {low} and {high}, got {value!r}.")
    return value


class Guardrails:
    """Drives every blue/green deployment on the clock; the endpoint lifecycle stays in `endpoints.py`."""

    def __init__(self, clock: SchedulingClock, alarm_state: Callable[[str, str, str], str | None]):
        self.clock = clock
        self.alarm_state = alarm_state  # (account, region, alarm name) -> OK | ALARM | INSUFFICIENT_DATA | None
        self.rollouts: dict[tuple[str, str, str], Rollout] = {}
        self.finished: list[Rollout] = []

    def start(self) -> None:
        self.clock.call_every(WATCH_SECONDS, self._watch_all)

    def clear(self) -> None:
        self.rollouts.clear()
        self.finished.clear()

    def forget(self, key: tuple[str, str, str]) -> None:
        self.rollouts.pop(key, None)

    def traffic_split(self, account: str, region: str, endpoint: str) -> tuple[str, float] | None:
        """(new config, share of requests it serves) while an endpoint shifts traffic; None otherwise."""
        rollout = self.rollouts.get((account, region, endpoint))
        if rollout is None or rollout.share <= 0.0:
            return None
        return rollout.new_config, rollout.share

    def pending(self, account: str, region: str, endpoint: str) -> Rollout | None:
        return self.rollouts.get((account, region, endpoint))

    def begin(self, rollout: Rollout) -> None:
        """The green fleet is up: shift the first step, and arm the execution timeout."""
        self.rollouts[rollout.key] = rollout
        deadline = rollout.policy.timeout_seconds - (self.clock.now() - rollout.started).total_seconds()
        self.clock.call_later(max(deadline, 0), lambda: self._timed_out(rollout))
        self._shift(rollout)

    # --- stages ------------------------------------------------------------------------

    def _shift(self, rollout: Rollout) -> None:
        if not self._live(rollout):
            return
        rollout.step += 1
        rollout.share = rollout.policy.shares[rollout.step]
        self._stage(
            rollout,
            "ActivatingTraffic",
            f"Shifting {rollout.share:.0%} of the traffic to the new fleet ({rollout.policy.traffic_type})",
        )
        self._stage(
            rollout,
            "Baking",
            f"Baking for {rollout.policy.wait_seconds} seconds (WaitIntervalInSeconds) with "
            f"{rollout.share:.0%} of the traffic on the new fleet",
        )
        if self._check_alarms(rollout):
            return
        last = rollout.step == len(rollout.policy.shares) - 1
        self.clock.call_later(
            rollout.policy.wait_seconds, lambda: self._terminate_wait(rollout) if last else self._shift(rollout)
        )

    def _terminate_wait(self, rollout: Rollout) -> None:
        if not self._live(rollout):
            return
        if rollout.policy.termination_wait_seconds <= 0:
            self._done(rollout)
            return
        self._stage(
            rollout,
            "Baking",
            f"Baking for {rollout.policy.termination_wait_seconds} seconds "
            "(TerminationWaitInSeconds) with traffic enabled on full fleet",
        )
        self.clock.call_later(rollout.policy.termination_wait_seconds, lambda: self._done(rollout))

    def _done(self, rollout: Rollout) -> None:
        if not self._live(rollout):
            return
        self._end(rollout)
        rollout.log.append((self.clock.now(), "Completed", "old fleet terminated"))
        rollout.finish()

    def _timed_out(self, rollout: Rollout) -> None:
        if self._live(rollout):
            self._start_rollback(
                rollout,
                f"Deployment exceeded MaximumExecutionTimeoutInSeconds "
                f"({rollout.policy.timeout_seconds} s): traffic was shifted back to the old fleet.",
            )

    def _watch_all(self) -> None:
        for rollout in list(self.rollouts.values()):
            if rollout.stage == "Baking" and not rollout.rolling_back:
                self._check_alarms(rollout)

    def _check_alarms(self, rollout: Rollout) -> bool:
        account, region, _ = rollout.key
        firing = [name for name in rollout.policy.alarms if self.alarm_state(account, region, name) == "ALARM"]
        if not firing:
            return False
        self._start_rollback(
            rollout,
            f"Rolled back the deployment of endpoint config {rollout.new_config}: "
            f"alarm(s) {', '.join(firing)} in ALARM during the baking period "
            f"({rollout.share:.0%} of the traffic on the new fleet).",
        )
        return True

    def _start_rollback(self, rollout: Rollout, reason: str) -> None:
        rollout.rolling_back, rollout.share = True, 0.0
        rollout.log.append((self.clock.now(), "RollingBack", reason))
        rollout.roll_back(reason)
        self.clock.call_later(ROLLBACK_SECONDS, lambda: self._rolled_back(rollout, reason))

    def _rolled_back(self, rollout: Rollout, reason: str) -> None:
        if self.rollouts.get(rollout.key) is not rollout:
            return
        self._end(rollout)
        rollout.log.append((self.clock.now(), "RolledBack", reason))
        rollout.restored(reason)

    def _stage(self, rollout: Rollout, stage: str, message: str) -> None:
        rollout.stage, rollout.stage_message, rollout.stage_start = stage, message, self.clock.now()
        rollout.log.append((rollout.stage_start, stage, message))
        rollout.emit(rollout)

    def _end(self, rollout: Rollout) -> None:
        self.rollouts.pop(rollout.key, None)
        rollout.share = 0.0
        self.finished.append(rollout)

    def _live(self, rollout: Rollout) -> bool:
        return self.rollouts.get(rollout.key) is rollout and not rollout.rolling_back


def variant_status(rollout: Rollout) -> list[dict[str, Any]]:
    """ProductionVariantStatus as DescribeEndpoint and the deployment event report the green fleet's stage."""
    status: dict[str, Any] = {"Status": rollout.stage, "StatusMessage": rollout.stage_message}
    if rollout.stage_start is not None:
        status["StartTime"] = rollout.stage_start
    return [status]
