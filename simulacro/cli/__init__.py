"""`python -m simulacro <command>`: the tools around the drills, one module per command.

Every error is one paragraph naming what and where, with a non-zero exit code; never a traceback.
Exit codes: 0 success, 1 the command found a problem (e.g. noisy alarms), 2 bad input or refused
(nothing was changed), 3 internal error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from botocore.exceptions import BotoCoreError, ClientError

from simulacro.errors import SimulacroError
from simulacro.evidence.redact import redact_text

from . import baseline, calibrate, cleanup, diff, discover, drill, iam_policy, runbook, sandbox, scale_spec
from .options import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, Subcommands

COMMANDS: list[Callable[[Subcommands], None]] = [
    drill.register,
    discover.register,
    diff.register,
    calibrate.register,
    baseline.register,
    runbook.register,
    cleanup.register,
    iam_policy.register,
    sandbox.register,
    scale_spec.register,
]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "accepts_unknown", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if unknown:
        args.pytest_args = unknown + list(args.pytest_args)
    try:
        return args.run(args)
    except (SimulacroError, OSError, UnicodeError) as error:
        _say(args.command, str(error))
        return EXIT_BAD_INPUT
    except (ClientError, BotoCoreError) as error:
        _say(
            args.command,
            f"AWS stopped the command: {error}. Check the credentials (--aws-profile, AWS_PROFILE), "
            "--env and --endpoint-url; nothing more was attempted",
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _say(args.command, "interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - the operator gets a paragraph, not a traceback
        if os.environ.get("SIMULACRO_DEBUG"):
            raise
        _say(args.command, f"internal error {type(error).__name__}: {error} (SIMULACRO_DEBUG=1 shows the traceback)")
        return EXIT_INTERNAL


def _say(command: str, message: str) -> None:
    print(f"simulacro {command}: {redact_text(message)}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simulacro", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for register in COMMANDS:
        register(commands)
    return parser
