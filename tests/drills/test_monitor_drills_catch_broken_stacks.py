"""The Model Monitor drills fail, saying what is wrong, when capture is off, samples nothing or is kept forever, when
the schedule is stopped, when the baseline in S3 is another version's or was edited by hand, and when the drift
alarm's threshold is out of reach."""

import csv
import json

from simulacro.emulator.endpoints import UPDATING_SECONDS
from simulacro.spec.baselines import BASELINES, build_baseline
from support.drill_runner import all_of, assert_drills_report, change_alarm

MONITOR = "test_model_monitor.py"
VARIANT_KEYS = ("VariantName", "ModelName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight")


def capture_changed(target, environment, endpoint, **changes):
    """Deploy a copy of the endpoint's config with its DataCaptureConfig changed, as a hand-made deployment would."""
    sm = target.client("sagemaker", environment)
    config = sm.describe_endpoint_config(
        EndpointConfigName=sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    )
    name = f"{endpoint}-broken-capture"
    sm.create_endpoint_config(
        EndpointConfigName=name,
        DataCaptureConfig={**config["DataCaptureConfig"], **changes},
        ProductionVariants=[{k: v[k] for k in VARIANT_KEYS if k in v} for v in config["ProductionVariants"]],
    )
    sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=name)
    target.clock.sleep(UPDATING_SECONDS)


def capture_off(target):
    capture_changed(target, "staging", "churn-staging", EnableCapture=False)


def sampling_zero(target):
    capture_changed(target, "prod", "churn-prod", InitialSamplingPercentage=0)


def schedule_stopped(target):
    target.client("sagemaker", "prod").stop_monitoring_schedule(MonitoringScheduleName="churn-prod-data-quality")


def capture_kept_forever(target):
    target.client("s3", "prod").delete_bucket_lifecycle(Bucket="churn-capture-prod")


def completeness_loosened(target):
    """staging's constraints.json in S3 edited by hand: contract may be half empty."""
    s3, key = target.client("s3", "staging"), "baselines/churn/v1/constraints.json"
    constraints = json.loads(s3.get_object(Bucket="churn-monitoring-staging", Key=key)["Body"].read())
    next(f for f in constraints["features"] if f["name"] == "contract")["completeness"] = 0.5
    s3.put_object(Bucket="churn-monitoring-staging", Key=key, Body=json.dumps(constraints).encode())


def drift_threshold_out_of_reach(target):
    change_alarm(target, "churn-staging-feature-drift", Threshold=1_000_000.0)


def baseline_of_another_version(tmp_path):
    """A baseline built from newer data (monthly charges up 30 %) put in place of v1's statistics.json."""
    source = BASELINES.parent / "datasets" / "churn" / "train.csv"
    rows = list(csv.DictReader(source.open()))
    for row in rows:
        row["monthly_charges"] = f"{float(row['monthly_charges']) * 1.3:.2f}"
    dataset = tmp_path / "train-v2.csv"
    with dataset.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    statistics = (build_baseline(dataset, "churn", "v2", root=tmp_path).directory / "statistics.json").read_bytes()

    def breaker(target):
        target.client("s3", "prod").put_object(
            Bucket="churn-monitoring-prod", Key="baselines/churn/v1/statistics.json", Body=statistics
        )

    return breaker


def test_capture_and_schedule_breakages_fail_the_capture_and_healthy_traffic_drills(pytester):
    breakers = all_of(capture_off, sampling_zero, capture_kept_forever, schedule_stopped)
    assert_drills_report(
        pytester,
        breakers,
        MONITOR,
        extra=("-k", "captured or healthy_traffic and prod"),
        messages=[
            "data capture of churn-prod (prod): bucket churn-capture-prod has no enabled expiration rule covering "
            "s3://churn-capture-prod/datacapture/churn-prod/: captured requests are kept forever (spec: 90 days)",
            "data capture of churn-staging (staging), 0 of 1203 requests captured",
            "DescribeEndpoint reports CaptureStatus Stopped: data capture is off, the monitor has nothing to analyse",
            "data capture of churn-prod (prod), 0 of 1203 requests captured",
            "CurrentSamplingPercentage is 0 %, the spec declares 20 %: nothing is captured",
            "no monitoring run of schedule churn-prod-data-quality analysed the window",
            "Schedule churn-prod-data-quality is Stopped: no monitoring run will happen until it is started",
        ],
    )


def test_baselines_and_thresholds_out_of_true_fail_the_monitor_drills(pytester, tmp_path):
    breakers = all_of(drift_threshold_out_of_reach, completeness_loosened, baseline_of_another_version(tmp_path))
    selection = ("-k", "drift_on or missing_values or healthy_traffic and prod")
    assert_drills_report(
        pytester,
        breakers,
        MONITOR,
        extra=selection,
        messages=[
            "expected only ('contract', 'completeness_check'); run of",
            "ended Completed: no violation. The schedule's constraints.json at "
            "s3://churn-monitoring-staging/baselines/churn/v1/constraints.json",
            "alarm churn-staging-feature-drift (staging) did not enter ALARM within 2h30m: it is OK",
            "Differs from the spec in: Threshold",
            "in-distribution traffic drawn from baseline churn/v1 raised violations in churn-prod-data-quality",
            "baseline_drift_check on monthly_charges",
            "The schedule's statistics.json at s3://churn-monitoring-prod/baselines/churn/v1/statistics.json",
            "is not baseline churn/v1 (manifest sha256",
        ],
    )
