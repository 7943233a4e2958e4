"""What CloudWatch writes about an alarm: the SNS message, history items, the event details.

Every shape here follows a reference recorded from AWS (tests/conformance/references): the SNS
message of LocalStack's snapshots recorded against real AWS, the event samples of CloudWatch's
"Alarm events and EventBridge" page. Members AWS leaves out when unset are left out here too.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Region names as CloudWatch writes them in the SNS message's `Region` and subject.
REGION_DISPLAY_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "af-south-1": "Africa (Cape Town)",
    "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)",
    "ca-central-1": "Canada (Central)",
    "ca-west-1": "Canada West (Calgary)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-central-2": "EU (Zurich)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "eu-north-1": "EU (Stockholm)",
    "eu-south-1": "EU (Milan)",
    "eu-south-2": "EU (Spain)",
    "il-central-1": "Israel (Tel Aviv)",
    "me-central-1": "Middle East (UAE)",
    "me-south-1": "Middle East (Bahrain)",
    "sa-east-1": "South America (Sao Paulo)",
    "us-gov-east-1": "AWS GovCloud (US-East)",
    "us-gov-west-1": "AWS GovCloud (US-West)",
}
INITIAL_REASON = "Unchecked: Initial alarm creation"


@dataclass
class AlarmRecord:
    """One alarm as the control plane knows it: its Put*Alarm request and its current state.

    `state_since` is when the current state value began (an event's `previousState.timestamp` is the
    old state's); `updated_at` when the state or its reason was last written (StateUpdatedTimestamp).
    """

    account: str
    region: str
    definition: dict[str, Any]
    configured_at: datetime
    state: str = "INSUFFICIENT_DATA"
    reason: str = INITIAL_REASON
    reason_data: str | None = None
    updated_at: datetime | None = None
    state_since: datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    # Why the actions of the current state did not run (a composite's ActionsSuppressor), if they did not.
    suppressed_by: str | None = None
    suppressed_reason: str | None = None
    left_alarm_at: datetime | None = None  # when it last left ALARM (a suppressor's extension period)
    # CloudWatch names a single-metric alarm's metric with a fresh id per configuration.
    metric_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        self.updated_at = self.updated_at or self.configured_at
        self.state_since = self.state_since or self.configured_at

    @property
    def name(self) -> str:
        return self.definition["AlarmName"]

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{self.name}"

    @property
    def is_composite(self) -> bool:
        return "AlarmRule" in self.definition

    @property
    def alarm_type(self) -> str:
        return "CompositeAlarm" if self.is_composite else "MetricAlarm"

    def actions_for(self, state: str) -> list[str]:
        if not self.definition.get("ActionsEnabled", True):
            return []
        key = {"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA": "InsufficientDataActions"}[state]
        return list(self.definition.get(key) or [])


def suppression(alarm: AlarmRecord, *, with_reason: bool = True) -> dict[str, str]:
    """`actionsSuppressedBy` (WaitPeriod, ExtensionPeriod or Alarm) and its reason, when actions are held."""
    if alarm.suppressed_by is None:
        return {}
    fields = {"actionsSuppressedBy": alarm.suppressed_by}
    if with_reason and alarm.suppressed_reason:
        fields["actionsSuppressedReason"] = alarm.suppressed_reason
    return fields


def region_display_name(region: str) -> str:
    return REGION_DISPLAY_NAMES.get(region, region)


def state_change_time(moment: datetime) -> str:
    """CloudWatch's spelling in notifications, events and reason data: 2026-06-03T17:43:27.123+0000."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def notification(
    alarm: AlarmRecord, old_state: str, at: datetime, extra: dict[str, Any] | None = None
) -> tuple[str, str]:
    """(subject, message) of the SNS notification for `alarm` in its new state."""
    region = region_display_name(alarm.region)
    definition = alarm.definition
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": definition.get("AlarmDescription"),
        "AWSAccountId": alarm.account,
        "AlarmConfigurationUpdatedTimestamp": state_change_time(alarm.configured_at),
        "NewStateValue": alarm.state,
        "NewStateReason": alarm.reason,
        "StateChangeTime": state_change_time(at),
        "Region": region,
        "AlarmArn": alarm.arn,
        "OldStateValue": old_state,
        "OKActions": list(definition.get("OKActions") or []),
        "AlarmActions": list(definition.get("AlarmActions") or []),
        "InsufficientDataActions": list(definition.get("InsufficientDataActions") or []),
    }
    if alarm.is_composite:
        message.update(extra or {})
    else:
        message["Trigger"] = trigger(definition)
    subject = f'{alarm.state}: "{alarm.name}" in {region}'
    return subject[:100], json.dumps(message)


