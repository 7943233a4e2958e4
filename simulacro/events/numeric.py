"""Numeric matching: how EventBridge compares numbers by value.

EventBridge (its engine, aws/event-ruler) turns numbers into fixed-point values: numbers between
-5.0e9 and +5.0e9 inclusive, six digits to the right of the decimal point (the rest is truncated).
A number outside that range cannot be compared: in a pattern it is rejected, in an event it never
satisfies a numeric condition. We reproduce the same arithmetic so edge cases agree.
"""

from typing import Any, Callable

from simulacro.events.errors import OperandError
from simulacro.events.pattern_json import is_number, to_json_text

NUMERIC_LIMIT = 5.0e9
_MICRO = 1e6

LOWER_BOUNDS = (">", ">=")
UPPER_BOUNDS = ("<", "<=")
NUMERIC_OPERATORS = ("=", "<", "<=", ">", ">=")


def comparable(value: Any) -> int | None:
    """The fixed-point form of a JSON number, or None when it cannot be compared."""
    if not is_number(value):
        return None
    number = float(value)
    if not -NUMERIC_LIMIT <= number <= NUMERIC_LIMIT:
        return None
    return int(_MICRO * (NUMERIC_LIMIT + number))


def comparable_operand(value: Any, where: str) -> int:
    """The fixed-point form of a number written in a pattern; refuses what AWS refuses."""
    if not is_number(value):
        raise OperandError(f"{where} must be a number, got {to_json_text(value)}")
    fixed = comparable(value)
    if fixed is None:
        raise OperandError(f"{where} {value} is outside the numeric range -5.0e9 .. +5.0e9")
    return fixed


def parse_numeric(operand: Any) -> Callable[[Any], bool]:
    """`{"numeric": [">", 0, "<=", 5]}`: one comparison, or a lower and an upper bound in that order."""
    expected = '["<op>", number] or [">" | ">=", number, "<" | "<=", number]'
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        raise OperandError(f"expected {expected}, got {to_json_text(operand)}")
    if len(operand) == 2:
        return _single_comparison(operand[0], operand[1])
    return _range(operand[0], operand[1], operand[2], operand[3])


def _single_comparison(operator: Any, bound: Any) -> Callable[[Any], bool]:
    if operator not in NUMERIC_OPERATORS:
        raise OperandError(
            f"unknown numeric operator {to_json_text(operator)}; expected one of {', '.join(NUMERIC_OPERATORS)}"
        )
    fixed = comparable_operand(bound, f'the value after "{operator}"')
    if operator == "=":
        return _between(fixed, True, fixed, True)
    if operator in LOWER_BOUNDS:
        return _between(fixed, operator == ">=", None, False)
    return _between(None, False, fixed, operator == "<=")


def _range(lower_op: Any, lower: Any, upper_op: Any, upper: Any) -> Callable[[Any], bool]:
    if lower_op not in LOWER_BOUNDS:
        raise OperandError(f'a numeric range starts with ">" or ">=", got {to_json_text(lower_op)}')
    if upper_op not in UPPER_BOUNDS:
        raise OperandError(f'a numeric range ends with "<" or "<=", got {to_json_text(upper_op)}')
    bottom = comparable_operand(lower, f'the value after "{lower_op}"')
    top = comparable_operand(upper, f'the value after "{upper_op}"')
    if bottom >= top:
        raise OperandError(f"the lower bound {lower} must be less than the upper bound {upper}")
    return _between(bottom, lower_op == ">=", top, upper_op == "<=")


def _between(bottom: int | None, bottom_inclusive: bool, top: int | None, top_inclusive: bool) -> Callable[[Any], bool]:
    def in_range(value: Any) -> bool:
        fixed = comparable(value)
        if fixed is None:
            return False
        if bottom is not None and (fixed < bottom or (fixed == bottom and not bottom_inclusive)):
            return False
        if top is not None and (fixed > top or (fixed == top and not top_inclusive)):
            return False
        return True

    return in_range
