"""The pytest glue: command-line options, markers, fixtures and the evidence in the report.

Exit codes (pytest's): 0 every selected drill passed (or was skipped with its reason); 1 a drill failed,
or a stop condition aborted the run; 2 interrupted (Ctrl-C, SIGTERM), after every fault was rolled
back; 3 internal error; 4 bad input, refused before any change (unknown environment, no credentials,
unreachable endpoint, wrong account, missing permissions for the run itself, a guard alarm that does
not exist); 5 no drill selected.
"""
from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from simulacro import probes
from simulacro.aws_errors import AwsAccessProblem, CredentialsProblem
from simulacro.call_recorder import CallRecorder
from simulacro.dry_run import plan_text
from simulacro.evidence import DrillRecord, drill_html, inventory_html, redact
from simulacro.guards import destructive_refusal
from simulacro.interrupts import interrupts_held, sigterm_raises_keyboard_interrupt
from simulacro.spec import DEFAULT_SPEC, SpecError, Stack, load_stack
from simulacro.stop_conditions import DrillWatch, GuardAlarms, StopCondition, WatchedClock, WatchedExpect, WatchedFaults
from simulacro.traffic import Traffic

CATEGORIES = ("inventory", "notification", "pipeline", "endpoint", "monitor", "events", "runbook", "cost")
STATE_KEY = pytest.StashKey["SimulacroSession"]()
# Rules whose events a drill can cause safely; promotion rules deploy models and belong to the runbooks.
DRILLED_RULE_PURPOSES = ("pipeline", "model_package", "endpoint")
DEFAULT_ENVIRONMENT = "staging"
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("simulacro", "Simulacro drills")
    group.addoption("--spec", default=str(DEFAULT_SPEC), help="the stack spec (default: fixtures/stack.yaml)")
    group.addoption("--target", choices=("local", "aws"), default="local", help="local (embedded AWS, virtual time) or aws")
    group.addoption("--env", default=None, help="the environment a real-AWS run targets (default staging; local runs cover every environment)")
    group.addoption("--aws-profile", default=None, help="AWS profile for --target aws (default: AWS_PROFILE, then boto3's chain)")
    group.addoption("--aws-region", default=None, help="region (default: the spec's)")
    group.addoption("--endpoint-url", default=None, help="any AWS-compatible endpoint for --target aws (default: AWS_ENDPOINT_URL, else AWS)")
    group.addoption("--provision", action="store_true", help="on --target aws, apply the spec to the account first "
                    "(default: verify what your own infrastructure code created)")
    group.addoption("--dry-run", action="store_true", help="print what each drill would inject, where, and expect within which "
                    "budget, rehearsed on the local AWS; change nothing")
    group.addoption("--run-id", default=None, help="the run's id (default: UTC time and a random suffix); everything the run "
                    "creates carries it, for `python -m simulacro cleanup --run-id`")
    group.addoption("--record-calls", default=None, metavar="PATH", help="write the IAM actions each drill needs, heard "
                    "from its calls, to PATH (`python -m simulacro iam-policy --record` does this)")
    group.addoption("--evidence", default=None, help="JSON evidence bundle (default: beside --html, else reports/drills.json)")


