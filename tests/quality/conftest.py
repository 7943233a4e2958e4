"""Fixtures of the quality harnesses: `python` runs `python -m ...` forked from a preloaded server
(support.forked_python), one server per xdist worker."""

import pytest

from support.forked_python import ForkedPython


@pytest.fixture(scope="session")
def python():
    forked = ForkedPython()
    yield forked
    forked.close()
