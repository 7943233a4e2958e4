"""The pre-promotion gate on a candidate: a healthy candidate is promotable (exit 0), each broken kind is not
(exit 1, naming the reason), a renamed variant is refused naming the variant and the alarms it would blind,
and a bad candidate file is refused before anything runs, naming file, line and path."""

import json

import pytest

from simulacro.drill.candidate.compatibility import WatchedToday, incompatibilities
from simulacro.drill.candidate.verdict import judge
from simulacro.emulator.local_model import ModelLoadError, load_model, with_behaviour
from simulacro.provision.deployments import endpoint_config_for_package
from simulacro.spec import load_stack
from simulacro.spec.candidate import CandidateError, load_candidate
from support.drill_runner import ROOT, run_drills

CANDIDATES = ROOT / "fixtures" / "candidates"
GATE = "test_candidate_gate.py"
HEALTHY = (CANDIDATES / "healthy.yaml").read_text()


def gate(pytester, candidate, *extra, evidence=False):
    """The gate's verdict and output; the run's inventories only with `evidence` (the verdict does not read them)."""
    return run_drills(pytester, None, GATE, extra=("--candidate", str(candidate), *extra), evidence=evidence)


# --- whole runs of the gate --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_healthy_candidate_is_promotable_and_the_gate_exits_0(pytester, tmp_path):
    bundle, html = tmp_path / "gate.json", tmp_path / "gate.html"
    result = gate(
        pytester,
        CANDIDATES / "healthy.yaml",
        "--evidence",
        str(bundle),
        f"--html={html}",
        "--self-contained-html",
        evidence=True,
    )
    output = result.stdout.str()
    assert result.ret == 0, output[-4000:]
    assert "candidate churn-v5: promotable" in output
    verdict = json.loads(bundle.read_text())["candidate"]
    assert verdict["verdict"] == "promotable" and not verdict["reasons"]
    assert {
        "static compatibility",
        "deployment through the team's path",
        "control run on the candidate",
        "the way back",
    } <= set(verdict["proven"])
    report = html.read_text()
    assert report.index("candidate churn-v5: promotable") < report.index("Run ")  # the report's first section


@pytest.mark.slow
def test_the_local_replica_is_left_on_the_current_model(pytester, tmp_path):
    seen = {}

    class Inspect:
        def pytest_simulacro_provisioned(self, target):
            seen["target"] = target
            sagemaker = target.client("sagemaker", "staging")
            seen["config"] = sagemaker.describe_endpoint(EndpointName="churn-staging")["EndpointConfigName"]
            seen["packages"] = len(
                sagemaker.list_model_packages(ModelPackageGroupName="churn-models")["ModelPackageSummaryList"]
            )

        def pytest_runtest_logfinish(self, nodeid):
            if "rolled_back_and" not in nodeid:
                return  # the guardrail drill comes next: the local AWS is still up after this one's teardown
            sagemaker = seen["target"].client("sagemaker", "staging")
            seen["config_after"] = sagemaker.describe_endpoint(EndpointName="churn-staging")["EndpointConfigName"]
            seen["packages_after"] = len(
                sagemaker.list_model_packages(ModelPackageGroupName="churn-models")["ModelPackageSummaryList"]
            )
            seen["configs_after"] = [
                c["EndpointConfigName"]
                for c in sagemaker.list_endpoint_configs(NameContains="churn-staging-package-")["EndpointConfigs"]
            ]

    args = [
        str(ROOT / "drills" / GATE),
        f"--rootdir={ROOT}",
        "-p",
        "no:cacheprovider",
        "-q",
        "--candidate",
        str(CANDIDATES / "healthy.yaml"),
        "-k",
        "deploys_through or rolled_back_and or guardrail",
    ]
    result = pytester.runpytest_inprocess(*args, plugins=[Inspect()])
    outcomes = result.parseoutcomes()  # exit 1: the rest was deselected, so no verdict of promotable
    assert outcomes.get("passed", 0) >= 2 and not outcomes.get("failed"), result.stdout.str()[-3000:]
    assert seen["config_after"] == seen["config"]
    assert seen["packages_after"] == seen["packages"] and seen["configs_after"] == []


