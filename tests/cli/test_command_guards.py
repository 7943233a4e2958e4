"""Every command that talks to AWS goes through one guarded door (`simulacro.cli.options.command_target`): with
another account's credentials it refuses before any call that changes anything, naming both accounts, exit 2;
`--target local` never builds a real-AWS target and never reaches anything but 127.0.0.1."""

import socket
from pathlib import Path

import pytest

from simulacro import cli
from simulacro.cli import _parser
from support.aws_double import ApiCalls, use_credentials
from support.moto_account import KEYS, MotoAccount

WRONG_ACCOUNT = "999988887777"
STAGING = "210987654321"
CLI = Path(cli.__file__).parent

# One line per command that talks to AWS; a new one must be added here (the test below checks that).
AWS_COMMANDS = {
    "runbook": ["runbook", "regression-after-promotion", "--endpoint", "churn-staging", "--env", "staging"],
    "calibrate": ["calibrate", "--target", "aws", "--env", "staging", "--days", "1"],
    "cleanup": ["cleanup", "--run-id", "20261127101500-dead01", "--env", "staging"],
    "diff": ["diff", "--env", "staging"],
    # discover reads whatever account the credentials name; with --spec it is guarded like the others.
    "discover": [
        "discover",
        "--env",
        "staging",
        "--spec",
        "fixtures/stack.yaml",
        "--out",
        "/tmp/simulacro-guard-draft.yaml",
        "--force",
    ],
}


def _commands_with(option):
    parser = _parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    return {name for name, sub in commands.choices.items() if any(option in a.option_strings for a in sub._actions)}


def test_every_command_that_can_reach_aws_is_in_the_guard_table():
    assert _commands_with("--endpoint-url") == set(AWS_COMMANDS)


def test_no_command_builds_a_target_but_through_the_guarded_door():
    for module in CLI.glob("*.py"):
        if module.name != "options.py":
            text = module.read_text()
            reaching = [
                w for w in ("AwsTarget", "LocalTarget", "LocalAws", "import boto3", "boto3.", "identify(") if w in text
            ]
            assert not reaching, f"{module.name} reaches AWS on its own ({reaching}): use options.command_target"


@pytest.fixture(scope="module")
def wrong_account():
    server = MotoAccount(WRONG_ACCOUNT)
    yield server
    server.stop()


@pytest.mark.parametrize("command", AWS_COMMANDS)
def test_another_accounts_credentials_are_refused_before_any_change(
    wrong_account, command, monkeypatch, tmp_path, capsys
):
    use_credentials(monkeypatch, KEYS, tmp_path)
    before = wrong_account.resources()
    calls = ApiCalls(monkeypatch)
    code = cli.main(AWS_COMMANDS[command] + ["--endpoint-url", wrong_account.url])
    err = capsys.readouterr().err
    assert code == 2, err
    assert (
        f"belong to account {WRONG_ACCOUNT}" in err and f"names account {STAGING} for environment 'staging'" in err
    ), err
    assert "Nothing was changed" in err and "Traceback" not in err
    assert calls.changing() == [] and calls.operations == [("sts", "GetCallerIdentity")], calls.operations
    monkeypatch.undo()
    assert wrong_account.resources() == before


@pytest.mark.parametrize("command", AWS_COMMANDS)
def test_no_credentials_is_one_paragraph_and_exit_2(wrong_account, command, monkeypatch, tmp_path, capsys):
    use_credentials(monkeypatch, {}, tmp_path)
    code = cli.main(AWS_COMMANDS[command] + ["--endpoint-url", wrong_account.url])
    err = capsys.readouterr().err
    assert code == 2 and "no AWS credentials" in err and "Traceback" not in err, err


@pytest.fixture
def loopback_only(monkeypatch):
    """Any connection to anything but 127.0.0.1 fails the test; building a real-AWS target too."""
    reached = []
    original = socket.socket.connect

    def connect(sock, address):
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            reached.append(address)
            raise AssertionError(f"a local command reached {address}")
        return original(sock, address)

    def no_aws_target(*args, **kwargs):
        raise AssertionError("a --target local command built a real-AWS target")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr("simulacro.target.targets.AwsTarget.__init__", no_aws_target)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return reached


def test_calibrate_on_the_local_target_stays_on_127_0_0_1(loopback_only, capsys):
    code = cli.main(["calibrate", "--target", "local", "--env", "staging", "--days", "1"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "replayed" in printed.out and loopback_only == []
    assert "the history matches no alarm" in printed.err  # a fresh local AWS has no history yet


def test_calibrate_on_the_local_target_needs_no_environment(loopback_only, capsys):
    assert cli.main(["calibrate", "--target", "local", "--days", "1"]) == 0, capsys.readouterr().err
    assert loopback_only == []


def test_a_runbook_on_the_local_target_stays_on_127_0_0_1(loopback_only, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["runbook", "endpoint-not-responding", "--endpoint", "churn-staging", "--target", "local"])
    printed = capsys.readouterr()
    assert code in (0, 1), printed.err
    assert "endpoint-not-responding in staging" in printed.out and loopback_only == []
