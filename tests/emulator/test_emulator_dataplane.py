"""InvokeEndpoint and simulated traffic of the local AWS: the fixture model, faults, metrics, capture."""

import json
import math
from datetime import timedelta

import numpy as np
import pytest
from botocore.exceptions import ClientError

from simulacro.emulator.capture import RECORDS_PER_FILE
from simulacro.emulator.dataplane import (
    FAULT_ATTRIBUTE_TAG,
    NAMESPACE,
    Dataplane,
    Faults,
    FaultSyntaxError,
    parse_faults,
)
from simulacro.emulator.endpoints import CREATING_SECONDS
from simulacro.emulator.local_model import FIXTURES
from simulacro.emulator.metric_store import MetricStore, metric_key
from simulacro.spec import load_stack
from simulacro.target.targets import LocalTarget

BUCKET = "capture-bucket"
ROWS = ["40,51.58,2046.1,month-to-month,3,electronic-check", "43,79.8,3519.71,two-year,3,credit-card"]
FAULTY = {FAULT_ATTRIBUTE_TAG: "simulacro-fault"}
ENDPOINTS = {  # name: (config, tags)
    "scored": ("full-capture", {}),
    "refusing": ("full-capture", {}),
    "faulty": ("no-capture", FAULTY),
    "slow": ("no-capture", FAULTY),
    "deaf": ("no-capture", {}),
    "captured": ("full-capture", FAULTY),
    "sampled": ("fifth-capture", FAULTY),
    "busy": ("no-capture", FAULTY),
    "lost": ("lost-capture", {}),
}


@pytest.fixture(scope="module")
def target(aws):
    target = LocalTarget(load_stack(), aws)
    sm = target.client("sagemaker")
    target.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": target.region})
    sm.create_model(
        ModelName="churn-v3",
        ExecutionRoleArn=f"arn:aws:iam::{target.account()}:role/model",
        PrimaryContainer={"Image": "sklearn", "Environment": {"SIMULACRO_MODEL_ARTIFACT": "models/churn/v3.json"}},
    )
    for config, percentage, bucket in (
        ("full-capture", 100, BUCKET),
        ("fifth-capture", 20, BUCKET),
        ("no-capture", None, BUCKET),
        ("lost-capture", 100, "no-such-bucket"),
    ):
        capture = (
            {
                "DataCaptureConfig": {
                    "EnableCapture": True,
                    "InitialSamplingPercentage": percentage,
                    "DestinationS3Uri": f"s3://{bucket}/datacapture",
                    "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                    "CaptureContentTypeHeader": {
                        "CsvContentTypes": ["text/csv"],
                        "JsonContentTypes": ["application/json"],
                    },
                }
            }
            if percentage
            else {}
        )
        sm.create_endpoint_config(
            EndpointConfigName=config,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "churn-v3",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
            **capture,
        )
    for name, (config, tags) in ENDPOINTS.items():
        if name != "busy":
            sm.create_endpoint(
                EndpointName=name, EndpointConfigName=config, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
            )
    aws.clock.sleep(CREATING_SECONDS)
    sm.create_endpoint(EndpointName="busy", EndpointConfigName="no-capture")
    return target


@pytest.fixture
def runtime(target):
    return target.client("sagemaker-runtime")


def invoke(runtime, endpoint, body, content_type="text/csv", **extra):
    answer = runtime.invoke_endpoint(EndpointName=endpoint, Body=body, ContentType=content_type, **extra)
    return answer["Body"].read().decode(), answer


def test_csv_rows_are_scored_by_the_fixture_model_in_order(runtime):
    body, answer = invoke(runtime, "scored", "\n".join(ROWS))
    assert [float(v) for v in body.splitlines()] == pytest.approx([_expected(r) for r in ROWS], abs=1e-6)
    assert answer["ContentType"] == "text/csv"
    assert answer["InvokedProductionVariant"] == "AllTraffic"


def test_json_instances_are_answered_in_json(runtime):
    features = json.loads((FIXTURES / "models/churn/v3.json").read_text())["features"]
    instances = [dict(zip(features, row.split(","))) for row in ROWS[:1]] + [ROWS[1].split(",")]
    body, answer = invoke(runtime, "scored", json.dumps({"instances": instances}), "application/json")
    assert answer["ContentType"] == "application/json"
    assert [p["score"] for p in json.loads(body)["predictions"]] == pytest.approx(
        [_expected(r) for r in ROWS], abs=1e-6
    )


def test_a_missing_endpoint_is_a_validation_error(runtime, target):
    with pytest.raises(ClientError) as refused:
        invoke(runtime, "nowhere", ROWS[0])
    error = refused.value.response
    assert error["Error"]["Code"] == "ValidationError"
    assert error["Error"]["Message"] == f"Endpoint nowhere of account {target.account()} not found."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_an_endpoint_still_creating_answers_nothing(runtime, aws, target):
    with pytest.raises(ClientError, match="Endpoint busy of account .* not found"):
        invoke(runtime, "busy", ROWS[0])
    assert (
        aws.dataplane.traffic(
            target.account(), target.region, "busy", requests_per_minute=60, duration_seconds=60
        ).rejected
        == 60
    )
    assert _samples(aws, target, "busy", "Invocations") == []


