"""Read one column the way Model Monitor reads a CSV column: each value is missing, Integral,
Fractional or String, and the column's type follows from the mix.

The value patterns are Deequ's (the library under Model Monitor's container): an Integral is an
optional sign and digits (``-12``), a Fractional has a decimal point (``3.0``, ``.5``); we also take
exponent notation (``1e-05``), which Python writes for small floats. Anything else is a String.
A value is missing when it is ``None``, a float NaN or an empty (or blank) string.

Numbers take a fast path: integer arrays are Integral, and in float arrays (or lists of numbers and
Nones) a whole number (``3.0``) counts as Integral, a NaN as missing, so an integer column that went
through a float array keeps its type. Text is classified once per distinct value, never once per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from simulacro.monitor.errors import MonitorInputError

INTEGRAL = "Integral"
FRACTIONAL = "Fractional"
STRING = "String"
UNKNOWN = "Unknown"
NUMERIC_TYPES = (INTEGRAL, FRACTIONAL)
INFERRED_TYPES = (INTEGRAL, FRACTIONAL, STRING, UNKNOWN)

_MISSING, _INTEGRAL, _FRACTIONAL, _STRING = 0, 1, 2, 3


@dataclass
class TypedColumn:
    """The present values of one column, counted by type, with their numbers and their text."""

    item_count: int
    num_missing: int
    kind_counts: dict[str, int]
    numbers: np.ndarray
    _text: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def num_present(self) -> int:
        return self.item_count - self.num_missing

    @property
    def completeness(self) -> float:
        return self.num_present / self.item_count if self.item_count else 1.0

    @property
    def inferred_type(self) -> str:
        if self.kind_counts[STRING]:
            return STRING
        if self.kind_counts[FRACTIONAL]:
            return FRACTIONAL
        if self.kind_counts[INTEGRAL]:
            return INTEGRAL
        return UNKNOWN

    def match_share(self, expected_type: str) -> float:
        """Share of present values that are of `expected_type` (an Integral is also a valid Fractional)."""
        if not self.num_present:
            return 1.0
        if expected_type == INTEGRAL:
            return self.kind_counts[INTEGRAL] / self.num_present
        if expected_type == FRACTIONAL:
            return (self.kind_counts[INTEGRAL] + self.kind_counts[FRACTIONAL]) / self.num_present
        return 1.0

    @cached_property
    def sorted_numbers(self) -> np.ndarray:
        return np.sort(self.numbers)

    @cached_property
    def text_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct present values as text, and how often each occurs."""
        if self._text is not None:
            return self._text
        values, counts = np.unique(numbers_as_text(self.numbers), return_counts=True)
        return values, counts


