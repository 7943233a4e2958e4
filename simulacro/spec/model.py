"""The typed stack spec: what the platform's observability must look like, per environment.

Field names are the spec's (snake case); `to_*` methods give the AWS API shapes that provisioning
sends and that the inventory compares the live state with.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from .durations import Duration, PositiveDuration
from .paths import FIXTURES

Category = Literal["pipeline", "endpoint", "cost", "monitor"]
Comparison = Literal[
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
]
MissingData = Literal["missing", "notBreaching", "breaching", "ignore"]
SIMPLE_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# PutMetricAlarm Period: "Valid values are 10, 20, 30, and any multiple of 60" (botocore's documentation).
HIGH_RESOLUTION_PERIODS = (10, 20, 30)
# ExtendedStatistic percentiles: p0 to p100, up to two decimal places (CloudWatch statistics definitions).
PERCENTILE = re.compile(r"^p(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$")
ACCOUNT_ID = r"^\d{12}$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9._/#:-]*$"
# A folder name under baselines/: no separators, no "..", nothing hidden.
PLAIN_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: Any) -> Any:
        """YAML reads yes/no/on/off as booleans, and pydantic would take them as 1 and 0: refuse them for numbers."""
        if isinstance(value, bool) and _is_number(cls.model_fields[info.field_name].annotation):
            raise ValueError(
                f"expected a number, got {value!r} (YAML reads yes, no, on, off, true and false as booleans)"
            )
        return value


class Environment(Strict):
    account: str = Field(pattern=ACCOUNT_ID)
    # Destructive drills refuse this environment unless named here (by drill name or fault kind).
    allow_destructive: list[str] = []
    # Runbooks that change things (roll back, freeze promotion) refuse this environment unless named here.
    allow_runbooks: list[str] = []
    guard_alarms: list[str] = []


class Subscription(Strict):
    protocol: Literal["email", "email-json", "sqs", "sms", "https", "http", "lambda"]
    endpoint: str = Field(min_length=1)
    # What decides whether a notification reaches this subscriber (SNS subscription attributes).
    filter_policy: dict[str, Any] | None = None
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] = "MessageAttributes"
    raw_message_delivery: bool = False

    @model_validator(mode="after")
    def _raw_delivery_where_sns_allows_it(self) -> "Subscription":
        if self.raw_message_delivery and self.protocol not in ("sqs", "http", "https", "lambda"):
            raise ValueError(
                f"raw_message_delivery applies to sqs, http, https and lambda subscriptions, not {self.protocol} (SNS refuses it)"
            )
        return self

    def attributes(self) -> dict[str, str]:
        """The subscription attributes SNS keeps for this subscriber (what Subscribe sends)."""
        attributes = {}
        if self.filter_policy is not None:
            attributes["FilterPolicy"] = json.dumps(self.filter_policy, sort_keys=True)
            attributes["FilterPolicyScope"] = self.filter_policy_scope
        if self.raw_message_delivery:
            attributes["RawMessageDelivery"] = "true"
        return attributes


class Topic(Strict):
    name: str = Field(pattern=NAME)
    environment: str
    owner: str = Field(min_length=1)
    subscriptions: list[Subscription] = Field(min_length=1)
    role: Literal["alerts", "incidents", "events"] = "alerts"
    # Where the topic lives when not in the stack's region (a billing alarm's topic: us-east-1).
    region: str | None = Field(default=None, pattern=REGION)
    # Server-side encryption key (KmsMasterKeyId); CloudWatch cannot publish with the AWS-managed alias/aws/sns.
    kms_key: str | None = None
    # A topic policy to set instead of SNS's default one (the inventory checks it lets the publishers in).
    policy: dict[str, Any] | None = None


class Queue(Strict):
    name: str = Field(pattern=NAME)
    environment: str
    owner: str = Field(min_length=1)
    fifo: bool = False
    retention: Duration = 4 * 86400
    # A queue policy to set instead of the generated one (which lets the spec's rules and topics send).
    policy: dict[str, Any] | None = None
    # Server-side encryption key (KmsMasterKeyId); SNS and EventBridge cannot send with the AWS-managed alias/aws/sqs.
    kms_key: str | None = None

    @field_validator("retention")
    @classmethod
    def _retention_in_range(cls, value: float) -> float:
        if not 60 <= value <= 14 * 86400:
            raise ValueError("retention must be between 60s and 14d (SQS MessageRetentionPeriod)")
        return value


class MetricRef(Strict):
    namespace: str = Field(min_length=1)
    name: str = Field(min_length=1)
    dimensions: dict[str, str] = {}
    statistic: str

    @field_validator("statistic")
    @classmethod
    def _statistic_is_known(cls, value: str) -> str:
        if value in SIMPLE_STATISTICS or _is_percentile(value):
            return value
        raise ValueError(
            f"expected one of {', '.join(SIMPLE_STATISTICS)} or a percentile p0 to p100 "
            f"(at most two decimals, such as p95 or p99.9), got {value!r}"
        )

    @property
    def is_percentile(self) -> bool:
        return _is_percentile(self.statistic)

    def dimension_list(self) -> list[dict[str, str]]:
        return [{"Name": k, "Value": v} for k, v in self.dimensions.items()]

    def metric(self) -> dict[str, Any]:
        return {"Namespace": self.namespace, "MetricName": self.name, "Dimensions": self.dimension_list()}


class AlarmActions(Strict):
    alarm: list[str] = []
    ok: list[str] = []
    insufficient_data: list[str] = []


class Alarm(Strict):
    name: str = Field(pattern=NAME)
    environment: str
    category: Category
    owner: str = Field(min_length=1)
    runbook: str = Field(min_length=1)
    description: str = ""
    metric: MetricRef | None = None
    metrics: dict[str, MetricRef] = {}
    expression: str | None = None
    period: int = 60
    evaluation_periods: int = Field(ge=1)
    datapoints_to_alarm: int | None = Field(default=None, ge=1)
    threshold: float = Field(allow_inf_nan=False)
    comparison: Comparison
    treat_missing_data: MissingData = "missing"
    evaluate_low_sample_count_percentile: Literal["evaluate", "ignore"] | None = None
    actions: AlarmActions
    detection_budget: PositiveDuration
    recovery_budget: PositiveDuration
    # Where the alarm lives when not in the stack's region (an AWS/Billing alarm: us-east-1).
    region: str | None = Field(default=None, pattern=REGION)
    # The metric's unit (PutMetricAlarm `Unit`); on AWS an alarm whose unit differs from the metric's gets no data.
    unit: str | None = None
    # Why no drill exercises this alarm behaviourally (the coverage table accepts it instead of failing the gate).
    coverage_exemption: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_metric_form(self) -> "Alarm":
        if (self.metric is None) == (self.expression is None):
            raise ValueError("declare either `metric` or `expression` with `metrics`, not both and not neither")
        if self.expression is not None and not self.metrics:
            raise ValueError("an `expression` needs the `metrics` it refers to")
        return self

    @field_validator("datapoints_to_alarm")
    @classmethod
    def _m_within_n(cls, datapoints: int | None, info: Any) -> int | None:
        periods = info.data.get("evaluation_periods")
        if datapoints is not None and periods is not None and datapoints > periods:
            raise ValueError(
                f"datapoints_to_alarm cannot exceed evaluation_periods ({datapoints} > {periods}): M of N needs M <= N"
            )
        return datapoints

    @field_validator("period")
    @classmethod
    def _period_is_one_aws_accepts(cls, period: int) -> int:
        if period not in HIGH_RESOLUTION_PERIODS and (period <= 0 or period % 60):
            raise ValueError(
                f"period must be 10, 20, 30 or a multiple of 60 seconds (PutMetricAlarm Period), got {period}"
            )
        return period

    @property
    def metric_refs(self) -> list[MetricRef]:
        return [self.metric] if self.metric is not None else list(self.metrics.values())

    @property
    def m_of_n(self) -> tuple[int, int]:
        return self.datapoints_to_alarm or self.evaluation_periods, self.evaluation_periods

    def detection_floor_after(self, fault_start: datetime) -> float:
        """Seconds from `fault_start` until the definition can first alarm: the end of the period the fault
        starts in (the period is judged once complete), then M-1 more breaching periods."""
        moment = fault_start.timestamp()
        first_period_end = (int(moment // self.period) + 1) * self.period
        return first_period_end - moment + (self.m_of_n[0] - 1) * self.period

    def to_put_metric_alarm(self, topic_arn: Callable[[str], str]) -> dict[str, Any]:
        """The PutMetricAlarm request; `topic_arn(name)` turns a topic name into its ARN."""
        request: dict[str, Any] = {
            "AlarmName": self.name,
            "AlarmDescription": self.description or f"{self.category} alarm owned by {self.owner}",
            "ActionsEnabled": True,
            "AlarmActions": [topic_arn(t) for t in self.actions.alarm],
            "OKActions": [topic_arn(t) for t in self.actions.ok],
            "InsufficientDataActions": [topic_arn(t) for t in self.actions.insufficient_data],
            "EvaluationPeriods": self.evaluation_periods,
            "DatapointsToAlarm": self.m_of_n[0],
            "Threshold": self.threshold,
            "ComparisonOperator": self.comparison,
            "TreatMissingData": self.treat_missing_data,
            "Tags": [
                {"Key": "owner", "Value": self.owner},
                {"Key": "runbook", "Value": self.runbook},
                {"Key": "category", "Value": self.category},
            ],
        }
        if self.metric is not None:
            request.update(self.metric.metric(), Period=self.period)
            stat_key = "ExtendedStatistic" if self.metric.is_percentile else "Statistic"
            request[stat_key] = self.metric.statistic
        else:
            request["Metrics"] = self._metric_queries()
        if self.evaluate_low_sample_count_percentile:
            request["EvaluateLowSampleCountPercentile"] = self.evaluate_low_sample_count_percentile
        if self.unit and self.metric is not None:
            request["Unit"] = self.unit
        return request

    def _metric_queries(self) -> list[dict[str, Any]]:
        queries = [
            {
                "Id": metric_id,
                "MetricStat": {"Metric": ref.metric(), "Period": self.period, "Stat": ref.statistic},
                "ReturnData": False,
            }
            for metric_id, ref in self.metrics.items()
        ]
        return queries + [{"Id": "result", "Expression": self.expression, "Label": self.name, "ReturnData": True}]


class RetryPolicy(Strict):
    maximum_retry_attempts: int = Field(default=185, ge=0, le=185)
    maximum_event_age: Duration = 86400

    @field_validator("maximum_event_age")
    @classmethod
    def _event_age_in_range(cls, value: float) -> float:
        if not 60 <= value <= 86400:
            raise ValueError("maximum_event_age must be between 60s and 24h")
        return value


class RuleTarget(Strict):
    id: str = Field(pattern=r"^[\.\-_A-Za-z0-9]{1,64}$")
    queue: str | None = None
    topic: str | None = None
    dead_letter_queue: str | None = None
    retry: RetryPolicy = RetryPolicy()
    input_transformer: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> "RuleTarget":
        if (self.queue is None) == (self.topic is None):
            raise ValueError("a target names exactly one of `queue` or `topic`")
        return self

    @property
    def destination(self) -> tuple[str, str]:
        return ("queue", self.queue) if self.queue else ("topic", self.topic)  # type: ignore[return-value]

    def to_put_target(self, queue_arn: Callable[[str], str], topic_arn: Callable[[str], str]) -> dict[str, Any]:
        """The PutTargets entry; `queue_arn(name)` and `topic_arn(name)` turn names into ARNs."""
        kind, name = self.destination
        described: dict[str, Any] = {
            "Id": self.id,
            "Arn": queue_arn(name) if kind == "queue" else topic_arn(name),
            "RetryPolicy": {
                "MaximumRetryAttempts": self.retry.maximum_retry_attempts,
                "MaximumEventAgeInSeconds": int(self.retry.maximum_event_age),
            },
        }
        if self.dead_letter_queue:
            described["DeadLetterConfig"] = {"Arn": queue_arn(self.dead_letter_queue)}
        if self.input_transformer:
            described["InputTransformer"] = self.input_transformer
        return described


class Rule(Strict):
    name: str = Field(pattern=r"^[\.\-_A-Za-z0-9]{1,64}$")
    environment: str
    owner: str = Field(min_length=1)
    description: str = ""
    purpose: Literal["pipeline", "model_package", "endpoint", "alarm", "promotion", "other"]
    # Declared for failures only: the event drills check it stays silent on success.
    failures_only: bool = False
    enabled: bool = True
    pattern: dict[str, Any] | str
    targets: list[RuleTarget] = Field(min_length=1)
    # From the state change to the event in the target: EventBridge delivers within seconds.
    delivery_budget: PositiveDuration = 60
    # A promotion rule's target queue feeds the deployer of this endpoint.
    deploys_endpoint: str | None = None
    # Why no drill exercises this rule behaviourally (the coverage table accepts it instead of failing the gate).
    coverage_exemption: str | None = Field(default=None, min_length=1)

    def mentions(self, name: str) -> bool:
        """Does the pattern name this resource (exactly, or as the end of an ARN)?"""
        return f'"{name}"' in self.pattern_json or f"/{name}" in self.pattern_json

    @property
    def pattern_json(self) -> str:
        return self.pattern if isinstance(self.pattern, str) else json.dumps(self.pattern, sort_keys=True)


class LogGroup(Strict):
    name: str = Field(min_length=1)
    environment: str
    owner: str = Field(min_length=1)
    retention_days: int


class PipelineStep(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9\-_]{1,64}$")
    type: Literal["Processing", "Training", "RegisterModel", "Condition", "Fail", "Transform"]
    duration: PositiveDuration
    failure_reason: str = "AlgorithmError: simulated failure injected by Simulacro"


class PipelineFault(Strict):
    """How a drill makes a step fail: the pipeline parameter whose value names the step to fail."""

    parameter: str
    no_fault_value: str = "none"


class Pipeline(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9](-*[A-Za-z0-9]){0,255}$")
    environment: str
    owner: str = Field(min_length=1)
    role_name: str
    parameters: dict[str, str] = {}
    fault: PipelineFault
    steps: list[PipelineStep] = Field(min_length=1)
    log_group: str

    def step(self, name: str) -> PipelineStep:
        return _find(self.steps, name, f"step of pipeline {self.name}")


class ModelPackageGroup(Strict):
    name: str
    environment: str
    owner: str = Field(min_length=1)


class Model(Strict):
    name: str
    environment: str
    artifact: str  # path under fixtures/, the local model that answers InvokeEndpoint
    image: str = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/sklearn-inference:1.2-1-cpu-py3"
    role_name: str


class Capture(Strict):
    enabled: bool
    sampling_percentage: int = Field(ge=0, le=100)
    destination: str = Field(pattern=r"^s3://[a-z0-9.\-]+(/.*)?$")
    retention_days: int = Field(ge=1)

    @property
    def bucket(self) -> str:
        return self.destination[len("s3://") :].split("/", 1)[0]


class EndpointFaults(Strict):
    """The mechanism through which a drill makes the model misbehave (also on real AWS)."""

    mechanism: Literal["custom-attribute"] = "custom-attribute"
    attribute: str = "simulacro-fault"
    # The size of the incidents the drills stage: realistic, and independent of any alarm's threshold,
    # so that a threshold set too high is caught instead of followed.
    error_rate: float = Field(default=0.5, gt=0, le=1)
    added_latency: Duration = 0.8
    # Incident scenarios: a model that loads but answers errors, and a slower model promoted by mistake.
    broken_artifact: str = "models/churn/v3-broken-image.json"
    regressed_artifact: str = "models/churn/v4.json"


class DeploymentConfig(Strict):
    """How an endpoint is updated: a blue/green deployment with guardrails (AWS-FACTS §8), as `UpdateEndpoint`'s
    `DeploymentConfig`. Provisioning records it on the endpoint for the team's deployer; the drills prove that the
    rollback alarms catch a regressing model before the deployment completes."""

    traffic: Literal["all-at-once", "canary", "linear"] = "all-at-once"
    # CanarySize or LinearStepSize, in percent of the new fleet's capacity (canary: at most 50; linear: 10 to 50).
    step_percent: int | None = Field(default=None, ge=1, le=100)
    bake: Duration = Field(default=0, le=3600)  # WaitIntervalInSeconds: baking after each traffic shift
    termination_wait: Duration = Field(
        default=0, le=3600
    )  # TerminationWaitInSeconds: the old fleet kept after the last bake
    timeout: Duration = Field(default=3600, ge=600, le=28800)  # MaximumExecutionTimeoutInSeconds
    rollback_alarms: list[str] = Field(default=[], max_length=10)  # AutoRollbackConfiguration.Alarms

    @model_validator(mode="after")
    def _steps_fit_the_traffic_type(self) -> "DeploymentConfig":
        if self.traffic == "all-at-once" and self.step_percent is not None:
            raise ValueError("step_percent is for canary and linear traffic; all-at-once shifts 100% at once")
        if self.traffic == "canary" and not 1 <= (self.step_percent or 0) <= 50:
            raise ValueError("a canary needs step_percent between 1 and 50 (AWS: at most 50% of the new fleet)")
        if self.traffic == "linear" and not 10 <= (self.step_percent or 0) <= 50:
            raise ValueError("linear traffic needs step_percent between 10 and 50 (AWS's LinearStepSize limits)")
        for name in ("bake", "termination_wait", "timeout"):
            if getattr(self, name) != int(getattr(self, name)):
                raise ValueError(f"{name} must be whole seconds, got {getattr(self, name)}")
        if self.timeout <= self.total_wait:
            raise ValueError(
                f"timeout ({self.timeout:g} s) must be longer than the bakes and the termination wait together "
                f"({self.total_wait:g} s), or every deployment times out and rolls back"
            )
        return self

    @property
    def shifts(self) -> int:
        if self.traffic == "all-at-once":
            return 1
        if self.traffic == "canary":
            return 2
        return -(-100 // (self.step_percent or 100))

    @property
    def total_wait(self) -> float:
        return self.bake * self.shifts + self.termination_wait

    def to_aws(self) -> dict[str, Any]:
        """UpdateEndpoint's DeploymentConfig."""
        routing: dict[str, Any] = {
            "Type": self.traffic.upper().replace("-", "_"),
            "WaitIntervalInSeconds": int(self.bake),
        }
        if self.traffic != "all-at-once":
            member = "CanarySize" if self.traffic == "canary" else "LinearStepSize"
            routing[member] = {"Type": "CAPACITY_PERCENT", "Value": self.step_percent}
        config: dict[str, Any] = {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": routing,
                "TerminationWaitInSeconds": int(self.termination_wait),
                "MaximumExecutionTimeoutInSeconds": int(self.timeout),
            }
        }
        if self.rollback_alarms:
            config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": name} for name in self.rollback_alarms]}
        return config


