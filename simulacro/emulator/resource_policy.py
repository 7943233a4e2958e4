"""Does a resource policy let an AWS service principal act on a resource? The subset EventBridge needs.

Explicit Deny wins over Allow; no matching Allow means denied. Conditions on aws:SourceArn and
aws:SourceAccount are honoured with the ArnEquals/ArnLike/StringEquals/StringLike families.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any


def service_may(
    policy: str | dict[str, Any] | None,
    *,
    service: str,
    action: str,
    resource: str,
    source_arn: str,
    source_account: str,
) -> bool:
    if not policy:
        return False
    document = json.loads(policy) if isinstance(policy, str) else policy
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    # AWS:SourceOwner is what SNS's default topic policy conditions on: the account the publisher acts for.
    context = {"aws:sourcearn": source_arn, "aws:sourceaccount": source_account, "aws:sourceowner": source_account}
    applicable = [s for s in statements if _applies(s, service, action, resource, context)]
    if any(s.get("Effect") == "Deny" for s in applicable):
        return False
    return any(s.get("Effect") == "Allow" for s in applicable)


def _applies(statement: dict[str, Any], service: str, action: str, resource: str, context: dict[str, str]) -> bool:
    return (
        _principal_matches(statement.get("Principal"), service)
        and _any_glob(statement.get("Action"), action, ignore_case=True)
        and _any_glob(statement.get("Resource", "*"), resource)
        and _conditions_hold(statement.get("Condition") or {}, context)
    )


def _principal_matches(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        for key in ("Service", "AWS"):
            values = principal.get(key)
            values = [values] if isinstance(values, str) else values or []
            if "*" in values or service in values:
                return True
    return False


def _any_glob(patterns: Any, value: str, *, ignore_case: bool = False) -> bool:
    patterns = [patterns] if isinstance(patterns, str) else patterns or []
    if ignore_case:
        return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def _conditions_hold(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, checks in conditions.items():
        for key, expected in checks.items():
            actual = context.get(key.lower())
            if actual is None:
                return False
            expected = [expected] if isinstance(expected, str) else expected
            if operator in ("ArnEquals", "StringEquals"):
                ok = actual in expected
            elif operator in ("ArnLike", "StringLike"):
                ok = any(fnmatch.fnmatchcase(actual, e) for e in expected)
            elif operator in ("ArnNotEquals", "StringNotEquals"):
                ok = actual not in expected
            else:
                return False  # an operator we do not model: be strict, as an unknown condition would not grant
            if not ok:
                return False
    return True
