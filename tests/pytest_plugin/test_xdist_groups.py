"""Tests of one `xdist_group` run in one worker under `--dist loadgroup`, with the pytest this suite runs on
(pytest 9.2 dropped the group xdist 3.8 writes into the node id: pytest-dev/pytest-xdist#1386)."""

import pytest

from simulacro.pytest_plugin import xdist_groups

GROUPED = """
import os, pytest

def _note(name):
    with open(os.environ["WORKERS_LOG"], "a") as log:
        log.write(f"{name} {os.environ['PYTEST_XDIST_WORKER']}\\n")

@pytest.mark.xdist_group("churn-staging")
@pytest.mark.parametrize("n", range(6))
def test_changes_the_endpoint(n):
    _note("grouped")

@pytest.mark.parametrize("n", range(6))
def test_reads(n):
    _note("free")
"""


@pytest.fixture
def workers(pytester, monkeypatch):
    log = pytester.path / "workers.log"
    monkeypatch.setenv("WORKERS_LOG", str(log))
    pytester.makepyfile(test_grouped=GROUPED)

    def run(*args):
        result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly", "-v", *args)  # xdist's workers
        result.assert_outcomes(passed=12)
        seen = {}
        for line in log.read_text().splitlines():
            kind, worker = line.split()
            seen.setdefault(kind, set()).add(worker)
        return result, seen

    return run


def test_a_group_runs_in_one_worker(workers):
    result, seen = workers("--dist", "loadgroup")
    assert len(seen["grouped"]) == 1
    result.stdout.fnmatch_lines(["*PASSED test_grouped.py::test_changes_the_endpoint[[]0[]]@churn-staging*"])


@pytest.mark.parametrize("loadgroup", [True, False])
def test_the_group_is_put_in_the_node_id_only_for_loadgroup(pytester, loadgroup):
    pytester.makepyfile(test_grouped=GROUPED)
    items, _ = pytester.inline_genitems()
    items[0].config.option.loadgroup = loadgroup  # what xdist sets on its workers
    xdist_groups.pytest_collection_modifyitems(items[0].config, items)
    grouped = [item.nodeid for item in items if item.nodeid.endswith("@churn-staging")]
    assert len(grouped) == (6 if loadgroup else 0)
    xdist_groups.pytest_collection_modifyitems(items[0].config, items)  # a second pass (xdist did it) adds nothing
    assert not any(item.nodeid.endswith("@churn-staging@churn-staging") for item in items)
