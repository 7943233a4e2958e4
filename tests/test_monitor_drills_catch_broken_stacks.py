"""The Model Monitor drills fail, saying what is wrong, when capture is off or samples nothing, when the schedule
is stopped, when the baseline in S3 is another version's, and when the drift alarm's threshold is out of reach."""
import csv

import pytest
from drill_runner import all_of, change_alarm, run_drills

from simulacro.baselines import BASELINES, build_baseline
from simulacro.emulator import overlay
from simulacro.emulator.endpoints import UPDATING_SECONDS

MONITOR = "test_model_monitor.py"
VARIANT_KEYS = ("VariantName", "ModelName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight")


@pytest.fixture(autouse=True)
def outer_overlay_kept():
    """The in-process run's LocalAws.stop() uninstalls the process-wide overlay even when an outer LocalAws (the
    drills' session target, when drills and tests share a process) still needs it: give that one back."""
    outer = overlay._active
    yield
    if outer is not None:
        overlay.install(outer)


def capture_changed(target, environment, endpoint, **changes):
    """Deploy a copy of the endpoint's config with its DataCaptureConfig changed, as a hand-made deployment would."""
    sm = target.client("sagemaker", environment)
    config = sm.describe_endpoint_config(EndpointConfigName=sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"])
    name = f"{endpoint}-broken-capture"
    sm.create_endpoint_config(EndpointConfigName=name, DataCaptureConfig={**config["DataCaptureConfig"], **changes},
                              ProductionVariants=[{k: v[k] for k in VARIANT_KEYS if k in v} for v in config["ProductionVariants"]])
    sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=name)
    target.clock.sleep(UPDATING_SECONDS)


def capture_off(target):
    capture_changed(target, "staging", "churn-staging", EnableCapture=False)


def sampling_zero(target):
    capture_changed(target, "prod", "churn-prod", InitialSamplingPercentage=0)


def schedule_stopped(target):
    target.client("sagemaker", "prod").stop_monitoring_schedule(MonitoringScheduleName="churn-prod-data-quality")


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
        target.client("s3", "prod").put_object(Bucket="churn-monitoring-prod", Key="baselines/churn/v1/statistics.json",
                                               Body=statistics)
    return breaker


def assert_reported(result, messages):
    output = result.stdout.str()
    missing = [m for m in messages if m not in output]
    assert not missing, f"not reported: {missing}\n\n{output[-6000:]}"


def test_capture_and_schedule_breakages_fail_the_capture_and_healthy_traffic_drills(pytester):
    result = run_drills(pytester, all_of(capture_off, sampling_zero, schedule_stopped), MONITOR,
                        extra=("-k", "captured_in_the_documented_layout or healthy_traffic and prod"))
    result.assert_outcomes(failed=3)
    assert_reported(result, [
        "data capture of churn-staging (staging), 0 of 1203 requests captured",
        "DescribeEndpoint reports CaptureStatus Stopped: data capture is off, the monitor has nothing to analyse",
        "data capture of churn-prod (prod), 0 of 1203 requests captured",
        "CurrentSamplingPercentage is 0 %, the spec declares 20 %: nothing is captured",
        "no monitoring run of schedule churn-prod-data-quality analysed the window",
        "Schedule churn-prod-data-quality is Stopped: no monitoring run will happen until it is started",
    ])


def test_a_foreign_baseline_and_an_unreachable_threshold_fail_the_monitor_drills(pytester, tmp_path):
    result = run_drills(pytester, all_of(drift_threshold_out_of_reach, baseline_of_another_version(tmp_path)), MONITOR,
                        extra=("-k", "drift_on or healthy_traffic and prod"))
    result.assert_outcomes(failed=2)
    assert_reported(result, [
        "alarm churn-staging-feature-drift (staging) did not enter ALARM within 2h30m: it is OK",
        "Differs from the spec in: Threshold",
        "in-distribution traffic drawn from baseline churn/v1 raised violations in churn-prod-data-quality",
        "baseline_drift_check on monthly_charges",
        "The schedule's statistics.json at s3://churn-monitoring-prod/baselines/churn/v1/statistics.json",
        "is not baseline churn/v1 (manifest sha256",
    ])
