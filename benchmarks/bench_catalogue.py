"""Per-drill wall time as the platform grows: the drill catalogue on 1, 2, 4 and 8 models, in one run.

    .venv/bin/python benchmarks/bench_catalogue.py [--models 1,2,4,8] [--select drills/test_endpoint_alarms.py ...] [-k EXPR]

Each size is a spec written by `python -m simulacro scale-spec N` (churn, churn2, ... churnN) and run as
`pytest drills --spec ...` in a process of its own, one drill after the other (no xdist), so the times
compare. Printed per size: drills, wall time of the run (spec load, provisioning and the session's
inventories included), wall time per drill, and time per drill inside the drills (JUnit times: setup,
call and teardown of each). The verdict compares the per-drill wall time of the largest size with
1 model: the aim is at most 1.25x. The CPU time per drill (of the pytest process) is printed too: on a
shared machine the wall time follows the load of the moment, the CPU time much less.
Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulacro.spec.scale import write_scaled_spec  # noqa: E402

AIM = 1.25


def run_size(models: int, folder: Path, selection: list[str], keyword: str | None) -> dict[str, float]:
    spec = write_scaled_spec(models, folder / f"{models}-models" / "stack.yaml")
    junit = folder / f"{models}-models" / "junit.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(selection or [str(ROOT / "drills")]),
        "--spec",
        str(spec),
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        f"--rootdir={ROOT}",
    ]
    if keyword:
        command += ["-k", keyword]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started, cpu_before = time.perf_counter(), _children_cpu()
    finished = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    cases = ElementTree.parse(junit).getroot().iter("testcase") if junit.exists() else []
    times = [float(case.get("time", 0)) for case in cases]
    failed = finished.returncode not in (0, 5)
    if failed:
        print(finished.stdout[-3000:], file=sys.stderr)
    drills = len(times)
    return {
        "models": models,
        "drills": drills,
        "wall": wall,
        "per_drill": wall / max(drills, 1),
        "cpu_per_drill": cpu / max(drills, 1),
        "in_drill": sum(times) / max(drills, 1),
        "failed": failed,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="1,2,4,8", help="the sizes, comma-separated (default 1,2,4,8)")
    parser.add_argument(
        "--select", nargs="*", default=[], help="drill files or node ids (default: the whole catalogue)"
    )
    parser.add_argument("-k", dest="keyword", default=None, help="a pytest -k expression to narrow the drills")
    args = parser.parse_args()
    sizes = [int(size) for size in args.models.split(",")]
    print(
        f"{'models':>6} {'drills':>6} {'wall s':>8} {'s/drill':>8} {'cpu s/drill':>11} {'in-drill s':>10}  {'x 1 model':>9}"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp:
        for size in sizes:
            row = run_size(size, Path(tmp), [str(ROOT / s) for s in args.select], args.keyword)
            rows.append(row)
            ratio = row["per_drill"] / rows[0]["per_drill"]
            print(
                f"{size:>6} {row['drills']:>6} {row['wall']:>8.1f} {row['per_drill']:>8.2f} {row['cpu_per_drill']:>11.2f} {row['in_drill']:>10.2f}  "
                f"{ratio:>8.2f}x{'  (drills failed)' if row['failed'] else ''}",
                flush=True,
            )
    largest, smallest = rows[-1], rows[0]
    for measure, key in (("wall time", "per_drill"), ("CPU time", "cpu_per_drill")):
        ratio = largest[key] / smallest[key]
        print(
            f"per-drill {measure} with {largest['models']} models: {ratio:.2f}x that of {smallest['models']} "
            f"(aim <= {AIM}x): {'flat' if ratio <= AIM else 'grows'}"
        )
    return 0 if not any(row["failed"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
