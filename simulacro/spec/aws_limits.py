"""What AWS would refuse in a spec that is otherwise well formed: each field checked against the API parameter
it becomes, so a bad value is refused at validation (file, line, path) and never half-provisioned.

Most limits are data: `FIELDS` maps a spec path to the botocore parameter it is sent as, and botocore's
service model says the length, pattern, range or enum. The rest are AWS rules that botocore states only in
prose (log retention days, SQS and SNS names, SNS endpoints per protocol, Model Monitor schedules, S3 bucket
names), each written once below with where it comes from.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, Iterator
from urllib.parse import urlsplit

from .aws_shapes import ApiParam
from .model import Stack

Found = tuple[str, str]  # (path inside the spec, what is wrong)


def _api(service: str, operation: str) -> Any:
    return lambda member: ApiParam(service, operation, member)


_ALARM = _api("cloudwatch", "PutMetricAlarm")
_RULE = _api("events", "PutRule")
_TARGETS = _api("events", "PutTargets")
_LOGS = _api("logs", "CreateLogGroup")
_TOPIC = _api("sns", "CreateTopic")
_PIPELINE = _api("sagemaker", "CreatePipeline")
_EXECUTION = _api("sagemaker", "StartPipelineExecution")
_GROUP = _api("sagemaker", "CreateModelPackageGroup")
_MODEL = _api("sagemaker", "CreateModel")
_ENDPOINT = _api("sagemaker", "CreateEndpoint")
_CONFIG = _api("sagemaker", "CreateEndpointConfig")
_SCHEDULE = _api("sagemaker", "CreateMonitoringSchedule")
_ROLE = ApiParam("iam", "CreateRole", "RoleName")
_SCHEDULE_CONFIG = "MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression"
_SCHEDULE_OUTPUT = (
    "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig.MonitoringOutputs[].S3Output.S3Uri"
)

# Spec path -> the API parameter its value is sent as. `[]` any list item, `{key}`/`{value}` a mapping's keys/values.
FIELDS: tuple[tuple[str, ApiParam], ...] = (
    ("alarms[].name", _ALARM("AlarmName")),
    ("alarms[].description", _ALARM("AlarmDescription")),
    ("alarms[].owner", _ALARM("Tags[].Value")),
    ("alarms[].runbook", _ALARM("Tags[].Value")),
    ("alarms[].metric.namespace", _ALARM("Namespace")),
    ("alarms[].metric.name", _ALARM("MetricName")),
    ("alarms[].metric.dimensions", _ALARM("Dimensions")),
    ("alarms[].metric.dimensions{key}", _ALARM("Dimensions[].Name")),
    ("alarms[].metric.dimensions{value}", _ALARM("Dimensions[].Value")),
    ("alarms[].metrics{key}", _ALARM("Metrics[].Id")),
    ("alarms[].metrics{value}.namespace", _ALARM("Metrics[].MetricStat.Metric.Namespace")),
    ("alarms[].metrics{value}.name", _ALARM("Metrics[].MetricStat.Metric.MetricName")),
    ("alarms[].metrics{value}.dimensions", _ALARM("Metrics[].MetricStat.Metric.Dimensions")),
    ("alarms[].metrics{value}.dimensions{key}", _ALARM("Metrics[].MetricStat.Metric.Dimensions[].Name")),
    ("alarms[].metrics{value}.dimensions{value}", _ALARM("Metrics[].MetricStat.Metric.Dimensions[].Value")),
    ("alarms[].expression", _ALARM("Metrics[].Expression")),
    ("alarms[].period", _ALARM("Period")),
    ("alarms[].evaluation_periods", _ALARM("EvaluationPeriods")),
    ("alarms[].datapoints_to_alarm", _ALARM("DatapointsToAlarm")),
    ("alarms[].threshold", _ALARM("Threshold")),
    ("alarms[].comparison", _ALARM("ComparisonOperator")),
    ("alarms[].treat_missing_data", _ALARM("TreatMissingData")),
    ("alarms[].actions.alarm", _ALARM("AlarmActions")),
    ("alarms[].actions.ok", _ALARM("OKActions")),
    ("alarms[].actions.insufficient_data", _ALARM("InsufficientDataActions")),
    ("topics[].owner", _TOPIC("Tags[].Value")),
    ("rules[].name", _RULE("Name")),
    ("rules[].description", _RULE("Description")),
    ("rules[].owner", _RULE("Tags[].Value")),
    ("rules[].targets", _TARGETS("Targets")),
    ("rules[].targets[].id", _TARGETS("Targets[].Id")),
    ("rules[].targets[].retry.maximum_retry_attempts", _TARGETS("Targets[].RetryPolicy.MaximumRetryAttempts")),
    ("rules[].targets[].retry.maximum_event_age", _TARGETS("Targets[].RetryPolicy.MaximumEventAgeInSeconds")),
    ("rules[].targets[].input_transformer.InputTemplate", _TARGETS("Targets[].InputTransformer.InputTemplate")),
    ("rules[].targets[].input_transformer.InputPathsMap", _TARGETS("Targets[].InputTransformer.InputPathsMap")),
    (
        "rules[].targets[].input_transformer.InputPathsMap{key}",
        _TARGETS("Targets[].InputTransformer.InputPathsMap{key}"),
    ),
    (
        "rules[].targets[].input_transformer.InputPathsMap{value}",
        _TARGETS("Targets[].InputTransformer.InputPathsMap{value}"),
    ),
    ("log_groups[].name", _LOGS("logGroupName")),
    ("log_groups[].owner", _LOGS("tags{value}")),
    ("pipelines[].name", _PIPELINE("PipelineName")),
    ("pipelines[].owner", _PIPELINE("Tags[].Value")),
    ("pipelines[].role_name", _ROLE),
    ("pipelines[].parameters{key}", _EXECUTION("PipelineParameters[].Name")),
    ("pipelines[].parameters{value}", _EXECUTION("PipelineParameters[].Value")),
    ("model_package_groups[].name", _GROUP("ModelPackageGroupName")),
    ("model_package_groups[].owner", _GROUP("Tags[].Value")),
    ("models[].name", _MODEL("ModelName")),
    ("models[].image", _MODEL("PrimaryContainer.Image")),
    ("models[].role_name", _ROLE),
    ("endpoints[].name", _ENDPOINT("EndpointName")),
    ("endpoints[].owner", _ENDPOINT("Tags[].Value")),
    ("endpoints[].variant", _CONFIG("ProductionVariants[].VariantName")),
    ("endpoints[].instance_type", _CONFIG("ProductionVariants[].InstanceType")),
    ("endpoints[].instance_count", _CONFIG("ProductionVariants[].InitialInstanceCount")),
    ("endpoints[].capture.sampling_percentage", _CONFIG("DataCaptureConfig.InitialSamplingPercentage")),
    ("endpoints[].capture.destination", _CONFIG("DataCaptureConfig.DestinationS3Uri")),
    ("endpoints[].faults.attribute", _ENDPOINT("Tags[].Value")),
    ("monitoring_schedules[].name", _SCHEDULE("MonitoringScheduleName")),
    ("monitoring_schedules[].owner", _SCHEDULE("Tags[].Value")),
    ("monitoring_schedules[].schedule", _SCHEDULE(_SCHEDULE_CONFIG)),
    ("monitoring_schedules[].output", _SCHEDULE(_SCHEDULE_OUTPUT)),
    ("monitoring_schedules[].role_name", _ROLE),
)

# SQS CreateQueue Attributes: "MessageRetentionPeriod - ... from 60 seconds (1 minute) to 1,209,600 seconds (14 days)".
QUEUE_RETENTION_SECONDS = (60, 1_209_600)
# SQS CreateQueue QueueName: "up to 80 characters ... alphanumeric characters, hyphens (-), and underscores (_).
# A FIFO queue name must end with the .fifo suffix."
QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# SNS CreateTopic Name: "uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, 1 to 256 characters".
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# SNS Subscribe Endpoint, per protocol (botocore's documentation of Subscribe).
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
PARTITION = r"arn:aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?"
REGION = r"[a-z]{2}(-[a-z]+)+-\d"
ARNS = {
    "sqs": re.compile(rf"^{PARTITION}:sqs:{REGION}:\d{{12}}:[A-Za-z0-9_-]{{1,80}}(\.fifo)?$"),
    "lambda": re.compile(
        rf"^{PARTITION}:lambda:{REGION}:\d{{12}}:function:[A-Za-z0-9_-]{{1,64}}(:(\$LATEST|[A-Za-z0-9_-]{{1,128}}))?$"
    ),
}
ARN_EXAMPLES = {
    "sqs": "arn:aws:sqs:eu-west-1:123456789012:my-queue",
    "lambda": "arn:aws:lambda:eu-west-1:123456789012:function:my-function",
}
# S3 bucket naming rules: 3-63 characters; lowercase letters, digits, dots and hyphens; a letter or digit at
# each end; no two adjacent dots; not formatted as an IP address.
BUCKET = re.compile(r"^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Model Monitor ScheduleExpression: only these forms (botocore's documentation of ScheduleConfig).
MONITOR_CRON = re.compile(r"^cron\(0 (\*|(?P<hour>\d{1,2})(/(?P<step>\d{1,2}))?) \? \* \* \*\)$")


def limit_problems(stack: Stack) -> Iterator[Found]:
    """Every value of `stack` that AWS would refuse, with its path in the spec."""
    data = stack.model_dump()
    for path, param in FIELDS:
        for where, value in expand(data, path):
            if value is None:
                continue
            for problem in param.problems(value):
                yield where, problem
    yield from _log_retention(data)
    yield from _queues(data)
    yield from _topics(data)
    yield from _metric_ids(data)
    yield from _input_transformers(data)
    yield from _rule_targets(data)
    yield from _event_patterns(stack)
    yield from _derived_names(data)
    yield from _region(data)
    yield from _evaluation_ranges(data)
    yield from _s3_uris(data)
    yield from _schedules(data)
    yield from _model_artifacts(data)


def expand(data: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(spec path, value) for every place `path` names in `data`."""
    steps = re.findall(r"[^.\[\]{}]+|\[\]|\{key\}|\{value\}", path)
    yield from _expand(data, steps, "")