def read_column(values: object, name: str = "column") -> TypedColumn:
    """Classify every value of a column (list or 1-D numpy array)."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise MonitorInputError(f"columns: '{name}': expected a list or 1-D array of values, got shape {array.shape}")
    if array.dtype.kind in "iu":
        return _read_integers(array)
    if array.dtype.kind == "f":
        return _read_floats(array)
    if array.dtype.kind == "O" and not _holds_text(array):
        return _read_floats(np.where(_is_missing(array), np.nan, array).astype(np.float64))
    return _read_text(as_text(array))


def _holds_text(array: np.ndarray) -> bool:
    """Whether an object array has any value that is not a number or missing (a list of numbers and
    Nones reads like a float array; anything else is read as text)."""
    is_number = np.frompyfunc(_is_number, 1, 1)(array).astype(bool)
    return not np.all(is_number | _is_missing(array))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def _is_missing(array: np.ndarray) -> np.ndarray:
    # numpy's stubs take no None operand, but an object array compares each element with it.
    is_none: np.ndarray = np.equal(array, None)  # type: ignore[call-overload]
    missing: np.ndarray = is_none | np.not_equal(array, array)  # None, or NaN (NaN != NaN)
    return missing


def _read_integers(array: np.ndarray) -> TypedColumn:
    return TypedColumn(
        item_count=len(array),
        num_missing=0,
        kind_counts={INTEGRAL: len(array), FRACTIONAL: 0, STRING: 0},
        numbers=array.astype(np.float64),
    )


def _read_floats(array: np.ndarray) -> TypedColumn:
    present = array[~np.isnan(array)].astype(np.float64, copy=False)
    whole = np.isfinite(present) & (present == np.floor(present))
    integral_count = int(np.count_nonzero(whole))
    return TypedColumn(
        item_count=len(array),
        num_missing=len(array) - len(present),
        kind_counts={INTEGRAL: integral_count, FRACTIONAL: len(present) - integral_count, STRING: 0},
        numbers=present,
    )


def numbers_as_text(numbers: np.ndarray) -> np.ndarray:
    """Numbers as a CSV would hold them: a whole float reads as "3", so it stays Integral when read back."""
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (np.abs(numbers) < 2.0**62)
    text = numbers.astype(str)
    text[whole] = numbers[whole].astype(np.int64).astype(str)
    return text


def as_text(array: np.ndarray) -> np.ndarray:
    """Values of a non-numeric array as strings; None and NaN become the empty (missing) string."""
    if array.dtype.kind == "U":
        return array
    if array.dtype.kind == "S":
        return np.strings.decode(array, "utf-8")
    if array.dtype.kind == "O":
        array = np.where(_is_missing(array), "", array)
    return array.astype(str)


def _read_text(text: np.ndarray) -> TypedColumn:
    distinct, counts = np.unique(text, return_counts=True)
    kinds, distinct_numbers = classify_text(distinct)
    kind_counts = np.bincount(kinds, weights=counts, minlength=4).astype(np.int64)
    numeric = (kinds == _INTEGRAL) | (kinds == _FRACTIONAL)
    numbers = np.empty(0, dtype=np.float64)
    if numeric.any():
        row_distinct = np.searchsorted(distinct, text)
        numbers = distinct_numbers[row_distinct][numeric[row_distinct]]
    present = kinds != _MISSING
    return TypedColumn(
        item_count=len(text),
        num_missing=int(kind_counts[_MISSING]),
        kind_counts={
            INTEGRAL: int(kind_counts[_INTEGRAL]),
            FRACTIONAL: int(kind_counts[_FRACTIONAL]),
            STRING: int(kind_counts[_STRING]),
        },
        numbers=numbers,
        _text=(distinct[present], counts[present]),
    )


def classify_text(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kind code (missing, Integral, Fractional, String) and parsed number (NaN if none) of each string."""
    stripped = np.strings.strip(text)
    unsigned = _without_sign(stripped)
    integral = np.strings.isdecimal(unsigned)
    mantissa, exponent_mark, exponent = np.strings.partition(np.strings.lower(unsigned), "e")
    mantissa_digits = np.strings.replace(mantissa, ".", "", 1)
    has_point = np.strings.find(mantissa, ".") >= 0
    exponent_ok = (exponent_mark == "") | np.strings.isdecimal(_without_sign(exponent))
    fractional = ~integral & np.strings.isdecimal(mantissa_digits) & exponent_ok & (has_point | (exponent_mark != ""))
    kinds = np.full(len(text), _STRING, dtype=np.int64)
    kinds[fractional] = _FRACTIONAL
    kinds[integral] = _INTEGRAL
    kinds[stripped == ""] = _MISSING
    numbers = _parse_numbers(stripped, kinds)  # may demote unparsable values to String
    return kinds, numbers


def _without_sign(text: np.ndarray) -> np.ndarray:
    signed = np.strings.startswith(text, "-") | np.strings.startswith(text, "+")
    return np.where(signed, np.strings.slice(text, 1, None), text)


def _parse_numbers(text: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    numbers = np.full(len(text), np.nan)
    numeric = (kinds == _INTEGRAL) | (kinds == _FRACTIONAL)
    try:
        numbers[numeric] = text[numeric].astype(np.float64)
    except ValueError:
        # Non-ASCII digits pass isdecimal() but not numpy's parser: treat those values as strings.
        parsed = np.frompyfunc(_float_or_nan, 1, 1)(text[numeric]).astype(np.float64)
        numbers[numeric] = parsed
        kinds[np.flatnonzero(numeric)[np.isnan(parsed)]] = _STRING
    return numbers


def _float_or_nan(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")
