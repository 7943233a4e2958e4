"""Cleanup as a class, not instances: it finds by the run tag (a name cut to 63 characters keeps its tag), reads
every page of every list, tries every removal and reports each failure, refuses an empty or malformed run id, and
reports a list call AWS refused as "could not list", never as "nothing there"."""

import botocore.client
import pytest
from botocore.exceptions import ClientError

from simulacro import cli
from simulacro.drill.faults.deployment import update_endpoint
from simulacro.drill.faults.model_package import register_model_package
from simulacro.drill.faults.steps import forget
from simulacro.errors import BadInput
from simulacro.gameday.cleanup import UNLISTED, check_run_id, cleanup, find_leftovers

RUN = "20261130101500-abcdef0123456789abcdef01"  # long: the configs' names are cut to 63 characters


@pytest.fixture
def crashed(provisioned, stack):
    """A copied-config update and a package, left behind by a killed run."""
    provisioned.run_id = RUN
    try:
        sagemaker = provisioned.client("sagemaker", "staging")
        config = update_endpoint(
            sagemaker, provisioned.clock, stack.endpoint("churn-staging"), RUN, broken=True, undo=forget
        )
        register_model_package(sagemaker, "churn-models", RUN, undo=forget)
    finally:
        provisioned.run_id = None
    provisioned.clock.sleep(600)
    yield provisioned, config
    cleanup(provisioned, stack, RUN, report=lambda line: None)
    provisioned.clock.sleep(3600)


@pytest.mark.parametrize("run_id", ["", " ", "2026*", "a" * 41, "-leading-dash", "run id", "x;y"])
def test_an_empty_or_malformed_run_id_is_refused(run_id, capsys):
    with pytest.raises(BadInput, match="is not a run id"):
        check_run_id(run_id)
    assert cli.main(["cleanup", f"--run-id={run_id}", "--env", "staging"]) == 2
    err = capsys.readouterr().err
    assert "is not a run id" in err and "Traceback" not in err


def test_a_name_cut_to_63_characters_is_found_by_its_run_tag(crashed, stack):
    target, config = crashed
    assert RUN not in config, "the name was cut: only the tag carries the run id"
    found = {(f.kind, f.name) for f in find_leftovers(target, stack, "staging", RUN)}
    assert ("endpoint config", config) in found  # the broken update failed: the endpoint still serves its own
    assert any(kind == "model" for kind, _ in found)
    assert not [
        f
        for f in find_leftovers(target, stack, "staging", RUN[:-1])
        if f.kind in ("endpoint config", "model", "endpoint")
    ], "a prefix of the run id matched"


def test_every_page_is_read(crashed, stack, monkeypatch):
    """A group with more versions than one page holds: the run's package is on a later page."""
    target, _ = crashed
    others = []
    for other in ("20261130000000-other1", "20261130000000-other2"):  # another run's packages share the group
        register_model_package(target.client("sagemaker", "staging"), "churn-models", other, undo=others.append)
    original = botocore.client.BaseClient._make_api_call
    pages = []

    def one_per_page(client, operation, params):
        if operation in ("ListModelPackages", "ListEndpointConfigs", "ListModels"):
            params = {**params, "MaxResults": 1}
            pages.append(operation)
        return original(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", one_per_page)
    found = {f.kind for f in find_leftovers(target, stack, "staging", RUN)}
    assert {"model package", "endpoint config", "model"} <= found
    assert pages.count("ListModelPackages") > 1 and pages.count("ListEndpointConfigs") > 1
    monkeypatch.undo()
    for undo in others:
        undo()


def _refuse(monkeypatch, operations, code="AccessDeniedException"):
    original = botocore.client.BaseClient._make_api_call

    def refusing(client, operation, params):
        if operation in operations:
            raise ClientError(
                {
                    "Error": {"Code": code, "Message": f"not allowed: {operation}"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                operation,
            )
        return original(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refusing)


def test_a_refused_list_call_is_reported_not_taken_for_nothing_there(crashed, stack, monkeypatch):
    target, _ = crashed
    _refuse(monkeypatch, {"ListModelPackages"})
    found = find_leftovers(target, stack, "staging", RUN)
    unlisted = [f for f in found if f.kind == UNLISTED]
    assert [f.name for f in unlisted] == ["model packages (sagemaker:ListModelPackages)"]
    assert "not allowed" in unlisted[0].note and unlisted[0].remove is None
    assert any(f.kind == "endpoint config" for f in found), "the other lists still ran"


def test_every_removal_is_tried_and_each_failure_reported(crashed, stack, monkeypatch):
    target, config = crashed
    _refuse(monkeypatch, {"DeleteEndpointConfig"}, code="ThrottlingException")
    lines = []
    result = cleanup(target, stack, RUN, report=lines.append)
    assert [(f.kind, f.name) for f, _ in result.failed] == [("endpoint config", config)]
    assert any(line.startswith(f"FAILED to remove staging: endpoint config {config}") for line in lines)
    monkeypatch.undo()
    target.clock.sleep(3600)
    left = {f.kind for f in find_leftovers(target, stack, "staging", RUN)}
    assert left == {"endpoint config"}, left  # the model, the package and the endpoint were still cleaned up


def test_the_command_exits_1_when_a_list_was_refused(monkeypatch):
    """What it cannot list it says, and a person has to look: exit 1, not 0."""
    from simulacro.cli import cleanup as command
    from simulacro.gameday.cleanup import CleanupResult, Leftover

    result = CleanupResult()
    result.append(Leftover("staging", UNLISTED, "queues (sqs:ListQueues, sqs:ListQueueTags)", note="refused"))

    class Target:
        identity = {"Account": "210987654321", "Arn": "arn:aws:iam::210987654321:user/x"}
        where = "test"

    monkeypatch.setattr(command, "guarded_aws_target", lambda stack, args: Target())
    monkeypatch.setattr(command, "cleanup", lambda *a, **k: result)
    assert cli.main(["cleanup", "--run-id", RUN, "--env", "staging"]) == 1
