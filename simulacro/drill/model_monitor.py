"""Model Monitor on the drill side: traffic drawn from the versioned baseline, the analysis windows of a
schedule, and the evidence its runs leave (the execution, `constraint_violations.json` in S3, the
metrics), all read through the target's boto3 clients, so a drill runs unchanged on real AWS.

An hourly monitor analyses, at each run, the requests captured in the hour before it. A drill
therefore waits for the next window to open, sends that window's traffic (in distribution, or drifted
one way on one feature: `simulacro.monitor.payloads`), waits for the run that analyses it and reads
what the run found. Locally an hour costs milliseconds; on real AWS these drills take hours.

    monitor = Monitor(stack, target, schedule, drill_record)
    window = monitor.inject(Scenario(monitor.watched_feature, DriftKind.MEAN_SHIFT))  # one drifted window
    run = monitor.run_for(window)            # CompletedWithViolations: baseline_drift_check on that feature
    monitor.alarm_enters(expect, monitor.drift_alarm, "ALARM", within=...)
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from simulacro.drill.expect import Expect, describe_live
from simulacro.evidence import DrillRecord
from simulacro.monitor import ENDPOINT_NAMESPACE, DriftKind, Scenario, in_distribution, next_run_after, to_csv_rows
from simulacro.spec import Alarm, Stack, format_duration, parse_duration
from simulacro.spec.baselines import baseline, sha256
from simulacro.spec.model import Capture, Endpoint, MonitoringSchedule
from simulacro.target.pages import every_item
from simulacro.target.waits import WaitTimeout, wait_for

if TYPE_CHECKING:
    from simulacro.target.targets import Target

__all__ = ["DriftKind", "Monitor", "MonitoringRun", "Scenario", "Window"]

DRIFT_METRIC_PREFIX = "feature_baseline_drift_"
NON_NULL_METRIC_PREFIX = "feature_non_null_"
WINDOW_SECONDS = 3600  # the analysis window of a schedule without DataAnalysis offsets: the hour before each run
# Requests per analysis window: against the baseline's 4,000 rows the robust drift margin is 1.8 * sqrt(5200/4.8e6)
# = 0.06, so healthy traffic reads as no drift while a one-standard-deviation shift still measures about 0.3.
WINDOW_REQUESTS = 1200
START_DELAY_SECONDS = 20 * 60  # AWS: a scheduled run may start 0-20 minutes after its time
TERMINAL = ("Completed", "CompletedWithViolations", "Failed", "Stopped")


@dataclass(frozen=True)
class Window:
    """The requests captured in [start, end) are analysed by the run scheduled at `end`."""

    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M} UTC"


@dataclass
class MonitoringRun:
    """One monitoring execution and what it reported."""

    execution: dict[str, Any]
    violations: list[dict[str, str]] | None  # None when the run wrote no report (Failed)
    report_uri: str | None

    @property
    def status(self) -> str:
        return self.execution["MonitoringExecutionStatus"]

    @property
    def violated_checks(self) -> list[tuple[str, str]]:
        return [(v["feature_name"], v["constraint_check_type"]) for v in self.violations or []]

    def describe(self) -> str:
        found = (
            "; ".join(
                f"{v['constraint_check_type']} on {v['feature_name']}: {v['description']}"
                for v in self.violations or []
            )
            or "no violation"
        )
        reason = f" ({self.execution['FailureReason']})" if self.execution.get("FailureReason") else ""
        return f"run of {self.execution['ScheduledTime']:%H:%M} ended {self.status}{reason}: {found}"


class Monitor:
    """One monitoring schedule of the spec, its endpoint and baseline, as a drill sees them live."""

    def __init__(self, stack: Stack, target: Target, schedule: MonitoringSchedule, record: DrillRecord):
        self.stack, self.target, self.schedule, self.record = stack, target, schedule, record
        self.environment = schedule.environment
        self.endpoint: Endpoint = stack.endpoint(schedule.endpoint, schedule.environment)
        self.baseline = baseline(schedule.baseline.model, schedule.baseline.version, stack.baselines)
        model = stack.model_of(self.endpoint)
        self.model = json.loads(stack.file(model.artifact).read_text())
        self.sagemaker = target.client("sagemaker", self.environment)
        self.dimensions = {"Endpoint": schedule.endpoint, "MonitoringSchedule": schedule.name}
        self._healthy_run: MonitoringRun | None = None

    # --- what the spec says ------------------------------------------------------------------

    @property
    def drift_alarm(self) -> Alarm:
        """The spec's monitor alarm on this schedule's `feature_baseline_drift_<feature>` metric."""
        alarms = [
            a
            for a in self.stack.alarms
            if a.category == "monitor"
            and a.metric is not None
            and a.environment == self.environment
            and a.metric.name.startswith(DRIFT_METRIC_PREFIX)
            and a.metric.dimensions == self.dimensions
        ]
        if not alarms:
            raise AssertionError(
                f"the spec declares no monitor alarm on {DRIFT_METRIC_PREFIX}<feature> with dimensions "
                f"{self.dimensions}: drift on {self.schedule.endpoint} would page nobody"
            )
        return alarms[0]

    @property
    def watched_feature(self) -> str:
        metric = self.drift_alarm.metric
        assert metric is not None  # drift_alarm is one of the spec's alarms on a metric
        return metric.name[len(DRIFT_METRIC_PREFIX) :]

    @property
    def categorical_features(self) -> list[str]:
        """Features the model still scores when empty (a missing category weighs nothing), so a null there is
        served and captured; a missing number is refused (400) and never reaches the monitor."""
        return [f for f in self.model["features"] if f in self.model.get("categorical", {})]

    def completeness(self, feature: str) -> float:
        return next(f["completeness"] for f in self.baseline.constraints["features"] if f["name"] == feature)

    # --- traffic through an analysis window ----------------------------------------------------

    def next_window(self) -> Window:
        """The window the drill's traffic will have to itself: the one open now if the endpoint has captured nothing
        in it yet, else the next one, waited for."""
        expression = self.live()["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"]
        now = self.target.clock.now()
        window = _window_ending(next_run_after(expression, now), expression)
        if window.start <= now and self._captured_in(window):
            window = _window_ending(next_run_after(expression, window.end), expression)
        if window.start > now:
            self.record.add(now, "note", f"waiting for the next analysis window of {self.schedule.name}: {window}")
            self.target.clock.sleep((window.start - now).total_seconds())
        return window

    def send(self, window: Window, scenario: Scenario | None = None) -> Any:
        """`WINDOW_REQUESTS` requests spread over what is left of `window`, in distribution or drifted by `scenario`."""
        now = self.target.clock.now()
        start = max(now, window.start)
        duration = (window.end - start).total_seconds()
        rows = self.payloads(WINDOW_REQUESTS, scenario, seed=f"{self.schedule.name}/{window.start.isoformat()}")
        served = self.target.traffic(
            self.endpoint.name,
            self.environment,
            requests_per_minute=len(rows) * 60 / duration,
            duration_seconds=duration,
            payloads=rows,
        )
        if getattr(served, "rejection", None):
            raise AssertionError(f"endpoint {self.endpoint.name} refused the drill's traffic: {served.rejection}")
        kind = f"drifted ({scenario.kind.value} on {scenario.feature})" if scenario else "in-distribution"
        self.record.add(
            now,
            "note",
            f"{len(rows)} {kind} requests to {self.endpoint.name} through {window}",
            captured=getattr(served, "captured", None),
        )
        return served

    def inject(self, scenario: Scenario) -> Window:
        """The fault: the next analysis window carries drifted traffic only (`inject`); when it closes the traffic is
        healthy again (`restore`), through the following window. Returns the drifted window."""
        window = self.next_window()
        self.send(window, scenario)
        self.record.add(
            self.target.clock.now(),
            "inject",
            f"drifted traffic: {scenario.kind.value} on {scenario.feature}",
            endpoint=self.endpoint.name,
            window=str(window),
            expected=list(scenario.expected_violation),
        )
        clock = self.target.clock
        clock.sleep(max(0.0, (window.end - clock.now()).total_seconds()))
        self.record.add(
            window.end, "restore", f"drifted traffic to {self.endpoint.name} stopped: healthy from {window.end:%H:%M}"
        )
        self.send(Window(window.end, window.end + timedelta(seconds=WINDOW_SECONDS)))
        return window

    def payloads(self, n: int, scenario: Scenario | None = None, *, seed: str = "") -> list[str]:
        """`n` CSV rows in the model's feature order, drawn from the versioned baseline (drifted by `scenario`);
        the same `seed` draws the same rows."""
        rng = np.random.default_rng(zlib.crc32(f"{seed}/{scenario}".encode()))
        statistics = self.baseline.statistics
        columns = scenario.traffic(statistics, n, rng) if scenario else in_distribution(statistics, n, rng)
        order = [f for f in self.model["features"] if f in columns] + [
            c for c in columns if c not in self.model["features"]
        ]
        return to_csv_rows(columns, order)

    # --- the run that analyses a window --------------------------------------------------------

    def run_for(self, window: Window) -> MonitoringRun:
        """Wait for the run scheduled at the window's end to finish; read its violations from S3."""
        clock = self.target.clock
        if window.end > clock.now():
            clock.sleep((window.end - clock.now()).total_seconds())
        runtime = (
            (self.live()["MonitoringScheduleConfig"].get("MonitoringJobDefinition") or {})
            .get("StoppingCondition", {})
            .get("MaxRuntimeInSeconds", 3600)
        )
        budget = START_DELAY_SECONDS + runtime
        try:
            execution = wait_for(
                lambda: self._finished_execution(window.end),
                within=budget,
                clock=clock,
                poll=120,
                what=f"the monitoring run of {self.schedule.name} for {window}",
            )
        except WaitTimeout:
            self.record.add(clock.now(), "failure", f"no monitoring run of {self.schedule.name} for {window}")
            raise AssertionError(
                f"no monitoring run of schedule {self.schedule.name} analysed the window {window} "
                f"within {format_duration(budget)} of its end. {self.diagnosis()}"
            ) from None
        run = self._read_report(execution)
        self.record.add(
            clock.now(),
            "event",
            f"monitoring run {run.status}: "
            + (
                ", ".join(f"{c} on {f}" for f, c in run.violated_checks)
                or execution.get("FailureReason")
                or "no violation"
            ),
            schedule=self.schedule.name,
            scheduled=str(execution["ScheduledTime"]),
            processing_job=execution.get("ProcessingJobArn"),
            report=run.report_uri,
        )
        return run

    def metric(self, name: str, run: MonitoringRun) -> float | None:
        """The value of metric `name` the run published (None if it published none), put on the timeline."""
        cloudwatch = self.target.client("cloudwatch", self.environment)
        scheduled = run.execution["ScheduledTime"]
        response = cloudwatch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "m",
                    "ReturnData": True,
                    "MetricStat": {
                        "Period": 60,
                        "Stat": "Maximum",
                        "Metric": {
                            "Namespace": ENDPOINT_NAMESPACE,
                            "MetricName": name,
                            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dimensions.items()],
                        },
                    },
                }
            ],
            StartTime=scheduled - timedelta(minutes=30),
            EndTime=self.target.clock.now() + timedelta(minutes=1),
        )
        values = response["MetricDataResults"][0]["Values"]
        value = values[0] if values else None  # newest first
        self.record.add(
            self.target.clock.now(),
            "note",
            f"{name} = {'none' if value is None else f'{value:.4g}'}",
            namespace=ENDPOINT_NAMESPACE,
            dimensions=self.dimensions,
        )
        return value

    def healthy_run(self) -> MonitoringRun:
        """One window of in-distribution traffic, and the run that analyses it; it must find nothing."""
        window = self.next_window()
        self.send(window)
        run = self.run_for(window)
        drawn = f"in-distribution traffic drawn from baseline {self.baseline.model}/{self.baseline.version}"
        if run.status == "Failed":
            raise AssertionError(
                f"the run of {self.schedule.name} over {drawn} failed: {run.execution.get('FailureReason')}. "
                f"{self.diagnosis(run)}"
            )
        if run.status != "Completed" or run.violations:
            raise AssertionError(
                f"{drawn} raised violations in {self.schedule.name}: {run.describe()}. {self.diagnosis(run)}"
            )
        self._healthy_run = run
        return run

    # --- the drift alarm ------------------------------------------------------------------------

    def steady(self, expect: Expect, alarm: Alarm) -> None:
        """The alarm is OK; if it is not (no healthy window judged yet, or a drift not recovered), one healthy window first."""
        if self._healthy_run is None and self._alarm_state(alarm) != "OK":
            self.healthy_run()
        if not self._await_state(alarm, "OK", until=self.target.clock.now() + timedelta(seconds=alarm.recovery_budget)):
            raise self._alarm_failure(
                alarm, "OK", alarm.recovery_budget, when=" of healthy traffic", hint=f" {self.diagnosis()}"
            )
        expect.steady(alarm, within=alarm.recovery_budget)

    def alarm_enters(
        self, expect: Expect, alarm: Alarm, state: str, *, within: Any, since: datetime | None = None
    ) -> float:
        """`expect.alarm(alarm).enters(...)`, waiting at the pace the alarm can change (see `poll_interval`)."""
        budget = parse_duration(within)
        since = since or self._last(expect, "inject" if state == "ALARM" else "restore")
        if not self._await_state(alarm, state, until=since + timedelta(seconds=budget)):
            raise self._alarm_failure(alarm, state, budget)
        return expect.alarm(alarm).enters(state, within=budget, since=since)

    def _alarm_failure(
        self, alarm: Alarm, state: str, budget: float, *, when: str = "", hint: str = ""
    ) -> AssertionError:
        live = self._describe_alarm(alarm)
        now_state = live["StateValue"] if live else "missing"
        self.record.add(self.target.clock.now(), "failure", f"{alarm.name} still {now_state}")
        return AssertionError(
            f"alarm {alarm.name} ({alarm.environment}) did not enter {state} within {format_duration(budget)}"
            f"{when}: it is {now_state}. {describe_live(live, alarm)}{hint}"
        )

    def _await_state(self, alarm: Alarm, state: str, *, until: datetime) -> bool:
        clock = self.target.clock
        within = max(0.0, (until - clock.now()).total_seconds())
        try:
            wait_for(
                lambda: self._alarm_state(alarm) == state,
                within=within,
                clock=clock,
                poll=poll_interval(alarm),
                what=f"alarm {alarm.name} to enter {state}",
            )
        except WaitTimeout:
            return self._alarm_state(alarm) == state
        return True

    def alarm_transitions(self, alarm: Alarm, state: str, *, since: datetime) -> list[str]:
        """The alarm's transitions into `state` after `since` (what happened at that very instant is the previous drill's)."""
        cloudwatch = self.target.client("cloudwatch", alarm.environment)
        items = every_item(
            cloudwatch,
            "describe_alarm_history",
            "AlarmHistoryItems",
            AlarmName=alarm.name,
            HistoryItemType="StateUpdate",
            StartDate=since,
        )
        return [
            f"{i['Timestamp']:%H:%M} {i['HistorySummary']}"
            for i in items
            if f"to {state}" in i["HistorySummary"] and i["Timestamp"] > since
        ]

    def _alarm_state(self, alarm: Alarm) -> str | None:
        live = self._describe_alarm(alarm)
        return live["StateValue"] if live else None

    def _describe_alarm(self, alarm: Alarm) -> dict[str, Any] | None:
        found = self.target.client("cloudwatch", alarm.environment).describe_alarms(AlarmNames=[alarm.name])[
            "MetricAlarms"
        ]
        return found[0] if found else None

    def _last(self, expect: Expect, kind: str) -> datetime:
        moments = [e.at for e in self.record.entries if e.kind == kind]
        return moments[-1] if moments else expect.last_injection()

    # --- what is live, and what is wrong ----------------------------------------------------------

    def live(self) -> dict[str, Any]:
        return self.sagemaker.describe_monitoring_schedule(MonitoringScheduleName=self.schedule.name)

    def diagnosis(self, run: MonitoringRun | None = None) -> str:
        """What an operator checks first when the monitor did not report what it should (`run`: the run at stake)."""
        live = self.live()
        facts = []
        if live["MonitoringScheduleStatus"] != "Scheduled":
            facts.append(
                f"Schedule {self.schedule.name} is {live['MonitoringScheduleStatus']}: no monitoring run will "
                "happen until it is started (StartMonitoringSchedule)."
            )
        capture = capture_config(self.target, self.endpoint)
        if capture.get("CaptureStatus") != "Started":
            facts.append(
                f"Data capture of {self.endpoint.name} is {capture.get('CaptureStatus', 'not configured')}: "
                "the monitor has nothing to analyse."
            )
        elif not capture.get("CurrentSamplingPercentage"):
            facts.append(f"Data capture of {self.endpoint.name} samples 0 % of requests: nothing is captured.")
        facts += self.baseline_problems(live)
        environment = (live["MonitoringScheduleConfig"].get("MonitoringJobDefinition") or {}).get("Environment") or {}
        if str(environment.get("publish_cloudwatch_metrics", "Enabled")).lower() == "disabled":
            facts.append(
                f"Schedule {self.schedule.name} sets publish_cloudwatch_metrics Disabled: its runs publish no metric "
                "for an alarm to judge."
            )
        latest = self.sagemaker.list_monitoring_executions(MonitoringScheduleName=self.schedule.name, MaxResults=1)
        latest = latest["MonitoringExecutionSummaries"][:1]
        if run is None and latest and latest[0].get("FailureReason"):
            facts.append(f"Its latest run failed: {latest[0]['FailureReason']}")
        return " ".join(facts) or (
            f"Schedule {self.schedule.name} is Scheduled, data capture is on and the baseline in S3 "
            "matches its manifest."
        )

    def baseline_problems(self, live: dict[str, Any]) -> list[str]:
        """The baseline files the schedule really reads, against the declared version's manifest."""
        config = (live["MonitoringScheduleConfig"].get("MonitoringJobDefinition") or {}).get("BaselineConfig") or {}
        s3 = self.target.client("s3", self.environment)
        declared = f"{self.baseline.model}/{self.baseline.version}"
        problems = []
        for resource, name in (("StatisticsResource", "statistics.json"), ("ConstraintsResource", "constraints.json")):
            uri = (config.get(resource) or {}).get("S3Uri", "")
            bucket, _, key = uri[len("s3://") :].partition("/")
            try:
                body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except Exception as error:  # noqa: BLE001 - any refusal: the run cannot read it either
                problems.append(f"The schedule's {name} ({uri or 'not set'}) cannot be read: {error}.")
                continue
            expected = self.baseline.manifest["files"][name]
            if sha256(body) != expected:
                problems.append(
                    f"The schedule's {name} at {uri} (sha256 {sha256(body)[:12]}...) is not baseline {declared} "
                    f"(manifest sha256 {expected[:12]}...): the monitor judges traffic against another baseline."
                )
        return problems

    def _captured_in(self, window: Window) -> bool:
        """Whether the endpoint's capture already holds requests of `window`'s hours."""
        destination = (
            capture_config(self.target, self.endpoint).get("DestinationS3Uri")
            or declared_capture(self.endpoint).destination
        )
        bucket, _, prefix = destination[len("s3://") :].partition("/")
        folder = "/".join(p for p in (prefix.strip("/"), self.endpoint.name, self.endpoint.variant) if p)
        s3 = self.target.client("s3", self.environment)
        return any(
            s3.list_objects_v2(Bucket=bucket, Prefix=f"{folder}/{hour:%Y/%m/%d/%H}/", MaxKeys=1).get("KeyCount")
            for hour in _hours(window.start, window.end)
        )

    def _finished_execution(self, scheduled: datetime) -> dict[str, Any] | None:
        summaries = self.sagemaker.list_monitoring_executions(
            MonitoringScheduleName=self.schedule.name, SortBy="ScheduledTime", SortOrder="Descending"
        )["MonitoringExecutionSummaries"]
        return next(
            (e for e in summaries if e["ScheduledTime"] == scheduled and e["MonitoringExecutionStatus"] in TERMINAL),
            None,
        )

    def _read_report(self, execution: dict[str, Any]) -> MonitoringRun:
        if execution["MonitoringExecutionStatus"] == "Failed" or not execution.get("ProcessingJobArn"):
            return MonitoringRun(execution, None, None)
        job = self.sagemaker.describe_processing_job(ProcessingJobName=execution["ProcessingJobArn"].rsplit("/", 1)[-1])
        report = job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].rstrip("/")
        bucket, _, prefix = report[len("s3://") :].partition("/")
        s3 = self.target.client("s3", self.environment)
        document = json.loads(s3.get_object(Bucket=bucket, Key=f"{prefix}/constraint_violations.json")["Body"].read())
        return MonitoringRun(execution, document.get("violations", []), report)