@pytest.mark.parametrize(
    "kind, drill, reasons",
    [
        (
            "fails-to-start",
            "deploys_through",
            [
                "candidate churn-v5-fails-to-start did not reach InService on churn-staging",
                "did not pass the ping health check",
                "is still serving",
            ],
        ),
        # Caught by the guardrail while it deploys (FailureReason names the alarm), or else by the control run.
        ("answers-5xx", "deploys_through or control_run", ["churn-staging-5xx-rate"]),
        ("answers-slowly", "deploys_through or control_run", ["churn-staging-latency-p95"]),
        (
            "dropped-capture",
            "keeps_everything",
            [
                "monitoring schedule churn-staging-data-quality [DataCaptureConfig.EnableCapture]",
                "churn-staging-feature-drift would go blind",
            ],
        ),
        ("smaller-instance", "keeps_everything", ["[ProductionVariants[0].InstanceType]", "churn-staging-latency-p95"]),
    ],
)
def test_each_broken_candidate_is_not_promotable_and_the_gate_exits_1(pytester, kind, drill, reasons):
    result = gate(pytester, CANDIDATES / f"{kind}.yaml", "-k", drill)
    output = result.stdout.str()
    assert result.ret == 1, output[-4000:]
    assert f"candidate churn-v5-{kind}: not promotable" in output
    missing = [reason for reason in reasons if reason not in output]
    assert not missing, f"the gate did not say {missing}:\n{output[-4000:]}"


@pytest.mark.parametrize("variant", ["Blue", "Primary"])
def test_a_candidate_renaming_only_the_variant_is_refused_naming_it_and_the_alarms_it_would_blind(
    pytester, tmp_path, variant
):
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(HEALTHY.replace("variant_name: AllTraffic", f"variant_name: {variant}"))
    result = gate(pytester, renamed, "-k", "keeps_everything")
    output = result.stdout.str()
    assert result.ret == 1, output[-4000:]
    assert "candidate churn-v5: not promotable" in output
    assert (
        f"renames variant AllTraffic of churn-staging to {variant}: it would blind alarm(s) churn-staging-5xx-rate, "
        "churn-staging-latency-p95, churn-staging-latency-p99" in output
    )


def test_without_a_candidate_the_candidate_drills_skip_with_one_line(pytester):
    result = run_drills(pytester, None, GATE, extra=("-k", "keeps_everything", "-rs"))
    output = result.stdout.str()
    assert result.ret == 0 and "no --candidate given" in output and "promotable" not in output


def test_a_package_arn_needs_a_real_account(pytester):
    arn = "arn:aws:sagemaker:eu-west-1:210987654321:model-package/churn-models/7"
    result = gate(pytester, arn)
    assert result.ret == 4
    assert (
        "a model package ARN is read from a real account; add --target aws" in result.stderr.str() + result.stdout.str()
    )


def test_a_bad_candidate_file_stops_the_gate_with_exit_4_naming_file_and_line(pytester, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEALTHY.replace("instance_count: 1", "instance_count: none"))
    result = gate(pytester, bad)
    text = result.stderr.str() + result.stdout.str()
    assert result.ret == 4, text[-3000:]
    line = HEALTHY.splitlines().index("  instance_count: 1") + 1
    assert f"{bad}:{line}: endpoint_config.instance_count:" in text


# --- the candidate file --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec():
    return load_stack()


def _problems(tmp_path, spec, text):
    path = tmp_path / "candidate.yaml"
    path.write_text(text)
    with pytest.raises(CandidateError) as caught:
        load_candidate(path, spec, ROOT / "fixtures")
    return str(caught.value), path


