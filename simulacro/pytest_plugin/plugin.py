"""The pytest glue: command-line options, markers, fixtures and the evidence in the report.

Exit codes (pytest's): 0 every selected drill passed (or was skipped with its reason); 1 a drill failed;
2 interrupted (Ctrl-C, SIGTERM, a stop condition, expired credentials), after every fault was rolled
back; 3 internal error; 4 bad input, refused before any change (unknown environment, no credentials,
unreachable endpoint, wrong account, missing permissions for the run itself, a guard alarm that does
not exist); 5 no drill selected.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generator, Iterator

import pytest

from simulacro.drill.expect import Expect
from simulacro.drill.faults import Faults
from simulacro.drill.traffic import Traffic
from simulacro.errors import Refused, SimulacroError
from simulacro.evidence import DrillRecord, drill_html, inventory_html, redact_text, scorecard_html
from simulacro.evidence.coverage import coverage, coverage_table, faultless_endpoints_with_alarms
from simulacro.evidence.views import drills_by_model_html
from simulacro.gameday.drill_guard import DrillGuard
from simulacro.gameday.stop_conditions import DrillWatch, StopCondition
from simulacro.pytest_plugin import xdist_groups
from simulacro.pytest_plugin.candidate_gate import PLUGIN_NAME as CANDIDATE_PLUGIN
from simulacro.pytest_plugin.candidate_gate import CandidateGate, candidate, leave_candidate  # noqa: F401 - the gate's fixtures
from simulacro.pytest_plugin.candidate_gate import add_options as add_candidate_options
from simulacro.pytest_plugin.dry_run import plan_text
from simulacro.pytest_plugin.interrupt_each_phase import InterruptEachPhase
from simulacro.pytest_plugin.session import SimulacroSession, bundle_path, check_report_paths, record_json
from simulacro.spec import DEFAULT_SPEC, Stack
from simulacro.target import waits
from simulacro.target.aws_errors import CredentialsProblem, operator_message
from simulacro.target.signals import interrupts_held, sigterm_raises_keyboard_interrupt

if TYPE_CHECKING:
    from simulacro.target.targets import Target

CATEGORIES = ("inventory", "notification", "pipeline", "endpoint", "monitor", "events", "runbook", "cost")
STATE_KEY = pytest.StashKey["SimulacroSession"]()
# Rules whose events a drill can cause safely; promotion rules deploy models and belong to the runbooks.
DRILLED_RULE_PURPOSES = ("pipeline", "model_package", "endpoint")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("simulacro", "Simulacro drills")
    group.addoption("--spec", default=str(DEFAULT_SPEC), help="the stack spec (default: fixtures/stack.yaml)")
    group.addoption(
        "--target", choices=("local", "aws"), default="local", help="local (embedded AWS, virtual time) or aws"
    )
    group.addoption(
        "--env",
        default=None,
        help="the environment a real-AWS run targets (default staging; local runs cover every environment)",
    )
    group.addoption(
        "--aws-profile", default=None, help="AWS profile for --target aws (default: AWS_PROFILE, then boto3's chain)"
    )
    group.addoption("--aws-region", default=None, help="region (default: the spec's)")
    group.addoption(
        "--endpoint-url",
        default=None,
        help="any AWS-compatible endpoint for --target aws (default: AWS_ENDPOINT_URL, else AWS)",
    )
    group.addoption(
        "--provision",
        action="store_true",
        help="on --target aws, apply the spec to the account first "
        "(default: verify what your own infrastructure code created)",
    )
    group.addoption(
        "--dry-run",
        action="store_true",
        help="print what each drill would inject, where, and expect within which "
        "budget, rehearsed on the local AWS; change nothing",
    )
    group.addoption(
        "--run-id",
        default=None,
        help="the run's id (default: UTC time and a random suffix); everything the run "
        "creates carries it, for `python -m simulacro cleanup --run-id`",
    )
    group.addoption(
        "--record-calls",
        default=None,
        metavar="PATH",
        help="write the IAM actions each drill needs, heard "
        "from its calls, to PATH (`python -m simulacro iam-policy --record` does this)",
    )
    group.addoption(
        "--interrupt-each-phase",
        action="store_true",
        help="against the local AWS, run each destructive "
        "drill, then interrupt it at each phase and check that the rollback leaves the stack as it was",
    )
    group.addoption(
        "--compare",
        default=None,
        metavar="BUNDLE",
        help="an earlier run's JSON bundle: the scorecard marks "
        "what regressed since (a requirement no longer proven, a drill that now fails, a slower detection)",
    )
    group.addoption(
        "--evidence",
        default=None,
        help="JSON evidence bundle (default: beside --html, "
        "else reports/runs/<run id>.json, so a run without --html never overwrites another run's evidence)",
    )
    add_candidate_options(group)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    check_report_paths(config)  # before pytest-html creates folders for its report, and before anything runs


def pytest_configure(config: pytest.Config) -> None:
    for category in CATEGORIES:
        config.addinivalue_line("markers", f"{category}: drills of the {category} category")
    config.addinivalue_line("markers", "drill(category, gate=False, destructive=False): a game-day drill")
    config.addinivalue_line("markers", "gate: part of the pre-promotion gate (fast, deterministic)")
    config.addinivalue_line("markers", "destructive: injects a fault; refused on prod unless the spec allows it")
    config.addinivalue_line(
        "markers", "xdist_group(name): drills that touch the same resources run in one xdist worker"
    )
    state = SimulacroSession(config)
    config.stash[STATE_KEY] = state
    state.stack  # a bad spec stops the run here, once, with every problem named  # noqa: B018 - loading it is the point
    state.check_options()
    state.restore_sigterm = sigterm_raises_keyboard_interrupt()
    config.pluginmanager.register(_ReportListener(state), "simulacro-reports")
    config.pluginmanager.register(CandidateGate(state), CANDIDATE_PLUGIN)
    config.pluginmanager.register(xdist_groups, "simulacro-xdist-groups")
    if config.getoption("--interrupt-each-phase"):
        config.pluginmanager.register(InterruptEachPhase(state), "simulacro-interruptions")
    state.restore_progress = waits.report_progress_to(state.say_live)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        state.restore_sigterm()
        state.restore_progress()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """On real AWS: who we are and whether it is the right account, before anything else (and before xdist starts workers)."""
    state = session.config.stash[STATE_KEY]
    if state.on_aws:
        state.identify()
        if state.provisions_here("controller"):
            try:
                state.provision(state.identified_aws())
            except SimulacroError as problem:
                raise pytest.UsageError(f"provisioning {state.environment} stopped: {problem}") from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash[STATE_KEY]
    lines = [f"simulacro: run {state.run_id} against {state.describe_target()}"]
    if state.dry_run:
        lines.append("simulacro: DRY RUN: each drill is rehearsed on the local AWS; nothing on the target is changed")
    return lines


@pytest.hookimpl(tryfirst=True)
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
        state.refuse_destructive(items)
        state.group_by_resource(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """On real AWS, once the selection is final: the stop conditions exist, and the identity may do what the drills need."""
    state = session.config.stash[STATE_KEY]
    if state.on_aws:
        state.check_permissions(session.items)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    session = metafunc.config.stash[STATE_KEY]
    if "environment" in metafunc.fixturenames:
        metafunc.parametrize("environment", session.environments, ids=session.environments, scope="function")
    for fixture, category in (("declared_alarm", None), ("pipeline_alarm", "pipeline"), ("cost_alarm", "cost")):
        if fixture in metafunc.fixturenames:
            alarms = [
                a
                for a in session.stack.alarms
                if a.environment in session.environments and (category is None or a.category == category)
            ]
            metafunc.parametrize(fixture, alarms, ids=[a.name for a in alarms])
    if "event_rule" in metafunc.fixturenames:
        rules = [
            r
            for r in session.stack.rules
            if r.environment in session.environments and r.purpose in DRILLED_RULE_PURPOSES
        ]
        metafunc.parametrize("event_rule", rules, ids=[r.name for r in rules])
    if "drill_pipeline" in metafunc.fixturenames:
        pipelines = [p for p in session.stack.pipelines if p.environment in session.environments]
        metafunc.parametrize("drill_pipeline", pipelines, ids=[p.name for p in pipelines])
    if "fault_endpoint" in metafunc.fixturenames:
        # An endpoint with alarms but no fault mechanism is drilled too, and fails as a finding: never an empty set.
        endpoints = [
            e for e in session.stack.endpoints if e.faults is not None and e.environment in session.environments
        ]
        endpoints += faultless_endpoints_with_alarms(session.stack, session.environments)
        metafunc.parametrize("fault_endpoint", endpoints, ids=[e.name for e in endpoints])


@pytest.fixture(scope="session")
def simulacro_session(request: pytest.FixtureRequest) -> SimulacroSession:
    return request.config.stash[STATE_KEY]


@pytest.fixture(scope="session")
def stack(simulacro_session: SimulacroSession) -> Stack:
    return simulacro_session.stack


@pytest.fixture(scope="session")
def target(simulacro_session: SimulacroSession, stack: Stack) -> Iterator[Target]:
    """The local AWS, or the real account (a dry run rehearses on the local AWS instead)."""
    if simulacro_session.on_aws and not simulacro_session.dry_run:
        yield from simulacro_session.aws_target()
    else:
        yield from simulacro_session.local_target()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from simulacro.pytest_plugin import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def _drill_environment(item: pytest.Item) -> str | None:
    """The environment a drill acts in: its `environment` parameter, or that of the spec object it is run for."""
    params = getattr(item, "callspec", None)
    if params is None:
        return None
    if "environment" in params.params:
        return params.params["environment"]
    return next((value.environment for value in params.params.values() if hasattr(value, "environment")), None)


@pytest.fixture
def drill_record(request: pytest.FixtureRequest, target: Target, simulacro_session: SimulacroSession) -> DrillRecord:
    marker = request.node.get_closest_marker("drill")
    environment = _drill_environment(request.node)
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
def drill_watch(
    request: pytest.FixtureRequest, target: Target, simulacro_session: SimulacroSession
) -> Iterator[DrillWatch]:
    """The drill's stop conditions: checked before each injection and watched while a fault is in place."""
    watch = DrillWatch(
        simulacro_session.guard_alarms(target),
        target.clock,
        request.node.nodeid,
        simulacro_session.injection_listeners,
        simulacro_session.say_live,
    )
    simulacro_session.watch = watch
    try:
        yield watch
    finally:
        simulacro_session.watch = None


