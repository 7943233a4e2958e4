"""What AWS documents about the metrics our alarms watch (AWS-FACTS §2): unit, resolution, and the value range
of one request's sample. Pure data: the inventory checks alarm definitions against it, the emulator publishes by it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricFacts:
    unit: str
    resolution: int = 60  # seconds: AWS services publish standard-resolution (1-minute) metrics
    per_request_range: tuple[float, float] | None = None  # the range of one sample, e.g. (0, 1) for an error flag
    kind: str = "count"  # "count", "latency", "duration", "distance"


_ENDPOINT = {
    "Invocations": MetricFacts("None", per_request_range=(1, 1)),
    "Invocation4XXErrors": MetricFacts("None", per_request_range=(0, 1), kind="error"),
    "Invocation5XXErrors": MetricFacts("None", per_request_range=(0, 1), kind="error"),
    "InvocationModelErrors": MetricFacts("None", per_request_range=(0, 1), kind="error"),
    "ModelLatency": MetricFacts("Microseconds", kind="latency"),
    "OverheadLatency": MetricFacts("Microseconds", kind="latency"),
}
_PIPELINE = {
    **{
        name: MetricFacts("Count", kind="error" if name.endswith("Failed") else "count")
        for name in (
            "ExecutionStarted",
            "ExecutionFailed",
            "ExecutionSucceeded",
            "ExecutionStopped",
            "StepStarted",
            "StepFailed",
            "StepSucceeded",
            "StepStopped",
        )
    },
    "ExecutionDuration": MetricFacts("Milliseconds", kind="duration"),
    "StepDuration": MetricFacts("Milliseconds", kind="duration"),
}
DOCUMENTED: dict[str, dict[str, MetricFacts]] = {
    "AWS/SageMaker": _ENDPOINT,
    "AWS/Sagemaker/ModelBuildingPipeline": _PIPELINE,
    "AWS/Billing": {"EstimatedCharges": MetricFacts("None", resolution=21600)},
}
# Which spec resource kind each well-known dimension names.
DIMENSION_KINDS = {
    "EndpointName": "endpoints",
    "Endpoint": "endpoints",
    "PipelineName": "pipelines",
    "MonitoringSchedule": "monitoring_schedules",
    "RuleName": "rules",
}


def facts(namespace: str, name: str) -> MetricFacts | None:
    """The documented facts of a metric, or None when AWS documents none we know of (custom metrics)."""
    if namespace == "aws/sagemaker/Endpoints/data-metrics":
        return (
            MetricFacts("None", resolution=3600, kind="distance")
            if name.startswith("feature_baseline_drift_")
            else None
        )
    return DOCUMENTED.get(namespace, {}).get(name)
