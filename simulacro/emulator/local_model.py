"""The fixture model behind a local endpoint: which one serves a config, loading it, scoring requests.

A SageMaker model names its artifact in its primary container's `Environment`:
`SIMULACRO_MODEL_ARTIFACT=models/churn/v3.json` (a path under the spec's folder, `serve_files_from`). A model without that
variable is served by `DEFAULT_ARTIFACT`, so an endpoint made by hand with a minimal model still
comes up. An artifact that does not exist or does not parse is a model that cannot load: the
endpoint running it fails its health check (see `endpoints.py`).

The artifact is a logistic regression: `intercept`, `numeric` weights, `categorical` weights per
category (an unseen category adds nothing, as a one-hot encoder that ignores unknowns), the
`features` order of a CSV row, and the log-normal service time `latency_microseconds`
{median, sigma}. An optional `inference_errors` {rate, message} makes a model that loads but fails
that share of its predictions (a missing dependency at predict time): the deployment succeeds and
the endpoint answers 5xx, the other way an endpoint stops responding.

A candidate model (`simulacro.spec.candidate`, the pre-promotion gate) states how it behaves in its
container's `Environment`, on top of its artifact: `SIMULACRO_ERROR_RATE` (share of predictions that
fail, 0..1), `SIMULACRO_LATENCY_MS` (median service time) and `SIMULACRO_FAILS_TO_START=true` (the
container never passes its health check). Only the local model reads them.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from simulacro.spec.paths import FIXTURES

from . import backends

ARTIFACT_VARIABLE = "SIMULACRO_MODEL_ARTIFACT"
ERROR_RATE_VARIABLE = "SIMULACRO_ERROR_RATE"
LATENCY_VARIABLE = "SIMULACRO_LATENCY_MS"
FAILS_TO_START_VARIABLE = "SIMULACRO_FAILS_TO_START"
DEFAULT_ARTIFACT = "models/churn/v3.json"
_files_root = FIXTURES


def serve_files_from(folder: Path) -> None:
    """Find the artifacts and datasets a spec names relative to its folder there (the local target sets it)."""
    global _files_root
    _files_root = Path(folder)


def files_root() -> Path:
    """The folder of the spec the local AWS serves: model artifacts and datasets are relative to it."""
    return _files_root


class ModelLoadError(Exception):
    """The model cannot load: the endpoint that runs it fails its health check."""


class PayloadError(Exception):
    """The model refuses the request body (it answers 400)."""


@dataclass(frozen=True)
class LocalModel:
    name: str
    version: str
    features: tuple[str, ...]
    intercept: float
    numeric: dict[str, float]
    categorical: dict[str, dict[str, float]]
    latency_median_us: float
    latency_sigma: float
    error_rate: float = 0.0
    error_message: str = ""

    def rows(self, body: str, content_type: str) -> list[list[Any]]:
        """The rows of a request body, each in feature order (CSV lines, or JSON)."""
        if "json" in (content_type or "").lower():
            return self._json_rows(body)
        return [row for row in csv.reader(io.StringIO(body)) if any(cell.strip() for cell in row)]

    def scores(self, rows: Sequence[Sequence[Any]]) -> np.ndarray:
        """Churn probability of each row; raises PayloadError naming the first bad row."""
        if not rows:
            raise PayloadError("the request has no rows")
        logits = np.fromiter((self._logit(row, i + 1) for i, row in enumerate(rows)), float, len(rows))
        return 1.0 / (1.0 + np.exp(-logits))

    def latencies(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Service time of `n` requests in microseconds."""
        return rng.lognormal(math.log(self.latency_median_us), self.latency_sigma, n)

    def _logit(self, row: Sequence[Any], number: int) -> float:
        if len(row) != len(self.features):
            raise PayloadError(
                f"row {number} has {len(row)} columns; the model expects {len(self.features)}: "
                f"{', '.join(self.features)}"
            )
        total = self.intercept
        for feature, value in zip(self.features, row):
            if feature in self.numeric:
                total += self.numeric[feature] * _number(value, feature, number)
            else:
                total += self.categorical[feature].get(str(value).strip(), 0.0)
        return total

    def _json_rows(self, body: str) -> list[list[Any]]:
        try:
            document = json.loads(body)
        except ValueError as error:
            raise PayloadError(f"the body is not valid JSON: {error}") from None
        if isinstance(document, dict) and "instances" in document:
            document = document["instances"]
        instances = document if isinstance(document, list) else [document]
        return [self._json_row(instance, i + 1) for i, instance in enumerate(instances)]

    def _json_row(self, instance: Any, number: int) -> list[Any]:
        if isinstance(instance, dict):
            missing = [f for f in self.features if f not in instance]
            if missing:
                raise PayloadError(f"instance {number} lacks {', '.join(missing)}")
            return [instance[f] for f in self.features]
        if isinstance(instance, list):
            return instance
        raise PayloadError(f"instance {number} is neither an object nor a list")


