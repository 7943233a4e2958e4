"""`python -m simulacro iam-policy`: the least-privilege IAM policy the selected drills need, recorded from their calls.

Exit codes: 0 printed, 1 some selected drills have no recorded actions, 2 bad input."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

from simulacro.errors import BadInput
from simulacro.gameday.iam import RECORDED, RecordedActions, policy_document
from simulacro.spec import load_stack
from simulacro.spec.paths import EXAMPLE_CANDIDATE
from simulacro.spec.paths import REPO_ROOT as ROOT

from .options import EXIT_FOUND, EXIT_OK, Subcommands, known_environment, spec_option


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("iam-policy", help="print the least-privilege IAM policy the selected drills need")
    spec_option(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--gate", action="store_true", help="the pre-promotion gate (-m gate)")
    which.add_argument("--all", action="store_true", help="every drill (the default)")
    which.add_argument("-m", dest="marker", default=None, help="drills matching a pytest marker expression")
    parser.add_argument(
        "--env",
        default=None,
        help="scope the resources to this environment's account (default: every environment of the spec)",
    )
    parser.add_argument("--provision", action="store_true", help="also what --provision needs (creating the stack)")
    parser.add_argument("--drills", type=Path, default=ROOT / "drills", help="the drills folder (default: drills/)")
    parser.add_argument(
        "--record",
        action="store_true",
        help="re-record the actions: run every drill against the "
        "local AWS, also interrupted at each phase, hearing each call (under a minute); updates "
        "simulacro/gameday/iam_actions.json",
    )
    parser.set_defaults(run=_iam_policy)


def _iam_policy(args: argparse.Namespace) -> int:
    stack = load_stack(args.spec)
    if args.env is not None:
        known_environment(stack, args.env)
    if args.record:
        _record_actions(args.drills, RECORDED)
    recorded = RecordedActions.load()
    marker = "gate" if args.gate else args.marker
    nodeids = selected_drills(args.drills, args.spec, marker)
    unknown = sorted({n.split("[", 1)[0] for n in nodeids if recorded.for_drill(n) is None})
    actions = recorded.needed(nodeids, provision=args.provision)
    # A cost alarm and its topic live in us-east-1: the policy allows every region the spec uses.
    print(json.dumps(policy_document(actions, stack.regions(), stack, [args.env] if args.env else None), indent=2))
    print(
        f"{len(actions)} actions for {len(nodeids)} drills{' and provisioning' if args.provision else ''} "
        f"({'-m ' + marker if marker else 'all drills'})",
        file=sys.stderr,
    )
    if unknown:
        print(
            "no recorded actions for " + ", ".join(unknown) + ": run `python -m simulacro iam-policy --record`",
            file=sys.stderr,
        )
        return EXIT_FOUND
    return EXIT_OK


def selected_drills(drills: Path, spec: str, marker: str | None) -> list[str]:
    """The node ids pytest collects under `drills` (with `-m marker`), without running anything."""
    import pytest

    if not drills.is_dir():
        raise BadInput(f"no drills folder at {drills}")

    class Collector:
        nodeids: list[str] = []

        def pytest_collection_finish(self, session: pytest.Session) -> None:
            Collector.nodeids = [item.nodeid for item in session.items]

    args = [str(drills), "--collect-only", "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}", f"--spec={spec}"]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = pytest.main(args + (["-m", marker] if marker else []), plugins=[Collector()])
    if code not in (0, 5):
        raise BadInput(f"collecting the drills under {drills} failed:\n{out.getvalue()[-2000:]}")
    return Collector.nodeids


def _record_actions(drills: Path, path: Path) -> None:
    print(f"recording the calls of every drill under {drills} against the local AWS ...", file=sys.stderr)
    # Interrupted runs too: a rollback cut short needs calls a full run does not (stopping a running pipeline).
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(drills),
            "-q",
            "-p",
            "no:cacheprovider",
            f"--rootdir={ROOT}",
            "--interrupt-each-phase",
            f"--candidate={EXAMPLE_CANDIDATE}",
            f"--record-calls={path}",
            f"--evidence={path.with_suffix('.evidence.json')}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    path.with_suffix(".evidence.json").unlink(missing_ok=True)
    if run.returncode != 0:
        raise BadInput(
            f"some drills failed while recording, so their actions may be incomplete "
            f"({path} was written anyway; fix the drills and record again):\n{run.stdout[-3000:]}"
        )
    print(f"wrote {path}", file=sys.stderr)
