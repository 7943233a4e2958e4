"""The N-model platform (`scale-spec`) and the lookups that find one model's resources, never the first of a kind."""

import pytest
import yaml

from simulacro.cli import main
from simulacro.errors import BadInput
from simulacro.spec import load_stack
from simulacro.spec.model import Stack
from simulacro.spec.paths import DEFAULT_SPEC
from simulacro.spec.scale import scaled_spec, write_scaled_spec

ONE = yaml.safe_load(DEFAULT_SPEC.read_text())


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    return load_stack(write_scaled_spec(3, tmp_path_factory.mktemp("scale") / "stack.yaml"))


def test_every_resource_is_copied_under_each_model_name(three):
    base = load_stack()
    for kind in (
        "alarms",
        "rules",
        "endpoints",
        "pipelines",
        "topics",
        "queues",
        "monitoring_schedules",
        "model_package_groups",
    ):
        assert len(getattr(three, kind)) == 3 * len(getattr(base, kind)), kind
    assert {e.name for e in three.endpoints} == {
        f"{m}-{env}" for m in ("churn", "churn2", "churn3") for env in ("staging", "prod")
    }
    assert three.model_families() == ["churn", "churn2", "churn3"]


def test_the_copies_rename_patterns_dimensions_and_references(three):
    rule = three.rule("churn2-endpoint-state-staging")
    assert rule.pattern["detail"]["EndpointName"] == ["churn2-staging"]
    assert three.rule("churn3-pipeline-failed").pattern["detail"]["pipelineArn"] == [
        {"suffix": "pipeline/churn3-training"}
    ]
    alarm = three.alarm("churn2-staging-5xx-rate")
    assert {ref.dimensions["EndpointName"] for ref in alarm.metric_refs} == {"churn2-staging"}
    assert alarm.actions.alarm == ["churn2-oncall-staging"]
    assert three.rule("churn3-promotion").deploys_endpoint == "churn3-staging"


def test_what_names_no_model_is_declared_once_and_files_are_shared(three):
    names = [g.name for g in three.log_groups]
    assert names.count("/aws/sagemaker/TrainingJobs") == 1 and len(names) == len(set(names))
    assert {m.artifact for m in three.models} == {"models/churn/v3.json"}
    assert {s.baseline.model for s in three.monitoring_schedules} == {"churn"}


def test_guard_alarms_of_every_model_guard_prod(three):
    assert three.environments["prod"].guard_alarms == [
        "churn-prod-5xx-rate",
        "churn2-prod-5xx-rate",
        "churn3-prod-5xx-rate",
    ]
    assert three.environments["staging"].allow_runbooks == load_stack().environments["staging"].allow_runbooks


def test_fixture_folders_are_linked_beside_the_written_spec(tmp_path):
    write_scaled_spec(2, tmp_path / "out" / "stack.yaml")
    assert (tmp_path / "out" / "models" / "churn" / "v3.json").is_file()
    assert (tmp_path / "out" / "baselines" / "churn").is_dir()


@pytest.mark.parametrize("count", [0, -1, 65])
def test_a_bad_count_is_refused(count):
    with pytest.raises(BadInput, match="between 1 and 64"):
        scaled_spec(ONE, count)


def test_a_model_the_spec_does_not_name_is_refused():
    with pytest.raises(BadInput, match="names no resource after the model 'fraud'"):
        scaled_spec(ONE, 2, base="fraud")


def test_the_command_writes_the_spec_and_refuses_bad_input(tmp_path, capsys):
    assert main(["scale-spec", "2", "--out", str(tmp_path / "two.yaml")]) == 0
    assert "churn, churn2" in capsys.readouterr().out
    assert len(load_stack(tmp_path / "two.yaml").endpoints) == 4
    assert main(["scale-spec", "0", "--out", str(tmp_path / "none.yaml")]) == 2
    assert "between 1 and 64" in capsys.readouterr().err
    assert main(["scale-spec", "2", "--out", str(tmp_path / "x.yaml"), "--spec", str(tmp_path / "missing.yaml")]) == 2


# --- lookups by the resource a drill works on -------------------------------------------------------


def test_the_endpoint_rule_is_the_one_naming_the_endpoint_not_the_first_of_the_environment(three):
    for model in ("churn", "churn2", "churn3"):
        endpoint = three.endpoint(f"{model}-staging", "staging")
        assert [r.name for r in three.rules_for(endpoint, "endpoint")] == [f"{model}-endpoint-state-staging"]
        assert [r.name for r in three.promotion_rules_for(endpoint)] == [f"{model}-promotion"]
        assert [g.name for g in three.model_package_groups_of(endpoint)] == [f"{model}-models"]
        assert three.model_of(endpoint).name == f"{model}-v3"
        assert [a.name for a in three.alarms_watching(endpoint, "ModelLatency", "p99")] == [
            f"{model}-staging-latency-p99"
        ]
        assert three.incident_topic("staging", endpoint.name).name == f"{model}-incidents-staging"
        pipeline = three.pipeline(f"{model}-training", "staging")
        assert [a.name for a in three.pipeline_alarms(pipeline, "ExecutionFailed")] == [
            f"{model}-pipeline-execution-failed"
        ]


def test_a_name_shared_by_environments_needs_the_environment():
    stack = load_stack()
    assert stack.model("churn-v3", "prod").environment == "prod"
    with pytest.raises(KeyError, match="several environments"):
        stack.model("churn-v3")
    with pytest.raises(KeyError, match="no endpoint named 'churn-staging' in environment 'prod'"):
        stack.endpoint("churn-staging", "prod")


def test_the_model_of_an_endpoint_is_the_one_of_its_environment():
    document = yaml.safe_load(DEFAULT_SPEC.read_text())
    document["models"][1]["artifact"] = "models/churn/v4.json"  # same name in prod, another artifact
    stack = Stack.model_validate(document)
    assert stack.model_of(stack.endpoint("churn-prod")).artifact == "models/churn/v4.json"
    assert stack.model_of(stack.endpoint("churn-staging")).artifact == "models/churn/v3.json"


def test_alarms_on_an_endpoint_name_shared_by_environments_stay_in_the_endpoints_environment():
    document = yaml.safe_load(
        yaml.safe_dump(ONE).replace("churn-prod", "churn-staging")
    )  # one endpoint name, two accounts
    stack = Stack.model_validate(document)
    prod = stack.endpoint("churn-staging", "prod")
    assert {a.environment for a in stack.alarms_watching(prod, "Invocation5XXErrors")} == {"prod"}
    assert {r.environment for r in stack.rules_for(prod, "endpoint")} == {"prod"}


def test_a_failing_pipeline_blocks_the_promotion_of_its_own_model(three):
    for model in ("churn", "churn2", "churn3"):
        pipeline = three.pipeline(f"{model}-training", "staging")
        assert [r.name for r in three.promotion_rules_fed_by(pipeline)] == [f"{model}-promotion"]
    one = load_stack()
    assert [r.name for r in one.promotion_rules_fed_by(one.pipeline("churn-training"))] == ["churn-promotion"]
