"""A platform of several models: each model's drills find that model's resources and pass.

By default the drills of the last of three models run (the runbook drills and event rules, where a lookup
of "the first rule of the environment" would pick another model's); `SIMULACRO_SCALE_FULL=1` runs the
whole three-model catalogue (about 140 drills)."""

import os

import pytest

from simulacro.spec.scale import write_scaled_spec
from support.drill_runner import run_drills

FULL = os.environ.get("SIMULACRO_SCALE_FULL") == "1"


@pytest.mark.slow
def test_the_drills_of_every_model_pass_on_a_three_model_platform(pytester, tmp_path):
    spec = write_scaled_spec(3, tmp_path / "three" / "stack.yaml")
    if FULL:
        result = run_drills(pytester, None, extra=("--spec", str(spec)))
    else:
        result = run_drills(
            pytester,
            None,
            "test_incidents.py",
            "test_event_rules.py",
            extra=("--spec", str(spec), "-k", "churn3 and (incidents or delivers_the_event)"),
        )
    output = result.stdout.str()
    assert result.ret == 0, output[-5000:]
    passed = result.parseoutcomes().get("passed", 0)
    assert passed >= (130 if FULL else 7), output[-2000:]