def pytest_configure(config: pytest.Config) -> None:
    for category in CATEGORIES:
        config.addinivalue_line("markers", f"{category}: drills of the {category} category")
    config.addinivalue_line("markers", "drill(category, gate=False, destructive=False): a game-day drill")
    config.addinivalue_line("markers", "gate: part of the pre-promotion gate (fast, deterministic)")
    config.addinivalue_line("markers", "destructive: injects a fault; refused on prod unless the spec allows it")
    config.addinivalue_line("markers", "xdist_group(name): drills that touch the same resources run in one xdist worker")
    state = SimulacroSession(config)
    config.stash[STATE_KEY] = state
    state.stack  # a bad spec stops the run here, once, with every problem named
    state.check_options()
    state.restore_sigterm = sigterm_raises_keyboard_interrupt()
    config.pluginmanager.register(_ReportListener(state), "simulacro-reports")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        probes.report_progress_to(lambda line: reporter.write_line(f"  [simulacro] {line}"))


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        state.restore_sigterm()
    probes.report_progress_to(None)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """On real AWS: who we are and whether it is the right account, before anything else (and before xdist starts workers)."""
    state = session.config.stash[STATE_KEY]
    if state.on_aws:
        state.identify()


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash[STATE_KEY]
    lines = [f"simulacro: run {state.run_id} against {state.describe_target()}"]
    if state.dry_run:
        lines.append("simulacro: DRY RUN: each drill is rehearsed on the local AWS; nothing on the target is changed")
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.drill(category=..., gate=..., destructive=...)` also sets the plain markers, so `-m gate` works;
    on real AWS the guards then decide what may run."""
    for item in items:
        marker = item.get_closest_marker("drill")
        if marker is None:
            continue
        category = marker.kwargs.get("category")
        if category:
            item.add_marker(getattr(pytest.mark, category))
        if marker.kwargs.get("gate"):
            item.add_marker(pytest.mark.gate)
        if marker.kwargs.get("destructive"):
            item.add_marker(pytest.mark.destructive)
    state = config.stash[STATE_KEY]
    if state.on_aws:
        state.guard(items)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    session = metafunc.config.stash[STATE_KEY]
    if "environment" in metafunc.fixturenames:
        metafunc.parametrize("environment", session.environments, ids=session.environments, scope="function")
    for fixture, category in (("declared_alarm", None), ("pipeline_alarm", "pipeline")):
        if fixture in metafunc.fixturenames:
            alarms = [a for a in session.stack.alarms if a.environment in session.environments
                      and (category is None or a.category == category)]
            metafunc.parametrize(fixture, alarms, ids=[a.name for a in alarms])
    if "event_rule" in metafunc.fixturenames:
        rules = [r for r in session.stack.rules if r.environment in session.environments and r.purpose in DRILLED_RULE_PURPOSES]
        metafunc.parametrize("event_rule", rules, ids=[r.name for r in rules])
    if "fault_endpoint" in metafunc.fixturenames:
        endpoints = [e for e in session.stack.endpoints if e.faults is not None and e.environment in session.environments]
        metafunc.parametrize("fault_endpoint", endpoints, ids=[e.name for e in endpoints])


class SimulacroSession:
    """Session-wide state: the spec, the target, every drill's record and the final inventories."""

    def __init__(self, config: pytest.Config):
        self.config = config
        worker_input = getattr(config, "workerinput", {})
        self.run_id = (config.getoption("--run-id") or worker_input.get("simulacro_run_id")
                       or datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6])
        self.records: list[DrillRecord] = []
        self.received_records: list[dict[str, Any]] = []
        self.skipped: dict[str, str] = {}
        self.inventories: list[dict[str, Any]] = []
        self.initial_inventories: list[dict[str, Any]] = []
        self.watch: DrillWatch | None = None
        self.recorder = CallRecorder() if config.getoption("--record-calls") else None
        self.aws: Any = None
        self.restore_sigterm: Any = lambda: None
        self._guard_alarms: GuardAlarms | None = None
        self._stack: Stack | None = None

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
                f"(it declares {', '.join(self.stack.environments)})")
        if not RUN_ID.match(self.run_id):
            raise pytest.UsageError(f"--run-id {self.run_id!r}: use 1 to 40 letters, digits and dashes "
                                    "(it goes into the names of what the run creates)")

    def describe_target(self) -> str:
        if self.aws is not None:
            return self.aws.describe()
        return "the embedded local AWS (virtual time), every environment of the spec"

    # --- real AWS: preflight and guards ----------------------------------------------------

    def identify(self) -> None:
        from simulacro.preflight import PreflightRefused, identify
        from simulacro.target import AwsTarget, TargetError

        config = self.config
        try:
            self.aws = AwsTarget(self.stack, self.environment, profile=config.getoption("--aws-profile"),
                                 region=config.getoption("--aws-region"), endpoint_url=config.getoption("--endpoint-url"))
            identify(self.aws, config.getoption("--spec"))
        except (PreflightRefused, TargetError) as refusal:
            raise pytest.UsageError(str(refusal)) from None

    def guard(self, items: list[pytest.Item]) -> None:
        """Skip what the spec does not allow here or what the identity may not do; refuse the run if it cannot be made safe."""
        from simulacro.parallel import resource_groups
        from simulacro.preflight import PreflightRefused, check_drill_permissions, require_guard_alarms

        for item in items:
            if item.get_closest_marker("destructive"):
                self._skip(item, destructive_refusal(self.stack, self.environment, item.name, item.nodeid))
        runnable = [i for i in items if i.nodeid not in self.skipped]
        try:
            if any(i.get_closest_marker("destructive") for i in runnable):
                require_guard_alarms(self.aws)
            permissions = check_drill_permissions(self.aws, self.aws.identity, [i.nodeid for i in runnable],
                                                  provision=self.config.getoption("--provision"))
        except PreflightRefused as refusal:
            raise pytest.UsageError(str(refusal)) from None
        self._report_permission_check(permissions)
        for item in runnable:
            lacking = permissions.missing_by_drill.get(item.nodeid)
            if lacking:
                self._skip(item, f"the identity {self.aws.identity['Arn']} lacks {', '.join(sorted(lacking))} (IAM policy "
                                 "simulation); grant it (python -m simulacro iam-policy) to run this drill")
        for nodeid, group in resource_groups(items, self.stack, self.environments).items():
            next(i for i in items if i.nodeid == nodeid).add_marker(pytest.mark.xdist_group(group))

    def _skip(self, item: pytest.Item, reason: str | None) -> None:
        if reason:
            self.skipped[item.nodeid] = reason
            item.add_marker(pytest.mark.skip(reason=reason))

    def _report_permission_check(self, permissions: Any) -> None:
        if not permissions.check.checked:
            self.say(f"permissions not checked before the run: {permissions.check.note}")
        if permissions.unknown:
            self.say(f"no recorded permissions for {', '.join(permissions.unknown)} (python -m simulacro iam-policy --record)")

    def say(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"simulacro: {line}")

    def guard_alarms(self, target: Any) -> GuardAlarms:
        if self._guard_alarms is None:
            self._guard_alarms = GuardAlarms(self.stack, target)
        return self._guard_alarms

    # --- the target's life -----------------------------------------------------------------

    def local_target(self) -> Iterator[Any]:
        from simulacro.emulator import LocalAws
        from simulacro.provision import apply
        from simulacro.target import LocalTarget

        with LocalAws() as local_aws:
            local = LocalTarget(self.stack, local_aws, self.environment)
            self._listen(local)
            with self._recording_provision():
                apply(self.stack, local)
            local.clock.sleep(60)  # let schedules leave Pending and alarms take their first evaluation
            self.config.hook.pytest_simulacro_provisioned(target=local)
            yield from self._around_drills(local)

    def aws_target(self) -> Iterator[Any]:
        from simulacro.provision import apply

        target = self.aws
        self._listen(target)
        if self.config.getoption("--provision"):
            with self._recording_provision():
                report = apply(self.stack, target)
            self.say(f"provisioned {target.environment}: {report.summary()}")
        yield from self._around_drills(target)

    def _listen(self, target: Any) -> None:
        if self.recorder is not None:
            target.observe_calls(self.recorder.hear)

    def _recording_provision(self) -> contextlib.AbstractContextManager[None]:
        return self.recorder.provisioning() if self.recorder is not None else contextlib.nullcontext()

    def _around_drills(self, target: Any) -> Iterator[Any]:
        self.initial_inventories = _inventories(target, self.environments)
        target.run_id = self.run_id
        target.clock = WatchedClock(target.clock, lambda: self.watch)
        try:
            yield target
        finally:
            target.run_id = None
            self.inventories = _inventories(target, self.environments)
            if hasattr(self.config, "workeroutput"):
                self.config.workeroutput["simulacro_inventories"] = {"initial": self.initial_inventories, "final": self.inventories}

    # --- evidence ---------------------------------------------------------------------------

    def drills_json(self) -> list[dict[str, Any]]:
        """Every drill's record: this process's, or what the xdist workers sent."""
        local = [_record_json(r) for r in self.records]
        seen = {r["drill"] for r in local}
        return local + [r for r in self.received_records if r["drill"] not in seen]

    def write_bundle(self, exitstatus: int) -> None:
        drills = self.drills_json()
        if not drills or hasattr(self.config, "workerinput"):
            return
        path = _bundle_path(self.config)
        path.parent.mkdir(parents=True, exist_ok=True)
        bundle = {"run_id": self.run_id, "target": self.config.getoption("--target"), "environments": self.environments,
                  "dry_run": self.dry_run, "interrupted": int(exitstatus) == int(pytest.ExitCode.INTERRUPTED),
                  "identity": (self.aws.identity or {}).get("Arn") if self.aws is not None else None,
                  "drills": drills, "inventories": self.inventories, "initial_inventories": self.initial_inventories}
        path.write_text(json.dumps(redact(bundle), indent=2, default=str))

    def write_recorded_calls(self) -> None:
        if self.recorder is not None and not hasattr(self.config, "workerinput"):
            self.recorder.write(Path(self.config.getoption("--record-calls")))


def _inventories(target: Any, environments: list[str]) -> list[dict[str, Any]]:
    from simulacro.provision import inventory

    return [inventory(target, environment).to_json() for environment in environments]


@pytest.fixture(scope="session")
def simulacro_session(request: pytest.FixtureRequest) -> SimulacroSession:
    return request.config.stash[STATE_KEY]


@pytest.fixture(scope="session")
def stack(simulacro_session: SimulacroSession) -> Stack:
    return simulacro_session.stack


@pytest.fixture(scope="session")
def target(simulacro_session: SimulacroSession, stack: Stack) -> Iterator[Any]:
    """The local AWS, or the real account (a dry run rehearses on the local AWS instead)."""
    if simulacro_session.on_aws and not simulacro_session.dry_run:
        yield from simulacro_session.aws_target()
    else:
        yield from simulacro_session.local_target()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from simulacro import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@pytest.fixture
def drill_record(request: pytest.FixtureRequest, target: Any, simulacro_session: SimulacroSession) -> DrillRecord:
    marker = request.node.get_closest_marker("drill")
    environment = request.node.callspec.params.get("environment") if hasattr(request.node, "callspec") else None
    record = DrillRecord(
        nodeid=request.node.nodeid,
        title=(request.node.function.__doc__ or request.node.name).strip().splitlines()[0],
        category=marker.kwargs.get("category", "-") if marker else "-",
        environment=environment,
        started=target.clock.now(),
    )
    simulacro_session.records.append(record)
    request.node.stash[_record_key] = record
    return record


_record_key = pytest.StashKey[DrillRecord]()


@pytest.fixture
def drill_watch(request: pytest.FixtureRequest, target: Any, simulacro_session: SimulacroSession) -> Iterator[DrillWatch]:
    """The drill's stop conditions: checked before each injection and watched while a fault is in place."""
    watch = DrillWatch(simulacro_session.guard_alarms(target), target.clock, request.node.nodeid)
    simulacro_session.watch = watch
    try:
        yield watch
    finally:
        simulacro_session.watch = None


@pytest.fixture
def faults(stack: Stack, target: Any, drill_record: DrillRecord, simulacro_session: SimulacroSession,
           drill_watch: DrillWatch) -> Iterator[WatchedFaults]:
    registry = WatchedFaults(stack, target, drill_record, simulacro_session.run_id, watch=drill_watch)
    try:
        yield registry
    finally:
        drill_watch.restoring += 1  # no stop condition interrupts a rollback (nor does Ctrl-C: see runtest_teardown)
        registry.undo_all()


@pytest.fixture
def expect(stack: Stack, target: Any, drill_record: DrillRecord, simulacro_session: SimulacroSession,
           drill_watch: DrillWatch, request: pytest.FixtureRequest) -> Iterator[WatchedExpect]:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    progress = (lambda line: reporter.write_line(f"  [simulacro] {line}")) if reporter else None
    expectations = WatchedExpect(stack, target, drill_record, simulacro_session.run_id, progress, watch=drill_watch)
    try:
        yield expectations
    finally:
        expectations.close()


@pytest.fixture
def traffic(target: Any, drill_record: DrillRecord, faults: WatchedFaults) -> Iterator[Traffic]:
    steady = Traffic(target, drill_record, faults.endpoint_state.attributes_for)
    try:
        yield steady
    finally:
        steady.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[Any]:
    recorder = item.config.stash[STATE_KEY].recorder
    with recorder.drill(item.nodeid) if recorder is not None else contextlib.nullcontext():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        record = item.stash.get(_record_key, None)
        if record is not None:
            record.wall_seconds = time.perf_counter() - started


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Ctrl-C or SIGTERM during the rollback is held until it is done, then the run stops (as interrupted)."""
    held: list[str] = []
    reporter = item.config.pluginmanager.get_plugin("terminalreporter")

    def note(signal_name: str) -> None:
        held.append(signal_name)
        if reporter is not None:
            reporter.write_line(f"  [simulacro] {signal_name} received: finishing the rollback first, then stopping")

    with interrupts_held(note):
        result = yield
    if held:
        raise KeyboardInterrupt(f"{held[0]} received during a rollback; the rollback finished")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    record = item.stash.get(_record_key, None)
    problem = call.excinfo.value if call.excinfo else None
    if isinstance(problem, (StopCondition, AwsAccessProblem)):
        report.longrepr = f"{type(problem).__name__}: {problem}"  # the operator's paragraph, not a traceback
        if isinstance(problem, (StopCondition, CredentialsProblem)):
            item.session.shouldstop = str(problem).split(":", 1)[0]
    if record is not None and report.when == "call":
        record.outcome = report.outcome
        record.message = str(call.excinfo.value) if call.excinfo else ""
        from pytest_html import extras

        report.extras = getattr(report, "extras", []) + [extras.html(drill_html(record))]
    if record is not None and report.when == "teardown":
        report.simulacro_record = json.loads(json.dumps(_record_json(record), default=str))  # travels to the xdist controller
    return report


class _ReportListener:
    """Hears every drill's report: the records the xdist workers send, and why drills were skipped."""

    def __init__(self, state: SimulacroSession):
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = getattr(report, "simulacro_record", None)
        if record is not None:
            self.state.received_records.append(record)
        if report.skipped and report.when in ("setup", "call") and isinstance(report.longrepr, tuple):
            self.state.skipped.setdefault(report.nodeid, str(report.longrepr[2]).removeprefix("Skipped: "))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker works under the controller's run id."""
    node.workerinput["simulacro_run_id"] = node.config.stash[STATE_KEY].run_id


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: each worker had its own local AWS; keep the inventories of the first that reports them."""
    state = node.config.stash[STATE_KEY]
    sent = getattr(node, "workeroutput", {}).get("simulacro_inventories")
    if sent and not state.inventories:
        state.initial_inventories, state.inventories = sent["initial"], sent["final"]


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Iterator[None]:
    """After pytest has torn everything down (on Ctrl-C too: that is when faults are rolled back), write the evidence."""
    state = session.config.stash[STATE_KEY]
    with interrupts_held(lambda name: None):
        result = yield
    state.write_bundle(session.exitstatus)
    state.write_recorded_calls()
    return result


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash[STATE_KEY]
    if state.dry_run:
        header = (f"DRY RUN {state.run_id}: nothing was changed on {state.describe_target()}. Each drill was rehearsed on "
                  "the local AWS built from the spec; this is what it would do:")
        terminalreporter.write_sep("=", "simulacro dry run")
        terminalreporter.write(plan_text(state.drills_json(), state.skipped, header))
    elif state.on_aws:
        terminalreporter.write_line(
            f"simulacro: run {state.run_id}. If it was killed before it could roll back (SIGKILL, a lost runner), "
            f"`python -m simulacro cleanup --run-id {state.run_id} --env {state.environment}` removes what it left behind.")


def pytest_html_report_title(report: Any) -> None:
    report.title = "Simulacro drills: evidence of the observability stack"


def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session) -> None:
    state = session.config.stash[STATE_KEY]
    prefix.append(f"<p>Run {state.run_id}, target {state.describe_target()}, spec {Path(session.config.getoption('--spec')).name}"
                  f"{', dry run (rehearsal on the local AWS)' if state.dry_run else ''}.</p>")
    if state.inventories:
        postfix.append(inventory_html(state.inventories))


def pytest_metadata(metadata: dict[str, Any]) -> None:
    for key in list(metadata):
        if key.upper() in ("JAVA_HOME", "CI_JOB_TOKEN") or "TOKEN" in key.upper() or "SECRET" in key.upper():
            metadata.pop(key)


def _bundle_path(config: pytest.Config) -> Path:
    if config.getoption("--evidence"):
        return Path(config.getoption("--evidence"))
    html = getattr(config.option, "htmlpath", None)
    return Path(html).with_suffix(".json") if html else Path("reports") / "drills.json"


def _record_json(record: DrillRecord) -> dict[str, Any]:
    return {
        "drill": record.nodeid, "title": record.title, "category": record.category, "environment": record.environment,
        "outcome": record.outcome, "message": record.message, "wall_seconds": round(record.wall_seconds, 4),
        "started": record.started.isoformat(),
        "timeline": [{"t": record.seconds_since_start(e.at), "at": e.at.isoformat(), "kind": e.kind, "label": e.label,
                      "detail": e.detail} for e in record.entries],
        "budgets": [{"label": b.label, "start": b.start.isoformat(), "seconds": b.seconds} for b in record.budgets],
        "measurements": record.measurements,
        "evidence": record.evidence,
    }
