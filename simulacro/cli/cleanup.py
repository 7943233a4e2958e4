"""`python -m simulacro cleanup`: remove what a crashed run left behind, found by its run tag.

Exit codes: 0 nothing left, 1 a leftover needs a person (a removal failed, a list call was refused, or it
is reported only), 2 bad input or refused (nothing was changed)."""

from __future__ import annotations

import argparse

from simulacro.evidence.redact import redact_text
from simulacro.gameday.cleanup import check_run_id, cleanup
from simulacro.spec import load_stack

from .options import EXIT_FOUND, EXIT_OK, Subcommands, aws_options, guarded_aws_target, spec_option


def register(commands: Subcommands) -> None:
    parser = commands.add_parser(
        "cleanup", help="remove what a crashed run left behind (probe queues, targets, configs, ...)"
    )
    spec_option(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--run-id", help="the run whose leftovers to remove (printed at the start and end of every run)")
    which.add_argument(
        "--all-runs", action="store_true", help="leftovers of any run (do not use while a game day is running)"
    )
    aws_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    parser.set_defaults(run=_cleanup)


def _cleanup(args: argparse.Namespace) -> int:
    run_id = None if args.all_runs else check_run_id(args.run_id)
    stack = load_stack(args.spec)
    target = guarded_aws_target(stack, args)
    identity = target.identity
    assert identity is not None, "guarded_aws_target identified the caller"
    say = lambda line: print(redact_text(line))  # noqa: E731
    say(
        f"cleanup of {'every run' if run_id is None else 'run ' + run_id} in {target.where}, environment {args.env} "
        f"(account {identity['Account']}) as {identity['Arn']}{' (dry run)' if args.dry_run else ''}"
    )
    result = cleanup(target, stack, run_id, dry_run=args.dry_run, report=say)
    by_hand = result.by_hand
    if not result:
        say("nothing left behind")
        return EXIT_OK
    removed = len(result) - len(by_hand) - len(result.failed)
    say(
        f"{removed} leftover(s) {'to remove' if args.dry_run else 'removed'}, {len(result.failed)} failed to remove, "
        f"{len(by_hand)} to look at by hand"
        + (
            f" (including {len(result.unlisted)} list call(s) refused: what they would have shown is unknown)"
            if result.unlisted
            else ""
        )
    )
    return EXIT_FOUND if by_hand or result.failed else EXIT_OK
