"""`--dry-run`: what each drill would do, and nothing done.

The plan is not guessed from the drill's source: each selected drill is rehearsed against the
embedded local AWS built from the spec (the real target is never handed to a drill), and its timeline
says what it injected, where, and what it expected within which budget. On `--target aws` the real
account is only read: who the credentials are, which account, whether the guard alarms exist and
whether the identity holds the permissions the drills need.
"""

from __future__ import annotations

from typing import Any

from simulacro.spec import format_duration

WHERE_KEYS = (
    "endpoint",
    "pipeline",
    "rule",
    "target",
    "group",
    "alarm",
    "mechanism",
    "parameter",
    "value",
    "state",
    "how",
    "artifact",
)


def plan_text(drills: list[dict[str, Any]], skipped: dict[str, str], header: str) -> str:
    """The dry-run report: one block per drill (faults, where, expectations with budgets), then the skipped ones."""
    lines = [header, ""]
    for drill in drills:
        lines += drill_plan(drill)
    for nodeid, reason in sorted(skipped.items()):
        lines += [nodeid, f"    would be skipped: {reason}", ""]
    return "\n".join(lines).rstrip() + "\n"


def drill_plan(drill: dict[str, Any]) -> list[str]:
    where = ", ".join(part for part in (drill["category"], drill.get("environment")) if part)
    lines = [f"{drill['drill']}  ({where})", f"    {drill['title']}"]
    injections = [e for e in drill["timeline"] if e["kind"] == "inject"]
    if not injections:
        lines.append("    injects nothing (reads and compares only)")
    for entry in injections:
        lines.append(f"    would inject: {entry['label']}{_where(entry['detail'])}")
    for expectation in expectations(drill):
        lines.append(f"    then expect:  {expectation}")
    for entry in (e for e in drill["timeline"] if e["kind"] == "restore"):
        lines.append(f"    and restore:  {entry['label'].removeprefix('undo: ')}")
    lines.append(
        f"    rehearsal on the local AWS: {drill['outcome']}"
        + (f" ({_first_line(drill['message'])})" if drill["message"] else "")
    )
    return lines + [""]


def expectations(drill: dict[str, Any]) -> list[str]:
    """The budgets the drill set, and the measured steps that carry a budget of their own."""
    found = [budget["label"] for budget in drill["budgets"]]
    budgeted = {(_subject(budget["label"]), budget["seconds"]) for budget in drill["budgets"]}
    for measured in drill["measurements"]:
        subject = measured["name"].partition(" (")[2].rstrip(")")
        if measured.get("budget") and (subject, measured["budget"]) not in budgeted:
            found.append(f"{measured['name']} within {format_duration(measured['budget'])}")
    return found


def _subject(label: str) -> str:
    """`churn-staging-5xx-rate ALARM budget 4m` -> `churn-staging-5xx-rate` (what a measurement names in brackets)."""
    return label.split(" ", 1)[0]


def _where(detail: dict[str, Any]) -> str:
    parts = [f"{key} {detail[key]}" for key in WHERE_KEYS if detail.get(key) not in (None, "")]
    return f"  [{', '.join(parts)}]" if parts else ""


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else ""
