"""`simulacro discover --env ENV --out draft.yaml`: a spec draft read from a live account.

Reads real AWS, any `--endpoint-url`, or the sandbox; the account is named by the credentials (and,
with `--spec`, checked against the spec's account for `--env` first). Writes the draft, and beside it
the baselines the monitoring schedules read and a stand-in model, so the draft validates as written.
Exit codes: 0 the draft validates, 1 it was written but does not validate (the problems are listed),
2 bad input or refused (nothing written).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from simulacro.errors import BadInput
from simulacro.provision.discover import Filters, discover
from simulacro.spec import SpecError, load_stack

from .options import EXIT_FOUND, EXIT_OK, Subcommands, aws_options, guarded_aws_target, unguarded_reading_target

if TYPE_CHECKING:
    from simulacro.target.targets import Target

DEFAULT_REGION = "eu-west-1"


def register(commands: Subcommands) -> None:
    parser = commands.add_parser(
        "discover", help="write a spec draft from what a live account holds", description=__doc__.splitlines()[0]
    )
    aws_options(parser)
    parser.add_argument(
        "--out", type=Path, required=True, help="where to write the draft (its folder gets the baselines)"
    )
    parser.add_argument("--spec", default=None, help="an existing spec: the account must be the one it names for --env")
    parser.add_argument(
        "--prefix", default=None, help="keep resources whose name starts with this (and what they refer to)"
    )
    parser.add_argument("--tag", default=None, help="keep resources tagged KEY=VALUE (and what they refer to)")
    parser.add_argument("--name", default=None, help="the platform's name in the draft")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    filters = Filters(prefix=args.prefix, tag=_tag(args.tag))
    if args.out.exists() and not args.force:
        raise BadInput(f"--out {args.out} exists: choose another path, or --force to overwrite it")
    target = _identified_target(args)
    discovered = discover(target, args.env, filters, name=args.name)
    written = discovered.write(args.out)
    print(
        f"wrote {args.out} from {target.describe()}"
        + (f" and {len(written) - 1} file(s) beside it" if len(written) > 1 else "")
    )
    print(f"{len(discovered.draft.notes)} value(s) marked `# review:` need a person's decision")
    try:
        load_stack(args.out)
    except SpecError as problems:
        print(f"the draft does not validate yet: {problems}")
        return EXIT_FOUND
    return EXIT_OK


def _identified_target(args: argparse.Namespace) -> Target:
    """A target on the account the credentials name, checked against --spec when one is given (the guard)."""
    if args.spec:
        stack = load_stack(args.spec)
        if args.env not in stack.environments:
            raise BadInput(f"unknown environment {args.env!r}: {args.spec} declares {', '.join(stack.environments)}")
        return guarded_aws_target(stack, args)
    region = args.aws_region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return unguarded_reading_target(args, region)


def _tag(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise BadInput(f"--tag {text!r}: expected KEY=VALUE, for example team=churn")
    return key, value
