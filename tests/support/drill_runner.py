"""Run real drills in-process against a local AWS that a test breaks right after provisioning.

The runs share the worker's local AWS (`simulacro.emulator.snapshot`): each restores the provisioned
stack instead of starting a server and provisioning it again. Pytester forgets the modules a run
imported once it ends; the shared server keeps using moto's and flask's, so those are kept (only the
drill modules and conftests are imported afresh by each run, as before).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from _pytest import pytester as pytester_module

ROOT = Path(__file__).resolve().parents[2]


class BreakAfterProvisioning:
    """A pytest plugin: breaks the live stack the way the drill under test must catch."""

    def __init__(self, breaker: Callable[[Any], None]):
        self.breaker = breaker

    def pytest_simulacro_provisioned(self, target: Any) -> None:
        self.breaker(target)


class OutcomesOnly:
    """A pytest plugin: the session skips the evidence's inventories and leftover search (reads that decide no
    drill's outcome; the next run restores the stack anyway)."""

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from simulacro.pytest_plugin.plugin import STATE_KEY

        session.config.stash[STATE_KEY].takes_inventories = False


def run_drills(
    pytester: Any,
    breaker: Callable[[Any], None] | None,
    *selection: str,
    extra: tuple[str, ...] = (),
    evidence: bool = True,
) -> Any:
    """Run drills in this process; without `evidence`, only their outcomes matter (`OutcomesOnly`)."""
    args = [str(ROOT / "drills" / s) for s in selection] or [str(ROOT / "drills")]
    plugins: list[Any] = [BreakAfterProvisioning(breaker)] if breaker else []
    if not evidence:
        plugins.append(OutcomesOnly())
    return pytester.runpytest_inprocess(
        *args, f"--rootdir={ROOT}", "-p", "no:cacheprovider", "-q", *extra, plugins=plugins
    )


def keep_library_modules() -> None:
    """From now on pytester forgets only the drill modules and conftests a run imported (see the docstring)."""
    original = pytester_module.SysModulesSnapshot
    if getattr(original, "keeps_libraries", False):
        return

    class KeepingLibraries(original):  # type: ignore[misc, valid-type]
        keeps_libraries = True

        def __init__(self, preserve: Callable[[str], bool] | None = None) -> None:
            super().__init__(preserve=lambda name: _library(name) or (preserve is not None and preserve(name)))

    pytester_module.SysModulesSnapshot = KeepingLibraries


def _library(name: str) -> bool:
    """Not a drill module nor a conftest: a module the next run may share."""
    if name.split(".")[0] in ("conftest", "drills") or name.rsplit(".", 1)[-1].startswith(("test_", "conftest")):
        return False
    path = getattr(sys.modules.get(name), "__file__", None) or ""
    return not path.startswith(str(ROOT / "drills"))


def account(target: Any, environment: str = "staging") -> str:
    return target.stack.account(environment)


ALARM_KEYS = (
    "AlarmName",
    "AlarmDescription",
    "AlarmActions",
    "OKActions",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "Metrics",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "EvaluateLowSampleCountPercentile",
)


def change_alarm(target: Any, name: str, environment: str = "staging", **changes: Any) -> None:
    """Re-put a live alarm with some fields changed, the way a hand edit in the console would."""
    cloudwatch = target.client("cloudwatch", environment)
    live = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    request = {k: live[k] for k in ALARM_KEYS if live.get(k) not in (None, [])}
    cloudwatch.put_metric_alarm(**{**request, **changes})


def all_of(*breakers: Callable[[Any], None]) -> Callable[[Any], None]:
    def breaker(target: Any) -> None:
        for each in breakers:
            each(target)

    return breaker


def assert_drills_report(
    pytester: Any, breaker: Callable[[Any], None] | None, drill: str, messages: list[str], extra: tuple[str, ...] = ()
) -> str:
    """Run `drill` against the stack broken by `breaker`: it must fail, and report every one of `messages`."""
    result = run_drills(pytester, breaker, drill, extra=extra, evidence=False)
    output = result.stdout.str()
    assert result.ret == 1, output[-4000:]
    missing = [message for message in messages if message not in output]
    assert not missing, "the drills did not report:\n" + "\n".join(missing) + "\n\n" + output[-5000:]
    return output
