"""The gate's verdict on a candidate, from the drills' outcomes: promotable only when every required part
of the proof passed and no other gate drill failed. Pure: it reads the drills' records as data (the JSON
bundle's `drills`), so it is the same in one process and across xdist workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (drill function, what it proves, required for a promotable verdict)
ASPECTS = (
    ("test_candidate_keeps_everything_that_watches_the_endpoint", "static compatibility", True),
    ("test_candidate_deploys_through_the_promotion_path", "deployment through the team's path", True),
    ("test_candidate_passes_the_control_run", "control run on the candidate", True),
    ("test_candidate_can_be_rolled_back_and_deployed_again", "the way back", True),
    ("test_a_regressing_candidate_is_rolled_back_by_the_guardrail", "the deployment guardrail", False),
)
CANDIDATE_DRILLS = "test_candidate_gate.py"


@dataclass
class Verdict:
    candidate: str
    source: str
    endpoint: str
    promotable: bool
    reasons: list[str] = field(default_factory=list)
    proven: list[str] = field(default_factory=list)
    not_proven: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return f"candidate {self.candidate}: {'promotable' if self.promotable else 'not promotable'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "source": self.source,
            "endpoint": self.endpoint,
            "verdict": "promotable" if self.promotable else "not promotable",
            "headline": self.headline,
            "reasons": self.reasons,
            "proven": self.proven,
            "not_proven": self.not_proven,
        }


def judge(candidate: Any, drills: list[dict[str, Any]], skipped: dict[str, str]) -> Verdict:
    """The verdict on `candidate` from the records of the drills that ran and the reasons of those skipped."""
    verdict = Verdict(candidate.name, candidate.source, candidate.endpoint_name, promotable=True)
    for function, aspect, required in ASPECTS:
        records = [d for d in drills if _function(d["drill"]) == function]
        failed = [d for d in records if d["outcome"] == "failed"]
        passed = [d for d in records if d["outcome"] == "passed"]
        skip = next((reason for nodeid, reason in skipped.items() if _function(nodeid) == function), None)
        if failed:
            verdict.reasons += [f"{aspect}: {_first_lines(d['message'])}" for d in failed]
        elif passed:
            verdict.proven.append(aspect)
        else:
            why = (
                skip
                or next((_first_lines(d["message"]) for d in records if d["message"]), None)
                or "not run (deselected)"
            )
            verdict.not_proven.append(f"{aspect}: {why}")
            if required:
                verdict.reasons.append(f"{aspect} was not proven: {why}")
    others = [d["drill"] for d in drills if CANDIDATE_DRILLS not in d["drill"] and d["outcome"] == "failed"]
    if others:
        verdict.reasons.append(f"the observability stack failed {len(others)} other gate drill(s): {', '.join(others)}")
    verdict.promotable = not verdict.reasons
    return verdict


def _function(nodeid: str) -> str:
    return nodeid.split("::")[-1].split("[")[0]


def _first_lines(message: str, limit: int = 1200) -> str:
    text = (message or "").split("\nassert ")[0].strip()
    text = text.removeprefix("Failed: ").strip()
    return text if len(text) <= limit else text[:limit] + " ..."
