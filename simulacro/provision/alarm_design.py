"""What an alarm definition gets wrong by design, whatever the live stack says: checks that need no replay.

- its dimensions name resources of its own environment (a prod alarm copied from staging still watches
  staging), and a step its pipeline has;
- its unit is the metric's documented unit (on AWS a different unit gets no data), and its period is not
  shorter than the metric's resolution;
- its threshold can be crossed at all, given the metric's documented unit and range (latency in
  microseconds; an error metric is 0 or 1 per request, so its Average is a rate between 0 and 1);
- its M of N periods fit in its detection budget.
Pure: the spec in, (field, message) out.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from simulacro.alarms.metric_math import ExpressionError, evaluate_tree, parse_expression
from simulacro.spec.metric_facts import DIMENSION_KINDS, facts
from simulacro.spec.model import Alarm, MetricRef, Stack

GREATER = ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold")
SMALLEST_PLAUSIBLE_LATENCY_US = 1000  # 1 ms: a model latency threshold below it is almost surely in milliseconds


def design_problems(alarm: Alarm, stack: Stack) -> list[tuple[str, str]]:
    return (
        list(_dimensions(alarm, stack))
        + list(_units(alarm))
        + list(_threshold(alarm))
        + list(_budget(alarm))
        + list(_missing_data(alarm))
    )


def _missing_data(alarm: Alarm) -> Iterator[tuple[str, str]]:
    """SageMaker publishes endpoint metrics only for minutes with requests: `breaching` makes an idle endpoint page."""
    if alarm.treat_missing_data == "breaching" and any(ref.namespace == "AWS/SageMaker" for ref in alarm.metric_refs):
        yield (
            "missing-data treatment",
            (
                "breaching, but SageMaker publishes endpoint metrics only for minutes with requests: "
                "an idle endpoint (a quiet night) pages"
            ),
        )


def _dimensions(alarm: Alarm, stack: Stack) -> Iterator[tuple[str, str]]:
    for ref in alarm.metric_refs:
        for key, value in ref.dimensions.items():
            kind = DIMENSION_KINDS.get(key)
            if kind is None:
                continue
            declared = [item for item in getattr(stack, kind) if item.name == value]
            here = [item for item in declared if item.environment == alarm.environment]
            if declared and not here:
                elsewhere = ", ".join(sorted({item.environment for item in declared}))
                yield (
                    "dimensions",
                    (
                        f"{key}={value} names a resource of {elsewhere}, not of {alarm.environment}: "
                        f"the alarm watches another environment's metric and never sees its own"
                    ),
                )
            elif not declared and ref.namespace.startswith(("AWS/", "aws/")):
                yield (
                    "dimensions",
                    f"{key}={value} names no {kind[:-1].replace('_', ' ')} declared in the spec: the metric has no data",
                )
        yield from _step(alarm, ref, stack)
        yield from _variant(alarm, ref, stack)


def _step(alarm: Alarm, ref: MetricRef, stack: Stack) -> Iterator[tuple[str, str]]:
    step, pipeline_name = ref.dimensions.get("StepName"), ref.dimensions.get("PipelineName")
    if step is None or pipeline_name is None:
        return
    pipeline = next(
        (p for p in stack.pipelines if p.name == pipeline_name and p.environment == alarm.environment), None
    )
    if pipeline is not None and step not in {s.name for s in pipeline.steps}:
        steps = ", ".join(s.name for s in pipeline.steps)
        yield (
            "dimensions",
            f"StepName={step} is not a step of pipeline {pipeline_name} (steps: {steps}): the alarm can never fire",
        )


def _variant(alarm: Alarm, ref: MetricRef, stack: Stack) -> Iterator[tuple[str, str]]:
    variant, endpoint_name = ref.dimensions.get("VariantName"), ref.dimensions.get("EndpointName")
    if variant is None or endpoint_name is None:
        return
    endpoint = next(
        (e for e in stack.endpoints if e.name == endpoint_name and e.environment == alarm.environment), None
    )
    if endpoint is not None and variant != endpoint.variant:
        yield (
            "dimensions",
            f"VariantName={variant}, but endpoint {endpoint_name} serves variant {endpoint.variant}: the metric has no data",
        )


def _units(alarm: Alarm) -> Iterator[tuple[str, str]]:
    for ref in alarm.metric_refs:
        documented = facts(ref.namespace, ref.name)
        if documented is None:
            continue
        if alarm.unit is not None and alarm.metric is not None and alarm.unit != documented.unit:
            yield (
                "unit",
                (
                    f"{alarm.unit}, but AWS publishes {ref.namespace}/{ref.name} in {documented.unit}: "
                    "an alarm whose unit differs from the metric's gets no data"
                ),
            )
        if alarm.period < documented.resolution:
            yield (
                "period",
                (
                    f"{alarm.period}s is shorter than the {documented.resolution}s resolution of {ref.name}: "
                    "most periods have no data"
                ),
            )


def _threshold(alarm: Alarm) -> Iterator[tuple[str, str]]:
    if alarm.comparison not in GREATER:
        return
    highest = _highest_value(alarm)
    if highest is not None and (
        alarm.threshold > highest or (alarm.threshold == highest and alarm.comparison == "GreaterThanThreshold")
    ):
        yield (
            "threshold",
            (
                f"{alarm.threshold:g} can never be crossed: the value it compares is at most {highest:g} "
                "(an error metric is 0 or 1 per request; is the threshold a percentage applied to a rate?)"
            ),
        )
    if alarm.metric is not None:
        documented = facts(alarm.metric.namespace, alarm.metric.name)
        if documented and documented.kind == "latency" and 0 < alarm.threshold < SMALLEST_PLAUSIBLE_LATENCY_US:
            yield (
                "threshold",
                (
                    f"{alarm.threshold:g} microseconds ({alarm.threshold / 1000:g} ms): {alarm.metric.name} is published "
                    f"in microseconds; {alarm.threshold:g} ms would be {alarm.threshold * 1000:g}. Healthy traffic pages"
                ),
            )


def _highest_value(alarm: Alarm) -> float | None:
    """The largest value the alarm can compare, when the metric's range bounds it (error rates), else None."""
    if alarm.metric is not None:
        documented = facts(alarm.metric.namespace, alarm.metric.name)
        bounded = (
            documented and documented.per_request_range and alarm.metric.statistic in ("Average", "Maximum", "Minimum")
        )
        return documented.per_request_range[1] if bounded else None  # type: ignore[union-attr,index]
    ranges = {}
    for metric_id, ref in alarm.metrics.items():
        documented = facts(ref.namespace, ref.name)
        if not documented or not documented.per_request_range or ref.statistic != "Sum":
            return None
        ranges[metric_id] = documented.per_request_range[1]
    try:
        tree = parse_expression(alarm.expression or "")
        value = evaluate_tree(tree, {k: np.array([v]) for k, v in ranges.items()}, 1)
    except (ExpressionError, KeyError, ValueError):
        return None
    result = float(np.asarray(value).ravel()[0])
    return result if np.isfinite(result) else None


def _budget(alarm: Alarm) -> Iterator[tuple[str, str]]:
    floor = alarm.m_of_n[0] * alarm.period
    if floor > alarm.detection_budget:
        yield (
            "detection budget",
            (
                f"{alarm.detection_budget:g}s, but {alarm.m_of_n[0]} breaching period(s) of {alarm.period}s "
                f"take at least {floor}s: the alarm can never page within its budget"
            ),
        )