class Endpoint(Strict):
    name: str = Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
    environment: str
    owner: str = Field(min_length=1)
    model: str
    variant: str = "AllTraffic"
    instance_type: str = "ml.m5.large"
    instance_count: int = Field(default=1, ge=1)
    capture: Capture | None = None
    faults: EndpointFaults | None = None
    log_group: str | None = None
    # A known-good request (one CSV row) the runbooks' smoke tests send.
    smoke_payload: str | None = None
    # Requests per minute the drills send: enough samples for the percentile alarms to judge (p99 needs 1000).
    drill_traffic_per_minute: int = Field(default=1200, ge=1)
    # Blue/green deployment guardrails the team's deployer applies to this endpoint's updates.
    deployment_config: DeploymentConfig | None = None


class BaselineRef(Strict):
    model: str = Field(pattern=PLAIN_NAME)
    version: str = Field(pattern=PLAIN_NAME)


class MonitoringSchedule(Strict):
    name: str = Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
    environment: str
    owner: str = Field(min_length=1)
    endpoint: str
    baseline: BaselineRef
    schedule: str = "cron(0 * ? * * *)"
    output: str = Field(pattern=r"^s3://[a-z0-9.\-]+(/.*)?$")
    role_name: str


class Stack(Strict):
    version: Literal[1]
    name: str
    region: str = Field(pattern=REGION)
    environments: dict[str, Environment] = Field(min_length=1)
    topics: list[Topic] = []
    queues: list[Queue] = []
    alarms: list[Alarm] = []
    rules: list[Rule] = []
    log_groups: list[LogGroup] = []
    pipelines: list[Pipeline] = []
    model_package_groups: list[ModelPackageGroup] = []
    models: list[Model] = []
    endpoints: list[Endpoint] = []
    monitoring_schedules: list[MonitoringSchedule] = []
    # The folder the spec was read from: baselines, models and datasets are found relative to it.
    _folder: Path | None = PrivateAttr(default=None)

    def from_folder(self, folder: Path) -> "Stack":
        """This stack, resolving its relative paths against `folder` (the spec file's folder)."""
        copy = self.model_copy()
        copy._folder = Path(folder)
        return copy

    @property
    def folder(self) -> Path:
        """Where the spec's relative paths start: its file's folder (the example's fixtures/ when built in code)."""
        return self._folder or FIXTURES

    @property
    def baselines(self) -> Path:
        return self.folder / "baselines"

    def file(self, relative: str) -> Path:
        """A file the spec names by a path relative to its folder (a model artifact, a dataset)."""
        return self.folder / relative

    # Runbooks (named by alarms) that no drill rehearses, each with the reason: the coverage table accepts them.
    runbook_exemptions: dict[str, str] = {}

    # Lookups by name take the environment: models (and so their resources) share names across environments.
    def alarm(self, name: str, environment: str | None = None) -> Alarm:
        return _find(self.alarms, name, "alarm", environment)

    def topic(self, name: str, environment: str | None = None) -> Topic:
        return _find(self.topics, name, "topic", environment)

    def queue(self, name: str, environment: str | None = None) -> Queue:
        return _find(self.queues, name, "queue", environment)

    def rule(self, name: str, environment: str | None = None) -> Rule:
        return _find(self.rules, name, "rule", environment)

    def endpoint(self, name: str, environment: str | None = None) -> Endpoint:
        return _find(self.endpoints, name, "endpoint", environment)

    def model(self, name: str, environment: str | None = None) -> Model:
        return _find(self.models, name, "model", environment)

    def pipeline(self, name: str, environment: str | None = None) -> Pipeline:
        return _find(self.pipelines, name, "pipeline", environment)

    def log_group(self, name: str, environment: str | None = None) -> LogGroup:
        return _find(self.log_groups, name, "log group", environment)

    def monitoring_schedule(self, name: str, environment: str | None = None) -> MonitoringSchedule:
        return _find(self.monitoring_schedules, name, "monitoring schedule", environment)

    def alarms_on(
        self,
        metric_name: str,
        dimension: str,
        value: str,
        *,
        category: str | None = None,
        environment: str | None = None,
    ) -> list[Alarm]:
        """Alarms that watch `metric_name` with `dimension` = `value` (directly or inside metric math)."""
        return [
            alarm
            for alarm in self.alarms
            if (category is None or alarm.category == category)
            and (environment is None or alarm.environment == environment)
            and any(ref.name == metric_name and ref.dimensions.get(dimension) == value for ref in alarm.metric_refs)
        ]

    # --- what belongs to one model: lookups by the resource a drill or runbook works on -------------

    def model_of(self, endpoint: Endpoint) -> Model:
        """The model an endpoint serves, in the endpoint's own environment."""
        return self.model(endpoint.model, endpoint.environment)

    def alarms_watching(self, endpoint: Endpoint, metric_name: str, statistic: str | None = None) -> list[Alarm]:
        """The endpoint alarms on `metric_name` of this endpoint (of its environment), optionally of one statistic."""
        return [
            alarm
            for alarm in self.alarms_on(
                metric_name, "EndpointName", endpoint.name, category="endpoint", environment=endpoint.environment
            )
            if statistic is None or any(ref.statistic == statistic for ref in alarm.metric_refs)
        ]

    def pipeline_alarms(self, pipeline: Pipeline, metric_name: str) -> list[Alarm]:
        """The pipeline alarms on `metric_name` of this pipeline (of its environment)."""
        return self.alarms_on(
            metric_name, "PipelineName", pipeline.name, category="pipeline", environment=pipeline.environment
        )

    def rules_for(self, resource: Any, purpose: str | None = None) -> list[Rule]:
        """The rules of the resource's environment whose pattern names it (optionally of one purpose)."""
        return [
            rule
            for rule in self.rules
            if rule.environment == resource.environment
            and (purpose is None or rule.purpose == purpose)
            and rule.mentions(resource.name)
        ]

    def promotion_rules_for(self, endpoint: Endpoint) -> list[Rule]:
        """The promotion rules that deploy to this endpoint (in its environment)."""
        return [
            rule
            for rule in self.rules
            if rule.environment == endpoint.environment
            and rule.purpose == "promotion"
            and rule.deploys_endpoint == endpoint.name
        ]

    def promotion_rules_fed_by(self, pipeline: Pipeline) -> list[Rule]:
        """The promotion rules of the pipeline's environment that its model's packages go through: with several
        models, those of the pipeline's model (by name, see `model_families`); else all of the environment's."""
        rules = [r for r in self.rules if r.environment == pipeline.environment and r.purpose == "promotion"]
        families = self.model_families()
        mine = [r for r in rules if model_family(r.name, families) == model_family(pipeline.name, families)]
        return mine if len(families) > 1 and mine else rules

    def mentioned_by(self, rule: Rule, kind: str) -> list[Any]:
        """The resources of `kind` (e.g. "pipelines") in the rule's environment that its pattern names."""
        return [
            item for item in getattr(self, kind) if item.environment == rule.environment and rule.mentions(item.name)
        ]

    def model_package_groups_of(self, endpoint: Endpoint) -> list[ModelPackageGroup]:
        """The model package groups whose approvals the endpoint's promotion rules deploy."""
        rules = self.promotion_rules_for(endpoint)
        return [
            group
            for group in self.model_package_groups
            if group.environment == endpoint.environment and any(rule.mentions(group.name) for rule in rules)
        ]

    def incident_topic(self, environment: str, subject: str) -> Topic | None:
        """The environment's incident topic for `subject` (an endpoint or pipeline name): with several (one per
        model), the one whose name shares the longest prefix with the subject's."""
        topics = [t for t in self.topics if t.environment == environment and t.role == "incidents"]
        return max(topics, key=lambda t: (len(_common_prefix(t.name, subject)), -topics.index(t)), default=None)

    def model_families(self) -> list[str]:
        """The models of the platform as its names show them: the first word of each endpoint's name (`churn` of
        churn-staging, `churn2` of churn2-prod), in order of declaration. One entry for a one-model platform."""
        return list(dict.fromkeys(family_of(e.name) for e in self.endpoints))

    def account(self, environment: str) -> str:
        return self.environments[environment].account

    def region_of(self, resource: Any, default: str | None = None) -> str:
        """Where a resource lives: its own `region`, else `default` (a target's region), else the stack's."""
        return getattr(resource, "region", None) or default or self.region

    def regions(self) -> list[str]:
        """Every region the stack's resources live in: the stack's own first, then those alarms and topics name."""
        declared = {a.region for a in self.alarms if a.region} | {t.region for t in self.topics if t.region}
        return [self.region, *sorted(declared - {self.region})]

    def topic_in(self, environment: str, name: str) -> "Topic | None":
        return next((t for t in self.topics if t.environment == environment and t.name == name), None)

    def in_environment(self, environment: str) -> "Stack":
        """The part of the stack that lives in one environment's account."""
        keep = {key: [item for item in getattr(self, key) if item.environment == environment] for key in RESOURCE_KINDS}
        return self.model_copy(update=keep)


