"""`python -m simulacro <command>`: the tools around the drills, one module per command.

Every error is one paragraph naming what and where, with a non-zero exit code; never a traceback.
Exit codes: 0 success, 1 the command found a problem (e.g. noisy alarms), 2 bad input or refused
(nothing was changed), 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from simulacro.errors import SimulacroError

from . import baseline, calibrate, cleanup, diff, discover, drill, iam_policy, runbook, sandbox, scale_spec
from .options import EXIT_BAD_INPUT, EXIT_INTERRUPTED, Subcommands

COMMANDS: list[Callable[[Subcommands], None]] = [drill.register, discover.register, diff.register, calibrate.register, baseline.register, runbook.register,
                                                 cleanup.register, iam_policy.register, sandbox.register, scale_spec.register]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "accepts_unknown", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if unknown:
        args.pytest_args = unknown + list(args.pytest_args)
    try:
        return args.run(args)
    except (SimulacroError, FileNotFoundError, FileExistsError) as error:
        print(f"simulacro {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"simulacro {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simulacro", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for register in COMMANDS:
        register(commands)
    return parser
