"""``ensure_<document>_is_valid`` checks for statistics.json and constraints.json.

Each raises :class:`MonitorInputError` naming the document, the path inside it and what was expected,
so a hand-edited or truncated baseline fails before analysis, not halfway through it. The shapes are
Model Monitor's documented schemas ("Schema for Statistics" and "Schema for Constraints"): `version`,
`dataset.item_count`, one entry per feature with a unique `name` and an `inferred_type`; counts are
non-negative numbers, statistics finite numbers, `is_non_negative` a boolean, `domains` a list of strings.
"""

from __future__ import annotations

import math
from typing import NoReturn, TypeGuard

from simulacro.monitor.config import CHI_SQUARED, COMPARISON_METHODS, LINFINITY, feature_overrides
from simulacro.monitor.errors import MonitorInputError
from simulacro.monitor.types import INFERRED_TYPES, NUMERIC_TYPES

STATISTICS = "statistics.json"
CONSTRAINTS = "constraints.json"

# A JSON object as parsed: keys are strings, values are unchecked until a check below looks at them.
JsonObject = dict[str, object]


def ensure_statistics_are_valid(statistics: object) -> None:
    document = _object(statistics, STATISTICS, "")
    _ensure_version(document, STATISTICS)
    dataset = _object(document.get("dataset"), STATISTICS, "dataset", "an object with item_count")
    item_count = dataset.get("item_count")
    _ensure(_is_count(item_count), STATISTICS, "dataset.item_count", "a number >= 0", item_count)
    features: list[JsonObject] = []
    for index, entry in enumerate(_feature_list(document, STATISTICS)):
        feature = _named_and_typed(entry, STATISTICS, index)
        stats_key = "numerical_statistics" if feature["inferred_type"] in NUMERIC_TYPES else "string_statistics"
        stats = _object(
            feature.get(stats_key),
            STATISTICS,
            f"features[{index}].{stats_key}",
            f"an object for a {feature['inferred_type']} feature",
        )
        common = _object(stats.get("common"), STATISTICS, f"features[{index}].{stats_key}.common")
        for key in ("num_present", "num_missing"):
            if key in common or key == "num_present":
                _ensure(
                    _is_count(common.get(key)),
                    STATISTICS,
                    f"features[{index}].{stats_key}.common.{key}",
                    "a number >= 0",
                    common.get(key),
                )
        for key in ("mean", "sum", "std_dev", "min", "max", "distinct_count"):
            if key in stats:
                value = stats[key]
                _ensure(_is_finite(value), STATISTICS, f"features[{index}].{stats_key}.{key}", "a finite number", value)
        features.append(feature)
    _ensure_unique_names(features, STATISTICS)


def ensure_constraints_are_valid(constraints: object) -> None:
    document = _object(constraints, CONSTRAINTS, "")
    _ensure_version(document, CONSTRAINTS)
    features: list[JsonObject] = []
    for index, entry in enumerate(_feature_list(document, CONSTRAINTS)):
        feature = _named_and_typed(entry, CONSTRAINTS, index)
        _ensure_feature_constraints(feature, index)
        completeness = feature.get("completeness", 0.0)
        _ensure(
            isinstance(completeness, (int, float)) and 0.0 <= completeness <= 1.0,
            CONSTRAINTS,
            f"features[{index}].completeness",
            "a number between 0 and 1",
            completeness,
        )
        _ensure_monitoring_config(feature_overrides(feature), f"features[{index}].monitoringConfigOverrides")
        features.append(feature)
    _ensure_unique_names(features, CONSTRAINTS)
    _ensure_monitoring_config(document.get("monitoring_config") or {}, "monitoring_config")


def _ensure_feature_constraints(feature: JsonObject, index: int) -> None:
    if feature.get("num_constraints") is not None:
        numeric = _object(feature["num_constraints"], CONSTRAINTS, f"features[{index}].num_constraints")
        if "is_non_negative" in numeric:
            _ensure(
                isinstance(numeric["is_non_negative"], bool),
                CONSTRAINTS,
                f"features[{index}].num_constraints.is_non_negative",
                "true or false",
                numeric["is_non_negative"],
            )
    if feature.get("string_constraints") is not None:
        strings = _object(feature["string_constraints"], CONSTRAINTS, f"features[{index}].string_constraints")
        domains = strings.get("domains", [])
        _ensure(
            isinstance(domains, list) and all(isinstance(d, str) for d in domains),
            CONSTRAINTS,
            f"features[{index}].string_constraints.domains",
            "a list of strings",
            domains,
        )


