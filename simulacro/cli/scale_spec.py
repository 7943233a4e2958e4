"""`python -m simulacro scale-spec N --out FILE`: the example platform with N models, to try the catalogue at scale."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulacro.spec.scale import model_names, write_scaled_spec

from .options import EXIT_OK, Subcommands


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("scale-spec", help="write a spec of N models, each a renamed copy of the example's")
    parser.add_argument("models", type=int, help="how many models (1 to 64): churn, churn2, ... churnN")
    parser.add_argument(
        "--out", type=Path, required=True, help="where to write the spec (models/ and baselines/ are linked beside it)"
    )
    parser.add_argument("--spec", type=Path, default=None, help="the one-model spec to copy (default: the example)")
    parser.add_argument(
        "--model", default="churn", help="the model's name as it appears in resource names (default: churn)"
    )
    parser.set_defaults(run=_scale_spec)


def _scale_spec(args: argparse.Namespace) -> int:
    from simulacro.spec.paths import DEFAULT_SPEC

    source = args.spec or DEFAULT_SPEC
    if not Path(source).is_file():
        raise FileNotFoundError(f"no spec at {source}")
    out = write_scaled_spec(args.models, args.out, source, args.model)
    print(f"{out}: {args.models} model(s): {', '.join(model_names(args.model, args.models))}")
    print(f"run them: pytest drills --spec {out}")
    return EXIT_OK
