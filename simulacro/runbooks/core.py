"""A runbook as code: named steps, each recorded with its inputs, API calls, result, times and evidence.

A step is a method decorated with `@step("what it does")`; steps run in the order they are defined.
A step returns the evidence it produced (a dict), may end the run early with `NothingToDo` (the
system is already recovered: a second run changes nothing and says so), and fails with
`StepFailed` naming what is wrong. Runbooks that change things refuse an environment the spec does
not allow them in (`environments.<env>.allow_runbooks`).
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from simulacro.errors import Refused
from simulacro.evidence import DrillRecord, redact

if TYPE_CHECKING:
    from simulacro.spec.model import Stack
    from simulacro.target.targets import Target


class RunbookRefused(Refused):
    """The runbook may not run here (prod without permission); nothing was done."""


class StepFailed(Exception):
    """A step could not do its job; the message says why and what to check."""


class NothingToDo(Exception):
    """The system is already in the state the runbook brings it to."""


@dataclass
class StepRecord:
    name: str
    purpose: str
    inputs: dict[str, Any]
    started: datetime
    ended: datetime | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    outcome: str = "running"  # done | nothing to do | failed
    message: str = ""


@dataclass
class RunbookRun:
    runbook: str
    environment: str
    inputs: dict[str, Any]
    steps: list[StepRecord] = field(default_factory=list)
    outcome: str = "running"  # recovered | nothing to do | failed
    message: str = ""

    @property
    def evidence(self) -> dict[str, Any]:
        collected: dict[str, Any] = {}
        for step in self.steps:
            collected.update(step.evidence)
        return collected

    def to_json(self) -> dict[str, Any]:
        return redact(
            {
                "runbook": self.runbook,
                "environment": self.environment,
                "inputs": self.inputs,
                "outcome": self.outcome,
                "message": self.message,
                "steps": [
                    {
                        "name": s.name,
                        "purpose": s.purpose,
                        "inputs": s.inputs,
                        "started": s.started.isoformat(),
                        "ended": s.ended.isoformat() if s.ended else None,
                        "calls": s.calls,
                        "evidence": s.evidence,
                        "outcome": s.outcome,
                        "message": s.message,
                    }
                    for s in self.steps
                ],
            }
        )


def step(purpose: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    def mark(method: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        method.step_purpose = purpose  # type: ignore[attr-defined]
        return method

    return mark


class Runbook:
    name: ClassVar[str]
    symptom: ClassVar[str]
    likely_cause: ClassVar[str]
    evidence_kept: ClassVar[str]
    usage: ClassVar[str]
    required_inputs: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        stack: Stack,
        target: Target,
        environment: str,
        *,
        run_id: str = "manual",
        record: DrillRecord | None = None,
        **inputs: Any,
    ):
        self.stack = stack
        self.target = target
        self.environment = environment
        self.run_id = run_id
        self.record = record
        self.inputs = inputs
        self._current: StepRecord | None = None
        missing = [name for name in self.required_inputs if not inputs.get(name)]
        if missing:
            raise ValueError(f"runbook {self.name} needs {', '.join('--' + m for m in missing)}")

    @classmethod
    def steps(cls) -> list[tuple[str, str]]:
        """(name, purpose) of each step, in order: the plan a dry run prints and the docs list."""
        methods = [
            (name, member) for name, member in vars(cls).items() if callable(member) and hasattr(member, "step_purpose")
        ]
        methods.sort(key=lambda item: inspect.getsourcelines(item[1])[1])
        return [(name.replace("_", " "), member.step_purpose) for name, member in methods]

    def plan(self) -> list[str]:
        return [f"{i}. {name}: {purpose}" for i, (name, purpose) in enumerate(self.steps(), start=1)]

    def run(self) -> RunbookRun:
        self._refuse_unless_allowed()
        run = RunbookRun(self.name, self.environment, dict(self.inputs))
        self._note(f"runbook {self.name} started", inputs=self.inputs)
        for name, _ in self.steps():
            outcome = self._run_step(run, name)
            if outcome != "done":
                break
        else:
            run.outcome, run.message = "recovered", f"runbook {self.name}: every step done"
        self._note(f"runbook {self.name}: {run.outcome}", message=run.message)
        return run

    def client(self, service: str) -> "RecordingClient":
        return RecordingClient(self.target.client(service, self.environment), service, self)

    def _run_step(self, run: RunbookRun, name: str) -> str:
        method = getattr(self, name.replace(" ", "_"))
        record = StepRecord(name, method.step_purpose, dict(self.inputs), self.target.clock.now())
        run.steps.append(record)
        self._current = record
        started = time.perf_counter()
        try:
            record.evidence = method() or {}
            record.outcome = "done"
        except NothingToDo as reason:
            record.outcome, record.message = "nothing to do", str(reason)
            run.outcome, run.message = "nothing to do", f"runbook {self.name}: nothing to do: {reason}"
        except StepFailed as failure:
            record.outcome, record.message = "failed", str(failure)
            run.outcome, run.message = "failed", f"runbook {self.name} failed at step '{name}': {failure}"
        finally:
            record.ended = self.target.clock.now()
            self._current = None
            self._note(
                f"{self.name}: {name} ({record.outcome})",
                purpose=record.purpose,
                calls=[f"{c['service']}:{c['operation']}" for c in record.calls],
                wall_ms=round((time.perf_counter() - started) * 1000, 1),
                message=record.message,
            )
        return record.outcome

    def _refuse_unless_allowed(self) -> None:
        allowed = self.stack.environments[self.environment].allow_runbooks
        if self.name not in allowed and "all" not in allowed:
            raise RunbookRefused(
                f"runbook {self.name} may not run in {self.environment}: the spec does not list it in "
                f"environments.{self.environment}.allow_runbooks; nothing was done"
            )

    def _note(self, label: str, **detail: Any) -> None:
        if self.record is not None:
            self.record.add(self.target.clock.now(), "runbook", label, **detail)

    def _called(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if self._current is not None:
            shown = {k: (v if len(str(v)) < 200 else f"{str(v)[:200]}...") for k, v in params.items() if k != "Body"}
            self._current.calls.append({"service": service, "operation": operation, "params": shown})


class RecordingClient:
    """A boto3 client whose calls are recorded into the runbook's current step."""

    def __init__(self, client: Any, service: str, runbook: Runbook):
        self._client = client
        self._service = service
        self._runbook = runbook

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith(("get_paginator", "get_waiter", "can_paginate")):
            return attribute
        operation = self._client.meta.method_to_api_mapping.get(name, name)

        def call(**params: Any) -> Any:
            self._runbook._called(self._service, operation, params)
            return attribute(**params)

        return call
