"""Least privilege: `python -m simulacro iam-policy` prints exactly the actions the selected drills make
(recorded from their calls, interrupted runs included, and kept in sync by this test), the read-only drills
need only read permissions, and the run's identity is checked by IAM policy simulation before a drill starts."""

import json

import boto3
import pytest
from botocore.stub import Stubber

from simulacro import cli
from simulacro.cli.iam_policy import selected_drills
from simulacro.gameday.iam import RECORDED, RecordedActions, check_permissions, policy_document, principal_arn
from simulacro.target.aws_errors import raise_clear_errors
from simulacro.target.iam_actions import actions_for, is_read_only
from support.drill_runner import ROOT
from support.rehearsal import rehearsal

SPEC = str(ROOT / "fixtures" / "stack.yaml")
IDENTITY = {"Account": "210987654321", "Arn": "arn:aws:sts::210987654321:assumed-role/data-science-user/jane"}


@pytest.fixture(scope="module")
def heard(tmp_path_factory):
    return rehearsal(tmp_path_factory)["calls"]


@pytest.mark.slow
def test_the_recorded_actions_are_the_calls_the_drills_make(heard):
    recorded = json.loads(RECORDED.read_text())
    assert heard == recorded, (
        "simulacro/iam_actions.json is out of date with the drills' calls: run "
        "`python -m simulacro iam-policy --record` and review the difference"
    )


def _printed_policy(capsys, *args):
    code = cli.main(["iam-policy", *args])
    printed = capsys.readouterr()
    return code, json.loads(printed.out), printed.err


def _actions(policy):
    return {action for statement in policy["Statement"] for action in statement["Action"]}


@pytest.mark.slow
@pytest.mark.parametrize("selection, marker", [(["--gate"], "gate"), ([], None), (["-m", "inventory"], "inventory")])
def test_the_printed_policy_covers_exactly_what_the_selected_drills_call(heard, capsys, selection, marker):
    code, policy, err = _printed_policy(capsys, *selection)
    assert code == 0, err
    drills = {nodeid.split("[", 1)[0] for nodeid in selected_drills(ROOT / "drills", SPEC, marker)}
    expected = set(heard["session"]).union(*(heard["drills"][d] for d in drills))
    assert _actions(policy) == expected | {"iam:SimulatePrincipalPolicy"}


@pytest.mark.slow
def test_provisioning_adds_what_creating_the_stack_needs(heard, capsys):
    _, policy, _ = _printed_policy(capsys, "--provision")
    assert set(heard["provision"]) <= _actions(policy)
    assert {"sagemaker:CreateEndpoint", "cloudwatch:PutMetricAlarm", "events:PutRule"} <= _actions(policy)


@pytest.mark.slow
def test_a_rollback_cut_short_needs_its_permission_too(heard):
    """Stopping a still-running pipeline execution only happens when a drill is interrupted."""
    assert (
        "sagemaker:StopPipelineExecution"
        in heard["drills"]["drills/test_pipeline_alarms.py::test_pipeline_failure_pages_the_on_call"]
    )


@pytest.mark.slow
def test_read_only_drills_run_with_read_only_permissions(heard):
    inventory = {nodeid.split("[", 1)[0] for nodeid in selected_drills(ROOT / "drills", SPEC, "inventory")}
    assert inventory
    for drill in inventory:
        writes = sorted(a for a in heard["drills"][drill] if not is_read_only(a))
        assert not writes, f"{drill} is read-only but calls {writes}"
    assert all(is_read_only(action) for action in heard["session"])


def test_the_policy_splits_reads_from_changes_and_stays_in_the_region():
    policy = policy_document({"cloudwatch:DescribeAlarms", "cloudwatch:SetAlarmState"}, "eu-west-1")
    reads, changes, simulate = policy["Statement"]
    assert reads["Action"] == ["cloudwatch:DescribeAlarms"] and changes["Action"] == ["cloudwatch:SetAlarmState"]
    assert reads["Condition"] == {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}} == changes["Condition"]
    assert simulate["Action"] == ["iam:SimulatePrincipalPolicy"]


