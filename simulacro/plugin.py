"""The pytest glue: command-line options, markers, fixtures and the evidence in the report."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from simulacro.evidence import DrillRecord, drill_html, inventory_html, redact
from simulacro.expect import Expect
from simulacro.faults import Faults
from simulacro.spec import DEFAULT_SPEC, SpecError, Stack, load_stack
from simulacro.traffic import Traffic

CATEGORIES = ("inventory", "notification", "pipeline", "endpoint", "monitor", "events", "runbook", "cost")
STATE_KEY = pytest.StashKey["SimulacroSession"]()
# Rules whose events a drill can cause safely; promotion rules deploy models and belong to the runbooks.
DRILLED_RULE_PURPOSES = ("pipeline", "model_package", "endpoint")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("simulacro", "Simulacro drills")
    group.addoption("--spec", default=str(DEFAULT_SPEC), help="the stack spec (default: fixtures/stack.yaml)")
    group.addoption("--target", choices=("local", "aws"), default="local", help="local (embedded AWS, virtual time) or aws")
    group.addoption("--env", default="staging", help="the environment a real-AWS run targets (local runs cover every environment)")
    group.addoption("--aws-profile", default=None, help="AWS profile for --target aws")
    group.addoption("--aws-region", default=None, help="region (default: the spec's)")
    group.addoption("--endpoint-url", default=None, help="any AWS-compatible endpoint for --target aws")
    group.addoption("--evidence", default=None, help="JSON evidence bundle (default: beside --html, else reports/drills.json)")


def pytest_configure(config: pytest.Config) -> None:
    for category in CATEGORIES:
        config.addinivalue_line("markers", f"{category}: drills of the {category} category")
    config.addinivalue_line("markers", "drill(category, gate=False, destructive=False): a game-day drill")
    config.addinivalue_line("markers", "gate: part of the pre-promotion gate (fast, deterministic)")
    config.addinivalue_line("markers", "destructive: injects a fault; refused on prod unless the spec allows it")
    config.stash[STATE_KEY] = SimulacroSession(config)
    config.stash[STATE_KEY].stack  # a bad spec stops the run here, once, with every problem named


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.drill(category=..., gate=..., destructive=...)` also sets the plain markers, so `-m gate` works."""
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
        self.run_id = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
        self.records: list[DrillRecord] = []
        self.inventories: list[dict[str, Any]] = []
        self.initial_inventories: list[dict[str, Any]] = []
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
    def environments(self) -> list[str]:
        if self.config.getoption("--target") == "local":
            return list(self.stack.environments)
        return [self.config.getoption("--env")]


@pytest.fixture(scope="session")
def simulacro_session(request: pytest.FixtureRequest) -> SimulacroSession:
    return request.config.stash[STATE_KEY]


@pytest.fixture(scope="session")
def stack(simulacro_session: SimulacroSession) -> Stack:
    return simulacro_session.stack


@pytest.fixture(scope="session")
def target(simulacro_session: SimulacroSession, stack: Stack) -> Iterator[Any]:
    config = simulacro_session.config
    if config.getoption("--target") == "local":
        from simulacro.emulator import LocalAws
        from simulacro.provision import apply
        from simulacro.target import LocalTarget

        with LocalAws() as local_aws:
            local = LocalTarget(stack, local_aws)
            apply(stack, local)
            local.clock.sleep(60)  # let schedules leave Pending and alarms take their first evaluation
            config.hook.pytest_simulacro_provisioned(target=local)
            simulacro_session.initial_inventories = _final_inventories(local)
            yield local
            simulacro_session.inventories = _final_inventories(local)
    else:
        from simulacro.target import AwsTarget

        yield AwsTarget(stack, config.getoption("--env"), profile=config.getoption("--aws-profile"),
                        region=config.getoption("--aws-region"), endpoint_url=config.getoption("--endpoint-url"))


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from simulacro import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def _final_inventories(target: Any) -> list[dict[str, Any]]:
    from simulacro.provision import inventory

    return [inventory(target, environment).to_json() for environment in target.environments]


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
def faults(stack: Stack, target: Any, drill_record: DrillRecord, simulacro_session: SimulacroSession) -> Iterator[Faults]:
    registry = Faults(stack, target, drill_record, simulacro_session.run_id)
    try:
        yield registry
    finally:
        registry.undo_all()


@pytest.fixture
def expect(stack: Stack, target: Any, drill_record: DrillRecord, simulacro_session: SimulacroSession,
           request: pytest.FixtureRequest) -> Iterator[Expect]:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    progress = (lambda line: reporter.write_line(f"  [simulacro] {line}")) if reporter else None
    expectations = Expect(stack, target, drill_record, simulacro_session.run_id, progress)
    try:
        yield expectations
    finally:
        expectations.close()


@pytest.fixture
def traffic(target: Any, drill_record: DrillRecord, faults: Faults) -> Iterator[Traffic]:
    steady = Traffic(target, drill_record, faults.endpoint_state.attributes_for)
    try:
        yield steady
    finally:
        steady.stop()


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
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    record = item.stash.get(_record_key, None)
    if record is not None and report.when == "call":
        record.outcome = report.outcome
        record.message = str(call.excinfo.value) if call.excinfo else ""
        from pytest_html import extras

        report.extras = getattr(report, "extras", []) + [extras.html(drill_html(record))]
    return report


def pytest_html_report_title(report: Any) -> None:
    report.title = "Simulacro drills: evidence of the observability stack"


def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session) -> None:
    state = session.config.stash[STATE_KEY]
    target = session.config.getoption("--target")
    prefix.append(f"<p>Run {state.run_id}, target {target}, spec {Path(session.config.getoption('--spec')).name}.</p>")
    if state.inventories:
        postfix.append(inventory_html(state.inventories))


def pytest_metadata(metadata: dict[str, Any]) -> None:
    for key in list(metadata):
        if key.upper() in ("JAVA_HOME", "CI_JOB_TOKEN") or "TOKEN" in key.upper() or "SECRET" in key.upper():
            metadata.pop(key)


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE_KEY, None)
    if state is None or not state.records:
        return
    path = _bundle_path(session.config)
    path.parent.mkdir(parents=True, exist_ok=True)
    bundle = {"run_id": state.run_id, "target": session.config.getoption("--target"),
              "drills": [_record_json(r) for r in state.records], "inventories": state.inventories,
              "initial_inventories": state.initial_inventories}
    path.write_text(json.dumps(redact(bundle), indent=2, default=str))


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
