"""`--target aws` against the local AWS posing as the real accounts (wall-clock time, requests signed with
each account's own keys): the account guard stops a run before any change, bad input gets one paragraph,
destructive drills are refused where the spec does not allow them, and the read-only drills run."""

import json
import time

import pytest

from simulacro.emulator.sandbox import Sandbox
from simulacro.gameday.iam import PermissionCheck
from simulacro.provision import apply
from simulacro.spec import load_stack
from simulacro.target.targets import AwsTarget, LocalTarget
from support.aws_double import UNKNOWN_KEYS, ApiCalls, keys_of, run_on_aws, spec_with, use_credentials

STAGING, PROD = "210987654321", "345678901234"


@pytest.fixture(scope="module")
def account():
    sandbox = Sandbox(load_stack(), "staging").start()
    yield sandbox
    sandbox.stop()


def _as(monkeypatch, tmp_path, keys):
    use_credentials(monkeypatch, keys, tmp_path)
    return ApiCalls(monkeypatch)


def test_credentials_of_another_account_stop_the_run_before_any_change(pytester, account, monkeypatch, tmp_path):
    calls = _as(monkeypatch, tmp_path, UNKNOWN_KEYS)
    result = run_on_aws(pytester, "--env", "staging", "--endpoint-url", account.local_aws.url)
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 4, output
    assert (
        "belong to account 123456789012, but" in output
        and f"names account {STAGING} for environment 'staging'" in output
    )
    assert "Nothing was changed" in output and "Traceback" not in output
    assert calls.operations == [("sts", "GetCallerIdentity")]


def test_staging_keys_cannot_run_the_prod_drills(pytester, account, monkeypatch, tmp_path):
    calls = _as(monkeypatch, tmp_path, keys_of(account, "staging"))
    result = run_on_aws(pytester, "--env", "prod", "--endpoint-url", account.local_aws.url)
    output = result.stderr.str()
    assert (
        result.ret == 4
        and f"belong to account {STAGING}" in output
        and f"names account {PROD} for environment 'prod'" in output
    )
    assert calls.changing() == []


