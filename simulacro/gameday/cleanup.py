"""What a crashed run left behind, found and removed: `python -m simulacro cleanup --run-id ...`.

A run rolls every fault back on success, failure, Ctrl-C and SIGTERM. A run killed outright (SIGKILL,
a lost runner, credentials expiring mid-rollback) cannot, and leaves some of these behind; each is
found by its run id (tag `simulacro-run`, or in its name) or by the marks Simulacro puts on it:

- probe queues `simulacro-probe-<run id>-*`, their SNS subscriptions and the rule targets (Id
  `simulacro-probe`) that deliver to them;
- a rule target pointed at a queue that does not exist (`simulacro-missing-<run id>`): put back as the
  spec declares it;
- a `SimulacroDenyRule` statement in a queue or topic policy: removed;
- an endpoint serving a config the run created: updated back to the spec's config; then the configs
  and models named with `simulacro-` and the run id, and the model packages the run registered;
- pipeline executions the drills started (`simulacro-*`) that are still running: stopped.

Reported but left alone: a promotion rule a runbook froze (tag `simulacro:frozen-by`: it may be a
real incident's freeze) and an alarm still showing the notification drill's forced state (CloudWatch
puts it back at its next evaluation).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import ClientError

from simulacro.target.waits import wait_for
from simulacro.provision.naming import Names, endpoint_config_name
from simulacro.spec import Stack

PROBE_PREFIX = "simulacro-probe-"
PROBE_TARGET_ID = "simulacro-probe"
DENY_SID = "SimulacroDenyRule"
FROZEN_TAG = "simulacro:frozen-by"
FORCED_REASON = "Simulacro notification drill"
SETTLE_BUDGET = 3600


@dataclass
class Leftover:
    environment: str
    kind: str
    name: str
    remove: Callable[[], None] | None = field(default=None, repr=False)
    note: str = ""

    def __str__(self) -> str:
        action = "remove" if self.remove else "report only"
        return f"{self.environment}: {self.kind} {self.name} ({action}{': ' + self.note if self.note else ''})"


def find_leftovers(target: Any, stack: Stack, environment: str, run_id: str | None = None) -> list[Leftover]:
    """Everything a run (`run_id`, or any run when None) left in one environment, in the order to remove it."""
    finder = _Finder(target, stack, environment, run_id)
    return [leftover for find in finder.steps() for leftover in find()]


def cleanup(target: Any, stack: Stack, run_id: str | None, *, dry_run: bool = False,
            report: Callable[[str], None] = print) -> list[Leftover]:
    """Find and (unless `dry_run`) remove the leftovers in every environment the target reaches."""
    found = []
    for environment in target.environments:
        for leftover in find_leftovers(target, stack, environment, run_id):
            report(("would " if dry_run else "") + str(leftover))
            if leftover.remove is not None and not dry_run:
                leftover.remove()
            found.append(leftover)
    return found


class _Finder:
    def __init__(self, target: Any, stack: Stack, environment: str, run_id: str | None):
        self.target = target
        self.stack = stack.in_environment(environment)
        self.environment = environment
        self.run_id = run_id
        self.names = Names(stack, environment, target.region)
        self.client = lambda service, region=None: target.client(service, environment, region)  # noqa: E731
        # Alarms and topics may live outside the target's region (billing: us-east-1); probes follow them there.
        self.regions = sorted({self.stack.region_of(r, target.region) for r in [*self.stack.alarms, *self.stack.topics]} | {target.region})
        self._targets: list[tuple[str, dict[str, Any]]] | None = None

    def steps(self) -> list[Callable[[], list[Leftover]]]:
        return [self.probe_queues, self.probe_targets, self.missing_targets, self.deny_statements, self.endpoints,
                self.endpoint_configs, self.models, self.model_packages, self.executions, self.frozen_rules,
                self.forced_alarms]

    def ours(self, name: str) -> bool:
        return "simulacro-" in name and (self.run_id is None or self.run_id in name)

    def leftover(self, kind: str, name: str, remove: Callable[[], None] | None = None, note: str = "") -> Leftover:
        return Leftover(self.environment, kind, name, remove, note)

    # --- probes -------------------------------------------------------------------------

    def probe_queues(self) -> list[Leftover]:
        sqs = self.client("sqs")
        prefix = PROBE_PREFIX + (self.run_id or "")
        urls = sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
        return [self.leftover("probe queue", url.rsplit("/", 1)[1], lambda url=url: self._remove_probe(url)) for url in urls]

    def _remove_probe(self, url: str) -> None:
        sqs, events = self.client("sqs"), self.client("events")
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for sns in (self.client("sns", region) for region in self.regions):
            for page in sns.get_paginator("list_subscriptions").paginate():
                for subscription in page["Subscriptions"]:
                    if subscription["Endpoint"] == arn and subscription["SubscriptionArn"].startswith("arn:"):
                        sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
        for rule in events.list_rule_names_by_target(TargetArn=arn).get("RuleNames", []):
            ids = [t["Id"] for t in events.list_targets_by_rule(Rule=rule)["Targets"] if t["Arn"] == arn]
            if ids:
                events.remove_targets(Rule=rule, Ids=ids)
        sqs.delete_queue(QueueUrl=url)

    def probe_targets(self) -> list[Leftover]:
        events = self.client("events")
        found = []
        for rule, target in self._rule_targets(events):
            if target["Id"] == PROBE_TARGET_ID and (self.run_id is None or self.run_id in target["Arn"]):
                found.append(self.leftover("probe target", f"{rule} -> {target['Arn']}",
                                           lambda rule=rule: events.remove_targets(Rule=rule, Ids=[PROBE_TARGET_ID])))
        return found

    def missing_targets(self) -> list[Leftover]:
        events = self.client("events")
        found = []
        for rule, target in self._rule_targets(events):
            if "simulacro-missing-" not in target["Arn"] or not self.ours(target["Arn"]):
                continue
            declared = self._declared_target(rule, target["Id"])
            if declared is None:
                found.append(self.leftover("rule target", f"{rule}/{target['Id']}", note="points at a missing queue; "
                                           "the spec does not declare it, so its real ARN is unknown: fix it by hand"))
                continue
            restored = {**target, "Arn": declared}
            found.append(self.leftover("rule target", f"{rule}/{target['Id']}",
                                       lambda rule=rule, restored=restored: events.put_targets(Rule=rule, Targets=[restored]),
                                       note=f"points at {target['Arn']}; put back to {declared}"))
        return found

    def _rule_targets(self, events: Any) -> list[tuple[str, dict[str, Any]]]:
        if self._targets is None:
            self._targets = [(rule["Name"], target) for page in events.get_paginator("list_rules").paginate()
                             for rule in page["Rules"] for target in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]]
        return self._targets

    def _declared_target(self, rule_name: str, target_id: str) -> str | None:
        for rule in self.stack.rules:
            for target in rule.targets if rule.name == rule_name else []:
                if target.id == target_id:
                    kind, name = target.destination
                    return self.names.queue_arn(name) if kind == "queue" else self.names.topic_arn(name)
        return None

    # --- policies -----------------------------------------------------------------------

    def deny_statements(self) -> list[Leftover]:
        sqs, sns = self.client("sqs"), self.client("sns")
        found = []
        for url in sqs.list_queues().get("QueueUrls", []):
            policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {}).get("Policy")
            if _has_deny(policy):
                found.append(self.leftover("queue policy statement", f"{url.rsplit('/', 1)[1]}/{DENY_SID}", lambda url=url, policy=policy:
                                           sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _without_deny(policy)})))
        for page in sns.get_paginator("list_topics").paginate():
            for topic in page["Topics"]:
                arn = topic["TopicArn"]
                policy = sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("Policy")
                if _has_deny(policy):
                    found.append(self.leftover("topic policy statement", f"{arn.rsplit(':', 1)[1]}/{DENY_SID}", lambda arn=arn, policy=policy:
                                               sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                                                        AttributeValue=_without_deny(policy))))
        return found

    # --- SageMaker ----------------------------------------------------------------------

    def endpoints(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        found = []
        for endpoint in self.stack.endpoints:
            try:
                live = sagemaker.describe_endpoint(EndpointName=endpoint.name)
            except ClientError:
                continue
            if not self.ours(live["EndpointConfigName"]):
                continue
            declared = endpoint_config_name(endpoint, endpoint.model)
            found.append(self.leftover("endpoint", endpoint.name, lambda name=endpoint.name, declared=declared:
                                       self._redeploy(name, declared),
                                       note=f"serves {live['EndpointConfigName']}; update back to {declared}"))
        return found

    def _redeploy(self, endpoint: str, config: str) -> None:
        sagemaker = self.client("sagemaker")
        settled = lambda: sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] not in ("Creating", "Updating")  # noqa: E731
        wait_for(settled, within=SETTLE_BUDGET, clock=self.target.clock, what=f"endpoint {endpoint} to settle", poll=30)
        sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=config)
        wait_for(settled, within=SETTLE_BUDGET, clock=self.target.clock, what=f"endpoint {endpoint} back on {config}", poll=30)

    def endpoint_configs(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        configs = [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs(NameContains="simulacro-", MaxResults=100)["EndpointConfigs"]]
        return [self.leftover("endpoint config", name, lambda name=name: sagemaker.delete_endpoint_config(EndpointConfigName=name))
                for name in configs if self.ours(name)]

    def models(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        models = [m["ModelName"] for m in sagemaker.list_models(NameContains="simulacro-", MaxResults=100)["Models"]]
        return [self.leftover("model", name, lambda name=name: sagemaker.delete_model(ModelName=name))
                for name in models if self.ours(name)]

    def model_packages(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        found = []
        for group in self.stack.model_package_groups:
            try:
                summaries = sagemaker.list_model_packages(ModelPackageGroupName=group.name, MaxResults=100)["ModelPackageSummaryList"]
            except ClientError:
                continue
            for summary in summaries:
                arn = summary["ModelPackageArn"]
                run = _run_in(summary.get("ModelPackageDescription", ""))
                if run and (self.run_id is None or run == self.run_id):
                    found.append(self.leftover("model package", arn, lambda arn=arn: sagemaker.delete_model_package(ModelPackageName=arn)))
        return found

    def executions(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        found = []
        for pipeline in self.stack.pipelines:
            try:
                summaries = sagemaker.list_pipeline_executions(PipelineName=pipeline.name, MaxResults=50)["PipelineExecutionSummaries"]
            except ClientError:
                continue
            for summary in summaries:
                if summary.get("PipelineExecutionStatus") == "Executing" and str(summary.get("PipelineExecutionDisplayName", "")).startswith("simulacro-"):
                    arn = summary["PipelineExecutionArn"]
                    found.append(self.leftover("pipeline execution", arn, lambda arn=arn: sagemaker.stop_pipeline_execution(PipelineExecutionArn=arn)))
        return found

    # --- report only ----------------------------------------------------------------------

    def frozen_rules(self) -> list[Leftover]:
        events = self.client("events")
        found = []
        for page in events.get_paginator("list_rules").paginate():
            for rule in page["Rules"]:
                tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", [])}
                if FROZEN_TAG in tags:
                    found.append(self.leftover("frozen promotion rule", rule["Name"], note=f"{FROZEN_TAG}={tags[FROZEN_TAG]!r}; "
                                               "unfreeze it by hand (enable, remove the tag) once you know it was a drill's"))
        return found

    def forced_alarms(self) -> list[Leftover]:
        return [self.leftover("alarm", alarm["AlarmName"], note=f"{alarm['StateValue']} forced by a notification drill; "
                              "CloudWatch puts it back at its next evaluation")
                for region in self.regions
                for page in self.client("cloudwatch", region).get_paginator("describe_alarms").paginate()
                for alarm in page["MetricAlarms"]
                if str(alarm.get("StateReason", "")).startswith(FORCED_REASON) and not alarm["StateReason"].endswith("(restored)")]


def _has_deny(policy: str | None) -> bool:
    return bool(policy) and any(s.get("Sid") == DENY_SID for s in json.loads(policy).get("Statement", []))  # type: ignore[arg-type]


def _without_deny(policy: str) -> str:
    document = json.loads(policy)
    document["Statement"] = [s for s in document.get("Statement", []) if s.get("Sid") != DENY_SID]
    return json.dumps(document)


def _run_in(description: str) -> str | None:
    """Model packages a drill registers say `Simulacro ... drill <run id>: ...` in their description (AWS refuses
    tags on a versioned package, and the description is in the listing, so no call per package is needed)."""
    if not description.startswith("Simulacro"):
        return None
    words = description.split(":", 1)[0].split()
    return words[-1] if words else None
