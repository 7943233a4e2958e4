"""Parallel runs on real AWS: drills that touch the same resource never run at the same time.

Each drill's resources come from its parameters (the endpoint, alarm, rule, pipeline or schedule it
is given), widened to what they are tied to (an endpoint and the alarms that watch it, a rule and the
resources its pattern names). Drills that share a resource, directly or through others, form one
`xdist_group`; with `-n <workers> --dist loadgroup` each group runs in one worker, in order. A drill
that changes things without a resource parameter (it loops over the spec) is tied to everything in its
environments. Read-only drills get no group and spread freely.

Locally none of this is needed: each xdist worker is a separate process with its own local AWS.
"""

from __future__ import annotations

from typing import Any, Iterable

from simulacro.spec import Stack
from simulacro.spec.model import Alarm, Endpoint, MonitoringSchedule, Pipeline, Rule

CHANGING_FIXTURES = ("faults", "traffic", "expect")


def resource_groups(items: Iterable[Any], stack: Stack, environments: list[str]) -> dict[str, str]:
    """nodeid -> group name, for every drill that changes something."""
    links = _UnionFind()
    touched: dict[str, set[str]] = {}
    for item in items:
        if not _changes_things(item):
            continue
        resources = resources_of(item, stack, environments)
        touched[item.nodeid] = resources
        links.join(*resources)
    for resource in list(links.parent):
        links.join(resource, *_ties(resource, stack))
    return {nodeid: links.name(next(iter(resources))) for nodeid, resources in touched.items() if resources}


def resources_of(item: Any, stack: Stack, environments: list[str]) -> set[str]:
    params = getattr(getattr(item, "callspec", None), "params", {})
    found = {key for value in params.values() for key in _keys(value)}
    return found or {f"{env}:*" for env in environments}


def _changes_things(item: Any) -> bool:
    return any(name in getattr(item, "fixturenames", ()) for name in CHANGING_FIXTURES)


def _keys(value: Any) -> set[str]:
    if isinstance(value, Alarm):
        return {f"{value.environment}:alarm:{value.name}"}
    if isinstance(value, Endpoint):
        return {f"{value.environment}:endpoint:{value.name}"}
    if isinstance(value, Pipeline):
        return {f"{value.environment}:pipeline:{value.name}"}
    if isinstance(value, Rule):
        return {f"{value.environment}:rule:{value.name}"}
    if isinstance(value, MonitoringSchedule):
        return {f"{value.environment}:endpoint:{value.endpoint}"}
    return set()


def _ties(resource: str, stack: Stack) -> set[str]:
    """What a resource is bound up with: an alarm and what it watches, a rule and what its pattern names and
    the queues it delivers to, an endpoint or pipeline and the alarms watching it; `<env>:*` and everything."""
    environment, _, rest = resource.partition(":")
    kind, _, name = rest.partition(":")
    named = {
        f"{environment}:{k}:{item.name}": item
        for k, items in _kinds(stack).items()
        for item in items
        if item.environment == environment
    }
    alarms = {f"{environment}:alarm:{a.name}": a for a in stack.alarms if a.environment == environment}
    if kind == "*":
        return set(named) | set(alarms)
    if kind == "alarm" and resource in alarms:
        watched = {v for ref in alarms[resource].metric_refs for v in ref.dimensions.values()}
        return {key for key, item in named.items() if item.name in watched}
    if kind == "rule" and resource in named:
        rule = named[resource]
        queues = {
            f"{environment}:queue:{q}" for t in rule.targets for q in (t.queue, t.topic, t.dead_letter_queue) if q
        }
        return {key for key, item in named.items() if rule.mentions(item.name)} | queues
    return {
        key
        for key, alarm in alarms.items()
        if name in {v for ref in alarm.metric_refs for v in ref.dimensions.values()}
    }


def _kinds(stack: Stack) -> dict[str, list[Any]]:
    return {
        "endpoint": stack.endpoints,
        "pipeline": stack.pipelines,
        "rule": stack.rules,
        "group": stack.model_package_groups,
    }


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, *keys: str) -> None:
        roots = sorted({self.find(k) for k in keys})
        for root in roots[1:]:
            self.parent[root] = roots[0]

    def name(self, key: str) -> str:
        root = self.find(key)
        members = sorted(k for k in self.parent if self.find(k) == root and not k.endswith(":*"))
        return "simulacro-" + (members[0] if members else root).replace(":", "-")
