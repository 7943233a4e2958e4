"""The drill catalogue with the local AWS reached in-process and over its socket, side by side in one run.

    .venv/bin/python benchmarks/bench_transport.py [--rounds 3] [drill files or node ids ...]

Each round runs `pytest drills` (or the selection) twice, in processes of their own, one drill after the
other: once as shipped (clients of the local AWS call its WSGI application directly,
`simulacro/target/in_process.py`) and once with `SIMULACRO_LOCAL_TRANSPORT=http` (every request over
127.0.0.1). The two alternate, so that a change in the machine's load touches both. Printed: wall and CPU
time of each run, and the ratio of the medians. Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSPORTS = {"in-process": {}, "http": {"SIMULACRO_LOCAL_TRANSPORT": "http"}}


def run(selection: list[str], extra_env: dict[str, str]) -> tuple[float, float, bool]:
    command = [sys.executable, "-m", "pytest", *selection, "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra_env}
    started, cpu_before = time.perf_counter(), _children_cpu()
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if finished.returncode != 0:
        print(finished.stdout[-3000:], file=sys.stderr)
    return time.perf_counter() - started, _children_cpu() - cpu_before, finished.returncode == 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("selection", nargs="*", default=["drills"])
    args = parser.parse_args()
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in TRANSPORTS}
    passed = True
    print(f"{'round':>5} {'transport':>10} {'wall s':>8} {'cpu s':>8}")
    for round_number in range(1, args.rounds + 1):
        for name, env in TRANSPORTS.items():
            wall, cpu, ok = run(args.selection, env)
            passed &= ok
            seen[name].append((wall, cpu))
            print(
                f"{round_number:>5} {name:>10} {wall:>8.1f} {cpu:>8.1f}{'' if ok else '  (drills failed)'}", flush=True
            )
    for index, measure in enumerate(("wall", "CPU")):
        fast, slow = (statistics.median(t[index] for t in seen[name]) for name in ("in-process", "http"))
        print(
            f"median {measure} time: in-process {fast:.1f} s, http {slow:.1f} s: {slow / fast:.2f}x faster in-process"
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
