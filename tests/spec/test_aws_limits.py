"""What AWS refuses is refused at validation: one test per constraint class, each with values on both sides
of the limit, so a rule that refuses too much breaks a test as surely as one that lets too much through."""

import math
from pathlib import Path

import pytest

from simulacro.spec import SpecError, load_stack
from simulacro.spec.aws_limits import (
    endpoint_problem,
    log_retention_days,
    monitor_schedule_problem,
    relative_path_problem,
)
from simulacro.spec.aws_shapes import ApiParam
from simulacro.spec.durations import parse_duration, parse_positive_duration
from support.example_spec import example_data, write_spec


def _load_variant(tmp_path: Path, change) -> str | None:
    """The problems of the example spec with `change` applied (None when it loads)."""
    data = example_data()
    change(data)
    try:
        load_stack(write_spec(data, tmp_path))
    except SpecError as error:
        return str(error)
    return None


def _set(path: str, value):
    def change(data):
        node = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(parts[-1]) if parts[-1].isdigit() else parts[-1]] = value

    return change


# --- botocore shapes as data ------------------------------------------------------------------------------


def test_botocore_shapes_give_length_pattern_range_and_enum():
    assert ApiParam("cloudwatch", "PutMetricAlarm", "AlarmName").problems("x" * 256)
    assert not ApiParam("cloudwatch", "PutMetricAlarm", "AlarmName").problems("x" * 255)
    assert ApiParam("logs", "CreateLogGroup", "logGroupName").problems("/a b")
    assert not ApiParam("logs", "CreateLogGroup", "logGroupName").problems("/aws/a_b-c.d#e")
    assert ApiParam("events", "PutTargets", "Targets[].RetryPolicy.MaximumEventAgeInSeconds").problems(59)
    assert not ApiParam("events", "PutTargets", "Targets[].RetryPolicy.MaximumEventAgeInSeconds").problems(60)
    assert ApiParam("sagemaker", "CreateEndpointConfig", "ProductionVariants[].InstanceType").problems("ml.m5.huge")
    assert not ApiParam("sagemaker", "CreateEndpointConfig", "ProductionVariants[].InstanceType").problems(
        "ml.g5.xlarge"
    )
    # Java-style \p{L} classes (tags) work: letters of any script pass, control characters do not.
    assert not ApiParam("sagemaker", "CreateModel", "Tags[].Value").problems("équipe-données")
    assert ApiParam("sagemaker", "CreateModel", "Tags[].Value").problems("a\tb")


def test_numbers_must_be_finite_and_whole_where_aws_wants_integers():
    param = ApiParam("cloudwatch", "PutMetricAlarm", "EvaluationPeriods")
    assert param.problems(math.nan) and param.problems(math.inf) and param.problems(1.5) and param.problems(0)
    assert not param.problems(3)


# --- the classes, through the loader (file, line, path) -------------------------------------------------------


@pytest.mark.parametrize(
    "change, where",
    [
        (_set("alarms.0.threshold", math.nan), "alarms[0].threshold"),
        (_set("alarms.0.threshold", math.inf), "alarms[0].threshold"),
        (_set("endpoints.0.faults.error_rate", math.nan), "endpoints[0].faults.error_rate"),
        (_set("endpoints.0.faults.added_latency", math.inf), "endpoints[0].faults.added_latency"),
        (
            _set(
                "alarms.0.detection_budget",
                "99999999999999999999999999999999999999999999999999999999999999999999999999999999"
                "99999999999999999999999999999999999999999999999999999999999999999999999999999999"
                "99999999999999999999999999999999999999999999999999999999999999999999999999999999"
                "99999999999999999999999999999999999999999999999999999999999999999999999999999999h",
            ),
            "alarms[0].detection_budget",
        ),
    ],
    ids=["nan-threshold", "inf-threshold", "nan-error-rate", "inf-latency", "overflowing-duration"],
)
def test_numbers_are_finite(tmp_path, change, where):
    problems = _load_variant(tmp_path, change)
    assert problems and where in problems, problems


