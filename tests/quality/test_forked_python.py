"""support.forked_python: a run forked from the preloaded server looks, from inside and from outside, like a
new `python -m` interpreter (what the bad-input corpus relies on to run in seconds)."""

import subprocess

import pytest

PROBE = """
import atexit, json, os, subprocess, sys, threading, time

atexit.register(print, "atexit ran")
exiting = threading.Event()  # the thread prints once the main thread is exiting: only if the exit waits for it
threading.Thread(target=lambda: (exiting.wait(), time.sleep(0.05), print("thread finished", flush=True))).start()
print(json.dumps({"name": __name__, "argv": sys.argv, "cwd": os.getcwd(), "path": sys.path,
                  "env": os.environ.get("FORKED_PYTHON_PROBE")}), flush=True)
os.write(1, b"written to fd 1\\n")
os.write(2, b"written to fd 2\\n")
print("printed, not flushed")  # after what the subprocess prints, as stdout on a file is block-buffered
subprocess.run([sys.executable, "-c", "print('printed by a subprocess')"])
if sys.argv[1] == "raise":
    exiting.set()
    raise ValueError("the probe failed")
if sys.argv[1] == "hang":
    exiting.set()
    time.sleep(600)
exiting.set()
sys.exit(int(sys.argv[1]) if sys.argv[1].lstrip("-").isdigit() else sys.argv[1])
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "probe.py").write_text(PROBE)
    return tmp_path


def both_ways(python, folder, *args):
    fresh = python.run(["probe", *args], cwd=folder, timeout=60, fresh=True)
    forked = python.run(["probe", *args], cwd=folder, timeout=60)
    return fresh, forked


@pytest.mark.parametrize("status", ["0", "3", "-1", "300", "a message instead of a status"])
def test_output_and_exit_status_are_those_of_a_new_interpreter(python, folder, monkeypatch, status):
    python.run(["probe", "0"], cwd=folder, timeout=60)  # the server is up before the variable is set
    monkeypatch.setenv("FORKED_PYTHON_PROBE", "set after the server started")
    fresh, forked = both_ways(python, folder, status)
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert "set after the server started" in forked.stdout
    assert "printed by a subprocess" in forked.stdout and "written to fd 2" in forked.stderr
    assert forked.stdout.endswith("thread finished\natexit ran\n")


def test_an_exception_prints_its_traceback_and_exits_1(python, folder):
    fresh, forked = both_ways(python, folder, "raise")
    assert fresh.returncode == forked.returncode == 1
    assert forked.stdout == fresh.stdout
    for run in (fresh, forked):
        assert "Traceback (most recent call last)" in run.stderr
        assert run.stderr.endswith("ValueError: the probe failed\n")


def test_a_run_that_outlives_its_timeout_is_killed(python, folder):
    for fresh in (True, False):
        with pytest.raises(subprocess.TimeoutExpired):
            python.run(["probe", "hang"], cwd=folder, timeout=1, fresh=fresh)