@pytest.fixture
def faults(
    stack: Stack,
    target: Target,
    drill_record: DrillRecord,
    simulacro_session: SimulacroSession,
    drill_watch: DrillWatch,
) -> Iterator[Faults]:
    registry = Faults(stack, target, drill_record, simulacro_session.run_id, hooks=DrillGuard(drill_watch))
    try:
        yield registry
    finally:
        drill_watch.restoring += 1  # no stop condition interrupts a rollback (nor does Ctrl-C: see runtest_teardown)
        registry.undo_all()


@pytest.fixture
def expect(
    stack: Stack,
    target: Target,
    drill_record: DrillRecord,
    simulacro_session: SimulacroSession,
    drill_watch: DrillWatch,
    request: pytest.FixtureRequest,
) -> Iterator[Expect]:
    expectations = Expect(
        stack,
        target,
        drill_record,
        simulacro_session.run_id,
        simulacro_session.say_live,
        on_expected_alarm=DrillGuard(drill_watch).expected_alarm,
    )
    try:
        yield expectations
    finally:
        expectations.close()


@pytest.fixture
def traffic(target: Target, drill_record: DrillRecord, faults: Faults) -> Iterator[Traffic]:
    steady = Traffic(target, drill_record, faults.endpoint_state.attributes_for)
    try:
        yield steady
    finally:
        steady.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[Any]:
    recorder = item.config.stash[STATE_KEY].recorder
    with recorder.drill(item.nodeid) if recorder is not None else contextlib.nullcontext():
        try:
            return (yield)
        except KeyboardInterrupt as interrupt:
            _report_interrupted(item, interrupt)
            raise


