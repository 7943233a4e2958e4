"""Make a target's live resources match the spec: idempotent, in dependency order.

Queues and topics come first (alarms and rules point at them), then logs, buckets and SageMaker,
then alarms, rules and monitoring schedules. Each resource is read first and written only when it
differs, so a second apply changes nothing and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from botocore.exceptions import ClientError

from simulacro.provision.compare import canonical
from simulacro.spec.model import Endpoint, MonitoringSchedule, Pipeline, Rule, RuleTarget, Stack
from simulacro.target.pages import every_item

from .deployment_guardrails import guardrail_tags, is_guardrail_tag
from .naming import Names, endpoint_config_body, endpoint_config_name
from .pipeline_definition import pipeline_definition

if TYPE_CHECKING:
    from simulacro.target.targets import Target

FAULT_TAG = "simulacro:fault-attribute"
DEPLOYS_TAG = "simulacro:deploys-endpoint"  # read by the deployer that consumes the promotion queue  # the staging model's fault handler reads which attribute to honour


@dataclass
class ApplyReport:
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (action, kind, name)
    unchanged: int = 0

    def record(self, action: str | None, kind: str, name: str) -> None:
        if action is None:
            self.unchanged += 1
        else:
            self.changes.append((action, kind, name))

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        if not self.changes:
            return f"no changes: all {self.unchanged} resources already match the spec"
        lines = [f"{action} {kind} {name}" for action, kind, name in self.changes]
        return f"{len(self.changes)} changes ({self.unchanged} unchanged):\n  " + "\n  ".join(lines)


def apply(stack: Stack, target: Target, environments: list[str] | None = None) -> ApplyReport:
    report = ApplyReport()
    for environment in environments or target.environments:
        _Applier(stack.in_environment(environment), target, environment, report).run()
    return report


class _Applier:
    def __init__(self, stack: Stack, target: Target, environment: str, report: ApplyReport):
        self.stack = stack
        self.target = target
        self.environment = environment
        self.names = Names(stack, environment, target.region)
        self.report = report

    def client(self, service: str, region: str | None = None) -> Any:
        return self.target.client(service, self.environment, region)

    def region_of(self, resource: Any) -> str:
        """Alarms and topics may live outside the target's region (billing: us-east-1)."""
        return self.stack.region_of(resource, self.target.region)

    def run(self) -> None:
        for step in (
            self.queues,
            self.topics,
            self.log_groups,
            self.buckets,
            self.sagemaker,
            self.alarms,
            self.rules,
            self.monitoring_schedules,
        ):
            step()

    # --- messaging ---------------------------------------------------------------------

    def queues(self) -> None:
        sqs = self.client("sqs")
        for queue in self.stack.queues:
            attributes = {"MessageRetentionPeriod": str(int(queue.retention))}
            if queue.fifo:
                attributes["FifoQueue"] = "true"
            if queue.kms_key:
                attributes["KmsMasterKeyId"] = queue.kms_key
            policy = queue.policy if queue.policy is not None else self._queue_policy(queue.name)
            if policy:
                attributes["Policy"] = json.dumps(policy)
            tags = {"owner": queue.owner, **self._deployer_tag(queue.name)}
            try:
                url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
            except ClientError:
                sqs.create_queue(QueueName=queue.name, Attributes=attributes, tags=tags)
                self.report.record("created", "queue", queue.name)
                continue
            live = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            wanted = {k: v for k, v in attributes.items() if k != "FifoQueue"}
            live_tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
            if any(live_tags.get(k) != v for k, v in tags.items()):
                sqs.tag_queue(QueueUrl=url, Tags=tags)
                self.report.record("tagged", "queue", queue.name)
            if any(_normal(live.get(k)) != _normal(v) for k, v in wanted.items()):
                sqs.set_queue_attributes(QueueUrl=url, Attributes=wanted)
                self.report.record("updated", "queue", queue.name)
            else:
                self.report.record(None, "queue", queue.name)

    def _deployer_tag(self, queue_name: str) -> dict[str, str]:
        """The promotion rule's queue tells its deployer which endpoint it deploys to."""
        for rule in self.stack.rules:
            if rule.deploys_endpoint and any(t.queue == queue_name for t in rule.targets):
                return {DEPLOYS_TAG: rule.deploys_endpoint}
        return {}

    def _queue_policy(self, queue_name: str) -> dict[str, Any] | None:
        """EventBridge may send to a queue only from the rules that target it (or use it as DLQ)."""
        rule_arns = sorted(
            {
                self.names.rule_arn(rule.name)
                for rule in self.stack.rules
                for target in rule.targets
                if queue_name in (target.queue, target.dead_letter_queue)
            }
        )
        # Topics that subscribe this queue (protocol sqs) publish to it as sns.amazonaws.com.
        topic_arns = sorted(
            {
                self.names.topic_arn(topic.name)
                for topic in self.stack.topics
                for subscription in topic.subscriptions
                if subscription.protocol == "sqs" and subscription.endpoint == self.names.queue_arn(queue_name)
            }
        )
        statements = [
            {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sqs:SendMessage",
                "Resource": self.names.queue_arn(queue_name),
                "Condition": {"ArnEquals": {"aws:SourceArn": sources}},
            }
            for sid, service, sources in (
                ("AllowEventBridgeRules", "events.amazonaws.com", rule_arns),
                ("AllowSnsTopics", "sns.amazonaws.com", topic_arns),
            )
            if sources
        ]
        return {"Version": "2012-10-17", "Statement": statements} if statements else None

    def topics(self) -> None:
        for topic in self.stack.topics:
            sns = self.client("sns", self.region_of(topic))
            arn = self.names.topic_arn(topic.name)
            existing = {t["TopicArn"] for t in every_item(sns, "list_topics", "Topics")}
            if arn not in existing:
                sns.create_topic(Name=topic.name, Tags=[{"Key": "owner", "Value": topic.owner}])
                self.report.record("created", "topic", topic.name)
            else:
                self.report.record(None, "topic", topic.name)
            self._topic_attributes(sns, arn, topic)
            live = {
                (s["Protocol"], s["Endpoint"]): s
                for s in every_item(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn)
            }
            for subscription in topic.subscriptions:
                existing_subscription = live.get((subscription.protocol, subscription.endpoint))
                if existing_subscription is None:
                    sns.subscribe(
                        TopicArn=arn,
                        Protocol=subscription.protocol,
                        Endpoint=subscription.endpoint,
                        **({"Attributes": subscription.attributes()} if subscription.attributes() else {}),
                    )
                    self.report.record("subscribed", "topic", f"{topic.name} -> {subscription.endpoint}")
                else:
                    self._subscription_attributes(sns, existing_subscription["SubscriptionArn"], subscription)

    def _topic_attributes(self, sns: Any, arn: str, topic: Any) -> None:
        """The declared encryption key and policy (only what the spec declares is set)."""
        live = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        wanted = {}
        if topic.kms_key is not None:
            wanted["KmsMasterKeyId"] = topic.kms_key
        if topic.policy is not None:
            wanted["Policy"] = json.dumps(topic.policy)
        for name, value in wanted.items():
            if _normal(live.get(name)) != _normal(value):
                sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
                self.report.record("updated", "topic", f"{topic.name} {name}")

    def _subscription_attributes(self, sns: Any, subscription_arn: str, subscription: Any) -> None:
        if subscription_arn in ("PendingConfirmation", "Deleted"):
            return
        live = sns.get_subscription_attributes(SubscriptionArn=subscription_arn)["Attributes"]
        for name, value in subscription.attributes().items():
            if _normal(live.get(name)) != _normal(value):
                sns.set_subscription_attributes(
                    SubscriptionArn=subscription_arn, AttributeName=name, AttributeValue=value
                )
                self.report.record("updated", "subscription", f"{subscription.endpoint} {name}")

    def log_groups(self) -> None:
        logs = self.client("logs")
        for group in self.stack.log_groups:
            live = [
                g
                for g in logs.describe_log_groups(logGroupNamePrefix=group.name)["logGroups"]
                if g["logGroupName"] == group.name
            ]
            if not live:
                logs.create_log_group(logGroupName=group.name, tags={"owner": group.owner})
                logs.put_retention_policy(logGroupName=group.name, retentionInDays=group.retention_days)
                self.report.record("created", "log group", group.name)
            elif live[0].get("retentionInDays") != group.retention_days:
                logs.put_retention_policy(logGroupName=group.name, retentionInDays=group.retention_days)
                self.report.record("updated", "log group", group.name)
            else:
                self.report.record(None, "log group", group.name)

    # --- storage -----------------------------------------------------------------------

    def buckets(self) -> None:
        s3 = self.client("s3")
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        for endpoint in self.stack.endpoints:
            if endpoint.capture is not None:
                self._bucket(s3, existing, endpoint.capture.bucket)
                self._capture_retention(s3, endpoint)
        for schedule in self.stack.monitoring_schedules:
            self._bucket(s3, existing, schedule.output[len("s3://") :].split("/", 1)[0])
            self._baseline_files(s3, schedule)

    def _bucket(self, s3: Any, existing: set[str], name: str) -> None:
        if name in existing:
            return
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.target.region})
        existing.add(name)
        self.report.record("created", "bucket", name)

    def _capture_retention(self, s3: Any, endpoint: Endpoint) -> None:
        assert endpoint.capture is not None
        prefix = endpoint.capture.destination[len("s3://") :].partition("/")[2].rstrip("/") + "/"
        rule: dict[str, Any] = {
            "ID": f"capture-retention-{endpoint.name}",
            "Filter": {"Prefix": prefix},
            "Status": "Enabled",
            "Expiration": {"Days": endpoint.capture.retention_days},
        }
        try:
            live = s3.get_bucket_lifecycle_configuration(Bucket=endpoint.capture.bucket)["Rules"]
        except ClientError:
            live = []
        others = [r for r in live if r.get("ID") != rule["ID"]]
        mine = [r for r in live if r.get("ID") == rule["ID"]]
        if (
            mine
            and mine[0].get("Expiration", {}).get("Days") == rule["Expiration"]["Days"]
            and mine[0].get("Status") == "Enabled"
        ):
            self.report.record(None, "capture retention", endpoint.name)
            return
        s3.put_bucket_lifecycle_configuration(
            Bucket=endpoint.capture.bucket, LifecycleConfiguration={"Rules": others + [rule]}
        )
        self.report.record("updated" if mine else "created", "capture retention", endpoint.name)

    def _baseline_files(self, s3: Any, schedule: MonitoringSchedule) -> None:
        local = self.stack.baselines / schedule.baseline.model / schedule.baseline.version
        uri = self.names.baseline_uri(schedule.output, schedule.baseline.model, schedule.baseline.version)
        bucket, _, prefix = uri[len("s3://") :].partition("/")
        for name in ("statistics.json", "constraints.json", "manifest.json"):
            body = (local / name).read_bytes()
            try:
                live = s3.get_object(Bucket=bucket, Key=f"{prefix}/{name}")["Body"].read()
            except ClientError:
                live = None
            if live != body:
                s3.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=body)
                self.report.record("uploaded", "baseline file", f"{uri}/{name}")

    # --- SageMaker ---------------------------------------------------------------------

    def sagemaker(self) -> None:
        sm = self.client("sagemaker")
        for group in self.stack.model_package_groups:
            if _exists(lambda: sm.describe_model_package_group(ModelPackageGroupName=group.name)):  # noqa: B023 - called at once, inside the loop
                self.report.record(None, "model package group", group.name)
            else:
                sm.create_model_package_group(
                    ModelPackageGroupName=group.name, Tags=[{"Key": "owner", "Value": group.owner}]
                )
                self.report.record("created", "model package group", group.name)
        for model in self.stack.models:
            if _exists(lambda: sm.describe_model(ModelName=model.name)):  # noqa: B023 - called at once, inside the loop
                self.report.record(None, "model", model.name)
            else:
                sm.create_model(
                    ModelName=model.name,
                    ExecutionRoleArn=self.names.role_arn(model.role_name),
                    PrimaryContainer={
                        "Image": model.image,
                        "ModelDataUrl": f"s3://simulacro-local-models/{model.artifact}",
                        "Environment": {"SIMULACRO_MODEL_ARTIFACT": model.artifact},
                    },
                )
                self.report.record("created", "model", model.name)
        for endpoint in self.stack.endpoints:
            self._endpoint(sm, endpoint)
        self._wait_for_endpoints(sm)
        for pipeline in self.stack.pipelines:
            self._pipeline(sm, pipeline)

    def _endpoint(self, sm: Any, endpoint: Endpoint) -> None:
        config_name = endpoint_config_name(endpoint, endpoint.model)
        if not _exists(lambda: sm.describe_endpoint_config(EndpointConfigName=config_name)):
            sm.create_endpoint_config(EndpointConfigName=config_name, **endpoint_config_body(endpoint, endpoint.model))
            self.report.record("created", "endpoint config", config_name)
        try:
            live = sm.describe_endpoint(EndpointName=endpoint.name)
        except ClientError:
            sm.create_endpoint(
                EndpointName=endpoint.name, EndpointConfigName=config_name, Tags=_endpoint_tags(endpoint)
            )
            self.report.record("created", "endpoint", endpoint.name)
            return
        retagged = self._endpoint_tags(sm, live["EndpointArn"], endpoint)
        if live["EndpointConfigName"] == config_name:
            self.report.record("tagged" if retagged else None, "endpoint", endpoint.name)
        else:
            sm.update_endpoint(EndpointName=endpoint.name, EndpointConfigName=config_name)
            self.report.record("updated", "endpoint", endpoint.name)

    def _endpoint_tags(self, sm: Any, arn: str, endpoint: Endpoint) -> bool:
        """The declared tags (owner, fault attribute, deployment guardrail) on an existing endpoint; True when something changed."""
        live = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn).get("Tags", [])}
        wanted = {t["Key"]: t["Value"] for t in _endpoint_tags(endpoint)}
        stale = [key for key in live if (key == FAULT_TAG or is_guardrail_tag(key)) and key not in wanted]
        if stale:
            sm.delete_tags(ResourceArn=arn, TagKeys=stale)
        missing = [{"Key": k, "Value": v} for k, v in wanted.items() if live.get(k) != v]
        if missing:
            sm.add_tags(ResourceArn=arn, Tags=missing)
        return bool(stale or missing)

    def _wait_for_endpoints(self, sm: Any) -> None:
        """Provisioning is done when every endpoint serves (or has failed, which the drills will report)."""
        from simulacro.provision.settle import settled

        for endpoint in self.stack.endpoints:
            settled(sm, self.target.clock, endpoint.name)

    def _pipeline(self, sm: Any, pipeline: Pipeline) -> None:
        group = next((g.name for g in self.stack.model_package_groups if g.environment == pipeline.environment), None)
        model = next((m for m in self.stack.models if m.environment == pipeline.environment), None)
        definition = json.dumps(pipeline_definition(pipeline, model_package_group=group, model=model), sort_keys=True)
        role = self.names.role_arn(pipeline.role_name)
        try:
            live = sm.describe_pipeline(PipelineName=pipeline.name)
        except ClientError:
            sm.create_pipeline(
                PipelineName=pipeline.name,
                PipelineDefinition=definition,
                RoleArn=role,
                Tags=[{"Key": "owner", "Value": pipeline.owner}],
            )
            self.report.record("created", "pipeline", pipeline.name)
            return
        if live.get("PipelineDefinition") == definition:
            self.report.record(None, "pipeline", pipeline.name)
        else:
            sm.update_pipeline(PipelineName=pipeline.name, PipelineDefinition=definition, RoleArn=role)
            self.report.record("updated", "pipeline", pipeline.name)

    # --- alarms, rules, monitoring ------------------------------------------------------

    def alarms(self) -> None:
        for region in sorted({self.region_of(alarm) for alarm in self.stack.alarms}):
            self._alarms_in(region, [alarm for alarm in self.stack.alarms if self.region_of(alarm) == region])

    def _alarms_in(self, region: str, alarms: list[Any]) -> None:
        cloudwatch = self.client("cloudwatch", region)
        names = [alarm.name for alarm in alarms]
        live = {
            a["AlarmName"]: a
            for chunk in _chunks(names, 100)
            # every page: AWS may answer 100 names in several pages, and an alarm missed here would look absent
            for a in every_item(cloudwatch, "describe_alarms", "MetricAlarms", AlarmNames=chunk)
        }
        for alarm in alarms:
            request = alarm.to_put_metric_alarm(self.names.topic_arn)
            existing = live.get(alarm.name)
            if existing is not None and _alarm_matches(existing, request):
                tags = {
                    t["Key"]: t["Value"]
                    for t in cloudwatch.list_tags_for_resource(ResourceARN=existing["AlarmArn"])["Tags"]
                }
                if tags == {t["Key"]: t["Value"] for t in request["Tags"]}:
                    self.report.record(None, "alarm", alarm.name)
                    continue
                cloudwatch.tag_resource(ResourceARN=existing["AlarmArn"], Tags=request["Tags"])
                self.report.record("tagged", "alarm", alarm.name)
                continue
            cloudwatch.put_metric_alarm(**request)
            self.report.record("updated" if existing else "created", "alarm", alarm.name)

    def rules(self) -> None:
        events = self.client("events")
        for rule in self.stack.rules:
            self._rule(events, rule)

    def _rule(self, events: Any, rule: Rule) -> None:
        state = "ENABLED" if rule.enabled else "DISABLED"
        try:
            live = events.describe_rule(Name=rule.name)
        except ClientError:
            live = None
        same = (
            live is not None and live.get("State") == state and _same_json(live.get("EventPattern"), rule.pattern_json)
        )
        if not same:
            events.put_rule(
                Name=rule.name,
                EventPattern=rule.pattern_json,
                State=state,
                Description=rule.description,
                Tags=[{"Key": "owner", "Value": rule.owner}],
            )
        wanted = [self._rule_target(target) for target in rule.targets]
        current = events.list_targets_by_rule(Rule=rule.name)["Targets"] if live else []
        targets_same = sorted(map(canonical, current)) == sorted(map(canonical, wanted))
        if not targets_same:
            stale = [t["Id"] for t in current if t["Id"] not in {w["Id"] for w in wanted}]
            if stale:
                events.remove_targets(Rule=rule.name, Ids=stale)
            events.put_targets(Rule=rule.name, Targets=wanted)
        self.report.record(None if same and targets_same else ("updated" if live else "created"), "rule", rule.name)

    def _rule_target(self, target: RuleTarget) -> dict[str, Any]:
        return target.to_put_target(self.names.queue_arn, self.names.topic_arn)

    def monitoring_schedules(self) -> None:
        sm = self.client("sagemaker")
        for schedule in self.stack.monitoring_schedules:
            config = self._schedule_config(schedule)
            try:
                live = sm.describe_monitoring_schedule(MonitoringScheduleName=schedule.name)
            except ClientError:
                sm.create_monitoring_schedule(
                    MonitoringScheduleName=schedule.name,
                    MonitoringScheduleConfig=config,
                    Tags=[{"Key": "owner", "Value": schedule.owner}],
                )
                self.report.record("created", "monitoring schedule", schedule.name)
                continue
            if _same_json(json.dumps(live["MonitoringScheduleConfig"], default=str), json.dumps(config)):
                self.report.record(None, "monitoring schedule", schedule.name)
            else:
                sm.update_monitoring_schedule(MonitoringScheduleName=schedule.name, MonitoringScheduleConfig=config)
                self.report.record("updated", "monitoring schedule", schedule.name)

    def _schedule_config(self, schedule: MonitoringSchedule) -> dict[str, Any]:
        baseline = self.names.baseline_uri(schedule.output, schedule.baseline.model, schedule.baseline.version)
        return {
            "ScheduleConfig": {"ScheduleExpression": schedule.schedule},
            "MonitoringType": "DataQuality",
            "MonitoringJobDefinition": {
                "BaselineConfig": {
                    "ConstraintsResource": {"S3Uri": f"{baseline}/constraints.json"},
                    "StatisticsResource": {"S3Uri": f"{baseline}/statistics.json"},
                },
                "MonitoringInputs": [
                    {
                        "EndpointInput": {
                            "EndpointName": schedule.endpoint,
                            "LocalPath": "/opt/ml/processing/input/endpoint",
                        }
                    }
                ],
                "MonitoringOutputConfig": {
                    "MonitoringOutputs": [
                        {
                            "S3Output": {
                                "S3Uri": schedule.output,
                                "LocalPath": "/opt/ml/processing/output",
                                "S3UploadMode": "EndOfJob",
                            }
                        }
                    ]
                },
                "MonitoringResources": {
                    "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}
                },
                "MonitoringAppSpecification": {
                    "ImageUri": "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"
                },
                "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
                "Environment": {"publish_cloudwatch_metrics": "Enabled"},
                "RoleArn": self.names.role_arn(schedule.role_name),
            },
        }


