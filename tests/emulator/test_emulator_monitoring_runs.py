"""Monitoring executions of the local AWS: runs at cron times and NOW, reports in S3, statuses, metrics, events."""

import json
from datetime import timedelta

import numpy as np
import pytest
from botocore.exceptions import ClientError

from simulacro.emulator.endpoints import CREATING_SECONDS
from simulacro.emulator.monitoring import SCHEDULING_DELAY_SECONDS
from simulacro.emulator.monitoring_runs import NO_DATA, RUN_SECONDS
from simulacro.monitor import ENDPOINT_NAMESPACE, DriftKind, drifted, in_distribution, to_csv_rows
from simulacro.spec import load_stack
from simulacro.spec.baselines import baseline
from simulacro.target.targets import LocalTarget

CAPTURE, REPORTS = "mm-capture", "mm-reports"
BASELINE = baseline("churn", "v1")
FEATURES = [f["name"] for f in BASELINE.statistics["features"]]
HOURLY = "cron(0 * ? * * *)"


@pytest.fixture(scope="module")
def target(aws):
    target = LocalTarget(load_stack(), aws)
    s3 = target.client("s3")
    for bucket in (CAPTURE, REPORTS):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": target.region})
    for name in ("statistics.json", "constraints.json"):
        s3.put_object(Bucket=REPORTS, Key=f"baselines/churn/v1/{name}", Body=(BASELINE.directory / name).read_bytes())
    target.client("sagemaker").create_model(
        ModelName="churn-v3",
        ExecutionRoleArn=f"arn:aws:iam::{target.account()}:role/model",
        PrimaryContainer={"Image": "sklearn", "Environment": {"SIMULACRO_MODEL_ARTIFACT": "models/churn/v3.json"}},
    )
    return target


def make_endpoint(target, name):
    sm = target.client("sagemaker")
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "churn-v3",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
        DataCaptureConfig={
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": f"s3://{CAPTURE}/datacapture",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
        },
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    target.clock.sleep(CREATING_SECONDS)
    return name


def make_schedule(
    target,
    name,
    endpoint,
    expression=HOURLY,
    statistics="baselines/churn/v1/statistics.json",
    environment=None,
    **window,
):
    target.client("sagemaker").create_monitoring_schedule(
        MonitoringScheduleName=name,
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": expression, **window},
            "MonitoringType": "DataQuality",
            "MonitoringJobDefinition": {
                "BaselineConfig": {
                    "StatisticsResource": {"S3Uri": f"s3://{REPORTS}/{statistics}"},
                    "ConstraintsResource": {"S3Uri": f"s3://{REPORTS}/baselines/churn/v1/constraints.json"},
                },
                "MonitoringInputs": [
                    {"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input"}}
                ],
                "MonitoringOutputConfig": {
                    "MonitoringOutputs": [{"S3Output": {"S3Uri": f"s3://{REPORTS}/reports", "LocalPath": "/out"}}]
                },
                "MonitoringResources": {
                    "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}
                },
                "MonitoringAppSpecification": {"ImageUri": "monitor-analyzer"},
                "RoleArn": f"arn:aws:iam::{target.account()}:role/monitor",
                **({"Environment": environment} if environment else {}),
            },
        },
    )
    return name


def send(target, endpoint, kind=None, n=600, minutes=10):
    """`n` requests drawn from the baseline (drifted by `kind` on monthly_charges) over the next `minutes`."""
    rng = np.random.default_rng(7)
    columns = (
        drifted(BASELINE.statistics, n, "monthly_charges", kind, rng)
        if kind
        else in_distribution(BASELINE.statistics, n, rng)
    )
    target.traffic(
        endpoint,
        "staging",
        requests_per_minute=n / minutes,
        duration_seconds=minutes * 60,
        payloads=to_csv_rows(columns, FEATURES),
    )


def next_hour(target):
    now = target.clock.now()
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def sleep_until(target, moment):
    target.clock.sleep((moment - target.clock.now()).total_seconds())


def executions(target, schedule):
    found = target.client("sagemaker").list_monitoring_executions(
        MonitoringScheduleName=schedule, SortOrder="Ascending"
    )
    return found["MonitoringExecutionSummaries"]


def run_of(target, schedule, scheduled):
    return next(e for e in executions(target, schedule) if e["ScheduledTime"] == scheduled)


def report(target, execution, name):
    job = target.client("sagemaker").describe_processing_job(
        ProcessingJobName=execution["ProcessingJobArn"].rsplit("/", 1)[-1]
    )
    uri = job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    return uri, json.loads(target.client("s3").get_object(Bucket=bucket, Key=f"{prefix}/{name}")["Body"].read())


def metric(target, name, endpoint, schedule, at):
    response = target.client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Period": 60,
                    "Stat": "Maximum",
                    "Metric": {
                        "Namespace": ENDPOINT_NAMESPACE,
                        "MetricName": name,
                        "Dimensions": [
                            {"Name": "Endpoint", "Value": endpoint},
                            {"Name": "MonitoringSchedule", "Value": schedule},
                        ],
                    },
                },
            }
        ],
        StartTime=at - timedelta(minutes=1),
        EndTime=at + timedelta(minutes=1),
    )
    result = response["MetricDataResults"][0]
    return dict(zip(result["Timestamps"], result["Values"]))