INTERRUPTED = "interrupted"


def _report_interrupted(item: pytest.Item, interrupt: BaseException) -> None:
    """pytest drops the report of the drill Ctrl-C or SIGTERM cut short, so the HTML, the JUnit XML and the terminal
    would show the run green: report it as interrupted (a failure there, `interrupted` in the JSON)."""
    record = item.stash.get(_record_key, None)
    why = str(interrupt) or "Ctrl-C or SIGTERM"
    message = (
        f"INTERRUPTED ({why}) while this drill ran: it did not finish, so it proves nothing. Every fault it "
        "injected is rolled back before the run ends (see the evidence's leftovers); the run exits 2."
    )
    if record is not None:
        record.outcome, record.message = INTERRUPTED, message
    report = pytest.TestReport(
        item.nodeid,
        item.location,
        {k: 1 for k in item.keywords},
        "failed",
        message,
        "call",
        user_properties=[("simulacro_outcome", INTERRUPTED)],
    )
    if record is not None:
        from pytest_html import extras

        report.extras = [extras.html(redact_text(drill_html(record)))]  # type: ignore[attr-defined]  # pytest-html reads a report's extras
        report.simulacro_record = json.loads(json.dumps(record_json(record), default=str))  # type: ignore[attr-defined]  # our own field on the report, carried to the xdist controller
    item.ihook.pytest_runtest_logreport(report=report)
    # Reporters (pytest-html) finish a drill's row on its teardown report; the teardown itself (the rollback) runs
    # when the session ends.
    item.ihook.pytest_runtest_logreport(
        report=pytest.TestReport(item.nodeid, item.location, {}, "passed", None, "teardown")
    )
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """An AWS error while a drill's fixtures are set up (provisioning, the inventory, a probe) is the drill's outcome,
    failed or skipped with the operator's paragraph, never a pytest error with a traceback."""
    try:
        return (yield)
    except Exception as error:
        if operator_message(error) is None:
            raise
        item.stash[_setup_problem] = error
        return None


