"""The game-day commands of `python -m simulacro`: `cleanup`, `iam-policy` and `sandbox`.

Exit codes as for every command: 0 success, 1 the command found something that needs a person
(a leftover it cannot remove, drills with no recorded permissions), 2 bad input (nothing was changed).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from simulacro.spec import DEFAULT_SPEC, load_stack

ROOT = Path(__file__).resolve().parents[1]
EXIT_OK, EXIT_FOUND, EXIT_BAD_INPUT = 0, 1, 2


class GameDayCommandError(ValueError):
    """Bad input: the message names what and where (the CLI prints it and exits 2)."""


def register(commands: argparse._SubParsersAction) -> None:
    for add in (_cleanup_command, _iam_policy_command, _sandbox_command):
        add(commands)


def _spec_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", default=str(DEFAULT_SPEC), help="the stack spec (default: fixtures/stack.yaml)")


def _aws_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", required=True, help="the environment (account) to act on, as the spec names it")
    parser.add_argument("--aws-profile", default=None, help="AWS profile (default: AWS_PROFILE, then boto3's chain)")
    parser.add_argument("--aws-region", default=None, help="region (default: the spec's)")
    parser.add_argument("--endpoint-url", default=None, help="an AWS-compatible endpoint (default: AWS_ENDPOINT_URL, else AWS)")


# --- cleanup ----------------------------------------------------------------------------------

def _cleanup_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("cleanup", help="remove what a crashed run left behind (probe queues, targets, configs, ...)")
    _spec_option(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--run-id", help="the run whose leftovers to remove (printed at the start and end of every run)")
    which.add_argument("--all-runs", action="store_true", help="leftovers of any run (do not use while a game day is running)")
    _aws_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    parser.set_defaults(run=_cleanup)


def _cleanup(args: argparse.Namespace) -> int:
    from simulacro.cleanup import cleanup
    from simulacro.preflight import PreflightRefused, identify

    stack = load_stack(args.spec)
    target = _aws_target(stack, args)
    try:
        identity = identify(target, args.spec)
    except PreflightRefused as refusal:
        raise GameDayCommandError(str(refusal)) from None
    print(f"cleanup of {'every run' if args.all_runs else 'run ' + args.run_id} in {target.where}, environment {args.env} "
          f"(account {identity['Account']}) as {identity['Arn']}{' (dry run)' if args.dry_run else ''}")
    found = cleanup(target, stack, None if args.all_runs else args.run_id, dry_run=args.dry_run)
    by_hand = [f for f in found if f.remove is None]
    print(f"{len(found) - len(by_hand)} leftover(s) {'to remove' if args.dry_run else 'removed'}, "
          f"{len(by_hand)} to look at by hand" if found else "nothing left behind")
    return EXIT_FOUND if by_hand else EXIT_OK


def _aws_target(stack: Any, args: argparse.Namespace) -> Any:
    from simulacro.target import AwsTarget

    return AwsTarget(stack, args.env, profile=args.aws_profile, region=args.aws_region, endpoint_url=args.endpoint_url)


# --- iam-policy -------------------------------------------------------------------------------

def _iam_policy_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("iam-policy", help="print the least-privilege IAM policy the selected drills need")
    _spec_option(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--gate", action="store_true", help="the pre-promotion gate (-m gate)")
    which.add_argument("--all", action="store_true", help="every drill (the default)")
    which.add_argument("-m", dest="marker", default=None, help="drills matching a pytest marker expression")
    parser.add_argument("--provision", action="store_true", help="also what --provision needs (creating the stack)")
    parser.add_argument("--drills", type=Path, default=ROOT / "drills", help="the drills folder (default: drills/)")
    parser.add_argument("--record", action="store_true", help="re-record the actions: run every drill against the "
                        "local AWS, also interrupted at each phase, hearing each call (under a minute); updates "
                        "simulacro/iam_actions.json")
    parser.set_defaults(run=_iam_policy)


def _iam_policy(args: argparse.Namespace) -> int:
    from simulacro.iam import RECORDED, RecordedActions, policy_document

    stack = load_stack(args.spec)
    if args.record:
        _record_actions(args.drills, RECORDED)
    recorded = RecordedActions.load()
    marker = "gate" if args.gate else args.marker
    nodeids = selected_drills(args.drills, args.spec, marker)
    unknown = sorted({n.split("[", 1)[0] for n in nodeids if recorded.for_drill(n) is None})
    actions = recorded.needed(nodeids, provision=args.provision)
    # A cost alarm and its topic live in us-east-1: the policy allows every region the spec uses.
    print(json.dumps(policy_document(actions, stack.regions()), indent=2))
    print(f"{len(actions)} actions for {len(nodeids)} drills{' and provisioning' if args.provision else ''} "
          f"({'-m ' + marker if marker else 'all drills'})", file=sys.stderr)
    if unknown:
        print("no recorded actions for " + ", ".join(unknown) + ": run `python -m simulacro iam-policy --record`",
              file=sys.stderr)
        return EXIT_FOUND
    return EXIT_OK


def selected_drills(drills: Path, spec: str, marker: str | None) -> list[str]:
    """The node ids pytest collects under `drills` (with `-m marker`), without running anything."""
    import pytest

    if not drills.is_dir():
        raise GameDayCommandError(f"no drills folder at {drills}")

    class Collector:
        nodeids: list[str] = []

        def pytest_collection_finish(self, session: pytest.Session) -> None:
            Collector.nodeids = [item.nodeid for item in session.items]

    args = [str(drills), "--collect-only", "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}", f"--spec={spec}"]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = pytest.main(args + (["-m", marker] if marker else []), plugins=[Collector()])
    if code not in (0, 5):
        raise GameDayCommandError(f"collecting the drills under {drills} failed:\n{out.getvalue()[-2000:]}")
    return Collector.nodeids


def _record_actions(drills: Path, path: Path) -> None:
    print(f"recording the calls of every drill under {drills} against the local AWS ...", file=sys.stderr)
    # Interrupted runs too: a rollback cut short needs calls a full run does not (stopping a running pipeline).
    run = subprocess.run([sys.executable, "-m", "pytest", str(drills), "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}",
                          "--interrupt-each-phase", f"--record-calls={path}", f"--evidence={path.with_suffix('.evidence.json')}"],
                         cwd=ROOT, capture_output=True, text=True)
    path.with_suffix(".evidence.json").unlink(missing_ok=True)
    if run.returncode != 0:
        raise GameDayCommandError(f"some drills failed while recording, so their actions may be incomplete "
                                  f"({path} was written anyway; fix the drills and record again):\n{run.stdout[-3000:]}")
    print(f"wrote {path}", file=sys.stderr)


# --- sandbox ----------------------------------------------------------------------------------

def _sandbox_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sandbox", help="keep the local AWS running with the stack, for the aws CLI and your scripts")
    _spec_option(parser)
    parser.add_argument("--env", default="staging", help="whose account the printed credentials open (default staging)")
    parser.add_argument("--speed", type=float, default=1.0, help="how fast time runs (1: like the wall clock; 60: a minute a second)")
    parser.add_argument("--env-file", type=Path, default=None, help="also write the exports to this file, for `source`")
    parser.set_defaults(run=_sandbox)


def _sandbox(args: argparse.Namespace) -> int:
    from simulacro.sandbox import Sandbox, run_until_interrupted

    stack = load_stack(args.spec)
    run_until_interrupted(Sandbox(stack, args.env, speed=args.speed), args.env_file, sys.stdout)
    return EXIT_OK
