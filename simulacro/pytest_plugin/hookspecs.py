"""Hooks Simulacro adds to pytest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simulacro.target.targets import Target


@pytest.hookspec
def pytest_simulacro_provisioned(target: Target) -> None:
    """The local AWS is provisioned from the spec; drills have not run yet.

    The suite's own tests implement it to break the live stack the way a drill must catch.
    """


@pytest.hookspec
def pytest_simulacro_bundle(bundle: dict[str, Any]) -> None:
    """The JSON evidence bundle is about to be written: add to it (the candidate gate adds its verdict)."""