@pytest.mark.parametrize(
    "field",
    [
        "alarms.0.detection_budget",
        "alarms.0.recovery_budget",
        "rules.0.delivery_budget",
        "pipelines.0.steps.0.duration",
    ],
)
@pytest.mark.parametrize("value", [0, "0s", "-1m", -5])
def test_budgets_and_durations_must_take_some_time(tmp_path, field, value):
    problems = _load_variant(tmp_path, _set(field, value))
    assert problems and field.split(".")[0] in problems, problems


def test_positive_duration_accepts_what_takes_time():
    assert parse_positive_duration("1s") == 1 and parse_positive_duration(0.5) == 0.5
    with pytest.raises(ValueError):
        parse_positive_duration("0m")
    with pytest.raises(ValueError):
        parse_duration(math.nan)


@pytest.mark.parametrize(
    "period, accepted",
    [
        (10, True),
        (20, True),
        (30, True),
        (60, True),
        (3600, True),
        (0, False),
        (15, False),
        (45, False),
        (90, False),
        (-60, False),
    ],
)
def test_periods_are_10_20_30_or_multiples_of_60(tmp_path, period, accepted):
    problems = _load_variant(tmp_path, _set("alarms.0.period", period))
    assert (problems is None) == accepted, problems


@pytest.mark.parametrize(
    "statistic, accepted",
    [
        ("p0", True),
        ("p50", True),
        ("p99.9", True),
        ("p99.99", True),
        ("p100", True),
        ("Maximum", True),
        ("p99.999", False),
        ("p101", False),
        ("P95", False),
        ("p", False),
        ("p-1", False),
        ("max", False),
        ("tm99", False),
    ],
)
def test_statistics_are_the_five_or_a_percentile_p0_to_p100(tmp_path, statistic, accepted):
    problems = _load_variant(tmp_path, _set("alarms.4.metric.statistic", statistic))
    assert (problems is None) == accepted, problems


def test_datapoints_cannot_exceed_evaluation_periods(tmp_path):
    assert "datapoints_to_alarm cannot exceed" in _load_variant(tmp_path, _set("alarms.3.datapoints_to_alarm", 4))


@pytest.mark.parametrize(
    "field, value",
    [
        ("alarms.0.comparison", "GreaterThan"),
        ("alarms.0.treat_missing_data", "Breaching"),
        ("alarms.0.evaluate_low_sample_count_percentile", "sometimes"),
        ("alarms.0.metric.namespace", ":AWS/SageMaker"),
        ("alarms.0.metric.name", "x" * 256),
        ("alarms.0.description", "x" * 1025),
        ("alarms.0.name", "x" * 256),
    ],
)
def test_alarm_fields_take_only_what_put_metric_alarm_accepts(tmp_path, field, value):
    problems = _load_variant(tmp_path, _set(field, value))
    assert problems and "alarms[0]" in problems, problems


def test_too_many_dimensions_and_actions(tmp_path):
    def thirty_one_dimensions(data):
        data["alarms"][0]["metric"]["dimensions"] = {f"D{i}": "v" for i in range(31)}

    assert "has 31 items; AWS allows at most 30" in _load_variant(tmp_path, thirty_one_dimensions)


@pytest.mark.parametrize("metric_id", ["Errors", "1errors", "err-ors", "result"])
def test_metric_ids_start_lowercase_and_are_not_the_expression_id(tmp_path, metric_id):
    def rename(data):
        alarm = data["alarms"][3]
        alarm["metrics"][metric_id] = alarm["metrics"].pop("errors")
        alarm["expression"] = alarm["expression"].replace("errors", metric_id)

    problems = _load_variant(tmp_path, rename)
    assert problems and f"alarms[3].metrics.{metric_id}" in problems, problems


