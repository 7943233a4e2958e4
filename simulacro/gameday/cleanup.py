"""What a crashed run left behind, found and removed: `python -m simulacro cleanup --run-id ...`.

A run rolls every fault back on success, failure, Ctrl-C and SIGTERM. A run killed outright (SIGKILL,
a lost runner, credentials expiring mid-rollback) cannot, and leaves some of these behind. Each is found
by the run's tag (`simulacro-run=<run id>`, which the target puts on everything a run creates: names are
cut to 63 characters and may lose the id, the tag never does) or, where AWS allows no tag, by the marks
Simulacro puts on it:

- probe queues (tagged), their SNS subscriptions and the rule targets (Id `simulacro-probe`) that
  deliver to them;
- a rule target pointed at a queue that does not exist (`simulacro-missing-<run id>`): put back as the
  spec declares it;
- a `SimulacroDenyRule` statement in a queue or topic policy: removed;
- an endpoint serving a config the run created (tagged): updated back to the spec's config; then the
  configs and models the run created (tagged), and the model packages it registered (a versioned
  package takes no tag: its description names the run);
- pipeline executions the drills started (display name `simulacro-*`, description naming the run) that
  are still running: stopped.

Reported but left alone: a promotion rule a runbook froze (tag `simulacro:frozen-by`: it may be a
real incident's freeze) and an alarm still showing the notification drill's forced state (CloudWatch
puts it back at its next evaluation).

Every list call is paginated. A list call AWS refuses is reported as "could not list", never taken for
"nothing there"; every removal is tried, and each one that fails is reported, the others still run.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from simulacro.errors import AwsProblem, BadInput
from simulacro.provision.naming import Names, endpoint_config_name
from simulacro.spec import Stack
from simulacro.target.pages import every_item
from simulacro.target.run_tags import RUN_TAG
from simulacro.target.waits import wait_for

if TYPE_CHECKING:
    from simulacro.target.targets import Target

PROBE_PREFIX = "simulacro-probe-"
PROBE_TARGET_ID = "simulacro-probe"
DENY_SID = "SimulacroDenyRule"
FROZEN_TAG = "simulacro:frozen-by"
FORCED_REASON = "Simulacro notification drill"
SETTLE_BUDGET = 3600
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
UNLISTED = "could not list"
# What AWS answers when the thing asked about is simply not there (not a refusal).
ABSENT = {
    "ResourceNotFound",
    "ResourceNotFoundException",
    "ValidationException",
    "NotFound",
    "NotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
}
LIST_PROBLEMS = (ClientError, BotoCoreError, AwsProblem)


def check_run_id(run_id: str | None) -> str:
    """A run id as runs make them (1 to 40 letters, digits and dashes), else `BadInput`: an empty or partial id
    would match other runs' leftovers."""
    if run_id is None or not RUN_ID.match(run_id):
        raise BadInput(
            f"--run-id {run_id!r} is not a run id: a run id is 1 to 40 letters, digits and dashes, as printed at "
            "the start and end of every run (for example 20261127101500-3fa2c1); use --all-runs for every run"
        )
    return run_id


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


class CleanupResult(list):  # type: ignore[type-arg]
    """The leftovers found (a list), with the removals that failed and what could not be listed."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: list[tuple[Leftover, str]] = []

    @property
    def unlisted(self) -> list[Leftover]:
        return [f for f in self if f.kind == UNLISTED]

    @property
    def by_hand(self) -> list[Leftover]:
        return [f for f in self if f.remove is None]


def find_leftovers(target: Target, stack: Stack, environment: str, run_id: str | None = None) -> list[Leftover]:
    """Everything a run (`run_id`, or any run when None) left in one environment, in the order to remove it.

    A list call AWS refuses becomes a leftover of kind "could not list", naming the call and AWS's answer."""
    finder = _Finder(target, stack, environment, run_id)
    found: list[Leftover] = []
    for what, find in finder.steps():
        try:
            found += find()
        except LIST_PROBLEMS as problem:
            found.append(
                finder.leftover(
                    UNLISTED,
                    what,
                    note=f"{_said(problem)}; whatever of the run is there stays: "
                    "grant the read (python -m simulacro iam-policy) and run cleanup again",
                )
            )
    return found


def cleanup(
    target: Target, stack: Stack, run_id: str | None, *, dry_run: bool = False, report: Callable[[str], None] = print
) -> CleanupResult:
    """Find and (unless `dry_run`) remove the leftovers in every environment the target reaches; every removal is
    tried, and each failure is reported and kept in `.failed`."""
    if run_id is not None:
        check_run_id(run_id)
    result = CleanupResult()
    for environment in target.environments:
        for leftover in find_leftovers(target, stack, environment, run_id):
            report(("would " if dry_run and leftover.remove else "") + str(leftover))
            result.append(leftover)
            if leftover.remove is None or dry_run:
                continue
            try:
                leftover.remove()
            except Exception as problem:  # noqa: BLE001 - one failed removal never stops the others
                result.failed.append((leftover, _said(problem)))
                report(f"FAILED to remove {leftover.environment}: {leftover.kind} {leftover.name}: {_said(problem)}")
    return result


