"""The safety guards of a run on a real account, decided before anything is changed:

- the account behind the credentials must be the one the spec names for the environment;
- a destructive drill runs only where the spec allows it (`environments.<env>.allow_destructive`: a
  list of drill names, node ids or glob patterns, or `all`); elsewhere it is skipped with the reason;
- anything that writes into an environment is destructive: a drill not marked so that makes a call that
  writes (InvokeEndpoint traffic into data capture included) is stopped at that call, before it is sent.

Stop conditions (guard alarms watched during a fault) live in `stop_conditions`.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from simulacro.errors import Refused
from simulacro.spec import Stack
from simulacro.target.iam_actions import iam_action, is_read_only

# Calls that read although their names do not say so.
READS = {
    "FilterLogEvents",
    "TestEventPattern",
    "SimulatePrincipalPolicy",
    "SimulateCustomPolicy",
    "GetCallerIdentity",
    "StartQuery",
    "GetQueryResults",
}


def check_account(stack: Stack, environment: str, identity: dict[str, Any], spec_path: str, where: str) -> None:
    """Refuse the run when the credentials belong to another account than the spec names for `environment`."""
    expected, actual = stack.account(environment), str(identity.get("Account"))
    if actual != expected:
        raise Refused(
            f"refusing to run: the credentials in use ({identity.get('Arn', 'unknown identity')}) belong to account "
            f"{actual}, but {spec_path} names account {expected} for environment '{environment}' ({where}). "
            f"Nothing was changed. Check --aws-profile / AWS_PROFILE (or the keys in the environment) and --env."
        )


def destructive_refusal(stack: Stack, environment: str, drill_name: str, nodeid: str) -> str | None:
    """Why a destructive drill may not run in `environment`, or None when the spec allows it there."""
    allowed = stack.environments[environment].allow_destructive
    if allows(allowed, drill_name, nodeid):
        return None
    listed = ", ".join(allowed) if allowed else "nothing"
    return (
        f"destructive drill refused on {environment}: environments.{environment}.allow_destructive in the spec "
        f"allows {listed}; add '{drill_name.split('[', 1)[0]}' (or 'all') there to run it on {environment}"
    )


def allows(allowed: list[str], drill_name: str, nodeid: str) -> bool:
    """`all`, the drill's function name, its name with parameters, its node id or a glob over either."""
    function = drill_name.split("[", 1)[0]
    path, _, rest = nodeid.partition("::")
    candidates = (function, drill_name, nodeid, f"{path.rsplit('/', 1)[-1]}::{rest}")
    return any(pattern == "all" or any(fnmatchcase(c, pattern) for c in candidates) for pattern in allowed)


def undeclared_write(nodeid: str, service: str, operation: str, environment: str) -> Refused | None:
    """The refusal for a drill not marked destructive that makes a call which writes, or None for a read."""
    if operation in READS or is_read_only(iam_action(service, operation)):
        return None
    return Refused(
        f"drill {nodeid} is not marked destructive but called {iam_action(service, operation)} in {environment}: anything "
        "that writes into an environment (synthetic InvokeEndpoint traffic lands in data capture and in the endpoint's "
        "metrics) is destructive. The call was not sent. Mark the drill @pytest.mark.drill(..., destructive=True), so that "
        "environments.<env>.allow_destructive decides where it may run."
    )
