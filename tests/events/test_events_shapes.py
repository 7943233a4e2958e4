"""The event builders produce the documented shapes, and refuse what the events never carry."""

from datetime import datetime, timezone

import pytest

from simulacro.events import (
    DOCUMENTED_EVENTS,
    alarm_metric,
    alarm_state,
    alarm_state_change,
    endpoint_state_change,
    endpoint_status_to_event,
    event_matches,
    model_package_state_change,
    pipeline_execution_arn,
    pipeline_execution_status_change,
    pipeline_step_status_change,
    processing_job_state_change,
    sagemaker_arn,
    training_job_state_change,
)

ENVELOPE_KEYS = ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
WHERE = {
    "account": "123456789012",
    "region": "eu-west-1",
    "time": "2026-03-15T16:10:11Z",
    "id": "315c1398-40ff-a850-213b-158f73e60175",
}
PIPELINE_ARN = sagemaker_arn("eu-west-1", "123456789012", "pipeline", "churn-train")
EXECUTION_ARN = pipeline_execution_arn("eu-west-1", "123456789012", "churn-train", "p4jn9xou8a8s")
ENDPOINT_ARN = sagemaker_arn("eu-west-1", "123456789012", "endpoint", "churn-staging")


def pipeline_failed():
    return pipeline_execution_status_change(
        pipeline_arn=PIPELINE_ARN,
        pipeline_execution_arn=EXECUTION_ARN,
        display_name="nightly",
        current_status="Failed",
        previous_status="Executing",
        execution_start_time="2026-03-15T16:03:13Z",
        execution_end_time="2026-03-15T16:10:10Z",
        **WHERE,
    )


def step_failed():
    return pipeline_step_status_change(
        pipeline_arn=PIPELINE_ARN,
        pipeline_execution_arn=EXECUTION_ARN,
        step_name="Preprocess",
        step_type="Processing",
        current_status="Failed",
        previous_status="Executing",
        step_start_time="2026-03-15T16:03:13Z",
        step_end_time="2026-03-15T16:05:00Z",
        metadata={"processingJob": {"arn": "arn:aws:sagemaker:eu-west-1:123456789012:processing-job/pre"}},
        failure_reason="ClientError: bad input",
        **WHERE,
    )


def training_failed():
    return training_job_state_change(
        job_name="churn-train-1",
        job_arn="arn:aws:sagemaker:eu-west-1:123456789012:training-job/churn-train-1",
        status="Failed",
        secondary_status="Failed",
        creation_time=1773590593000,
        last_modified_time=1773590993000,
        failure_reason="AlgorithmError: out of memory",
        **WHERE,
    )


def processing_completed():
    return processing_job_state_change(
        job_name="monitor-1",
        job_arn="arn:aws:sagemaker:eu-west-1:123456789012:processing-job/monitor-1",
        status="Completed",
        creation_time=1773590593000,
        last_modified_time=1773590993000,
        monitoring_schedule_arn="arn:aws:sagemaker:eu-west-1:123456789012:monitoring-schedule/churn",
        **WHERE,
    )


def model_package_approved():
    return model_package_state_change(
        group_name="churn",
        version=3,
        package_arn="arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3",
        package_status="Completed",
        approval_status="Approved",
        creation_time="2026-03-15T16:00:00.000Z",
        last_modified_time="2026-03-15T16:10:00.000Z",
        generated_by=EXECUTION_ARN,
        updated_fields=["ModelApprovalStatus"],
        **WHERE,
    )


def endpoint_in_service():
    return endpoint_state_change(
        endpoint_name="churn-staging",
        endpoint_arn=ENDPOINT_ARN,
        endpoint_config_name="churn-staging-v2",
        status="InService",
        creation_time=1773590593000,
        last_modified_time=1773590993000,
        **WHERE,
    )


def alarm_in_alarm():
    return alarm_state_change(
        alarm_name="churn-staging-5xx",
        alarm_arn="arn:aws:cloudwatch:eu-west-1:123456789012:alarm:churn-staging-5xx",
        state=alarm_state("ALARM", "Threshold Crossed", "2026-03-15T16:10:11.123+0000", reason_data="{}"),
        previous_state=alarm_state("OK", "Threshold Crossed", "2026-03-15T15:00:00.000+0000"),
        metrics=[
            alarm_metric(
                "m1",
                "AWS/SageMaker",
                "Invocation5XXErrors",
                {"EndpointName": "churn-staging", "VariantName": "AllTraffic"},
                60,
                "Average",
            )
        ],
        **WHERE,
    )


BUILT = [
    pipeline_failed,
    step_failed,
    training_failed,
    processing_completed,
    model_package_approved,
    endpoint_in_service,
    alarm_in_alarm,
]


@pytest.mark.parametrize("build", BUILT, ids=[build.__name__ for build in BUILT])
def test_built_event_has_the_envelope_in_documented_order(build):
    event = build()
    assert list(event) == ENVELOPE_KEYS
    assert event["version"] == "0"
    assert (event["account"], event["region"], event["time"], event["id"]) == tuple(WHERE.values())


@pytest.mark.parametrize("build", BUILT, ids=[build.__name__ for build in BUILT])
def test_built_event_carries_only_documented_detail_fields(build):
    event = build()
    documented = DOCUMENTED_EVENTS[(event["source"], event["detail-type"])]
    assert set(event["detail"]) <= set(documented.detail_fields)


@pytest.mark.parametrize("build", BUILT, ids=[build.__name__ for build in BUILT])
def test_built_event_status_fields_hold_documented_values(build):
    event = build()
    documented = DOCUMENTED_EVENTS[(event["source"], event["detail-type"])]
    for path, allowed in documented.status_values.items():
        value = _at(event["detail"], path)
        assert value is None or value in allowed, path