def _window_ending(end: datetime | None, expression: str) -> Window:
    if end is None:
        raise AssertionError(f"schedule expression {expression} has no run left to analyse a window")
    return Window(end - timedelta(seconds=WINDOW_SECONDS), end)


def poll_interval(alarm: Alarm) -> float:
    """CloudWatch evaluates every minute, and an alarm judges a period once it has ended: a one-hour alarm is
    polled every 5 minutes (12 calls an hour, time to detect read to within 5 minutes), a one-minute alarm
    every minute."""
    return min(max(alarm.period / 12, 60.0), 300.0)


# --- data capture ----------------------------------------------------------------------------

_CAPTURE_FILE = r"\d{4}/\d{2}/\d{2}/\d{2}/[^/]+\.jsonl"


@dataclass(frozen=True)
class Captured:
    key: str
    record: dict[str, Any]


def declared_capture(endpoint: Endpoint) -> Capture:
    """The endpoint's data capture as the spec declares it: what the capture checks compare the live one with."""
    if endpoint.capture is None:
        raise AssertionError(
            f"endpoint {endpoint.name} ({endpoint.environment}) declares no data capture in the spec: "
            "there is nothing to check its captured requests against"
        )
    return endpoint.capture


def capture_config(target: Target, endpoint: Endpoint) -> dict[str, Any]:
    """DescribeEndpoint's DataCaptureConfig (CaptureStatus, CurrentSamplingPercentage, DestinationS3Uri), or {}."""
    described = target.client("sagemaker", endpoint.environment).describe_endpoint(EndpointName=endpoint.name)
    return described.get("DataCaptureConfig") or {}