@pytest.mark.parametrize(
    "days, accepted",
    [(1, True), (14, True), (400, True), (3653, True), (0, False), (2, False), (45, False), (10000, False)],
)
def test_log_retention_is_one_of_the_periods_cloudwatch_logs_offers(tmp_path, days, accepted):
    problems = _load_variant(tmp_path, _set("log_groups.0.retention_days", days))
    assert (problems is None) == accepted, problems


def test_log_retention_periods_come_from_botocore():
    assert log_retention_days()[:6] == (1, 3, 5, 7, 14, 30) and 3653 in log_retention_days()


@pytest.mark.parametrize(
    "expression, accepted",
    [
        ("cron(0 * ? * * *)", True),
        ("cron(0 12 ? * * *)", True),
        ("cron(0 0/6 ? * * *)", True),
        ("cron(0 17/12 ? * * *)", True),
        ("cron(0 * * * *)", False),
        ("rate(1 hour)", False),
        ("cron(61 * ? * * *)", False),
        ("cron(0 24 ? * * *)", False),
        ("cron(0/15 * ? * * *)", False),
        ("cron(0 12 ? * MON *)", False),
        ("cron(0 12 1 * ? *)", False),
        ("NOW", False),
        ("hourly", False),
        ("", False),
        ("cron(0 0/25 ? * * *)", False),
    ],
)
def test_monitoring_schedules_take_model_monitors_documented_forms(expression, accepted):
    assert (monitor_schedule_problem(expression) is None) == accepted


@pytest.mark.parametrize(
    "protocol, endpoint, accepted",
    [
        ("email", "ops@example.com", True),
        ("email", "ops.example.com", False),
        ("email", "ops@example", False),
        ("email-json", "a@b.io", True),
        ("sms", "+353870000000", True),
        ("sms", "0870000000", False),
        ("https", "https://hooks.example.com/x?token=1", True),
        ("https", "hooks.example.com/x", False),
        ("https", "http://hooks.example.com", False),
        ("https", "https://", False),
        ("http", "http://h.example.com:8080/", True),
        ("https", "https://h.example.com:port/", False),
        ("https", " https://h.example.com", False),
        ("sqs", "arn:aws:sqs:eu-west-1:123456789012:q", True),
        ("sqs", "churn-queue", False),
        ("sqs", "arn:aws:sns:eu-west-1:123456789012:q", False),
        ("sqs", "arn:aws:sqs:eu-west-1:1234:q", False),
        ("lambda", "arn:aws:lambda:eu-west-1:123456789012:function:notify", True),
        ("lambda", "arn:aws:lambda:eu-west-1:123456789012:function:notify:live", True),
        ("lambda", "arn:aws:lambda:eu-west-1:123456789012:notify", False),
        ("lambda", "notify", False),
    ],
)
def test_subscription_endpoints_fit_their_protocol(protocol, endpoint, accepted):
    assert (endpoint_problem(protocol, endpoint) is None) == accepted


def test_subscription_endpoint_problem_is_reported_with_its_path(tmp_path):
    problems = _load_variant(
        tmp_path, _set("topics.0.subscriptions.0", {"protocol": "https", "endpoint": "example.com/hook"})
    )
    assert "topics[0].subscriptions[0].endpoint: an https subscription needs a URL beginning with https://" in problems


@pytest.mark.parametrize(
    "field, value, accepted",
    [
        ("queues.1.retention", "14d", True),
        ("queues.1.retention", "15d", False),
        ("queues.0.retention", "1m", True),
        ("queues.0.retention", "59s", False),
        ("queues.2.fifo", True, False),
        ("queues.2.name", "churn-deployments-staging.fifo", False),
    ],
)
def test_sqs_attributes_and_names(tmp_path, field, value, accepted):
    def change(data):
        _set(field, value)(data)
        for rule in data["rules"]:  # keep references to a renamed queue valid
            for target in rule["targets"]:
                if target.get("queue") == "churn-deployments-staging" and field == "queues.2.name":
                    target["queue"] = value

    problems = _load_variant(tmp_path, change)
    assert (problems is None) == accepted, problems


