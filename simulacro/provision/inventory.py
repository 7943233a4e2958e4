"""The live observability stack of one environment, read back through the AWS APIs (never from the spec).

Alarms and topics are read in every region the environment's spec places them (billing: us-east-1);
the rest in the target's region. The spec says where to look, never what is there."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from botocore.exceptions import ClientError

from simulacro.target.pages import every_item

from .deployment_guardrails import recorded_deployment_config

if TYPE_CHECKING:
    from simulacro.spec.model import Stack
    from simulacro.target.targets import Target


@dataclass
class Inventory:
    environment: str
    account: str
    region: str
    alarms: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)
    queues: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    log_groups: list[dict[str, Any]] = field(default_factory=list)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    monitoring_schedules: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)
    bucket_lifecycles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def read_when_used(self, readers: dict[str, Callable[[], Any]], unread: dict[str, Exception] | None) -> None:
        """Read each section of `readers` at its first use instead of now (a drill that checks rules reads no
        alarms); a section left unread keeps its empty default."""
        for section in readers:
            delattr(self, section)
        self.__dict__["_readers"] = dict(readers)
        self.__dict__["_unread"] = unread

    def __getattr__(self, name: str) -> Any:  # only for attributes not set: the sections still to read
        readers = self.__dict__.get("_readers") or {}
        if name not in readers:
            raise AttributeError(name)
        self.__dict__[name] = {} if name == "bucket_lifecycles" else []  # what a refused read leaves
        _read_section(self, name, readers.pop(name), self.__dict__["_unread"])
        return self.__dict__[name]

    def find(self, kind: str, name: str) -> dict[str, Any] | None:
        return next((item for item in getattr(self, kind) if item["name"] == name), None)

    def to_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=str))


def inventory(
    target: Target,
    environment: str | None = None,
    *,
    unread: dict[str, Exception] | None = None,
    everything: bool = False,
    lazy: bool = False,
) -> Inventory:
    """The live stack, reading only the services the spec declares in `environment` (a spec without monitoring
    schedules never calls the Model Monitor APIs). With `unread`, a section AWS refuses to list is left empty and
    its reason kept there (for the run's evidence); without it, the refusal is raised (for the drills).
    `everything` reads every section whatever the spec declares (discovery has no spec yet); `lazy` reads each section
    at its first use (a drill about one kind of resource need not read the whole environment)."""
    environment = environment or target.environment
    client = lambda service: target.client(service, environment)  # noqa: E731
    found = Inventory(environment, target.account(environment), target.region)
    declared = None if everything else _declared(getattr(target, "stack", None), environment)
    regions = _alarm_regions(target, environment)
    readers = [
        ("topics", lambda: [t for region in regions for t in _topics(target.client("sns", environment, region))]),
        (
            "alarms",
            lambda: [a for region in regions for a in _alarms(target.client("cloudwatch", environment, region))],
        ),
        ("queues", lambda: _queues(client("sqs"))),
        ("rules", lambda: _rules(client("events"))),
        ("log_groups", lambda: _log_groups(client("logs"))),
        ("endpoints", lambda: _endpoints(client("sagemaker"))),
        ("monitoring_schedules", lambda: _schedules(client("sagemaker"), client("s3"))),
        ("pipelines", lambda: _pipelines(client("sagemaker"))),
        ("bucket_lifecycles", lambda: _lifecycles(client("s3"), found.endpoints)),
    ]
    wanted = {section: read for section, read in readers if declared is None or section in declared}
    if lazy:
        found.read_when_used(wanted, unread)
        return found
    for section, read in wanted.items():
        _read_section(found, section, read, unread)
    return found


def _read_section(found: Inventory, section: str, read: Callable[[], Any], unread: dict[str, Exception] | None) -> None:
    try:
        setattr(found, section, read())
    except Exception as problem:  # noqa: BLE001 - recorded for the evidence when asked to, else raised
        if unread is None:
            raise
        unread[section] = problem


def _declared(stack: Stack | None, environment: str) -> set[str] | None:
    """The inventory sections the spec gives a reason to read in `environment` (None: no spec, read everything)."""
    if stack is None or not hasattr(stack, "in_environment"):
        return None
    mine = stack.in_environment(environment)
    sections = {
        kind
        for kind in (
            "alarms",
            "topics",
            "queues",
            "rules",
            "log_groups",
            "endpoints",
            "monitoring_schedules",
            "pipelines",
        )
        if getattr(mine, kind)
    }
    if mine.alarms:
        sections.add("topics")  # an alarm's actions are checked against its topics' subscriptions
    if mine.rules:
        sections |= {"queues", "topics"}  # targets and dead-letter queues
    if mine.endpoints:
        sections.add("bucket_lifecycles")  # capture buckets expire old data
    return sections


def _alarm_regions(target: Target, environment: str) -> list[str]:
    """The target's region first, then every other region the spec puts an alarm or topic of `environment` in."""
    stack = getattr(target, "stack", None)
    declared = (
        []
        if stack is None
        else [
            stack.region_of(resource, target.region)
            for resource in [*stack.alarms, *stack.topics]
            if resource.environment == environment
        ]
    )
    return [target.region, *sorted(set(declared) - {target.region})]


def _alarms(cloudwatch: Any) -> list[dict[str, Any]]:
    alarms = []
    for alarm in every_item(cloudwatch, "describe_alarms", "MetricAlarms", AlarmTypes=["MetricAlarm"]):
        tags = {t["Key"]: t["Value"] for t in cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]}
        alarms.append(
            {
                "name": alarm["AlarmName"],
                "arn": alarm["AlarmArn"],
                "region": cloudwatch.meta.region_name,
                "state": alarm["StateValue"],
                "owner": tags.get("owner"),
                "runbook": tags.get("runbook"),
                "category": tags.get("category"),
                "tags": tags,
                "actions": {
                    "alarm": alarm.get("AlarmActions", []),
                    "ok": alarm.get("OKActions", []),
                    "insufficient_data": alarm.get("InsufficientDataActions", []),
                },
                "actions_enabled": alarm.get("ActionsEnabled", True),
                "metric": _alarm_metric(alarm),
                "period": alarm.get("Period") or _query_period(alarm),
                "evaluation_periods": alarm["EvaluationPeriods"],
                "datapoints_to_alarm": alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"],
                "threshold": alarm.get("Threshold"),
                "comparison": alarm["ComparisonOperator"],
                "treat_missing_data": alarm.get("TreatMissingData", "missing"),
                "evaluate_low_sample_count_percentile": alarm.get("EvaluateLowSampleCountPercentile"),
                "definition": alarm,
            }
        )
    return alarms


