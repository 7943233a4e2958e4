"""docs/runbooks.md, generated from the runbook code: `python -m simulacro runbook-docs` rewrites it,
and a test fails when the page and the code disagree."""

from __future__ import annotations

from pathlib import Path

from simulacro.spec.paths import DOCS

from . import RUNBOOKS

PAGE = DOCS / "runbooks.md"


def render() -> str:
    parts = [
        "# Runbooks",
        "",
        "Generated from `simulacro/runbooks/` by `python -m simulacro runbook-docs`; do not edit by hand.",
        "Each runbook is code: every step records its inputs, the API calls it made, its result, its start",
        "and end time and the evidence it produced. A second run on a recovered system does nothing and says",
        "so. A runbook refuses an environment the spec does not list it in (`environments.<env>.allow_runbooks`).",
        "",
        "| symptom | likely cause | evidence kept |",
        "|---|---|---|",
    ]
    parts += [f"| {rb.symptom} | {rb.likely_cause} | {rb.evidence_kept} |" for rb in RUNBOOKS.values()]
    for runbook in RUNBOOKS.values():
        parts += [
            "",
            f"## {runbook.name}",
            "",
            f"**Symptom:** {runbook.symptom}. **Likely cause:** {runbook.likely_cause}.",
            "",
            "Steps:",
            "",
        ]
        parts += [f"{i}. **{name}**: {purpose}" for i, (name, purpose) in enumerate(runbook.steps(), start=1)]
        parts += [
            "",
            f"**Evidence kept:** {runbook.evidence_kept}.",
            "",
            "Run it (add `--dry-run` to print the plan only):",
            "",
            "```sh",
            runbook.usage,
            "```",
        ]
    return "\n".join(parts) + "\n"


def write() -> Path:
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(render())
    return PAGE
