"""`make selfcheck --catalogue FILE` runs that catalogue: selfcheck reads it, and the mutation plugin in each drill
run applies the mutation from that file (not from the default catalogue)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

MUTATIONS = Path(__file__).parent / "mutations"
ROOT = Path(__file__).resolve().parents[2]


def test_selfcheck_runs_another_catalogue_and_its_plugin_reads_it(tmp_path):
    catalogue = tmp_path / "held-out.yaml"
    catalogue.write_text(
        yaml.safe_dump(
            {
                "mutations": [
                    {
                        "id": "held-out-runbook-tag",
                        "description": "a runbook tag no default mutation has",
                        "expect": "inventory",
                        "run": "inventory",
                        "apply": [
                            {
                                "op": "alarm",
                                "name": "churn-pipeline-evaluate-step-failed",
                                "tag": {"runbook": "held-out-page"},
                            }
                        ],
                    },
                ]
            }
        )
    )
    done = subprocess.run(
        [sys.executable, str(MUTATIONS / "selfcheck.py"), "--catalogue", str(catalogue), "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kill rate: 1/1" in done.stdout
    assert 'tag runbook: live "held-out-page"' in done.stdout


def test_selfcheck_refuses_a_catalogue_that_does_not_exist(tmp_path):
    done = subprocess.run(
        [sys.executable, str(MUTATIONS / "selfcheck.py"), "--catalogue", str(tmp_path / "none.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "no catalogue at" in done.stderr


def test_a_spec_mutation_selects_by_name_and_environment():
    sys.path.insert(0, str(MUTATIONS))
    from spec_mutation import mutate_spec

    spec = {"models": [{"name": "m", "environment": "staging", "x": 1}, {"name": "m", "environment": "prod", "x": 1}]}
    mutate_spec(spec, [{"op": "set", "path": "models[name=m,environment=prod].x", "value": 2}])
    assert [m["x"] for m in spec["models"]] == [1, 2]


def _selfcheck():
    sys.path.insert(0, str(MUTATIONS))
    import selfcheck

    return selfcheck


BREAK_THE_RUNBOOK_TAG = {
    "id": "breaks-a-runbook-tag",
    "description": "changes a live alarm's runbook tag",
    "expect": "inventory",
    "run": "inventory",
    "apply": [{"op": "alarm", "name": "churn-staging-5xx-rate", "tag": {"runbook": "restart-the-endpoint"}}],
}
REMOVE_THE_FAULTS_FROM_THE_SPEC = {
    "id": "spec-without-faults",
    "description": "a spec whose staging endpoint declares no fault (provisioned once more, from its own snapshot)",
    "expect": "inventory",
    "run": "inventory",
    "spec": [{"op": "remove", "path": "endpoints[name=churn-staging].faults"}],
}
UNKNOWN_ALARM = {
    "id": "alarm-that-does-not-exist",
    "description": "a held-out mutation naming an alarm the stack lacks: its drills error",
    "expect": "inventory",
    "run": "inventory",
    "apply": [{"op": "alarm", "name": "no-such-alarm", "set": {"Threshold": 1.0}}],
}
NOTHING = {"id": "nothing", "description": "no change at all", "expect": "inventory", "run": "inventory", "apply": []}


def test_a_mutation_does_not_leak_into_the_next_run_of_the_same_worker(tmp_path):
    """One worker, one local AWS: each run restores the provisioned stack, so after a live edit, a mutated spec
    and a mutation whose drills errored, a run that changes nothing is caught by nothing."""
    catalogue = tmp_path / "catalogue.yaml"
    mutations = [BREAK_THE_RUNBOOK_TAG, NOTHING, REMOVE_THE_FAULTS_FROM_THE_SPEC, UNKNOWN_ALARM, NOTHING]
    catalogue.write_text(yaml.safe_dump({"mutations": mutations}))
    selfcheck = _selfcheck()

    verdicts = selfcheck.run_in_workers(mutations, tmp_path, catalogue, workers=1)

    assert len({v.worker for v in verdicts}) == 1, [v.worker for v in verdicts]
    by_position = [(v.mutation["id"], v.caught, v.caught_by[:1], v.error[:300]) for v in verdicts]
    assert verdicts[0].caught and 'tag runbook: live "restart-the-endpoint"' in verdicts[0].message, by_position
    assert verdicts[2].caught and "test_coverage" in verdicts[2].caught_by[0], by_position
    assert not verdicts[3].caught and "no-such-alarm" in verdicts[3].error, by_position
    assert not verdicts[1].caught and not verdicts[1].error, by_position
    assert not verdicts[4].caught and not verdicts[4].error, by_position
    assert "SURVIVED" in selfcheck.table(verdicts).splitlines()[3]


def _double_or_die(task):
    """A worker's task in the test below: `die` ends the process at once (as a segfault would), `hang` never ends."""
    if task == "die":
        os._exit(3)
    if task == "hang":
        time.sleep(600)
    return task * 2


def test_a_worker_that_dies_or_hangs_is_replaced_and_its_task_reported_lost():
    sys.path.insert(0, str(MUTATIONS))
    from worker_pool import run_all

    results = run_all(
        ["a", "die", "b", "hang", "c", "d"],
        run=_double_or_die,
        lost=lambda task, reason: f"{task} lost: {reason}",
        workers=2,
        timeout=2,
    )

    assert results == [
        "aa",
        "die lost: worker died (exit code 3)",
        "bb",
        "hang lost: worker killed: no result within 2 s",
        "cc",
        "dd",
    ]


def _slow_setup():
    time.sleep(1.5)


def test_a_tasks_time_starts_when_its_worker_is_set_up():
    sys.path.insert(0, str(MUTATIONS))
    from worker_pool import run_all

    results = run_all(
        ["a", "b"], run=_double_or_die, lost=lambda task, reason: reason, workers=1, timeout=1, setup=_slow_setup
    )

    assert results == ["aa", "bb"]
