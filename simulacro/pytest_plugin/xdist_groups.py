"""`--dist loadgroup` keeps its promise: tests of one `xdist_group` run in one worker, whatever the pytest.

pytest-xdist tells its scheduler a test's group by appending `@<group>` to the node id, on the worker, in
`pytest_collection_modifyitems`. From pytest 9.2 a node id is read from a structured field that xdist 3.8
does not write, so the suffix is lost and grouped tests are spread over the workers with no warning
(pytest-dev/pytest-xdist#1386). On real AWS that would let two drills change the same endpoint at once.
This hook runs after xdist's and appends the suffix wherever it is missing; with a pytest or an xdist
that carries it, it finds nothing to do."""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers for --dist loadgroup
        return
    for item in items:
        names = sorted({_group_name(mark) for mark in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            _rename(item, item.nodeid + suffix)


def _group_name(mark: pytest.Mark) -> str:
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))


def _rename(item: pytest.Item, nodeid: str) -> None:
    if hasattr(item, "_id"):  # pytest >= 9.2: the structured node id
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(nodeid)
    else:
        item._nodeid = nodeid  # type: ignore[attr-defined]  # pytest < 9.2