def _line(text, fragment):
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    "change, where, fragment, expected",
    [
        (("error_rate: 0\n", "error_rate: 1.5\n"), "behaviour.error_rate", "error_rate:", "less than or equal to 1"),
        (
            ("group: churn-models", "group: churn-modles"),
            "model_package.group",
            "group:",
            "no model package group 'churn-modles' in the stack spec (declared: churn-models)",
        ),
        (
            ("model_data: s3://", "model_data: https://"),
            "model_package.model_data",
            "model_data:",
            "does not match the required pattern",
        ),
        (
            ("variant_name: AllTraffic", "variant_name: All_Traffic"),
            "endpoint_config.variant_name",
            "variant_name:",
            "does not match the required pattern",
        ),
        (
            ("  instance_count: 1\n", "  instance_count: 1\n  instance_cuont: 2\n"),
            "endpoint_config.instance_cuont",
            "instance_cuont",
            "unknown field",
        ),
        (("latency_ms: 40", "latency_ms: fast"), "behaviour.latency_ms", "latency_ms:", "should be a valid number"),
        (
            ("  instance_type: ml.m5.large\n", ""),
            "endpoint_config.instance_type",
            "endpoint_config:",
            "required field is missing",
        ),
        (
            ("  model_data:", "  artifact: models/churn/v9.json\n  model_data:"),
            "model_package.artifact",
            "artifact:",
            "no model artifact models/churn/v9.json",
        ),
        (("behaviour:\n", "behaviour:\n  latency_ms: 10\n"), "behaviour.latency_ms", "latency_ms: 40", "appears twice"),
    ],
)
def test_candidate_file_problems_name_file_line_path_and_what_was_expected(
    tmp_path, spec, change, where, fragment, expected
):
    text = HEALTHY.replace(*change)
    assert text != HEALTHY
    message, path = _problems(tmp_path, spec, text)
    assert f"{path}:{_line(text, fragment)}: {where}: " in message, message
    assert expected in message and "nothing was deployed" in message, message


def test_a_candidate_whose_group_no_promotion_rule_deploys_must_name_its_endpoint(tmp_path, spec):
    message, path = _problems(tmp_path, spec, "endpoint: churn-prod\n" + HEALTHY)
    assert f"{path}:7: model_package.group: no model package group 'churn-models' in prod" in message
    message, _ = _problems(tmp_path, spec, "endpoint: churn-stagin\n" + HEALTHY)
    assert f"{path}:1: endpoint: no endpoint named 'churn-stagin'" in message


def test_candidate_file_not_yaml_or_missing(tmp_path, spec):
    message, path = _problems(tmp_path, spec, "name: [unclosed\n")
    assert f"{path}:2: <top>: not valid YAML" in message
    with pytest.raises(CandidateError, match="file not found"):
        load_candidate(tmp_path / "absent.yaml", spec)


def test_every_example_candidate_loads(spec):
    for path in sorted(CANDIDATES.glob("*.yaml")):
        loaded = load_candidate(path, spec, ROOT / "fixtures")
        assert loaded.endpoint_name == "churn-staging" and loaded.environment == "staging", path


# --- the parts, as data ------------------------------------------------------------------------------------------

SERVING = {
    "ProductionVariants": [
        {
            "VariantName": "AllTraffic",
            "ModelName": "m",
            "InitialInstanceCount": 2,
            "InstanceType": "ml.m5.xlarge",
            "InitialVariantWeight": 1.0,
        }
    ],
    "DataCaptureConfig": {
        "EnableCapture": True,
        "InitialSamplingPercentage": 50,
        "DestinationS3Uri": "s3://capture/data",
        "CaptureOptions": [{"CaptureMode": "Input"}],
    },
}
CAPTURE_NOW = {"EnableCapture": True, "CurrentSamplingPercentage": 50, "DestinationS3Uri": "s3://capture/data"}


def _alarm(name, metric, **dims):
    return {
        "AlarmName": name,
        "MetricName": metric,
        "Namespace": "AWS/SageMaker",
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
    }


