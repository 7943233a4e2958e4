"""What every command of `python -m simulacro` shares: exit codes, the options that name a spec or an account,
and the one way a command reaches AWS.

`command_target` is the only door to AWS for a command: for `--target aws` (or any command without
`--target`) it runs the drills' preflight (`simulacro.gameday.preflight.identify`: who the credentials
are, and the account guard) before the command can make any call that changes anything; for `--target
local` it starts an embedded local AWS on 127.0.0.1 and never builds a real-AWS target.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING, Iterator

from simulacro.errors import BadInput
from simulacro.spec import DEFAULT_SPEC, Stack

if TYPE_CHECKING:
    from simulacro.target.targets import AwsTarget, LocalTarget, Target

EXIT_OK, EXIT_FOUND, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERNAL, EXIT_INTERRUPTED = 3, 130

Subcommands = argparse._SubParsersAction


def spec_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", default=str(DEFAULT_SPEC), help="the stack spec (default: fixtures/stack.yaml)")


def aws_options(parser: argparse.ArgumentParser, *, env_required: bool = True, env_default: str | None = None) -> None:
    parser.add_argument(
        "--env",
        required=env_required,
        default=env_default,
        help="the environment (account) to act on, as the spec names it; the credentials must open "
        "the account the spec names for it",
    )
    parser.add_argument("--aws-profile", default=None, help="AWS profile (default: AWS_PROFILE, then boto3's chain)")
    parser.add_argument("--aws-region", default=None, help="region (default: the spec's)")
    parser.add_argument(
        "--endpoint-url", default=None, help="an AWS-compatible endpoint (default: AWS_ENDPOINT_URL, else AWS)"
    )


def known_environment(stack: Stack, environment: str) -> str:
    if environment not in stack.environments:
        raise BadInput(f"unknown environment {environment!r}: the spec declares {', '.join(stack.environments)}")
    return environment


@contextlib.contextmanager
def command_target(stack: Stack, args: argparse.Namespace, *, provision_local: bool = True) -> Iterator[Target]:
    """The target a command acts on, guarded: a real account only once the account guard accepted it.

    `args.target == "local"`: an embedded local AWS (127.0.0.1 only), provisioned from the spec, stopped on
    exit. Otherwise the account of `args.env` through boto3's usual credentials, after preflight.
    """
    known_environment(stack, args.env)
    if getattr(args, "target", "aws") == "local":
        with _local_target(stack, args.env, provision=provision_local) as local:
            yield local
        return
    yield guarded_aws_target(stack, args)


def guarded_aws_target(stack: Stack, args: argparse.Namespace) -> AwsTarget:
    """An `AwsTarget` for `args.env` whose credentials the account guard has accepted (else `Refused`, nothing changed)."""
    from simulacro.gameday.preflight import identify
    from simulacro.target.targets import AwsTarget

    target = AwsTarget(
        stack,
        args.env,
        profile=getattr(args, "aws_profile", None),
        region=getattr(args, "aws_region", None),
        endpoint_url=getattr(args, "endpoint_url", None),
    )
    identify(target, str(getattr(args, "spec", DEFAULT_SPEC)))
    return target


def unguarded_reading_target(args: argparse.Namespace, region: str) -> AwsTarget:
    """An `AwsTarget` on whatever account the credentials name, for a command that only reads and has no spec yet
    (`discover`): there is no account to guard against; the identity is printed with what was read."""
    from simulacro.spec.model import Environment, Stack
    from simulacro.target.targets import AwsTarget

    def on(account: str) -> AwsTarget:
        stack = Stack(version=1, name="discovery", region=region, environments={args.env: Environment(account=account)})
        return AwsTarget(
            stack,
            args.env,
            profile=getattr(args, "aws_profile", None),
            region=region,
            endpoint_url=getattr(args, "endpoint_url", None),
        )

    probe = on("000000000000")
    target = on(probe.caller_identity()["Account"])
    target.identity = probe.identity
    return target


@contextlib.contextmanager
def _local_target(stack: Stack, environment: str, *, provision: bool) -> Iterator[LocalTarget]:
    from simulacro.emulator import LocalAws
    from simulacro.provision import apply
    from simulacro.target.targets import LocalTarget

    with LocalAws() as local_aws:
        target = LocalTarget(stack, local_aws, environment)
        if provision:
            apply(stack, target)
        yield target