@pytest.mark.parametrize(
    "name, accepted", [("churn_ops-1", True), ("churn.ops", False), ("churn ops", False), ("x" * 257, False)]
)
def test_topic_names(tmp_path, name, accepted):
    def change(data):
        old = data["topics"][2]["name"]
        data["topics"][2]["name"] = name
        for alarm in data["alarms"]:
            alarm["actions"] = {k: [name if t == old else t for t in v] for k, v in alarm["actions"].items()}

    problems = _load_variant(tmp_path, change)
    assert (problems is None) == accepted, problems


@pytest.mark.parametrize(
    "field, value",
    [
        ("rules.0.targets.0.retry.maximum_retry_attempts", 186),
        ("rules.0.targets.0.retry.maximum_retry_attempts", -1),
        ("rules.0.targets.0.retry.maximum_event_age", "25h"),
        ("rules.0.targets.0.id", "ops queue"),
        ("rules.0.targets.0.input_transformer", {"InputPathsMap": {"bad key": "$.id"}, "InputTemplate": "<x>"}),
        ("rules.0.targets.0.input_transformer", {"InputPathsMap": {"id": "$.id"}}),
        ("rules.0.description", "x" * 513),
    ],
)
def test_event_rule_targets_and_retry_policy(tmp_path, field, value):
    problems = _load_variant(tmp_path, _set(field, value))
    assert problems and "rules[0]" in problems, problems


@pytest.mark.parametrize(
    "field, value",
    [
        ("endpoints.0.capture.sampling_percentage", 101),
        ("endpoints.0.capture.sampling_percentage", -1),
        ("endpoints.1.instance_count", 0),
        ("endpoints.0.instance_type", "m5.large"),
        ("endpoints.0.variant", "All_Traffic"),
        ("endpoints.0.capture.destination", "s3://a/capture"),
        ("endpoints.0.faults.attribute", "fault\tname"),
        ("monitoring_schedules.0.output", "s3://churn..monitoring/x"),
        ("monitoring_schedules.0.output", "s3://192.168.1.1/x"),
        ("models.0.image", "an image with spaces"),
        ("models.0.role_name", "role/with/too" + "x" * 70),
        ("pipelines.0.role_name", "churn pipeline"),
        ("pipelines.0.parameters", {"Input Data": "x"}),
        ("pipelines.0.parameters", {"MinAuc": "x" * 1025}),
    ],
)
def test_sagemaker_fields(tmp_path, field, value):
    def change(data):
        _set(field, value)(data)
        if field == "pipelines.0.parameters":
            value_keys = list(value)
            data["pipelines"][0]["fault"]["parameter"] = value_keys[0]

    problems = _load_variant(tmp_path, change)
    top = field.split(".")[0]
    assert problems and f"{top}[{field.split('.')[1]}]" in problems, problems


@pytest.mark.parametrize(
    "field, value",
    [
        ("alarms.0.owner", "x" * 257),
        ("topics.0.owner", "x" * 257),
        ("endpoints.0.owner", "owner\n"),
        ("model_package_groups.0.owner", "x" * 257),
        ("monitoring_schedules.0.owner", "x" * 257),
    ],
)
def test_tag_values_have_the_length_and_characters_aws_allows(tmp_path, field, value):
    problems = _load_variant(tmp_path, _set(field, value))
    assert problems and field.split(".")[0] in problems, problems


@pytest.mark.parametrize(
    "path, accepted",
    [
        ("models/churn/v3.json", True),
        ("../x.json", False),
        ("/etc/passwd", False),
        ("models/../../x", False),
        ("C:\\x.json", False),
        ("", False),
    ],
)
def test_relative_paths_stay_in_the_spec_folder(path, accepted):
    assert (relative_path_problem(path) is None) == accepted


