"""The stack spec: the example loads, and every kind of bad spec fails before anything is provisioned,
naming the file, the line, the path inside it and what was expected."""

from pathlib import Path

import pytest

from simulacro.spec import SpecError, load_stack, parse_duration
from support.example_spec import example_data, write_spec


def _write_variant(tmp_path: Path, change) -> Path:
    data = example_data()
    change(data)
    return write_spec(data, tmp_path)


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


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda d: d["alarms"][0]["actions"].update(alarm=["no-such-topic"]),
            "alarms[0].actions.alarm[0]: unknown topic in staging 'no-such-topic'",
        ),
        (
            lambda d: d["monitoring_schedules"][0].update(endpoint="ghost"),
            "monitoring_schedules[0].endpoint: unknown endpoint in staging 'ghost'",
        ),
        (lambda d: d["alarms"][0].update(threshold="high"), "alarms[0].threshold"),
        (lambda d: d["alarms"][0].pop("owner"), "alarms[0].owner: required field is missing"),
        (
            lambda d: d["alarms"][1].update(name=d["alarms"][0]["name"]),
            "duplicate name 'churn-pipeline-execution-failed'",
        ),
        (
            lambda d: d["rules"][0].update(pattern='{"source": ["aws.sagemaker"'),
            "rules[0].pattern: invalid event pattern",
        ),
        (
            lambda d: d["rules"][0]["pattern"]["detail"].update(currentPipelineExecutionStatus=[{"prefx": "F"}]),
            "rules[0].pattern: invalid event pattern",
        ),
        (lambda d: d["rules"][2]["pattern"]["detail"].update(EndpointStatus=["InService"]), "IN_SERVICE"),
        (lambda d: d["rules"][0].update({"detail-type": "x"}), "rules[0].detail-type: unknown field"),
        (lambda d: d["alarms"][0].update(environment="qa"), "alarms[0].environment: unknown environment 'qa'"),
        (lambda d: d["environments"]["staging"].update(account="12345"), "environments.staging.account"),
        (lambda d: d["alarms"][0].update(period=45), "period must be 10, 20, 30 or a multiple of 60"),
        (
            lambda d: d["alarms"][3].update(expression="100 * errs / invocations"),
            "'errs', which is not one of the alarm's metrics",
        ),
        (
            lambda d: d["rules"][0]["targets"][0].update(dead_letter_queue="missing-dlq"),
            "dead_letter_queue: unknown queue in staging 'missing-dlq'",
        ),
        (lambda d: d["monitoring_schedules"][0]["baseline"].update(version="v9"), "no versioned baseline"),
        (lambda d: d["alarms"][0].update(detection_budget="soon"), "alarms[0].detection_budget: expected a duration"),
        (lambda d: d["alarms"][0].update(runbook="pray"), "unknown runbook 'pray'"),
        (lambda d: d["pipelines"][0]["fault"].update(parameter="Nope"), "unknown pipeline parameter 'Nope'"),
    ],
)
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


# --- where resources live: billing in us-east-1, alarm actions and rule targets in their own region -----------

STAGING_COST, STAGING_FINOPS, STAGING_ONCALL = 11, 2, 0  # indexes in the example spec


def _cost_alarm_and_topic_indexes(data):
    alarm = next(i for i, a in enumerate(data["alarms"]) if a["name"] == "churn-staging-estimated-charges")
    topic = next(i for i, t in enumerate(data["topics"]) if t["name"] == "churn-finops-staging")
    assert (alarm, topic) == (STAGING_COST, STAGING_FINOPS), "the example spec moved: update the indexes"
    return alarm, topic


def test_the_example_spec_places_cost_alarms_and_finops_topics_in_us_east_1():
    stack = load_stack()
    cost = [a for a in stack.alarms if a.category == "cost"]
    assert cost and {stack.region_of(a) for a in cost} == {"us-east-1"}
    finops = {t for a in cost for t in a.actions.alarm}
    assert {stack.region_of(stack.topic_in(a.environment, t)) for a in cost for t in a.actions.alarm} == {"us-east-1"}
    others = [a for a in stack.alarms if a.category != "cost"] + [t for t in stack.topics if t.name not in finops]
    assert {stack.region_of(r) for r in others} == {stack.region} == {"eu-west-1"}


