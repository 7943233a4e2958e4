"""`python -m simulacro cleanup --run-id ...` removes what a crashed run left behind (a run killed before it
could roll back), puts back what it changed, touches nothing of another run, and refuses the wrong account."""

import pytest

from simulacro import cli
from simulacro.drill.event_expectations import RuleListener
from simulacro.drill.faults.deployment import update_endpoint
from simulacro.drill.faults.model_package import register_model_package
from simulacro.drill.faults.pipeline import start_failing_execution
from simulacro.drill.faults.rule_target import make_unreachable
from simulacro.drill.faults.steps import forget
from simulacro.drill.probes import ProbeQueue
from simulacro.gameday.cleanup import cleanup, find_leftovers
from simulacro.provision import conformance, inventory
from simulacro.spec import load_stack
from simulacro.target.targets import AwsTarget
from support.aws_double import SandboxProcess, use_credentials

RUN = "20261127101500-dead01"


def crash_a_run(target, stack, run_id=RUN):
    """Everything a drill puts in place, and nothing undone, as if the run had been killed with SIGKILL (the
    faults' own functions are called directly: their undo is returned and dropped)."""
    target.run_id = run_id
    staging = lambda service: target.client(service, "staging")  # noqa: E731
    ProbeQueue(target, "staging", run_id, "notifications").subscribe(
        f"arn:aws:sns:eu-west-1:{stack.account('staging')}:churn-oncall-staging"
    )
    RuleListener(target, stack.rule("churn-pipeline-failed"), run_id)
    for rule, how in (("churn-pipeline-failed", "policy"), ("churn-model-package-state", "missing")):
        arn = staging("events").describe_rule(Name=rule)["Arn"]
        make_unreachable(
            staging("events"), staging("sqs"), staging("sns"), rule, arn, "ops-queue", how, run_id, undo=forget
        )
    update_endpoint(
        staging("sagemaker"), target.clock, stack.endpoint("churn-staging"), run_id, broken=False, undo=forget
    )
    register_model_package(staging("sagemaker"), "churn-models", run_id, undo=forget)
    start_failing_execution(staging("sagemaker"), stack.pipeline("churn-training"), "Evaluate", run_id, undo=forget)
    target.clock.sleep(600)  # the update finished long ago; the execution is still running
    target.run_id = None


@pytest.fixture(scope="module")
def crashed(provisioned, stack):
    crash_a_run(provisioned, stack)
    return provisioned


def test_the_leftovers_of_a_crashed_run_are_found_by_its_run_id(crashed, stack):
    found = {(f.kind, f.name.split(" ")[0]) for f in find_leftovers(crashed, stack, "staging", RUN)}
    kinds = {kind for kind, _ in found}
    assert {
        "probe queue",
        "probe target",
        "rule target",
        "queue policy statement",
        "endpoint",
        "endpoint config",
        "model package",
        "pipeline execution",
    } <= kinds, found
    # Another run's id finds only what carries no run id (a deny statement, a running drill execution).
    other = {f.kind for f in find_leftovers(crashed, stack, "staging", "20261127000000-other")}
    assert other <= {"queue policy statement", "pipeline execution"}, other


def test_a_dry_run_of_the_cleanup_lists_and_changes_nothing(crashed, stack):
    lines = []
    listed = cleanup(crashed, stack, RUN, dry_run=True, report=lines.append)
    assert lines and all(line.startswith("would ") for line in lines)
    assert len(find_leftovers(crashed, stack, "staging", RUN)) == len([f for f in listed if f.environment == "staging"])


def test_cleanup_removes_them_and_the_stack_equals_the_spec_again(crashed, stack):
    cleanup(crashed, stack, RUN, report=lambda line: None)
    crashed.clock.sleep(3600)  # the endpoint's update back to its own config, and the stopped execution, settle
    assert find_leftovers(crashed, stack, "staging", RUN) == []
    live = inventory(crashed, "staging")
    assert [f for check in conformance.CHECKS.values() for f in conformance.findings(check, stack, live)] == []
    assert (
        live.find("endpoints", "churn-staging")["config"].startswith("churn-staging-")
        and "simulacro" not in live.find("endpoints", "churn-staging")["config"]
    )
    policies = {q["name"]: q["policy"] or "" for q in live.queues}
    assert "SimulacroDenyRule" not in policies["churn-ops-events-staging"]


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    sandbox = SandboxProcess(tmp_path_factory.mktemp("sandbox"))
    yield sandbox
    sandbox.stop()


def _keys(account, environment="staging"):
    source = account.exports if environment == "staging" else account.others[environment]
    return {k: source[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}


def test_the_command_cleans_an_account_through_its_endpoint(account, monkeypatch, tmp_path, capsys):
    use_credentials(monkeypatch, _keys(account), tmp_path)
    stack = load_stack()
    target = AwsTarget(stack, "staging", endpoint_url=account.url)
    target.run_id = RUN
    ProbeQueue(target, "staging", RUN, "notifications")
    RuleListener(target, stack.rule("churn-endpoint-state-staging"), RUN)
    register_model_package(target.client("sagemaker"), "churn-models", RUN, undo=forget)
    assert cli.main(["cleanup", "--run-id", RUN, "--env", "staging", "--endpoint-url", account.url]) == 0
    printed = capsys.readouterr().out
    assert f"cleanup of run {RUN} in {account.url}, environment staging (account 210987654321)" in printed
    assert "staging: probe queue simulacro-probe-" in printed and "staging: model package arn:aws:sagemaker" in printed
    assert (
        "4 leftover(s) removed, 0 failed to remove, 0 to look at by hand" in printed
    )  # two probe queues, a probe target, a package
    assert cli.main(["cleanup", "--run-id", RUN, "--env", "staging", "--endpoint-url", account.url]) == 0
    assert "nothing left behind" in capsys.readouterr().out


def test_the_command_refuses_the_wrong_account(account, monkeypatch, tmp_path, capsys):
    use_credentials(monkeypatch, _keys(account, "staging"), tmp_path)
    assert cli.main(["cleanup", "--run-id", RUN, "--env", "prod", "--endpoint-url", account.url]) == 2
    printed = capsys.readouterr()
    assert "names account 345678901234 for environment 'prod'" in printed.err and "Nothing was changed" in printed.err