_setup_problem = pytest.StashKey[BaseException]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    problem = item.stash.get(_setup_problem, None)
    if problem is not None:
        raise problem  # the drill cannot start: reported below as the drill's failure (or skip)
    started = time.perf_counter()
    state = item.config.stash[STATE_KEY]
    state.drill_running = item  # a drill not marked destructive may not write (simulacro.gameday.guards)
    try:
        return (yield)
    finally:
        state.drill_running = None
        record = item.stash.get(_record_key, None)
        if record is not None:
            record.wall_seconds = time.perf_counter() - started


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Ctrl-C or SIGTERM during the rollback is held until it is done, then the run stops (as interrupted)."""
    held: list[str] = []

    def note(signal_name: str) -> None:
        held.append(signal_name)
        item.config.stash[STATE_KEY].say_live(f"{signal_name} received: finishing the rollback first, then stopping")

    with interrupts_held(note, redeliver=False):
        result = yield
    if held:
        raise KeyboardInterrupt(f"{held[0]} received during a rollback; the rollback finished")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    record = item.stash.get(_record_key, None)
    problem = call.excinfo.value if call.excinfo else None
    translated = (
        operator_message(problem, item.config.stash[STATE_KEY].last_call(getattr(problem, "operation_name", None)))
        if problem is not None
        else None
    )
    if isinstance(problem, StopCondition):
        report.longrepr = f"{type(problem).__name__}: {problem}"  # the operator's paragraph, not a traceback
        item.session.shouldstop = "stop condition (a guard alarm fired): every fault was rolled back"
    elif isinstance(problem, Refused):
        report.longrepr = f"Refused: {problem}"
    elif translated is not None:
        message, skip = translated
        if skip and report.when != "teardown":
            report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1] or 0, f"Skipped: {message}")
        else:
            report.longrepr = f"{type(problem).__name__}: {message}"  # one paragraph, not a traceback or a raw body
        if isinstance(problem, CredentialsProblem):
            item.session.shouldstop = "the AWS credentials expired or were refused: refresh them and run again"
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        report.longrepr = redact_text(str(report.longrepr))  # the terminal, JUnit XML and HTML show it: no secret in it
    if record is not None and report.when == "call":
        record.outcome = report.outcome
        record.message = redact_text(translated[0] if translated else str(call.excinfo.value)) if call.excinfo else ""
        from pytest_html import extras

        report.extras = getattr(report, "extras", []) + [extras.html(redact_text(drill_html(record)))]  # type: ignore[attr-defined]  # pytest-html reads a report's extras
    if record is not None and report.when == "teardown":
        # travels to the xdist controller
        report.simulacro_record = json.loads(json.dumps(record_json(record), default=str))  # type: ignore[attr-defined]  # our own field on the report
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
    heard = getattr(node, "workeroutput", {}).get("simulacro_calls")
    if heard and state.recorder is not None:
        state.recorder.merge(heard)
    if sent:
        state.leftovers += sent["leftovers"]
    if sent and not state.inventories:
        state.initial_inventories, state.inventories = sent["initial"], sent["final"]


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Iterator[None]:
    """After pytest has torn everything down (on Ctrl-C too: that is when faults are rolled back), write the evidence."""
    state = session.config.stash[STATE_KEY]
    with interrupts_held(redeliver=False):
        result = yield
    state.write_bundle(session.exitstatus)
    state.write_recorded_calls()
    return result


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash[STATE_KEY]
    if state.drills_json() and not hasattr(config, "workerinput"):
        terminalreporter.write_line(f"simulacro: evidence of run {state.run_id} in {bundle_path(config, state.run_id)}")
    if state.leftovers:
        terminalreporter.write_sep("!", "simulacro: the run left things behind")
        for leftover in state.leftovers:
            terminalreporter.write_line(redact_text(f"  {leftover}"))
    if state.dry_run:
        header = (
            f"DRY RUN {state.run_id}: nothing was changed on {state.describe_target()}. Each drill was rehearsed on "
            "the local AWS built from the spec; this is what it would do:"
        )
        terminalreporter.write_sep("=", "simulacro dry run")
        terminalreporter.write(plan_text(state.drills_json(), state.skipped, header))
    elif state.on_aws:
        terminalreporter.write_line(
            f"simulacro: run {state.run_id}. If it was killed before it could roll back (SIGKILL, a lost runner), "
            f"`python -m simulacro cleanup --run-id {state.run_id} --env {state.environment}` removes what it left behind."
        )


def pytest_html_report_title(report: Any) -> None:
    report.title = "Simulacro drills: evidence of the observability stack"


def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    state = session.config.stash[STATE_KEY]
    prefix.append(
        f"<p>Run {state.run_id}, target {state.describe_target()}, spec {Path(session.config.getoption('--spec')).name}"
        f"{', dry run (rehearsal on the local AWS)' if state.dry_run else ''}.</p>"
    )
    prefix.append(scorecard_html(state.scorecard()))
    prefix.append(drills_by_model_html(state.drills_json(), state.stack.model_families()))
    if state.inventories:
        postfix.append(redact_text(inventory_html(state.inventories, state.stack.model_families())))
    postfix.append(
        coverage_table(
            coverage(
                state.stack.model_copy(
                    update={
                        kind: [i for i in getattr(state.stack, kind) if i.environment in state.environments]
                        for kind in ("alarms", "rules")
                    }
                )
            )
        )
    )


def pytest_metadata(metadata: dict[str, Any]) -> None:
    for key in list(metadata):
        if key.upper() in ("JAVA_HOME", "CI_JOB_TOKEN") or "TOKEN" in key.upper() or "SECRET" in key.upper():
            metadata.pop(key)