@pytest.mark.parametrize(
    "change, expected",
    [
        # a billing alarm that does not say where it lives is in the stack's region
        (
            lambda d: d["alarms"][STAGING_COST].pop("region"),
            "alarms[11].region: AWS/Billing alarm 'churn-staging-estimated-charges' is in eu-west-1, but AWS publishes billing metrics only in us-east-1",
        ),
        (
            lambda d: d["alarms"][STAGING_COST].update(region="eu-west-1"),
            "Fix: add `region: us-east-1` to the alarm and to the topics its actions name (churn-finops-staging)",
        ),
        (
            lambda d: d["alarms"][STAGING_COST].update(region="us-west-2"),
            "is in us-west-2, but AWS publishes billing metrics only in us-east-1",
        ),
        # the alarm is right, its topic is not: actions are same-region
        (
            lambda d: d["topics"][STAGING_FINOPS].pop("region"),
            "alarms[11].actions.alarm[0]: topic 'churn-finops-staging' is in eu-west-1, but it is an action of AWS/Billing alarm "
            "'churn-staging-estimated-charges', which lives in us-east-1",
        ),
        (
            lambda d: d["topics"][STAGING_FINOPS].update(region="eu-central-1"),
            "Fix: add `region: us-east-1` to topic 'churn-finops-staging' (topics[2])",
        ),
        # a billing metric inside metric math is a billing alarm too
        (
            lambda d: d["alarms"][STAGING_COST].update(
                region=None,
                metric=None,
                expression="charges",
                metrics={
                    "charges": {
                        "namespace": "AWS/Billing",
                        "name": "EstimatedCharges",
                        "dimensions": {"Currency": "USD"},
                        "statistic": "Maximum",
                    }
                },
            ),
            "AWS/Billing alarm 'churn-staging-estimated-charges' is in eu-west-1",
        ),
        # any alarm, any action state: the topic must be in the alarm's region
        (
            lambda d: d["topics"][STAGING_ONCALL].update(region="us-east-1"),
            "alarms[0].actions.alarm[0]: topic 'churn-oncall-staging' is in us-east-1, but alarm 'churn-pipeline-execution-failed' is in eu-west-1",
        ),
        (
            lambda d: d["alarms"][STAGING_COST]["actions"].update(ok=["churn-oncall-staging"]),
            "alarms[11].actions.ok[0]: topic 'churn-oncall-staging' is in eu-west-1, but it is an action of AWS/Billing alarm",
        ),
        (
            lambda d: d["alarms"][0].update(region="us-east-1"),
            "CloudWatch runs alarm actions only on topics in the alarm's own region",
        ),
        # a rule's SNS target must be in the rule's region (the stack's)
        (
            lambda d: d["rules"][0]["targets"].append({"id": "finops", "topic": "churn-finops-staging"}),
            "rules[0].targets[1].topic: topic 'churn-finops-staging' is in us-east-1, but rule 'churn-pipeline-failed' is in eu-west-1",
        ),
        # a guardrail's rollback alarm must be in the endpoint's region
        (
            lambda d: d["alarms"][3].update(region="us-east-1", actions={"alarm": ["churn-finops-staging"]}),
            "endpoints[0].deployment_config.rollback_alarms[0]: alarm 'churn-staging-5xx-rate' is in us-east-1, but endpoint 'churn-staging' is in eu-west-1",
        ),
        # a region must look like one
        (
            lambda d: d["alarms"][STAGING_COST].update(region="Ireland"),
            "alarms[11].region: 'Ireland' does not match the required pattern",
        ),
        (
            lambda d: d["topics"][STAGING_FINOPS].update(region="us-east"),
            "topics[2].region: 'us-east' does not match the required pattern",
        ),
    ],
)
def test_resources_in_the_wrong_region_are_refused_with_the_reason_and_the_fix(tmp_path, change, expected):
    path = _write_variant(tmp_path, lambda d: (_cost_alarm_and_topic_indexes(d), change(d)))
    message = _problems(path)
    assert expected in message, message
    assert str(path) in message and "nothing was provisioned" in message


def test_a_region_problem_names_the_line_of_the_alarm_or_of_its_region(tmp_path):
    def eu_billing(d):
        d["alarms"][STAGING_COST]["region"] = "eu-west-1"

    path = _write_variant(tmp_path, eu_billing)
    with pytest.raises(SpecError) as raised:
        load_stack(path)
    [problem] = raised.value.problems
    lines = path.read_text().splitlines()
    assert problem.path == "alarms[11].region" and lines[problem.line - 1].strip() == "region: eu-west-1"

    def no_region(d):
        del d["alarms"][STAGING_COST]["region"]

    (tmp_path / "b").mkdir()
    path = _write_variant(tmp_path / "b", no_region)
    with pytest.raises(SpecError) as raised:
        load_stack(path)
    [problem] = raised.value.problems
    assert path.read_text().splitlines()[problem.line - 1].strip() == "- name: churn-staging-estimated-charges"


def test_alarms_and_topics_moved_together_to_another_region_are_accepted(tmp_path):
    def move_pipeline_alarm(d):
        d["alarms"][0]["region"] = "us-east-1"
        d["alarms"][0]["actions"] = {"alarm": ["churn-finops-staging"]}

    stack = load_stack(_write_variant(tmp_path, move_pipeline_alarm))
    assert stack.region_of(stack.alarms[0]) == "us-east-1"