@pytest.mark.parametrize(
    "field, value",
    [
        ("monitoring_schedules.0.baseline.version", "../v1"),
        ("monitoring_schedules.0.baseline.model", "churn/../../x"),
        ("monitoring_schedules.0.baseline.version", ".hidden"),
    ],
)
def test_baseline_references_are_plain_names(tmp_path, field, value):
    assert "monitoring_schedules[0].baseline" in _load_variant(tmp_path, _set(field, value))


def test_an_aws_limit_is_reported_with_file_line_and_path(tmp_path):
    problems = _load_variant(tmp_path, _set("log_groups.0.retention_days", 45))
    lines = (tmp_path / "stack.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if "retention_days: 45" in text)
    assert (
        f"{tmp_path / 'stack.yaml'}:{line}: log_groups[0].retention_days: CloudWatch Logs offers no retention of 45 days"
        in problems
    )


def test_names_the_provisioner_derives_must_fit_too(tmp_path):
    def long_endpoint(data):
        name = "churn-staging-" + "x" * 41  # 55 characters: fits EndpointName, not its config's name
        data["endpoints"][0]["name"] = name
        data["monitoring_schedules"][0]["endpoint"] = name

    problems = _load_variant(tmp_path, long_endpoint)
    assert "endpoints[0].name" in problems and "keep endpoint names to 54" in problems, problems


def test_a_rule_keeps_at_most_five_targets(tmp_path):
    def six(data):
        target = data["rules"][0]["targets"][0]
        data["rules"][0]["targets"] = [dict(target, id=f"t{i}") for i in range(6)]

    assert "6 targets; EventBridge allows at most 5 per rule" in _load_variant(tmp_path, six)


def test_an_event_pattern_longer_than_put_rule_accepts(tmp_path):
    def huge(data):
        data["rules"][1]["pattern"]["detail"]["ModelPackageGroupName"] = [f"churn-models-{i:04d}" for i in range(300)]

    assert "rules[1].pattern: the pattern as JSON has" in _load_variant(tmp_path, huge)


@pytest.mark.parametrize(
    "field",
    [
        "alarms.0.threshold",
        "alarms.0.evaluation_periods",
        "alarms.3.datapoints_to_alarm",
        "endpoints.1.instance_count",
        "log_groups.0.retention_days",
        "alarms.0.period",
    ],
)
def test_yaml_booleans_are_not_numbers(tmp_path, field):
    problems = _load_variant(tmp_path, _set(field, True))
    assert problems and "expected a number, got True" in problems, problems


def test_a_refused_webhook_url_is_shown_without_its_secret_path_or_token():
    problem = endpoint_problem("https", "http://user:pw@hooks.example.com/services/T000/B000/XXXXSECRET?token=abc")
    assert (
        "hooks.example.com/***" in problem and "SECRET" not in problem and "abc" not in problem and "pw" not in problem
    )
    assert "SECRET" not in endpoint_problem("https", "hooks.example.com/services/SECRET")


@pytest.mark.parametrize(
    "region, accepted", [("eu-west-1", True), ("us-east-1", True), ("eu-west-9", False), ("eu-wset-1", False)]
)
def test_the_region_is_one_aws_has(tmp_path, region, accepted):
    problems = _load_variant(tmp_path, _set("region", region))
    assert (problems is None) == accepted, problems


@pytest.mark.parametrize(
    "period, periods, accepted",
    [(60, 1440, True), (60, 1441, False), (3600, 168, True), (3600, 169, False), (21600, 28, True), (21600, 29, False)],
)
def test_the_evaluation_range_is_at_most_a_day_under_an_hour_else_seven_days(tmp_path, period, periods, accepted):
    def change(data):
        data["alarms"][0].update(period=period, evaluation_periods=periods)

    problems = _load_variant(tmp_path, change)
    assert (problems is None) == accepted, problems


def test_m_of_n_is_reported_on_datapoints_to_alarm(tmp_path):
    assert "alarms[3].datapoints_to_alarm: datapoints_to_alarm cannot exceed" in _load_variant(
        tmp_path, _set("alarms.3.datapoints_to_alarm", 4)
    )