def _alarm_metric(alarm: dict[str, Any]) -> dict[str, Any]:
    if alarm.get("Metrics"):
        return {
            "expression": next((q.get("Expression") for q in alarm["Metrics"] if q.get("ReturnData")), None),
            "metrics": {
                q["Id"]: _metric_summary(q["MetricStat"]["Metric"], q["MetricStat"]["Stat"])
                for q in alarm["Metrics"]
                if "MetricStat" in q
            },
        }
    return _metric_summary(alarm, alarm.get("ExtendedStatistic") or alarm.get("Statistic"))


def _metric_summary(metric: dict[str, Any], statistic: str | None) -> dict[str, Any]:
    return {
        "namespace": metric.get("Namespace"),
        "name": metric.get("MetricName"),
        "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []},
        "statistic": statistic,
    }


def _query_period(alarm: dict[str, Any]) -> int | None:
    return next((q["MetricStat"]["Period"] for q in alarm.get("Metrics") or [] if "MetricStat" in q), None)


def _topics(sns: Any) -> list[dict[str, Any]]:
    topics = []
    for topic in every_item(sns, "list_topics", "Topics"):
        arn = topic["TopicArn"]
        subscriptions = [
            _subscription(sns, s) for s in every_item(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn)
        ]
        tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn).get("Tags", [])}
        attributes = _topic_attributes(sns, arn)
        topics.append(
            {
                "name": arn.rsplit(":", 1)[1],
                "arn": arn,
                "region": sns.meta.region_name,
                "owner": tags.get("owner"),
                "tags": tags,
                "subscriptions": subscriptions,
                "kms_key": attributes.get("KmsMasterKeyId") or None,
                "policy": attributes.get("Policy"),
            }
        )
    return topics


def _topic_attributes(sns: Any, arn: str) -> dict[str, Any]:
    try:
        return sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    except ClientError:
        return {}


def _subscription(sns: Any, listed: dict[str, Any]) -> dict[str, Any]:
    """A subscription with the attributes that decide what reaches its subscriber."""
    arn = listed["SubscriptionArn"]
    confirmed = arn not in ("PendingConfirmation", "Deleted")
    attributes: dict[str, Any] = {}
    if confirmed:
        try:
            attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        except ClientError:
            attributes = {}
    policy = attributes.get("FilterPolicy")
    return {
        "protocol": listed["Protocol"],
        "endpoint": listed["Endpoint"],
        "arn": arn,
        "confirmed": confirmed,
        "filter_policy": json.loads(policy) if policy else None,
        "filter_policy_scope": attributes.get("FilterPolicyScope") or ("MessageAttributes" if policy else None),
        "raw_message_delivery": str(attributes.get("RawMessageDelivery", "false")).lower() == "true",
    }


def _queues(sqs: Any) -> list[dict[str, Any]]:
    queues = []
    for url in every_item(sqs, "list_queues", "QueueUrls"):
        try:
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
        except ClientError:
            continue  # deleted while we listed
        queues.append(
            {
                "name": url.rsplit("/", 1)[1],
                "url": url,
                "arn": attributes["QueueArn"],
                "fifo": attributes.get("FifoQueue") == "true",
                "policy": attributes.get("Policy"),
                "retention_seconds": int(attributes.get("MessageRetentionPeriod", 345600)),
                "owner": tags.get("owner"),
                "tags": tags,
                "kms_key": attributes.get("KmsMasterKeyId") or None,
            }
        )
    return queues


