"""SageMaker monitoring schedules, which moto does not have at all (every call answers 500).

A schedule is `Pending` when created and `Scheduled` a few seconds later; `StopMonitoringSchedule`
and `StartMonitoringSchedule` switch it between `Stopped` and `Scheduled`. Executions (the
monitoring runs themselves) are added by `MonitoringRuns` (`monitoring_runs.py`), which hears of
every schedule that becomes `Scheduled` through `on_scheduled`.

`ScheduleExpression` is `cron(...)` or `NOW` (a one-off analysis); `NOW` requires
`DataAnalysisStartTime` and `DataAnalysisEndTime`, ISO 8601 offsets from the run such as `-PT1H`
and `-PT0H`, no more than 24 hours apart (botocore's `ScheduleConfig`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from simulacro.target.clock import SchedulingClock

from .errors import AwsError, validation
from .overlay import Call, Overlay

SCHEDULING_DELAY_SECONDS = 5
MAX_ANALYSIS_WINDOW_SECONDS = 24 * 3600
_OFFSET = re.compile(r"^(?P<sign>[-+]?)P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")


@dataclass
class Schedule:
    account: str
    region: str
    name: str
    config: dict[str, Any]
    monitoring_type: str
    created: datetime
    modified: datetime
    tags: list[dict[str, str]]
    status: str = "Pending"
    failure_reason: str | None = None
    executions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account}:monitoring-schedule/{self.name.lower()}"

    @property
    def endpoint_name(self) -> str | None:
        inputs = (self.config.get("MonitoringJobDefinition") or {}).get("MonitoringInputs") or []
        for item in inputs:
            if "EndpointInput" in item:
                return item["EndpointInput"]["EndpointName"]
        return None

    def summary(self) -> dict[str, Any]:
        summary = {
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleArn": self.arn,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified,
            "MonitoringScheduleStatus": self.status,
            "MonitoringType": self.monitoring_type,
        }
        if self.endpoint_name:
            summary["EndpointName"] = self.endpoint_name
        return summary

    def description(self) -> dict[str, Any]:
        described = {**self.summary(), "MonitoringScheduleConfig": copy.deepcopy(self.config)}
        if self.failure_reason:
            described["FailureReason"] = self.failure_reason
        if self.executions:
            described["LastMonitoringExecutionSummary"] = self.executions[-1]
        return described


class MonitoringSchedules:
    def __init__(self, clock: SchedulingClock):
        self.clock = clock
        self.schedules: dict[tuple[str, str, str], Schedule] = {}
        self.on_scheduled: list[Callable[[Schedule], None]] = []  # told each time a schedule becomes Scheduled

    def install(self, overlay: Overlay) -> None:
        for operation in ("Create", "Describe", "Update", "Delete", "Stop", "Start"):
            overlay.handle("sagemaker", f"{operation}MonitoringSchedule", getattr(self, f"_{operation.lower()}"))
        overlay.handle("sagemaker", "ListMonitoringSchedules", self._list)
        overlay.handle("sagemaker", "ListMonitoringExecutions", self._list_executions)

    def find(self, account: str, region: str, name: str) -> Schedule:
        schedule = self.schedules.get((account, region, name))
        if schedule is None:
            raise AwsError("ResourceNotFound", f"Could not find monitoring schedule with name {name}")
        return schedule

    def _create(self, call: Call) -> dict[str, Any]:
        name = call.params["MonitoringScheduleName"]
        key = (call.account, call.region, name)
        if key in self.schedules:
            raise AwsError("ResourceInUse", f"Monitoring schedule {name} already exists")
        config = call.params["MonitoringScheduleConfig"]
        _check_config(config)
        now = self.clock.now()
        schedule = Schedule(
            call.account,
            call.region,
            name,
            config,
            config.get("MonitoringType", "DataQuality"),
            now,
            now,
            call.params.get("Tags") or [],
        )
        self.schedules[key] = schedule
        self._schedule_soon(schedule)
        return {"MonitoringScheduleArn": schedule.arn}

    def _describe(self, call: Call) -> dict[str, Any]:
        return self.find(call.account, call.region, call.params["MonitoringScheduleName"]).description()

    def _update(self, call: Call) -> dict[str, Any]:
        schedule = self.find(call.account, call.region, call.params["MonitoringScheduleName"])
        _check_config(call.params["MonitoringScheduleConfig"])
        schedule.config = call.params["MonitoringScheduleConfig"]
        schedule.modified = self.clock.now()
        if schedule.status != "Stopped":
            schedule.status = "Pending"
            self._schedule_soon(schedule)
        return {"MonitoringScheduleArn": schedule.arn}

    def _delete(self, call: Call) -> None:
        schedule = self.find(call.account, call.region, call.params["MonitoringScheduleName"])
        del self.schedules[(schedule.account, schedule.region, schedule.name)]

    def _stop(self, call: Call) -> None:
        schedule = self.find(call.account, call.region, call.params["MonitoringScheduleName"])
        schedule.status, schedule.modified = "Stopped", self.clock.now()

    def _start(self, call: Call) -> None:
        schedule = self.find(call.account, call.region, call.params["MonitoringScheduleName"])
        if schedule.status == "Stopped":
            schedule.status, schedule.modified = "Scheduled", self.clock.now()
            self._scheduled(schedule)

    def _list(self, call: Call) -> dict[str, Any]:
        params = call.params
        found = [
            s.summary()
            for (account, region, _), s in sorted(self.schedules.items())
            if account == call.account
            and region == call.region
            and (not params.get("EndpointName") or s.endpoint_name == params["EndpointName"])
            and (not params.get("NameContains") or params["NameContains"] in s.name)
            and (not params.get("StatusEquals") or s.status == params["StatusEquals"])
        ]
        return {"MonitoringScheduleSummaries": found}

    def _list_executions(self, call: Call) -> dict[str, Any]:
        params = call.params
        executions = [
            execution
            for (account, region, name), schedule in self.schedules.items()
            if account == call.account
            and region == call.region
            and (not params.get("MonitoringScheduleName") or name == params["MonitoringScheduleName"])
            and (not params.get("EndpointName") or schedule.endpoint_name == params["EndpointName"])
            for execution in schedule.executions
            if not params.get("StatusEquals") or execution["MonitoringExecutionStatus"] == params["StatusEquals"]
        ]
        newest_first = params.get("SortOrder", "Descending") == "Descending"
        executions.sort(key=lambda e: e["ScheduledTime"], reverse=newest_first)
        return {"MonitoringExecutionSummaries": executions[: int(params.get("MaxResults") or 10)]}

    def _schedule_soon(self, schedule: Schedule) -> None:
        def scheduled() -> None:
            if (
                schedule.status == "Pending"
                and self.schedules.get((schedule.account, schedule.region, schedule.name)) is schedule
            ):
                schedule.status = "Scheduled"
                self._scheduled(schedule)

        self.clock.call_later(SCHEDULING_DELAY_SECONDS, scheduled)

    def _scheduled(self, schedule: Schedule) -> None:
        for listener in self.on_scheduled:
            listener(schedule)


def analysis_offsets(config: dict[str, Any]) -> tuple[float, float] | None:
    """(start, end) offsets in seconds from the run of `ScheduleConfig`'s data analysis window, if it sets one."""
    schedule_config = config.get("ScheduleConfig") or {}
    start, end = schedule_config.get("DataAnalysisStartTime"), schedule_config.get("DataAnalysisEndTime")
    if start is None or end is None:
        return None
    return parse_offset(start), parse_offset(end)


