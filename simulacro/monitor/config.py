"""``monitoring_config`` of constraints.json, with the documented defaults and per-feature overrides.

Defaults for keys a constraints.json leaves out are the documented ones (thresholds 0.1, everything
Enabled, ``categorical_comparison_threshold`` = ``comparison_threshold``, ``categorical_drift_method``
LInfinity). The docs give no default ``comparison_method``; we use ``Robust``, the SageMaker Python
SDK's default. ``comparison_method`` accepts ``Simple``/``Robust`` (the schema's spelling) and
``linf_simple``/``linf_robust`` (the table's). A feature's ``monitoringConfigOverrides`` (or
``monitoring_config_overrides``) overrides the global keys for that feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SIMPLE = "Simple"
ROBUST = "Robust"
LINFINITY = "LInfinity"
CHI_SQUARED = "ChiSquared"
COMPARISON_METHODS = {"simple": SIMPLE, "linf_simple": SIMPLE, "robust": ROBUST, "linf_robust": ROBUST}

DEFAULT_THRESHOLD = 0.1

# What suggest_baseline writes, like Model Monitor's baselining job: the type and domain checks
# require every present value to match (1.0); drift uses the robust distance.
SUGGESTED_MONITORING_CONFIG = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 1.0,
    "domain_content_threshold": 1.0,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": DEFAULT_THRESHOLD,
        "comparison_method": ROBUST,
        "categorical_comparison_threshold": DEFAULT_THRESHOLD,
        "categorical_drift_method": LINFINITY,
    },
}


@dataclass(frozen=True)
class MonitoringConfig:
    evaluate_constraints: bool = True
    emit_metrics: bool = True
    datatype_check_threshold: float = DEFAULT_THRESHOLD
    domain_content_threshold: float = DEFAULT_THRESHOLD
    perform_comparison: bool = True
    comparison_threshold: float = DEFAULT_THRESHOLD
    comparison_method: str = ROBUST
    categorical_comparison_threshold: float = DEFAULT_THRESHOLD
    categorical_drift_method: str = LINFINITY

    @property
    def robust(self) -> bool:
        return self.comparison_method == ROBUST


def feature_overrides(feature_constraints: dict[str, Any]) -> dict[str, Any]:
    return (
        feature_constraints.get("monitoringConfigOverrides")
        or feature_constraints.get("monitoring_config_overrides")
        or {}
    )


def monitoring_config(
    global_config: dict[str, Any] | None, overrides: dict[str, Any] | None = None
) -> MonitoringConfig:
    merged = _merge(global_config or {}, overrides or {})
    distribution = merged.get("distribution_constraints") or {}
    comparison_threshold = float(distribution.get("comparison_threshold", DEFAULT_THRESHOLD))
    return MonitoringConfig(
        evaluate_constraints=_enabled(merged.get("evaluate_constraints", "Enabled")),
        emit_metrics=_enabled(merged.get("emit_metrics", "Enabled")),
        datatype_check_threshold=float(merged.get("datatype_check_threshold", DEFAULT_THRESHOLD)),
        domain_content_threshold=float(merged.get("domain_content_threshold", DEFAULT_THRESHOLD)),
        perform_comparison=_enabled(distribution.get("perform_comparison", "Enabled")),
        comparison_threshold=comparison_threshold,
        comparison_method=COMPARISON_METHODS[str(distribution.get("comparison_method", ROBUST)).lower()],
        categorical_comparison_threshold=float(
            distribution.get("categorical_comparison_threshold", comparison_threshold)
        ),
        categorical_drift_method=str(distribution.get("categorical_drift_method", LINFINITY)),
    )


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **overrides}
    if "distribution_constraints" in overrides:
        merged["distribution_constraints"] = {
            **(base.get("distribution_constraints") or {}),
            **overrides["distribution_constraints"],
        }
    return merged


def _enabled(value: object) -> bool:
    return str(value).lower() == "enabled"
