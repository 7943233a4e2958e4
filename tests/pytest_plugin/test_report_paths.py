"""Report paths: one that cannot be written is a usage error before the run, and the JSON evidence goes beside
the HTML report (or to a file of its own per run), so no run overwrites the evidence of another."""

from pathlib import Path
from types import SimpleNamespace

from simulacro.pytest_plugin.session import bundle_path, unwritable_file_problem


def _config(html=None, evidence=None):
    return SimpleNamespace(
        option=SimpleNamespace(htmlpath=html), getoption=lambda name: evidence if name == "--evidence" else None
    )


def test_writable_paths_pass(tmp_path):
    assert unwritable_file_problem(str(tmp_path / "report.html")) is None
    assert unwritable_file_problem(str(tmp_path / "new" / "deeper" / "report.html")) is None


def test_a_path_under_a_file_or_naming_a_folder_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    assert "is a file" in unwritable_file_problem(str(tmp_path / "file" / "report.html"))
    assert "is a file" in unwritable_file_problem("/dev/null/report.html")
    assert "is a folder" in unwritable_file_problem(str(tmp_path))


def test_evidence_goes_beside_the_html_else_to_its_own_file_per_run():
    assert bundle_path(_config(html="reports/gate.html"), "r1") == Path("reports/gate.json")
    assert bundle_path(_config(html="reports/gate.html", evidence="e.json"), "r1") == Path("e.json")
    assert bundle_path(_config(), "20261130-abc") == Path("reports/runs/20261130-abc.json")
    assert bundle_path(_config(), "a") != Path("reports/drills.json")


def test_an_impossible_html_path_is_a_usage_error_not_an_internal_error(pytester):
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "simulacro.pytest_plugin.plugin", "--html", "/dev/null/report.html")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 4 and "INTERNALERROR" not in output and "/dev/null is a file" in output, output
