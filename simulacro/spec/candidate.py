"""A candidate for promotion, as the pre-promotion gate reads it: a YAML file (local runs and tests) or a
model package ARN (real AWS, read by `simulacro.drill.candidate.package`).

The file says what the team's deployer would put live: the package (group, image, model data), the
endpoint config (variant name, instance type and count, capture, optional deployment config) and, for the
local AWS only, how the candidate's model behaves (`behaviour`: error rate, latency, fails to start),
since locally its real predictions are not run. Problems are named like the spec's: file, line, path
inside the file, and what was expected; every problem is reported at once.

    name: churn-v5
    model_package: {group: churn-models, image: <ECR image>, model_data: s3://.../model.tar.gz}
    endpoint_config: {variant_name: AllTraffic, instance_type: ml.m5.large, instance_count: 1,
                      capture: {enabled: true, sampling_percentage: 100, destination: s3://..., retention_days: 30}}
    behaviour: {error_rate: 0, latency_ms: 40, fails_to_start: false}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import yaml
from pydantic import Field, ValidationError

from .errors import Problem, SpecError
from .loader import _compose, _dotted, _duplicate_keys, _explain, _LineIndex, _read
from .model import NAME, Capture, Endpoint, Stack, Strict

PACKAGE_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package/[A-Za-z0-9-]+(/\d+)?$")
S3_URI = r"^s3://[a-z0-9.\-]+(/.*)?$"


class CandidatePackage(Strict):
    group: str = Field(min_length=1)
    image: str = Field(min_length=1)
    model_data: str = Field(pattern=S3_URI)
    # Local AWS: the fixture model (under fixtures/) the container serves; default the endpoint's current model's.
    artifact: str | None = None
    environment: dict[str, str] = {}


class CandidateEndpointConfig(Strict):
    variant_name: str = Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
    instance_type: str = Field(pattern=r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")
    instance_count: int = Field(ge=1)
    capture: Capture | None = None
    deployment_config: dict[str, Any] | None = None


class Behaviour(Strict):
    """How the candidate's model serves on the local AWS (ignored on real AWS, where the model itself answers)."""

    error_rate: float = Field(default=0.0, ge=0, le=1)
    latency_ms: float | None = Field(default=None, gt=0)
    fails_to_start: bool = False


class CandidateFile(Strict):
    name: str = Field(pattern=NAME)
    description: str = ""
    # The endpoint it would be promoted to; default: the one the promotion rule of its group deploys.
    endpoint: str | None = None
    model_package: CandidatePackage
    endpoint_config: CandidateEndpointConfig
    behaviour: Behaviour | None = None


class Candidate(CandidateFile):
    """A loaded candidate: the file's content, where it came from and the endpoint it is gated on."""

    source: str
    environment: str
    endpoint_name: str
    package_arn: str | None = None  # set when the candidate is a model package of a real account

    def endpoint_in(self, stack: Stack) -> Endpoint:
        return next(e for e in stack.endpoints if e.name == self.endpoint_name and e.environment == self.environment)