def _expand(node: Any, steps: list[str], where: str) -> Iterator[tuple[str, Any]]:
    if not steps:
        yield where, node
        return
    step, rest = steps[0], steps[1:]
    if step == "[]":
        for index, item in enumerate(node if isinstance(node, list) else []):
            yield from _expand(item, rest, f"{where}[{index}]")
    elif step in ("{key}", "{value}"):
        for key, value in node.items() if isinstance(node, dict) else []:
            child = f"{where}.{key}"
            if step == "{key}":
                yield child, key
            else:
                yield from _expand(value, rest, child)
    elif isinstance(node, dict) and step in node:
        yield from _expand(node[step], rest, f"{where}.{step}" if where else step)


@lru_cache(maxsize=1)
def log_retention_days() -> tuple[int, ...]:
    """The retention periods CloudWatch Logs offers, as botocore documents PutRetentionPolicy retentionInDays."""
    text = ApiParam("logs", "PutRetentionPolicy", "retentionInDays").documentation
    listed = re.search(r"Possible values are:([\d,\sand]+)", text)
    return tuple(int(n) for n in re.findall(r"\d+", listed.group(1))) if listed else ()


def _log_retention(data: dict[str, Any]) -> Iterator[Found]:
    allowed = log_retention_days()
    for where, days in expand(data, "log_groups[].retention_days"):
        if allowed and days not in allowed:
            nearest = min(allowed, key=lambda d: abs(d - days))
            yield (
                where,
                (
                    f"CloudWatch Logs offers no retention of {days} days (PutRetentionPolicy accepts "
                    f"{', '.join(map(str, allowed))}); the nearest is {nearest}"
                ),
            )