def trigger(definition: dict[str, Any]) -> dict[str, Any]:
    """The message's `Trigger`: a percentile alarm names its `ExtendedStatistic`; `DatapointsToAlarm`
    only when the alarm sets it; the threshold as a double (AWS writes 2.0, never 2)."""
    common: dict[str, Any] = {
        "Period": definition.get("Period") or _query_period(definition),
        "EvaluationPeriods": definition["EvaluationPeriods"],
    }
    if definition.get("DatapointsToAlarm") is not None:
        common["DatapointsToAlarm"] = definition["DatapointsToAlarm"]
    common.update(
        {
            "ComparisonOperator": definition["ComparisonOperator"],
            "Threshold": _double(definition.get("Threshold")),
            "TreatMissingData": definition.get("TreatMissingData", "missing"),
            "EvaluateLowSampleCountPercentile": definition.get("EvaluateLowSampleCountPercentile", ""),
        }
    )
    if definition.get("Metrics"):
        return {"Metrics": [_trigger_query(q) for q in definition["Metrics"]], **common}
    extended = definition.get("ExtendedStatistic")
    statistic = (
        {"StatisticType": "ExtendedStatistic", "ExtendedStatistic": extended}
        if extended
        else {"StatisticType": "Statistic", "Statistic": definition["Statistic"].upper()}
    )
    return {
        "MetricName": definition["MetricName"],
        "Namespace": definition["Namespace"],
        **statistic,
        "Unit": definition.get("Unit"),
        "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in definition.get("Dimensions") or []],
        **common,
    }


