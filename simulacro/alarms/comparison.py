"""The four threshold comparison operators, as array functions, as plain comparisons and as words."""

from __future__ import annotations

import operator
from typing import Callable

import numpy as np

_OPERATORS = {
    "GreaterThanThreshold": (np.greater, "greater than"),
    "GreaterThanOrEqualToThreshold": (np.greater_equal, "greater than or equal to"),
    "LessThanThreshold": (np.less, "less than"),
    "LessThanOrEqualToThreshold": (np.less_equal, "less than or equal to"),
}
_PLAIN = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}
COMPARISON_OPERATORS = tuple(_OPERATORS)


def breaches(values: np.ndarray, operator: str, threshold: float) -> np.ndarray:
    """True where a datapoint breaches the threshold; False where it is good or missing (NaN)."""
    compare, _ = _OPERATORS[operator]
    with np.errstate(invalid="ignore"):
        breaching: np.ndarray = compare(values, threshold)
    return breaching


def breach_test(operator_name: str) -> Callable[[float, float], bool]:
    """``test(value, threshold)``: True when one value breaches (False for NaN, as `breaches`)."""
    return _PLAIN[operator_name]


def comparison_words(operator: str) -> str:
    return _OPERATORS[operator][1]
