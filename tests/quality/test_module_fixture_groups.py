"""A fixture a module builds for its tests is built once, in one worker, under `--dist loadgroup` (that xdist
keeps a group in one worker is tests/pytest_plugin/test_xdist_groups.py)."""

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