def _rules(events: Any) -> list[dict[str, Any]]:
    rules = []
    for rule in every_item(events, "list_rules", "Rules"):
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        rules.append(
            {
                "name": rule["Name"],
                "arn": rule["Arn"],
                "state": rule["State"],
                "pattern": rule.get("EventPattern"),
                "description": rule.get("Description", ""),
                "targets": [
                    {
                        "id": t["Id"],
                        "arn": t["Arn"],
                        "dead_letter_queue": (t.get("DeadLetterConfig") or {}).get("Arn"),
                        "retry": t.get("RetryPolicy"),
                        "definition": t,
                    }
                    for t in targets
                ],
            }
        )
    return rules


def _log_groups(logs: Any) -> list[dict[str, Any]]:
    return [
        {"name": g["logGroupName"], "retention_days": g.get("retentionInDays")}
        for g in every_item(logs, "describe_log_groups", "logGroups")
    ]


def _endpoints(sagemaker: Any) -> list[dict[str, Any]]:
    endpoints = []
    for summary in every_item(sagemaker, "list_endpoints", "Endpoints"):
        described = sagemaker.describe_endpoint(EndpointName=summary["EndpointName"])
        capture = described.get("DataCaptureConfig") or {}
        tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=described["EndpointArn"]).get("Tags", [])}
        endpoints.append(
            {
                "name": described["EndpointName"],
                "arn": described["EndpointArn"],
                "status": described["EndpointStatus"],
                "config": described["EndpointConfigName"],
                "failure_reason": described.get("FailureReason"),
                "capture": {
                    "enabled": capture.get("EnableCapture", False),
                    "status": capture.get("CaptureStatus", "Stopped"),
                    "sampling_percentage": capture.get("CurrentSamplingPercentage", 0),
                    "destination": capture.get("DestinationS3Uri"),
                },
                "deployment_config": _recorded_guardrail(tags),
            }
        )
    return endpoints


def _recorded_guardrail(tags: dict[str, str]) -> dict[str, Any] | None:
    """The deployment guardrail recorded on the endpoint (`deployment_guardrails.py`), or why it cannot be read."""
    try:
        return recorded_deployment_config(tags)
    except ValueError as error:
        return {"unreadable": str(error)}


def _schedules(sagemaker: Any, s3: Any) -> list[dict[str, Any]]:
    schedules = []
    for summary in every_item(sagemaker, "list_monitoring_schedules", "MonitoringScheduleSummaries"):
        described = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=summary["MonitoringScheduleName"])
        config = described["MonitoringScheduleConfig"]
        job = config.get("MonitoringJobDefinition") or {}
        baseline = job.get("BaselineConfig") or {}
        schedules.append(
            {
                "name": described["MonitoringScheduleName"],
                "status": described["MonitoringScheduleStatus"],
                "endpoint": described.get("EndpointName"),
                "schedule": config["ScheduleConfig"]["ScheduleExpression"],
                "statistics": (baseline.get("StatisticsResource") or {}).get("S3Uri"),
                "constraints": (baseline.get("ConstraintsResource") or {}).get("S3Uri"),
                "output": next(
                    (
                        o["S3Output"]["S3Uri"]
                        for o in (job.get("MonitoringOutputConfig") or {}).get("MonitoringOutputs", [])
                    ),
                    None,
                ),
                "last_execution": described.get("LastMonitoringExecutionSummary"),
                "baseline_checksums": _checksums(s3, baseline),
            }
        )
    return schedules


def _pipelines(sagemaker: Any) -> list[dict[str, Any]]:
    return [
        {"name": p["PipelineName"], "arn": p["PipelineArn"]}
        for p in every_item(sagemaker, "list_pipelines", "PipelineSummaries")
    ]


def _lifecycles(s3: Any, endpoints: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    lifecycles = {}
    for endpoint in endpoints:
        destination = endpoint["capture"]["destination"]
        if not destination:
            continue
        bucket = destination[len("s3://") :].split("/", 1)[0]
        try:
            lifecycles[bucket] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        except ClientError:
            lifecycles[bucket] = []
    return lifecycles


def _checksums(s3: Any, baseline_config: dict[str, Any]) -> dict[str, str | None]:
    """sha256 of the baseline files the schedule really reads, to compare with the versioned manifest."""
    sums: dict[str, str | None] = {}
    for resource in ("StatisticsResource", "ConstraintsResource"):
        uri = (baseline_config.get(resource) or {}).get("S3Uri")
        if not uri:
            continue
        bucket, _, key = uri[len("s3://") :].partition("/")
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError:
            sums[key.rsplit("/", 1)[-1]] = None
            continue
        sums[key.rsplit("/", 1)[-1]] = hashlib.sha256(body).hexdigest()
    return sums
