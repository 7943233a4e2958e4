"""Builders of the events SageMaker and CloudWatch put on EventBridge, in their documented shapes.

Pure functions: every value comes from the caller (ids, times, ARNs), nothing from a clock or a
random source. Each builder refuses a status the event never carries, so the emulator cannot emit
an event that no real rule would ever see. Field casing and time formats follow AWS-FACTS.md §1
and §3: pipeline events are camelCase with ISO times; the job, model package and endpoint events
are PascalCase like their Describe APIs, endpoint times in epoch milliseconds.
"""

import re
from datetime import datetime, timezone
from typing import Any, Iterable

from simulacro.events.catalog import (
    ALARM_CONFIGURATION_CHANGE,
    ALARM_STATE_CHANGE,
    ALARM_STATES,
    CLOUDWATCH,
    DOCUMENTED_EVENTS,
    ENDPOINT_API_STATUSES,
    ENDPOINT_EVENT_STATUSES,
    ENDPOINT_STATE_CHANGE,
    JOB_STATUSES,
    MODEL_APPROVAL_STATUSES,
    MODEL_PACKAGE_STATE_CHANGE,
    MODEL_PACKAGE_STATUSES,
    PIPELINE_EXECUTION_STATUS_CHANGE,
    PIPELINE_EXECUTION_STATUSES,
    PIPELINE_STEP_STATUS_CHANGE,
    PROCESSING_JOB_STATE_CHANGE,
    SAGEMAKER,
    STEP_STATUSES,
    TRAINING_JOB_STATE_CHANGE,
    TRAINING_SECONDARY_STATUSES,
)

__all__ = [
    "DOCUMENTED_EVENTS",
    "alarm_metric",
    "alarm_state",
    "alarm_state_change",
    "endpoint_state_change",
    "endpoint_status_to_event",
    "endpoint_variant",
    "model_package_state_change",
    "pipeline_execution_arn",
    "pipeline_execution_status_change",
    "pipeline_step_status_change",
    "processing_job_state_change",
    "sagemaker_arn",
    "training_job_state_change",
]

_ACCOUNT = re.compile(r"\d{12}")


def endpoint_status_to_event(api_status: str) -> str:
    """DescribeEndpoint's `InService` is `IN_SERVICE` in endpoint events."""
    if api_status not in ENDPOINT_API_STATUSES:
        raise ValueError(
            f"unknown endpoint status {api_status!r}; DescribeEndpoint statuses are {', '.join(ENDPOINT_API_STATUSES)}"
        )
    return re.sub(r"(?<!^)(?=[A-Z])", "_", api_status).upper()


def sagemaker_arn(region: str, account: str, resource_type: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region}:{account}:{resource_type}/{name}"


def pipeline_execution_arn(region: str, account: str, pipeline_name: str, execution_id: str) -> str:
    return f"{sagemaker_arn(region, account, 'pipeline', pipeline_name)}/execution/{execution_id}"