def captured_records(
    target: Target, endpoint: Endpoint, destination: str, since: datetime, until: datetime, inputs: set[str]
) -> list[Captured]:
    """The records captured under `destination` for `endpoint` in [since, until) whose input is one of `inputs`
    (the drill's own requests, whatever else the endpoint served meanwhile)."""
    s3 = target.client("s3", endpoint.environment)
    bucket, _, prefix = destination[len("s3://") :].partition("/")
    folder = "/".join(p for p in (prefix.strip("/"), endpoint.name) if p) + "/"
    hours = {f"{hour:%Y/%m/%d/%H}" for hour in _hours(since, until)}
    low, high = _iso(since), _iso(until)
    found = []
    for item in every_item(s3, "list_objects_v2", "Contents", Bucket=bucket, Prefix=folder):
        if not any(f"/{hour}/" in item["Key"] for hour in hours):
            continue
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode()
        found += [
            Captured(item["Key"], record)
            for record in _records_between(body, low, high)
            if (record.get("captureData", {}).get("endpointInput") or {}).get("data") in inputs
        ]
    return found


def capture_problems(
    endpoint: Endpoint, live: dict[str, Any], records: list[Captured], sent: int, inference_ids: list[str]
) -> list[str]:
    """What differs from the spec's capture and AWS's documented behaviour, given `sent` successful requests
    (among them one per id in `inference_ids`) and the `records` captured for them."""
    declared = declared_capture(endpoint)
    status, percentage = live.get("CaptureStatus", "not configured"), live.get("CurrentSamplingPercentage", 0)
    problems = []
    if status != "Started":
        problems.append(
            f"DescribeEndpoint reports CaptureStatus {status}: data capture is off, the monitor has nothing to analyse"
        )
    if percentage != declared.sampling_percentage:
        problems.append(
            f"CurrentSamplingPercentage is {percentage} %, the spec declares {declared.sampling_percentage} %"
            + (": nothing is captured" if not percentage else "")
        )
    if live.get("DestinationS3Uri", declared.destination).rstrip("/") != declared.destination.rstrip("/"):
        problems.append(f"capture goes to {live['DestinationS3Uri']}, the spec declares {declared.destination}")
    problems += layout_problems(endpoint, live.get("DestinationS3Uri") or declared.destination, records)
    sampling = sampling_problem(len(records), sent, percentage if status == "Started" else 0)
    if sampling:
        problems.append(sampling)
    kept = {c.record["eventMetadata"].get("inferenceId") for c in records}
    lost = [i for i in inference_ids if i not in kept]
    if status == "Started" and percentage == 100 and lost:
        problems.append(f"InvokeEndpoint requests with InferenceId {', '.join(lost)} were not captured with their id")
    return problems


