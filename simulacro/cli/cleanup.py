"""`python -m simulacro cleanup`: remove what a crashed run left behind, found by its run tag.

Exit codes: 0 nothing left, 1 a leftover needs a person, 2 bad input or refused (nothing was changed)."""
from __future__ import annotations

import argparse

from simulacro.gameday.cleanup import cleanup
from simulacro.gameday.preflight import identify
from simulacro.spec import load_stack

from .options import EXIT_FOUND, EXIT_OK, Subcommands, aws_options, aws_target, spec_option

def register(commands: Subcommands) -> None:
    parser = commands.add_parser("cleanup", help="remove what a crashed run left behind (probe queues, targets, configs, ...)")
    spec_option(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--run-id", help="the run whose leftovers to remove (printed at the start and end of every run)")
    which.add_argument("--all-runs", action="store_true", help="leftovers of any run (do not use while a game day is running)")
    aws_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    parser.set_defaults(run=_cleanup)


def _cleanup(args: argparse.Namespace) -> int:
    stack = load_stack(args.spec)
    target = aws_target(stack, args)
    identity = identify(target, args.spec)
    print(f"cleanup of {'every run' if args.all_runs else 'run ' + args.run_id} in {target.where}, environment {args.env} "
          f"(account {identity['Account']}) as {identity['Arn']}{' (dry run)' if args.dry_run else ''}")
    found = cleanup(target, stack, None if args.all_runs else args.run_id, dry_run=args.dry_run)
    by_hand = [f for f in found if f.remove is None]
    print(f"{len(found) - len(by_hand)} leftover(s) {'to remove' if args.dry_run else 'removed'}, "
          f"{len(by_hand)} to look at by hand" if found else "nothing left behind")
    return EXIT_FOUND if by_hand else EXIT_OK