def pipeline_execution_status_change(
    *,
    pipeline_arn: str,
    pipeline_execution_arn: str,
    display_name: str,
    current_status: str,
    execution_start_time: str,
    previous_status: str | None = None,
    execution_end_time: str | None = None,
    description: str | None = None,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    _require_status("currentPipelineExecutionStatus", current_status, PIPELINE_EXECUTION_STATUSES)
    _require_optional_status("previousPipelineExecutionStatus", previous_status, PIPELINE_EXECUTION_STATUSES)
    detail = _without_none(
        {
            "pipelineExecutionDisplayName": display_name,
            "currentPipelineExecutionStatus": current_status,
            "previousPipelineExecutionStatus": previous_status,
            "executionStartTime": execution_start_time,
            "executionEndTime": execution_end_time,
            "pipelineExecutionDescription": description,
            "pipelineArn": pipeline_arn,
            "pipelineExecutionArn": pipeline_execution_arn,
        }
    )
    return _envelope(
        SAGEMAKER,
        PIPELINE_EXECUTION_STATUS_CHANGE,
        [pipeline_arn, pipeline_execution_arn],
        detail,
        account=account,
        region=region,
        time=time,
        id=id,
    )


def pipeline_step_status_change(
    *,
    pipeline_arn: str,
    pipeline_execution_arn: str,
    step_name: str,
    step_type: str,
    current_status: str,
    step_start_time: str,
    previous_status: str | None = None,
    step_end_time: str | None = None,
    metadata: dict[str, Any] | None = None,
    failure_reason: str | None = None,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    """`metadata` names the job the step ran, e.g. {"processingJob": {"arn": ...}}."""
    _require_status("currentStepStatus", current_status, STEP_STATUSES)
    _require_optional_status("previousStepStatus", previous_status, STEP_STATUSES)
    _require_failure_reason_iff_failed(current_status, failure_reason, required=True)
    detail = _without_none(
        {
            "metadata": dict(metadata or {}),
            "stepStartTime": step_start_time,
            "stepEndTime": step_end_time,
            "stepName": step_name,
            "stepType": step_type,
            "previousStepStatus": previous_status,
            "currentStepStatus": current_status,
            "failureReason": failure_reason,
            "pipelineArn": pipeline_arn,
            "pipelineExecutionArn": pipeline_execution_arn,
        }
    )
    return _envelope(
        SAGEMAKER,
        PIPELINE_STEP_STATUS_CHANGE,
        [pipeline_arn, pipeline_execution_arn],
        detail,
        account=account,
        region=region,
        time=time,
        id=id,
    )


def training_job_state_change(
    *,
    job_name: str,
    job_arn: str,
    status: str,
    secondary_status: str,
    creation_time: int,
    last_modified_time: int,
    training_start_time: int | None = None,
    training_end_time: int | None = None,
    failure_reason: str | None = None,
    tags: dict[str, Any] | None = None,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    """Times in epoch milliseconds, as DescribeTrainingJob's appear in the event."""
    _require_status("TrainingJobStatus", status, JOB_STATUSES)
    _require_status("SecondaryStatus", secondary_status, TRAINING_SECONDARY_STATUSES)
    _require_failure_reason_iff_failed(status, failure_reason, required=True)
    detail = _without_none(
        {
            "TrainingJobName": job_name,
            "TrainingJobArn": job_arn,
            "TrainingJobStatus": status,
            "SecondaryStatus": secondary_status,
            "FailureReason": failure_reason,
            "CreationTime": creation_time,
            "TrainingStartTime": training_start_time,
            "TrainingEndTime": training_end_time,
            "LastModifiedTime": last_modified_time,
            "Tags": tags,
        }
    )
    return _envelope(
        SAGEMAKER, TRAINING_JOB_STATE_CHANGE, [job_arn], detail, account=account, region=region, time=time, id=id
    )


def processing_job_state_change(
    *,
    job_name: str,
    job_arn: str,
    status: str,
    creation_time: int,
    last_modified_time: int,
    processing_start_time: int | None = None,
    processing_end_time: int | None = None,
    failure_reason: str | None = None,
    exit_message: str | None = None,
    monitoring_schedule_arn: str | None = None,
    tags: dict[str, Any] | None = None,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    """Times in epoch milliseconds; a Model Monitor execution names its `monitoring_schedule_arn`."""
    _require_status("ProcessingJobStatus", status, JOB_STATUSES)
    _require_failure_reason_iff_failed(status, failure_reason, required=False)
    detail = _without_none(
        {
            "ProcessingJobName": job_name,
            "ProcessingJobArn": job_arn,
            "ProcessingJobStatus": status,
            "ExitMessage": exit_message,
            "FailureReason": failure_reason,
            "CreationTime": creation_time,
            "ProcessingStartTime": processing_start_time,
            "ProcessingEndTime": processing_end_time,
            "LastModifiedTime": last_modified_time,
            "MonitoringScheduleArn": monitoring_schedule_arn,
            "Tags": tags,
        }
    )
    return _envelope(
        SAGEMAKER, PROCESSING_JOB_STATE_CHANGE, [job_arn], detail, account=account, region=region, time=time, id=id
    )


def model_package_state_change(
    *,
    group_name: str,
    version: int,
    package_arn: str,
    package_status: str,
    approval_status: str,
    creation_time: Any,
    last_modified_time: Any,
    generated_by: str | None = None,
    inference_specification: dict[str, Any] | None = None,
    model_metrics: dict[str, Any] | None = None,
    updated_fields: Iterable[str] | None = None,
    description: str | None = None,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    """`generated_by` (the pipeline execution ARN) lands in MetadataProperties.GeneratedBy."""
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"ModelPackageVersion is an integer, got {version!r}")
    _require_status("ModelPackageStatus", package_status, MODEL_PACKAGE_STATUSES)
    _require_status("ModelApprovalStatus", approval_status, MODEL_APPROVAL_STATUSES)
    detail = _without_none(
        {
            "ModelPackageGroupName": group_name,
            "ModelPackageVersion": version,
            "ModelPackageArn": package_arn,
            "ModelPackageDescription": description,
            "CreationTime": creation_time,
            "InferenceSpecification": inference_specification,
            "ModelPackageStatus": package_status,
            "ModelApprovalStatus": approval_status,
            "MetadataProperties": {"GeneratedBy": generated_by} if generated_by else None,
            "ModelMetrics": model_metrics,
            "LastModifiedTime": last_modified_time,
            "UpdatedModelPackageFields": list(updated_fields) if updated_fields is not None else None,
        }
    )
    return _envelope(
        SAGEMAKER, MODEL_PACKAGE_STATE_CHANGE, [package_arn], detail, account=account, region=region, time=time, id=id
    )


def endpoint_variant(desired_weight: float = 1.0, desired_instance_count: int = 1) -> dict[str, Any]:
    return {"DesiredWeight": desired_weight, "DesiredInstanceCount": desired_instance_count}


def endpoint_state_change(
    *,
    endpoint_name: str,
    endpoint_arn: str,
    endpoint_config_name: str,
    status: str,
    creation_time: int,
    last_modified_time: int,
    production_variants: list[dict[str, Any]] | None = None,
    failure_reason: str | None = None,
    tags: dict[str, Any] | None = None,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    """`status` in either spelling (`InService` or `IN_SERVICE`); the event always carries UPPER_SNAKE."""
    event_status = status if status in ENDPOINT_EVENT_STATUSES else endpoint_status_to_event(status)
    detail = _without_none(
        {
            "EndpointName": endpoint_name,
            "EndpointArn": endpoint_arn,
            "EndpointConfigName": endpoint_config_name,
            "ProductionVariants": list(production_variants)
            if production_variants is not None
            else [endpoint_variant()],
            "EndpointStatus": event_status,
            "FailureReason": failure_reason,
            "CreationTime": creation_time,
            "LastModifiedTime": last_modified_time,
            "Tags": dict(tags or {}),
        }
    )
    return _envelope(
        SAGEMAKER, ENDPOINT_STATE_CHANGE, [endpoint_arn], detail, account=account, region=region, time=time, id=id
    )


def alarm_state(value: str, reason: str, timestamp: str, reason_data: str | None = None) -> dict[str, Any]:
    """One of `state` / `previousState`; `timestamp` like 2026-06-03T17:43:27.123+0000."""
    _require_status("state.value", value, ALARM_STATES)
    return _without_none({"reason": reason, "reasonData": reason_data, "timestamp": timestamp, "value": value})


def alarm_metric(
    metric_id: str,
    namespace: str,
    name: str,
    dimensions: dict[str, str],
    period: int,
    stat: str,
    return_data: bool = True,
) -> dict[str, Any]:
    return {
        "id": metric_id,
        "metricStat": {
            "metric": {"dimensions": dict(dimensions), "name": name, "namespace": namespace},
            "period": period,
            "stat": stat,
        },
        "returnData": return_data,
    }


def alarm_state_change(
    *,
    alarm_name: str,
    alarm_arn: str,
    state: dict[str, Any],
    previous_state: dict[str, Any],
    metrics: list[dict[str, Any]] | None = None,
    description: str | None = None,
    configuration: dict[str, Any] | None = None,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    """Build `state`/`previous_state` with `alarm_state` and `metrics` with `alarm_metric`; a composite
    alarm gives its `configuration` ({alarmRule, ...}) whole instead of `metrics`."""
    if configuration is None:
        configuration = _without_none({"description": description, "metrics": list(metrics or [])})
    detail = {
        "alarmName": alarm_name,
        "state": state,
        "previousState": previous_state,
        "configuration": configuration,
    }
    return _envelope(
        CLOUDWATCH, ALARM_STATE_CHANGE, [alarm_arn], detail, account=account, region=region, time=time, id=id
    )


ALARM_CONFIGURATION_OPERATIONS = ("create", "update", "delete")


def alarm_configuration_change(
    *,
    alarm_name: str,
    alarm_arn: str,
    operation: str,
    state: dict[str, Any],
    configuration: dict[str, Any],
    previous_configuration: dict[str, Any] | None = None,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    """`CloudWatch Alarm Configuration Change`: `state` is {value, timestamp}; an update carries the
    `previousConfiguration` too (CloudWatch's "Alarm events and EventBridge" samples)."""
    _require_status("operation", operation, ALARM_CONFIGURATION_OPERATIONS)
    _require_status("state.value", state.get("value"), ALARM_STATES)
    detail = {"alarmName": alarm_name, "operation": operation, "state": dict(state), "configuration": configuration}
    if previous_configuration is not None:
        detail["previousConfiguration"] = previous_configuration
    return _envelope(
        CLOUDWATCH, ALARM_CONFIGURATION_CHANGE, [alarm_arn], detail, account=account, region=region, time=time, id=id
    )


def _envelope(
    source: str,
    detail_type: str,
    resources: list[str],
    detail: dict[str, Any],
    *,
    account: str,
    region: str,
    time: str | datetime,
    id: str,
) -> dict[str, Any]:
    if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
        raise ValueError(f"account must be 12 digits as a string, got {account!r}")
    return {
        "version": "0",
        "id": id,
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": _event_time(time),
        "region": region,
        "resources": list(resources),
        "detail": detail,
    }


def _event_time(time: str | datetime) -> str:
    """Events carry whole-second UTC times: 2026-03-15T16:10:11Z."""
    if isinstance(time, datetime):
        if time.tzinfo is None:
            raise ValueError("a naive datetime is ambiguous; give the event time in UTC")
        return time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return time


def _require_status(field_name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{field_name} {value!r} is never carried by this event; expected one of {', '.join(allowed)}")


def _require_optional_status(field_name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None:
        _require_status(field_name, value, allowed)


def _require_failure_reason_iff_failed(status: str, failure_reason: str | None, required: bool) -> None:
    if failure_reason is not None and status != "Failed":
        raise ValueError(f"a failure reason is only carried when the status is Failed, not {status!r}")
    if required and status == "Failed" and not failure_reason:
        raise ValueError("a Failed status carries a failure reason; give failure_reason")


def _without_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}
