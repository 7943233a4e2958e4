"""Least privilege: the IAM policy the selected drills need, and a check of the run's identity against it.

The actions come from `simulacro/gameday/iam_actions.json`, recorded from the calls the drills really make
(`python -m simulacro iam-policy --record` runs them against the local AWS; `tests/gameday/test_iam_policy.py`
fails when the file and the code disagree). Before a run on real AWS, the identity's permissions are
checked with IAM policy simulation where the identity may simulate, so that a missing action is named
before the drill that needs it starts, not halfway through it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from simulacro.gameday.call_recorder import drill_function
from simulacro.target.aws_errors import AwsAccessProblem
from simulacro.target.iam_actions import PASS_ROLE, is_read_only

if TYPE_CHECKING:
    from simulacro.spec.model import Stack

RECORDED = Path(__file__).with_name("iam_actions.json")
SIMULATE = "iam:SimulatePrincipalPolicy"
SIMULATION_CHUNK = 50


@dataclass
class RecordedActions:
    session: set[str] = field(default_factory=set)
    provision: set[str] = field(default_factory=set)
    drills: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = RECORDED) -> "RecordedActions":
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text())
        return cls(
            set(data.get("session", [])),
            set(data.get("provision", [])),
            {name: set(actions) for name, actions in data.get("drills", {}).items()},
        )

    def for_drill(self, nodeid: str) -> set[str] | None:
        """The actions one drill needs, or None when nothing was recorded for it (a drill added since)."""
        return self.drills.get(drill_function(nodeid))

    def needed(self, nodeids: Iterable[str], *, provision: bool = False) -> set[str]:
        actions = set(self.session) | (self.provision if provision else set())
        for nodeid in nodeids:
            actions |= self.for_drill(nodeid) or set()
        return actions


def policy_document(
    actions: set[str], regions: str | list[str], stack: Stack | None = None, environments: Iterable[str] | None = None
) -> dict[str, Any]:
    """An IAM policy allowing exactly `actions` in `regions` (the stack's first; a cost alarm's us-east-1 may
    follow): reads and changes in separate statements.

    With the spec (`stack`), the actions that take a resource are scoped to the spec's own ARNs in its
    accounts (`environments`, default all): queues are deleted only if they are the drills' probes, only the
    spec's endpoints are updated, packages deleted only in the spec's groups, and only the spec's roles passed."""
    region = regions if isinstance(regions, str) else regions[0]  # where the scoped resources (endpoints, probes) live
    scoped = _scoped_resources(actions, region, stack, environments) if stack is not None else {}
    reads = sorted(a for a in actions if is_read_only(a))
    changes = sorted(a for a in actions if not is_read_only(a) and a != PASS_ROLE and a not in scoped)
    region_only = {"StringEquals": {"aws:RequestedRegion": regions}}
    statements = []
    if reads:
        statements.append(
            {
                "Sid": "SimulacroReadTheStack",
                "Effect": "Allow",
                "Action": reads,
                "Resource": "*",
                "Condition": region_only,
            }
        )
    if changes:
        statements.append(
            {
                "Sid": "SimulacroInjectAndRestoreFaults",
                "Effect": "Allow",
                "Action": changes,
                "Resource": "*",
                "Condition": region_only,
            }
        )
    for action in sorted(a for a in scoped if a != PASS_ROLE):
        statements.append(
            {
                "Sid": "SimulacroScoped" + action.split(":", 1)[1],
                "Effect": "Allow",
                "Action": [action],
                "Resource": scoped[action],
                "Condition": region_only,
            }
        )
    if PASS_ROLE in actions:
        statements.append(
            {
                "Sid": "SimulacroPassRolesToSageMaker",
                "Effect": "Allow",
                "Action": [PASS_ROLE],
                "Resource": scoped.get(PASS_ROLE, "*"),
                "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            }
        )
    statements.append(
        {"Sid": "SimulacroCheckItsOwnPermissions", "Effect": "Allow", "Action": [SIMULATE], "Resource": "*"}
    )
    return {"Version": "2012-10-17", "Statement": statements}


def _scoped_resources(
    actions: set[str], region: str, stack: Stack, environments: Iterable[str] | None
) -> dict[str, list[str]]:
    """The ARNs each resource-scoped action may act on: each environment's own resources in its own account
    (SageMaker ARNs spell names in lower case)."""
    table: dict[str, set[str]] = {}
    for env in environments or stack.environments:
        account = stack.account(env)
        mine = lambda items: [i for i in items if i.environment == env]  # noqa: E731, B023
        sagemaker = lambda kind, name: f"arn:aws:sagemaker:{region}:{account}:{kind}/{name.lower()}"  # noqa: E731, B023
        endpoints, groups = mine(stack.endpoints), mine(stack.model_package_groups)
        roles = {
            item.role_name for item in (*mine(stack.models), *mine(stack.pipelines), *mine(stack.monitoring_schedules))
        }
        for action, arns in {
            "sqs:DeleteQueue": [
                f"arn:aws:sqs:{region}:{account}:simulacro-*"
            ],  # the drills' probes, never the team's queues
            "sagemaker:UpdateEndpoint": [sagemaker("endpoint", e.name) for e in endpoints]
            + ([sagemaker("endpoint-config", "*")] if endpoints else []),
            "sagemaker:DeleteEndpointConfig": [sagemaker("endpoint-config", e.name + "-*") for e in endpoints],
            "sagemaker:DeleteModelPackage": [sagemaker("model-package", g.name + "/*") for g in groups],
            "sagemaker:UpdateModelPackage": [sagemaker("model-package", g.name + "/*") for g in groups],
            PASS_ROLE: [f"arn:aws:iam::{account}:role/{role}" for role in roles if role],
        }.items():
            if action in actions:
                table.setdefault(action, set()).update(arns)
    return {action: sorted(arns) for action, arns in table.items() if arns}


def principal_arn(identity: dict[str, Any]) -> str | None:
    """The IAM principal to simulate for an STS caller identity (None for principals IAM cannot simulate)."""
    arn = str(identity.get("Arn", ""))
    assumed = re.fullmatch(r"arn:(aws[\w-]*):sts::(\d{12}):assumed-role/([^/]+)/.+", arn)
    if assumed:
        partition, account, role = assumed.groups()
        return f"arn:{partition}:iam::{account}:role/{role}"
    if re.fullmatch(r"arn:aws[\w-]*:iam::\d{12}:(user|role)/.+", arn):
        return arn
    return None


@dataclass
class PermissionCheck:
    missing: set[str]
    checked: bool
    note: str = ""


def check_permissions(iam: Any, identity: dict[str, Any], actions: set[str]) -> PermissionCheck:
    """Simulate `actions` for the identity; `checked` is False (with the reason) when simulation is not possible."""
    principal = principal_arn(identity)
    if principal is None:
        return PermissionCheck(set(), False, f"{identity.get('Arn')} is not a principal IAM can simulate")
    if not actions:
        return PermissionCheck(set(), True)
    try:
        missing = set()
        ordered = sorted(actions)
        for start in range(0, len(ordered), SIMULATION_CHUNK):
            chunk = ordered[start : start + SIMULATION_CHUNK]
            for page in iam.get_paginator("simulate_principal_policy").paginate(
                PolicySourceArn=principal, ActionNames=chunk
            ):
                missing |= {r["EvalActionName"] for r in page["EvaluationResults"] if r["EvalDecision"] != "allowed"}
    except AwsAccessProblem:
        return PermissionCheck(
            set(),
            False,
            f"the identity may not call {SIMULATE}: a missing permission will be named when AWS refuses the call",
        )
    except Exception as error:  # noqa: BLE001 - simulation is a courtesy: anything else means "could not check"
        return PermissionCheck(set(), False, f"IAM policy simulation is not available here ({_first_line(error)})")
    return PermissionCheck(missing, True)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
