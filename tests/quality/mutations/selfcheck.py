"""`make selfcheck`: the suite's own quality figure. Each mutation of the catalogue is applied alone to a
freshly provisioned local stack; the drills of its categories run; it is caught when a drill fails.

Prints a table (mutation, caught by which drill, with what message) and ends with `kill rate: K/N`.
Exit 0 when every mutation is caught, 1 otherwise (a surviving mutation names a gap).

The mutations run in `--workers` long-lived processes (`worker_pool`), each with a local AWS of its own kept
warm by snapshots (`mutation_worker`): a run restores the provisioned stack instead of provisioning it, the
expected category's drills run first and the run stops at the first catch. A mutation whose worker dies or
hangs is reported not caught, with the reason, and the worker is replaced. `SIMULACRO_SNAPSHOTS=0` runs each
mutation in a `python -m pytest` subprocess of its own instead, every drill of its categories (to compare).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import mutation_worker  # noqa: E402
from mutation_plugin import CATALOGUE, load_catalogue  # noqa: E402
from spec_mutation import write_mutated_spec  # noqa: E402
from verdict import Verdict, errored, errors, failures  # noqa: E402
from worker_pool import run_all  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SPEC = ROOT / "fixtures" / "stack.yaml"
SNAPSHOTS = os.environ.get("SIMULACRO_SNAPSHOTS", "1") != "0"
TIMEOUT_SECONDS = 900  # one mutation's drills; past it, its worker is killed and replaced


def run_in_workers(
    mutations: list[dict], workdir: Path, catalogue: Path = CATALOGUE, workers: int = 2, spec: Path = DEFAULT_SPEC
) -> list[Verdict]:
    """Every mutation in one of `workers` warm processes; the verdicts in the catalogue's order."""
    return run_all(
        [(m, catalogue, spec, workdir) for m in mutations],
        run=mutation_worker.run_mutation,
        lost=lambda task, reason: errored(task[0], reason),
        workers=workers,
        timeout=TIMEOUT_SECONDS,
        setup=mutation_worker.setup,
    )


def run_one(mutation: dict, workdir: Path, catalogue: Path = CATALOGUE, spec: Path = DEFAULT_SPEC) -> Verdict:
    report = workdir / f"{mutation['id']}.xml"
    env = {
        **os.environ,
        "SIMULACRO_MUTATION": mutation["id"],
        "SIMULACRO_CATALOGUE": str(catalogue.resolve()),
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    started = time.perf_counter()
    try:
        spec_option = []
        if mutation.get("spec"):
            spec_option = ["--spec", str(write_mutated_spec(spec, mutation["spec"], workdir / mutation["id"]))]
    except (ValueError, KeyError, IndexError, OSError) as error:
        return errored(mutation, f"{type(error).__name__}: {error}")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *mutation_worker.drill_arguments(mutation, report, spec_option),
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
    # The drills of the expected category first: they are the ones meant to catch it.
    failed = sorted(failures(report), key=lambda f: mutation["expect"] not in _category_of(f[0]))
    message = failed[0][1] if failed else ""
    return Verdict(mutation, [name for name, _ in failed], message, seconds, error="; ".join(errors(report)[:2]))


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


def table(verdicts: list[Verdict]) -> str:
    lines = [f"{'mutation':38} {'expected':12} {'caught by':58} message", "-" * 160]
    for v in verdicts:
        if v.caught:
            drill = v.caught_by[0] + (f" (+{len(v.caught_by) - 1})" if len(v.caught_by) > 1 else "")
            lines.append(f"{v.mutation['id']:38} {v.mutation.get('expect', ''):12} {drill[:58]:58} {v.message}")
        else:
            lines.append(
                f"{v.mutation['id']:38} {v.mutation.get('expect', ''):12} {'SURVIVED':58} "
                f"{('drills errored: ' + v.error) if v.error else v.mutation.get('description', '')}"
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
    with tempfile.TemporaryDirectory() as workdir:
        if SNAPSHOTS:
            verdicts = run_in_workers(mutations, Path(workdir), args.catalogue, args.workers)
        else:
            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                verdicts = list(pool.map(lambda m: run_one(m, Path(workdir), args.catalogue), mutations))
    print(table(verdicts))
    print(
        f"({len(verdicts)} mutations in {time.perf_counter() - started:.0f} s with {args.workers} workers)",
        file=sys.stderr,
    )
    return 0 if all(v.caught for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
