"""Nothing secret leaves in evidence: credentials and tokens are masked wherever they appear."""
from __future__ import annotations

import re
from typing import Any

_SECRET_KEYS = re.compile(r"(secret|password|token|credential|authorization|session)", re.I)
_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
_SECRET_VALUE = re.compile(r"(?i)(aws_secret_access_key|aws_session_token)\s*[=:]\s*\S+")
MASK = "***"


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MASK if _SECRET_KEYS.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _SECRET_VALUE.sub(lambda m: f"{m.group(1)}={MASK}", _ACCESS_KEY.sub(MASK, value))
    return value
