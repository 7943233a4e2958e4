"""`simulacro drill` and `simulacro gate` hand the catalogue to pytest with the spec, a report in ./reports unless
--html says otherwise, and for the gate `-m gate` and the candidate; a bad candidate stops the gate before any drill."""

from pathlib import Path

from simulacro.cli import main
from simulacro.cli.drill import pytest_arguments
from simulacro.spec.paths import DEFAULT_SPEC, FIXTURES


def test_the_drill_command_writes_its_report_in_reports_of_the_current_folder():
    arguments = pytest_arguments(Path("drills"), DEFAULT_SPEC, ["-k", "inventory"])
    assert "--html=reports/drills.html" in arguments and "--junitxml=reports/drills.xml" in arguments
    assert f"--spec={DEFAULT_SPEC.resolve()}" in arguments and arguments[-2:] == ["-k", "inventory"]


def test_a_report_path_given_by_the_caller_wins():
    arguments = pytest_arguments(Path("drills"), DEFAULT_SPEC, ["--html", "out/gate.html"])
    assert not any(a.startswith("--html=reports") for a in arguments) and "--self-contained-html" in arguments


def test_the_gate_command_selects_the_gate_and_names_its_report_gate(monkeypatch):
    seen = {}
    monkeypatch.setattr("pytest.main", lambda arguments: seen.setdefault("arguments", arguments) and 0)
    assert (
        main(["gate", "--spec", str(DEFAULT_SPEC), "--candidate", str(FIXTURES / "candidates" / "healthy.yaml")]) == 0
    )
    arguments = seen["arguments"]
    assert "--html=reports/gate.html" in arguments
    assert (
        arguments[arguments.index("-m") + 1] == "gate"
        and f"--candidate={FIXTURES / 'candidates' / 'healthy.yaml'}" in arguments
    )


def test_a_candidate_file_that_does_not_exist_stops_the_gate_before_any_drill(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(
        ["gate", "--spec", str(DEFAULT_SPEC), "--candidate", str(tmp_path / "missing.yaml"), "-q", "-p", "no:randomly"]
    )
    out = capsys.readouterr()
    assert code == 4, out.out[-2000:] + out.err[-2000:]
    assert "missing.yaml" in out.out + out.err and "Traceback" not in out.out + out.err
