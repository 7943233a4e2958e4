"""`make selfcheck --catalogue FILE` runs that catalogue: selfcheck reads it, and the mutation plugin in each drill
run applies the mutation from that file (not from the default catalogue)."""

import subprocess
import sys
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