@pytest.mark.parametrize("build", BUILT, ids=[build.__name__ for build in BUILT])
def test_built_event_matches_the_rule_for_its_source_and_detail_type(build):
    event = build()
    assert event_matches({"source": [event["source"]], "detail-type": [event["detail-type"]]}, event)


def test_pipeline_execution_event_is_camel_case_with_both_arns_as_resources():
    event = pipeline_failed()
    assert event["detail"]["currentPipelineExecutionStatus"] == "Failed"
    assert event["detail"]["previousPipelineExecutionStatus"] == "Executing"
    assert event["resources"] == [PIPELINE_ARN, EXECUTION_ARN]
    assert EXECUTION_ARN.endswith(":pipeline/churn-train/execution/p4jn9xou8a8s")


def test_step_event_names_the_job_it_ran_and_why_it_failed():
    detail = step_failed()["detail"]
    assert detail["metadata"]["processingJob"]["arn"].endswith("processing-job/pre")
    assert detail["failureReason"] == "ClientError: bad input"


def test_failure_reason_only_when_failed():
    with pytest.raises(ValueError):
        training_job_state_change(
            job_name="j",
            job_arn="arn",
            status="Completed",
            secondary_status="Completed",
            creation_time=1,
            last_modified_time=2,
            failure_reason="nope",
            **WHERE,
        )
    with pytest.raises(ValueError):
        training_job_state_change(
            job_name="j",
            job_arn="arn",
            status="Failed",
            secondary_status="Failed",
            creation_time=1,
            last_modified_time=2,
            **WHERE,
        )


def test_endpoint_event_carries_upper_snake_status_and_epoch_millisecond_times():
    detail = endpoint_in_service()["detail"]
    assert detail["EndpointStatus"] == "IN_SERVICE"
    assert isinstance(detail["CreationTime"], int)
    assert detail["ProductionVariants"] == [{"DesiredWeight": 1.0, "DesiredInstanceCount": 1}]
    assert detail["Tags"] == {}


@pytest.mark.parametrize(
    "api_status, event_status",
    [
        ("InService", "IN_SERVICE"),
        ("Failed", "FAILED"),
        ("Creating", "CREATING"),
        ("UpdateRollbackFailed", "UPDATE_ROLLBACK_FAILED"),
        ("OutOfService", "OUT_OF_SERVICE"),
        ("SystemUpdating", "SYSTEM_UPDATING"),
        ("RollingBack", "ROLLING_BACK"),
    ],
)
def test_endpoint_status_to_event_spells_api_statuses_as_events_do(api_status, event_status):
    assert endpoint_status_to_event(api_status) == event_status


def test_endpoint_status_to_event_refuses_unknown_statuses():
    with pytest.raises(ValueError):
        endpoint_status_to_event("IN_SERVICE")


def test_model_package_event_is_pascal_case_with_integer_version():
    detail = model_package_approved()["detail"]
    assert detail["ModelPackageVersion"] == 3
    assert detail["ModelApprovalStatus"] == "Approved"
    assert detail["MetadataProperties"] == {"GeneratedBy": EXECUTION_ARN}
    assert detail["UpdatedModelPackageFields"] == ["ModelApprovalStatus"]


def test_alarm_event_has_state_previous_state_and_metric_configuration():
    event = alarm_in_alarm()
    assert event["source"] == "aws.cloudwatch"
    assert event["detail"]["state"]["value"] == "ALARM"
    assert event["detail"]["previousState"]["value"] == "OK"
    metric = event["detail"]["configuration"]["metrics"][0]
    assert metric["metricStat"]["metric"]["namespace"] == "AWS/SageMaker"
    assert metric["returnData"] is True


@pytest.mark.parametrize(
    "build",
    [
        lambda: pipeline_execution_status_change(
            pipeline_arn="a",
            pipeline_execution_arn="b",
            display_name="d",
            current_status="FAILED",
            execution_start_time="t",
            **WHERE,
        ),
        lambda: model_package_state_change(
            group_name="g",
            version=1,
            package_arn="a",
            package_status="Completed",
            approval_status="approved",
            creation_time="t",
            last_modified_time="t",
            **WHERE,
        ),
        lambda: endpoint_state_change(
            endpoint_name="e",
            endpoint_arn="a",
            endpoint_config_name="c",
            status="Ready",
            creation_time=1,
            last_modified_time=1,
            **WHERE,
        ),
        lambda: alarm_state("Alarm", "r", "t"),
    ],
)
def test_builders_refuse_statuses_the_event_never_carries(build):
    with pytest.raises(ValueError):
        build()


def test_account_must_be_twelve_digits():
    with pytest.raises(ValueError):
        endpoint_state_change(
            endpoint_name="e",
            endpoint_arn="a",
            endpoint_config_name="c",
            status="CREATING",
            creation_time=1,
            last_modified_time=1,
            account="1234",
            region="eu-west-1",
            time="2026-03-15T16:10:11Z",
            id="x",
        )


def test_event_time_may_be_an_aware_datetime():
    event = endpoint_state_change(
        endpoint_name="e",
        endpoint_arn="a",
        endpoint_config_name="c",
        status="CREATING",
        creation_time=1,
        last_modified_time=1,
        account="123456789012",
        region="eu-west-1",
        time=datetime(2026, 3, 15, 16, 10, 11, 500000, tzinfo=timezone.utc),
        id="x",
    )
    assert event["time"] == "2026-03-15T16:10:11Z"


def _at(detail: dict, dotted: str):
    value = detail
    for part in dotted.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
