"""`make flakecheck`: run the drill catalogue 20 times in random order (pytest-randomly, a seed per run)
against the local AWS, and fail if any drill's outcome differs between runs: the gate must give the
same answer every time."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def outcomes(seed: int, workdir: Path, selection: list[str]) -> dict[str, str]:
    report = workdir / f"run-{seed}.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *selection,
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "randomly",
            f"--randomly-seed={seed}",
            f"--junitxml={report}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    result = {}
    for case in ElementTree.parse(report).iter("testcase"):
        kind = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        result[f"{case.get('classname')}::{case.get('name')}"] = kind
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("selection", nargs="*", default=["drills"], help="what to run (default: the drills)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir, ThreadPoolExecutor(max_workers=args.workers) as pool:
        runs = list(pool.map(lambda seed: outcomes(seed, Path(workdir), args.selection), range(1, args.runs + 1)))
    seen: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for seed, run in enumerate(runs, start=1):
        for test, outcome in run.items():
            seen[test][outcome].append(seed)
    flaky = {
        test: dict(by_outcome)
        for test, by_outcome in seen.items()
        if len(by_outcome) > 1 or sum(map(len, by_outcome.values())) != len(runs)
    }
    for test, by_outcome in sorted(flaky.items()):
        print(f"FLAKY {test}: " + "; ".join(f"{outcome} with seeds {seeds}" for outcome, seeds in by_outcome.items()))
    print(
        f"{len(seen)} drills x {len(runs)} runs in random order ({time.perf_counter() - started:.0f} s): "
        f"{len(flaky)} with an outcome that changed"
    )
    return 1 if flaky else 0


if __name__ == "__main__":
    sys.exit(main())
