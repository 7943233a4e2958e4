"""The entries of constraint_violations.json: ``{"feature_name", "constraint_check_type", "description"}``.

Descriptions follow the wording Model Monitor writes (e.g. ``Data type match requirement is not met.
Expected data type: Integral, Expected match: 100.0%. Observed: Only 50.0% of data is Integral.`` and
``Baseline drift distance: 0.38 exceeds threshold: 0.1``) and always name the numbers involved.

Threshold semantics, as Model Monitor behaves (its suggested constraints carry
``datatype_check_threshold: 1.0`` and its violations read ``Expected match: 100.0%``):
``datatype_check_threshold`` and ``domain_content_threshold`` are the share of present values that
must match the type / lie in the domain; below it is a violation.
"""

from __future__ import annotations

DATA_TYPE_CHECK = "data_type_check"
COMPLETENESS_CHECK = "completeness_check"
BASELINE_DRIFT_CHECK = "baseline_drift_check"
MISSING_COLUMN_CHECK = "missing_column_check"
EXTRA_COLUMN_CHECK = "extra_column_check"
CATEGORICAL_VALUES_CHECK = "categorical_values_check"
CHECK_TYPES = (
    DATA_TYPE_CHECK,
    COMPLETENESS_CHECK,
    BASELINE_DRIFT_CHECK,
    MISSING_COLUMN_CHECK,
    EXTRA_COLUMN_CHECK,
    CATEGORICAL_VALUES_CHECK,
)

Violation = dict[str, str]


def violation(feature: str, check_type: str, description: str) -> Violation:
    return {"feature_name": feature, "constraint_check_type": check_type, "description": description}


def data_type_violation(feature: str, expected_type: str, match_share: float, threshold: float) -> Violation | None:
    if match_share >= threshold:
        return None
    return violation(
        feature,
        DATA_TYPE_CHECK,
        f"Data type match requirement is not met. Expected data type: {expected_type}, "
        f"Expected match: {_percent(threshold)}%. Observed: Only {_observed(match_share, threshold)}% of data is "
        f"{expected_type}.",
    )


def completeness_violation(feature: str, expected: float, observed: float) -> Violation | None:
    if observed >= expected:
        return None
    return violation(
        feature,
        COMPLETENESS_CHECK,
        f"Data completeness requirement is not met. Expected completeness: {_percent(expected)}%. "
        f"Observed: Only {_observed(observed, expected)}% of data is non-null.",
    )


def baseline_drift_violation(feature: str, distance: float, threshold: float) -> Violation | None:
    if distance <= threshold:
        return None
    description = f"Baseline drift distance: {distance:.6g} exceeds threshold: {threshold:g}"
    return violation(feature, BASELINE_DRIFT_CHECK, description)


def categorical_values_violation(
    feature: str, in_domain_share: float, threshold: float, unknown_values: list[str]
) -> Violation | None:
    if in_domain_share >= threshold:
        return None
    shown = ", ".join(repr(v) for v in unknown_values[:5]) + (", ..." if len(unknown_values) > 5 else "")
    return violation(
        feature,
        CATEGORICAL_VALUES_CHECK,
        f"Domain content requirement is not met. Expected match: {_percent(threshold)}%. "
        f"Observed: Only {_observed(in_domain_share, threshold)}% of data is within the baseline domain; "
        f"{len(unknown_values)} unknown value(s): {shown}.",
    )


def missing_column_violation(feature: str, current_columns: int, baseline_columns: int) -> Violation:
    return violation(
        feature,
        MISSING_COLUMN_CHECK,
        f"There are missing columns in current dataset: '{feature}' is in the baseline constraints but "
        f"not in the current dataset. Number of columns in current dataset: {current_columns}, "
        f"Number of columns in baseline constraints: {baseline_columns}",
    )


def extra_column_violation(feature: str, current_columns: int, baseline_columns: int) -> Violation:
    return violation(
        feature,
        EXTRA_COLUMN_CHECK,
        f"There are extra columns in current dataset: '{feature}' is not in the baseline constraints. "
        f"Number of columns in current dataset: {current_columns}, "
        f"Number of columns in baseline constraints: {baseline_columns}",
    )


def _percent(share: float) -> float:
    return round(share * 100, 2)


def _observed(share: float, required: float) -> float:
    """Two decimals, unless rounding would make a failing share read as the required one."""
    shown = _percent(share)
    return shown if shown < _percent(required) else share * 100