def _queues(data: dict[str, Any]) -> Iterator[Found]:
    low, high = QUEUE_RETENTION_SECONDS
    for index, queue in enumerate(data.get("queues", [])):
        name, fifo = queue["name"], queue["fifo"]
        base = name[: -len(".fifo")] if name.endswith(".fifo") else name
        if not QUEUE_NAME.match(base) or len(name) > 80:
            yield (
                f"queues[{index}].name",
                (
                    f"SQS refuses the queue name {name!r}: up to 80 letters, digits, hyphens and "
                    "underscores (a FIFO queue's name ends in .fifo)"
                ),
            )
        elif fifo != name.endswith(".fifo"):
            yield (
                f"queues[{index}].name",
                (
                    "a FIFO queue's name must end in .fifo"
                    if fifo
                    else f"{name!r} ends in .fifo, which SQS keeps for FIFO queues: set fifo: true or rename it"
                ),
            )
        if not low <= queue["retention"] <= high:
            yield (
                f"queues[{index}].retention",
                (
                    f"SQS keeps messages between 60s and 14d (MessageRetentionPeriod "
                    f"{low}-{high} seconds), got {queue['retention']:.0f} seconds"
                ),
            )


def _topics(data: dict[str, Any]) -> Iterator[Found]:
    for index, topic in enumerate(data.get("topics", [])):
        base = topic["name"].removesuffix(".fifo")
        if not TOPIC_NAME.match(base) or len(topic["name"]) > 256:
            yield (
                f"topics[{index}].name",
                (
                    f"SNS refuses the topic name {topic['name']!r}: 1 to 256 ASCII letters, "
                    "digits, hyphens and underscores"
                ),
            )
        for s_index, subscription in enumerate(topic["subscriptions"]):
            problem = endpoint_problem(subscription["protocol"], subscription["endpoint"])
            if problem:
                yield f"topics[{index}].subscriptions[{s_index}].endpoint", problem


