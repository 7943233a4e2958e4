"""Tests that share a fixture their module builds run in one worker."""

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A module-scoped fixture a test module defines for itself (a whole catalogue run, a built wheel, an
    account read by discover) is built once: its tests share an xdist group, so `--dist loadgroup` sends them
    to one worker instead of building it again, side by side, in each worker that draws one of them. A group
    the module names itself is left as it is."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        module = item.nodeid.split("::", 1)[0]
        if any(_module_scoped_here(defs[-1], module) for defs in item._fixtureinfo.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(module))


def _module_scoped_here(fixturedef, module):
    return fixturedef.scope == "module" and fixturedef.baseid == module