def test_a_body_the_model_cannot_read_is_a_model_error_counted_as_4xx(runtime, aws, target):
    with pytest.raises(ClientError) as refused:
        invoke(runtime, "refusing", "1,2,3")
    error = refused.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["OriginalStatusCode"]) == (
        "ModelError",
        424,
        400,
    )
    assert "the model expects 6" in error["OriginalMessage"]
    assert _values(aws, target, "refusing", "Invocation4XXErrors") == [1]
    assert _values(aws, target, "refusing", "Invocation5XXErrors") == [0]
    assert _values(aws, target, "refusing", "InvocationModelErrors") == [1]


def test_an_injected_error_answers_a_model_error_counted_as_5xx(runtime, aws, target):
    with pytest.raises(ClientError) as refused:
        invoke(runtime, "faulty", ROWS[0], CustomAttributes="simulacro-fault=error-rate:1")
    error = refused.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["OriginalStatusCode"]) == (
        "ModelError",
        424,
        500,
    )
    assert "Received server error (500)" in error["Error"]["Message"]
    invoke(runtime, "faulty", ROWS[0])
    at = aws.clock.now().timestamp()
    assert _samples(aws, target, "faulty", "Invocations") == [(at, 1), (at, 1)]
    assert _values(aws, target, "faulty", "Invocation5XXErrors") == [1, 0]
    assert _values(aws, target, "faulty", "Invocation4XXErrors") == [0, 0]
    assert _values(aws, target, "faulty", "InvocationModelErrors") == [1, 0]
    assert aws.metrics.unit(_key(target, "faulty", "Invocations")) == "None"


def test_an_endpoint_that_does_not_declare_faults_ignores_the_attribute(runtime):
    body, _ = invoke(runtime, "deaf", ROWS[0], CustomAttributes="simulacro-fault=error-rate:1;latency-ms:800")
    assert float(body) == pytest.approx(_expected(ROWS[0]), abs=1e-6)


def test_injected_latency_adds_to_the_model_latency_in_microseconds(runtime, aws, target):
    invoke(runtime, "slow", ROWS[0], CustomAttributes="trace=abc, simulacro-fault=latency-ms:800")
    (latency,) = _values(aws, target, "slow", "ModelLatency")
    (overhead,) = _values(aws, target, "slow", "OverheadLatency")
    assert 800_000 < latency < 1_200_000
    assert 0 < overhead < 20_000
    assert aws.metrics.unit(_key(target, "slow", "ModelLatency")) == "Microseconds"
    assert aws.metrics.unit(_key(target, "slow", "OverheadLatency")) == "Microseconds"


@pytest.mark.parametrize(
    "header, faults",
    [
        ("simulacro-fault=error-rate:0.5", Faults(0.5, 0)),
        ("simulacro-fault=error-rate:0.5;latency-ms:800", Faults(0.5, 800)),
        ("simulacro-fault=error-rate:0.5,latency-ms:800", Faults(0.5, 800)),
        ("trace=1; Simulacro-Fault = latency-ms : 250 ; other=x", Faults(0, 250)),
        ("simulacro-fault=error-rate:25%", Faults(0.25, 0)),
        ("simulacro-fault=error-rate:0.1,simulacro-fault=latency-ms:5", Faults(0.1, 5)),
        ("other=error-rate:1", Faults()),
        (None, Faults()),
    ],
)
def test_the_fault_attribute_is_read_whatever_the_separators(header, faults):
    assert parse_faults(header, "simulacro-fault") == faults


@pytest.mark.parametrize(
    "header", ["simulacro-fault=eror-rate:1", "simulacro-fault=error-rate:2", "simulacro-fault=latency-ms:-1"]
)
def test_a_malformed_fault_names_the_syntax(header):
    with pytest.raises(FaultSyntaxError, match="error-rate|latency-ms"):
        parse_faults(header, "simulacro-fault")


def test_a_malformed_fault_attribute_is_refused_by_the_model(runtime):
    with pytest.raises(ClientError) as refused:
        invoke(runtime, "faulty", ROWS[0], CustomAttributes="simulacro-fault=eror-rate:1")
    assert refused.value.response["OriginalStatusCode"] == 400
    assert "expected error-rate" in refused.value.response["OriginalMessage"]