def layout_problems(endpoint: Endpoint, destination: str, records: list[Captured]) -> list[str]:
    """Where the records do not follow AWS's capture layout and JSON Lines format (AWS-FACTS §5)."""
    bucket, _, prefix = destination[len("s3://") :].partition("/")
    folder = "/".join(p for p in (prefix.strip("/"), endpoint.name, endpoint.variant) if p)
    layout = re.compile(rf"^{re.escape(folder)}/{_CAPTURE_FILE}$")
    problems = []
    for captured in records:
        if not layout.match(captured.key):
            problems.append(
                f"s3://{bucket}/{captured.key} is not <destination>/{endpoint.name}/{endpoint.variant}/yyyy/mm/dd/hh/<file>.jsonl"
            )
        elif (
            f"/{captured.record['eventMetadata']['inferenceTime'][:13].replace('-', '/').replace('T', '/')}/"
            not in captured.key
        ):
            problems.append(
                f"s3://{bucket}/{captured.key} holds a record of {captured.record['eventMetadata']['inferenceTime']}: "
                "not the hour of its folder"
            )
        problems += [f"s3://{bucket}/{captured.key}: {p}" for p in record_problems(captured.record)]
        if len(problems) >= 5:
            break
    return problems


def record_problems(record: dict[str, Any]) -> list[str]:
    data, metadata = record.get("captureData") or {}, record.get("eventMetadata") or {}
    problems = (
        [] if record.get("eventVersion") == "0" else [f"eventVersion {record.get('eventVersion')!r}, expected '0'"]
    )
    for side, mode in (("endpointInput", "INPUT"), ("endpointOutput", "OUTPUT")):
        given = data.get(side) or {}
        missing = [k for k in ("observedContentType", "mode", "data", "encoding") if k not in given]
        if missing or given.get("mode") != mode or given.get("encoding") not in ("CSV", "JSON", "BASE64"):
            problems.append(
                f"captureData.{side} is {given or 'missing'}: expected observedContentType, mode {mode}, data, encoding"
            )
    problems += [f"eventMetadata.{k} missing" for k in ("eventId", "inferenceTime") if not metadata.get(k)]
    return problems


