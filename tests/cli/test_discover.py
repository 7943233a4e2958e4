"""`simulacro discover` reads a live account into a spec draft that validates, whose staging alarms, rules,
topics, queues, log groups, endpoints and schedules are exactly the declared ones, and against which the
inventory drills pass; `simulacro diff` prints what differs between a spec and the account."""

import os
import subprocess
import sys

import pytest
import yaml

from simulacro.spec import DEFAULT_SPEC, load_stack
from simulacro.spec.draft import Draft, plain, render
from support.aws_double import SandboxProcess
from support.drill_runner import ROOT

pytestmark = pytest.mark.slow
KINDS = ("alarms", "rules", "topics", "queues", "log_groups", "endpoints", "monitoring_schedules", "pipelines")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = SandboxProcess(tmp_path_factory.mktemp("sandbox"), "staging")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def account_env(sandbox):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, **sandbox.exports, "AWS_EC2_METADATA_DISABLED": "true"}


def _simulacro(env, *args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "simulacro", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def draft(account_env, tmp_path_factory):
    folder = tmp_path_factory.mktemp("draft")
    run = _simulacro(account_env, "discover", "--env", "staging", "--out", str(folder / "draft.yaml"), cwd=folder)
    assert run.returncode == 0, run.stdout + run.stderr
    return folder / "draft.yaml"


def test_the_draft_validates_and_holds_exactly_the_declared_staging_resources(draft):
    discovered = load_stack(draft)
    declared = load_stack(DEFAULT_SPEC).in_environment("staging")
    for kind in KINDS:
        assert sorted(i.name for i in getattr(discovered, kind)) == sorted(
            i.name for i in getattr(declared, kind) if getattr(i, "region", None) in (None, declared.region)
        ), kind


def test_alarms_keep_their_thresholds_comparisons_periods_and_actions(draft):
    discovered = {a.name: a for a in load_stack(draft).alarms}
    for alarm in load_stack(DEFAULT_SPEC).in_environment("staging").alarms:
        if alarm.name not in discovered:
            continue
        found = discovered[alarm.name]
        assert (found.threshold, found.comparison, found.period, found.m_of_n, found.treat_missing_data) == (
            alarm.threshold,
            alarm.comparison,
            alarm.period,
            alarm.m_of_n,
            alarm.treat_missing_data,
        ), alarm.name
        assert found.actions == alarm.actions and found.owner == alarm.owner and found.runbook == alarm.runbook


def test_what_only_a_person_decides_is_marked_for_review(draft):
    text = draft.read_text()
    assert "detection_budget:" in text and "# review:" in text
    assert "allow_destructive: []  # review:" in text


def test_the_inventory_drills_pass_against_the_account_with_the_draft(draft, account_env):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "drills" / "test_inventory.py"),
            f"--rootdir={ROOT}",
            "-p",
            "no:cacheprovider",
            "-q",
            "--spec",
            str(draft),
            "--target",
            "aws",
            "--env",
            "staging",
        ],
        env=account_env,
        cwd=draft.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:]


def test_diff_finds_no_difference_with_the_draft_and_names_a_changed_threshold(draft, account_env, tmp_path):
    same = _simulacro(account_env, "diff", "--env", "staging", "--spec", str(draft), cwd=tmp_path)
    assert same.returncode == 0 and "0 difference(s)" in same.stdout, same.stdout + same.stderr
    data = yaml.safe_load(draft.read_text())
    data["alarms"][0]["threshold"] = 12345
    changed = draft.parent / "changed.yaml"
    changed.write_text(yaml.safe_dump(data, sort_keys=False))
    differs = _simulacro(account_env, "diff", "--env", "staging", "--spec", str(changed), cwd=tmp_path)
    assert differs.returncode == 1 and data["alarms"][0]["name"] in differs.stdout and "threshold" in differs.stdout


def test_a_prefix_that_matches_nothing_writes_an_empty_platform_and_refuses_to_overwrite(account_env, tmp_path, draft):
    refused = _simulacro(account_env, "discover", "--env", "staging", "--out", str(draft), cwd=tmp_path)
    assert refused.returncode == 2 and "exists" in refused.stderr and "Traceback" not in refused.stderr
    empty = _simulacro(
        account_env,
        "discover",
        "--env",
        "staging",
        "--prefix",
        "nothing-",
        "--out",
        str(tmp_path / "d.yaml"),
        cwd=tmp_path,
    )
    assert empty.returncode == 0, empty.stdout + empty.stderr
    assert "alarms" not in yaml.safe_load((tmp_path / "d.yaml").read_text())


def test_the_wrong_account_for_the_spec_is_refused_before_reading(account_env, tmp_path):
    run = _simulacro(
        account_env,
        "discover",
        "--env",
        "prod",
        "--spec",
        str(DEFAULT_SPEC),
        "--out",
        str(tmp_path / "x.yaml"),
        cwd=tmp_path,
    )
    assert run.returncode == 2 and "account" in run.stderr and not (tmp_path / "x.yaml").exists()


def test_review_comments_never_change_what_the_yaml_says():
    draft = Draft(header=["a draft"])
    draft.spec = {
        "name": draft.review("it's: odd", "quoting"),
        "n": draft.review(5, "a number"),
        "l": draft.review([], "empty"),
        "nested": [{"flag": draft.review(False, "a flag"), "cron": draft.review("cron(0 * ? * * *)", "cron")}],
    }
    text = render(draft)
    assert yaml.safe_load(text) == plain(draft.spec)
    assert text.count("# review:") == 5 and text.startswith("# a draft\n")
