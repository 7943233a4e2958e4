"""Freezing promotion: the promotion rules that deploy to an endpoint are disabled (and say why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from .core import Runbook, StepFailed

if TYPE_CHECKING:
    from simulacro.spec.model import Pipeline

FROZEN_TAG = "simulacro:frozen-by"


def freeze_promotion(
    runbook: Runbook, endpoint: str | None, reason: str, pipeline: Pipeline | None = None
) -> list[str]:
    """Disable every promotion rule (deploying to `endpoint`, fed by `pipeline`'s model, or all of the environment's);
    returns their names."""
    rules = [
        r
        for r in runbook.stack.rules
        if r.environment == runbook.environment
        and r.purpose == "promotion"
        and (endpoint is None or r.deploys_endpoint == endpoint)
    ]
    if pipeline is not None:
        rules = [r for r in runbook.stack.promotion_rules_fed_by(pipeline) if r in rules]
    if not rules:
        raise StepFailed(
            f"the spec declares no promotion rule{' for ' + endpoint if endpoint else ''} in {runbook.environment}: "
            "there is no promotion path to freeze"
        )
    events = runbook.client("events")
    frozen = []
    for rule in rules:
        try:
            live = events.describe_rule(Name=rule.name)
        except ClientError:
            raise StepFailed(
                f"promotion rule {rule.name} is declared in the spec but missing live: "
                "promotion cannot be frozen (and may be deploying through another path)"
            ) from None
        if live["State"] != "DISABLED":
            events.disable_rule(Name=rule.name)
        events.tag_resource(ResourceARN=live["Arn"], Tags=[{"Key": FROZEN_TAG, "Value": reason[:256]}])
        frozen.append(rule.name)
    return frozen
