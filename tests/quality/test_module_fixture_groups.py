"""A fixture a module builds for its tests is built once, in one worker, under `--dist loadgroup`."""

from support.drill_runner import ROOT

SHARED = """
import pytest

@pytest.fixture(scope="module")
def built():
    return object()

@pytest.fixture
def fresh():
    return object()

def test_first(built): pass
def test_second(built, fresh): pass
def test_alone(fresh): pass
"""


def _groups(pytester, **modules):
    pytester.makepyfile(**modules)
    items, _ = pytester.inline_genitems("-p", "support.xdist_groups")
    return {item.name: [m.args[0] for m in item.iter_markers("xdist_group")] for item in items}


def test_the_tests_sharing_a_module_fixture_share_a_group_and_the_others_are_free(pytester):
    groups = _groups(pytester, test_shared=SHARED)
    assert groups == {"test_first": ["test_shared.py"], "test_second": ["test_shared.py"], "test_alone": []}


def test_a_module_fixture_of_a_conftest_is_cheap_to_share_and_groups_nothing(pytester):
    pytester.makeconftest("import pytest\n\n@pytest.fixture(scope='module')\ndef common():\n    return 1\n")
    groups = _groups(pytester, test_a="def test_a(common): pass", test_b="def test_b(common): pass")
    assert groups == {"test_a": [], "test_b": []}


def test_the_parallel_run_builds_the_shared_fixture_once(pytester, monkeypatch):
    built_log = pytester.path / "built.log"
    module = SHARED.replace(
        "    return object()", f"    open({str(built_log)!r}, 'a').write('built\\n')\n    return object()", 1
    )
    pytester.makepyfile(test_shared=module + "".join(f"def test_more_{n}(built): pass\n" for n in range(6)))
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests"))
    result = pytester.runpytest_subprocess("-p", "support.xdist_groups", "-n", "2", "--dist", "loadgroup", "-q")
    result.assert_outcomes(passed=9)
    assert built_log.read_text() == "built\n"
