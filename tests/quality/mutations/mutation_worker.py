"""A selfcheck worker's side: one local AWS kept warm for the process; each mutation one in-process pytest run.

`setup()` runs once in the worker: it shares one local AWS in the process (`simulacro.emulator.snapshot`), so
the plugin's session restores the provisioned stack from a snapshot (milliseconds) instead of starting a
server and provisioning again; a mutated spec is provisioned once, then restored by its key. Each run
restores the moto backends and the overlay as they were right after provisioning, so nothing a mutation
or a drill changed reaches the next run; the drill modules and conftests are imported afresh by each run
(the libraries are kept, as in the suite's own in-process drill runs).

`run_mutation(task)` runs the drills with the same arguments as a `python -m pytest drills` run would get
(`-m <run>`, the mutation plugin, `--spec` of the mutated copy), with changes that keep the verdict and
shorten the run: the drills of the expected category run first, the run stops at the first drill that
FAILS (an error does not stop it: an error is not a catch), and the session skips the evidence's
inventories (reads that decide no drill's outcome). It never raises: a mutation that cannot be applied or
whose drills cannot run comes back not caught, with the error.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Iterator

import pytest
from spec_mutation import write_mutated_spec
from verdict import Verdict, errored, errors, failures

MUTATIONS = Path(__file__).resolve().parent
ROOT = MUTATIONS.parents[2]
OUTPUT_TAIL = 600


def setup() -> None:
    """Once per worker: this worktree's code first, and a local AWS shared by every run of the process."""
    os.chdir(ROOT)
    for folder in (str(MUTATIONS), str(ROOT)):
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    from simulacro.emulator import LocalAws, snapshot

    snapshot.enable(LocalAws)
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from support.drill_runner import keep_library_modules
    finally:
        sys.path.remove(str(ROOT / "tests"))
    keep_library_modules()


def run_mutation(task: tuple[dict, Path, Path, Path]) -> Verdict:
    mutation, catalogue, spec, workdir = task
    started = time.perf_counter()
    try:
        return _run(mutation, catalogue, spec, workdir, started)
    except Exception as error:  # noqa: BLE001 - whatever it is, it is this mutation's verdict, not the worker's end
        detail = "".join(traceback.format_exception_only(error)).strip()
        return errored(mutation, detail[-OUTPUT_TAIL:], time.perf_counter() - started, os.getpid())


def drill_arguments(mutation: dict, report: Path, spec_option: list[str]) -> list[str]:
    """The pytest arguments of a mutation's run: the drills of its categories (or its `run`), a JUnit report."""
    return [
        "drills",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "mutation_plugin",
        "-m",
        mutation.get("run") or f"{mutation['expect']} or inventory",
        f"--junitxml={report}",
        *spec_option,
    ]


def _run(mutation: dict, catalogue: Path, spec: Path, workdir: Path, started: float) -> Verdict:
    report = workdir / f"{mutation['id']}.xml"
    spec_option = []
    if mutation.get("spec"):
        spec_option = ["--spec", str(write_mutated_spec(spec, mutation["spec"], workdir / mutation["id"]))]
    arguments = drill_arguments(mutation, report, spec_option)
    environment = {"SIMULACRO_MUTATION": mutation["id"], "SIMULACRO_CATALOGUE": str(catalogue.resolve())}
    from support.drill_runner import OutcomesOnly  # in sys.modules since setup() imported it from tests/

    plugins = [FirstCatch(mutation["expect"]), OutcomesOnly()]
    output = _pytest(arguments, environment, plugins, workdir / f"{mutation['id']}.log")
    _freeze_once()
    seconds = time.perf_counter() - started
    if not report.exists():
        return errored(mutation, output[-OUTPUT_TAIL:], seconds, os.getpid())
    failed = failures(report)
    return Verdict(
        mutation,
        [name for name, _ in failed],
        failed[0][1] if failed else "",
        seconds,
        error="; ".join(errors(report)[:2]),
        worker=os.getpid(),
    )


_frozen: list[bool] = []


def _freeze_once() -> None:
    """After the first run, what every run shares (the libraries, moto's models, the server) has been loaded: the
    garbage collector stops scanning it (pytest collects at the end of each session; it took half a second)."""
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen.append(True)


class FirstCatch:
    """A pytest plugin: the drills of the expected category run first, and the run stops at the first drill that
    fails (in its call: a failed set-up or tear-down is an error, not a catch, and the run goes on)."""

    def __init__(self, expect: str):
        self.expect = expect
        self.session: pytest.Session | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    @pytest.hookimpl(trylast=True)  # after the plugin set the category markers and -m deselected
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=lambda item: item.get_closest_marker(self.expect) is None)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and report.failed and self.session is not None:
            self.session.shouldfail = f"caught by {report.nodeid}"


def _pytest(arguments: list[str], environment: dict[str, str], plugins: list[Any], log: Path) -> str:
    """Run pytest in this process, its output into `log` (returned); the drill modules it imports are forgotten after."""
    from _pytest import pytester  # its SysModulesSnapshot keeps the libraries once keep_library_modules() ran

    with _environment(environment), _output_to(log):
        paths, modules = pytester.SysPathsSnapshot(), pytester.SysModulesSnapshot()
        try:
            pytest.main(arguments, plugins=plugins)
        finally:
            modules.restore()
            paths.restore()
    return log.read_text(errors="replace")


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """The process's stdout and stderr (file descriptors 1 and 2, where pytest writes) go to `log` meanwhile."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with log.open("wb") as file:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for descriptor in saved:
                os.close(descriptor)
