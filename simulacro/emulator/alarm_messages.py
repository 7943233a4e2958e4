"""What CloudWatch writes when an alarm changes state: the SNS message, history items, the event detail."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

REGION_DISPLAY_NAMES = {
    "eu-west-1": "EU - Ireland",
    "eu-west-2": "EU - London",
    "eu-central-1": "EU - Frankfurt",
    "us-east-1": "US East - N. Virginia",
    "us-east-2": "US East - Ohio",
    "us-west-2": "US West - Oregon",
}


@dataclass
class AlarmRecord:
    """One alarm as the control plane knows it: its PutMetricAlarm request and its current state."""

    account: str
    region: str
    definition: dict[str, Any]
    configured_at: datetime
    state: str = "INSUFFICIENT_DATA"
    reason: str = "Unchecked: Initial alarm creation"
    reason_data: str = "{}"
    updated_at: datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.definition["AlarmName"]

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{self.name}"

    def actions_for(self, state: str) -> list[str]:
        if not self.definition.get("ActionsEnabled", True):
            return []
        key = {"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA": "InsufficientDataActions"}[state]
        return list(self.definition.get(key) or [])


def region_display_name(region: str) -> str:
    return REGION_DISPLAY_NAMES.get(region, region)


def state_change_time(moment: datetime) -> str:
    """CloudWatch's spelling in notifications: 2026-06-03T17:43:27.123+0000."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def notification(alarm: AlarmRecord, old_state: str, at: datetime) -> tuple[str, str]:
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
        "Trigger": trigger(definition),
    }
    subject = f'{alarm.state}: "{alarm.name}" in {region}'
    return subject[:100], json.dumps(message)


def trigger(definition: dict[str, Any]) -> dict[str, Any]:
    common = {
        "Period": definition.get("Period") or _query_period(definition),
        "EvaluationPeriods": definition["EvaluationPeriods"],
        "DatapointsToAlarm": definition.get("DatapointsToAlarm") or definition["EvaluationPeriods"],
        "ComparisonOperator": definition["ComparisonOperator"],
        "Threshold": definition.get("Threshold"),
        "TreatMissingData": definition.get("TreatMissingData", "missing"),
        "EvaluateLowSampleCountPercentile": definition.get("EvaluateLowSampleCountPercentile", ""),
    }
    if definition.get("Metrics"):
        return {**common, "Metrics": definition["Metrics"]}
    extended = definition.get("ExtendedStatistic")
    return {
        "MetricName": definition["MetricName"],
        "Namespace": definition["Namespace"],
        "StatisticType": "ExtendedStatistic" if extended else "Statistic",
        "Statistic": extended or definition["Statistic"].upper(),
        "Unit": definition.get("Unit"),
        "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in definition.get("Dimensions") or []],
        **common,
    }


def event_metrics(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """`configuration.metrics` of the CloudWatch Alarm State Change event."""
    if definition.get("Metrics"):
        return [_event_query(q) for q in definition["Metrics"]]
    metric = {
        "namespace": definition["Namespace"],
        "name": definition["MetricName"],
        "dimensions": {d["Name"]: d["Value"] for d in definition.get("Dimensions") or []},
    }
    stat = definition.get("ExtendedStatistic") or definition["Statistic"]
    return [{"id": "m1", "metricStat": {"metric": metric, "period": definition["Period"], "stat": stat}, "returnData": True}]


def state_history_item(alarm: AlarmRecord, old_state: str, old_reason: str, at: datetime) -> dict[str, Any]:
    data = {
        "version": "1.0",
        "oldState": {"stateValue": old_state, "stateReason": old_reason},
        "newState": {"stateValue": alarm.state, "stateReason": alarm.reason},
    }
    return _history(alarm, at, "StateUpdate", f"Alarm updated from {old_state} to {alarm.state}", data)


def action_history_item(alarm: AlarmRecord, action: str, at: datetime, error: str | None) -> dict[str, Any]:
    outcome = "Successfully executed" if error is None else "Failed to execute"
    data: dict[str, Any] = {"actionState": "Succeeded" if error is None else "Failed", "notificationResource": action}
    if error:
        data["error"] = error
    return _history(alarm, at, "Action", f"{outcome} action {action}", data)


def configuration_history_item(alarm: AlarmRecord, at: datetime, created: bool) -> dict[str, Any]:
    summary = f"Alarm \"{alarm.name}\" {'created' if created else 'updated'}"
    return _history(alarm, at, "ConfigurationUpdate", summary, {"version": "1.0", "type": "Create" if created else "Update"})


def _history(alarm: AlarmRecord, at: datetime, kind: str, summary: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "AlarmName": alarm.name,
        "AlarmType": "MetricAlarm",
        "Timestamp": at,
        "HistoryItemType": kind,
        "HistorySummary": summary,
        "HistoryData": json.dumps(data),
    }


def _query_period(definition: dict[str, Any]) -> int:
    for query in definition.get("Metrics") or []:
        if "MetricStat" in query:
            return query["MetricStat"]["Period"]
    return 60


def _event_query(query: dict[str, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {"id": query["Id"], "returnData": query.get("ReturnData", True)}
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
    return described
