import numpy as np
import pytest

from simulacro.monitor import FRACTIONAL, INTEGRAL, STRING, UNKNOWN, MonitorInputError
from simulacro.monitor.types import read_column


def test_integer_array_is_integral_and_complete():
    column = read_column(np.array([1, 2, 3]))
    assert column.inferred_type == INTEGRAL
    assert column.num_missing == 0
    assert column.numbers.tolist() == [1.0, 2.0, 3.0]


def test_float_array_counts_nan_as_missing_and_whole_numbers_as_integral():
    column = read_column(np.array([1.0, 2.5, np.nan, 4.0]))
    assert column.num_missing == 1
    assert column.kind_counts == {INTEGRAL: 2, FRACTIONAL: 1, STRING: 0}
    assert column.inferred_type == FRACTIONAL


def test_whole_floats_with_nans_stay_integral():
    assert read_column([1.0, None, 3.0]).inferred_type == INTEGRAL


@pytest.mark.parametrize(
    "text, kind",
    [
        ("12", INTEGRAL),
        ("-12", INTEGRAL),
        ("+7", INTEGRAL),
        ("3.0", FRACTIONAL),
        (".5", FRACTIONAL),
        ("-2.", FRACTIONAL),
        ("1e-05", FRACTIONAL),
        ("2.5E+3", FRACTIONAL),
        ("abc", STRING),
        ("1.2.3", STRING),
        ("e5", STRING),
        ("NaN", STRING),
        ("true", STRING),
        ("1,000", STRING),
    ],
)
def test_text_values_are_classified_like_model_monitor_reads_csv(text, kind):
    assert read_column([text]).inferred_type == kind


def test_none_nan_and_blank_strings_are_missing():
    column = read_column(["a", None, float("nan"), "", "  "])
    assert column.num_missing == 4
    assert column.num_present == 1


def test_numeric_strings_are_parsed_to_numbers():
    column = read_column(["1", "2.5", None, "x"])
    assert sorted(column.numbers.tolist()) == [1.0, 2.5]
    assert column.inferred_type == STRING


def test_a_column_with_no_present_value_is_unknown():
    assert read_column([None, None]).inferred_type == UNKNOWN


def test_match_share_counts_integral_values_as_valid_fractional():
    column = read_column(["1", "2.5", "x", "4"])
    assert column.match_share(INTEGRAL) == 0.5
    assert column.match_share(FRACTIONAL) == 0.75
    assert column.match_share(STRING) == 1.0


def test_text_counts_give_distinct_present_values():
    values, counts = read_column(["b", "a", "b", None]).text_counts
    assert dict(zip(values.tolist(), counts.tolist())) == {"a": 1, "b": 2}


def test_text_counts_of_numbers_write_whole_floats_as_integers():
    values, _ = read_column(np.array([1.0, 2.5])).text_counts
    assert values.tolist() == ["1", "2.5"]


def test_two_dimensional_values_are_rejected_with_the_feature_name():
    with pytest.raises(MonitorInputError, match="'age'"):
        read_column(np.zeros((2, 2)), "age")