class CandidateError(SpecError):
    """The candidate file cannot be used; nothing was deployed."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = "\n".join(f"  - {p}" for p in problems)
        self.args = (f"the candidate is invalid ({count}); nothing was deployed:\n{lines}",)

    def __str__(self) -> str:
        return str(self.args[0])


def is_package_arn(text: str) -> bool:
    return bool(PACKAGE_ARN.match(text.strip()))


def load_candidate(path: str | Path, stack: Stack, spec_folder: Path | None = None) -> Candidate:
    """Read and check a candidate file against the stack it would be promoted in."""
    path = Path(path)
    try:
        text = _read(path)
        node = _compose(text, path)
    except SpecError as error:
        raise CandidateError(error.problems) from None
    data = yaml.safe_load(text)
    lines = _LineIndex(node)

    def problem(where: str, message: str) -> Problem:
        return Problem(str(path), where, message, lines.line_of(where))

    duplicates = [problem(where, message) for where, message in _duplicate_keys(node, "")]
    if duplicates:
        raise CandidateError(duplicates)
    if not isinstance(data, dict):
        raise CandidateError(
            [problem("", "expected a mapping with name, model_package, endpoint_config and optional behaviour")]
        )
    try:
        declared = CandidateFile.model_validate(data)
    except ValidationError as error:
        raise CandidateError([problem(_dotted(e["loc"]), _explain(e)) for e in error.errors()]) from None
    endpoint, found = _endpoint_of(declared, stack)
    problems = [problem(where, message) for where, message in found]
    if endpoint is not None:
        folder = spec_folder if spec_folder is not None else path.parent
        problems += [problem(where, message) for where, message in _references(declared, stack, endpoint, folder)]
    if problems:
        raise CandidateError(problems)
    assert endpoint is not None
    return Candidate(
        **declared.model_dump(), source=str(path), environment=endpoint.environment, endpoint_name=endpoint.name
    )


def _endpoint_of(candidate: CandidateFile, stack: Stack) -> tuple[Endpoint | None, list[tuple[str, str]]]:
    """The endpoint named in the file, or the one the promotion rule of the package's group deploys."""
    if candidate.endpoint is not None:
        matches = [e for e in stack.endpoints if e.name == candidate.endpoint]
        if not matches:
            known = ", ".join(sorted({e.name for e in stack.endpoints})) or "none"
            return None, [
                ("endpoint", f"no endpoint named {candidate.endpoint!r} in the stack spec (declared: {known})")
            ]
        return matches[0], []
    group = candidate.model_package.group
    deployed = {
        r.deploys_endpoint for r in stack.rules if r.purpose == "promotion" and r.deploys_endpoint and r.mentions(group)
    }
    endpoints = [e for e in stack.endpoints if e.name in deployed]
    if len(endpoints) == 1:
        return endpoints[0], []
    declared = sorted({g.name for g in stack.model_package_groups})
    if not endpoints and group not in declared:
        return None, [
            (
                "model_package.group",
                f"no model package group {group!r} in the stack spec (declared: {', '.join(declared) or 'none'})",
            )
        ]
    if not endpoints:
        return None, [
            (
                "model_package.group",
                f"no promotion rule of the stack spec deploys packages of group {group!r}: "
                "name the endpoint the candidate is for in `endpoint`",
            )
        ]
    return None, [
        (
            "endpoint",
            f"packages of group {group!r} are deployed to {', '.join(sorted(deployed))}: "
            "name the endpoint the candidate is for in `endpoint`",
        )
    ]


def _references(candidate: CandidateFile, stack: Stack, endpoint: Endpoint, folder: Path) -> Iterator[tuple[str, str]]:
    groups = sorted(g.name for g in stack.model_package_groups if g.environment == endpoint.environment)
    if candidate.model_package.group not in groups:
        yield (
            "model_package.group",
            (
                f"no model package group {candidate.model_package.group!r} in {endpoint.environment} "
                f"(declared: {', '.join(groups) or 'none'})"
            ),
        )
    artifact = candidate.model_package.artifact
    if artifact is not None and not (folder / artifact).is_file():
        yield (
            "model_package.artifact",
            f"no model artifact {artifact} under {folder} (a path under fixtures/, e.g. models/churn/v3.json)",
        )
    config = candidate.endpoint_config.deployment_config
    if config is not None:
        yield from _deployment_config_problems(config)


def _deployment_config_problems(config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Checked as the spec checks an endpoint's deployment config, when this build has deployment guardrails."""
    from . import model

    schema = getattr(model, "DeploymentConfig", None)
    if schema is None:
        return
    try:
        schema.model_validate(config)
    except ValidationError as error:
        for e in error.errors():
            where = _dotted(e["loc"])
            yield f"endpoint_config.deployment_config{'.' + where if where else ''}", _explain(e)
