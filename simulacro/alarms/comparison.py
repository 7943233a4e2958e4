"""The four threshold comparison operators, as array functions and as words for reason text."""
from __future__ import annotations

import numpy as np

_OPERATORS = {
    "GreaterThanThreshold": (np.greater, "greater than"),
    "GreaterThanOrEqualToThreshold": (np.greater_equal, "greater than or equal to"),
    "LessThanThreshold": (np.less, "less than"),
    "LessThanOrEqualToThreshold": (np.less_equal, "less than or equal to"),
}
COMPARISON_OPERATORS = tuple(_OPERATORS)


def breaches(values: np.ndarray, operator: str, threshold: float) -> np.ndarray:
    """True where a datapoint breaches the threshold; False where it is good or missing (NaN)."""
    compare, _ = _OPERATORS[operator]
    with np.errstate(invalid="ignore"):
        return compare(values, threshold)


def comparison_words(operator: str) -> str:
    return _OPERATORS[operator][1]
