"""Static compatibility of a candidate's endpoint config with what watches the endpoint today.

Pure: it takes what the live APIs answered (DescribeAlarms, the rules' patterns, DescribeEndpoint's
capture, DescribeMonitoringSchedule, the serving config) and the endpoint config the candidate would
deploy (a CreateEndpointConfig body), and names every alarm, rule, capture setting and monitoring
schedule that would stop watching the endpoint, with the field that breaks it:

- an alarm on the endpoint's `VariantName` dimension watches nothing once the variant is renamed
  (SageMaker publishes per variant: the old series simply stops, and `notBreaching` alarms stay OK);
- a rule whose pattern names the old variant stops matching;
- a monitoring schedule reads the endpoint's data capture: capture off blinds it and its alarms;
- capture moved to another destination, or sampled less, is not what the capture bucket's retention and
  the monitoring were set up for;
- latency and per-instance alarms were set for the serving instance type and count: fewer or other
  instances change what they measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Alarms on these metrics assume the serving fleet: their thresholds were set for its type and size.
FLEET_METRICS = (
    "ModelLatency",
    "OverheadLatency",
    "InvocationsPerInstance",
    "CPUUtilization",
    "MemoryUtilization",
    "GPUUtilization",
    "GPUMemoryUtilization",
    "DiskUtilization",
    "ModelSetupTime",
)


@dataclass(frozen=True)
class Incompatibility:
    subject: str  # "alarm churn-staging-5xx-rate", "monitoring schedule ...", "capture of churn-staging"
    field: str  # the field of the candidate's config that breaks it
    message: str

    def __str__(self) -> str:
        return f"{self.subject} [{self.field}]: {self.message}"


@dataclass
class WatchedToday:
    """What watches the endpoint now, as the live APIs answer."""

    endpoint: str
    serving_config: dict[str, Any]  # DescribeEndpointConfig of the serving config
    capture: dict[str, Any] | None  # DescribeEndpoint's DataCaptureConfig
    alarms: list[dict[str, Any]] = field(default_factory=list)  # DescribeAlarms MetricAlarms of the environment
    rules: dict[str, str] = field(default_factory=dict)  # rule name -> event pattern (JSON text)
    schedules: list[dict[str, Any]] = field(default_factory=list)  # DescribeMonitoringSchedule of each schedule


def incompatibilities(today: WatchedToday, candidate_config: dict[str, Any]) -> list[Incompatibility]:
    """Everything that watches the endpoint today and would not watch it with `candidate_config`."""
    return (
        _variant_names(today, candidate_config)
        + _rules(today, candidate_config)
        + _capture(today, candidate_config)
        + _fleet(today, candidate_config)
    )


def blinded_by_rename(found: list[Incompatibility]) -> list[str]:
    """The alarms a variant rename would blind, by name."""
    return [
        i.subject.removeprefix("alarm ")
        for i in found
        if i.field == "ProductionVariants[0].VariantName" and i.subject.startswith("alarm ")
    ]


def _variant_names(today: WatchedToday, config: dict[str, Any]) -> list[Incompatibility]:
    new = {v["VariantName"] for v in config["ProductionVariants"]}
    found = []
    for alarm in today.alarms:
        for dims in _dimension_sets(alarm):
            old = dims.get("VariantName")
            if dims.get("EndpointName") == today.endpoint and old is not None and old not in new:
                found.append(
                    Incompatibility(
                        f"alarm {alarm['AlarmName']}",
                        "ProductionVariants[0].VariantName",
                        f"watches VariantName={old} of {today.endpoint}; the candidate's variant is named {', '.join(sorted(new))}, "
                        f"so the series it watches would stop and the alarm would watch nothing",
                    )
                )
                break
    return found


def _rules(today: WatchedToday, config: dict[str, Any]) -> list[Incompatibility]:
    old = {v["VariantName"] for v in today.serving_config.get("ProductionVariants", [])}
    new = {v["VariantName"] for v in config["ProductionVariants"]}
    return [
        Incompatibility(
            f"rule {name}",
            "ProductionVariants[0].VariantName",
            f"its pattern names variant {variant} of {today.endpoint}, which the candidate renames to "
            f"{', '.join(sorted(new))}: it would stop matching",
        )
        for name, pattern in sorted(today.rules.items())
        if _mentions(pattern, today.endpoint)
        for variant in sorted(old - new)
        if f'"{variant}"' in pattern
    ]


def _capture(today: WatchedToday, config: dict[str, Any]) -> list[Incompatibility]:
    now, then = today.capture or {}, config.get("DataCaptureConfig") or {}
    capturing_now, capturing_then = bool(now.get("EnableCapture")), bool(then.get("EnableCapture"))
    schedules = [s for s in today.schedules if _schedule_endpoint(s) == today.endpoint]
    found = []
    if capturing_now and not capturing_then:
        for schedule in schedules:
            name = schedule["MonitoringScheduleName"]
            alarms = [
                a["AlarmName"]
                for a in today.alarms
                if any(d.get("MonitoringSchedule") == name for d in _dimension_sets(a))
            ]
            found.append(
                Incompatibility(
                    f"monitoring schedule {name}",
                    "DataCaptureConfig.EnableCapture",
                    f"reads the data captured from {today.endpoint}; the candidate's config captures nothing, so the schedule "
                    f"would analyse nothing" + (f" and alarm {', '.join(alarms)} would go blind" if alarms else ""),
                )
            )
        found.append(
            Incompatibility(
                f"capture of {today.endpoint}",
                "DataCaptureConfig.EnableCapture",
                f"is on today ({now.get('CurrentSamplingPercentage', now.get('InitialSamplingPercentage'))}% to "
                f"{now.get('DestinationS3Uri')}); the candidate's config turns it off",
            )
        )
        return found
    if not capturing_now:
        return found
    if _bucket_prefix(then.get("DestinationS3Uri")) != _bucket_prefix(now.get("DestinationS3Uri")):
        found.append(
            Incompatibility(
                f"capture of {today.endpoint}",
                "DataCaptureConfig.DestinationS3Uri",
                f"goes to {now.get('DestinationS3Uri')} today, where its retention and {_names(schedules) or 'the monitoring'} "
                f"expect it; the candidate's config sends it to {then.get('DestinationS3Uri')}",
            )
        )
    sampled_now = int(now.get("CurrentSamplingPercentage", now.get("InitialSamplingPercentage", 0)))
    sampled_then = int(then.get("InitialSamplingPercentage", 0))
    if sampled_then < sampled_now:
        found.append(
            Incompatibility(
                f"capture of {today.endpoint}",
                "DataCaptureConfig.InitialSamplingPercentage",
                f"samples {sampled_now}% of requests today; the candidate's config samples {sampled_then}%, less than "
                f"{_names(schedules) or 'the monitoring'} was set up with",
            )
        )
    return found


def _fleet(today: WatchedToday, config: dict[str, Any]) -> list[Incompatibility]:
    serving = (today.serving_config.get("ProductionVariants") or [{}])[0]
    candidate = config["ProductionVariants"][0]
    alarms = [
        a["AlarmName"]
        for a in today.alarms
        if any(
            _metric_name(a, dims) in FLEET_METRICS and dims.get("EndpointName") == today.endpoint
            for dims in _dimension_sets(a)
        )
    ]
    if not alarms:
        return []
    found = []
    count_now, count_then = serving.get("InitialInstanceCount"), candidate.get("InitialInstanceCount")
    if count_now is not None and count_then is not None and count_then < count_now:
        found.append(
            Incompatibility(
                f"alarm {', '.join(alarms)}",
                "ProductionVariants[0].InitialInstanceCount",
                f"set for {count_now} instance(s) of {today.endpoint}; the candidate runs {count_then}, so the same traffic "
                f"would load each instance more than the thresholds assume",
            )
        )
    type_now, type_then = serving.get("InstanceType"), candidate.get("InstanceType")
    if type_now and type_then and type_then != type_now and not _larger_of_same_family(type_then, type_now):
        found.append(
            Incompatibility(
                f"alarm {', '.join(alarms)}",
                "ProductionVariants[0].InstanceType",
                f"set for {type_now} instances of {today.endpoint}; the candidate runs {type_then}, which the thresholds "
                f"were not set for (only a larger size of the same family keeps them valid)",
            )
        )
    return found


SIZES = ("medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge")


def _larger_of_same_family(new: str, old: str) -> bool:
    (_, new_family, new_size), (_, old_family, old_size) = (
        (new.split(".", 2) + ["", ""])[:3],
        (old.split(".", 2) + ["", ""])[:3],
    )
    if new_family != old_family or new_size not in SIZES or old_size not in SIZES:
        return False
    return SIZES.index(new_size) >= SIZES.index(old_size)


def _dimension_sets(alarm: dict[str, Any]) -> list[dict[str, str]]:
    sets = []
    if alarm.get("Dimensions") is not None and alarm.get("MetricName"):
        sets.append({d["Name"]: d["Value"] for d in alarm["Dimensions"]} | {"__metric": alarm["MetricName"]})
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric")
        if metric:
            sets.append(
                {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
                | {"__metric": metric.get("MetricName", "")}
            )
    return sets


def _metric_name(alarm: dict[str, Any], dims: dict[str, str]) -> str:
    return dims.get("__metric") or alarm.get("MetricName", "")


def _schedule_endpoint(schedule: dict[str, Any]) -> str | None:
    definition = (schedule.get("MonitoringScheduleConfig") or {}).get("MonitoringJobDefinition") or {}
    inputs = definition.get("MonitoringInputs") or [{}]
    return ((inputs[0] or {}).get("EndpointInput") or {}).get("EndpointName") or schedule.get("EndpointName")


def _bucket_prefix(uri: str | None) -> str:
    return (uri or "").rstrip("/")


def _names(schedules: list[dict[str, Any]]) -> str:
    return ", ".join(f"monitoring schedule {s['MonitoringScheduleName']}" for s in schedules)


def _mentions(pattern: str, name: str) -> bool:
    return f'"{name}"' in pattern or f"/{name}" in pattern
