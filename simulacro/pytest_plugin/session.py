"""One run of the drills: the spec, the target's life (preflight, provisioning, inventories, leftovers), the
guards that decide what may run, what the operator is told as it goes, and the evidence bundle.

The pytest plugin (`simulacro.pytest_plugin.plugin`) holds one per session and delegates to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

from simulacro.errors import SimulacroError
from simulacro.evidence import DrillRecord, redact, redact_text, scorecard
from simulacro.gameday.call_recorder import CallRecorder
from simulacro.gameday.cleanup import find_leftovers
from simulacro.gameday.guards import destructive_refusal, undeclared_write
from simulacro.gameday.parallel import resource_groups
from simulacro.gameday.preflight import check_drill_permissions, identify, require_guard_alarms
from simulacro.gameday.stop_conditions import DrillWatch, GuardAlarms, WatchedClock
from simulacro.spec import SpecError, Stack, load_stack
from simulacro.target.aws_errors import ApiUnavailable, operator_message
from simulacro.target.targets import AwsTarget

if TYPE_CHECKING:
    from simulacro.target.targets import LocalTarget, Target

DEFAULT_ENVIRONMENT = "staging"
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


class SimulacroSession:
    """Session-wide state: the spec, the target, every drill's record and the final inventories."""

    def __init__(self, config: pytest.Config):
        self.config = config
        worker_input = getattr(config, "workerinput", {})
        self.run_id = (
            config.getoption("--run-id")
            or worker_input.get("simulacro_run_id")
            or datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
        )
        self.records: list[DrillRecord] = []
        self.received_records: list[dict[str, Any]] = []
        self.skipped: dict[str, str] = {}
        self.inventories: list[dict[str, Any]] = []
        self.initial_inventories: list[dict[str, Any]] = []
        self.leftovers: list[str] = []
        self.watch: DrillWatch | None = None
        self.injection_listeners: list[Callable[[str], None]] = []  # each hears an injection's label
        self.recorder = CallRecorder() if config.getoption("--record-calls") else None
        # The evidence's inventories (before and after the drills) and its search for leftovers: a few seconds of
        # reads that decide no drill's outcome; a harness that reads only the outcomes (the selfcheck) turns them off.
        self.takes_inventories = True
        self.aws: AwsTarget | None = None  # --target aws, once identified
        self.restore_sigterm: Callable[[], None] = lambda: None
        self.restore_progress: Callable[[], None] = lambda: None
        self._guard_alarms: GuardAlarms | None = None
        self._stack: Stack | None = None
        self._scorecard: dict[str, Any] | None = None
        self.previous = _previous_bundle(config.getoption("--compare"))
        self.drill_running: pytest.Item | None = None  # the drill in its call phase (not its fixtures' set-up)
        self._last_call = threading.local()  # per thread: the call an AWS error in a drill was about

    @property
    def stack(self) -> Stack:
        if self._stack is None:
            try:
                self._stack = load_stack(self.config.getoption("--spec"))
            except SpecError as error:
                raise pytest.UsageError(str(error)) from None
        return self._stack

    @property
    def on_aws(self) -> bool:
        return self.config.getoption("--target") == "aws"

    @property
    def dry_run(self) -> bool:
        return bool(self.config.getoption("--dry-run"))

    @property
    def environment(self) -> str:
        return self.config.getoption("--env") or DEFAULT_ENVIRONMENT

    @property
    def environments(self) -> list[str]:
        if not self.on_aws:
            return list(self.stack.environments)
        return [self.environment]

    def check_options(self) -> None:
        if (self.on_aws or self.config.getoption("--env")) and self.environment not in self.stack.environments:
            raise pytest.UsageError(
                f"--env {self.environment}: {self.config.getoption('--spec')} declares no such environment "
                f"(it declares {', '.join(self.stack.environments)})"
            )
        if self.on_aws and self.config.getoption("--interrupt-each-phase"):
            raise pytest.UsageError(
                "--interrupt-each-phase interrupts drills on purpose: it runs against the local AWS only "
                "(leave out --target aws)"
            )
        if not RUN_ID.match(self.run_id):
            raise pytest.UsageError(
                f"--run-id {self.run_id!r}: use 1 to 40 letters, digits and dashes "
                "(it goes into the names of what the run creates)"
            )

    def identified_aws(self) -> AwsTarget:
        """The real account's target, as `identify` checked it at the start of a `--target aws` run."""
        assert self.aws is not None, "identify() runs first on --target aws"
        return self.aws

    def describe_target(self) -> str:
        if self.aws is not None:
            return self.aws.describe()
        return "the embedded local AWS (virtual time), every environment of the spec"

    # --- real AWS: preflight and guards ----------------------------------------------------

    def identify(self) -> None:
        config = self.config
        try:
            self.aws = AwsTarget(
                self.stack,
                self.environment,
                profile=config.getoption("--aws-profile"),
                region=config.getoption("--aws-region"),
                endpoint_url=config.getoption("--endpoint-url"),
            )
            identify(self.aws, config.getoption("--spec"))
        except SimulacroError as refusal:
            raise pytest.UsageError(str(refusal)) from None
        configured = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if configured and configured != self.aws.region and not config.getoption("--aws-region"):
            self.say(
                f"AWS_REGION says {configured}, but the drills use {self.aws.region}, where the spec says the stack "
                "lives (--aws-region chooses another)"
            )

    def refuse_destructive(self, items: list[pytest.Item]) -> None:
        """Skip each destructive drill the spec does not allow in this environment, with the reason."""
        for item in items:
            if item.get_closest_marker("destructive"):
                self._skip(item, destructive_refusal(self.stack, self.environment, item.name, item.nodeid))

    def group_by_resource(self, items: list[pytest.Item]) -> None:
        """With `--dist loadgroup`, drills that touch the same resources run in one worker, one after the other."""
        for nodeid, group in resource_groups(items, self.stack, self.environments).items():
            next(i for i in items if i.nodeid == nodeid).add_marker(pytest.mark.xdist_group(group))

    def check_permissions(self, items: list[pytest.Item]) -> None:
        """Refuse the run if it cannot be made safe; skip the drills the identity may not run, naming the actions."""
        runnable = [i for i in items if i.nodeid not in self.skipped]
        aws = self.identified_aws()
        identity = aws.identity
        assert identity is not None, "identify() read the caller identity"
        try:
            if any(i.get_closest_marker("destructive") for i in runnable):
                require_guard_alarms(aws)
            permissions = check_drill_permissions(
                aws,
                identity,
                [i.nodeid for i in runnable],
                provision=self.config.getoption("--provision"),
            )
        except SimulacroError as refusal:
            raise pytest.UsageError(str(refusal)) from None
        self._report_permission_check(permissions)
        for item in runnable:
            lacking = permissions.missing_by_drill.get(item.nodeid)
            if lacking:
                self._skip(
                    item,
                    f"the identity {identity['Arn']} lacks {', '.join(sorted(lacking))} (IAM policy "
                    "simulation); grant it (python -m simulacro iam-policy) to run this drill",
                )

    def _skip(self, item: pytest.Item, reason: str | None) -> None:
        if reason:
            self.skipped[item.nodeid] = reason
            item.add_marker(pytest.mark.skip(reason=reason))

    def _report_permission_check(self, permissions: Any) -> None:
        if not permissions.check.checked:
            self.say(f"permissions not checked before the run: {permissions.check.note}")
        if permissions.unknown:
            self.say(
                f"no recorded permissions for {', '.join(permissions.unknown)} (python -m simulacro iam-policy --record)"
            )

    def say(self, line: str) -> None:
        self._write_past_capture(f"simulacro: {line}")

    def say_live(self, line: str) -> None:
        """A progress line or a notice, shown at once even while a drill runs (pytest captures its output)."""
        self._write_past_capture(f"  [simulacro] {line}")

    def _write_past_capture(self, text: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        capture = self.config.pluginmanager.get_plugin("capturemanager")
        if reporter is None:
            return
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            reporter.write_line(redact_text(text))

    def guard_alarms(self, target: Target) -> GuardAlarms:
        if self._guard_alarms is None:
            self._guard_alarms = GuardAlarms(self.stack, target)
        return self._guard_alarms

    # --- the target's life -----------------------------------------------------------------

    def local_target(self) -> Iterator[Target]:
        from simulacro.emulator import LocalAws, snapshot
        from simulacro.provision import apply
        from simulacro.target.targets import LocalTarget

        warm = snapshot.warm()
        if warm is not None and self.recorder is None:
            # The process shares one local AWS (the suite's tests): restore the provisioned stack, do not redo it.
            local_aws = warm.provisioned(
                snapshot.stack_key(self.stack),
                lambda aws: provision_local(self.stack, LocalTarget(self.stack, aws, self.environment)),
            )
            local = LocalTarget(self.stack, local_aws, self.environment)
            self._listen(local)
            self.config.hook.pytest_simulacro_provisioned(target=local)
            yield from self._around_drills(local)
            return
        with LocalAws() as local_aws:
            local = (_rehearsal_class() if self.on_aws else LocalTarget)(self.stack, local_aws, self.environment)
            self._listen(local)
            with self._recording_provision():
                apply(self.stack, local)
            local.clock.sleep(
                PROVISIONING_SETTLE_SECONDS
            )  # let schedules leave Pending and alarms take their first evaluation
            self.config.hook.pytest_simulacro_provisioned(target=local)
            yield from self._around_drills(local)

    def aws_target(self) -> Iterator[Target]:
        target = self.identified_aws()
        self._listen(target)
        if self.provisions_here("session"):
            self.provision(target)
        yield from self._around_drills(target)

    def provisions_here(self, where: str) -> bool:
        """`--provision` applies the spec once: in the xdist controller before the workers start, else in the session."""
        if not self.config.getoption("--provision") or self.dry_run:
            return False
        controller = self.config.pluginmanager.has_plugin("dsession")
        return controller if where == "controller" else not controller and not hasattr(self.config, "workerinput")

    def provision(self, target: Target) -> None:
        """Apply the spec; what needs an API the account lacks (Model Monitor, say) is left out and said once, and the
        drills that need it are skipped with the reason when they reach it."""
        from simulacro.provision import apply

        stack, report = self.stack, None
        for _ in range(len(UNAVAILABLE_KINDS) + 1):  # each pass leaves out one more kind the account lacks
            try:
                with self._recording_provision():
                    report = apply(stack, target)
                break
            except ApiUnavailable as lacking:
                kind = _kind_needing(lacking.operation)
                if kind is None or not getattr(stack, kind):
                    raise
                self.say(f"not provisioned: {kind.replace('_', ' ')} ({lacking})")
                stack = stack.model_copy(update={kind: []})
        if report is not None:
            self.say(f"provisioned {target.environment}: {report.summary()}")

    def _listen(self, target: Target) -> None:
        if self.recorder is not None:
            target.observe_calls(self.recorder.hear)
        target.observe_calls(self._remember_call)
        target.observe_calls(self._refuse_undeclared_writes)

    def _remember_call(self, service: str, operation: str, environment: str, params: dict[str, Any]) -> None:
        if not hasattr(self._last_call, "by_operation"):
            self._last_call.by_operation = {}
        self._last_call.value = self._last_call.by_operation[operation] = (service, operation, params)

    def _refuse_undeclared_writes(self, service: str, operation: str, environment: str, params: dict[str, Any]) -> None:
        drill = self.drill_running
        if drill is not None and drill.get_closest_marker("destructive") is None:
            refusal = undeclared_write(drill.nodeid, service, operation, environment)
            if refusal is not None:
                raise refusal

    def last_call(self, operation: str | None = None) -> tuple[str, str, dict[str, Any]] | None:
        """The last AWS call this thread made (of `operation`, when given), to name the call and the resource when
        AWS refuses it."""
        if operation is not None:
            return getattr(self._last_call, "by_operation", {}).get(operation)
        return getattr(self._last_call, "value", None)

    def _recording_provision(self) -> contextlib.AbstractContextManager[None]:
        return self.recorder.provisioning() if self.recorder is not None else contextlib.nullcontext()

    def _outside_drills(self) -> contextlib.AbstractContextManager[None]:
        return self.recorder.outside_drills() if self.recorder is not None else contextlib.nullcontext()

    def _around_drills(self, target: Target) -> Iterator[Target]:
        if self.takes_inventories:
            with self._outside_drills():
                self.initial_inventories = _inventories(target, self.environments, self.say_live)
        target.run_id = self.run_id
        target.clock = WatchedClock(target.clock, lambda: self.watch, self.say_live)
        try:
            yield target
        finally:
            target.run_id = None
            if self.takes_inventories:
                self._take_final_inventories(target)
            if hasattr(self.config, "workeroutput"):
                self.config.workeroutput["simulacro_inventories"] = {
                    "initial": self.initial_inventories,
                    "final": self.inventories,
                    "leftovers": self.leftovers,
                }
                self.config.workeroutput["simulacro_calls"] = (
                    self.recorder.to_json() if self.recorder is not None else None
                )

    def _take_final_inventories(self, target: Any) -> None:
        with self._outside_drills():
            self.inventories = _inventories(target, self.environments, self.say_live)
            self.leftovers = [
                str(found)
                for env in self.environments
                for found in find_leftovers(target, self.stack, env, self.run_id)
            ]

    # --- evidence ---------------------------------------------------------------------------

    def drills_json(self) -> list[dict[str, Any]]:
        """Every drill's record: this process's, or what the xdist workers sent."""
        local = [record_json(r) for r in self.records]
        seen = {r["drill"] for r in local}
        return local + [r for r in self.received_records if r["drill"] not in seen]

    def scorecard(self) -> dict[str, Any]:
        """The phase scorecard of this run (against --compare's bundle when given), computed once."""
        if self._scorecard is None:
            self._scorecard = scorecard(self.drills_json(), self.skipped, self.stack, self.previous)
        return self._scorecard

    def write_bundle(self, exitstatus: int) -> None:
        drills = self.drills_json()
        if not drills or hasattr(self.config, "workerinput"):
            return
        path = bundle_path(self.config, self.run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        bundle = {
            "run_id": self.run_id,
            "target": self.config.getoption("--target"),
            "environments": self.environments,
            "dry_run": self.dry_run,
            "interrupted": int(exitstatus) == int(pytest.ExitCode.INTERRUPTED),
            "identity": (self.aws.identity or {}).get("Arn") if self.aws is not None else None,
            "scorecard": self.scorecard(),
            "drills": drills,
            "leftovers": self.leftovers,
            "inventories": self.inventories,
            "initial_inventories": self.initial_inventories,
            "coverage": self.coverage_rows(),
        }
        self.config.hook.pytest_simulacro_bundle(bundle=bundle)
        path.write_text(json.dumps(redact(bundle), indent=2, default=str))

    def coverage_rows(self) -> list[dict[str, Any]]:
        """Which drill exercises each declared alarm, rule and runbook of the run's environments (or why none)."""
        from simulacro.evidence.coverage import coverage, coverage_json

        here = self.stack.model_copy(
            update={
                kind: [i for i in getattr(self.stack, kind) if i.environment in self.environments]
                for kind in ("alarms", "rules")
            }
        )
        return coverage_json(coverage(here))

    def write_recorded_calls(self) -> None:
        if self.recorder is not None and not hasattr(self.config, "workerinput"):
            self.recorder.write(Path(self.config.getoption("--record-calls")))


PROVISIONING_SETTLE_SECONDS = 60


def provision_local(stack: Stack, local: Target) -> None:
    """Apply the spec to the local AWS and let a minute pass: schedules leave Pending, alarms take their first evaluation."""
    from simulacro.provision import apply

    apply(stack, local)
    local.clock.sleep(PROVISIONING_SETTLE_SECONDS)


# The spec's kinds that need an API some accounts lack, by a word of the operations that manage them.
UNAVAILABLE_KINDS = {
    "MonitoringSchedule": "monitoring_schedules",
    "Pipeline": "pipelines",
    "ModelPackage": "model_package_groups",
}


def _kind_needing(operation: str) -> str | None:
    return next((kind for word, kind in UNAVAILABLE_KINDS.items() if word in operation), None)


def _rehearsal_class() -> type[LocalTarget]:
    from simulacro.target.targets import LocalTarget

    class Rehearsal(LocalTarget):
        """A dry run of `--target aws --env X` rehearsed on the local AWS: it reaches X only, as the real run would,
        so the plan never names another environment's pipeline, endpoint or rule."""

        @property
        def environments(self) -> list[str]:
            return [self.environment]

    return Rehearsal


def _inventories(
    target: Target, environments: list[str], say: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """The evidence's inventories; a section AWS refuses to list is left out, said once, and never errors a drill."""
    from simulacro.provision import inventory

    found = []
    for environment in environments:
        unread: dict[str, Exception] = {}
        found.append(
            {
                **inventory(target, environment, unread=unread).to_json(),
                "unread": {
                    section: (operator_message(e) or (f"{type(e).__name__}: {str(e)[:300]}",))[0]
                    for section, e in unread.items()
                },
            }
        )
        for section, problem in unread.items():
            if say is not None:
                said = (operator_message(problem) or (f"{type(problem).__name__}: {str(problem)[:300]}",))[0]
                say(
                    f"inventory of {environment}: could not read {section.replace('_', ' ')} ({said}); the report "
                    "leaves it out, the drills that need it say what is wrong"
                )
    return found


def _previous_bundle(path: str | None) -> dict[str, Any] | None:
    """The bundle of an earlier run (`--compare`), read once at the start so a bad path stops the run before any drill."""
    if path is None:
        return None
    try:
        bundle = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise pytest.UsageError(f"--compare {path}: cannot read an earlier run's JSON bundle there ({error})") from None
    if not isinstance(bundle, dict) or not isinstance(bundle.get("drills"), list):
        raise pytest.UsageError(
            f"--compare {path}: not a Simulacro JSON bundle (expected an object with a `drills` list)"
        )
    return bundle


def bundle_path(config: pytest.Config, run_id: str) -> Path:
    """--evidence; else beside the --html report (drills.html -> drills.json), so the two always tell the same
    run; else a file of its own per run, reports/runs/<run id>.json, which overwrites no other run's evidence."""
    if config.getoption("--evidence"):
        return Path(config.getoption("--evidence"))
    html = getattr(config.option, "htmlpath", None)
    if html:
        return Path(html).with_suffix(".json")
    return Path("reports") / "runs" / f"{run_id}.json"


def check_report_paths(config: pytest.Config) -> None:
    """Refuse, before anything runs or is created, a report path that cannot be written (pytest-html and
    JUnit would otherwise fail at the end with an INTERNALERROR)."""
    for option, value in (
        ("--html", getattr(config.option, "htmlpath", None)),
        ("--evidence", config.getoption("--evidence")),
        ("--junitxml", getattr(config.option, "xmlpath", None)),
        ("--record-calls", config.getoption("--record-calls")),
    ):
        problem = unwritable_file_problem(value) if value else None
        if problem:
            raise pytest.UsageError(f"{option} {value}: {problem}; nothing was run")


def unwritable_file_problem(value: str) -> str | None:
    """Why a report cannot be written at `value` (None when it can): it names a folder, or a folder on its way
    is a file or cannot be written."""
    path = Path(value).expanduser().absolute()
    if path.is_dir():
        return "is a folder; name a file"
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is a file, so no folder can be made there"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"cannot write into {ancestor}"
    if path.exists() and not os.access(path, os.W_OK):
        return "exists and cannot be overwritten"
    return None


def record_json(record: DrillRecord) -> dict[str, Any]:
    return {
        "drill": record.nodeid,
        "title": record.title,
        "category": record.category,
        "environment": record.environment,
        "outcome": record.outcome,
        "message": record.message,
        "wall_seconds": round(record.wall_seconds, 4),
        "started": record.started.isoformat(),
        "timeline": [
            {
                "t": record.seconds_since_start(e.at),
                "at": e.at.isoformat(),
                "kind": e.kind,
                "label": e.label,
                "detail": e.detail,
            }
            for e in record.entries
        ],
        "budgets": [{"label": b.label, "start": b.start.isoformat(), "seconds": b.seconds} for b in record.budgets],
        "measurements": record.measurements,
        "evidence": record.evidence,
    }
