"""Parallel runs: locally each xdist worker has its own local AWS and the evidence of every worker lands in
one report; on real AWS, drills that touch the same resources share an xdist group (`--dist loadgroup`)."""

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from simulacro.gameday.parallel import resource_groups
from simulacro.spec import load_stack
from support.drill_runner import ROOT

STACK = load_stack()


def _drill(nodeid, *params, changes=True):
    fixtures = ["faults", "expect"] if changes else ["live"]
    return SimpleNamespace(
        nodeid=nodeid, fixturenames=fixtures, callspec=SimpleNamespace(params=dict(enumerate(params)))
    )


def test_drills_that_touch_the_same_resources_share_a_group():
    drills = [
        _drill("5xx", STACK.endpoint("churn-staging")),
        _drill("notify-5xx", STACK.alarm("churn-staging-5xx-rate")),
        _drill("train-step", STACK.alarm("churn-pipeline-train-step-failed")),
        _drill("pipeline-rule", STACK.rule("churn-pipeline-failed")),
        _drill("prod-notify", STACK.alarm("churn-prod-latency-p99")),
        _drill("prod-endpoint-rule", STACK.rule("churn-endpoint-state-prod")),
        _drill("inventory", "staging", changes=False),
    ]
    groups = resource_groups(drills, STACK, ["staging", "prod"])
    assert groups["5xx"] == groups["notify-5xx"]
    assert groups["train-step"] == groups["pipeline-rule"]
    assert groups["prod-notify"] == groups["prod-endpoint-rule"] != groups["5xx"]
    assert "inventory" not in groups


def test_rules_sharing_a_target_queue_share_a_group():
    """Two DLQ drills on rules delivering to one queue would edit its policy at the same time."""
    drills = [
        _drill("model-package-rule", STACK.rule("churn-model-package-state")),
        _drill("endpoint-rule", STACK.rule("churn-endpoint-state-staging")),
    ]
    groups = resource_groups(drills, STACK, ["staging"])
    assert groups["model-package-rule"] == groups["endpoint-rule"]


def test_a_drill_that_changes_things_without_a_resource_parameter_is_tied_to_its_environment():
    drills = [
        _drill("control-run"),
        _drill("5xx", STACK.endpoint("churn-staging")),
        _drill("prod-notify", STACK.alarm("churn-prod-5xx-rate")),
    ]
    groups = resource_groups(drills, STACK, ["staging"])
    assert groups["control-run"] == groups["5xx"]


@pytest.mark.slow
def test_parallel_workers_each_get_a_local_aws_and_one_report(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "drills",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "-m",
            "inventory or notification",
            f"--evidence={tmp_path / 'run.json'}",
            f"--junitxml={tmp_path / 'run.xml'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    bundle = json.loads((tmp_path / "run.json").read_text())
    assert len(bundle["drills"]) == (tmp_path / "run.xml").read_text().count("<testcase") >= 20
    assert all(d["timeline"] for d in bundle["drills"] if d["category"] == "notification")
    assert bundle["inventories"] and bundle["leftovers"] == []
    assert len({bundle["run_id"]}) == 1 and "gw" not in bundle["run_id"]
