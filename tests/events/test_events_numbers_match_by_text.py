"""A plain number in a pattern matches the event's number by its spelling; `numeric` compares values.

AWS: "For numbers, EventBridge uses string representation matching: 300, 300.0 and 3.0e2 are not
considered equal."
"""

import pytest

from simulacro.events import JsonNumber, event_matches, parse_json


@pytest.mark.parametrize("spelling", ["300.0", "3.0e2", "3e2", "300.00"])
def test_plain_300_does_not_match_another_spelling_of_three_hundred(spelling):
    assert not event_matches('{"a": [300]}', '{"a": %s}' % spelling)


def test_plain_300_matches_300():
    assert event_matches('{"a": [300]}', '{"a": 300}')


def test_plain_300_point_0_matches_only_300_point_0():
    assert event_matches('{"a": [300.0]}', '{"a": 300.0}')
    assert not event_matches('{"a": [300.0]}', '{"a": 300}')


def test_python_numbers_are_spelled_as_json_dumps_spells_them():
    assert event_matches({"a": [300]}, {"a": 300})
    assert not event_matches({"a": [300]}, {"a": 300.0})
    assert event_matches({"a": [300.0]}, '{"a": 300.0}')


def test_numeric_matches_every_spelling_of_the_value():
    for spelling in ("300", "300.0", "3.0e2", "3e2"):
        assert event_matches('{"a": [{"numeric": ["=", 3e2]}]}', '{"a": %s}' % spelling)


def test_large_integers_keep_every_digit():
    assert event_matches('{"account": [123456789012345678901]}', '{"account": 123456789012345678901}')
    assert not event_matches('{"account": [123456789012345678901]}', '{"account": 123456789012345678900}')


def test_parsed_numbers_remember_their_text_and_value():
    number = parse_json('{"a": 3.0e2}')["a"]
    assert isinstance(number, JsonNumber)
    assert number.text == "3.0e2"
    assert number == 300


def test_number_text_is_never_a_string():
    assert not event_matches('{"a": [300]}', '{"a": "300"}')
