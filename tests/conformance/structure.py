"""Compare the STRUCTURE of what the local AWS produced with a reference recorded from AWS.

Values that legitimately vary (ids, times, accounts, names, numbers) are not compared; what a
consumer's code depends on is: the members present (none missing, none unknown), their JSON types,
the casing of enum values, the fixed values (`source`, `detail-type`, `Type`, error codes, ...) and
the format of strings that have one (timestamps in each of AWS's spellings, ARNs of each service,
region codes, account ids, UUIDs). JSON carried inside a string (`reasonData`, `HistoryData`,
an SNS `Message`) is compared inside. LocalStack's placeholders (`<region>`, `<uuid:1>`,
`timestamp`, `date`, 111111111111) stand for "any value of that kind".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

TIME_PLACEHOLDERS = {"timestamp", "date", "datetime"}
# Members whose value is the same on every answer of its kind (the scenario is built to match).
FIXED_KEYS = {
    "version",
    "source",
    "detail-type",
    "Type",
    "SignatureVersion",
    "AlarmType",
    "HistoryItemType",
    "StatisticType",
    "StatusCode",
    "operation",
    "EvaluateLowSampleCountPercentile",
    "Code",
    "ErrorCode",
    "HTTPStatusCode",
    "EventBusName",
    "State",
}
# Enum-like members: the value may differ, its casing (UPPER_SNAKE, PascalCase, lower) may not.
ENUM_KEYS = {
    "value",
    "stateValue",
    "StateValue",
    "NewStateValue",
    "OldStateValue",
    "Statistic",
    "stat",
    "ComparisonOperator",
    "comparisonOperator",
    "TreatMissingData",
    "treatMissingData",
    "Unit",
    "unit",
    "EndpointStatus",
    "TrainingJobStatus",
    "SecondaryStatus",
    "ProcessingJobStatus",
    "ModelPackageStatus",
    "ModelApprovalStatus",
    "currentPipelineExecutionStatus",
    "previousPipelineExecutionStatus",
    "currentStepStatus",
    "previousStepStatus",
    "stepType",
    "Status",
}
FORMATS: list[tuple[str, re.Pattern[str]]] = [
    ("iso-seconds-Z", re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")),
    ("iso-millis-Z", re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")),
    ("cloudwatch-millis", re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")),
    ("epoch-millis", re.compile(r"\d{13}")),
    ("uuid", re.compile(r"[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}")),
    ("account", re.compile(r"\d{12}")),
    ("region", re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d")),
]
TIME_FORMATS = {"iso-seconds-Z", "iso-millis-Z", "cloudwatch-millis", "epoch-millis"}
_PLACEHOLDER = re.compile(r"<[^<>]+>")


def differences(reference: Any, actual: Any, *, optional: Iterable[str] = (), exact: bool = False) -> list[str]:
    """Each way `actual` differs in structure from `reference`, as 'path: what'. Empty when conformant.

    `optional` lists paths (`a.b`, `list[].member`) the reference has but AWS leaves out when unset;
    `exact` compares every string value too (for recorded error answers).
    """
    found: list[str] = []
    _compare(reference, actual, "", set(optional), exact, found)
    return found


def string_format(text: str) -> str | None:
    for name, pattern in FORMATS:
        if pattern.fullmatch(text):
            return name
    if text.startswith("arn:aws:") or text.startswith("arn:<partition>:"):
        return "arn:" + text.split(":")[2]
    return None


def casing(text: str) -> str:
    if re.fullmatch(r"[A-Z0-9]+(_[A-Z0-9]+)*", text):
        return "UPPER_SNAKE"
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", text):
        return "PascalCase"
    if re.fullmatch(r"[a-z][A-Za-z0-9]*", text):
        return "camelCase"
    return "other"


def _compare(reference: Any, actual: Any, path: str, optional: set[str], exact: bool, found: list[str]) -> None:
    key = path.rsplit(".", 1)[-1].removesuffix("[]")
    if isinstance(reference, str) and reference in TIME_PLACEHOLDERS:
        _compare_time(actual, path, found)
    elif isinstance(reference, dict):
        _compare_object(reference, actual, path, optional, exact, found)
    elif isinstance(reference, list):
        _compare_list(reference, actual, path, optional, exact, found)
    elif isinstance(reference, bool):
        if not isinstance(actual, bool):
            found.append(f"{path}: AWS has a boolean, got {_kind(actual)} {actual!r}")
    elif isinstance(reference, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            found.append(f"{path}: AWS has a number, got {_kind(actual)} {actual!r}")
    elif reference is None:
        if actual is not None:
            found.append(f"{path}: AWS has null, got {actual!r}")
    elif isinstance(reference, str):
        _compare_string(reference, actual, path, key, optional, exact, found)


def _compare_object(reference: dict, actual: Any, path: str, optional: set[str], exact: bool, found: list[str]) -> None:
    if isinstance(actual, str):
        actual = _json_object(actual)
    if not isinstance(actual, dict):
        found.append(f"{path or '.'}: AWS has an object, got {_kind(actual)}")
        return
    for name, value in reference.items():
        child = _join(path, name)
        if name not in actual:
            if child not in optional:
                found.append(f"{child}: missing (AWS includes it)")
            continue
        _compare(value, actual[name], child, optional, exact, found)
    for name in actual:
        if name not in reference and _join(path, name) not in optional:
            found.append(f"{_join(path, name)}: unknown member (AWS does not include it here)")


def _compare_list(reference: list, actual: Any, path: str, optional: set[str], exact: bool, found: list[str]) -> None:
    if not isinstance(actual, list):
        found.append(f"{path}: AWS has a list, got {_kind(actual)}")
        return
    if reference and not actual:
        found.append(f"{path}: empty where AWS has items")
    for index, item in enumerate(actual):
        if reference:
            _compare(_counterpart(reference, item, index), item, path + "[]", optional, exact, found)


def _counterpart(reference: list, item: Any, index: int) -> Any:
    """The reference item to hold `item` against: order is not structure, so an object is held against
    the reference object with the same members (a metric query against a metric query, an expression
    against an expression), else the one at its position."""
    if isinstance(item, dict):
        for candidate in reference:
            if isinstance(candidate, dict) and set(candidate) == set(item):
                return candidate
    return reference[min(index, len(reference) - 1)]


def _compare_string(
    reference: str, actual: Any, path: str, key: str, optional: set[str], exact: bool, found: list[str]
) -> None:
    inner = _json_object(reference)
    if inner is not None:  # JSON carried in a string: a string both sides, compared inside
        if not isinstance(actual, str):
            found.append(f"{path}: AWS has a JSON string, got {_kind(actual)}")
            return
        _compare_object(inner, actual, path, optional, exact, found)
        return
    if not isinstance(actual, str):
        found.append(f"{path}: AWS has a string, got {_kind(actual)} {actual!r}")
        return
    if _PLACEHOLDER.search(reference) or "111111111111" in reference:
        if not _template(reference).fullmatch(actual):
            found.append(f"{path}: {actual!r} does not have the form of AWS's {reference!r}")
        return
    if exact or key in FIXED_KEYS:
        if actual != reference:
            found.append(f"{path}: AWS has {reference!r}, got {actual!r}")
        return
    wanted = string_format(reference)
    if wanted is not None and not key.endswith("Name"):  # names are the user's: any spelling
        got = string_format(actual)
        if got != wanted:
            found.append(f"{path}: AWS writes a {wanted} ({reference!r}), got {actual!r} ({got or 'text'})")
        return
    if key in ENUM_KEYS and casing(actual) != casing(reference):
        found.append(f"{path}: AWS spells it in {casing(reference)} ({reference!r}), got {actual!r}")


def _compare_time(actual: Any, path: str, found: list[str]) -> None:
    if isinstance(actual, datetime):
        return
    if isinstance(actual, list) and all(isinstance(item, datetime) for item in actual):
        return  # GetMetricData's Timestamps, which LocalStack replaces whole
    if not isinstance(actual, str) or string_format(actual) not in TIME_FORMATS:
        found.append(f"{path}: AWS has a time here, got {actual!r}")


def _template(reference: str) -> re.Pattern[str]:
    parts = []
    for piece in re.split(r"(<[^<>]+>|111111111111)", reference):
        if piece == "111111111111":
            parts.append(r"\d{12}")
        elif _PLACEHOLDER.fullmatch(piece or "x"):
            parts.append(
                r"[a-z]{2}(-gov)?-[a-z]+-\d" if piece == "<region>" else r"aws" if piece == "<partition>" else r".+"
            )
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts), re.DOTALL)


def _json_object(text: str) -> dict | None:
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kind(value: Any) -> str:
    return type(value).__name__