def test_traffic_runs_the_invoke_path_for_thousands_of_requests_in_virtual_time(aws, target):
    aws.clock.sleep(60)  # clear of the single invocations of other tests
    start = aws.clock.now()
    summary = aws.dataplane.traffic(
        target.account(),
        target.region,
        "faulty",
        requests_per_minute=1000,
        duration_seconds=600,
        custom_attributes="simulacro-fault=error-rate:0.5",
        seed=7,
    )
    assert aws.clock.now() == start  # traffic writes samples ahead of the clock, it does not move it
    assert summary.requests == 10_000
    assert 4_700 < summary.errors_5xx < 5_300
    assert summary.errors == summary.errors_5xx and summary.errors_4xx == 0
    window = (start.timestamp(), (start + timedelta(seconds=600)).timestamp())
    invocations = _samples(aws, target, "faulty", "Invocations", *window)
    assert len(invocations) == 10_000
    assert invocations[1][0] - invocations[0][0] == pytest.approx(0.06)
    assert sum(v for _, v in _samples(aws, target, "faulty", "Invocation5XXErrors", *window)) == summary.errors_5xx
    assert 30 < summary.p50_ms < 46 and summary.p50_ms < summary.p95_ms < summary.p99_ms

    replay = Dataplane(aws.clock, MetricStore()).traffic(  # a fresh data plane replays the same draws
        target.account(),
        target.region,
        "faulty",
        requests_per_minute=1000,
        duration_seconds=600,
        custom_attributes="simulacro-fault=error-rate:0.5",
        seed=7,
    )
    assert (replay.errors_5xx, replay.p99_ms) == (summary.errors_5xx, summary.p99_ms)
    aws.clock.sleep(600)
    following = aws.dataplane.traffic(
        target.account(),
        target.region,
        "faulty",
        requests_per_minute=1000,
        duration_seconds=600,
        custom_attributes="simulacro-fault=error-rate:0.5",
        seed=7,
    )
    assert following.p99_ms != summary.p99_ms  # the next call draws afresh


def test_traffic_sends_the_given_payloads_in_turn(aws, target):
    summary = aws.dataplane.traffic(
        target.account(),
        target.region,
        "scored",
        requests_per_minute=60,
        duration_seconds=60,
        payloads=[ROWS[0], "not,a,row"],
    )
    assert (summary.requests, summary.errors_4xx, summary.errors_5xx) == (60, 30, 0)


def test_captured_requests_land_in_s3_in_the_documented_layout(runtime, aws, target):
    body, _ = invoke(runtime, "captured", "\n".join(ROWS), InferenceId="inference-1")
    moment = aws.clock.now()
    prefix = f"datacapture/captured/AllTraffic/{moment:%Y/%m/%d/%H}/"
    records = _records(target, prefix)
    assert len(records) == 1
    record = records[0]
    assert record["captureData"]["endpointInput"] == {
        "observedContentType": "text/csv",
        "mode": "INPUT",
        "data": "\n".join(ROWS),
        "encoding": "CSV",
    }
    assert record["captureData"]["endpointOutput"] == {
        "observedContentType": "text/csv",
        "mode": "OUTPUT",
        "data": body,
        "encoding": "CSV",
    }
    assert record["eventMetadata"]["inferenceTime"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert record["eventMetadata"]["inferenceId"] == "inference-1"
    assert len(record["eventMetadata"]["eventId"]) == 36
    assert record["eventVersion"] == "0"


def test_traffic_is_captured_at_the_sampling_percentage_in_a_few_files(aws, target):
    summary = aws.dataplane.traffic(
        target.account(),
        target.region,
        "sampled",
        requests_per_minute=3000,
        duration_seconds=60,
        custom_attributes="simulacro-fault=error-rate:0.1",
    )
    prefix = f"datacapture/sampled/AllTraffic/{aws.clock.now():%Y/%m/%d/%H}/"
    keys = [o["Key"] for o in target.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]]
    assert len(keys) == math.ceil(summary.captured / RECORDS_PER_FILE)
    assert len(_records(target, prefix)) == summary.captured
    assert 500 < summary.captured < 700  # 20% of the 2,700 requests that succeeded
    assert aws.capture.dropped == 0


def test_capture_to_a_missing_bucket_is_lost_without_failing_the_requests(aws, target):
    dropped = aws.capture.dropped
    summary = aws.dataplane.traffic(
        target.account(), target.region, "lost", requests_per_minute=120, duration_seconds=60
    )
    assert (summary.errors, summary.captured) == (0, 120)
    assert aws.capture.dropped - dropped == 120


def test_ten_thousand_requests_are_cheap_enough_for_a_drill(aws, target):
    summary = aws.dataplane.traffic(
        target.account(), target.region, "captured", requests_per_minute=10_000, duration_seconds=60
    )
    assert (summary.requests, summary.captured, summary.errors) == (10_000, 10_000, 0)


# --- helpers ---------------------------------------------------------------------------


def _expected(row):
    model = json.loads((FIXTURES / "models/churn/v3.json").read_text())
    logit = model["intercept"]
    for feature, value in zip(model["features"], row.split(",")):
        logit += (
            model["numeric"][feature] * float(value)
            if feature in model["numeric"]
            else model["categorical"][feature][value]
        )
    return float(1 / (1 + np.exp(-logit)))


def _key(target, endpoint, name):
    return metric_key(
        target.account(), target.region, NAMESPACE, name, {"EndpointName": endpoint, "VariantName": "AllTraffic"}
    )


def _samples(aws, target, endpoint, name, start=0.0, end=math.inf):
    return aws.metrics.samples(_key(target, endpoint, name), start, end)


def _values(aws, target, endpoint, name):
    return [value for _, value in _samples(aws, target, endpoint, name)]


def _records(target, prefix):
    s3 = target.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]
    return [
        json.loads(line)
        for key in keys
        for line in s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode().splitlines()
    ]
