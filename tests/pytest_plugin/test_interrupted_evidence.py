"""Evidence that tells the truth: a run interrupted by SIGTERM shows the interrupted drill as interrupted in the
HTML report, the JUnit XML and the JSON bundle (never "all passed"), and exits 2 after rolling everything back."""

import json
import os
import textwrap
import xml.etree.ElementTree as ET

import pytest

from support.drill_runner import ROOT

SIGTERM_IN_THE_NOTIFICATION_DRILL = textwrap.dedent("""
    import os
    import signal

    from simulacro.drill.faults import Faults

    injected = Faults._injected

    def _injected(self, label, inject, **detail):
        def inject_then_terminate(undo):
            made = inject(undo)
            os.kill(os.getpid(), signal.SIGTERM)  # as a cancelled CI job would, with the fault in place
            return made
        return injected(self, label, inject_then_terminate, **detail)

    Faults._injected = _injected
""")


@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory, python):
    folder = tmp_path_factory.mktemp("interrupted")
    (folder / "sigterm_in_notification.py").write_text(SIGTERM_IN_THE_NOTIFICATION_DRILL)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = python.run(
        [
            "pytest",
            "drills/test_inventory.py",
            "drills/test_notifications.py",
            "-k",
            "alarms_exist or topics_have or churn-staging-5xx-rate",
            "-p",
            "no:randomly",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "sigterm_in_notification",
            f"--html={folder / 'run.html'}",
            "--self-contained-html",
            f"--junitxml={folder / 'run.xml'}",
        ],
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    return run, folder


def test_the_run_exits_as_interrupted(interrupted_run):
    run, _ = interrupted_run
    assert run.returncode == int(pytest.ExitCode.INTERRUPTED), run.stdout[-3000:] + run.stderr[-3000:]
    assert "INTERRUPTED" in run.stdout


def test_the_junit_xml_counts_the_interrupted_drill_as_a_failure(interrupted_run):
    _, folder = interrupted_run
    suite = ET.parse(folder / "run.xml").getroot().find("testsuite")
    assert int(suite.get("failures")) >= 1, ET.tostring(suite)[:2000]
    failed = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert any(
        "churn-staging-5xx-rate" in case.get("name")
        and "INTERRUPTED" in case.find("failure").get("message", "") + (case.find("failure").text or "")
        for case in failed
    )


def test_the_html_report_shows_it_interrupted_not_passed(interrupted_run):
    _, folder = interrupted_run
    html = (folder / "run.html").read_text()
    assert "INTERRUPTED" in html and "churn-staging-5xx-rate" in html
    assert "0 Failed" not in html


def test_the_json_bundle_says_interrupted_for_the_drill(interrupted_run):
    _, folder = interrupted_run
    bundle = json.loads((folder / "run.json").read_text())
    assert bundle["interrupted"]
    outcomes = {d["drill"].split("::")[-1]: d["outcome"] for d in bundle["drills"]}
    assert [o for name, o in outcomes.items() if "churn-staging-5xx-rate" in name] == ["interrupted"], outcomes
    assert bundle["leftovers"] == []
