"""The cost drills fail, naming the alarm and why, on the misconfigurations they exist to catch: a cost alarm
where billing metrics never arrive is refused before anything runs, and a cost alarm that pages nobody fails
the drill."""

from pathlib import Path

from support.drill_runner import ALARM_KEYS, assert_drills_report, run_drills
from support.example_spec import example_data, write_spec

COST_ALARM = "churn-staging-estimated-charges"


def _spec_with_cost_alarm_in(folder: Path, region: str | None) -> Path:
    data = example_data()
    alarm = next(a for a in data["alarms"] if a["name"] == COST_ALARM)
    if region is None:
        alarm.pop("region")
    else:
        alarm["region"] = region
    return write_spec(data, folder)


def cost_alarm_without_actions(target):
    """The live cost alarm (us-east-1) re-put by hand with its ALARM actions removed."""
    cloudwatch = target.client("cloudwatch", "staging", target.stack.region_of(target.stack.alarm(COST_ALARM)))
    live = cloudwatch.describe_alarms(AlarmNames=[COST_ALARM])["MetricAlarms"][0]
    request = {k: live[k] for k in ALARM_KEYS if live.get(k) not in (None, [])}
    cloudwatch.put_metric_alarm(**{**request, "AlarmActions": []})


def test_a_cost_alarm_in_eu_west_1_is_refused_by_the_lint_before_any_drill(pytester, tmp_path):
    for region in ("eu-west-1", None):  # said, or inherited from the stack's region
        folder = tmp_path / str(region)
        folder.mkdir()
        spec = _spec_with_cost_alarm_in(folder, region)
        result = run_drills(pytester, None, "test_cost_alarms.py", extra=("--spec", str(spec)))
        output = result.stdout.str() + result.stderr.str()
        assert result.ret != 0, output[-3000:]
        assert "passed" not in output.splitlines()[-1], output[-3000:]
        assert (
            f"AWS/Billing alarm '{COST_ALARM}' is in eu-west-1, but AWS publishes billing metrics only in us-east-1"
            in output
        ), output[-3000:]
        assert "Fix: add `region: us-east-1` to the alarm" in output and "alarms[11].region" in output, output[-3000:]


def test_a_cost_alarm_without_actions_fails_the_cost_drill(pytester):
    assert_drills_report(
        pytester,
        cost_alarm_without_actions,
        "test_cost_alarms.py",
        [
            f"no ALARM notification for alarm {COST_ALARM} reached its topic's subscribers",
            "The live alarm has no ALARM actions, so it pages nobody (the spec declares: churn-finops-staging)",
            "test_charges_over_budget_page_finops[churn-staging-estimated-charges]",
        ],
        extra=("-k", "staging"),
    )
