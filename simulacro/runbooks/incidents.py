"""Opening an incident: a record under reports/incidents/ and a message on the environment's incident topic.

Opening is idempotent: an open incident with the same key (what broke) is reused, not duplicated.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulacro.evidence import redact

if TYPE_CHECKING:
    from .core import Runbook


def incidents_dir() -> Path:
    return Path.cwd() / "reports" / "incidents"


def open_incident(runbook: Runbook, key: str, title: str, evidence: dict[str, Any]) -> dict[str, Any]:
    """Record the incident and notify the incident topic; returns the record (with `reused` when already open)."""
    folder = incidents_dir()
    folder.mkdir(parents=True, exist_ok=True)
    incident_id = f"INC-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
    path = folder / f"{incident_id}.json"
    if path.exists() and json.loads(path.read_text()).get("status") == "open":
        return {**json.loads(path.read_text()), "reused": True, "path": str(path)}
    record = {
        "id": incident_id,
        "status": "open",
        "title": title,
        "key": key,
        "opened": runbook.target.clock.now().isoformat(),
        "environment": runbook.environment,
        "runbook": runbook.name,
        "run_id": runbook.run_id,
        "evidence": evidence,
    }
    path.write_text(json.dumps(redact(record), indent=2, default=str))
    topic = _incident_topic(runbook)
    message_id = runbook.client("sns").publish(
        TopicArn=topic, Subject=f"[{incident_id}] {title}"[:100], Message=json.dumps(redact(record), default=str)
    )["MessageId"]
    return {**record, "reused": False, "path": str(path), "topic": topic, "message_id": message_id}


def _incident_topic(runbook: Runbook) -> str:
    subject = runbook.inputs.get("endpoint") or runbook.inputs.get("pipeline") or ""
    topic = runbook.stack.incident_topic(runbook.environment, subject)
    if topic is None:
        raise ValueError(f"the spec declares no incident topic (topics[].role: incidents) in {runbook.environment}")
    account = runbook.stack.account(runbook.environment)
    return f"arn:aws:sns:{runbook.target.region}:{account}:{topic.name}"