def _today(**extra):
    base = dict(
        endpoint="ep",
        serving_config=SERVING,
        capture=CAPTURE_NOW,
        alarms=[
            _alarm("lat", "ModelLatency", EndpointName="ep", VariantName="AllTraffic"),
            _alarm("other-endpoint", "ModelLatency", EndpointName="other", VariantName="AllTraffic"),
        ],
    )
    return WatchedToday(**{**base, **extra})


def _config(**metadata):
    keys = {k: f"endpoint-config:{k.replace('_', '-')}" for k in metadata}
    return endpoint_config_for_package(SERVING, {keys[k]: v for k, v in metadata.items()}, "candidate")


def test_a_copy_of_the_serving_config_is_compatible():
    assert incompatibilities(_today(), _config()) == []


def test_a_larger_instance_of_the_same_family_and_more_instances_are_compatible():
    assert incompatibilities(_today(), _config(instance_type="ml.m5.2xlarge", instance_count="3")) == []


@pytest.mark.parametrize(
    "metadata, subject, field",
    [
        ({"variant_name": "Green"}, "alarm lat", "ProductionVariants[0].VariantName"),
        ({"instance_count": "1"}, "alarm lat", "ProductionVariants[0].InitialInstanceCount"),
        ({"instance_type": "ml.m5.large"}, "alarm lat", "ProductionVariants[0].InstanceType"),
        ({"instance_type": "ml.c5.xlarge"}, "alarm lat", "ProductionVariants[0].InstanceType"),
        ({"capture": "off"}, "capture of ep", "DataCaptureConfig.EnableCapture"),
        ({"capture_sampling_percentage": "10"}, "capture of ep", "DataCaptureConfig.InitialSamplingPercentage"),
        ({"capture_destination": "s3://elsewhere/data"}, "capture of ep", "DataCaptureConfig.DestinationS3Uri"),
    ],
)
def test_each_incompatibility_names_what_stops_watching_and_the_field(metadata, subject, field):
    found = incompatibilities(_today(), _config(**metadata))
    assert [(i.subject, i.field) for i in found] == [(subject, field)], found


def test_a_rule_naming_the_variant_and_a_metric_math_alarm_are_caught_by_a_rename():
    math_alarm = {
        "AlarmName": "errors",
        "Metrics": [
            {
                "Id": "e",
                "MetricStat": {
                    "Metric": {
                        "MetricName": "Invocation5XXErrors",
                        "Dimensions": [
                            {"Name": "EndpointName", "Value": "ep"},
                            {"Name": "VariantName", "Value": "AllTraffic"},
                        ],
                    }
                },
            }
        ],
    }
    rules = {
        "variant-rule": '{"detail": {"EndpointName": ["ep"], "VariantName": ["AllTraffic"]}}',
        "other": '{"detail": {"EndpointName": ["other"]}}',
    }
    found = incompatibilities(_today(alarms=[math_alarm], rules=rules), _config(variant_name="Green"))
    assert {i.subject for i in found} == {"alarm errors", "rule variant-rule"}


def test_capture_off_blinds_each_schedule_of_the_endpoint_and_its_alarms():
    schedule = {
        "MonitoringScheduleName": "dq",
        "MonitoringScheduleConfig": {
            "MonitoringJobDefinition": {"MonitoringInputs": [{"EndpointInput": {"EndpointName": "ep"}}]}
        },
    }
    drift = {
        "AlarmName": "drift",
        "MetricName": "feature_baseline_drift_x",
        "Namespace": "aws/sagemaker/Endpoints/data-metrics",
        "Dimensions": [{"Name": "Endpoint", "Value": "ep"}, {"Name": "MonitoringSchedule", "Value": "dq"}],
    }
    found = incompatibilities(_today(schedules=[schedule], alarms=[drift]), _config(capture="off"))
    assert "monitoring schedule dq" in {i.subject for i in found}
    assert any("alarm drift would go blind" in i.message for i in found)


