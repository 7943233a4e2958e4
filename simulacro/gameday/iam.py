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
from typing import Any, Iterable

from simulacro.target.aws_errors import AwsAccessProblem
from simulacro.gameday.call_recorder import drill_function
from simulacro.target.iam_actions import PASS_ROLE, is_read_only

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
        return cls(set(data.get("session", [])), set(data.get("provision", [])),
                   {name: set(actions) for name, actions in data.get("drills", {}).items()})

    def for_drill(self, nodeid: str) -> set[str] | None:
        """The actions one drill needs, or None when nothing was recorded for it (a drill added since)."""
        return self.drills.get(drill_function(nodeid))

    def needed(self, nodeids: Iterable[str], *, provision: bool = False) -> set[str]:
        actions = set(self.session) | (self.provision if provision else set())
        for nodeid in nodeids:
            actions |= self.for_drill(nodeid) or set()
        return actions


def policy_document(actions: set[str], region: str) -> dict[str, Any]:
    """An IAM policy allowing exactly `actions` in `region`: reads and changes in separate statements."""
    reads = sorted(a for a in actions if is_read_only(a))
    changes = sorted(a for a in actions if not is_read_only(a) and a != PASS_ROLE)
    region_only = {"StringEquals": {"aws:RequestedRegion": region}}
    statements = []
    if reads:
        statements.append({"Sid": "SimulacroReadTheStack", "Effect": "Allow", "Action": reads, "Resource": "*",
                           "Condition": region_only})
    if changes:
        statements.append({"Sid": "SimulacroInjectAndRestoreFaults", "Effect": "Allow", "Action": changes,
                           "Resource": "*", "Condition": region_only})
    if PASS_ROLE in actions:
        statements.append({"Sid": "SimulacroPassRolesToSageMaker", "Effect": "Allow", "Action": [PASS_ROLE], "Resource": "*",
                           "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}})
    statements.append({"Sid": "SimulacroCheckItsOwnPermissions", "Effect": "Allow", "Action": [SIMULATE],
                       "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


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
            chunk = ordered[start:start + SIMULATION_CHUNK]
            for page in iam.get_paginator("simulate_principal_policy").paginate(PolicySourceArn=principal, ActionNames=chunk):
                missing |= {r["EvalActionName"] for r in page["EvaluationResults"] if r["EvalDecision"] != "allowed"}
    except AwsAccessProblem:
        return PermissionCheck(set(), False, f"the identity may not call {SIMULATE}: a missing permission will be named "
                                             "when AWS refuses the call")
    except Exception as error:  # noqa: BLE001 - simulation is a courtesy: anything else means "could not check"
        return PermissionCheck(set(), False, f"IAM policy simulation is not available here ({_first_line(error)})")
    return PermissionCheck(missing, True)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