def test_an_hourly_schedule_runs_at_each_hour_on_the_hour_before(target):
    endpoint = make_endpoint(target, "hourly")
    schedule = make_schedule(target, "hourly-dq", endpoint)
    first = next_hour(target)
    sleep_until(target, first)
    send(target, endpoint)
    second = first + timedelta(hours=1)
    sleep_until(target, second + timedelta(seconds=1))
    assert run_of(target, schedule, second)["MonitoringExecutionStatus"] == "InProgress"
    target.clock.sleep(RUN_SECONDS)
    runs = executions(target, schedule)
    assert [(e["ScheduledTime"], e["MonitoringExecutionStatus"]) for e in runs] == [
        (first, "Failed"),
        (second, "Completed"),
    ]
    assert runs[0]["FailureReason"].startswith(NO_DATA)  # the hour before the first run held nothing
    assert runs[1]["EndpointName"] == endpoint and runs[1]["MonitoringType"] == "DataQuality"
    assert runs[1]["LastModifiedTime"] == second + timedelta(seconds=RUN_SECONDS)
    described = target.client("sagemaker").describe_monitoring_schedule(MonitoringScheduleName=schedule)
    assert described["LastMonitoringExecutionSummary"]["ScheduledTime"] == second


def test_reports_land_under_output_endpoint_schedule_and_hour(target):
    endpoint = make_endpoint(target, "reported")
    schedule = make_schedule(target, "reported-dq", endpoint)
    start = next_hour(target)
    sleep_until(target, start)
    send(target, endpoint, n=300)
    sleep_until(target, start + timedelta(hours=1, seconds=RUN_SECONDS))
    execution = run_of(target, schedule, start + timedelta(hours=1))
    uri, statistics = report(target, execution, "statistics.json")
    assert uri == f"s3://{REPORTS}/reports/{endpoint}/{schedule}/{start + timedelta(hours=1):%Y/%m/%d/%H}"
    assert statistics["dataset"]["item_count"] == 300
    assert [f["name"] for f in statistics["features"]] == FEATURES
    assert report(target, execution, "constraint_violations.json")[1] == {"violations": []}


def test_drifted_traffic_completes_with_violations_and_publishes_the_drift(target):
    endpoint = make_endpoint(target, "drifting")
    schedule = make_schedule(target, "drifting-dq", endpoint)
    start = next_hour(target)
    sleep_until(target, start)
    send(target, endpoint, DriftKind.MEAN_SHIFT)
    scheduled = start + timedelta(hours=1)
    sleep_until(target, scheduled + timedelta(seconds=RUN_SECONDS))
    execution = run_of(target, schedule, scheduled)
    assert execution["MonitoringExecutionStatus"] == "CompletedWithViolations"
    violations = report(target, execution, "constraint_violations.json")[1]["violations"]
    assert [(v["feature_name"], v["constraint_check_type"]) for v in violations] == [
        ("monthly_charges", "baseline_drift_check")
    ]
    drift = metric(target, "feature_baseline_drift_monthly_charges", endpoint, schedule, scheduled)
    assert list(drift) == [scheduled] and drift[scheduled] > 0.1  # timestamped at the run
    assert metric(target, "feature_non_null_contract", endpoint, schedule, scheduled) == {scheduled: 1.0}
    data = metric(target, "feature_data_monthly_charges", endpoint, schedule, scheduled)[scheduled]
    assert data > BASELINE.statistics["features"][1]["numerical_statistics"]["mean"]  # the statistic set's average


def test_metrics_are_not_published_when_the_job_disables_them(target):
    endpoint = make_endpoint(target, "quiet")
    schedule = make_schedule(target, "quiet-dq", endpoint, environment={"publish_cloudwatch_metrics": "Disabled"})
    start = next_hour(target)
    sleep_until(target, start)
    send(target, endpoint, n=200)
    scheduled = start + timedelta(hours=1)
    sleep_until(target, scheduled + timedelta(seconds=RUN_SECONDS))
    assert run_of(target, schedule, scheduled)["MonitoringExecutionStatus"] == "Completed"
    assert metric(target, "feature_baseline_drift_monthly_charges", endpoint, schedule, scheduled) == {}


def test_a_window_without_captured_data_fails_with_the_reason_and_no_report(target):
    endpoint = make_endpoint(target, "idle")
    schedule = make_schedule(target, "idle-dq", endpoint)
    scheduled = next_hour(target)
    sleep_until(target, scheduled + timedelta(seconds=RUN_SECONDS))
    execution = run_of(target, schedule, scheduled)
    assert execution["MonitoringExecutionStatus"] == "Failed"
    assert execution["FailureReason"].startswith(
        f"{NO_DATA}: no captured request of endpoint {endpoint} between "
        f"{scheduled - timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}"
    )
    job = target.client("sagemaker").describe_processing_job(
        ProcessingJobName=execution["ProcessingJobArn"].rsplit("/", 1)[-1]
    )
    assert job["ProcessingJobStatus"] == "Failed" and job["FailureReason"] == execution["FailureReason"]
    assert metric(target, "feature_baseline_drift_monthly_charges", endpoint, schedule, scheduled) == {}


