"""Faults: each injects through a mechanism that also works on real AWS, records when, and always restores.

`Faults` is the per-drill registry: every injection pushes its undo onto a stack, and the stack is
unwound (in reverse order) when the `with` block ends, when the drill fails, and at teardown
whatever happened, Ctrl-C included.

An injection is made of steps (create a model, create a config, update the endpoint), and each step
registers its own undo as it goes, through the `undo` registrar every fault function takes: when a
step fails (UpdateEndpoint refused, throttled, interrupted), the steps already made are undone at once,
in reverse order, and nothing is left half-applied. One failing undo step never stops the others.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

from simulacro.evidence import DrillRecord
from simulacro.spec import Alarm, Stack
from simulacro.spec.model import Endpoint, Pipeline, Rule

from .alarm_state import force_alarm_state
from .deployment import update_endpoint
from .endpoint import EndpointFaultState
from .incidents import bad_deployment, keep_promotion_rules, promote_regressed_model
from .model_package import register_model_package
from .pipeline import start_failing_execution
from .rule_target import make_unreachable
from .steps import Undo

if TYPE_CHECKING:
    from simulacro.target.targets import Target

T = TypeVar("T")


class InjectionHooks:
    """What a run may add around each injection (the game-day guards do: `simulacro.gameday.drill_guard`).

    The default does nothing. `before` may refuse by raising; `injecting` and `restoring` wrap the
    injection (with the registration of its undo) and the undo; `in_place` is told once the fault is in
    place; `active` spans the whole time the fault is in place.
    """

    def before(self, label: str, detail: dict[str, Any]) -> None:
        pass

    def injecting(self, label: str) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def restoring(self, label: str) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def in_place(self, label: str) -> None:
        pass

    def active(self, label: str) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


class Faults:
    def __init__(
        self,
        stack: Stack,
        target: Target,
        record: DrillRecord,
        run_id: str = "local",
        hooks: InjectionHooks | None = None,
    ):
        self.stack = stack
        self.target = target
        self.record = record
        self.run_id = run_id
        self.hooks = hooks or InjectionHooks()
        self._undo = contextlib.ExitStack()
        self.endpoint_state = EndpointFaultState()
        self.executions: list[str] = []

    @contextlib.contextmanager
    def _injected(self, label: str, inject: Callable[[Undo], T], **detail: Any) -> Iterator[T]:
        """Run `inject(undo)`, whose every step registers its own undo; yields what `inject` returns."""
        self.hooks.before(label, detail)
        with self.hooks.active(label):
            steps = contextlib.ExitStack()
            done = False

            def undo(what: str = "undo") -> None:
                nonlocal done
                if not done:
                    done = True
                    try:
                        with self.hooks.restoring(label):
                            steps.close()
                    finally:
                        self.record.add(self.target.clock.now(), "restore", f"{what}: {label}")

            self._undo.callback(undo)  # before the first step: a half-applied injection is undone too
            applied = False
            try:
                with self.hooks.injecting(label):
                    result = inject(steps.callback)
                    applied = True
                    self.record.add(self.target.clock.now(), "inject", label, **detail)
            except BaseException:
                undo("undo" if applied else "undo of a half-applied injection")
                raise
            self.hooks.in_place(label)
            try:
                yield result
            finally:
                undo()

    def alarm_state(self, alarm: Alarm, state: str = "ALARM") -> contextlib.AbstractContextManager[None]:
        """SetAlarmState, the controlled notification test; the alarm's state is put back on exit."""
        return self._injected(
            f"set-alarm-state {alarm.name} -> {state}",
            lambda undo: force_alarm_state(
                self.target.client("cloudwatch", alarm.environment, self.stack.region_of(alarm, self.target.region)),
                alarm.name,
                state,
                undo=undo,
            ),
            alarm=alarm.name,
            state=state,
        )

    def endpoint_errors(self, endpoint: Endpoint, *, rate: float) -> contextlib.AbstractContextManager[None]:
        """The endpoint's model answers 5xx to a share `rate` of the drill's requests."""
        return self._endpoint_item(
            endpoint, "error-rate", f"{rate:g}", f"5xx on {rate:.0%} of requests to {endpoint.name}"
        )

    def endpoint_latency(self, endpoint: Endpoint, *, added_ms: float) -> contextlib.AbstractContextManager[None]:
        """The endpoint's model takes `added_ms` longer to answer each of the drill's requests."""
        return self._endpoint_item(
            endpoint, "latency-ms", f"{added_ms:g}", f"+{added_ms:g} ms latency on {endpoint.name}"
        )

    def _endpoint_item(
        self, endpoint: Endpoint, item: str, value: str, label: str
    ) -> contextlib.AbstractContextManager[None]:
        def inject(undo: Undo) -> None:
            self.endpoint_state.activate(endpoint, item, value)
            undo(lambda: self.endpoint_state.deactivate(endpoint, item))

        return self._injected(label, inject, endpoint=endpoint.name, mechanism=f"CustomAttributes {item}:{value}")

    def pipeline_step_failure(self, pipeline: Pipeline, step: str | None) -> str:
        """Start an execution of `pipeline` whose `step` fails (None: a clean run); it is stopped at teardown if still running."""
        sagemaker = self.target.client("sagemaker", pipeline.environment)
        label = (
            f"pipeline {pipeline.name}: step {step} made to fail" if step else f"pipeline {pipeline.name}: clean run"
        )
        arn = self._undo.enter_context(
            self._injected(
                label,
                lambda undo: start_failing_execution(sagemaker, pipeline, step, self.run_id, undo=undo),
                pipeline=pipeline.name,
                parameter=pipeline.fault.parameter,
                value=step,
            )
        )
        self.executions.append(arn)
        return arn

    def rule_target_unreachable(
        self, rule: Rule, target_id: str, how: str = "policy"
    ) -> contextlib.AbstractContextManager[None]:
        """The rule's target refuses it (`policy`) or is gone (`missing`); the target is restored on exit."""
        env = rule.environment
        rule_arn = self.target.client("events", env).describe_rule(Name=rule.name)["Arn"]

        def inject(undo: Undo) -> None:
            # AWS/Events counts failures per minute: the next drill must not read this one's in its minute.
            undo(lambda: self.target.clock.sleep(60 - self.target.clock.now().timestamp() % 60))
            make_unreachable(
                self.target.client("events", env),
                self.target.client("sqs", env),
                self.target.client("sns", env),
                rule.name,
                rule_arn,
                target_id,
                how,
                self.run_id,
                undo=undo,
            )

        return self._injected(
            f"rule {rule.name}: target {target_id} made unreachable ({how})",
            inject,
            rule=rule.name,
            target=target_id,
            how=how,
        )

    def endpoint_update(self, endpoint: Endpoint, *, broken: bool = False) -> str:
        """Update the endpoint to a copy of its config (or a broken one); it goes back to the original at teardown."""
        sagemaker = self.target.client("sagemaker", endpoint.environment)
        label = f"endpoint {endpoint.name} updated to a {'broken' if broken else 'copied'} config"
        return self._undo.enter_context(
            self._injected(
                label,
                lambda undo: update_endpoint(
                    sagemaker, self.target.clock, endpoint, self.run_id, broken=broken, undo=undo
                ),
                endpoint=endpoint.name,
                broken=broken,
            )
        )

    def model_package_registration(self, group: str, environment: str) -> str:
        """Register a throw-away model package version in `group`; deleted at teardown."""
        sagemaker = self.target.client("sagemaker", environment)
        return self._undo.enter_context(
            self._injected(
                f"model package registered in {group}",
                lambda undo: register_model_package(sagemaker, group, self.run_id, undo=undo),
                group=group,
            )
        )

    def bad_deployment(self, endpoint: Endpoint) -> contextlib.AbstractContextManager[None]:
        """Deploy a config whose model loads but answers errors (the spec's broken artifact); rolled back on exit if still live."""
        artifact = self._fault_spec(endpoint).broken_artifact
        return self._injected(
            f"bad deployment on {endpoint.name}: model {artifact} answers errors",
            lambda undo: bad_deployment(
                self.target.client("sagemaker", endpoint.environment),
                self.target.clock,
                self.stack,
                endpoint,
                artifact,
                self.run_id,
                undo=undo,
            ),
            endpoint=endpoint.name,
            artifact=artifact,
        )

    def regressed_promotion(self, endpoint: Endpoint, group: str, artifact: str | None = None) -> str:
        """Approve a package of the spec's regressed model (or of `artifact`, e.g. the spec's broken one that answers
        errors): the promotion path deploys it. Undone at teardown."""
        artifact = artifact or self._fault_spec(endpoint).regressed_artifact
        sagemaker = self.target.client("sagemaker", endpoint.environment)
        return self._undo.enter_context(
            self._injected(
                f"regressed model {artifact} approved in {group}",
                lambda undo: promote_regressed_model(
                    sagemaker, self.target.clock, endpoint, group, artifact, self.run_id, undo=undo
                ),
                group=group,
                artifact=artifact,
            )
        )

    def candidate_promotion(self, candidate: Any, group: str, *, leave: bool = False) -> str:
        """Register the pre-promotion gate's candidate in `group` and approve it: the promotion path deploys it.
        Undone at teardown: rejected, the endpoint back on its config (kept on real AWS with `leave`)."""
        from simulacro.drill.candidate.deployment import promote_candidate

        sagemaker = self.target.client("sagemaker", candidate.environment)
        return self._undo.enter_context(
            self._injected(
                f"candidate {candidate.name} registered in {group} and approved",
                lambda undo: promote_candidate(
                    sagemaker,
                    self.target.clock,
                    candidate,
                    self.stack,
                    group,
                    self.run_id,
                    local=hasattr(self.target, "local_aws"),
                    leave=leave,
                    undo=undo,
                ),
                group=group,
                candidate=candidate.name,
                source=candidate.source,
            )
        )

    def keep_promotion_as_it_was(self, environment: str) -> None:
        """A runbook may freeze promotion during the drill; put the promotion rules back afterwards."""
        events = self.target.client("events", environment)
        self._undo.callback(keep_promotion_rules(events, self.stack, environment))

    def _fault_spec(self, endpoint: Endpoint) -> Any:
        if endpoint.faults is None:
            raise AssertionError(
                f"endpoint {endpoint.name} declares no fault mechanism in the spec: incidents can only be staged on one that does"
            )
        return endpoint.faults

    def undo_all(self) -> None:
        self._undo.close()
