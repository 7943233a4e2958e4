"""What every command of `python -m simulacro` shares: exit codes and the options that name a spec or an account."""
from __future__ import annotations

import argparse
from typing import Any

from simulacro.errors import BadInput
from simulacro.spec import DEFAULT_SPEC, Stack

EXIT_OK, EXIT_FOUND, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130

Subcommands = argparse._SubParsersAction


def spec_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", default=str(DEFAULT_SPEC), help="the stack spec (default: fixtures/stack.yaml)")


def aws_options(parser: argparse.ArgumentParser, *, env_required: bool = True) -> None:
    parser.add_argument("--env", required=env_required, default=None,
                        help="the environment (account) to act on, as the spec names it")
    parser.add_argument("--aws-profile", default=None, help="AWS profile (default: AWS_PROFILE, then boto3's chain)")
    parser.add_argument("--aws-region", default=None, help="region (default: the spec's)")
    parser.add_argument("--endpoint-url", default=None, help="an AWS-compatible endpoint (default: AWS_ENDPOINT_URL, else AWS)")


def known_environment(stack: Stack, environment: str) -> str:
    if environment not in stack.environments:
        raise BadInput(f"unknown environment {environment!r}: the spec declares {', '.join(stack.environments)}")
    return environment


def aws_target(stack: Stack, args: argparse.Namespace) -> Any:
    from simulacro.target.targets import AwsTarget

    return AwsTarget(stack, args.env, profile=args.aws_profile, region=getattr(args, "aws_region", None),
                     endpoint_url=args.endpoint_url)