def _ensure_version(document: JsonObject, name: str) -> None:
    if "version" in document:
        _ensure(_is_finite(document["version"]), name, "version", "a number (0.0)", document["version"])


def _ensure_unique_names(features: list[JsonObject], name: str) -> None:
    seen: set[object] = set()
    for index, feature in enumerate(features):
        _ensure(
            feature["name"] not in seen, name, f"features[{index}].name", "a name no other feature has", feature["name"]
        )
        seen.add(feature["name"])


def _is_finite(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_count(value: object) -> bool:
    return _is_finite(value) and value >= 0


def _ensure_monitoring_config(candidate: object, path: str) -> None:
    config = _object(candidate, CONSTRAINTS, path)
    for key in ("evaluate_constraints", "emit_metrics"):
        _ensure_switch(config, key, f"{path}.{key}")
    for key in ("datatype_check_threshold", "domain_content_threshold"):
        _ensure_number(config, key, f"{path}.{key}")
    where = f"{path}.distribution_constraints"
    distribution = _object(config.get("distribution_constraints") or {}, CONSTRAINTS, where)
    _ensure_switch(distribution, "perform_comparison", f"{where}.perform_comparison")
    for key in ("comparison_threshold", "categorical_comparison_threshold"):
        _ensure_number(distribution, key, f"{where}.{key}")
    method = distribution.get("comparison_method", "Robust")
    _ensure(
        str(method).lower() in COMPARISON_METHODS,
        CONSTRAINTS,
        f"{where}.comparison_method",
        "Simple or Robust (or linf_simple, linf_robust)",
        method,
    )
    categorical_method = distribution.get("categorical_drift_method", LINFINITY)
    if categorical_method == CHI_SQUARED:
        raise MonitorInputError(
            f"{CONSTRAINTS}: {where}.categorical_drift_method: ChiSquared is documented but not "
            f"implemented by simulacro.monitor; use {LINFINITY} (the default)"
        )
    _ensure(
        categorical_method == LINFINITY, CONSTRAINTS, f"{where}.categorical_drift_method", LINFINITY, categorical_method
    )


def _feature_list(document: JsonObject, name: str) -> list[object]:
    features = document.get("features")
    if not isinstance(features, list):
        _fail(name, "features", "a list", features)
    return features


def _named_and_typed(entry: object, document: str, index: int) -> JsonObject:
    feature = _object(entry, document, f"features[{index}]")
    _ensure(isinstance(feature.get("name"), str), document, f"features[{index}].name", "a string", feature.get("name"))
    _ensure(
        feature.get("inferred_type") in INFERRED_TYPES,
        document,
        f"features[{index}].inferred_type",
        "one of " + ", ".join(INFERRED_TYPES),
        feature.get("inferred_type"),
    )
    return feature


def _ensure_switch(config: JsonObject, key: str, path: str) -> None:
    if key in config:
        value = config[key]
        _ensure(str(value) in ("Enabled", "Disabled"), CONSTRAINTS, path, "Enabled or Disabled", value)


def _ensure_number(config: JsonObject, key: str, path: str) -> None:
    if key in config:
        value = config[key]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        _ensure(ok, CONSTRAINTS, path, "a number >= 0", value)


def _object(value: object, document: str, path: str, expected: str = "an object") -> JsonObject:
    """`value` as a JSON object, or a :class:`MonitorInputError` naming where it is and what it is."""
    if not isinstance(value, dict):
        _fail(document, path, expected, value)
    return value


def _ensure(condition: bool, document: str, path: str, expected: str, got: object) -> None:
    if not condition:
        _fail(document, path, expected, got)


def _fail(document: str, path: str, expected: str, got: object) -> NoReturn:
    where = f"{document}: {path}" if path else document
    raise MonitorInputError(f"{where}: expected {expected}, got {got!r}")
