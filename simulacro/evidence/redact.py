"""Nothing secret leaves in evidence: credentials, tokens, keys and credential-bearing URLs are masked wherever
they would appear (the JSON bundle, the HTML report, JUnit XML, the terminal, runbook evidence, the CLI).

What counts as a credential-bearing URL, as a class:
- any URL's query string (presigned URLs carry `X-Amz-Signature`/`X-Amz-Credential`/`X-Amz-Security-Token`,
  webhooks carry `?token=`, `?sig=`, `?code=`): every query value is masked, the parameter names stay;
- the path of an http(s) URL to a third party (a webhook subscription such as `https://hooks.example.com/
  services/T0/B0/secret` carries its secret in the path): masked, the scheme and host stay. The paths of
  AWS's own hosts and of the local endpoint (127.0.0.1, localhost) carry no secret and stay readable;
- user information in a URL (`https://user:password@host`): masked.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

_SECRET_KEYS = re.compile(r"(secret|password|token|credential|authorization|session)", re.I)
_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
_SECRET_VALUE = re.compile(r"(?i)(aws_secret_access_key|aws_session_token)\s*[=:]\s*\S+")
_URL = re.compile(r"\b(https?|wss?|ftp)://[^\s\"'<>`]+", re.I)
_OPEN_HOSTS = re.compile(
    r"(^|\.)(amazonaws\.com(\.cn)?|aws\.amazon\.com|amazon\.com|api\.aws)$|^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$",
    re.I,
)
_TRAILING = ".,;:)]}"
MASK = "***"


def redact(value: Any) -> Any:
    """`value` (JSON-like) with every secret masked: values under secret-looking keys, keys, tokens and URLs."""
    if isinstance(value, dict):
        return {k: MASK if _SECRET_KEYS.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_text(text: str) -> str:
    """A line, a message or a page of HTML with every secret in it masked."""
    text = _URL.sub(lambda m: mask_url(m.group(0)), text)
    return _SECRET_VALUE.sub(lambda m: f"{m.group(1)}={MASK}", _ACCESS_KEY.sub(MASK, text))


def mask_url(url: str) -> str:
    """One URL with its credential-bearing parts masked (see the module's docstring)."""
    trailing = ""
    while url and url[-1] in _TRAILING:
        url, trailing = url[:-1], url[-1] + trailing
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return MASK + trailing
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    path = parts.path
    if (
        path not in ("", "/")
        and parts.scheme.lower() in ("http", "https", "ws", "wss")
        and not _OPEN_HOSTS.search(host)
    ):
        path = "/" + MASK
    query = (
        "&".join(
            f"{pair.split('=', 1)[0]}={MASK}" if "=" in pair else MASK for pair in re.split(r"&(?:amp;)?", parts.query)
        )
        if parts.query
        else ""
    )
    masked = (
        f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "") + (f"#{MASK}" if parts.fragment else "")
    )
    return masked + trailing