def event_metrics(definition: dict[str, Any], metric_id: str) -> list[dict[str, Any]]:
    """`configuration.metrics` of the alarm events: a single-metric alarm's metric gets its UUID id."""
    if definition.get("Metrics"):
        return [_event_query(q) for q in definition["Metrics"]]
    metric = {
        "namespace": definition["Namespace"],
        "name": definition["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in definition.get("Dimensions") or []},
    }
    stat = definition.get("ExtendedStatistic") or definition["Statistic"]
    metric_stat: dict[str, Any] = {"metric": metric, "period": definition["Period"], "stat": stat}
    return [{"id": metric_id, "metricStat": metric_stat, "returnData": True}]


def event_configuration(alarm: AlarmRecord) -> dict[str, Any]:
    """`configuration` of a `CloudWatch Alarm State Change` event."""
    definition = alarm.definition
    if alarm.is_composite:
        return {"alarmRule": definition["AlarmRule"], **_suppressor(definition)}
    configuration: dict[str, Any] = {}
    if definition.get("AlarmDescription"):
        configuration["description"] = definition["AlarmDescription"]
    configuration["metrics"] = event_metrics(definition, alarm.metric_id)
    return configuration


def configuration_snapshot(alarm: AlarmRecord) -> dict[str, Any]:
    """`configuration` / `previousConfiguration` of a `CloudWatch Alarm Configuration Change` event."""
    definition = alarm.definition
    snapshot: dict[str, Any] = {}
    if alarm.is_composite:
        snapshot["alarmRule"] = definition["AlarmRule"]
        snapshot.update(_suppressor(definition))
    else:
        snapshot["evaluationPeriods"] = definition["EvaluationPeriods"]
        if definition.get("DatapointsToAlarm") is not None:
            snapshot["datapointsToAlarm"] = definition["DatapointsToAlarm"]
        if "Threshold" in definition:
            snapshot["threshold"] = definition["Threshold"]
        if definition.get("ThresholdMetricId"):
            snapshot["thresholdMetricId"] = definition["ThresholdMetricId"]
        snapshot["comparisonOperator"] = definition["ComparisonOperator"]
        if definition.get("TreatMissingData"):
            snapshot["treatMissingData"] = definition["TreatMissingData"]
        snapshot["metrics"] = event_metrics(definition, alarm.metric_id)
    snapshot["alarmName"] = alarm.name
    if definition.get("AlarmDescription"):
        snapshot["description"] = definition["AlarmDescription"]
    snapshot.update(
        {
            "actionsEnabled": bool(definition.get("ActionsEnabled", True)),
            "timestamp": state_change_time(alarm.configured_at),
            "okActions": list(definition.get("OKActions") or []),
            "alarmActions": list(definition.get("AlarmActions") or []),
            "insufficientDataActions": list(definition.get("InsufficientDataActions") or []),
        }
    )
    return snapshot


def state_history_item(
    alarm: AlarmRecord, old_state: str, old_reason: str, old_reason_data: str | None, at: datetime
) -> dict[str, Any]:
    """A StateUpdate item; each side carries its `stateReasonData` (as an object) when it had one."""
    data = {
        "version": "1.0",
        "oldState": _history_state(old_state, old_reason, old_reason_data),
        "newState": _history_state(alarm.state, alarm.reason, alarm.reason_data),
    }
    return _history(alarm, at, "StateUpdate", f"Alarm updated from {old_state} to {alarm.state}", data)


def action_history_item(alarm: AlarmRecord, action: str, at: datetime, error: str | None) -> dict[str, Any]:
    outcome = "Successfully executed" if error is None else "Failed to execute"
    data: dict[str, Any] = {"actionState": "Succeeded" if error is None else "Failed", "notificationResource": action}
    if error:
        data["error"] = error
    return _history(alarm, at, "Action", f"{outcome} action {action}", data)


def configuration_history_item(alarm: AlarmRecord, at: datetime, created: bool) -> dict[str, Any]:
    summary = f'Alarm "{alarm.name}" {"created" if created else "updated"}'
    return _history(
        alarm, at, "ConfigurationUpdate", summary, {"version": "1.0", "type": "Create" if created else "Update"}
    )


def reason_data_object(reason_data: str | None) -> dict[str, Any] | None:
    """Reason data as an object, or None when there is none worth showing (absent, empty, not JSON)."""
    if not reason_data:
        return None
    try:
        parsed = json.loads(reason_data)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and parsed else None


def _history_state(value: str, reason: str, reason_data: str | None) -> dict[str, Any]:
    state: dict[str, Any] = {"stateValue": value, "stateReason": reason}
    data = reason_data_object(reason_data)
    if data is not None:
        state["stateReasonData"] = data
    return state


def _history(alarm: AlarmRecord, at: datetime, kind: str, summary: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "AlarmName": alarm.name,
        "AlarmType": alarm.alarm_type,
        "Timestamp": at,
        "HistoryItemType": kind,
        "HistorySummary": summary,
        "HistoryData": json.dumps(data),
    }


def _suppressor(definition: dict[str, Any]) -> dict[str, Any]:
    if not definition.get("ActionsSuppressor"):
        return {}
    return {
        "actionsSuppressor": definition["ActionsSuppressor"],
        "actionsSuppressorWaitPeriod": definition.get("ActionsSuppressorWaitPeriod"),
        "actionsSuppressorExtensionPeriod": definition.get("ActionsSuppressorExtensionPeriod"),
    }


def _double(value: Any) -> Any:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _query_period(definition: dict[str, Any]) -> int:
    for query in definition.get("Metrics") or []:
        if "MetricStat" in query:
            return query["MetricStat"]["Period"]
    return 60


def _trigger_query(query: dict[str, Any]) -> dict[str, Any]:
    """One entry of `Trigger.Metrics`: the request's query, dimensions spelled as in `Trigger.Dimensions`."""
    described: dict[str, Any] = {}
    if "Expression" in query:
        described["Expression"] = query["Expression"]
    described["Id"] = query["Id"]
    if "Label" in query:
        described["Label"] = query["Label"]
    if "MetricStat" in query:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        described["MetricStat"] = {
            "Metric": {
                "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in metric.get("Dimensions") or []],
                "MetricName": metric["MetricName"],
                "Namespace": metric["Namespace"],
            },
            "Period": stat["Period"],
            "Stat": stat["Stat"],
            **({"Unit": stat["Unit"]} if stat.get("Unit") else {}),
        }
    described["ReturnData"] = bool(query.get("ReturnData", True))
    return described


def _event_query(query: dict[str, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {"id": query["Id"]}
    if "Expression" in query:
        described["expression"] = query["Expression"]
    if "Label" in query:
        described["label"] = query["Label"]
    if "MetricStat" in query:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        described["metricStat"] = {
            "metric": {
                "namespace": metric["Namespace"],
                "name": metric["MetricName"],
                "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []},
            },
            "period": stat["Period"],
            "stat": stat["Stat"],
        }
    described["returnData"] = bool(query.get("ReturnData", True))
    return described
