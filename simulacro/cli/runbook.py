"""`python -m simulacro runbook <name>`: run a runbook outside pytest, or print its plan with --dry-run.

Exit codes: 0 recovered or nothing to do, 1 a step failed, 2 bad input or refused (nothing done).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from simulacro.errors import BadInput
from simulacro.evidence.redact import redact_text
from simulacro.runbooks import RUNBOOKS
from simulacro.spec import load_stack

from .options import Subcommands, aws_options, command_target, known_environment, spec_option

if TYPE_CHECKING:
    from simulacro.runbooks.core import Runbook, RunbookRun
    from simulacro.spec.model import Endpoint, Pipeline, Stack


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("runbook", help="run a runbook (or print its plan with --dry-run)")
    parser.add_argument("name", choices=sorted(RUNBOOKS))
    spec_option(parser)
    parser.add_argument("--endpoint", help="the endpoint (endpoint-not-responding, regression-after-promotion)")
    parser.add_argument("--pipeline", help="the pipeline (recurring-pipeline-failure)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and touch nothing")
    parser.add_argument(
        "--target",
        choices=("local", "aws"),
        default="aws",
        help="aws (default: the account of --env, after the account check) or local (an embedded "
        "local AWS on 127.0.0.1, provisioned from the spec)",
    )
    aws_options(parser, env_required=False, env_default="staging")
    parser.set_defaults(run=run_command)
    docs = commands.add_parser("runbook-docs", help="regenerate docs/runbooks.md from the runbook code")
    docs.set_defaults(run=write_docs)


def write_docs(_: argparse.Namespace) -> int:
    from simulacro.runbooks.docs import write

    print(f"wrote {write()}")
    return 0


def run_command(args: argparse.Namespace) -> int:
    stack = load_stack(args.spec)
    known_environment(stack, args.env)
    inputs = {k: v for k, v in (("endpoint", args.endpoint), ("pipeline", args.pipeline)) if v}
    runbook_class = RUNBOOKS[args.name]
    _check_inputs(stack, args.env, runbook_class, inputs)
    if args.dry_run:
        print(plan_text(runbook_class, args.env, inputs))
        return 0
    with command_target(stack, args) as target:
        run = runbook_class(stack, target, args.env, run_id=_run_id(), **inputs).run()
    print(redact_text(_summary(run)))
    path = Path("reports") / "runbooks" / f"{args.name}-{_run_id()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run.to_json(), indent=2, default=str))
    print(f"evidence: {path}")
    return 1 if run.outcome == "failed" else 0


def plan_text(runbook_class: type[Runbook], environment: str, inputs: dict[str, str]) -> str:
    lines = [
        f"runbook {runbook_class.name} in {environment} ({', '.join(f'{k}={v}' for k, v in inputs.items())}): plan, nothing done",
        f"  symptom: {runbook_class.symptom}",
        f"  likely cause: {runbook_class.likely_cause}",
    ]
    lines += [f"  {i}. {name}: {purpose}" for i, (name, purpose) in enumerate(runbook_class.steps(), start=1)]
    lines.append(f"  evidence kept: {runbook_class.evidence_kept}")
    return "\n".join(lines)


def _check_inputs(stack: Stack, environment: str, runbook_class: type[Runbook], inputs: dict[str, str]) -> None:
    for name in runbook_class.required_inputs:
        if name not in inputs:
            raise BadInput(f"runbook {runbook_class.name} needs --{name}")
    lookups: dict[str, Sequence[Endpoint | Pipeline]] = {"endpoint": stack.endpoints, "pipeline": stack.pipelines}
    for name, value in inputs.items():
        known = [item.name for item in lookups[name] if item.environment == environment]
        if value not in known:
            raise BadInput(f"unknown {name} {value!r} in {environment}: the spec declares {', '.join(known) or 'none'}")


def _summary(run: RunbookRun) -> str:
    lines = [f"{run.runbook} in {run.environment}: {run.outcome}" + (f" ({run.message})" if run.message else "")]
    for step in run.steps:
        calls = ", ".join(f"{c['service']}:{c['operation']}" for c in step.calls) or "no API call"
        lines.append(f"  - {step.name}: {step.outcome} [{calls}]" + (f": {step.message}" if step.message else ""))
    return "\n".join(lines)


def _run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
