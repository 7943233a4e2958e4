"""`python -m simulacro sandbox` keeps the local AWS running with the stack, and the team's usual commands
work against it: the AWS CLI from PyPI (v1) honours the exported AWS_ENDPOINT_URL, and the exported keys
open the environment's own account."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.aws_double import SandboxProcess

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    if AWS is None:
        pytest.skip("the AWS CLI is not installed (pip install -e '.[dev]')")
    running = SandboxProcess(tmp_path_factory.mktemp("sandbox"))
    yield running
    running.stop()


def aws(sandbox, *command, keys=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(sandbox.exports, **(keys or {}), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    run = subprocess.run([AWS, *command, "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_printed_environment_is_what_a_shell_needs(sandbox):
    assert sandbox.text.splitlines()[2] == "unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN"
    assert set(sandbox.exports) == {
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
    }
    assert sandbox.url.startswith("http://127.0.0.1:") and sandbox.exports["AWS_DEFAULT_REGION"] == "eu-west-1"


def test_the_usual_verification_commands_see_the_staging_stack(sandbox):
    assert aws(sandbox, "sts", "get-caller-identity")["Account"] == "210987654321"
    alarms = {a["AlarmName"] for a in aws(sandbox, "cloudwatch", "describe-alarms")["MetricAlarms"]}
    assert "churn-staging-5xx-rate" in alarms and not any("prod" in name for name in alarms)
    assert {r["Name"] for r in aws(sandbox, "events", "list-rules")["Rules"]} >= {
        "churn-pipeline-failed",
        "churn-endpoint-state-staging",
    }
    groups = {
        g["logGroupName"]: g.get("retentionInDays") for g in aws(sandbox, "logs", "describe-log-groups")["logGroups"]
    }
    assert groups["/aws/sagemaker/Endpoints/churn-staging"] == 14


def test_the_other_environments_keys_open_its_own_account(sandbox):
    prod = sandbox.others["prod"]
    assert aws(sandbox, "sts", "get-caller-identity", keys=prod)["Account"] == "345678901234"
    alarms = {a["AlarmName"] for a in aws(sandbox, "cloudwatch", "describe-alarms", keys=prod)["MetricAlarms"]}
    assert "churn-prod-5xx-rate" in alarms and "churn-staging-5xx-rate" not in alarms