def endpoint_problem(protocol: str, endpoint: str) -> str | None:
    """Why SNS would refuse `endpoint` for a subscription of `protocol` (None when it fits)."""
    if endpoint != endpoint.strip() or any(ch.isspace() for ch in endpoint):
        return f"the {protocol} endpoint {endpoint!r} contains spaces"
    if protocol in ("email", "email-json"):
        return (
            None
            if EMAIL.match(endpoint)
            else f"an {protocol} subscription needs an email address such as ops@example.com, got {endpoint!r}"
        )
    if protocol == "sms":
        return (
            None
            if E164.match(endpoint)
            else f"an sms subscription needs a phone number in E.164 form such as +353870000000, got {endpoint!r}"
        )
    if protocol in ("http", "https"):
        return _url_problem(protocol, endpoint)
    if protocol in ARNS:
        if ARNS[protocol].match(endpoint):
            return None
        article = "a" if protocol == "lambda" else "an"
        return (
            f"{article} {protocol} subscription needs the ARN of the {'queue' if protocol == 'sqs' else 'function'}, "
            f"such as {ARN_EXAMPLES[protocol]}; got {endpoint!r}"
        )
    return None


def _url_problem(protocol: str, endpoint: str) -> str | None:
    shown = masked_url(endpoint)
    try:
        url = urlsplit(endpoint)
        url.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        return f"the {protocol} endpoint {shown!r} is not a valid URL: {error}"
    if url.scheme != protocol or not url.hostname:
        return f"an {protocol} subscription needs a URL beginning with {protocol}:// and naming a host, got {shown!r}"
    return None


