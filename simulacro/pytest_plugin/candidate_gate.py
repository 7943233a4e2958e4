"""The pre-promotion gate's candidate: `--candidate PATH_OR_ARN`, the `candidate` fixture, and the verdict in
the terminal, the HTML report (its first section), the JSON bundle and the exit status.

A candidate file is checked when the run starts (a bad one stops the run with exit 4, naming file, line and
path); a model package ARN is read from the account once the target is up. Without `--candidate` the
candidate drills skip with one line saying so, and no verdict is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, cast

import pytest

from simulacro.drill.candidate.verdict import judge
from simulacro.errors import BadInput
from simulacro.evidence.verdict import candidate_verdict_html
from simulacro.spec.candidate import Candidate, CandidateError, is_package_arn, load_candidate

if TYPE_CHECKING:
    from simulacro.evidence import DrillRecord
    from simulacro.pytest_plugin.session import SimulacroSession
    from simulacro.target.targets import Target

NO_CANDIDATE = (
    "no --candidate given: the gate proves the observability stack only; pass --candidate "
    "fixtures/candidates/<file>.yaml (local) or a model package ARN (--target aws) to gate a model"
)


def add_options(group: Any) -> None:
    group.addoption(
        "--candidate",
        default=None,
        metavar="PATH_OR_ARN",
        help="gate this candidate for promotion: a candidate "
        "file (fixtures/candidates/) or, with --target aws, a model package ARN",
    )
    group.addoption(
        "--leave-candidate",
        action="store_true",
        help="on --target aws, leave staging on the candidate after the gate (default: back on the current model)",
    )


class CandidateGate:
    def __init__(self, state: SimulacroSession):
        self.state = state
        config = state.config
        self.given: str | None = config.getoption("--candidate")
        self.leave = bool(config.getoption("--leave-candidate"))
        self.loaded: Candidate | None = None
        if self.given and is_package_arn(self.given):
            if not state.on_aws or state.dry_run:
                raise pytest.UsageError(
                    f"--candidate {self.given}: a model package ARN is read from a real account; add "
                    "--target aws (without --dry-run), or pass a candidate file such as "
                    "fixtures/candidates/healthy.yaml for the local AWS"
                )
        elif self.given:
            try:
                self.loaded = load_candidate(self.given, state.stack, Path(config.getoption("--spec")).parent)
            except CandidateError as error:
                raise pytest.UsageError(str(error)) from None

    def candidate(self, target: Target) -> Candidate | str:
        """The candidate being gated, or why the drill skips (no --candidate, or an environment this run does not reach)."""
        if not self.given:
            return NO_CANDIDATE
        if self.loaded is None:
            from simulacro.drill.candidate.package import candidate_from_package

            try:
                self.loaded = candidate_from_package(
                    target.client("sagemaker", self.state.environment),
                    self.given,
                    self.state.stack,
                    self.state.environment,
                )
            except BadInput as error:
                pytest.fail(str(error), pytrace=False)
        if self.loaded.environment not in target.environments:
            return (
                f"candidate {self.loaded.name} goes to {self.loaded.endpoint_name} in {self.loaded.environment}, "
                "which this run does not reach"
            )
        return self.loaded

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> None:
        """A candidate drill without a candidate skips in its call, with the reason on its timeline."""
        reason = pyfuncitem.funcargs.get("candidate")
        if isinstance(reason, str):
            # The fixtures of those names, when the drill asked for them.
            record = cast("DrillRecord | None", pyfuncitem.funcargs.get("drill_record"))
            target = cast("Target | None", pyfuncitem.funcargs.get("target"))
            if record is not None and target is not None:
                record.add(target.clock.now(), "note", f"skipped: {reason}")
            pytest.skip(reason)

    def verdict(self) -> dict[str, Any] | None:
        if not self.given or hasattr(self.state.config, "workerinput"):
            return None
        return judge(
            self.loaded or _named_by_arn(self.given, self.state.environment),
            self.state.drills_json(),
            self.state.skipped,
        ).to_json()

    def pytest_simulacro_bundle(self, bundle: dict[str, Any]) -> None:
        verdict = self.verdict()
        if verdict is not None:
            bundle["candidate"] = verdict

    @pytest.hookimpl(wrapper=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Iterator[None]:
        verdict = self.verdict()
        if verdict is not None and verdict["verdict"] != "promotable" and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED  # the gate exits 0 only for a promotable candidate
        return (yield)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        verdict = self.verdict()
        if verdict is None:
            return
        terminalreporter.write_sep(
            "=",
            f"simulacro: {verdict['headline']}",
            green=verdict["verdict"] == "promotable",
            red=verdict["verdict"] != "promotable",
        )
        for reason in verdict["reasons"]:
            terminalreporter.write_line(f"  - {reason}")
        for item in verdict["not_proven"]:
            if not any(item.split(":", 1)[1].strip() in reason for reason in verdict["reasons"]):
                terminalreporter.write_line(f"  (not proven) {item}")

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        verdict = self.verdict()
        if verdict is not None:
            prefix.insert(0, candidate_verdict_html(verdict))


def _named_by_arn(arn: str, environment: str) -> Any:
    """What the verdict needs of a package the xdist controller did not read (its workers did)."""
    from types import SimpleNamespace

    group, version = arn.rsplit("/", 2)[-2:]
    return SimpleNamespace(
        name=f"{group}-v{version}",
        source=arn,
        endpoint_name=f"the endpoint its promotion rule deploys in {environment}",
    )


PLUGIN_NAME = "simulacro-candidate"


@pytest.fixture
def candidate(request: pytest.FixtureRequest, target: Target) -> Candidate | str:
    """The candidate being gated (`--candidate`), read once; the drill skips in its call, saying so, when none was
    given (function-scoped, so the drill's record, timeline and wall time exist: the report lists every drill)."""
    return _gate(request.config).candidate(target)


@pytest.fixture
def leave_candidate(request: pytest.FixtureRequest) -> bool:
    """`--leave-candidate`: on real staging, the endpoint stays on the candidate after the gate."""
    return _gate(request.config).leave


def _gate(config: pytest.Config) -> CandidateGate:
    """The gate the Simulacro plugin registered for this run."""
    gate = config.pluginmanager.get_plugin(PLUGIN_NAME)
    assert isinstance(gate, CandidateGate), f"the {PLUGIN_NAME} plugin is the Simulacro plugin's CandidateGate"
    return gate
