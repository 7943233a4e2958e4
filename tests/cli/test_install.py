"""Adopted without a clone: the wheel carries the console script, the pytest plugin entry point, the drill
catalogue and the example platform; from a folder holding only a team's spec, `simulacro drill` runs the
catalogue and writes the report (and its JSON bundle) where `--html` says."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from support.drill_runner import ROOT

pytestmark = pytest.mark.slow
NOT_SOURCE = (".git", ".venv*", "build", "*.egg-info", "reports", "__pycache__", ".*_cache", ".sandbox.env")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from a copy of this checkout (setuptools builds in the source folder, and the checkout
    is no place for that), installed without its dependencies, which this venv has, in a folder."""
    folder = tmp_path_factory.mktemp("install")
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(folder / "wheel"),
            str(source),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    assert build.returncode == 0, build.stderr
    wheel = next((folder / "wheel").glob("simulacro-*.whl"))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(folder / "site"), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    return {"wheel": wheel, "site": folder / "site"}


def test_the_wheel_ships_the_console_script_the_plugin_the_catalogue_and_the_example(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "simulacro/catalogue/__init__.py" in names and "simulacro/catalogue/test_inventory.py" in names
    assert "simulacro/example/stack.yaml" in names and any(n.startswith("simulacro/example/baselines/") for n in names)
    assert "simulacro/gameday/iam_actions.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(installed["wheel"]).read(entry_points).decode()
    assert (
        "simulacro = simulacro.cli:main" in text
        and "simulacro.pytest_plugin.plugin = simulacro.pytest_plugin.plugin" in text
    )


def test_from_a_folder_with_only_the_spec_the_gate_runs_and_writes_its_report_and_bundle(installed, tmp_path):
    shutil.copytree(ROOT / "fixtures", tmp_path / "team")
    env = {**os.environ, "PYTHONPATH": str(installed["site"])}
    run = subprocess.run(
        [
            str(installed["site"] / "bin" / "simulacro"),
            "drill",
            "--spec",
            "team/stack.yaml",
            "-m",
            "gate and inventory",
            "--html",
            "out/gate.html",
            "-q",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (tmp_path / "out" / "gate.html").is_file()
    bundle = json.loads((tmp_path / "out" / "gate.json").read_text())
    assert bundle["drills"] and all(d["outcome"] == "passed" for d in bundle["drills"])
    imported = subprocess.run(
        [sys.executable, "-c", "import simulacro; print(simulacro.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert imported.stdout.startswith(str(installed["site"])), "the installed package, not the checkout, ran"


def test_without_html_the_report_goes_to_reports_of_the_current_folder(installed, tmp_path):
    shutil.copytree(ROOT / "fixtures", tmp_path / "team")
    env = {**os.environ, "PYTHONPATH": str(installed["site"])}
    run = subprocess.run(
        [
            str(installed["site"] / "bin" / "simulacro"),
            "drill",
            "--spec",
            "team/stack.yaml",
            "-k",
            "test_alarms_exist_with_owner_and_actions_as_declared",
            "-q",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "reports" / "drills.html").is_file() and (tmp_path / "reports" / "drills.json").is_file()


def test_pytest_pyargs_finds_the_installed_catalogue_through_the_entry_point(installed, tmp_path):
    shutil.copytree(ROOT / "fixtures", tmp_path / "team")
    env = {**os.environ, "PYTHONPATH": str(installed["site"])}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "simulacro.catalogue",
            "--spec",
            "team/stack.yaml",
            "-k",
            "test_alarms_exist_with_owner_and_actions_as_declared",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]


def test_a_missing_spec_is_refused_in_one_line():
    from simulacro.cli import main

    assert main(["drill", "--spec", "/nonexistent/stack.yaml"]) == 2
