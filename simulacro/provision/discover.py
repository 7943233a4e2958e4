"""A spec draft read from a live account: `simulacro discover --env ENV --out draft.yaml`.

The team's stack already exists, built by its own infrastructure code; retyping it as a spec is error
prone. Discovery reads the observability stack of one environment through the APIs (the same reads as
the inventory, plus what a spec needs that the inventory does not keep) and writes it as a spec. What
only a person can decide (detection and recovery budgets, fault mechanisms, allow-lists, the local
stand-in model) gets a documented default and a `# review:` comment. `--prefix` and `--tag` keep one
platform of a shared account; whatever a kept resource refers to (an alarm's topics, a rule's queues)
is kept too, so the draft always validates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from botocore.exceptions import ClientError

from simulacro.errors import AwsProblem
from simulacro.spec.baselines import FILES, sha256
from simulacro.spec.draft import Draft
from simulacro.spec.durations import format_duration
from simulacro.spec.model import EndpointFaults
from simulacro.spec.paths import FIXTURES
from simulacro.target.pages import every_item

from .deployment_guardrails import recorded_deployment_config
from .inventory import Inventory, inventory

if TYPE_CHECKING:
    from simulacro.target.targets import Target

STAND_IN_MODEL = FIXTURES / "models" / "churn" / "v3.json"
PIPELINE_NAMESPACE = "AWS/Sagemaker/ModelBuildingPipeline"
CATEGORY_BY_NAMESPACE = {
    PIPELINE_NAMESPACE: "pipeline",
    "AWS/SageMaker": "endpoint",
    "AWS/Billing": "cost",
    "aws/sagemaker/Endpoints/data-metrics": "monitor",
}
FAILED_STATES = {"Failed", "FAILED", "Stopped", "UPDATE_ROLLBACK_FAILED"}
BASELINE_KEY = re.compile(r"/baselines/(?P<model>[^/]+)/(?P<version>[^/]+)/(statistics|constraints)\.json$")
DEPLOYS_TAG = "simulacro:deploys-endpoint"
FAULT_TAG = "simulacro:fault-attribute"


@dataclass
class Filters:
    """Which resources belong to the platform: a name prefix and/or a tag (KEY=VALUE)."""

    prefix: str | None = None
    tag: tuple[str, str] | None = None

    def keeps(self, name: str, tags: dict[str, str]) -> bool:
        by_prefix = self.prefix is None or _short_name(name).startswith(self.prefix)
        by_tag = self.tag is None or tags.get(self.tag[0]) == self.tag[1]
        return by_prefix and by_tag


@dataclass
class Discovered:
    """The draft, and the files it refers to (baselines read from S3, the stand-in model)."""

    draft: Draft
    files: dict[str, bytes] = field(default_factory=dict)  # path relative to the draft's folder -> content

    def write(self, out: Path) -> list[Path]:
        from simulacro.spec.draft import render

        written = []
        for relative, content in sorted(self.files.items()):
            path = out.parent / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            written.append(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render(self.draft))
        return [out, *written]


def discover(
    target: Target, environment: str, filters: Filters | None = None, *, name: str | None = None
) -> Discovered:
    filters = filters or Filters()
    client: Callable[[str], Any] = lambda service: target.client(service, environment)  # noqa: E731
    live = inventory(target, environment, everything=True)
    reader = _Reader(client, live, filters, Discovered(Draft()))
    return reader.read(environment, name or (f"{filters.prefix}-platform" if filters.prefix else "discovered-platform"))


class _Reader:
    def __init__(self, client: Callable[[str], Any], live: Inventory, filters: Filters, out: Discovered):
        self.client, self.live, self.filters, self.out = client, live, filters, out
        self.draft = out.draft
        self.environment = live.environment

    def read(self, environment: str, name: str) -> Discovered:
        draft = self.draft
        draft.header = [
            f"Spec draft of environment {environment} (account {self.live.account}, {self.live.region}), read by `simulacro discover`.",
            "Review every line marked `# review:`: those are defaults only a person can decide. Then run",
            "`simulacro drill --spec <this file> --target aws --env "
            + environment
            + " -m inventory` against the account.",
            "Format: README.md, 'The stack spec'.",
        ]
        alarms = [a for a in self.live.alarms if self._kept(a["name"], self._tags("alarm", a))]
        endpoints = [e for e in self.live.endpoints if self._kept(e["name"], self._sagemaker_tags(e["arn"]))]
        schedules = [
            s
            for s in self.live.monitoring_schedules
            if self._kept(s["name"], {}) or s["endpoint"] in {e["name"] for e in endpoints}
        ]
        rules = [r for r in self.live.rules if self._kept(r["name"], {})]
        pipelines = [p for p in self.live.pipelines if self._kept(p["name"], self._sagemaker_tags(p["arn"]))]
        spec: dict[str, Any] = {
            "version": 1,
            "name": draft.review(name, "the platform's name, as you call it"),
            "region": self.live.region,
        }
        spec["environments"] = {
            environment: {
                "account": self.live.account,
                "allow_destructive": draft.review(
                    [], "drills that may inject faults here (names, globs or `all`); none until you decide"
                ),
                "allow_runbooks": draft.review([], "runbooks that may change this environment; none until you decide"),
            }
        }
        referenced_topics = {
            _arn_name(arn) for a in alarms for arns in a["actions"].values() for arn in arns if ":sns:" in arn
        }
        referenced_topics |= {_arn_name(t["arn"]) for r in rules for t in r["targets"] if ":sns:" in t["arn"]}
        referenced_queues = {
            _arn_name(t[key])
            for r in rules
            for t in r["targets"]
            for key in ("arn", "dead_letter_queue")
            if t.get(key) and ":sqs:" in t[key]
        }
        spec["topics"] = [
            self._topic(t)
            for t in self.live.topics
            if (self._kept(t["name"], {"owner": t.get("owner") or ""}) or t["name"] in referenced_topics)
            and t["subscriptions"]
        ]
        spec["queues"] = [
            self._queue(q) for q in self.live.queues if self._kept(q["name"], {}) or q["name"] in referenced_queues
        ]
        spec["alarms"] = [self._alarm(a) for a in alarms]
        spec["rules"] = [self._rule(r) for r in rules]
        models, spec["endpoints"] = self._endpoints(endpoints)
        spec["models"] = models
        spec["pipelines"] = [self._pipeline(p) for p in pipelines]
        spec["model_package_groups"] = self._package_groups()
        spec["monitoring_schedules"] = [self._schedule(s) for s in schedules]
        wanted_logs = {e["log_group"] for e in spec["endpoints"] if e.get("log_group")} | {
            p["log_group"] for p in spec["pipelines"]
        }
        spec["log_groups"] = [
            self._log_group(g) for g in self.live.log_groups if self._kept(g["name"], {}) or g["name"] in wanted_logs
        ]
        skipped = [t["name"] for t in self.live.topics if not t["subscriptions"] and self._kept(t["name"], {})]
        if skipped:
            draft.header.append(
                f"Not drafted: topics without any subscription ({', '.join(skipped)}); a spec topic needs one."
            )
        self.draft.spec = {k: v for k, v in spec.items() if v != []}
        return self.out

    def _kept(self, name: str, tags: dict[str, str]) -> bool:
        return self.filters.keeps(name, tags)

    # --- reads the inventory does not keep ---------------------------------------------------

    def _tags(self, kind: str, item: dict[str, Any]) -> dict[str, str]:
        if kind == "alarm":
            return {
                k: v
                for k, v in (
                    ("owner", item.get("owner")),
                    ("runbook", item.get("runbook")),
                    ("category", item.get("category")),
                )
                if v
            }
        return {}

    def _sagemaker_tags(self, arn: str) -> dict[str, str]:
        """The resource's tags; none where the account (or an AWS-compatible endpoint) cannot list them."""
        try:
            return {t["Key"]: t["Value"] for t in self.client("sagemaker").list_tags(ResourceArn=arn).get("Tags", [])}
        except (ClientError, AwsProblem):
            return {}

    def _owner(self, owner: str | None, what: str) -> Any:
        return owner or self.draft.review("unknown", f"no `owner` tag on {what}: who is paged for it?")

    # --- each kind ------------------------------------------------------------------------

    def _topic(self, topic: dict[str, Any]) -> dict[str, Any]:
        subscriptions = [{"protocol": s["protocol"], "endpoint": s["endpoint"]} for s in topic["subscriptions"]]
        return {
            "name": topic["name"],
            "environment": self.environment,
            "owner": self._owner(topic.get("owner"), f"topic {topic['name']}"),
            "subscriptions": subscriptions,
            "role": self.draft.review("alerts", "alerts (pages), incidents (where runbooks open incidents) or events"),
        }

    def _queue(self, queue: dict[str, Any]) -> dict[str, Any]:
        sqs = self.client("sqs")
        tags = sqs.list_queue_tags(QueueUrl=queue["url"]).get("Tags", {})
        drafted: dict[str, Any] = {
            "name": queue["name"],
            "environment": self.environment,
            "owner": self._owner(tags.get("owner"), f"queue {queue['name']}"),
        }
        if queue.get("fifo"):
            drafted["fifo"] = True
        drafted["retention"] = format_duration(queue.get("retention_seconds", 345600))
        return drafted

    def _alarm(self, alarm: dict[str, Any]) -> dict[str, Any]:
        definition = alarm["definition"]
        draft = self.draft
        period = int(alarm["period"] or 60)
        m, n = int(alarm["datapoints_to_alarm"]), int(alarm["evaluation_periods"])
        drafted: dict[str, Any] = {
            "name": alarm["name"],
            "environment": self.environment,
            "category": alarm.get("category") or self._category(definition),
            "owner": self._owner(alarm.get("owner"), f"alarm {alarm['name']}"),
            "runbook": alarm.get("runbook") or draft.review("unknown", "which runbook the on-call follows"),
        }
        if definition.get("AlarmDescription"):
            drafted["description"] = definition["AlarmDescription"]
        if definition.get("Metrics"):
            queries = definition["Metrics"]
            result = next(q for q in queries if q.get("ReturnData", True) and "Expression" in q)
            drafted["expression"] = result["Expression"]
            drafted["metrics"] = {
                q["Id"]: _metric_ref(q["MetricStat"]["Metric"], q["MetricStat"]["Stat"])
                for q in queries
                if "MetricStat" in q
            }
        else:
            statistic = definition.get("ExtendedStatistic") or definition.get("Statistic")
            drafted["metric"] = _metric_ref(definition, statistic)
        drafted.update({"period": period, "evaluation_periods": n})
        if m != n:
            drafted["datapoints_to_alarm"] = m
        drafted.update(
            {
                "threshold": _number(alarm["threshold"]),
                "comparison": alarm["comparison"],
                "treat_missing_data": alarm["treat_missing_data"],
            }
        )
        if alarm.get("evaluate_low_sample_count_percentile"):
            drafted["evaluate_low_sample_count_percentile"] = alarm["evaluate_low_sample_count_percentile"]
        drafted["actions"] = {
            state: [_arn_name(arn) for arn in arns if ":sns:" in arn]
            for state, arns in alarm["actions"].items()
            if arns
        }
        drafted["detection_budget"] = draft.review(
            format_duration(period * (m + 1)),
            "how soon the page must come after the fault starts (default: M+1 periods)",
        )
        drafted["recovery_budget"] = draft.review(
            format_duration(period * (n + 2)),
            "how soon the alarm must clear after the fault ends (default: N+2 periods)",
        )
        return drafted

    def _category(self, definition: dict[str, Any]) -> Any:
        namespaces = {definition.get("Namespace")} | {
            q["MetricStat"]["Metric"].get("Namespace") for q in definition.get("Metrics") or [] if "MetricStat" in q
        }
        category = next((CATEGORY_BY_NAMESPACE[n] for n in namespaces if n in CATEGORY_BY_NAMESPACE), "endpoint")
        return self.draft.review(category, "no `category` tag: pipeline, endpoint, monitor or cost")

    def _rule(self, rule: dict[str, Any]) -> dict[str, Any]:
        events = self.client("events")
        described = events.describe_rule(Name=rule["name"])
        try:
            tags = {
                t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=rule["arn"]).get("Tags", [])
            }
        except ClientError:
            tags = {}
        pattern = json.loads(rule["pattern"]) if rule.get("pattern") else {}
        raw_targets = {t["Id"]: t for t in events.list_targets_by_rule(Rule=rule["name"])["Targets"]}
        targets, deploys = [], None
        for target in rule["targets"]:
            drafted: dict[str, Any] = {"id": target["id"]}
            kind = "queue" if ":sqs:" in target["arn"] else "topic"
            drafted[kind] = _arn_name(target["arn"])
            if target.get("dead_letter_queue"):
                drafted["dead_letter_queue"] = _arn_name(target["dead_letter_queue"])
            retry = target.get("retry") or {}
            if retry:
                drafted["retry"] = {
                    "maximum_retry_attempts": retry.get("MaximumRetryAttempts", 185),
                    "maximum_event_age": format_duration(retry.get("MaximumEventAgeInSeconds", 86400)),
                }
            transformer = raw_targets.get(target["id"], {}).get("InputTransformer")
            if transformer:
                drafted["input_transformer"] = transformer
            deploys = deploys or self._deploys(drafted.get("queue"))
            targets.append(drafted)
        purpose = _purpose(pattern, deploys)
        drafted_rule: dict[str, Any] = {
            "name": rule["name"],
            "environment": self.environment,
            "owner": self._owner(tags.get("owner"), f"rule {rule['name']}"),
        }
        if described.get("Description"):
            drafted_rule["description"] = described["Description"]
        drafted_rule["purpose"] = self.draft.review(
            purpose, "read from the pattern: pipeline, model_package, endpoint, alarm, promotion or other"
        )
        if _failures_only(pattern):
            drafted_rule["failures_only"] = True
        if rule["state"] != "ENABLED":
            drafted_rule["enabled"] = False
        drafted_rule["pattern"] = pattern
        drafted_rule["targets"] = targets
        if deploys:
            drafted_rule["deploys_endpoint"] = deploys
        return drafted_rule

    def _deploys(self, queue: str | None) -> str | None:
        if queue is None:
            return None
        live = self.live.find("queues", queue)
        if live is None:
            return None
        return self.client("sqs").list_queue_tags(QueueUrl=live["url"]).get("Tags", {}).get(DEPLOYS_TAG)

    def _endpoints(self, endpoints: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        sagemaker = self.client("sagemaker")
        models: dict[str, dict[str, Any]] = {}
        drafted = []
        for endpoint in endpoints:
            config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["config"])
            variant = config["ProductionVariants"][0]
            model_name = variant["ModelName"]
            models.setdefault(model_name, self._model(model_name))
            tags = self._sagemaker_tags(endpoint["arn"])
            item: dict[str, Any] = {
                "name": endpoint["name"],
                "environment": self.environment,
                "owner": self._owner(tags.get("owner"), f"endpoint {endpoint['name']}"),
                "model": model_name,
            }
            if variant["VariantName"] != "AllTraffic":
                item["variant"] = variant["VariantName"]
            item["instance_type"] = variant.get("InstanceType", "ml.m5.large")
            item["instance_count"] = variant.get("InitialInstanceCount", 1)
            capture = config.get("DataCaptureConfig")
            if capture:
                item["capture"] = self._capture(capture)
            if FAULT_TAG in tags:
                item["faults"] = {"mechanism": "custom-attribute", "attribute": tags[FAULT_TAG]}
                self._copy_incident_models()
            guardrail = _deployment_config(tags)
            if guardrail:
                item["deployment_config"] = guardrail
            log_group = f"/aws/sagemaker/Endpoints/{endpoint['name']}"
            if self.live.find("log_groups", log_group):
                item["log_group"] = log_group
            drafted.append(item)
        return list(models.values()), drafted

    def _copy_incident_models(self) -> None:
        """The models the incident drills deploy on a faulted endpoint (a broken image, a regressed model), beside the draft."""
        defaults = EndpointFaults()
        for artifact in (defaults.broken_artifact, defaults.regressed_artifact):
            if (FIXTURES / artifact).is_file():
                self.out.files[artifact] = (FIXTURES / artifact).read_bytes()

    def _capture(self, capture: dict[str, Any]) -> dict[str, Any]:
        destination = capture["DestinationS3Uri"]
        bucket = destination[len("s3://") :].split("/", 1)[0]
        expiry = next(
            (
                r.get("Expiration", {}).get("Days")
                for r in self.live.bucket_lifecycles.get(bucket, [])
                if r.get("Status") == "Enabled" and r.get("Expiration", {}).get("Days")
            ),
            None,
        )
        return {
            "enabled": bool(capture.get("EnableCapture")),
            "sampling_percentage": capture.get("InitialSamplingPercentage", 100),
            "destination": destination,
            "retention_days": expiry
            or self.draft.review(30, f"no expiry rule on bucket {bucket}: how long captured data is kept"),
        }

    def _model(self, name: str) -> dict[str, Any]:
        described = self.client("sagemaker").describe_model(ModelName=name)
        container = described.get("PrimaryContainer") or (described.get("Containers") or [{}])[0]
        artifact = (container.get("Environment") or {}).get("SIMULACRO_MODEL_ARTIFACT")
        if artifact is None:
            artifact = f"models/{name}.json"
            self.out.files[artifact] = STAND_IN_MODEL.read_bytes()
            artifact = self.draft.review(
                artifact,
                "a stand-in model that answers InvokeEndpoint on the local AWS; "
                "replace it with a small local model of yours",
            )
        else:
            source = FIXTURES / artifact
            if source.is_file():
                self.out.files[artifact] = source.read_bytes()
        return {
            "name": name,
            "environment": self.environment,
            "artifact": artifact,
            "image": container.get("Image", ""),
            "role_name": _arn_name(described["ExecutionRoleArn"]),
        }

    def _pipeline(self, pipeline: dict[str, Any]) -> dict[str, Any]:
        sagemaker = self.client("sagemaker")
        described = sagemaker.describe_pipeline(PipelineName=pipeline["name"])
        definition = json.loads(described.get("PipelineDefinition") or "{}")
        local = (definition.get("Metadata") or {}).get("Simulacro") or {}
        tags = self._sagemaker_tags(pipeline["arn"])
        parameters = {p["Name"]: str(p.get("DefaultValue", "")) for p in definition.get("Parameters", [])}
        durations, reasons = local.get("StepDurationSeconds", {}), local.get("StepFailureReasons", {})
        steps = []
        for step in definition.get("Steps", []):
            drafted: dict[str, Any] = {"name": step["Name"], "type": step["Type"]}
            drafted["duration"] = (
                format_duration(durations[step["Name"]])
                if step["Name"] in durations
                else self.draft.review("5m", "how long the step takes on the local AWS")
            )
            if step["Name"] in reasons:
                drafted["failure_reason"] = reasons[step["Name"]]
            steps.append(drafted)
        fault = (
            {"parameter": local["FaultParameter"], "no_fault_value": local.get("NoFaultValue", "none")}
            if local.get("FaultParameter")
            else {
                "parameter": self.draft.review(
                    "SimulacroFailStep",
                    "the pipeline parameter that makes a step fail (README: real AWS); add it to the pipeline",
                ),
                "no_fault_value": "none",
            }
        )
        log_group = local.get("LogGroup") or self.draft.review("/aws/sagemaker/TrainingJobs", "where the steps log")
        return {
            "name": pipeline["name"],
            "environment": self.environment,
            "owner": self._owner(tags.get("owner"), f"pipeline {pipeline['name']}"),
            "role_name": _arn_name(described.get("RoleArn", "role/unknown")),
            "log_group": log_group,
            "parameters": parameters,
            "fault": fault,
            "steps": steps,
        }

    def _package_groups(self) -> list[dict[str, Any]]:
        sagemaker = self.client("sagemaker")
        groups = []
        for group in every_item(sagemaker, "list_model_package_groups", "ModelPackageGroupSummaryList"):
            tags = self._sagemaker_tags(group["ModelPackageGroupArn"])
            if self._kept(group["ModelPackageGroupName"], tags):
                groups.append(
                    {
                        "name": group["ModelPackageGroupName"],
                        "environment": self.environment,
                        "owner": self._owner(
                            tags.get("owner"), f"model package group {group['ModelPackageGroupName']}"
                        ),
                    }
                )
        return groups

    def _schedule(self, schedule: dict[str, Any]) -> dict[str, Any]:
        described = self.client("sagemaker").describe_monitoring_schedule(MonitoringScheduleName=schedule["name"])
        job = described["MonitoringScheduleConfig"].get("MonitoringJobDefinition") or {}
        tags = self._sagemaker_tags(described["MonitoringScheduleArn"])
        baseline = self._baseline(schedule)
        return {
            "name": schedule["name"],
            "environment": self.environment,
            "owner": self._owner(tags.get("owner"), f"monitoring schedule {schedule['name']}"),
            "endpoint": schedule["endpoint"],
            "baseline": baseline,
            "schedule": schedule["schedule"],
            "output": schedule["output"],
            "role_name": _arn_name(job.get("RoleArn", "role/unknown")),
        }

    def _baseline(self, schedule: dict[str, Any]) -> dict[str, Any]:
        """The baseline the schedule reads, copied from S3 into baselines/<model>/<version>/ beside the draft."""
        found = BASELINE_KEY.search(schedule.get("statistics") or "")
        model, version = (found["model"], found["version"]) if found else (schedule["endpoint"], "discovered")
        s3 = self.client("s3")
        contents = {}
        for name, uri in (
            ("statistics.json", schedule.get("statistics")),
            ("constraints.json", schedule.get("constraints")),
        ):
            if uri:
                bucket, _, key = uri[len("s3://") :].partition("/")
                contents[name] = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        if set(contents) == set(FILES):
            folder = f"baselines/{model}/{version}"
            rows = json.loads(contents["statistics.json"]).get("dataset", {}).get("item_count", 0)
            manifest = {
                "model": model,
                "version": version,
                "created": "discovered",
                "source_dataset": {"path": f"read from {schedule['statistics']}", "sha256": "", "rows": rows},
                "files": {name: sha256(body) for name, body in contents.items()},
            }
            for name, body in contents.items():
                self.out.files[f"{folder}/{name}"] = body
            self.out.files[f"{folder}/manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
        if found:
            return {"model": model, "version": version}
        return {
            "model": self.draft.review(model, "the baseline's model name"),
            "version": self.draft.review(version, "its version"),
        }

    def _log_group(self, group: dict[str, Any]) -> dict[str, Any]:
        logs = self.client("logs")
        try:
            tags = logs.list_tags_log_group(logGroupName=group["name"]).get("tags", {})
        except ClientError:
            tags = {}
        retention = group.get("retention_days") or self.draft.review(
            30, "no retention set in the account: the inventory flags it until one is set"
        )
        return {
            "name": group["name"],
            "environment": self.environment,
            "owner": self._owner(tags.get("owner"), f"log group {group['name']}"),
            "retention_days": retention,
        }


def _deployment_config(tags: dict[str, str]) -> dict[str, Any] | None:
    """The guardrail recorded on the endpoint for its deployer (`deployment_guardrails`), in the spec's words."""
    try:
        recorded = recorded_deployment_config(tags)
    except ValueError:
        return None
    if recorded is None:
        return None
    policy = recorded["BlueGreenUpdatePolicy"]
    routing = policy["TrafficRoutingConfiguration"]
    drafted: dict[str, Any] = {"traffic": routing["Type"].lower().replace("_", "-")}
    size = routing.get("CanarySize") or routing.get("LinearStepSize")
    if size:
        drafted["step_percent"] = size["Value"]
    drafted.update(
        {
            "bake": format_duration(routing["WaitIntervalInSeconds"]) if routing["WaitIntervalInSeconds"] else 0,
            "termination_wait": policy["TerminationWaitInSeconds"],
            "timeout": format_duration(policy["MaximumExecutionTimeoutInSeconds"]),
        }
    )
    alarms = [a["AlarmName"] for a in (recorded.get("AutoRollbackConfiguration") or {}).get("Alarms", [])]
    if alarms:
        drafted["rollback_alarms"] = alarms
    return drafted


def _metric_ref(metric: dict[str, Any], statistic: str | None) -> dict[str, Any]:
    return {
        "namespace": metric["Namespace"],
        "name": metric["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])},
        "statistic": statistic,
    }


def _purpose(pattern: dict[str, Any], deploys: str | None) -> str:
    text = json.dumps(pattern.get("detail-type", "")) + json.dumps(pattern.get("source", ""))
    if deploys:
        return "promotion"
    for needle, purpose in (
        ("Pipeline", "pipeline"),
        ("Model Package", "model_package"),
        ("Endpoint", "endpoint"),
        ("aws.cloudwatch", "alarm"),
    ):
        if needle in text:
            return purpose
    return "other"


def _failures_only(pattern: dict[str, Any]) -> bool:
    """Does the pattern let through only failed states (every status it filters on is a failure)?"""
    detail = pattern.get("detail") or {}
    statuses = [
        v
        for key, values in detail.items()
        if "Status" in key or key.startswith("current")
        for v in (values if isinstance(values, list) else [])
    ]
    return bool(statuses) and all(isinstance(v, str) and v in FAILED_STATES for v in statuses)


def _arn_name(arn: str) -> str:
    return re.split(r"[:/]", arn)[-1]


def _short_name(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value
