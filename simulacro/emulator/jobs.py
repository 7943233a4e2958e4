"""Training and processing jobs described as AWS describes them, in DescribeTrainingJob, DescribeProcessingJob
and in their `SageMaker Training Job State Change` / `Processing Job State Change` events.

moto keeps the job objects (the pipeline steps create them, `pipelines.py`); its descriptions lack what
AWS always reports and carry some of its own. Here, from moto's object and the clock:
- a training job's `SecondaryStatus` moves through `Starting`, `Downloading`, `Training`, `Uploading` over the
  job's expected duration, and `SecondaryStatusTransitions` lists each with its times and AWS's message;
  an ended job reports `TrainingTimeInSeconds` and `BillableTimeInSeconds`;
- a processing job reports its `ProcessingResources`;
- `FailureReason` (and a processing job's `ExitMessage`) only when the job failed; none of moto's filler
  (its sample `MetricDefinitions`).
An event's detail is the job's description, times in epoch milliseconds and tags as an object (AWS-FACTS §1).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from simulacro.events.shapes import processing_job_state_change, training_job_state_change
from simulacro.target.clock import SchedulingClock

from . import backends
from .overlay import Call, Overlay
from .times import aware, epoch_ms

# (secondary status, share of the expected duration at which it starts, AWS's status message)
TRAINING_PHASES = (
    ("Starting", 0.0, "Preparing the instances for training"),
    ("Downloading", 0.1, "Downloading input data"),
    ("Training", 0.2, "Training image download completed. Training in progress."),
    ("Uploading", 0.9, "Uploading generated training model"),
)
FINAL_MESSAGES = {
    "Completed": "Training job completed",
    "Failed": "Training job failed",
    "Stopping": "Stopping the training job",
    "Stopped": "Training job stopped",
}
MOTO_SAMPLE_METRIC = "test:dcg"
PROCESSING_RESOURCES = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}}

# (start, expected seconds) of each training job a pipeline step runs, by ARN: kept beside moto's object,
# whose every attribute would otherwise show in its description.
_plans: dict[str, tuple[datetime, float]] = {}


class JobDescriptions:
    def __init__(self, clock: SchedulingClock):
        self.clock = clock

    def install(self, overlay: Overlay) -> None:
        overlay.handle("sagemaker", "DescribeTrainingJob", self._describe_training_job)
        overlay.handle("sagemaker", "DescribeProcessingJob", self._describe_processing_job)

    def _describe_training_job(self, call: Call) -> dict[str, Any]:
        backend = backends.sagemaker(call.account, call.region)
        backend.describe_training_job(call.params["TrainingJobName"])  # moto's "Could not find training job"
        return describe_training_job(backend.training_jobs[call.params["TrainingJobName"]], self.clock.now())

    def _describe_processing_job(self, call: Call) -> dict[str, Any]:
        backend = backends.sagemaker(call.account, call.region)
        backend.describe_processing_job(call.params["ProcessingJobName"])
        return describe_processing_job(backend.processing_jobs[call.params["ProcessingJobName"]])


def plan_training(job: Any, start: datetime, expected_seconds: float) -> None:
    """Remember when the job started and how long it is expected to run: its secondary statuses follow from them."""
    _plans[job.arn] = (start, expected_seconds)
    specification = dict(job.algorithm_specification or {})
    metrics = [m for m in specification.get("MetricDefinitions") or [] if m.get("Name") != MOTO_SAMPLE_METRIC]
    specification.pop("MetricDefinitions", None)
    if metrics:
        specification["MetricDefinitions"] = metrics
    job.algorithm_specification = specification
    job.secondary_status_transitions, job.final_metric_data_list = [], []


def describe_training_job(job: Any, now: datetime) -> dict[str, Any]:
    described = _present(job.response_object)
    if job.training_job_status != "Failed":
        described.pop("FailureReason", None)
    if described.get("AlgorithmSpecification", {}).get("MetricDefinitions") == []:
        described["AlgorithmSpecification"].pop("MetricDefinitions")
    if job.arn not in _plans:
        return described
    start, expected = _plans[job.arn]
    ended = job.training_job_status in ("Completed", "Failed", "Stopped")
    end = aware(job.training_end_time) if ended and job.training_end_time else None
    transitions = _transitions(
        start, expected, end or now, job.training_job_status, getattr(job, "failure_reason", None)
    )
    described["SecondaryStatusTransitions"] = transitions
    described["SecondaryStatus"] = transitions[-1]["Status"]
    if end is not None:
        seconds = max(int((end - start).total_seconds()), 1)
        described["TrainingTimeInSeconds"] = described["BillableTimeInSeconds"] = seconds
    return described


def describe_processing_job(job: Any) -> dict[str, Any]:
    described = _present(job.response_object)
    described.setdefault("ProcessingResources", PROCESSING_RESOURCES)
    if job.processing_job_status != "Failed":
        described.pop("FailureReason", None)
        described.pop("ExitMessage", None)
    return described


def training_job_event(job: Any, account: str, region: str, now: datetime) -> dict[str, Any]:
    described = describe_training_job(job, now)
    event = training_job_state_change(
        job_name=described["TrainingJobName"],
        job_arn=described["TrainingJobArn"],
        status=described["TrainingJobStatus"],
        secondary_status=described["SecondaryStatus"],
        creation_time=epoch_ms(described["CreationTime"]),
        last_modified_time=epoch_ms(described.get("LastModifiedTime") or described["CreationTime"]),
        failure_reason=described.get("FailureReason"),
        account=account,
        region=region,
        time=now,
        id=str(uuid.uuid4()),
    )
    event["detail"] = _event_detail(described, job)
    return event


def processing_job_event(job: Any, account: str, region: str, now: datetime) -> dict[str, Any]:
    described = describe_processing_job(job)
    event = processing_job_state_change(
        job_name=described["ProcessingJobName"],
        job_arn=described["ProcessingJobArn"],
        status=described["ProcessingJobStatus"],
        creation_time=epoch_ms(described["CreationTime"]),
        last_modified_time=epoch_ms(described.get("LastModifiedTime") or described["CreationTime"]),
        failure_reason=described.get("FailureReason"),
        exit_message=described.get("ExitMessage"),
        account=account,
        region=region,
        time=now,
        id=str(uuid.uuid4()),
    )
    event["detail"] = _event_detail(described, job)
    return event


def _transitions(
    start: datetime, expected: float, until: datetime, status: str, reason: str | None
) -> list[dict[str, Any]]:
    elapsed = (until - start).total_seconds()
    reached = [
        (name, share * expected, message) for name, share, message in TRAINING_PHASES if share * expected <= elapsed
    ]
    transitions: list[dict[str, Any]] = []
    for index, (name, offset, message) in enumerate(reached):
        item: dict[str, Any] = {"Status": name, "StartTime": _at(start, offset), "StatusMessage": message}
        following = reached[index + 1][1] if index + 1 < len(reached) else None
        if following is not None:
            item["EndTime"] = _at(start, following)
        transitions.append(item)
    if status in FINAL_MESSAGES:
        transitions[-1]["EndTime"] = until
        message = FINAL_MESSAGES[status] + (f". Reason: {reason}" if status == "Failed" and reason else "")
        final: dict[str, Any] = {"Status": status, "StartTime": until, "StatusMessage": message}
        if status != "Stopping":
            final["EndTime"] = until
        transitions.append(final)
    return transitions


def _event_detail(described: dict[str, Any], job: Any) -> dict[str, Any]:
    detail = {key: _epoch_ms_deep(value) for key, value in described.items()}
    detail["Tags"] = {t["Key"]: t["Value"] for t in getattr(job, "tags", None) or []}
    return detail


def _epoch_ms_deep(value: Any) -> Any:
    if isinstance(value, datetime):
        return epoch_ms(value)
    if isinstance(value, dict):
        return {k: _epoch_ms_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_epoch_ms_deep(v) for v in value]
    return value


def _present(described: dict[str, Any]) -> dict[str, Any]:
    """moto's description without empty members, and without `Tags`: no Describe*Job output has them (ListTags does)."""
    return {key: value for key, value in described.items() if value not in (None, [None]) and key != "Tags"}


def _at(start: datetime, seconds: float) -> datetime:
    return start + timedelta(seconds=seconds)
