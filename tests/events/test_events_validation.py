"""Patterns PutRule refuses are refused here too, with the path of the offending part."""

import pytest

from simulacro.events import InvalidEventPattern, event_matches, validate_pattern


def refusal(pattern) -> InvalidEventPattern:
    with pytest.raises(InvalidEventPattern) as caught:
        validate_pattern(pattern)
    return caught.value


def test_invalid_event_pattern_is_a_value_error():
    assert issubclass(InvalidEventPattern, ValueError)


def test_unknown_operator_names_its_path_and_the_known_operators():
    error = refusal({"detail": {"currentPipelineExecutionStatus": [{"prefx": "Fail"}]}})
    assert error.path == "detail.currentPipelineExecutionStatus[0]"
    assert str(error).startswith(
        'detail.currentPipelineExecutionStatus[0]: unknown operator "prefx"; expected one of prefix, suffix,'
    )
    assert 'did you mean "prefix"' in str(error)


def test_scalar_leaf_is_refused_with_the_fix():
    error = refusal({"source": "aws.sagemaker"})
    assert error.path == "source"
    assert 'wrap the value in a list: ["aws.sagemaker"]' in error.reason


def test_empty_list_is_refused():
    assert refusal({"detail": {"EndpointStatus": []}}).path == "detail.EndpointStatus"


def test_empty_object_is_refused_at_any_level():
    assert refusal({}).path == ""
    assert refusal({"detail": {}}).path == "detail"


def test_pattern_must_be_an_object():
    assert "must be a JSON object" in refusal("[1, 2]").reason


def test_invalid_json_text_is_refused():
    assert "not valid JSON" in refusal('{"source": [').reason


def test_nan_is_not_json():
    assert refusal('{"a": [NaN]}').path == ""


def test_nested_list_in_a_leaf_is_refused():
    assert refusal({"a": [["x"]]}).path == "a[0]"


def test_operator_object_with_two_operators_is_refused():
    assert "exactly one operator" in refusal({"a": [{"prefix": "x", "suffix": "y"}]}).reason


def test_empty_operator_object_is_refused():
    assert refusal({"a": ["x", {}]}).path == "a[1]"


@pytest.mark.parametrize(
    "operand",
    [
        ["<", 5, ">", 1],  # bounds in the wrong order
        [">", 5, "<", 1],  # empty range
        [">", 5, "<", 5],
        [">", 1, ">", 5],
        ["=", 1, "<", 5],
        ["!=", 5],
        [">", "5"],
        [">", True],
        [">", 5e10],  # beyond AWS's numeric range
        [">"],
        [],
        5,
    ],
)
def test_malformed_numeric_is_refused(operand):
    assert refusal({"a": [{"numeric": operand}]}).path == "a[0].numeric"


@pytest.mark.parametrize(
    "operand",
    [
        [],
        ["a", 1],
        [None],
        True,
        None,
        {"prefix": ""},
        {"suffix": ""},
        {"prefix": "a", "suffix": "b"},
        {"numeric": [">", 1]},
        {"exists": True},
        {"equals-ignore-case": 5},
        {"wildcard": "a**"},
        5e10,
    ],
)
def test_malformed_anything_but_is_refused(operand):
    assert refusal({"a": [{"anything-but": operand}]}).path == "a[0].anything-but"


@pytest.mark.parametrize(
    "operator, operand",
    [
        ("prefix", 5),
        ("prefix", ["a", "b"]),
        ("prefix", {"equals-ignore-case": 5}),
        ("prefix", {"ignore-case": "x"}),
        ("suffix", None),
        ("equals-ignore-case", ["a"]),
        ("exists", "true"),
        ("exists", 1),
        ("cidr", "10.0.0.1"),
        ("cidr", "10.0.0.0/33"),
        ("cidr", "banana/8"),
        ("wildcard", "a**b"),
        ("wildcard", "a\\b"),
        ("wildcard", "trailing\\"),
        ("wildcard", 5),
    ],
)
def test_malformed_operand_is_refused(operator, operand):
    assert refusal({"a": [{operator: operand}]}).path == f"a[0].{operator}"


def test_wildcard_with_escaped_star_next_to_a_star_is_allowed():
    validate_pattern({"a": [{"wildcard": "*\\**"}]})


def test_or_needs_two_or_more_objects():
    assert refusal({"$or": [{"a": ["x"]}]}).path == "$or"
    assert refusal({"$or": {"a": ["x"]}}).path == "$or"
    assert refusal({"detail": {"$or": [{"a": ["x"]}, "b"]}}).path == "detail.$or[1]"


def test_or_alternatives_are_validated_with_their_path():
    error = refusal({"detail": {"$or": [{"a": ["x"]}, {"b": [{"numeric": [">", "x"]}]}]}})
    assert error.path == "detail.$or[1].b[0].numeric"


def test_operator_names_cannot_name_fields_inside_or():
    assert refusal({"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}).path == "$or[0].prefix"


def test_unserialisable_dict_is_refused():
    assert "JSON-serialisable" in refusal({"a": [object()]}).reason


def test_event_matches_refuses_an_invalid_pattern():
    with pytest.raises(InvalidEventPattern):
        event_matches({"a": "x"}, {"a": "x"})


def test_event_must_be_a_json_object():
    with pytest.raises(ValueError):
        event_matches({"a": ["x"]}, "[1]")


def test_valid_pattern_passes_silently():
    assert validate_pattern('{"source": ["aws.sagemaker"], "detail": {"EndpointStatus": ["FAILED"]}}') is None
