"""Waiting for a deployment to end: the endpoint leaves Creating/Updating/RollingBack (on the target's clock)."""

from __future__ import annotations

from typing import Any

from simulacro.target.clock import Clock
from simulacro.target.waits import wait_for

from .deployments import IN_PROGRESS

SETTLE_BUDGET = 3600


def settled(sagemaker: Any, clock: Clock, endpoint_name: str, *, within: float = SETTLE_BUDGET) -> dict[str, Any]:
    """Wait on `clock` until the endpoint's deployment has ended (InService, Failed, ...); returns DescribeEndpoint."""

    def ended() -> dict[str, Any] | None:
        described = sagemaker.describe_endpoint(EndpointName=endpoint_name)
        return None if described["EndpointStatus"] in IN_PROGRESS else described

    return wait_for(ended, within=within, clock=clock, poll=30, what=f"endpoint {endpoint_name} to settle")