def sampling_problem(captured: int, served: int, percentage: float) -> str | None:
    """Whether `captured` of `served` successful requests is what sampling `percentage` % gives (4 standard deviations)."""
    p = percentage / 100.0
    expected = served * p
    tolerance = 4 * (served * p * (1 - p)) ** 0.5 + (0 if p in (0.0, 1.0) else 1)
    if abs(captured - expected) <= tolerance:
        return None
    return (
        f"captured {captured} of {served} requests, expected {expected:.0f} +/- {tolerance:.0f} "
        f"at CurrentSamplingPercentage {percentage:g} %"
    )


def capture_expirations(target: Target, endpoint: Endpoint) -> list[int]:
    """Days after which the capture bucket's enabled lifecycle rules expire the endpoint's captured requests."""
    bucket, _, prefix = declared_capture(endpoint).destination[len("s3://") :].partition("/")
    try:
        rules = target.client("s3", endpoint.environment).get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except Exception:  # noqa: BLE001 - NoSuchLifecycleConfiguration: no rule at all
        rules = []
    folder = "/".join(p for p in (prefix.strip("/"), endpoint.name) if p) + "/"
    return sorted(
        r["Expiration"]["Days"]
        for r in rules
        if r.get("Status") == "Enabled" and "Days" in (r.get("Expiration") or {}) and folder.startswith(_rule_prefix(r))
    )


