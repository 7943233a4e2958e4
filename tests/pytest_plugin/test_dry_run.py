"""`--dry-run` prints, for each drill, the faults it would inject, where, and the expectations with their
budgets, rehearsed on the local AWS, and changes nothing on the target: against a moto server posing as
the account, only reads reach it."""

import pytest

from support.aws_double import EndpointCalls, SandboxProcess, run_on_aws, use_credentials
from support.drill_runner import ROOT

SELECTION = "5xx_errors or alarms_exist or (notification and staging-5xx) or undeliverable and pipeline-failed-policy"


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    sandbox = SandboxProcess(tmp_path_factory.mktemp("sandbox"))
    yield sandbox
    sandbox.stop()


def _dry_run(pytester, monkeypatch, tmp_path, account, environment, keys, *args):
    use_credentials(monkeypatch, keys, tmp_path)
    calls = EndpointCalls(monkeypatch)
    result = run_on_aws(pytester, "--env", environment, "--endpoint-url", account.url, "--dry-run", *args)
    return result, result.stdout.str(), calls.to(account.url)


def test_a_dry_run_prints_each_fault_where_and_the_budgets_and_only_reads_the_account(
    pytester, monkeypatch, tmp_path, account
):
    keys = {k: account.exports[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    result, output, calls = _dry_run(pytester, monkeypatch, tmp_path, account, "staging", keys, "-k", SELECTION)
    assert result.ret == 0, output
    assert calls and ("sts", "GetCallerIdentity") in calls
    changing = [(s, op) for s, op in calls if not op.startswith(("Describe", "List", "Get"))]
    # IAM policy simulation changes nothing either: it evaluates the identity's policies.
    assert set(changing) <= {("iam", "SimulatePrincipalPolicy")}, changing
    assert (
        "DRY RUN" in output
        and "nothing was changed on" in output
        and "environment staging (account 210987654321)" in output
    )
    plan = output[output.index("simulacro dry run") :]
    assert (
        "drills/test_endpoint_alarms.py::test_5xx_errors_page_the_on_call[churn-staging]  (endpoint, staging)" in plan
    )
    assert (
        "    would inject: 5xx on 50% of requests to churn-staging  [endpoint churn-staging, mechanism CustomAttributes "
        "error-rate:0.5]"
    ) in plan
    assert "    then expect:  churn-staging-5xx-rate ALARM budget 4m" in plan
    assert "    then expect:  time to notify (churn-staging-5xx-rate) within 1m" in plan
    assert "    then expect:  churn-staging-5xx-rate OK budget 5m" in plan
    assert (
        "    would inject: rule churn-pipeline-failed: target ops-queue made unreachable (policy)  [rule churn-pipeline-failed, "
        "target ops-queue, how policy]"
    ) in plan
    assert "    injects nothing (reads and compares only)" in plan
    assert plan.count("rehearsal on the local AWS: passed") == 4


def test_a_dry_run_on_prod_shows_the_destructive_drills_it_would_skip(pytester, monkeypatch, tmp_path, account):
    keys = account.others["prod"]
    result, output, calls = _dry_run(
        pytester, monkeypatch, tmp_path, account, "prod", keys, "-m", "destructive and events"
    )
    assert result.ret == 0, output
    assert (
        "    would be skipped: destructive drill refused on prod: environments.prod.allow_destructive in the spec allows "
        "nothing; add 'test_failed_endpoint_update_is_delivered' (or 'all') there to run it on prod"
    ) in output
    assert all(op.startswith(("Describe", "List", "Get", "Simulate")) for _, op in calls)


def test_a_local_dry_run_prints_the_plan_too(pytester):
    result = pytester.runpytest_inprocess(
        str(ROOT / "drills" / "test_pipeline_alarms.py"),
        f"--rootdir={ROOT}",
        "-p",
        "no:cacheprovider",
        "-q",
        "--dry-run",
        "-k",
        "train-step",
    )
    output = result.stdout.str()
    assert result.ret == 0, output
    assert (
        "would inject: pipeline churn-training: step Train made to fail  [pipeline churn-training, parameter SimulacroFailStep, value Train]"
        in output
    )
    assert "then expect:  churn-pipeline-train-step-failed ALARM budget 3m" in output


def test_the_prod_plan_names_nothing_prod_does_not_have(pytester, monkeypatch, tmp_path, account):
    """The rehearsal of a prod run reaches prod only: no staging pipeline, endpoint or rule in the plan; the control
    run and every drill that writes (traffic included) would be skipped."""
    result, output, calls = _dry_run(
        pytester, monkeypatch, tmp_path, account, "prod", account.others["prod"], "-m", "endpoint or monitor or runbook"
    )
    assert result.ret == 0, output
    plan = output[output.index("simulacro dry run") :]
    assert "churn-training" not in plan and "churn-staging" not in plan, plan
    assert "test_healthy_traffic_and_a_clean_pipeline_run_raise_no_alarm" in plan
    for drill in (
        "test_healthy_traffic_and_a_clean_pipeline_run_raise_no_alarm",
        "test_requests_are_captured_in_the_documented_layout",
    ):
        assert f"add '{drill}' (or 'all') there to run it on prod" in plan, plan
