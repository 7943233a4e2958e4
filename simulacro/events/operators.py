"""One small parser per EventBridge comparison operator.

Each parser checks its operand the way PutRule does (raising `OperandError`) and returns a test
on one event value: a scalar (string, number, true, false or null) taken from the event.
String operators never match non-strings, numeric ones never match non-numbers, and
`anything-but` matches every value it does not exclude, whatever its type.
"""

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Callable

from simulacro.events.errors import OperandError
from simulacro.events.numeric import comparable, comparable_operand, parse_numeric
from simulacro.events.pattern_json import is_number, literal_key, to_json_text
from simulacro.events.wildcard import compile_wildcard

ValueTest = Callable[[Any], bool]

EQUALS = "equals"
IGNORE_CASE = "equals-ignore-case"


@dataclass(frozen=True)
class Condition:
    """One entry of a leaf list: a plain value (operator "equals") or an operator object."""

    operator: str
    operand: Any
    test: ValueTest = field(compare=False, repr=False)


def equals(value: Any) -> Condition:
    """A plain value: strings exact and case sensitive, numbers by their spelling."""
    key = literal_key(value)
    return Condition(EQUALS, value, lambda event_value: literal_key(event_value) == key)


def parse_prefix(operand: Any) -> ValueTest:
    text, ignore_case = _string_or_ignore_case(operand)
    if ignore_case:
        folded = text.lower()
        return lambda value: isinstance(value, str) and value.lower().startswith(folded)
    return lambda value: isinstance(value, str) and value.startswith(text)


def parse_suffix(operand: Any) -> ValueTest:
    text, ignore_case = _string_or_ignore_case(operand)
    if ignore_case:
        folded = text.lower()
        return lambda value: isinstance(value, str) and value.lower().endswith(folded)
    return lambda value: isinstance(value, str) and value.endswith(text)


def parse_equals_ignore_case(operand: Any) -> ValueTest:
    folded = _string(operand).lower()
    return lambda value: isinstance(value, str) and value.lower() == folded


def parse_wildcard(operand: Any) -> ValueTest:
    regex = compile_wildcard(_string(operand))
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


def parse_exists(operand: Any) -> ValueTest:
    """`exists` tests presence: on a present value it answers its operand; absence is the matcher's job."""
    if not isinstance(operand, bool):
        raise OperandError(f"expected true or false, got {to_json_text(operand)}")
    return lambda value: operand


def parse_cidr(operand: Any) -> ValueTest:
    if not isinstance(operand, str) or "/" not in operand:
        raise OperandError(
            f'expected a CIDR block such as "10.0.0.0/24" or "2001:db8::/32", got {to_json_text(operand)}'
        )
    try:
        network = ipaddress.ip_network(operand, strict=False)
    except ValueError as error:
        raise OperandError(f"{to_json_text(operand)} is not a valid CIDR block: {error}") from None
    return lambda value: _is_address_in(value, network)


def parse_anything_but(operand: Any) -> ValueTest:
    if isinstance(operand, dict):
        return _anything_but_operator(operand)
    values = operand if isinstance(operand, list) else [operand]
    if values and all(isinstance(value, str) for value in values):
        excluded_strings = frozenset(values)
        return lambda value: not (isinstance(value, str) and value in excluded_strings)
    if values and all(is_number(value) for value in values):
        excluded_numbers = frozenset(comparable_operand(value, "a number") for value in values)
        return lambda value: comparable(value) not in excluded_numbers
    raise OperandError(
        "expected a string, a number, a non-empty list of only strings or only numbers, or an "
        f"object with one of prefix, suffix, equals-ignore-case, wildcard; got {to_json_text(operand)}"
    )


OPERATORS: dict[str, Callable[[Any], ValueTest]] = {
    "prefix": parse_prefix,
    "suffix": parse_suffix,
    IGNORE_CASE: parse_equals_ignore_case,
    "anything-but": parse_anything_but,
    "numeric": parse_numeric,
    "exists": parse_exists,
    "cidr": parse_cidr,
    "wildcard": parse_wildcard,
}

OPERATOR_NAMES = tuple(OPERATORS)


def _anything_but_operator(operand: dict[str, Any]) -> ValueTest:
    if len(operand) != 1:
        raise OperandError(f"an anything-but object holds exactly one operator, got {', '.join(operand)}")
    [(name, argument)] = operand.items()
    if name == "prefix":
        prefix = _non_empty_string(argument, "anything-but prefix")
        return lambda value: not (isinstance(value, str) and value.startswith(prefix))
    if name == "suffix":
        suffix = _non_empty_string(argument, "anything-but suffix")
        return lambda value: not (isinstance(value, str) and value.endswith(suffix))
    if name == IGNORE_CASE:
        folded = frozenset(text.lower() for text in _string_or_strings(argument))
        return lambda value: not (isinstance(value, str) and value.lower() in folded)
    if name == "wildcard":
        regexes = tuple(compile_wildcard(text) for text in _string_or_strings(argument))
        return lambda value: not (isinstance(value, str) and any(r.fullmatch(value) for r in regexes))
    raise OperandError(
        f'anything-but cannot hold "{name}"; expected one of prefix, suffix, equals-ignore-case, wildcard'
    )


def _is_address_in(value: Any, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    if not isinstance(value, str):
        return False
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return address in network


def _string(operand: Any) -> str:
    if not isinstance(operand, str):
        raise OperandError(f"expected a string, got {to_json_text(operand)}")
    return operand


def _non_empty_string(operand: Any, what: str) -> str:
    if not isinstance(operand, str) or not operand:
        raise OperandError(f"{what} must be a non-empty string, got {to_json_text(operand)}")
    return operand


def _string_or_strings(operand: Any) -> list[str]:
    values = operand if isinstance(operand, list) else [operand]
    if not values or not all(isinstance(value, str) for value in values):
        raise OperandError(f"expected a string or a non-empty list of strings, got {to_json_text(operand)}")
    return values


def _string_or_ignore_case(operand: Any) -> tuple[str, bool]:
    """prefix and suffix take a string, or {"equals-ignore-case": string}."""
    if isinstance(operand, str):
        return operand, False
    if isinstance(operand, dict) and list(operand) == [IGNORE_CASE] and isinstance(operand[IGNORE_CASE], str):
        return operand[IGNORE_CASE], True
    raise OperandError(f'expected a string or {{"{IGNORE_CASE}": string}}, got {to_json_text(operand)}')
