"""What one mutation's drill run tells: caught (a drill FAILED, with its message) or not (and why, when drills errored).

Read from pytest's JUnit XML report, the same way whichever process ran the drills (a worker of selfcheck, or a
`python -m pytest` subprocess). A drill that errors (could not run: its set-up or tear-down raised) is not a catch.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Verdict:
    mutation: dict
    caught_by: list[str]
    message: str
    seconds: float
    error: str = ""
    worker: int = 0  # the process id of the worker that ran it (0: a subprocess of its own)

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


def errored(mutation: dict, error: str, seconds: float = 0.0, worker: int = 0) -> Verdict:
    """Not caught: the mutation could not be applied or its drills could not run (the error says which)."""
    return Verdict(mutation, [], "", seconds, error=error, worker=worker)


def failures(report: Path) -> list[tuple[str, str]]:
    """Drills that failed an expectation, in the order they ran, with the operator-facing line of each."""
    found = []
    for case in ElementTree.parse(report).iter("testcase"):
        for failure in case.iter("failure"):
            text = failure.text or failure.get("message") or ""
            found.append((f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}", message_of(text)))
    return found


def errors(report: Path) -> list[str]:
    """Why drills could not run: the exception each error ended with (the first line of pytest's last `E` block: the
    last of a chain), else pytest's summary."""
    found = []
    for error in ElementTree.parse(report).iter("error"):
        last_block: list[str] = []
        previous_was_raised = False
        for line in (error.text or "").splitlines():
            raised = line.startswith("E ")
            if raised and not previous_was_raised:
                last_block = []
            if raised:
                last_block.append(line[1:].strip())
            previous_was_raised = raised
        found.append((last_block[0] if last_block else error.get("message") or "")[:200])
    return found


def message_of(text: str) -> str:
    """The operator-facing line of a failure: the AssertionError, with its first finding when it lists them."""
    lines = [line.strip().removeprefix("E").strip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        if line.startswith(("AssertionError: ", "Failed: ")):
            message = line.split(": ", 1)[1]
            if message.endswith(":") and index + 1 < len(lines):
                message += " " + lines[index + 1].lstrip("- ")
            return message[:220]
    return next((line for line in lines if line), "")[:220]
