"""Checks about where each resource lives: what AWS only offers in one region, and what must share one.

- Billing metrics (`AWS/Billing`, e.g. `EstimatedCharges`) are published only in us-east-1: an alarm on
  them anywhere else never receives a datapoint and stays INSUFFICIENT_DATA for ever, paging nobody.
- CloudWatch runs an alarm's actions only on topics in the alarm's own region, EventBridge delivers
  to an SNS topic only in the rule's region, and SageMaker reads a guardrail's rollback alarms in the
  endpoint's region: a reference across regions is dead on arrival.

Rules and the other resources live in the stack's region; alarms and topics may declare their own.
"""

from __future__ import annotations

from typing import Iterator

from .model import Alarm, Stack

BILLING_NAMESPACE = "AWS/Billing"
BILLING_REGION = "us-east-1"
ACTION_STATES = ("alarm", "ok", "insufficient_data")

Found = tuple[str, str]  # (path inside the spec, what is wrong and how to fix it)


def region_problems(stack: Stack) -> Iterator[Found]:
    for index, alarm in enumerate(stack.alarms):
        yield from _alarm_region(stack, index, alarm)
    yield from _rule_topics(stack)
    yield from _rollback_alarms(stack)


def is_billing_alarm(alarm: Alarm) -> bool:
    return any(ref.namespace == BILLING_NAMESPACE for ref in alarm.metric_refs)


def _alarm_region(stack: Stack, index: int, alarm: Alarm) -> Iterator[Found]:
    region = stack.region_of(alarm)
    billing = is_billing_alarm(alarm)
    if billing and region != BILLING_REGION:
        topics = sorted({t for state in ACTION_STATES for t in getattr(alarm.actions, state)})
        and_topics = f" and to the topics its actions name ({', '.join(topics)})" if topics else ""
        yield (
            f"alarms[{index}].region",
            f"{BILLING_NAMESPACE} alarm {alarm.name!r} is in {region}, but AWS publishes billing metrics only in "
            f"{BILLING_REGION}: in {region} it would stay INSUFFICIENT_DATA for ever and never page. "
            f"Fix: add `region: {BILLING_REGION}` to the alarm{and_topics}",
        )
        return
    for state in ACTION_STATES:
        for t_index, name in enumerate(getattr(alarm.actions, state)):
            topic = stack.topic_in(alarm.environment, name)
            if topic is None:
                continue  # an unknown topic is reported by the reference checks
            topic_region = stack.region_of(topic)
            if topic_region != region:
                yield (
                    f"alarms[{index}].actions.{state}[{t_index}]",
                    _cross_region_action(stack, alarm, name, topic_region, billing),
                )


def _cross_region_action(stack: Stack, alarm: Alarm, topic: str, topic_region: str, billing: bool) -> str:
    region = stack.region_of(alarm)
    where = f"topics[{_topic_index(stack, alarm.environment, topic)}]"
    if billing:
        return (
            f"topic {topic!r} is in {topic_region}, but it is an action of {BILLING_NAMESPACE} alarm {alarm.name!r}, "
            f"which lives in {BILLING_REGION} (billing metrics exist only there), and CloudWatch runs alarm actions "
            f"only on topics in the alarm's own region: the page would never be sent. "
            f"Fix: add `region: {BILLING_REGION}` to topic {topic!r} ({where})"
        )
    return (
        f"topic {topic!r} is in {topic_region}, but alarm {alarm.name!r} is in {region}, and CloudWatch runs alarm "
        f"actions only on topics in the alarm's own region: the page would never be sent. "
        f"Fix: declare the topic ({where}) and the alarm in the same region (`region: {region}` on the topic, "
        f"or `region: {topic_region}` on the alarm)"
    )


def _rule_topics(stack: Stack) -> Iterator[Found]:
    for index, rule in enumerate(stack.rules):
        for t_index, target in enumerate(rule.targets):
            kind, name = target.destination
            topic = stack.topic_in(rule.environment, name) if kind == "topic" else None
            if topic is not None and stack.region_of(topic) != stack.region:
                yield (
                    f"rules[{index}].targets[{t_index}].topic",
                    f"topic {name!r} is in {stack.region_of(topic)}, but rule {rule.name!r} is in {stack.region} "
                    f"(rules live in the stack's region), and EventBridge delivers to an SNS topic only in the "
                    f"rule's region. Fix: target a topic in {stack.region}",
                )


def _rollback_alarms(stack: Stack) -> Iterator[Found]:
    """SageMaker watches a deployment guardrail's rollback alarms in the endpoint's region (the stack's)."""
    for index, endpoint in enumerate(stack.endpoints):
        config = getattr(endpoint, "deployment_config", None)
        for a_index, name in enumerate(config.rollback_alarms if config is not None else []):
            alarm = next((a for a in stack.alarms if a.environment == endpoint.environment and a.name == name), None)
            if alarm is not None and stack.region_of(alarm) != stack.region:
                yield (
                    f"endpoints[{index}].deployment_config.rollback_alarms[{a_index}]",
                    f"alarm {name!r} is in {stack.region_of(alarm)}, but endpoint {endpoint.name!r} is in {stack.region}, "
                    f"and SageMaker reads a guardrail's rollback alarms in the endpoint's region: it would never roll back. "
                    f"Fix: declare the alarm in {stack.region}",
                )


def _topic_index(stack: Stack, environment: str, name: str) -> int:
    return next(i for i, t in enumerate(stack.topics) if t.environment == environment and t.name == name)
