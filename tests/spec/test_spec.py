"""The stack spec: the example loads, and every kind of bad spec fails before anything is provisioned,
naming the file, the line, the path inside it and what was expected."""
from pathlib import Path

import pytest
import yaml

from simulacro.spec import DEFAULT_SPEC, SpecError, load_stack, parse_duration


def _write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEFAULT_SPEC.read_text())
    change(data)
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    # The spec's relative references (models, baselines) resolve from the fixtures folder.
    for name in ("models", "baselines"):
        (tmp_path / name).symlink_to(DEFAULT_SPEC.parent / name)
    return path


def _problems(path: Path) -> str:
    with pytest.raises(SpecError) as raised:
        load_stack(path)
    return str(raised.value)


def test_the_example_spec_loads_with_every_category_of_alarm():
    stack = load_stack()
    assert {a.category for a in stack.alarms} == {"pipeline", "endpoint", "cost", "monitor"}
    assert set(stack.environments) == {"staging", "prod"}
    assert stack.alarm("churn-staging-5xx-rate").detection_budget == 240


def test_durations_read_as_people_write_them():
    assert parse_duration("90s") == 90
    assert parse_duration("1h30m") == 5400
    assert parse_duration(45) == 45
    with pytest.raises(ValueError):
        parse_duration("five minutes")


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "stack.yaml"
    path.write_text("version: 1\nname: [unclosed\n")
    message = _problems(path)
    assert f"{path}:" in message and "not valid YAML" in message


def test_missing_file_is_named(tmp_path):
    assert "file not found" in _problems(tmp_path / "nope.yaml")


def test_duplicate_yaml_key_is_refused_because_yaml_would_keep_only_the_last(tmp_path):
    path = tmp_path / "stack.yaml"
    path.write_text("version: 1\nname: a\nname: b\n")
    assert "appears twice" in _problems(path)


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["alarms"][0]["actions"].update(alarm=["no-such-topic"]), "alarms[0].actions.alarm[0]: unknown topic in staging 'no-such-topic'"),
    (lambda d: d["monitoring_schedules"][0].update(endpoint="ghost"), "monitoring_schedules[0].endpoint: unknown endpoint in staging 'ghost'"),
    (lambda d: d["alarms"][0].update(threshold="high"), "alarms[0].threshold"),
    (lambda d: d["alarms"][0].pop("owner"), "alarms[0].owner: required field is missing"),
    (lambda d: d["alarms"][1].update(name=d["alarms"][0]["name"]), "duplicate name 'churn-pipeline-execution-failed'"),
    (lambda d: d["rules"][0].update(pattern='{"source": ["aws.sagemaker"'), "rules[0].pattern: invalid event pattern"),
    (lambda d: d["rules"][0]["pattern"]["detail"].update(currentPipelineExecutionStatus=[{"prefx": "F"}]), "rules[0].pattern: invalid event pattern"),
    (lambda d: d["rules"][2]["pattern"]["detail"].update(EndpointStatus=["InService"]), "IN_SERVICE"),
    (lambda d: d["rules"][0].update({"detail-type": "x"}), "rules[0].detail-type: unknown field"),
    (lambda d: d["alarms"][0].update(environment="qa"), "alarms[0].environment: unknown environment 'qa'"),
    (lambda d: d["environments"]["staging"].update(account="12345"), "environments.staging.account"),
    (lambda d: d["alarms"][0].update(period=45), "period must be 10, 20, 30 or a multiple of 60"),
    (lambda d: d["alarms"][3].update(expression="100 * errs / invocations"), "'errs', which is not one of the alarm's metrics"),
    (lambda d: d["rules"][0]["targets"][0].update(dead_letter_queue="missing-dlq"), "dead_letter_queue: unknown queue in staging 'missing-dlq'"),
    (lambda d: d["monitoring_schedules"][0]["baseline"].update(version="v9"), "no versioned baseline"),
    (lambda d: d["alarms"][0].update(detection_budget="soon"), "alarms[0].detection_budget: expected a duration"),
    (lambda d: d["alarms"][0].update(runbook="pray"), "unknown runbook 'pray'"),
    (lambda d: d["pipelines"][0]["fault"].update(parameter="Nope"), "unknown pipeline parameter 'Nope'"),
])
def test_bad_spec_names_file_path_and_expectation(tmp_path, change, expected):
    path = _write_variant(tmp_path, change)
    message = _problems(path)
    assert expected in message, message
    assert str(path) in message and "nothing was provisioned" in message


def test_every_problem_is_reported_at_once(tmp_path):
    def two_problems(d):
        d["alarms"][0]["actions"]["alarm"] = ["ghost"]
        d["monitoring_schedules"][0]["endpoint"] = "ghost"

    assert "2 problems" in _problems(_write_variant(tmp_path, two_problems))