@pytest.mark.parametrize(
    "args, variables, expected",
    [
        (["--env", "qa"], {}, "--env qa: "),
        ([], {"AWS_ACCESS_KEY_ID": None}, "no AWS credentials for --target aws"),
        (["--endpoint-url", "http://127.0.0.1:9"], {}, "cannot reach http://127.0.0.1:9"),
        (
            ["--aws-profile", "data-science-user"],
            {},
            "the AWS profile 'data-science-user' (--aws-profile or AWS_PROFILE) is not in",
        ),
        (["--run-id", "no spaces allowed"], {}, "--run-id 'no spaces allowed': use 1 to 40 letters"),
    ],
    ids=["unknown-env", "no-credentials", "unreachable-endpoint", "unknown-profile", "bad-run-id"],
)
def test_bad_input_gets_one_paragraph_and_exit_code_4(
    pytester, account, monkeypatch, tmp_path, args, variables, expected
):
    _as(monkeypatch, tmp_path, keys_of(account, "staging"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", account.local_aws.url)
    for name, value in variables.items():
        monkeypatch.delenv(name) if value is None else monkeypatch.setenv(name, value)
    result = run_on_aws(pytester, *args)
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 4, output
    assert expected in output and "Traceback" not in output, output


def test_read_only_and_notification_drills_pass_against_the_account(pytester, account, monkeypatch, tmp_path):
    """AWS_ENDPOINT_URL and the keys in the environment are honoured, as boto3 users expect."""
    _as(monkeypatch, tmp_path, keys_of(account, "staging"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", account.local_aws.url)
    result = run_on_aws(pytester, "--env", "staging", "-m", "inventory or notification", "-k", "not estimated-charges")
    output = result.stdout.str()
    result.assert_outcomes(
        passed=17
    )  # the inventory (8 checks, the coverage table) and notification drills, and the guardrail record
    bundle = json.loads(next((pytester.path / "reports" / "runs").glob("*.json")).read_text())
    assert bundle["target"] == "aws" and bundle["environments"] == ["staging"]
    assert bundle["identity"] == f"arn:aws:iam::{STAGING}:user/simulacro-sandbox"
    assert "permissions not checked before the run: IAM policy simulation is not available here" in output


def test_destructive_drills_are_skipped_on_prod_with_the_reason(pytester, account, monkeypatch, tmp_path):
    calls = _as(monkeypatch, tmp_path, keys_of(account, "prod"))
    result = run_on_aws(pytester, "--env", "prod", "--endpoint-url", account.local_aws.url, "-m", "destructive", "-rs")
    output = result.stdout.str()
    assert result.ret == 0, output
    assert (
        "destructive drill refused on prod: environments.prod.allow_destructive in the spec allows nothing; "
        "add 'test_failed_endpoint_update_is_delivered' (or 'all') there to run it on prod"
    ) in output
    assert "passed" not in output.splitlines()[-1]
    assert calls.changing() == []


def test_a_drill_the_spec_allows_on_prod_runs_there(pytester, account, monkeypatch, tmp_path):
    spec = spec_with(tmp_path, prod={"allow_destructive": ["test_failure_rules_stay_silent_on_success"]})
    _as(monkeypatch, tmp_path, keys_of(account, "prod"))
    result = run_on_aws(
        pytester,
        "--env",
        "prod",
        "--endpoint-url",
        account.local_aws.url,
        f"--spec={spec}",
        "-m",
        "destructive and events",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 1 and outcomes.get("skipped", 0) >= 4, result.stdout.str()


@pytest.fixture
def alarm_deleted_live(account):
    """The spec's cost alarm of staging, deleted by hand in the account (put back afterwards)."""
    target = LocalTarget(account.stack, account.local_aws)
    target.client("cloudwatch", "staging", "us-east-1").delete_alarms(AlarmNames=["churn-staging-estimated-charges"])
    yield "churn-staging-estimated-charges"
    apply(account.stack, target, ["staging"])


def test_a_guard_alarm_missing_live_refuses_destructive_drills(
    pytester, account, monkeypatch, tmp_path, alarm_deleted_live
):
    spec = spec_with(tmp_path, staging={"guard_alarms": [alarm_deleted_live]})
    calls = _as(monkeypatch, tmp_path, keys_of(account, "staging"))
    result = run_on_aws(
        pytester, "--env", "staging", "--endpoint-url", account.local_aws.url, f"--spec={spec}", "-m", "destructive"
    )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 4, output
    assert f"include guard alarms that do not exist in account {STAGING} ({alarm_deleted_live} (staging))" in output
    assert calls.changing() == []


def test_a_missing_permission_skips_the_drills_that_need_it_naming_the_action(pytester, account, monkeypatch, tmp_path):
    _as(monkeypatch, tmp_path, keys_of(account, "staging"))
    monkeypatch.setattr(
        "simulacro.gameday.preflight.check_permissions",
        lambda iam, identity, actions: PermissionCheck({"cloudwatch:SetAlarmState"}, True),
    )
    result = run_on_aws(
        pytester,
        "--env",
        "staging",
        "--endpoint-url",
        account.local_aws.url,
        "-m",
        "notification or inventory",
        "-k",
        "staging-5xx or alarms_exist",
        "-rs",
    )
    output = result.stdout.str()
    result.assert_outcomes(passed=1, skipped=1)
    assert "lacks cloudwatch:SetAlarmState (IAM policy simulation); grant it (python -m simulacro iam-policy)" in output


def test_a_run_missing_its_own_permissions_stops_before_any_change(pytester, account, monkeypatch, tmp_path):
    calls = _as(monkeypatch, tmp_path, keys_of(account, "staging"))
    monkeypatch.setattr(
        "simulacro.gameday.preflight.check_permissions",
        lambda iam, identity, actions: PermissionCheck({"sagemaker:CreateEndpoint"}, True),
    )
    result = run_on_aws(
        pytester, "--env", "staging", "--endpoint-url", account.local_aws.url, "--provision", "-m", "inventory"
    )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 4, output
    assert "lacks permissions the run itself needs in account 210987654321: sagemaker:CreateEndpoint" in output
    assert calls.changing() == []


def test_provision_applies_the_spec_through_the_aws_target(pytester, account, monkeypatch, tmp_path):
    _as(monkeypatch, tmp_path, keys_of(account, "staging"))
    result = run_on_aws(
        pytester,
        "--env",
        "staging",
        "--endpoint-url",
        account.local_aws.url,
        "--provision",
        "-m",
        "inventory",
        "-k",
        "log_groups",
    )
    result.assert_outcomes(passed=1)
    assert "simulacro: provisioned staging: no changes: all" in result.stdout.str()


def test_traffic_on_the_account_is_real_requests_carrying_the_fault_attribute(account, monkeypatch, tmp_path):
    use_credentials(monkeypatch, keys_of(account, "staging"), tmp_path)
    target = AwsTarget(account.stack, "staging", endpoint_url=account.local_aws.url)
    healthy = target.traffic("churn-staging", "staging", requests_per_minute=1200, duration_seconds=1)
    assert healthy["served"] >= 15 and healthy["failed"] == 0 and healthy["problem"] is None
    faulty = target.background_traffic("churn-staging", "staging", 1200, lambda: "simulacro-fault=error-rate:1")
    time.sleep(1)
    faulty.cancel()
    assert faulty.failed >= 15 and faulty.served == 0
