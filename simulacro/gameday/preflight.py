"""Before a run on a real account, and before any call that changes anything:

1. who the credentials are (STS GetCallerIdentity), which also proves the endpoint answers;
2. the account guard: it must be the account the spec names for `--env`;
3. when destructive drills are selected, the guard alarms (stop conditions) must exist;
4. the permissions the selected drills need (IAM policy simulation, where the identity may simulate):
   a drill whose permissions are missing is skipped with the actions named; missing permissions for
   the run itself (reading the stack, provisioning) stop the run.

Each refusal is a `Refused` (or `BadInput`, `AwsProblem`) with one paragraph for the operator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulacro.errors import Refused
from simulacro.gameday.guards import check_account
from simulacro.gameday.iam import PermissionCheck, RecordedActions, check_permissions
from simulacro.gameday.stop_conditions import GuardAlarms
from simulacro.target.targets import AwsTarget


@dataclass
class Permissions:
    check: PermissionCheck
    missing_by_drill: dict[str, set[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def identify(target: AwsTarget, spec_path: str) -> dict[str, Any]:
    """The caller identity, once the account guard has accepted it."""
    identity = target.caller_identity()
    check_account(target.stack, target.environment, identity, spec_path, target.where)
    return identity


def require_guard_alarms(target: AwsTarget) -> None:
    missing = GuardAlarms(target.stack, target).missing()
    if missing:
        raise Refused(
            f"the stop conditions of environment {target.environment} include guard alarms that do not exist in account "
            f"{target.account()} ({', '.join(missing)}): a stop condition that cannot fire protects nothing, so "
            f"destructive drills do not start. Create the alarms, or correct environments.{target.environment}.guard_alarms "
            "in the spec. Nothing was changed."
        )


def check_drill_permissions(
    target: AwsTarget,
    identity: dict[str, Any],
    nodeids: list[str],
    *,
    provision: bool,
    recorded: RecordedActions | None = None,
) -> Permissions:
    """Which drills lack which permissions; refuses the run when the run's own reads (or provisioning) are not allowed."""
    recorded = recorded or RecordedActions.load()
    needed = recorded.needed(nodeids, provision=provision)
    check = check_permissions(target.preflight_client("iam"), identity, needed)
    result = Permissions(check, unknown=sorted({n.split("[", 1)[0] for n in nodeids if recorded.for_drill(n) is None}))
    if not check.checked:
        return result
    run_needs = recorded.session | (recorded.provision if provision else set())
    if check.missing & run_needs:
        raise Refused(
            f"{identity['Arn']} lacks permissions the run itself needs in account {target.account()}: "
            f"{', '.join(sorted(check.missing & run_needs))}. Grant them (`python -m simulacro iam-policy"
            f"{' --provision' if provision else ''}` prints the policy). Nothing was changed."
        )
    for nodeid in nodeids:
        lacking = (recorded.for_drill(nodeid) or set()) & check.missing
        if lacking:
            result.missing_by_drill[nodeid] = lacking
    return result
