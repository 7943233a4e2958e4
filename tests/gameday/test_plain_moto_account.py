"""Against a plain moto server standing in for the account (no overlay, wall-clock time, no Model Monitor), as a new
user would try it: `pytest drills --target aws --env staging --endpoint-url ... --provision` ends with every selected
drill passed, failed or skipped with one paragraph (no errors, no tracebacks); nothing the run created remains after
a destructive drill nor after SIGTERM; with the wrong account the run refuses before any change.

`SIMULACRO_E2E_ALL=1` runs the whole catalogue (an hour of wall-clock budgets on a server that never fires alarms)."""

import os
import subprocess
import sys
import textwrap

import pytest

from support.drill_runner import ROOT
from support.moto_account import KEYS, MotoAccount

# One account per module, provisioned once: kept on one xdist worker (`--dist loadgroup`), and correct elsewhere too,
# since each test that needs the provisioned stack asks for it.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("plain-moto-account")]

STAGING = "210987654321"
SELECTION = ["-m", "inventory or monitor or notification", "-k", "inventory or data-quality or churn-staging-5xx-rate"]
SIGTERM_MID_INJECTION = textwrap.dedent("""
    import os
    import signal

    from simulacro.drill.faults import Faults

    injected = Faults._injected

    def _injected(self, label, inject, **detail):
        def inject_then_terminate(undo):
            made = inject(undo)
            os.kill(os.getpid(), signal.SIGTERM)
            return made
        return injected(self, label, inject_then_terminate, **detail)

    Faults._injected = _injected
""")


def _drills(server, tmp_path, *args, plugin=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        KEYS,
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
    )
    extra = []
    if plugin:
        (tmp_path / "e2e_plugin.py").write_text(plugin)
        extra = ["-p", "e2e_plugin"]
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "drills",
            "--target",
            "aws",
            "--env",
            "staging",
            "--endpoint-url",
            server.url,
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
            f"--evidence={tmp_path / 'run.json'}",
            *extra,
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )


def _outcomes_are_clean(run):
    out = run.stdout + run.stderr
    assert "Traceback" not in out and "INTERNALERROR" not in out and "<!doctype html>" not in out.lower(), out[-4000:]
    summary = out.strip().splitlines()[-1]
    assert " error" not in summary, summary
    for line in out.splitlines():
        if line.startswith("SKIPPED"):
            assert len(line.split(": ", 1)[-1]) > 40, f"a skip without its reason: {line}"


@pytest.fixture(scope="module")
def account():
    server = MotoAccount(STAGING)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def provisioned_run(account, tmp_path_factory):
    """The run that provisions the account (`--provision`), once for the module."""
    selection = [] if os.environ.get("SIMULACRO_E2E_ALL") else SELECTION
    return _drills(account, tmp_path_factory.mktemp("provisioning"), "--provision", *selection)


def test_a_provisioned_run_ends_with_every_drill_passed_failed_or_skipped(provisioned_run):
    run = provisioned_run
    assert run.returncode in (0, 1), run.stdout[-4000:] + run.stderr[-2000:]
    _outcomes_are_clean(run)
    assert "not provisioned: monitoring schedules" in run.stdout  # the account lacks Model Monitor: said once
    assert "SKIPPED" in run.stdout and "does not offer sagemaker:" in run.stdout


def test_nothing_the_destructive_drills_created_remains(account, provisioned_run, tmp_path):
    before = account.resources()
    assert ("alarm", "churn-staging-5xx-rate") in before, "provisioned by the module's provisioning run"
    run = _drills(
        account,
        tmp_path,
        "-m",
        "destructive and (monitor or notification)",
        "-k",
        "churn-staging-5xx-rate or data-quality",
    )
    assert run.returncode in (0, 1), run.stdout[-4000:]
    _outcomes_are_clean(run)
    assert account.resources() == before


def test_after_sigterm_mid_injection_nothing_the_run_created_remains(account, provisioned_run, tmp_path):
    before = account.resources()
    run = _drills(account, tmp_path, "-m", "notification", "-k", "churn-staging-5xx-rate", plugin=SIGTERM_MID_INJECTION)
    assert run.returncode == int(pytest.ExitCode.INTERRUPTED), run.stdout[-4000:]
    assert "Traceback" not in run.stdout and "INTERRUPTED" in run.stdout
    assert account.resources() == before


def test_the_wrong_account_is_refused_before_any_change(tmp_path):
    other = MotoAccount("999988887777")
    try:
        run = _drills(other, tmp_path, "--provision", "-m", "inventory")
        assert run.returncode == int(pytest.ExitCode.USAGE_ERROR), run.stdout[-3000:] + run.stderr[-3000:]
        assert f"names account {STAGING} for environment 'staging'" in run.stdout + run.stderr
        assert "Traceback" not in run.stdout + run.stderr
        assert other.resources() == set()
    finally:
        other.stop()