def masked_url(text: str) -> str:
    """`text` with everything after the host hidden: a webhook's path and query usually hold its secret."""
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    host, cut, _ = rest.partition("/")
    host, query, _ = host.partition("?")
    userless = host.rsplit("@", 1)[-1]
    hidden = "/***" if cut else ("?***" if query else "")
    return f"{scheme}{separator}{userless}{hidden}"


_METRIC_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")


def _metric_ids(data: dict[str, Any]) -> Iterator[Found]:
    for where, metric_id in expand(data, "alarms[].metrics{key}"):
        if not _METRIC_ID.match(metric_id) or metric_id == "result":
            reason = (
                "is the id Simulacro gives the expression itself"
                if metric_id == "result"
                else "must start with a lowercase letter and hold only letters, digits and underscores (PutMetricAlarm Metrics[].Id)"
            )
            yield where, f"metric id {metric_id!r} {reason}"


def _input_transformers(data: dict[str, Any]) -> Iterator[Found]:
    members = ("InputPathsMap", "InputTemplate")
    for where, transformer in expand(data, "rules[].targets[].input_transformer"):
        if transformer is None:
            continue
        for key in transformer:
            if key not in members:
                yield f"{where}.{key}", f"unknown InputTransformer member (EventBridge accepts {' and '.join(members)})"
        if "InputTemplate" not in transformer:
            yield (
                where,
                "an InputTransformer needs an InputTemplate (PutTargets Targets[].InputTransformer.InputTemplate)",
            )


# EventBridge quotas: "Targets per rule: 5" (a hard limit; PutTargets accepts 100 per call, the rule keeps 5).
TARGETS_PER_RULE = 5
# The provisioner names an endpoint config `<endpoint>-<8 hex digits of its body>` (provision/naming.py),
# and EndpointConfigName allows 63 characters.
ENDPOINT_CONFIG_SUFFIX = 9


def _rule_targets(data: dict[str, Any]) -> Iterator[Found]:
    for where, targets in expand(data, "rules[].targets"):
        if len(targets) > TARGETS_PER_RULE:
            yield where, f"{len(targets)} targets; EventBridge allows at most {TARGETS_PER_RULE} per rule"


def _event_patterns(stack: Stack) -> Iterator[Found]:
    """The pattern as PutRule receives it (JSON text) fits EventPattern's length."""
    param = ApiParam("events", "PutRule", "EventPattern")
    for index, rule in enumerate(stack.rules):
        for problem in param.problems(rule.pattern_json):
            yield f"rules[{index}].pattern", f"the pattern as JSON {problem}"


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region botocore knows, in every partition (its endpoints.json)."""
    import json
    from pathlib import Path

    import botocore

    partitions = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())["partitions"]
    return frozenset(region for partition in partitions for region in partition["regions"])


def _region(data: dict[str, Any]) -> Iterator[Found]:
    """The stack's region, and every region an alarm or a topic declares, must be one AWS has."""
    yield from _unknown_region("region", data.get("region"))
    for kind in ("alarms", "topics"):
        items = data.get(kind)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                yield from _unknown_region(f"{kind}[{index}].region", item.get("region"))


def _unknown_region(path: str, region: Any) -> Iterator[Found]:
    import difflib

    regions = known_regions()
    if isinstance(region, str) and regions and region not in regions:
        close = difflib.get_close_matches(region, sorted(regions), n=2)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        yield path, f"{region!r} is not an AWS region{hint}"


# PutMetricAlarm Period: "Period multiplied by EvaluationPeriods can't be more than 604,800 seconds. For alarms
# with a period of less than one hour (3,600 seconds), the total evaluation period can't be longer than one day."
LONGEST_EVALUATION = 604_800
LONGEST_EVALUATION_UNDER_AN_HOUR = 86_400


