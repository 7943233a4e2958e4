"""Monitoring executions: what a Model Monitor data-quality schedule does each time it runs (AWS-FACTS §5).

A `Scheduled` schedule runs at the times its cron expression gives (`simulacro.monitor.next_run_after`,
UTC, on the virtual clock); a `NOW` schedule runs once, as soon as it is `Scheduled`. A `Stopped`
schedule skips its runs until it is started again. Each run is a processing job of `RUN_SECONDS`:

1. at its scheduled time a `MonitoringExecutionSummary` (`InProgress`) joins the schedule's
   executions (ListMonitoringExecutions, LastMonitoringExecutionSummary), the processing job is
   registered in moto (DescribeProcessingJob is moto's, its output is the report folder) and
   `SageMaker Processing Job State Change` is emitted with the schedule's ARN;
2. at its end it reads the baseline statistics and constraints from S3 (`BaselineConfig`), the
   requests captured in its window (`<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl`,
   records whose `inferenceTime` lies in the window), reads each CSV input as a row of the
   baseline's features (extra fields as `_c<i>`), runs `simulacro.monitor.analyze`, writes
   `statistics.json` and `constraint_violations.json` to `<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`,
   publishes the metrics in `aws/sagemaker/Endpoints/data-metrics` (dimensions `Endpoint` and
   `MonitoringSchedule`, timestamped at the scheduled time; none when the job's Environment sets
   `publish_cloudwatch_metrics` to `Disabled`), and ends `Completed` or `CompletedWithViolations`,
   or `Failed` with a FailureReason: the baseline is unreadable, the window holds no captured data,
   the report cannot be written.

The window is `DataAnalysisStartTime`..`DataAnalysisEndTime` from the run when the schedule sets
them (always for `NOW`), else the hour before the run. Only CSV inputs are analysed (encoded `CSV`,
or `BASE64` of CSV). The metric store keeps samples, not statistic sets: `feature_data_<f>` is
published as its Average, one sample per run.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import numpy as np

from simulacro.events.shapes import processing_job_state_change
from simulacro.monitor import (
    ENDPOINT_NAMESPACE,
    MonitorInputError,
    analyze,
    ensure_constraints_are_valid,
    ensure_statistics_are_valid,
    first_run_at,
    next_run_after,
)
from simulacro.target.clock import SchedulingClock

from . import backends
from .monitoring import MonitoringSchedules, Schedule, analysis_offsets
from .times import epoch_ms, iso_seconds, naive_utc

RUN_SECONDS = 300  # a data-quality job over an hour of capture: a few minutes of provisioning and analysis
DEFAULT_WINDOW_SECONDS = (-3600.0, 0.0)
COMPLETED, FAILED = "Completed", "Failed"
NO_DATA = "Job inputs had no data"
# The input object and the inferenceTime of each capture record, found without decoding whole lines:
# an hour of capture is tens of thousands of records, and json.loads of every line would dominate a run.
_INPUT = re.compile(r'"endpointInput":(\{[^{}]*\})')
_TIME = re.compile(r'"inferenceTime":"([^"]*)"')


class RunFailed(Exception):
    """The job ends Failed with this FailureReason."""


@dataclass
class Run:
    schedule: Schedule
    scheduled: datetime
    start: datetime  # the analysis window [start, end)
    end: datetime
    report_uri: str
    summary: dict[str, Any]
    job: Any  # moto's FakeProcessingJob

    @property
    def account(self) -> str:
        return self.schedule.account

    @property
    def region(self) -> str:
        return self.schedule.region


class MonitoringRuns:
    def __init__(
        self,
        clock: SchedulingClock,
        schedules: MonitoringSchedules,
        emit_event: Callable[..., None],
        put_metric: Callable[..., None],
    ):
        self.clock = clock
        self.schedules = schedules
        self.emit_event = emit_event
        self.put_metric = put_metric
        self._plans: dict[tuple[str, str, str], object] = {}
        schedules.on_scheduled.append(self.plan)

    # --- when runs happen ----------------------------------------------------------------

    def plan(self, schedule: Schedule) -> None:
        """Plan `schedule`'s runs from now on; any earlier plan of it lapses."""
        token = self._plans[_key(schedule)] = object()
        first = first_run_at(_expression(schedule), self.clock.now())
        if first is not None:
            self.clock.call_at(first, lambda: self._due(schedule, token, first))

    def _due(self, schedule: Schedule, token: object, at: datetime) -> None:
        if self._plans.get(_key(schedule)) is not token or not self._live(schedule) or schedule.status != "Scheduled":
            return  # re-planned, deleted or stopped (StartMonitoringSchedule plans again)
        self._start(schedule, at)
        following = next_run_after(_expression(schedule), at)
        if following is not None:
            self.clock.call_at(following, lambda: self._due(schedule, token, following))

    def _live(self, schedule: Schedule) -> bool:
        return self.schedules.schedules.get(_key(schedule)) is schedule

    # --- one run -------------------------------------------------------------------------

    def _start(self, schedule: Schedule, at: datetime) -> None:
        now = self.clock.now()
        start, end = _window(schedule.config, at)
        report_uri = f"{_output_uri(schedule).rstrip('/')}/{schedule.endpoint_name}/{schedule.name}/{at:%Y/%m/%d/%H}"
        job = self._register_job(schedule, _job_name(schedule, at), report_uri, now)
        summary = {
            "MonitoringScheduleName": schedule.name,
            "ScheduledTime": at,
            "CreationTime": now,
            "LastModifiedTime": now,
            "MonitoringExecutionStatus": "InProgress",
            "ProcessingJobArn": job.arn,
            "MonitoringType": schedule.monitoring_type,
        }
        if schedule.endpoint_name:
            summary["EndpointName"] = schedule.endpoint_name
        schedule.executions.append(summary)
        run = Run(schedule, at, start, end, report_uri, summary, job)
        self._job_event(run)
        self.clock.call_later(RUN_SECONDS, lambda: self._finish(run))

    def _finish(self, run: Run) -> None:
        if not self._live(run.schedule):
            return  # deleted, or the local AWS was reset, while it ran
        try:
            result = self._analyse(run)
        except RunFailed as failure:
            self._end(run, FAILED, str(failure))
            return
        self._publish(run, result.metrics)
        self._end(run, result.execution_status, None)

    def _analyse(self, run: Run) -> Any:
        definition = _job_definition(run.schedule)
        baseline = definition.get("BaselineConfig") or {}
        statistics = self._baseline_document(
            run, baseline, "StatisticsResource", "statistics", ensure_statistics_are_valid
        )
        constraints = self._baseline_document(
            run, baseline, "ConstraintsResource", "constraints", ensure_constraints_are_valid
        )
        rows, index = self._captured_rows(run)
        columns = csv_columns(rows, index, [feature["name"] for feature in statistics["features"]])
        try:
            result = analyze(statistics, constraints, columns)
        except MonitorInputError as error:
            raise RunFailed(
                f"ClientError: the captured data cannot be analysed against the baseline: {error}"
            ) from None
        self._write(run, "statistics.json", result.statistics)
        self._write(run, "constraint_violations.json", result.violations_document)
        return result

    def _end(self, run: Run, status: str, failure_reason: str | None) -> None:
        now = self.clock.now()
        run.summary.update(MonitoringExecutionStatus=status, LastModifiedTime=now)
        job_status = FAILED if status == FAILED else COMPLETED
        run.job.processing_job_status, run.job.processing_end_time, run.job.last_modified_time = (
            job_status,
            naive_utc(now),
            naive_utc(now),
        )
        if failure_reason:
            run.summary["FailureReason"] = failure_reason
            run.job.failure_reason = run.job.exit_message = failure_reason
        self._job_event(run)

    # --- inputs ----------------------------------------------------------------------------

    def _baseline_document(
        self, run: Run, baseline: dict[str, Any], resource: str, kind: str, ensure_valid: Callable[[dict], None]
    ) -> dict[str, Any]:
        uri = (baseline.get(resource) or {}).get("S3Uri")
        if not uri:
            raise RunFailed(
                f"ClientError: the schedule has no BaselineConfig.{resource}: nothing to compare the data with"
            )
        body = self._read(run.account, uri)
        if body is None:
            raise RunFailed(f"ClientError: baseline {kind} {uri} could not be read: no such object")
        try:
            return _valid_document(body, ensure_valid)
        except (ValueError, MonitorInputError) as error:
            raise RunFailed(f"ClientError: baseline {kind} {uri} is not a valid {kind}.json: {error}") from None

    def _captured_rows(self, run: Run) -> tuple[list[str], np.ndarray]:
        """The distinct CSV rows captured in the run's window, and which of them each captured row is."""
        endpoint = run.schedule.endpoint_name
        window = f"between {iso_seconds(run.start)} and {iso_seconds(run.end)}"
        described = backends.sagemaker(run.account, run.region).endpoints.get(endpoint or "")
        if described is None:
            raise RunFailed(f"{NO_DATA}: endpoint {endpoint} does not exist")
        config = backends.sagemaker(run.account, run.region).endpoint_configs.get(described.endpoint_config_name)
        capture = getattr(config, "data_capture_config", None) or {}
        if not capture.get("DestinationS3Uri"):
            raise RunFailed(f"{NO_DATA}: endpoint {endpoint} has no DataCaptureConfig")
        bucket, _, prefix = capture["DestinationS3Uri"][len("s3://") :].partition("/")
        folder = "/".join(p for p in (prefix.strip("/"), endpoint) if p) + "/"
        inputs = [
            found
            for key in self._capture_files(run, bucket, folder)
            for found in _input_objects(
                self._read(run.account, f"s3://{bucket}/{key}") or "", iso_seconds(run.start), iso_seconds(run.end)
            )
        ]
        rows, index = _distinct_rows(inputs)
        if not len(index):
            raise RunFailed(
                f"{NO_DATA}: no captured request of endpoint {endpoint} {window} under "
                f"s3://{bucket}/{folder} (is data capture on, with a sampling percentage above 0?)"
            )
        return rows, index

    def _capture_files(self, run: Run, bucket: str, folder: str) -> list[str]:
        try:
            keys = list(backends.s3(run.account).get_bucket(bucket).keys.keys())
        except Exception:  # noqa: BLE001 - a missing bucket holds no data
            return []
        first_hour = run.start.replace(minute=0, second=0, microsecond=0)
        return sorted(
            key
            for key in keys
            if key.startswith(folder)
            and (hour := _hour_of(key[len(folder) :])) is not None
            and first_hour <= hour < run.end
        )

    def _read(self, account: str, uri: str) -> str | None:
        bucket, _, key = uri[len("s3://") :].partition("/")
        try:
            found = backends.s3(account).get_object(bucket, key)
        except Exception:  # noqa: BLE001 - no bucket, no key: unreadable either way
            return None
        return found.value.decode("utf-8", errors="replace") if found is not None else None

    # --- outputs ---------------------------------------------------------------------------

    def _write(self, run: Run, name: str, document: dict[str, Any]) -> None:
        bucket, _, prefix = run.report_uri[len("s3://") :].partition("/")
        try:
            backends.s3(run.account).put_object(bucket, f"{prefix}/{name}", json.dumps(document).encode())
        except Exception as error:  # noqa: BLE001 - a missing bucket or a refusal fails the job
            raise RunFailed(
                f"ClientError: could not write {run.report_uri}/{name}: {type(error).__name__}: {error}"
            ) from None

    def _publish(self, run: Run, metrics: dict[str, Any]) -> None:
        environment = _job_definition(run.schedule).get("Environment") or {}
        if str(environment.get("publish_cloudwatch_metrics", "Enabled")).lower() == "disabled":
            return
        dimensions = {"Endpoint": run.schedule.endpoint_name or "", "MonitoringSchedule": run.schedule.name}
        for name, value in metrics.items():
            if isinstance(value, dict):  # a statistic set (feature_data_<f>): see the module docstring
                if not value["SampleCount"]:
                    continue
                value = value["Sum"] / value["SampleCount"]
            self.put_metric(
                run.account, run.region, ENDPOINT_NAMESPACE, name, dimensions, float(value), at=run.scheduled
            )

    def _register_job(self, schedule: Schedule, name: str, report_uri: str, now: datetime) -> Any:
        definition = _job_definition(schedule)
        job = backends.sagemaker(schedule.account, schedule.region).create_processing_job(
            app_specification={"ImageUri": (definition.get("MonitoringAppSpecification") or {}).get("ImageUri", "")},
            experiment_config=None,
            network_config=None,
            processing_inputs=[],
            processing_job_name=name,
            processing_output_config={
                "Outputs": [
                    {
                        "OutputName": "monitoring_output",
                        "S3Output": {
                            "S3Uri": report_uri,
                            "LocalPath": "/opt/ml/processing/output",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
            role_arn=definition.get("RoleArn"),
            tags=[],
            stopping_condition=definition.get("StoppingCondition") or {"MaxRuntimeInSeconds": 3600},
        )
        job.processing_job_status, job.processing_end_time = "InProgress", None
        job.creation_time = job.last_modified_time = job.processing_start_time = naive_utc(now)
        job.monitoring_schedule_arn = schedule.arn
        return job

    def _job_event(self, run: Run) -> None:
        job = run.job
        event = processing_job_state_change(
            job_name=job.processing_job_name,
            job_arn=job.arn,
            status=job.processing_job_status,
            creation_time=epoch_ms(job.creation_time),
            last_modified_time=epoch_ms(job.last_modified_time),
            processing_start_time=epoch_ms(job.processing_start_time),
            processing_end_time=epoch_ms(job.processing_end_time) if job.processing_end_time else None,
            failure_reason=getattr(job, "failure_reason", None),
            exit_message=getattr(job, "exit_message", None),
            monitoring_schedule_arn=run.schedule.arn,
            account=run.account,
            region=run.region,
            time=self.clock.now(),
            id=str(uuid.uuid4()),
        )
        self.emit_event(run.account, run.region, event)


# --- capture records to columns -------------------------------------------------------------


def _input_objects(body: str, start: str, end: str) -> list[str]:
    """The endpointInput objects (JSON text) of the records of one capture file with inferenceTime in [start, end)."""
    records = body.count("\n") + (not body.endswith("\n"))  # capture files hold one record a line, no blank line
    objects, times = _INPUT.findall(body), _TIME.findall(body)
    if not len(objects) == len(times) == records:  # JSON payloads with braces, output-only capture: line by line
        found = [_input_of(line) for line in body.split("\n") if line.strip()]
        return [json.dumps(obj) for obj, at in filter(None, found) if start <= at < end]
    if times and start <= min(times) and max(times) < end:
        return objects
    return [obj for obj, at in zip(objects, times) if start <= at < end]


def _input_of(line: str) -> tuple[dict[str, Any], str] | None:
    try:
        record = json.loads(line)
        return record["captureData"]["endpointInput"], record["eventMetadata"]["inferenceTime"]
    except (ValueError, KeyError, TypeError):
        return None


def _distinct_rows(inputs: list[str]) -> tuple[list[str], np.ndarray]:
    """Distinct CSV rows of the inputs and the index of each captured row among them.

    Traffic repeats its payloads, so each distinct input is decoded, and each distinct row parsed, once.
    """
    codes: dict[str, int] = {}
    input_index = [codes.setdefault(found, len(codes)) for found in inputs]
    lines = [_csv_lines(decoded) for decoded in json.loads("[" + ",".join(codes) + "]")]
    if all(len(found) == 1 for found in lines):
        return [found[0] for found in lines], np.asarray(input_index, dtype=np.int64)
    row_codes: dict[str, int] = {}
    index = [row_codes.setdefault(line, len(row_codes)) for i in input_index for line in lines[i]]
    return list(row_codes), np.asarray(index, dtype=np.int64)


def _csv_lines(endpoint_input: dict[str, Any]) -> list[str]:
    encoding, data = endpoint_input.get("encoding"), endpoint_input.get("data") or ""
    if encoding == "BASE64":
        data = base64.b64decode(data).decode("utf-8", errors="replace")
    elif encoding != "CSV":
        return []
    return [line for line in data.splitlines() if line.strip()]


def csv_columns(rows: list[str], index: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
    """Captured rows as columns named by the baseline's features, in order (extra fields are `_c<i>`):
    `rows` are distinct headerless CSV lines, `index` says which of them each captured row is."""
    parsed = list(csv.reader(rows))
    width = max((len(fields) for fields in parsed), default=0)
    table = np.array([fields + [""] * (width - len(fields)) for fields in parsed], dtype=str).reshape(
        len(parsed), width
    )
    full = table[index]
    column_names = names[:width] + [f"_c{i}" for i in range(len(names), width)]
    return {name: full[:, i] for i, name in enumerate(column_names)}


# --- small helpers ---------------------------------------------------------------------------


def _key(schedule: Schedule) -> tuple[str, str, str]:
    return schedule.account, schedule.region, schedule.name


def _expression(schedule: Schedule) -> str:
    return schedule.config["ScheduleConfig"]["ScheduleExpression"]


def _job_definition(schedule: Schedule) -> dict[str, Any]:
    return schedule.config.get("MonitoringJobDefinition") or {}


def _output_uri(schedule: Schedule) -> str:
    outputs = (_job_definition(schedule).get("MonitoringOutputConfig") or {}).get("MonitoringOutputs") or [{}]
    return (outputs[0].get("S3Output") or {}).get("S3Uri", "")


def _window(config: dict[str, Any], at: datetime) -> tuple[datetime, datetime]:
    start, end = analysis_offsets(config) or DEFAULT_WINDOW_SECONDS
    return at + timedelta(seconds=start), at + timedelta(seconds=end)


def _job_name(schedule: Schedule, at: datetime) -> str:
    digest = hashlib.sha256(f"{schedule.arn}/{at.isoformat()}".encode()).hexdigest()[:20]
    return f"model-monitoring-{at:%Y%m%d%H%M}-{digest}"


def _hour_of(relative_key: str) -> datetime | None:
    """The hour folder of `<variant>/yyyy/mm/dd/hh/<file>`, or None for a key of another shape."""
    parts = relative_key.split("/")
    if len(parts) != 6 or not all(p.isdigit() for p in parts[1:5]):
        return None
    try:
        return datetime(int(parts[1]), int(parts[2]), int(parts[3]), int(parts[4]), tzinfo=timezone.utc)
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _valid_document(body: str, ensure_valid: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A baseline document parsed and checked once per content: every schedule reads its baseline each hour, and
    parsing it was most of an idle platform's cost in virtual time. The analysis only reads it."""
    document: dict[str, Any] = json.loads(body)
    ensure_valid(document)
    return document
