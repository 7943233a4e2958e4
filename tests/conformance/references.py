"""The reference files: load them, and tell which ones a test holds the local AWS against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DIRECTORY = Path(__file__).parent / "references"


def load_all() -> list[dict[str, Any]]:
    references = []
    for path in sorted(DIRECTORY.glob("*.json")):
        body = json.loads(path.read_text())
        body["_file"] = path.name
        references.append(body)
    return references


def with_subject(prefix: str) -> list[dict[str, Any]]:
    return [r for r in load_all() if r["subject"].startswith(prefix)]
