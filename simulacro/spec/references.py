"""Checks that need the whole spec: names that must exist, be unique, and live in the same account."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Iterator

from .baselines import Baseline
from .model import RESOURCE_KINDS, Stack
from .regions import region_problems

RUNBOOKS = (
    "endpoint-not-responding",
    "regression-after-promotion",
    "recurring-pipeline-failure",
    "cost-review",
    "drift-review",
)

Found = tuple[str, str]  # (path inside the spec, what is wrong)


def reference_problems(stack: Stack, root: Path) -> Iterator[Found]:
    yield from _duplicates(stack)
    yield from _environments(stack)
    yield from _alarm_references(stack)
    yield from _rule_references(stack)
    yield from _sagemaker_references(stack, root)
    yield from _rollback_alarm_references(stack)
    yield from region_problems(stack)


def _duplicates(stack: Stack) -> Iterator[Found]:
    for kind in RESOURCE_KINDS:
        items = getattr(stack, kind)
        counts = Counter((item.environment, item.name) for item in items)
        for index, item in enumerate(items):
            if counts[(item.environment, item.name)] > 1:
                what = kind[:-1].replace("_", " ")
                yield (
                    f"{kind}[{index}].name",
                    f"duplicate name {item.name!r} in {item.environment}: each {what} of an account needs its own name",
                )
                counts[(item.environment, item.name)] = 0  # report each name once


def _environments(stack: Stack) -> Iterator[Found]:
    declared = set(stack.environments)
    for kind in RESOURCE_KINDS:
        for index, item in enumerate(getattr(stack, kind)):
            if item.environment not in declared:
                yield f"{kind}[{index}].environment", _unknown("environment", item.environment, declared)
    for env_name, env in stack.environments.items():
        for index, runbook in enumerate(env.allow_runbooks):
            if runbook not in RUNBOOKS:
                yield f"environments.{env_name}.allow_runbooks[{index}]", _unknown("runbook", runbook, set(RUNBOOKS))
        alarms = {a.name for a in stack.alarms if a.environment == env_name}
        for index, guard in enumerate(env.guard_alarms):
            if guard not in alarms:
                yield f"environments.{env_name}.guard_alarms[{index}]", _unknown(f"alarm in {env_name}", guard, alarms)


def _alarm_references(stack: Stack) -> Iterator[Found]:
    for index, alarm in enumerate(stack.alarms):
        topics = _names(stack.topics, alarm.environment)
        for state in ("alarm", "ok", "insufficient_data"):
            for t_index, topic in enumerate(getattr(alarm.actions, state)):
                if topic not in topics:
                    yield (
                        f"alarms[{index}].actions.{state}[{t_index}]",
                        _unknown(f"topic in {alarm.environment}", topic, topics),
                    )
        if alarm.runbook not in RUNBOOKS:
            yield f"alarms[{index}].runbook", _unknown("runbook", alarm.runbook, set(RUNBOOKS))
        if alarm.expression is not None:
            yield from _expression_ids(alarm.expression, set(alarm.metrics), f"alarms[{index}].expression")


def _expression_ids(expression: str, ids: set[str], path: str) -> Iterator[Found]:
    import re

    used = {
        token for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression) if token not in {"FILL", "IF", "AND", "OR"}
    }
    for token in sorted(used - ids):
        yield path, f"the expression uses {token!r}, which is not one of the alarm's metrics ({', '.join(sorted(ids))})"


def _rule_references(stack: Stack) -> Iterator[Found]:
    for index, rule in enumerate(stack.rules):
        queues = _names(stack.queues, rule.environment)
        topics = _names(stack.topics, rule.environment)
        for t_index, target in enumerate(rule.targets):
            where = f"rules[{index}].targets[{t_index}]"
            kind, name = target.destination
            known = queues if kind == "queue" else topics
            if name not in known:
                yield f"{where}.{kind}", _unknown(f"{kind} in {rule.environment}", name, known)
            if target.dead_letter_queue is not None and target.dead_letter_queue not in queues:
                yield (
                    f"{where}.dead_letter_queue",
                    _unknown(f"queue in {rule.environment}", target.dead_letter_queue, queues),
                )
        endpoints = _names(stack.endpoints, rule.environment)
        if rule.purpose == "promotion" and rule.deploys_endpoint is None:
            yield (
                f"rules[{index}].deploys_endpoint",
                "a promotion rule names the endpoint its deployer updates (deploys_endpoint)",
            )
        elif rule.deploys_endpoint is not None and rule.deploys_endpoint not in endpoints:
            yield (
                f"rules[{index}].deploys_endpoint",
                _unknown(f"endpoint in {rule.environment}", rule.deploys_endpoint, endpoints),
            )


def _sagemaker_references(stack: Stack, root: Path) -> Iterator[Found]:
    for index, model in enumerate(stack.models):
        if not (root / model.artifact).is_file():
            yield f"models[{index}].artifact", f"no model file at {model.artifact} (relative to {root})"
    for index, endpoint in enumerate(stack.endpoints):
        for kind in ("broken_artifact", "regressed_artifact"):
            artifact = getattr(endpoint.faults, kind) if endpoint.faults else None
            if artifact and not (root / artifact).is_file():
                yield f"endpoints[{index}].faults.{kind}", f"no model file at {artifact} (relative to {root})"
    for index, endpoint in enumerate(stack.endpoints):
        models = _names(stack.models, endpoint.environment)
        if endpoint.model not in models:
            yield f"endpoints[{index}].model", _unknown(f"model in {endpoint.environment}", endpoint.model, models)
        if endpoint.log_group and endpoint.log_group not in _names(stack.log_groups, endpoint.environment):
            yield (
                f"endpoints[{index}].log_group",
                _unknown("log group", endpoint.log_group, _names(stack.log_groups, endpoint.environment)),
            )
    for index, pipeline in enumerate(stack.pipelines):
        if pipeline.fault.parameter not in pipeline.parameters:
            yield (
                f"pipelines[{index}].fault.parameter",
                _unknown("pipeline parameter", pipeline.fault.parameter, set(pipeline.parameters)),
            )
        logs = _names(stack.log_groups, pipeline.environment)
        if pipeline.log_group not in logs:
            yield f"pipelines[{index}].log_group", _unknown("log group", pipeline.log_group, logs)
    for index, schedule in enumerate(stack.monitoring_schedules):
        endpoints = _names(stack.endpoints, schedule.environment)
        if schedule.endpoint not in endpoints:
            yield (
                f"monitoring_schedules[{index}].endpoint",
                _unknown(f"endpoint in {schedule.environment}", schedule.endpoint, endpoints),
            )
        baseline_dir = root / "baselines" / schedule.baseline.model / schedule.baseline.version
        if not (baseline_dir / "manifest.json").is_file():
            yield (
                f"monitoring_schedules[{index}].baseline",
                f"no versioned baseline at {baseline_dir.relative_to(root.parent) if root.parent in baseline_dir.parents else baseline_dir} (expected manifest.json, statistics.json, constraints.json)",
            )
        else:
            for problem in Baseline(
                schedule.baseline.model, schedule.baseline.version, baseline_dir
            ).checksum_problems():
                yield (
                    f"monitoring_schedules[{index}].baseline",
                    f"the baseline {schedule.baseline.model}/{schedule.baseline.version} is unusable: {problem}",
                )


def _rollback_alarm_references(stack: Stack) -> Iterator[Found]:
    """A deployment guardrail's rollback alarms exist in the endpoint's account and watch that endpoint."""
    for index, endpoint in enumerate(stack.endpoints):
        if endpoint.deployment_config is None:
            continue
        alarms = {a.name: a for a in stack.alarms if a.environment == endpoint.environment}
        for a_index, name in enumerate(endpoint.deployment_config.rollback_alarms):
            where = f"endpoints[{index}].deployment_config.rollback_alarms[{a_index}]"
            if name not in alarms:
                yield where, _unknown(f"alarm in {endpoint.environment}", name, set(alarms))
            elif not any(ref.dimensions.get("EndpointName") == endpoint.name for ref in alarms[name].metric_refs):
                yield (
                    where,
                    (
                        f"alarm {name!r} does not watch endpoint {endpoint.name} (no metric with EndpointName="
                        f"{endpoint.name}): it cannot see the new model regress"
                    ),
                )


def _names(items: list[Any], environment: str) -> set[str]:
    return {item.name for item in items if item.environment == environment}


def _unknown(kind: str, name: str, known: set[str]) -> str:
    listing = ", ".join(sorted(known)) or "none declared"
    return f"unknown {kind} {name!r}; expected one of: {listing}"
