"""`simulacro drill --spec stack.yaml [pytest options]`: the drill catalogue against a team's own spec
(`simulacro gate --spec stack.yaml --candidate X`: the pre-promotion gate, report in reports/gate.html).

Runs the catalogue that ships with the package (the checkout's `drills/` in a clone) with pytest, from
the current folder: the report goes to `reports/drills.html` there (with its JSON bundle and JUnit XML
beside it) unless `--html` says where. Every other option is pytest's or the plugin's (`-m gate`,
`--target aws --env staging`, `--dry-run`, ...). The exit code is pytest's (see the README).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulacro.errors import BadInput
from simulacro.spec.paths import CATALOGUE

from .options import Subcommands

DEFAULT_REPORT = Path("reports") / "drills.html"


def register(commands: Subcommands) -> None:
    _add(commands, "drill", "run the drill catalogue against a spec (any pytest option may follow)", gate=False)
    _add(
        commands, "gate", "the pre-promotion gate: -m gate, with --candidate the model about to be promoted", gate=True
    )


def _add(commands: Subcommands, name: str, help_text: str, *, gate: bool) -> None:
    parser = commands.add_parser(name, help=help_text, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--spec", required=True, help="the team's stack spec (its baselines and models resolve beside it)"
    )
    parser.add_argument(
        "--catalogue", type=Path, default=CATALOGUE, help="the drills to run (default: the shipped catalogue)"
    )
    if gate:
        parser.add_argument(
            "--candidate",
            default=None,
            help="the candidate: a file under fixtures/candidates/ (local) "
            "or a model package ARN (--target aws); without it the gate proves the stack only",
        )
    parser.add_argument(
        "pytest_args", nargs=argparse.REMAINDER, help="options for pytest, e.g. -m gate --html out/gate.html"
    )
    parser.set_defaults(run=run, accepts_unknown=True, gate=gate)


def run(args: argparse.Namespace) -> int:
    import pytest

    spec = Path(args.spec)
    if not spec.is_file():
        raise BadInput(f"--spec {spec}: no such file (give the path to your stack spec, e.g. stack.yaml)")
    if not args.catalogue.is_dir():
        raise BadInput(f"--catalogue {args.catalogue}: no such folder of drills")
    extra = list(args.pytest_args)
    if args.gate:
        extra = ["-m", "gate"] + ([f"--candidate={args.candidate}"] if args.candidate else []) + extra
    return int(pytest.main(pytest_arguments(args.catalogue, spec, extra, report="gate" if args.gate else "drills")))


def pytest_arguments(catalogue: Path, spec: Path, extra: list[str], report: str = "drills") -> list[str]:
    """The catalogue, the spec, and a report in ./reports unless the caller names one."""
    arguments = [
        str(catalogue),
        f"--spec={spec.resolve()}",
        f"--rootdir={Path.cwd()}",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]  # the CLI imported simulacro before pytest
    if not any(a == "--html" or a.startswith("--html=") for a in extra):
        html = DEFAULT_REPORT.with_name(f"{report}.html")
        arguments += [f"--html={html}", "--self-contained-html", f"--junitxml={html.with_suffix('.xml')}"]
    elif not any(a.startswith("--self-contained-html") for a in extra):
        arguments.append("--self-contained-html")
    return arguments + extra
