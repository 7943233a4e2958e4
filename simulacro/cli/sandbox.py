"""`python -m simulacro sandbox`: the local AWS kept running with the stack, for the aws CLI and your scripts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulacro.emulator.sandbox import Sandbox, run_until_interrupted
from simulacro.spec import load_stack

from .options import EXIT_OK, Subcommands, spec_option


def register(commands: Subcommands) -> None:
    parser = commands.add_parser(
        "sandbox", help="keep the local AWS running with the stack, for the aws CLI and your scripts"
    )
    spec_option(parser)
    parser.add_argument("--env", default="staging", help="whose account the printed credentials open (default staging)")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="how fast time runs (1: like the wall clock; 60: a minute a second)"
    )
    parser.add_argument("--env-file", type=Path, default=None, help="also write the exports to this file, for `source`")
    parser.set_defaults(run=_sandbox)


def _sandbox(args: argparse.Namespace) -> int:
    stack = load_stack(args.spec)
    run_until_interrupted(Sandbox(stack, args.env, speed=args.speed), args.env_file, sys.stdout)
    return EXIT_OK
