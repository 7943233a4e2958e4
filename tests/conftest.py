"""Fixtures of the suite's own tests: one local AWS per module, provisioned from the example spec.

`stack` is the plugin's own fixture (the spec named by --spec, the example by default)."""
import pytest

from simulacro.emulator import LocalAws
from simulacro.provision import apply
from simulacro.target.targets import LocalTarget

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def local_aws():
    with LocalAws() as aws:
        yield aws


@pytest.fixture(scope="module")
def aws(local_aws):
    return local_aws


@pytest.fixture(scope="module")
def provisioned(local_aws, stack):
    """A provisioned local target (shared by the tests of a module: restore what you break)."""
    target = LocalTarget(stack, local_aws)
    apply(stack, target)
    target.clock.sleep(60)
    return target