def test_an_unreadable_baseline_fails_the_run(target):
    endpoint = make_endpoint(target, "orphan")
    schedule = make_schedule(target, "orphan-dq", endpoint, statistics="baselines/churn/v9/statistics.json")
    start = next_hour(target)
    sleep_until(target, start)
    send(target, endpoint, n=100)
    scheduled = start + timedelta(hours=1)
    sleep_until(target, scheduled + timedelta(seconds=RUN_SECONDS))
    execution = run_of(target, schedule, scheduled)
    assert execution["MonitoringExecutionStatus"] == "Failed"
    assert f"s3://{REPORTS}/baselines/churn/v9/statistics.json could not be read" in execution["FailureReason"]


def test_a_stopped_schedule_does_not_run_until_started(target):
    endpoint = make_endpoint(target, "paused")
    schedule = make_schedule(target, "paused-dq", endpoint)
    target.clock.sleep(SCHEDULING_DELAY_SECONDS)
    sm = target.client("sagemaker")
    sm.stop_monitoring_schedule(MonitoringScheduleName=schedule)
    target.clock.sleep(2 * 3600)
    assert executions(target, schedule) == []
    sm.start_monitoring_schedule(MonitoringScheduleName=schedule)
    resumed = next_hour(target)
    sleep_until(target, resumed + timedelta(seconds=RUN_SECONDS))
    assert [e["ScheduledTime"] for e in executions(target, schedule)] == [resumed]


def test_now_runs_once_over_its_analysis_window(target):
    endpoint = make_endpoint(target, "adhoc")
    send(target, endpoint, n=120, minutes=2)
    target.clock.sleep(120)
    created = target.clock.now()
    schedule = make_schedule(
        target, "adhoc-dq", endpoint, expression="NOW", DataAnalysisStartTime="-PT1H", DataAnalysisEndTime="-PT0H"
    )
    target.clock.sleep(3 * 3600)
    runs = executions(target, schedule)
    assert [(e["ScheduledTime"], e["MonitoringExecutionStatus"]) for e in runs] == [
        (created + timedelta(seconds=SCHEDULING_DELAY_SECONDS), "Completed")
    ]
    assert report(target, runs[0], "statistics.json")[1]["dataset"]["item_count"] == 120


@pytest.mark.parametrize(
    "window, problem",
    [
        ({}, "requires both DataAnalysisStartTime and DataAnalysisEndTime"),
        ({"DataAnalysisStartTime": "-PT25H", "DataAnalysisEndTime": "-PT0H"}, "more than 24 hours"),
        ({"DataAnalysisStartTime": "-PT0H", "DataAnalysisEndTime": "-PT1H"}, "must precede"),
        ({"DataAnalysisStartTime": "an hour ago", "DataAnalysisEndTime": "-PT0H"}, "Invalid ISO 8601 duration"),
    ],
)
def test_now_needs_a_valid_analysis_window(target, window, problem):
    with pytest.raises(ClientError, match=problem):
        make_schedule(target, "refused-dq", "adhoc", expression="NOW", **window)


def test_each_run_is_a_processing_job_with_its_state_change_events(target):
    sqs, events = target.client("sqs"), target.client("events")
    schedule_arn = f"arn:aws:sagemaker:{target.region}:{target.account()}:monitoring-schedule/evented-dq"
    url = sqs.create_queue(QueueName="monitoring-jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule_arn = events.put_rule(
        Name="monitoring-jobs",
        EventPattern=json.dumps(
            {
                "source": ["aws.sagemaker"],
                "detail-type": ["SageMaker Processing Job State Change"],
                "detail": {"MonitoringScheduleArn": [schedule_arn]},
            }
        ),
    )["RuleArn"]
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "Policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": queue_arn,
                            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
                        }
                    ]
                }
            )
        },
    )
    events.put_targets(Rule="monitoring-jobs", Targets=[{"Id": "queue", "Arn": queue_arn}])
    endpoint = make_endpoint(target, "evented")
    schedule = make_schedule(target, "evented-dq", endpoint)
    scheduled = next_hour(target)
    sleep_until(target, scheduled + timedelta(seconds=RUN_SECONDS))
    execution = run_of(target, schedule, scheduled)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    details = [json.loads(m["Body"])["detail"] for m in messages]
    assert [(d["ProcessingJobArn"], d["ProcessingJobStatus"]) for d in details] == [
        (execution["ProcessingJobArn"], "InProgress"),
        (execution["ProcessingJobArn"], "Failed"),
    ]
    assert details[1]["FailureReason"] == execution["FailureReason"] and schedule == "evented-dq"