def test_actions_are_named_as_iam_names_them():
    assert actions_for("sagemaker-runtime", "InvokeEndpoint") == ["sagemaker:InvokeEndpoint"]
    assert actions_for("s3", "ListBuckets") == ["s3:ListAllMyBuckets"]
    assert actions_for("s3", "GetBucketLifecycleConfiguration") == ["s3:GetLifecycleConfiguration"]
    assert actions_for("sqs", "CreateQueue", {"tags": {"simulacro-run": "r"}}) == ["sqs:CreateQueue", "sqs:TagQueue"]
    assert actions_for("sagemaker", "CreateEndpointConfig", {"Tags": [{"Key": "k", "Value": "v"}]}) == [
        "sagemaker:CreateEndpointConfig",
        "sagemaker:AddTags",
    ]
    assert actions_for("sts", "GetCallerIdentity") == []


def test_the_principal_of_an_assumed_role_is_its_role():
    assert principal_arn(IDENTITY) == "arn:aws:iam::210987654321:role/data-science-user"
    assert (
        principal_arn({"Arn": "arn:aws:iam::210987654321:user/data-science-user"})
        == "arn:aws:iam::210987654321:user/data-science-user"
    )
    assert principal_arn({"Arn": "arn:aws:sts::210987654321:federated-user/jane"}) is None


@pytest.fixture
def iam(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("iam", region_name="eu-west-1")
    raise_clear_errors(client)
    with Stubber(client) as stubber:
        yield client, stubber


def test_simulation_names_the_actions_the_identity_lacks(iam):
    client, stubber = iam
    stubber.add_response(
        "simulate_principal_policy",
        {
            "EvaluationResults": [
                {"EvalActionName": "cloudwatch:DescribeAlarms", "EvalDecision": "allowed"},
                {"EvalActionName": "sagemaker:UpdateEndpoint", "EvalDecision": "implicitDeny"},
            ]
        },
        {
            "PolicySourceArn": "arn:aws:iam::210987654321:role/data-science-user",
            "ActionNames": ["cloudwatch:DescribeAlarms", "sagemaker:UpdateEndpoint"],
        },
    )
    check = check_permissions(client, IDENTITY, {"cloudwatch:DescribeAlarms", "sagemaker:UpdateEndpoint"})
    assert check.checked and check.missing == {"sagemaker:UpdateEndpoint"}


def test_an_identity_that_may_not_simulate_is_not_checked_and_says_why(iam):
    client, stubber = iam
    stubber.add_client_error("simulate_principal_policy", "AccessDenied", "not authorized", http_status_code=403)
    check = check_permissions(client, IDENTITY, {"cloudwatch:DescribeAlarms"})
    assert not check.checked and "may not call iam:SimulatePrincipalPolicy" in check.note


def test_drills_without_recorded_actions_make_the_command_say_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("simulacro.gameday.iam.RECORDED", tmp_path / "empty.json")
    monkeypatch.setattr(RecordedActions, "load", classmethod(lambda cls, path=tmp_path / "empty.json": cls()))
    assert cli.main(["iam-policy", "-m", "inventory"]) == 1
    err = capsys.readouterr().err
    assert (
        "no recorded actions for " in err
        and "drills/test_inventory.py::test_alarms_exist_with_owner_and_actions_as_declared" in err
    )


def test_actions_that_take_a_resource_are_scoped_to_the_specs_arns(capsys):
    """DeleteQueue, UpdateEndpoint, DeleteModelPackage and PassRole act only on what the spec (or the drills) own."""
    code, policy, err = _printed_policy(capsys, "--env", "staging")
    assert code == 0, err
    by_action = {action: statement["Resource"] for statement in policy["Statement"] for action in statement["Action"]}
    account = "210987654321"
    assert by_action["sqs:DeleteQueue"] == [f"arn:aws:sqs:eu-west-1:{account}:simulacro-*"]
    assert f"arn:aws:sagemaker:eu-west-1:{account}:endpoint/churn-staging" in by_action["sagemaker:UpdateEndpoint"]
    assert not any("churn-prod" in arn or "345678901234" in arn for arn in by_action["sagemaker:UpdateEndpoint"])
    assert by_action["sagemaker:DeleteModelPackage"] == [
        f"arn:aws:sagemaker:eu-west-1:{account}:model-package/churn-models/*"
    ]
    assert by_action["iam:PassRole"] == [
        f"arn:aws:iam::{account}:role/churn-sagemaker-execution",
        f"arn:aws:iam::{account}:role/churn-sagemaker-pipeline",
    ]
    assert all(by_action[a] == "*" for a in ("cloudwatch:DescribeAlarms", "iam:SimulatePrincipalPolicy"))


def test_the_policy_for_an_unknown_environment_is_refused(capsys):
    assert cli.main(["iam-policy", "--env", "qa"]) == 2
    assert "unknown environment 'qa'" in capsys.readouterr().err
