"""`python -m simulacro <command>`: the tools around the drills.

Every error is one paragraph naming what and where, with a non-zero exit code; never a traceback.
Exit codes: 0 success, 1 the command found a problem (e.g. noisy alarms), 2 bad input.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from simulacro.spec import DEFAULT_SPEC, SpecError, load_stack

EXIT_OK, EXIT_FOUND, EXIT_BAD_INPUT = 0, 1, 2


class CommandError(Exception):
    """Bad input to a command: the message is what the operator reads."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (CommandError, SpecError, FileNotFoundError, FileExistsError, ValueError) as error:
        print(f"simulacro {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"simulacro {args.command}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulacro", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for register in COMMANDS:
        register(commands)
    return parser


def _spec_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", default=str(DEFAULT_SPEC), help="the stack spec (default: fixtures/stack.yaml)")


def _calibrate_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("calibrate", help="replay a metric history through every alarm; flag noisy ones")
    _spec_option(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--history", type=Path, help="CSV: timestamp,namespace,metric,dimensions,value")
    source.add_argument("--target", choices=("local", "aws"), help="read the history with GetMetricData from a target")
    parser.add_argument("--env", default=None, help="only this environment's alarms (with --target aws: required)")
    parser.add_argument("--days", type=float, default=14, help="length of the history window (default 14)")
    parser.add_argument("--start", default=None, help="window start, ISO-8601 (default: --days before now, or the CSV's first sample)")
    parser.add_argument("--aws-profile", default=None)
    parser.add_argument("--endpoint-url", default=None)
    parser.set_defaults(run=_calibrate)


def _calibrate(args: argparse.Namespace) -> int:
    from simulacro.calibrate import calibrate, default_window, history_from_target, read_history, report

    stack = load_stack(args.spec)
    if args.env is not None and args.env not in stack.environments:
        raise CommandError(f"unknown environment {args.env!r}: the spec declares {', '.join(stack.environments)}")
    alarms = [a for a in stack.alarms if args.env in (None, a.environment)]
    if args.history is not None:
        if not args.history.is_file():
            raise CommandError(f"no history file at {args.history}")
        history = read_history(args.history)
        first = min((times[0] for times, _ in history.values() if len(times)), default=None)
        last = max((times[-1] for times, _ in history.values() if len(times)), default=None)
        if first is None:
            raise CommandError(f"{args.history} holds no samples")
        start = _start(args.start) or datetime.fromtimestamp(first, timezone.utc)
        end = datetime.fromtimestamp(last + 60, timezone.utc)
    else:
        if args.target == "aws" and args.env is None:
            raise CommandError("--target aws reads one account: name it with --env")
        from simulacro.target import AwsTarget

        target = AwsTarget(stack, args.env, profile=args.aws_profile, endpoint_url=args.endpoint_url)
        start, end = default_window(args.days)
        start = _start(args.start) or start
        history = history_from_target(target, alarms, start, end)
    results = calibrate(alarms, history, start, end)
    print(f"replayed {len(alarms)} alarms over {start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M} UTC")
    print(report(results))
    return EXIT_FOUND if any(r.verdict.startswith("NOISY") for r in results) else EXIT_OK


def _baseline_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("baseline", help="build a new versioned Model Monitor baseline from a dataset")
    parser.add_argument("--dataset", type=Path, required=True, help="CSV with a header row")
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", required=True, help="a new version name; versions are immutable")
    parser.add_argument("--root", type=Path, default=None, help="baselines folder (default: fixtures/baselines)")
    parser.set_defaults(run=_baseline)


def _baseline(args: argparse.Namespace) -> int:
    from simulacro.baselines import BASELINES, build_baseline

    if not args.dataset.is_file():
        raise CommandError(f"no dataset at {args.dataset}")
    built = build_baseline(args.dataset, args.model, args.version, args.root or BASELINES)
    manifest = built.manifest
    print(f"baseline {args.model}/{args.version} written to {built.directory}")
    print(f"  from {manifest['source_dataset']['path']} ({manifest['source_dataset']['rows']} rows, sha256 {manifest['source_dataset']['sha256'][:12]}...)")
    for name, checksum in manifest["files"].items():
        print(f"  {name}: sha256 {checksum[:12]}...")
    print(f"point the monitoring schedule at it in the spec: baseline: {{model: {args.model}, version: {args.version}}}")
    return EXIT_OK


def _start(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"--start {text!r} is not an ISO-8601 time such as 2026-11-01T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _runbook_command(commands: argparse._SubParsersAction) -> None:
    from simulacro.runbooks.command import register

    register(commands)


def _game_day_commands(commands: argparse._SubParsersAction) -> None:
    from simulacro.game_day_cli import register

    register(commands)


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_calibrate_command, _baseline_command, _runbook_command,
                                                                _game_day_commands]