def _evaluation_ranges(data: dict[str, Any]) -> Iterator[Found]:
    for index, alarm in enumerate(data.get("alarms", [])):
        span = alarm["period"] * alarm["evaluation_periods"]
        limit = LONGEST_EVALUATION_UNDER_AN_HOUR if alarm["period"] < 3600 else LONGEST_EVALUATION
        if span > limit:
            yield (
                f"alarms[{index}].evaluation_periods",
                f"period x evaluation_periods is {span} seconds; CloudWatch allows at most {limit} "
                f"({'one day for periods under an hour' if limit == LONGEST_EVALUATION_UNDER_AN_HOUR else 'seven days'})",
            )


def _derived_names(data: dict[str, Any]) -> Iterator[Found]:
    limit = ApiParam("sagemaker", "CreateEndpointConfig", "EndpointConfigName").shape.metadata.get("max", 63)
    for where, name in expand(data, "endpoints[].name"):
        if len(name) + ENDPOINT_CONFIG_SUFFIX > limit:
            yield (
                where,
                (
                    f"{name!r} is too long: its endpoint configs are named {name}-<8 hex digits>, and SageMaker "
                    f"allows {limit} characters (keep endpoint names to {limit - ENDPOINT_CONFIG_SUFFIX})"
                ),
            )


def _s3_uris(data: dict[str, Any]) -> Iterator[Found]:
    uris = [*expand(data, "endpoints[].capture.destination"), *expand(data, "monitoring_schedules[].output")]
    for where, uri in uris:
        if not isinstance(uri, str) or not uri.startswith("s3://"):
            continue
        bucket = uri[len("s3://") :].split("/", 1)[0]
        if not BUCKET.match(bucket):
            yield (
                where,
                (
                    f"{bucket!r} is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, "
                    "starting and ending with a letter or digit"
                ),
            )


def _schedules(data: dict[str, Any]) -> Iterator[Found]:
    for where, expression in expand(data, "monitoring_schedules[].schedule"):
        problem = monitor_schedule_problem(expression)
        if problem:
            yield where, problem


def monitor_schedule_problem(expression: str) -> str | None:
    """Why Model Monitor would refuse `expression` as a recurring ScheduleExpression (None when it accepts it)."""
    from simulacro.monitor import parse_schedule_expression
    from simulacro.monitor.errors import MonitorInputError

    forms = "cron(0 * ? * * *) hourly, cron(0 H ? * * *) daily at hour H, or cron(0 H/N ? * * *) every N hours"
    if expression.strip() == "NOW":
        return f"NOW is a one-off analysis that needs a data-analysis window; a spec declares a recurring schedule: {forms}"
    try:
        parse_schedule_expression(expression)
    except MonitorInputError as error:
        return f"invalid cron expression: {error}; Model Monitor accepts {forms}"
    match = MONITOR_CRON.match(expression.strip())
    hour, step = (match.group("hour"), match.group("step")) if match else (None, None)
    if not match or (hour is not None and int(hour) > 23) or (step is not None and not 1 <= int(step) <= 24):
        return f"Model Monitor does not accept the schedule {expression!r}: it accepts only {forms} (SageMaker ScheduleConfig)"
    return None


def _model_artifacts(data: dict[str, Any]) -> Iterator[Found]:
    artifacts = [
        *expand(data, "models[].artifact"),
        *expand(data, "endpoints[].faults.broken_artifact"),
        *expand(data, "endpoints[].faults.regressed_artifact"),
    ]
    for where, artifact in artifacts:
        problem = relative_path_problem(artifact)
        if problem:
            yield where, problem


def relative_path_problem(path: str) -> str | None:
    """Why `path` cannot name a file inside the spec's folder (None when it can)."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if not path or path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path) or ".." in parts or "\x00" in path:
        return f"{path!r} must be a relative path inside the spec's folder (no leading /, no ..)"
    return None
