"""`python -m simulacro baseline`: build a new versioned Model Monitor baseline from a dataset."""
from __future__ import annotations

import argparse
from pathlib import Path

from simulacro.errors import BadInput
from simulacro.spec.baselines import BASELINES, build_baseline

from .options import EXIT_OK, Subcommands


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("baseline", help="build a new versioned Model Monitor baseline from a dataset")
    parser.add_argument("--dataset", type=Path, required=True, help="CSV with a header row")
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", required=True, help="a new version name; versions are immutable")
    parser.add_argument("--root", type=Path, default=None, help="baselines folder (default: fixtures/baselines)")
    parser.set_defaults(run=_baseline)


def _baseline(args: argparse.Namespace) -> int:
    if not args.dataset.is_file():
        raise BadInput(f"no dataset at {args.dataset}")
    built = build_baseline(args.dataset, args.model, args.version, args.root or BASELINES)
    manifest = built.manifest
    print(f"baseline {args.model}/{args.version} written to {built.directory}")
    print(f"  from {manifest['source_dataset']['path']} ({manifest['source_dataset']['rows']} rows, sha256 {manifest['source_dataset']['sha256'][:12]}...)")
    for name, checksum in manifest["files"].items():
        print(f"  {name}: sha256 {checksum[:12]}...")
    print(f"point the monitoring schedule at it in the spec: baseline: {{model: {args.model}, version: {args.version}}}")
    return EXIT_OK