def retention_problem(endpoint: Endpoint, days: list[int]) -> str | None:
    """Whether expirations after `days` honour the spec's `retention_days` for the endpoint's captured requests."""
    capture = declared_capture(endpoint)
    if capture.retention_days in days:
        return None
    if not days:
        return (
            f"bucket {capture.bucket} has no enabled expiration rule covering {capture.destination}/{endpoint.name}/: "
            f"captured requests are kept forever (spec: {capture.retention_days} days)"
        )
    return f"bucket {capture.bucket} expires {capture.destination}/{endpoint.name}/ after {days} days, spec {capture.retention_days}"


def _rule_prefix(rule: dict[str, Any]) -> str:
    found = rule.get("Filter") or {}
    return found.get("Prefix", (found.get("And") or {}).get("Prefix", rule.get("Prefix", "")))


def _records_between(body: str, low: str, high: str) -> Iterator[dict[str, Any]]:
    # An hour folder may hold tens of thousands of other drills' records: look at the time before parsing.
    for line in body.splitlines():
        at = line.find('"inferenceTime":"')
        moment = line[at + 17 : at + 37] if at >= 0 else ""
        if low <= moment < high:
            yield json.loads(line)


def _hours(since: datetime, until: datetime) -> Iterator[datetime]:
    hour = since.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    while hour < until:
        yield hour
        hour += timedelta(hours=1)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