ALARM_FIELDS = (
    "AlarmDescription",
    "ActionsEnabled",
    "AlarmActions",
    "OKActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "Metrics",
)


def _endpoint_tags(endpoint: Endpoint) -> list[dict[str, str]]:
    tags = [{"Key": "owner", "Value": endpoint.owner}]
    if endpoint.faults is not None:
        # The staging model's fault handler honours this attribute (README: fault mechanisms on real AWS).
        tags.append({"Key": FAULT_TAG, "Value": endpoint.faults.attribute})
    # The guardrail the team's deployer applies to every update (provision/deployment_guardrails.py).
    tags += [{"Key": k, "Value": v} for k, v in guardrail_tags(endpoint.deployment_config).items()]
    return tags


def _alarm_matches(live: dict[str, Any], request: dict[str, Any]) -> bool:
    return all(
        canonical(live.get(key)) == canonical(request.get(key))
        for key in ALARM_FIELDS
        if key in request or live.get(key)
    )


def _same_json(left: str | None, right: str | None) -> bool:
    try:
        return json.loads(left or "null") == json.loads(right or "null")
    except ValueError:
        return left == right


def _normal(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _exists(describe: Callable[[], Any]) -> bool:
    try:
        describe()
        return True
    except ClientError:
        return False


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]
