"""The report's first section when a candidate is gated: "candidate X: promotable" or "not promotable",
with the reasons, what was proven and what could not be."""

from __future__ import annotations

from html import escape
from typing import Any

from .views import STYLE


def candidate_verdict_html(verdict: dict[str, Any]) -> str:
    good = verdict["verdict"] == "promotable"
    parts = [
        STYLE,
        '<div class="simulacro candidate-verdict">',
        f'<h2 class="{"good" if good else "bad"}">{escape(verdict["headline"])}</h2>',
        f"<p>Candidate from {escape(verdict['source'])}, gated on endpoint {escape(verdict['endpoint'])}.</p>",
    ]
    for title, items in (
        ("Why not", verdict["reasons"]),
        ("Proven", verdict["proven"]),
        ("Not proven", verdict["not_proven"]),
    ):
        if items:
            parts.append(f"<h3>{title}</h3><ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>")
    parts.append("</div>")
    return "".join(parts)
