"""The phase scorecard: each requirement proven, failed, not run or skipped with its reason, linked to its
drills; the alarm and rule tables; and, against an earlier bundle, what regressed."""

import json

from simulacro.evidence.scorecard import FAILED, NOT_RUN, PROVEN, REQUIREMENTS, SKIPPED, scorecard
from support.drill_runner import run_drills

PIPELINE = "drills/test_pipeline_alarms.py::test_pipeline_failure_pages_the_on_call[churn-pipeline-execution-failed]"
FIVE_XX = "drills/test_endpoint_alarms.py::test_5xx_errors_page_the_on_call[churn-staging]"
DRIFT = "drills/test_model_monitor.py::test_drift_on_the_watched_feature_pages_the_owner[churn-staging-data-quality]"


def _drill(nodeid, outcome="passed", message="", measurements=()):
    return {
        "drill": nodeid,
        "outcome": outcome,
        "message": message,
        "environment": "staging",
        "measurements": list(measurements),
    }


def _rows(card):
    return {r["key"]: r for r in card["requirements"]}


def test_a_passed_drill_proves_its_requirement_and_links_to_it(stack):
    rows = _rows(scorecard([_drill(PIPELINE)], {}, stack))
    assert rows["pipeline-alarms"]["status"] == PROVEN and rows["pipeline-alarms"]["drills"] == [PIPELINE]


def test_one_failed_drill_fails_the_requirement_with_its_first_line(stack):
    drills = [
        _drill(PIPELINE),
        _drill(PIPELINE.replace("execution", "train-step"), "failed", "alarm x did not enter ALARM\nmore"),
    ]
    row = _rows(scorecard(drills, {}, stack))["pipeline-alarms"]
    assert row["status"] == FAILED and row["reasons"] == [f"{drills[1]['drill']}: alarm x did not enter ALARM"]


def test_a_requirement_whose_drills_were_all_skipped_says_why(stack):
    row = _rows(scorecard([], {DRIFT: "Model Monitor is not available to this account"}, stack))["drift-detected"]
    assert row["status"] == SKIPPED and row["reasons"] == ["Model Monitor is not available to this account"]


def test_a_requirement_no_selected_drill_proves_is_not_run(stack):
    card = scorecard([_drill(FIVE_XX)], {}, stack)
    assert _rows(card)["runbook-endpoint-not-responding"]["status"] == NOT_RUN
    assert len(card["requirements"]) == len(REQUIREMENTS)


def test_the_alarm_table_has_every_declared_alarm_with_what_was_measured(stack):
    measured = [
        {"name": "time to detect (churn-staging-5xx-rate)", "seconds": 120.0, "budget": 240.0, "floor": 120.0},
        {"name": "time to recover (churn-staging-5xx-rate)", "seconds": 180.0, "budget": 300.0, "floor": None},
    ]
    alarms = {a["alarm"]: a for a in scorecard([_drill(FIVE_XX, measurements=measured)], {}, stack)["alarms"]}
    assert set(alarms) == {a.name for a in stack.alarms}
    assert (
        alarms["churn-staging-5xx-rate"]["detect"],
        alarms["churn-staging-5xx-rate"]["floor"],
        alarms["churn-staging-5xx-rate"]["recover"],
    ) == (120.0, 120.0, 180.0)
    assert alarms["churn-prod-5xx-rate"]["detect"] is None


def test_against_an_earlier_bundle_it_marks_what_regressed(stack):
    slow = [{"name": "time to detect (churn-staging-5xx-rate)", "seconds": 240.0, "budget": 300.0, "floor": 120.0}]
    fast = [{**slow[0], "seconds": 120.0}]
    previous_drills = [_drill(PIPELINE), _drill(FIVE_XX, measurements=fast)]
    previous = {"drills": previous_drills, "scorecard": scorecard(previous_drills, {}, stack)}
    card = scorecard([_drill(PIPELINE, "failed", "no alarm"), _drill(FIVE_XX, measurements=slow)], {}, stack, previous)
    what = [r["what"] for r in card["regressed"]]
    assert any("was proven, now failed" in w for w in what) and any(
        f"{PIPELINE}: passed before, fails now" == w for w in what
    )
    assert any("time to detect of churn-staging-5xx-rate grew from 120s to 240s" == w for w in what)
    assert _rows(card)["pipeline-alarms"]["regressed"] is True


def test_the_report_leads_with_the_scorecard_and_the_bundle_holds_it(pytester, tmp_path):
    html = tmp_path / "out" / "run.html"
    result = run_drills(pytester, None, "test_pipeline_alarms.py", extra=(f"--html={html}", "--self-contained-html"))
    assert result.ret == 0, result.stdout.str()[-3000:]
    bundle = json.loads(html.with_suffix(".json").read_text())
    assert _rows(bundle["scorecard"])["pipeline-alarms"]["status"] == PROVEN
    text = html.read_text()
    assert "Phase scorecard" in text and text.index("Phase scorecard") < text.index("Timeline:")

    previous = tmp_path / "previous.json"
    bundle["drills"][0]["outcome"] = "passed"
    previous.write_text(json.dumps(bundle))
    again = run_drills(pytester, None, "test_pipeline_alarms.py", extra=(f"--html={html}", f"--compare={previous}"))
    assert again.ret == 0
    assert json.loads(html.with_suffix(".json").read_text())["scorecard"]["regressed"] == []


def test_an_unreadable_earlier_bundle_is_refused_before_any_drill(pytester, tmp_path):
    result = run_drills(pytester, None, "test_pipeline_alarms.py", extra=(f"--compare={tmp_path / 'missing.json'}",))
    assert result.ret == 4 and "--compare" in result.stderr.str() + result.stdout.str()
