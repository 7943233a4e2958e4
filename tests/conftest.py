"""Fixtures of the suite's own tests: one local AWS per worker process, restored from snapshots.

The local AWS starts once per process (per xdist worker) and the example spec is provisioned once; each
module then gets it back as just started (`local_aws`) or as just provisioned (`provisioned`) by restoring
a snapshot (milliseconds) instead of starting a server and provisioning again (seconds). The in-process
drill runs of `support.drill_runner` restore the same way (see `simulacro.emulator.snapshot`).
`SIMULACRO_SNAPSHOTS=0` turns this off (a new local AWS per module, provisioned each time) to compare.

`stack` is the plugin's own fixture (the spec named by --spec, the example by default)."""

import os

import pytest

from simulacro.emulator import LocalAws, snapshot
from simulacro.pytest_plugin.session import provision_local
from simulacro.target.targets import LocalTarget
from support.drill_runner import keep_library_modules
from support.forked_python import ForkedPython

pytest_plugins = ["pytester", "support.xdist_groups"]
SNAPSHOTS = os.environ.get("SIMULACRO_SNAPSHOTS", "1") != "0"


def pytest_configure(config):
    if SNAPSHOTS:
        snapshot.enable(LocalAws)
        keep_library_modules()


def pytest_unconfigure(config):
    snapshot.disable()


@pytest.fixture(scope="module")
def local_aws():
    """The local AWS with nothing in it, its clock at its start (as a new one would be)."""
    if SNAPSHOTS:
        yield snapshot.enable(LocalAws).fresh()
        return
    with LocalAws() as aws:
        yield aws


@pytest.fixture(scope="module")
def aws(local_aws):
    return local_aws


@pytest.fixture(scope="module")
def provisioned(local_aws, stack):
    """A provisioned local target (shared by the tests of a module: restore what you break)."""
    if not SNAPSHOTS:
        target = LocalTarget(stack, local_aws)
        provision_local(stack, target)
        return target
    local = snapshot.enable(LocalAws).provisioned(
        snapshot.stack_key(stack), lambda aws: provision_local(stack, LocalTarget(stack, aws))
    )
    return LocalTarget(stack, local)


@pytest.fixture(scope="session")
def python():
    """`python.run(argv, cwd, timeout, env=...)`: `python -m ...` forked from a server that imported boto3, pytest
    and simulacro once (support.forked_python), one server per xdist worker."""
    forked = ForkedPython()
    yield forked
    forked.close()
