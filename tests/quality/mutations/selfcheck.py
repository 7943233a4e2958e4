"""`make selfcheck`: the suite's own quality figure. Each mutation of the catalogue is applied alone to a
freshly provisioned local stack; the drills of its categories run; it is caught when a drill fails.

Prints a table (mutation, caught by which drill, with what message) and ends with `kill rate: K/N`.
Exit 0 when every mutation is caught, 1 otherwise (a surviving mutation names a gap).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mutation_plugin import CATALOGUE, load_catalogue  # noqa: E402
from spec_mutation import write_mutated_spec  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SPEC = ROOT / "fixtures" / "stack.yaml"


@dataclass
class Verdict:
    mutation: dict
    caught_by: list[str]
    message: str
    seconds: float
    error: str = ""

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


def run_one(mutation: dict, workdir: Path, catalogue: Path = CATALOGUE, spec: Path = DEFAULT_SPEC) -> Verdict:
    report = workdir / f"{mutation['id']}.xml"
    selection = mutation.get("run") or f"{mutation['expect']} or inventory"
    env = {
        **os.environ,
        "SIMULACRO_MUTATION": mutation["id"],
        "SIMULACRO_CATALOGUE": str(catalogue.resolve()),
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    spec_option = []
    if mutation.get("spec"):
        spec_option = ["--spec", str(write_mutated_spec(spec, mutation["spec"], workdir / mutation["id"]))]
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "drills",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "mutation_plugin",
            "-m",
            selection,
            f"--junitxml={report}",
            *spec_option,
            "-x" if mutation.get("first_failure") else "-q",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - started
    if not report.exists():
        return Verdict(mutation, [], "", seconds, error=(done.stdout + done.stderr)[-600:])
    errors = _errors(report)
    # The drills of the expected category first: they are the ones meant to catch it.
    failed = sorted(_failures(report), key=lambda f: mutation["expect"] not in _category_of(f[0]))
    message = failed[0][1] if failed else ""
    return Verdict(mutation, [name for name, _ in failed], message, seconds, error="; ".join(errors[:2]))


CATEGORY_OF_FILE = {
    "test_inventory": "inventory",
    "test_coverage": "inventory",
    "test_prod_replay": "endpoint",
    "test_notifications": "notification",
    "test_pipeline_alarms": "pipeline",
    "test_endpoint_alarms": "endpoint",
    "test_control_run": "endpoint",
    "test_event_rules": "events",
    "test_incidents": "runbook",
    "test_model_monitor": "monitor",
    "test_deployment_guardrails": "endpoint",
}


def _category_of(drill: str) -> str:
    return CATEGORY_OF_FILE.get(drill.split("::")[0], "")


def _failures(report: Path) -> list[tuple[str, str]]:
    """Drills that failed an expectation. An error (a drill that could not run) is not a catch."""
    found = []
    for case in ElementTree.parse(report).iter("testcase"):
        for failure in case.iter("failure"):
            text = failure.text or failure.get("message") or ""
            found.append((f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}", _message(text)))
    return found


def _errors(report: Path) -> list[str]:
    return [(e.get("message") or "")[:200] for e in ElementTree.parse(report).iter("error")]


def _message(text: str) -> str:
    """The operator-facing line of a failure: the AssertionError, with its first finding when it lists them."""
    lines = [line.strip().removeprefix("E").strip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        if line.startswith(("AssertionError: ", "Failed: ")):
            message = line.split(": ", 1)[1]
            if message.endswith(":") and index + 1 < len(lines):
                message += " " + lines[index + 1].lstrip("- ")
            return message[:220]
    return next((line for line in lines if line), "")[:220]


def table(verdicts: list[Verdict]) -> str:
    lines = [f"{'mutation':38} {'expected':12} {'caught by':58} message", "-" * 160]
    for v in verdicts:
        if v.caught:
            drill = v.caught_by[0] + (f" (+{len(v.caught_by) - 1})" if len(v.caught_by) > 1 else "")
            lines.append(f"{v.mutation['id']:38} {v.mutation['expect']:12} {drill[:58]:58} {v.message}")
        else:
            lines.append(
                f"{v.mutation['id']:38} {v.mutation['expect']:12} {'SURVIVED':58} "
                f"{('drills errored: ' + v.error) if v.error else v.mutation['description']}"
            )
    killed = sum(v.caught for v in verdicts)
    lines.append(f"kill rate: {killed}/{len(verdicts)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--catalogue", type=Path, default=CATALOGUE, help="the mutation catalogue to run (default: %(default)s)"
    )
    parser.add_argument("--only", nargs="*", default=None, help="mutation ids to run (default: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    if not args.catalogue.is_file():
        parser.error(f"no catalogue at {args.catalogue}")
    mutations = [m for m in load_catalogue(args.catalogue) if not args.only or m["id"] in args.only]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir, ThreadPoolExecutor(max_workers=args.workers) as pool:
        verdicts = list(pool.map(lambda m: run_one(m, Path(workdir), args.catalogue), mutations))
    print(table(verdicts))
    print(
        f"({len(verdicts)} mutations in {time.perf_counter() - started:.0f} s with {args.workers} workers)",
        file=sys.stderr,
    )
    return 0 if all(v.caught for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
