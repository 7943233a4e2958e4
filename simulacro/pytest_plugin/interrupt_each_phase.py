"""`--interrupt-each-phase`: prove that an interrupted drill leaves nothing behind, for every destructive drill.

Against the local AWS, each destructive drill runs once as usual (counting its injections), then again
once per phase, interrupted there with a KeyboardInterrupt, as Ctrl-C or SIGTERM would:

- right after injection n is in place, for every injection but the last;
- while waiting with every fault in place (the first clock sleep after the last injection).

pytest then tears the drill down, which undoes every fault in reverse order. After the recovery budget
of the endpoint and pipeline alarms has passed, the live stack must equal the one before the drill
(alarm definitions and states, rules and their targets, queue and topic policies, endpoint configs,
pipeline definitions and parameters, schedules, log groups) and nothing the drills create may be left
(`simulacro.gameday.cleanup.find_leftovers`). Each interrupted run is reported as a result of its own,
`<drill>[...-interrupted-<phase>]`, that fails naming every difference.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from _pytest.runner import runtestprotocol

from simulacro.gameday.cleanup import find_leftovers
from simulacro.provision import inventory
from simulacro.spec.model import Alarm, Endpoint, MonitoringSchedule, Pipeline, Rule
from simulacro.target.clock import Clock

if TYPE_CHECKING:
    from simulacro.pytest_plugin.session import SimulacroSession
    from simulacro.target.targets import Target

RECOVERY_WAIT = 900.0  # the endpoint and pipeline alarms recover within 10 minutes (their recovery budgets)
VOLATILE = {"url", "last_execution", "definition"}


class PhaseReached(KeyboardInterrupt):
    """The interruption, raised where Ctrl-C would land."""


@dataclass(frozen=True)
class Phase:
    kind: str  # "injection": right after injection `number`; "waiting": first sleep after injection `number`
    number: int

    @property
    def name(self) -> str:
        return (
            f"after-injection-{self.number}" if self.kind == "injection" else f"waiting-after-injection-{self.number}"
        )


def phases(injections: int, slept_after: set[int]) -> list[Phase]:
    """Right after each injection; for the last, while waiting with every fault in place if the drill waits then."""
    planned = [Phase("injection", n) for n in range(1, injections)]
    if injections in slept_after:
        return planned + [Phase("waiting", injections)]
    return planned + ([Phase("injection", injections)] if injections else [])


class Interrupter:
    """Counts a drill's injections and the waits after each, and raises at the armed phase (in the drill's call
    only: an interruption during the rollback is held until it is done, see `simulacro.target.signals`)."""

    def __init__(self) -> None:
        self.phase: Phase | None = None
        self.injections = 0
        self.slept_after: set[int] = set()
        self.reached = False
        self.in_call = False

    def arm(self, phase: Phase | None) -> None:
        self.phase, self.injections, self.slept_after, self.reached = phase, 0, set(), False

    def injected(self, label: str) -> None:
        self.injections += 1
        if self.in_call and self.phase == Phase("injection", self.injections):
            self._interrupt(f"right after injecting {label}")

    def sleeping(self) -> None:
        if not self.in_call:
            return
        self.slept_after.add(self.injections)
        if self.phase is not None and self.phase.kind == "waiting" and self.injections >= self.phase.number:
            self._interrupt(f"while waiting with {self.injections} fault(s) in place")

    def _interrupt(self, where: str) -> None:
        if not self.reached:
            self.reached = True
            raise PhaseReached(f"interrupted {where}")


class InterruptingClock:
    def __init__(self, clock: Clock, interrupter: Interrupter):
        self._clock = clock
        self._interrupter = interrupter

    def sleep(self, seconds: float) -> None:
        self._interrupter.sleeping()
        self._clock.sleep(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._clock, name)


class InterruptEachPhase:
    """The pytest plugin behind `--interrupt-each-phase`."""

    def __init__(self, state: SimulacroSession):
        self.state = state
        self.interrupter = Interrupter()
        self._target: Target | None = None

    @property
    def target(self) -> Target:
        assert self._target is not None, "pytest_simulacro_provisioned runs before any drill"
        return self._target

    def pytest_simulacro_provisioned(self, target: Target) -> None:
        self._target = target
        target.clock = InterruptingClock(target.clock, self.interrupter)
        self.state.injection_listeners.append(self.interrupter.injected)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        self.interrupter.in_call = True
        try:
            return (yield)
        finally:
            self.interrupter.in_call = False

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        if not item.get_closest_marker("destructive"):
            return None
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        self.interrupter.arm(None)
        runtestprotocol(item, log=True, nextitem=item.parent)  # type: ignore[arg-type]  # the drill as usual
        environments = _environments(item, self.target)
        before = self._settled_state(environments)
        planned = phases(self.interrupter.injections, self.interrupter.slept_after)
        for phase in planned:
            # Only the function's fixtures are torn down between runs; after the last, what the next drill does not need.
            last = phase == planned[-1]
            before = self._interrupted_run(
                item, phase, environments, before, (nextitem if last else None) or item.parent
            )
        if (
            not planned
        ):  # nothing was injected (a skipped drill): tear down what the next drill does not need, as pytest would
            item.session._setupstate.teardown_exact(nextitem)
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    def _interrupted_run(
        self, item: pytest.Item, phase: Phase, environments: list[str], before: dict[str, Any], teardown_to: Any
    ) -> dict[str, Any]:
        started = time.perf_counter()
        self.interrupter.arm(phase)
        problems: list[str] = []
        try:
            runtestprotocol(item, log=False, nextitem=teardown_to)
        except PhaseReached:
            try:  # what pytest does on Ctrl-C: tear the drill down, which undoes every fault in place
                item.ihook.pytest_runtest_teardown(item=item, nextitem=teardown_to)
            except Exception as error:  # noqa: BLE001 - a failed rollback is what this looks for
                problems.append(f"the rollback failed: {error!r}")
        finally:
            reached = self.interrupter.reached
            self.interrupter.arm(None)
        if not reached and not problems:
            problems.append(f"the drill never reached phase {phase.name}")
        after = self._settled_state(environments)
        problems += _differences(before, after)
        _report(item, phase, problems, time.perf_counter() - started)
        return after

    def _settled_state(self, environments: list[str]) -> dict[str, Any]:
        """The live stack once the alarms have had their recovery budget, with what the drills leave behind."""
        recorder = self.state.recorder
        with recorder.paused() if recorder is not None else contextlib.nullcontext():
            return self._read_settled_state(environments)

    def _read_settled_state(self, environments: list[str]) -> dict[str, Any]:
        state: dict[str, Any] = {}
        try:
            self.target.clock.sleep(RECOVERY_WAIT)
        except Exception as error:  # noqa: BLE001 - something the rollback left makes the local AWS fail later
            state["errors"] = {"after the rollback, while time passed": f"{type(error).__name__}: {error}"}
        return state | {
            env: {
                **_fingerprint(self.target, env),
                "leftovers": [str(f) for f in find_leftovers(self.target, self.target.stack, env)],
            }
            for env in environments
        }


def _environments(item: pytest.Item, target: Target) -> list[str]:
    params = getattr(getattr(item, "callspec", None), "params", {})
    named = sorted(
        {v.environment for v in params.values() if isinstance(v, (Alarm, Endpoint, Rule, Pipeline, MonitoringSchedule))}
    )
    return named or list(target.environments)


def _fingerprint(target: Target, environment: str) -> dict[str, Any]:
    found = inventory(target, environment).to_json()
    stack = target.stack
    quick = {a.name for a in stack.alarms if a.environment == environment and a.recovery_budget <= RECOVERY_WAIT}
    found["alarms"] = [{**a, "state": a["state"] if a["name"] in quick else "-"} for a in found["alarms"]]
    sagemaker = target.client("sagemaker", environment)
    found["pipelines"] = [
        {
            "name": p.name,
            "steps_and_parameters": sagemaker.describe_pipeline(PipelineName=p.name).get("PipelineDefinition"),
        }
        for p in stack.pipelines
        if p.environment == environment
    ]
    return {
        kind: value if not isinstance(value, list) else [_stable(v) for v in value] for kind, value in found.items()
    }


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    return value


def _differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    found = [f"{when}: {error}" for when, error in after.get("errors", {}).items()]
    for env, kinds in after.items():
        if env == "errors":
            continue
        for kind, items in kinds.items():
            if kind == "leftovers":
                found += [f"left behind: {leftover}" for leftover in items]
            elif items != before.get(env, {}).get(kind):
                found.append(
                    f"{env}: {kind} differ from before the drill: {_diff(before.get(env, {}).get(kind), items)}"
                )
    return found


def _diff(before: Any, after: Any) -> str:
    if isinstance(before, list) and isinstance(after, list):
        by_name = lambda items: {str(i.get("name", i)) if isinstance(i, dict) else str(i): i for i in items}  # noqa: E731
        old, new = by_name(before), by_name(after)
        changed = [name for name in new if name in old and new[name] != old[name]]
        parts = [
            f"added {sorted(set(new) - set(old))}" if set(new) - set(old) else "",
            f"removed {sorted(set(old) - set(new))}" if set(old) - set(new) else "",
            "changed " + "; ".join(f"{n}: {old[n]} -> {new[n]}" for n in changed) if changed else "",
        ]
        return ", ".join(p for p in parts if p) or "order changed"
    return f"{before!r} -> {after!r}"


def interrupted_nodeid(nodeid: str, phase: Phase) -> str:
    """`test_x[churn-staging]` -> `test_x[churn-staging-interrupted-after-injection-1]` (a result of its own)."""
    return f"{nodeid[:-1]}-interrupted-{phase.name}]" if nodeid.endswith("]") else f"{nodeid}[interrupted-{phase.name}]"


def _report(item: pytest.Item, phase: Phase, problems: list[str], seconds: float) -> None:
    nodeid = interrupted_nodeid(item.nodeid, phase)
    longrepr = None
    if problems:
        longrepr = f"interrupted {phase.name}, the rollback did not leave the stack as it was:\n  " + "\n  ".join(
            problems
        )
    report = pytest.TestReport(
        nodeid=nodeid,
        location=item.location,
        keywords={},
        outcome="failed" if problems else "passed",
        longrepr=longrepr,
        when="call",
        sections=[],
        duration=seconds,
        start=time.time() - seconds,
        stop=time.time(),
        user_properties=[("interrupted", phase.name)],
    )
    item.ihook.pytest_runtest_logreport(report=report)