def _said(problem: BaseException) -> str:
    if isinstance(problem, ClientError):
        error = problem.response.get("Error", {})
        return f"{problem.operation_name} refused: {error.get('Code')}: {error.get('Message')}"
    return f"{type(problem).__name__}: {problem}"


def _absent(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ABSENT


class _Finder:
    def __init__(self, target: Target, stack: Stack, environment: str, run_id: str | None):
        self.target = target
        self.stack = stack.in_environment(environment)
        self.environment = environment
        self.run_id = run_id
        self.names = Names(stack, environment, target.region)
        self.client = lambda service, region=None: target.client(service, environment, region)  # noqa: E731
        # Alarms and topics may live outside the target's region (billing: us-east-1); probes follow them there.
        self.regions = sorted(
            {self.stack.region_of(r, target.region) for r in [*self.stack.alarms, *self.stack.topics]} | {target.region}
        )
        self._targets: list[tuple[str, dict[str, Any]]] | None = None
        self._run_queues: dict[str, str] | None = None

    def steps(self) -> list[tuple[str, Callable[[], list[Leftover]]]]:
        return [
            ("queues (sqs:ListQueues, sqs:ListQueueTags)", self.probe_queues),
            ("rule targets (events:ListRules, events:ListTargetsByRule)", self.probe_targets),
            ("rule targets pointed at missing queues (events:ListTargetsByRule)", self.missing_targets),
            ("queue and topic policies (sqs:GetQueueAttributes, sns:GetTopicAttributes)", self.deny_statements),
            ("endpoints (sagemaker:DescribeEndpoint, sagemaker:ListTags)", self.endpoints),
            ("endpoint configs (sagemaker:ListEndpointConfigs, sagemaker:ListTags)", self.endpoint_configs),
            ("models (sagemaker:ListModels, sagemaker:ListTags)", self.models),
            ("model packages (sagemaker:ListModelPackages)", self.model_packages),
            ("pipeline executions (sagemaker:ListPipelineExecutions)", self.executions),
            ("promotion rules (events:ListTagsForResource)", self.frozen_rules),
            ("alarms (cloudwatch:DescribeAlarms)", self.forced_alarms),
        ]

    def ours(self, tags: dict[str, str]) -> bool:
        """Made by the run (any run when `run_id` is None), by its run tag."""
        run = tags.get(RUN_TAG)
        return run is not None and (self.run_id is None or run == self.run_id)

    def named_for_run(self, name: str) -> bool:
        """Where AWS takes no tag (a rule target's ARN): the mark and the run id in the name."""
        return "simulacro-" in name and (self.run_id is None or self.run_id in name)

    def leftover(self, kind: str, name: str, remove: Callable[[], None] | None = None, note: str = "") -> Leftover:
        return Leftover(self.environment, kind, name, remove, note)

    # --- probes -------------------------------------------------------------------------

    def run_queues(self) -> dict[str, str]:
        """URL -> ARN of every queue that carries the run's tag."""
        if self._run_queues is None:
            sqs = self.client("sqs")
            found = {}
            for url in every_item(sqs, "list_queues", "QueueUrls"):
                try:
                    tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
                except ClientError as error:
                    if _absent(error):
                        continue
                    raise
                if self.ours(tags):
                    found[url] = (
                        f"arn:aws:sqs:{self.target.region}:{self.target.account(self.environment)}:{url.rsplit('/', 1)[1]}"
                    )
            self._run_queues = found
        return self._run_queues

    def probe_queues(self) -> list[Leftover]:
        return [
            self.leftover("probe queue", url.rsplit("/", 1)[1], functools.partial(self._remove_probe, url))
            for url in self.run_queues()
        ]

    def _remove_probe(self, url: str) -> None:
        sqs, events = self.client("sqs"), self.client("events")
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for sns in (self.client("sns", region) for region in self.regions):
            for subscription in every_item(sns, "list_subscriptions", "Subscriptions"):
                if subscription["Endpoint"] == arn and subscription["SubscriptionArn"].startswith("arn:"):
                    sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
        for rule in every_item(events, "list_rule_names_by_target", "RuleNames", TargetArn=arn):
            ids = [t["Id"] for t in every_item(events, "list_targets_by_rule", "Targets", Rule=rule) if t["Arn"] == arn]
            if ids:
                events.remove_targets(Rule=rule, Ids=ids)
        sqs.delete_queue(QueueUrl=url)

    def probe_targets(self) -> list[Leftover]:
        events = self.client("events")
        queues = set(self.run_queues().values())
        found = []
        for rule, target in self._rule_targets(events):
            if target["Id"] == PROBE_TARGET_ID and (
                self.run_id is None or target["Arn"] in queues or self.named_for_run(target["Arn"].rsplit(":", 1)[-1])
            ):
                found.append(
                    self.leftover(
                        "probe target",
                        f"{rule} -> {target['Arn']}",
                        functools.partial(events.remove_targets, Rule=rule, Ids=[PROBE_TARGET_ID]),
                    )
                )
        return found

    def missing_targets(self) -> list[Leftover]:
        events = self.client("events")
        found = []
        for rule, target in self._rule_targets(events):
            name = target["Arn"].rsplit(":", 1)[-1]
            if not name.startswith("simulacro-missing-") or not self.named_for_run(name):
                continue
            declared = self._declared_target(rule, target["Id"])
            if declared is None:
                found.append(
                    self.leftover(
                        "rule target",
                        f"{rule}/{target['Id']}",
                        note="points at a missing queue; "
                        "the spec does not declare it, so its real ARN is unknown: fix it by hand",
                    )
                )
                continue
            restored = {**target, "Arn": declared}
            found.append(
                self.leftover(
                    "rule target",
                    f"{rule}/{target['Id']}",
                    functools.partial(events.put_targets, Rule=rule, Targets=[restored]),
                    note=f"points at {target['Arn']}; put back to {declared}",
                )
            )
        return found

    def _rule_targets(self, events: Any) -> list[tuple[str, dict[str, Any]]]:
        if self._targets is None:
            self._targets = [
                (rule["Name"], target)
                for rule in every_item(events, "list_rules", "Rules")
                for target in every_item(events, "list_targets_by_rule", "Targets", Rule=rule["Name"])
            ]
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
        for url in every_item(sqs, "list_queues", "QueueUrls"):
            policy = (
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {}).get("Policy")
            )
            if _has_deny(policy):
                found.append(
                    self.leftover(
                        "queue policy statement",
                        f"{url.rsplit('/', 1)[1]}/{DENY_SID}",
                        functools.partial(
                            sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": _without_deny(policy)}
                        ),
                    )
                )
        for topic in every_item(sns, "list_topics", "Topics"):
            arn = topic["TopicArn"]
            policy = sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("Policy")
            if _has_deny(policy):
                found.append(
                    self.leftover(
                        "topic policy statement",
                        f"{arn.rsplit(':', 1)[1]}/{DENY_SID}",
                        functools.partial(
                            sns.set_topic_attributes,
                            TopicArn=arn,
                            AttributeName="Policy",
                            AttributeValue=_without_deny(policy),
                        ),
                    )
                )
        return found

    # --- SageMaker ----------------------------------------------------------------------

    def _sagemaker_tags(self, arn: str) -> dict[str, str]:
        sagemaker = self.client("sagemaker")
        try:
            return {t["Key"]: t["Value"] for t in every_item(sagemaker, "list_tags", "Tags", ResourceArn=arn)}
        except ClientError as error:
            if _absent(error):
                return {}
            raise

    def endpoints(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        found = []
        for endpoint in self.stack.endpoints:
            try:
                live = sagemaker.describe_endpoint(EndpointName=endpoint.name)
                config = sagemaker.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
            except ClientError as error:
                if _absent(error):
                    continue
                raise
            if not self.ours(self._sagemaker_tags(config["EndpointConfigArn"])):
                continue
            declared = endpoint_config_name(endpoint, endpoint.model)
            found.append(
                self.leftover(
                    "endpoint",
                    endpoint.name,
                    functools.partial(self._redeploy, endpoint.name, declared),
                    note=f"serves {live['EndpointConfigName']}; update back to {declared}",
                )
            )
        return found

    def _redeploy(self, endpoint: str, config: str) -> None:
        sagemaker = self.client("sagemaker")

        def settled() -> bool:
            return sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] not in ("Creating", "Updating")

        wait_for(settled, within=SETTLE_BUDGET, clock=self.target.clock, what=f"endpoint {endpoint} to settle", poll=30)
        sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=config)
        wait_for(
            settled,
            within=SETTLE_BUDGET,
            clock=self.target.clock,
            what=f"endpoint {endpoint} back on {config}",
            poll=30,
        )

    def endpoint_configs(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        return [
            self.leftover(
                "endpoint config",
                c["EndpointConfigName"],
                functools.partial(sagemaker.delete_endpoint_config, EndpointConfigName=c["EndpointConfigName"]),
            )
            for c in every_item(sagemaker, "list_endpoint_configs", "EndpointConfigs")
            if self.ours(self._sagemaker_tags(c["EndpointConfigArn"]))
        ]

    def models(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        return [
            self.leftover("model", m["ModelName"], functools.partial(sagemaker.delete_model, ModelName=m["ModelName"]))
            for m in every_item(sagemaker, "list_models", "Models")
            if self.ours(self._sagemaker_tags(m["ModelArn"]))
        ]

    def model_packages(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        found = []
        for group in self.stack.model_package_groups:
            try:
                summaries = list(
                    every_item(
                        sagemaker, "list_model_packages", "ModelPackageSummaryList", ModelPackageGroupName=group.name
                    )
                )
            except ClientError as error:
                if _absent(error):
                    continue
                raise
            for summary in summaries:
                arn = summary["ModelPackageArn"]
                run = _run_in(summary.get("ModelPackageDescription", ""))
                if run and (self.run_id is None or run == self.run_id):
                    status = summary.get("ModelApprovalStatus", "")
                    found.append(
                        self.leftover(
                            "model package",
                            arn,
                            functools.partial(self._remove_package, arn),
                            note=status
                            + (": rejected first, so no deployer acts on it" if status == "Approved" else ""),
                        )
                    )
        return found

    def _remove_package(self, arn: str) -> None:
        sagemaker = self.client("sagemaker")
        if sagemaker.describe_model_package(ModelPackageName=arn).get("ModelApprovalStatus") == "Approved":
            sagemaker.update_model_package(
                ModelPackageArn=arn,
                ModelApprovalStatus="Rejected",
                ApprovalDescription="Simulacro cleanup: a drill's package, never deploy",
            )
        sagemaker.delete_model_package(ModelPackageName=arn)

    def executions(self) -> list[Leftover]:
        sagemaker = self.client("sagemaker")
        found = []
        for pipeline in self.stack.pipelines:
            try:
                summaries = list(
                    every_item(
                        sagemaker, "list_pipeline_executions", "PipelineExecutionSummaries", PipelineName=pipeline.name
                    )
                )
            except ClientError as error:
                if _absent(error):
                    continue
                raise
            for summary in summaries:
                if summary.get("PipelineExecutionStatus") == "Executing" and self._drill_execution(summary):
                    arn = summary["PipelineExecutionArn"]
                    found.append(
                        self.leftover(
                            "pipeline execution",
                            arn,
                            functools.partial(sagemaker.stop_pipeline_execution, PipelineExecutionArn=arn),
                        )
                    )
        return found

    def _drill_execution(self, summary: dict[str, Any]) -> bool:
        if not str(summary.get("PipelineExecutionDisplayName", "")).startswith("simulacro-"):
            return False
        run = _run_in(str(summary.get("PipelineExecutionDescription") or ""))
        return self.run_id is None or run is None or run == self.run_id

    # --- report only ----------------------------------------------------------------------

    def frozen_rules(self) -> list[Leftover]:
        events = self.client("events")
        found = []
        for rule in every_item(events, "list_rules", "Rules"):
            tags = {
                t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", [])
            }
            if FROZEN_TAG in tags:
                found.append(
                    self.leftover(
                        "frozen promotion rule",
                        rule["Name"],
                        note=f"{FROZEN_TAG}={tags[FROZEN_TAG]!r}; "
                        "unfreeze it by hand (enable, remove the tag) once you know it was a drill's",
                    )
                )
        return found

    def forced_alarms(self) -> list[Leftover]:
        return [
            self.leftover(
                "alarm",
                alarm["AlarmName"],
                note=f"{alarm['StateValue']} forced by a notification drill; "
                "CloudWatch puts it back at its next evaluation",
            )
            for region in self.regions
            for alarm in every_item(self.client("cloudwatch", region), "describe_alarms", "MetricAlarms")
            if str(alarm.get("StateReason", "")).startswith(FORCED_REASON)
            and not alarm["StateReason"].endswith("(restored)")
        ]


def _has_deny(policy: str | None) -> bool:
    if not policy:
        return False
    return any(s.get("Sid") == DENY_SID for s in json.loads(policy).get("Statement", []))


def _without_deny(policy: str) -> str:
    document = json.loads(policy)
    document["Statement"] = [s for s in document.get("Statement", []) if s.get("Sid") != DENY_SID]
    return json.dumps(document)


def _run_in(description: str) -> str | None:
    """Model packages and executions a drill starts say `Simulacro ... drill <run id>: ...` in their description (AWS
    refuses tags on a versioned package, and the description is in the listing, so no call per package is needed)."""
    if not description.startswith("Simulacro"):
        return None
    words = description.split(":", 1)[0].split()
    return words[-1] if words else None
