"""Runbooks as code: the plan, the docs page, refusal in prod, idempotence, and each step failing by name."""

import pytest

from simulacro.cli import main
from simulacro.runbooks import RUNBOOKS, RunbookRefused
from simulacro.runbooks.docs import PAGE, render
from support.drill_runner import assert_drills_report


def test_the_runbook_page_is_generated_from_the_code():
    assert PAGE.read_text() == render(), "docs/runbooks.md is stale: run `python -m simulacro runbook-docs`"


def test_dry_run_prints_the_plan_and_touches_nothing(capsys):
    assert main(["runbook", "regression-after-promotion", "--endpoint", "churn-staging", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "plan, nothing done" in out and "1. freeze: freeze promotion" in out and "open incident" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["runbook", "endpoint-not-responding", "--dry-run"], "needs --endpoint"),
        (
            ["runbook", "endpoint-not-responding", "--endpoint", "churn-prod", "--env", "staging", "--dry-run"],
            "unknown endpoint 'churn-prod' in staging",
        ),
        (
            ["runbook", "recurring-pipeline-failure", "--pipeline", "churn-training", "--env", "qa", "--dry-run"],
            "unknown environment 'qa'",
        ),
    ],
)
def test_bad_input_is_one_clear_line(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_runbook_refuses_prod_unless_the_spec_allows_it(provisioned, stack):
    runbook = RUNBOOKS["regression-after-promotion"](stack, provisioned, "prod", endpoint="churn-prod")
    with pytest.raises(RunbookRefused, match="may not run in prod.*allow_runbooks; nothing was done"):
        runbook.run()


def test_on_a_healthy_system_a_runbook_does_nothing_and_says_so(provisioned, stack):
    run = RUNBOOKS["endpoint-not-responding"](stack, provisioned, "staging", endpoint="churn-staging").run()
    assert run.outcome == "nothing to do" and "nothing to roll back" in run.message
    writes = [
        c for s in run.steps for c in s.calls if not c["operation"].startswith(("Describe", "List", "Get", "Invoke"))
    ]
    assert writes == []


def test_a_deployment_that_recorded_nothing_fails_at_the_step_that_needs_it(provisioned, stack):
    sagemaker = provisioned.client("sagemaker", "staging")
    original = sagemaker.describe_endpoint(EndpointName="churn-staging")["EndpointConfigName"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=original)
    model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    sagemaker.create_model(
        ModelName="churn-untracked",
        ExecutionRoleArn=model["ExecutionRoleArn"],
        PrimaryContainer={
            **model["PrimaryContainer"],
            "Environment": {"SIMULACRO_MODEL_ARTIFACT": "models/churn/v3-broken-image.json"},
        },
    )
    variants = [{**config["ProductionVariants"][0], "ModelName": "churn-untracked"}]
    sagemaker.create_endpoint_config(
        EndpointConfigName="churn-untracked",
        ProductionVariants=[
            {
                k: v
                for k, v in variants[0].items()
                if k in ("VariantName", "ModelName", "InitialInstanceCount", "InstanceType")
            }
        ],
    )
    sagemaker.update_endpoint(
        EndpointName="churn-staging", EndpointConfigName="churn-untracked"
    )  # a deploy tool that records nothing
    provisioned.clock.sleep(600)
    try:
        run = RUNBOOKS["endpoint-not-responding"](stack, provisioned, "staging", endpoint="churn-staging").run()
        assert run.outcome == "failed"
        assert run.message.startswith(
            "runbook endpoint-not-responding failed at step 'find previous config': no previous config is recorded"
        )
    finally:
        sagemaker.update_endpoint(EndpointName="churn-staging", EndpointConfigName=original)
        provisioned.clock.sleep(600)


def previous_config_deleted(target):
    sagemaker = target.client("sagemaker", "staging")
    sagemaker.delete_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName="churn-staging")["EndpointConfigName"]
    )


def promotion_rule_missing(target):
    events = target.client("events", "staging")
    events.remove_targets(Rule="churn-promotion", Ids=["deployer"])
    events.delete_rule(Name="churn-promotion")


@pytest.mark.parametrize(
    "breaker, selection, message",
    [
        (
            previous_config_deleted,
            "test_endpoint_not_responding",
            "failed at step 'find previous config': the recorded previous config churn-staging-",
        ),
        (
            promotion_rule_missing,
            "test_recurring_pipeline",
            "failed at step 'block promotions': promotion rule churn-promotion is declared in the spec but missing live",
        ),
    ],
)
def test_incident_drill_fails_naming_the_runbook_step_and_why(pytester, breaker, selection, message):
    assert_drills_report(pytester, breaker, "test_incidents.py", [message], extra=("-k", selection))
