"""A smoke test: a few real InvokeEndpoint calls with the spec's known-good request, and what CloudWatch
says of the endpoint's last minutes (5xx rate, P95 model latency), which is what a regression shows in."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .core import Runbook, StepFailed

if TYPE_CHECKING:
    from simulacro.spec.model import Endpoint

SMOKE_REQUESTS = 5
RECENT_MINUTES = 5
# After a change, the metrics are read over fresh traffic only: this much of it, served after the change.
AFTER_CHANGE_SECONDS = 120


def smoke_endpoint(runbook: Runbook, endpoint: Endpoint, *, after_change: bool = False) -> dict[str, Any]:
    """Smoke requests, and the endpoint's recent metrics: the last minutes, or (after a change) only what
    was served after it, waiting for that traffic first."""
    if not endpoint.smoke_payload:
        raise StepFailed(f"the spec declares no smoke_payload for endpoint {endpoint.name}")
    if after_change:
        changed = runbook.target.clock.now()
        runbook.target.clock.sleep(AFTER_CHANGE_SECONDS)
        window = (changed, runbook.target.clock.now())
    else:
        end = runbook.target.clock.now()
        window = (end - timedelta(minutes=RECENT_MINUTES), end)
    result = _invoke(runbook.client("sagemaker-runtime"), endpoint.name, endpoint.smoke_payload)
    result.update(_metrics(runbook, endpoint, *window))
    return result


def _invoke(runtime: Any, endpoint: str, payload: str) -> dict[str, Any]:
    answers, errors = 0, []
    for _ in range(SMOKE_REQUESTS):
        try:
            runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=payload.encode())
            answers += 1
        except Exception as error:  # noqa: BLE001 - a failing request is the result being measured
            errors.append(f"{type(error).__name__}: {str(error)[:160]}")
    return {
        "endpoint": endpoint,
        "requests": SMOKE_REQUESTS,
        "ok": answers,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "passed": answers == SMOKE_REQUESTS,
    }


def _metrics(runbook: Runbook, endpoint: Endpoint, start: Any, end: Any) -> dict[str, Any]:
    cloudwatch = runbook.client("cloudwatch")
    seconds = max(60, int((end - start).total_seconds()) // 60 * 60)
    common = {
        "Namespace": "AWS/SageMaker",
        "StartTime": start,
        "EndTime": end,
        "Period": seconds,
        "Dimensions": [
            {"Name": "EndpointName", "Value": endpoint.name},
            {"Name": "VariantName", "Value": endpoint.variant},
        ],
    }
    errors = cloudwatch.get_metric_statistics(MetricName="Invocation5XXErrors", Statistics=["Average"], **common)[
        "Datapoints"
    ]
    latency = cloudwatch.get_metric_statistics(MetricName="ModelLatency", ExtendedStatistics=["p95"], **common)[
        "Datapoints"
    ]
    return {
        "metrics_window": f"{start:%H:%M:%S}-{end:%H:%M:%S} UTC",
        "5xx_rate": round(errors[-1]["Average"], 4) if errors else None,
        "p95_model_latency_ms": round(latency[-1]["ExtendedStatistics"]["p95"] / 1000, 1) if latency else None,
    }
