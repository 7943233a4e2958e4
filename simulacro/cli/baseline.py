"""`python -m simulacro baseline`: build a new versioned Model Monitor baseline from a dataset.

The version goes to <baselines folder>/<model>/<version>/; model and version are plain names, so nothing
is written outside the baselines folder, and a dataset with no data row writes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulacro.errors import BadInput
from simulacro.spec.baselines import BASELINES, build_baseline, name_problem

from .options import EXIT_OK, Subcommands


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("baseline", help="build a new versioned Model Monitor baseline from a dataset")
    parser.add_argument("--dataset", type=Path, required=True, help="CSV with a header row and at least one data row")
    parser.add_argument("--model", required=True, help="a plain name: letters, digits, '.', '_' or '-' (one folder)")
    parser.add_argument("--version", required=True, help="a new version name (a plain name); versions are immutable")
    parser.add_argument(
        "--spec",
        type=Path,
        default=None,
        help="the stack spec whose baselines/ folder receives the "
        "version (default: fixtures/stack.yaml); the spec itself is not read",
    )
    parser.add_argument("--root", type=Path, default=None, help="baselines folder (default: baselines/ beside --spec)")
    parser.set_defaults(run=_baseline)


def _baseline(args: argparse.Namespace) -> int:
    for option, name in (("--model", args.model), ("--version", args.version)):
        problem = name_problem(option.lstrip("-"), name)
        if problem:
            raise BadInput(f"{option}: {problem}")
    if not args.dataset.is_file():
        raise BadInput(f"no dataset at {args.dataset}")
    root = args.root or (args.spec.parent / "baselines" if args.spec else BASELINES)
    if root.exists() and not root.is_dir():
        raise BadInput(f"--root {root}: not a folder")
    try:
        built = build_baseline(args.dataset, args.model, args.version, root)
    except FileExistsError as error:
        raise BadInput(str(error)) from None
    except OSError as error:
        raise BadInput(f"cannot write the baseline under {root}: {error.strerror or error}") from None
    manifest = built.manifest
    print(f"baseline {args.model}/{args.version} written to {built.directory}")
    print(
        f"  from {manifest['source_dataset']['path']} ({manifest['source_dataset']['rows']} rows, sha256 {manifest['source_dataset']['sha256'][:12]}...)"
    )
    for name, checksum in manifest["files"].items():
        print(f"  {name}: sha256 {checksum[:12]}...")
    print(
        f"point the monitoring schedule at it in the spec: baseline: {{model: {args.model}, version: {args.version}}}"
    )
    return EXIT_OK
