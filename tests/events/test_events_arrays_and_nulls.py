"""How event arrays, objects inside arrays, null and the empty string are matched."""

from simulacro.events import event_matches


def test_one_common_value_between_pattern_and_event_list_suffices():
    assert event_matches({"tags": ["prod", "gate"]}, {"tags": ["staging", "gate"]})
    assert not event_matches({"tags": ["prod"]}, {"tags": ["staging", "gate"]})


def test_nested_event_lists_are_flattened():
    assert event_matches({"a": ["x"]}, {"a": [["y"], ["x"]]})


def test_empty_event_list_matches_no_value():
    assert not event_matches({"a": ["x"]}, {"a": []})
    assert not event_matches({"a": [{"anything-but": "x"}]}, {"a": []})


def test_operators_apply_to_each_element_of_an_event_list():
    assert event_matches({"a": [{"prefix": "gate"}]}, {"a": ["prod", "gate-1"]})
    assert event_matches({"a": [{"numeric": [">", 10]}]}, {"a": [1, 2, 30]})


def test_a_leaf_pattern_does_not_match_an_object_value():
    assert not event_matches({"detail": ["x"]}, {"detail": {"x": 1}})


def test_a_nested_pattern_does_not_match_a_scalar():
    assert not event_matches({"detail": {"a": ["x"]}}, {"detail": "x"})


def test_arrays_of_objects_match_within_one_element():
    event = {
        "detail": {
            "ProductionVariants": [
                {"VariantName": "blue", "VariantStatus": "Baking"},
                {"VariantName": "green", "VariantStatus": "Creating"},
            ]
        }
    }
    same = {"detail": {"ProductionVariants": {"VariantName": ["green"], "VariantStatus": ["Creating"]}}}
    mixed = {"detail": {"ProductionVariants": {"VariantName": ["green"], "VariantStatus": ["Baking"]}}}
    assert event_matches(same, event)
    assert not event_matches(mixed, event)


def test_arrays_of_objects_nested_two_levels_stay_consistent():
    event = {"a": [{"b": [{"c": "1", "d": "2"}, {"c": "3", "d": "4"}]}]}
    assert event_matches({"a": {"b": {"c": ["3"], "d": ["4"]}}}, event)
    assert not event_matches({"a": {"b": {"c": ["1"], "d": ["4"]}}}, event)


def test_exists_false_inside_an_array_of_objects_is_judged_per_element():
    event = {"a": [{"x": "1"}, {"x": "2", "y": "z"}]}
    assert event_matches({"a": {"x": ["1"], "y": [{"exists": False}]}}, event)
    assert not event_matches({"a": {"x": ["2"], "y": [{"exists": False}]}}, event)


def test_or_inside_an_array_of_objects_stays_within_one_element():
    event = {"items": [{"kind": "a", "size": 1}, {"kind": "b", "size": 9}]}
    pattern = {"items": {"kind": ["a"], "$or": [{"size": [{"numeric": [">", 5]}]}, {"size": [0]}]}}
    assert not event_matches(pattern, event)


def test_null_and_empty_string_are_different():
    assert event_matches({"a": [None]}, {"a": None})
    assert not event_matches({"a": [None]}, {"a": ""})
    assert event_matches({"a": [""]}, {"a": ""})
    assert not event_matches({"a": [""]}, {"a": None})


def test_null_pattern_does_not_match_an_absent_field():
    assert not event_matches({"a": [None]}, {})


def test_every_named_field_must_be_present():
    assert not event_matches({"source": ["aws.sagemaker"], "detail": {"x": ["1"]}}, {"source": "aws.sagemaker"})


def test_fields_not_named_are_ignored():
    assert event_matches({"source": ["aws.sagemaker"]}, {"source": "aws.sagemaker", "detail": {"anything": 1}})