def parse_offset(text: str) -> float:
    """Seconds of an ISO 8601 duration offset such as `-PT1H`, `-PT30M`, `-P1D` (negative: before the run)."""
    match = _OFFSET.match(text.strip())
    if not match or not any(match.group(unit) for unit in "dhms"):
        raise validation(f"Invalid ISO 8601 duration {text!r}: expected an offset such as -PT1H or -PT0H")
    seconds = sum(int(match.group(unit) or 0) * size for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)))
    return -float(seconds) if match.group("sign") == "-" else float(seconds)


def _check_config(config: dict[str, Any]) -> None:
    expression = (config.get("ScheduleConfig") or {}).get("ScheduleExpression")
    if not expression:
        raise validation("MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression is required")
    if not (expression == "NOW" or expression.startswith("cron(") and expression.endswith(")")):
        raise validation(f"Invalid ScheduleExpression {expression!r}: expected cron(...) or NOW")
    if "MonitoringJobDefinition" not in config and "MonitoringJobDefinitionName" not in config:
        raise validation("MonitoringScheduleConfig needs a MonitoringJobDefinition or a MonitoringJobDefinitionName")
    _check_window(config, expression)


def _check_window(config: dict[str, Any], expression: str) -> None:
    schedule_config = config["ScheduleConfig"]
    given = [key for key in ("DataAnalysisStartTime", "DataAnalysisEndTime") if schedule_config.get(key) is not None]
    if expression == "NOW" and len(given) < 2:
        raise validation(
            "ScheduleExpression NOW (a one-off analysis) requires both DataAnalysisStartTime and "
            "DataAnalysisEndTime, e.g. -PT1H and -PT0H"
        )
    if len(given) == 1:
        raise validation(f"{given[0]} is set without its pair: set both DataAnalysisStartTime and DataAnalysisEndTime")
    offsets = analysis_offsets(config)
    if offsets is None:
        return
    start, end = offsets
    if start >= end:
        raise validation(
            f"DataAnalysisStartTime {schedule_config['DataAnalysisStartTime']} must precede "
            f"DataAnalysisEndTime {schedule_config['DataAnalysisEndTime']}"
        )
    if end - start > MAX_ANALYSIS_WINDOW_SECONDS:
        raise validation("DataAnalysisStartTime must not precede DataAnalysisEndTime by more than 24 hours")