def test_the_candidate_model_serves_its_behaviour():
    model = load_model("models/churn/v3.json")
    assert with_behaviour(model, {}) is model
    served = with_behaviour(model, {"SIMULACRO_ERROR_RATE": "0.3", "SIMULACRO_LATENCY_MS": "900"})
    assert served.error_rate == 0.3 and served.latency_median_us == 900_000 and "30%" in served.error_message
    with pytest.raises(ModelLoadError, match="fails to start"):
        with_behaviour(model, {"SIMULACRO_FAILS_TO_START": "true"})


def test_the_verdict_needs_every_required_part_and_a_green_stack(spec):
    candidate = load_candidate(CANDIDATES / "healthy.yaml", spec, ROOT / "fixtures")
    drills = [
        {"drill": f"drills/test_candidate_gate.py::{name}", "outcome": "passed", "message": ""}
        for name in (
            "test_candidate_keeps_everything_that_watches_the_endpoint",
            "test_candidate_deploys_through_the_promotion_path",
            "test_candidate_passes_the_control_run",
            "test_candidate_can_be_rolled_back_and_deployed_again",
        )
    ]
    assert judge(candidate, drills, {}).promotable
    broken_stack = drills + [
        {"drill": "drills/test_inventory.py::test_x[staging]", "outcome": "failed", "message": "no"}
    ]
    assert "other gate drill" in judge(candidate, broken_stack, {}).reasons[0]
    skipped = {drills[2]["drill"]: "refused on prod"}
    verdict = judge(candidate, drills[:2] + drills[3:], skipped)
    assert not verdict.promotable and verdict.reasons == [
        "control run on the candidate was not proven: refused on prod"
    ]


# --- a real model package read back as a candidate (the --target aws path, against the local AWS) -----------------


def _package(sagemaker, metadata):
    return sagemaker.create_model_package(
        ModelPackageGroupName="churn-models",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [
                {
                    "Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:5",
                    "ModelDataUrl": "s3://churn-models-staging/churn/v5/model.tar.gz",
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **({"CustomerMetadataProperties": metadata} if metadata else {}),
    )["ModelPackageArn"]


def test_a_package_arn_becomes_the_candidate_the_deployer_would_build(provisioned, stack):
    from simulacro.drill.candidate.package import candidate_config, candidate_from_package

    sagemaker = provisioned.client("sagemaker", "staging")
    plain = _package(sagemaker, None)
    renamed = _package(sagemaker, {"endpoint-config:variant-name": "Blue", "endpoint-config:capture": "off"})
    try:
        as_is = candidate_from_package(sagemaker, plain, stack, "staging")
        assert (as_is.endpoint_name, as_is.package_arn, as_is.model_package.group) == (
            "churn-staging",
            plain,
            "churn-models",
        )
        assert as_is.endpoint_config.variant_name == "AllTraffic" and as_is.endpoint_config.capture.enabled
        asked = candidate_from_package(sagemaker, renamed, stack, "staging")
        assert asked.endpoint_config.variant_name == "Blue"
        serving = sagemaker.describe_endpoint_config(
            EndpointConfigName=sagemaker.describe_endpoint(EndpointName="churn-staging")["EndpointConfigName"]
        )
        config = candidate_config(asked, serving)
        assert config["ProductionVariants"][0]["VariantName"] == "Blue"
        assert not config["DataCaptureConfig"]["EnableCapture"]
    finally:
        for arn in (plain, renamed):
            sagemaker.delete_model_package(ModelPackageName=arn)


def test_a_deleted_package_version_is_never_numbered_again(provisioned):
    """As on AWS: the gate deletes its candidate packages, and the next registration must not reuse their ARNs."""
    sagemaker = provisioned.client("sagemaker", "staging")
    first, second = (_package(sagemaker, None) for _ in range(2))
    sagemaker.delete_model_package(ModelPackageName=second)
    sagemaker.delete_model_package(ModelPackageName=first)
    third = _package(sagemaker, None)
    try:
        assert int(third.rsplit("/", 1)[-1]) > int(second.rsplit("/", 1)[-1])
    finally:
        sagemaker.delete_model_package(ModelPackageName=third)