RESOURCE_KINDS = (
    "topics",
    "queues",
    "alarms",
    "rules",
    "log_groups",
    "pipelines",
    "model_package_groups",
    "models",
    "endpoints",
    "monitoring_schedules",
)


class _Named(Protocol):
    """A spec entry looked up by name (all but pipeline steps also say their environment)."""

    @property
    def name(self) -> str: ...


_Entry = TypeVar("_Entry", bound=_Named)


def _find(items: Sequence[_Entry], name: str, kind: str, environment: str | None = None) -> _Entry:
    """The one item named `name` (in `environment` when given); a name declared in several environments needs one."""
    found = [
        item
        for item in items
        if item.name == name and (environment is None or getattr(item, "environment", None) == environment)
    ]
    if len(found) == 1:
        return found[0]
    if found:
        places = ", ".join(str(getattr(item, "environment", "?")) for item in found)
        raise KeyError(f"{kind} {name!r} is declared in several environments ({places}): say which one")
    where = f" in environment {environment!r}" if environment else ""
    known = (
        ", ".join(sorted({i.name for i in items if environment in (None, getattr(i, "environment", None))})) or "none"
    )
    raise KeyError(f"no {kind} named {name!r}{where} in the stack spec (declared: {known})")


def family_of(name: str) -> str:
    """The first word of a resource name's last path segment or ARN part: `churn2` of /aws/.../churn2-staging."""
    last = re.split(r"[/:]", name)[-1]
    return re.split(r"[-_.]", last, maxsplit=1)[0]


def model_family(name: str, families: list[str]) -> str | None:
    """The model (of `families`) a resource name belongs to by its first word, or None (shared, account-wide)."""
    family = family_of(name)
    return family if family in families else None


def _common_prefix(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return a[:size]


def _is_number(annotation: Any) -> bool:
    """int or float, possibly optional; not bool, not a union with other kinds."""
    if annotation in (int, float):
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        return bool(kinds) and all(k in (int, float) for k in kinds)
    return False


def _is_percentile(statistic: str) -> bool:
    return bool(PERCENTILE.match(statistic))
