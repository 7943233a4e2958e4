"""`simulacro diff --env ENV`: what differs between the spec and the account, as the inventory drills see it.

Reads the account (after the same preflight as the drills: the account must be the spec's for --env)
and prints every finding of the inventory checks, grouped by check, without running a drill.
Exit codes: 0 no difference, 1 differences found, 2 bad input or refused.
"""

from __future__ import annotations

import argparse

from simulacro.provision import conformance, inventory
from simulacro.spec import load_stack

from .options import EXIT_FOUND, EXIT_OK, Subcommands, aws_options, guarded_aws_target, known_environment, spec_option


def register(commands: Subcommands) -> None:
    parser = commands.add_parser(
        "diff",
        help="print what differs between the spec and the account, without running drills",
        description=__doc__.splitlines()[0],
    )
    spec_option(parser)
    aws_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    stack = load_stack(args.spec)
    known_environment(stack, args.env)
    target = guarded_aws_target(stack, args)
    live = inventory(target, args.env)
    total = 0
    for name, check in conformance.CHECKS.items():
        found = conformance.findings(check, stack, live)
        total += len(found)
        print(f"{name}: {'no difference' if not found else f'{len(found)} difference(s)'}")
        for finding in found:
            print(f"  - {finding}")
    print(f"{args.env} in {target.describe()}: {total} difference(s) from {args.spec}")
    return EXIT_FOUND if total else EXIT_OK