def load_model(artifact: str, root: Path | None = None) -> LocalModel:
    root = root or _files_root
    path = root / artifact
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise ModelLoadError(f"model artifact {artifact} not found under {root}") from None
    return _load(path, stamp, artifact)


def serving_model(account: str, region: str, config_name: str, variant: str | None = None) -> tuple[str, LocalModel]:
    """(variant name, model) that serve `config_name`: the named variant, else the first."""
    backend = backends.sagemaker(account, region)
    config = backend.endpoint_configs.get(config_name)
    if config is None or not config.production_variants:
        raise ModelLoadError(f"endpoint configuration {config_name} does not exist or has no production variant")
    variants = config.production_variants
    chosen = next((v for v in variants if v["VariantName"] == variant), variants[0])
    model = backend._models.get(chosen["ModelName"])
    if model is None:
        raise ModelLoadError(f"model {chosen['ModelName']} of variant {chosen['VariantName']} does not exist")
    environment = (model.primary_container or {}).get("Environment") or {}
    return chosen["VariantName"], with_behaviour(
        load_model(environment.get(ARTIFACT_VARIABLE, DEFAULT_ARTIFACT)), environment
    )


def with_behaviour(model: LocalModel, environment: dict[str, str]) -> LocalModel:
    """The model as its container's behaviour variables make it serve (module docstring)."""
    if str(environment.get(FAILS_TO_START_VARIABLE, "")).strip().lower() == "true":
        raise ModelLoadError("the container exited before answering /ping (the candidate fails to start)")
    try:
        error_rate = float(environment.get(ERROR_RATE_VARIABLE, model.error_rate))
        latency_ms = float(environment[LATENCY_VARIABLE]) if LATENCY_VARIABLE in environment else None
    except ValueError as error:
        raise ModelLoadError(f"the container's behaviour variables do not parse: {error}") from None
    if error_rate == model.error_rate and latency_ms is None:
        return model
    message = (
        model.error_message if error_rate == model.error_rate else f"model error: {error_rate:.0%} of predictions fail"
    )
    median = latency_ms * 1000.0 if latency_ms is not None else model.latency_median_us
    return replace(model, error_rate=error_rate, error_message=message, latency_median_us=median)


_cache: dict[Path, tuple[int, LocalModel]] = {}


def _load(path: Path, stamp: int, artifact: str) -> LocalModel:
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        document = json.loads(path.read_text())
        model = _parse(document)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ModelLoadError(
            f"model artifact {artifact} is not a valid model: {type(error).__name__}: {error}"
        ) from None
    _cache[path] = (stamp, model)
    return model


def _parse(document: dict[str, Any]) -> LocalModel:
    if document.get("kind") != "logistic-regression":
        raise ValueError(f"kind {document.get('kind')!r} is not supported (only logistic-regression)")
    features = tuple(document["features"])
    numeric = {k: float(v) for k, v in document.get("numeric", {}).items()}
    categorical = {k: {c: float(w) for c, w in v.items()} for k, v in document.get("categorical", {}).items()}
    unweighted = [f for f in features if f not in numeric and f not in categorical]
    if unweighted:
        raise ValueError(f"features without weights: {', '.join(unweighted)}")
    latency = document["latency_microseconds"]
    errors = document.get("inference_errors") or {}
    return LocalModel(
        name=str(document.get("name", "")),
        version=str(document.get("version", "")),
        features=features,
        intercept=float(document.get("intercept", 0.0)),
        numeric=numeric,
        categorical=categorical,
        latency_median_us=float(latency["median"]),
        latency_sigma=float(latency["sigma"]),
        error_rate=float(errors.get("rate", 0.0)),
        error_message=str(errors.get("message", "")),
    )


def _number(value: Any, feature: str, number: int) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise PayloadError(f"row {number}: {feature} must be a number, got {value!r}") from None
    if math.isnan(result):
        raise PayloadError(f"row {number}: {feature} is missing")
    return result
