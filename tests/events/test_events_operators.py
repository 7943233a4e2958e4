"""Each comparison operator on its own: what it matches, and which types it never matches."""

import pytest

from simulacro.events import event_matches


def matches(condition, value) -> bool:
    return event_matches({"field": [condition]}, {"field": value})


# plain values


def test_plain_string_matches_exactly_and_case_sensitively():
    assert matches("Failed", "Failed")
    assert not matches("Failed", "failed")
    assert not matches("Failed", "Failed ")


def test_plain_string_never_matches_a_number_with_the_same_text():
    assert not matches("300", 300)
    assert not matches(300, "300")


def test_plain_true_matches_the_literal_and_not_the_string():
    assert matches(True, True)
    assert not matches(True, "true")
    assert not matches("true", True)


def test_plain_false_is_not_zero():
    assert not matches(False, 0)
    assert not matches(0, False)


# prefix and suffix


def test_prefix_matches_the_beginning_of_a_string_only():
    assert matches({"prefix": "arn:aws:sagemaker:"}, "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn")
    assert not matches({"prefix": "sagemaker"}, "arn:aws:sagemaker:eu-west-1")


def test_prefix_is_case_sensitive_unless_asked():
    assert not matches({"prefix": "churn"}, "Churn-staging")
    assert matches({"prefix": {"equals-ignore-case": "churn"}}, "Churn-staging")


def test_prefix_never_matches_a_number():
    assert not matches({"prefix": "30"}, 300)


def test_empty_prefix_matches_every_string():
    assert matches({"prefix": ""}, "")
    assert matches({"prefix": ""}, "anything")


def test_suffix_matches_the_end_of_a_string_only():
    assert matches({"suffix": "-staging"}, "churn-staging")
    assert not matches({"suffix": "-staging"}, "churn-staging-2")


def test_suffix_ignoring_case():
    assert matches({"suffix": {"equals-ignore-case": "-STAGING"}}, "churn-Staging")
    assert not matches({"suffix": {"equals-ignore-case": "-STAGING"}}, "churn-prod")


# equals-ignore-case


def test_equals_ignore_case_is_a_whole_string_comparison():
    assert matches({"equals-ignore-case": "failed"}, "FAILED")
    assert not matches({"equals-ignore-case": "fail"}, "FAILED")


def test_equals_ignore_case_never_matches_null():
    assert not matches({"equals-ignore-case": "null"}, None)


# anything-but


def test_anything_but_string_matches_other_strings_and_other_types():
    assert matches({"anything-but": "Failed"}, "Succeeded")
    assert matches({"anything-but": "Failed"}, 3)
    assert matches({"anything-but": "Failed"}, None)
    assert not matches({"anything-but": "Failed"}, "Failed")


def test_anything_but_never_matches_an_absent_field():
    assert not event_matches({"field": [{"anything-but": "Failed"}]}, {"other": "x"})


def test_anything_but_number_compares_values_not_spelling():
    assert not event_matches('{"field": [{"anything-but": 100}]}', '{"field": 100.0}')
    assert event_matches('{"field": [{"anything-but": 100}]}', '{"field": 100.5}')


def test_anything_but_number_matches_a_string_with_the_same_text():
    assert matches({"anything-but": 100}, "100")


def test_anything_but_on_an_event_list_needs_one_value_not_excluded():
    assert event_matches({"field": [{"anything-but": ["a", "b"]}]}, {"field": ["a", "c"]})
    assert not event_matches({"field": [{"anything-but": ["a", "b"]}]}, {"field": ["a", "b"]})


def test_anything_but_prefix_matches_non_strings():
    assert matches({"anything-but": {"prefix": "init"}}, 42)


def test_anything_but_equals_ignore_case_single_value():
    assert not matches({"anything-but": {"equals-ignore-case": "failed"}}, "FAILED")
    assert matches({"anything-but": {"equals-ignore-case": "failed"}}, "Succeeded")


# numeric


@pytest.mark.parametrize(
    "condition, value, expected",
    [
        (["=", 5], 5, True),
        (["=", 5], 5.0, True),
        (["=", 5], 5.000001, False),
        (["<", 5], 4.999999, True),
        (["<", 5], 5, False),
        (["<=", 5], 5, True),
        ([">", 5], 5, False),
        ([">=", 5], 5, True),
        ([">", 0, "<", 5], 0, False),
        ([">=", 0, "<", 5], 0, True),
        ([">", 0, "<=", 5], 5, True),
        ([">", 0, "<", 5], 5, False),
        ([">", -5e9, "<=", 5e9], 5e9, True),
    ],
)
def test_numeric_comparison(condition, value, expected):
    assert matches({"numeric": condition}, value) is expected


def test_numeric_never_matches_a_numeric_string_or_a_boolean():
    assert not matches({"numeric": [">", 0]}, "5")
    assert not matches({"numeric": [">", 0]}, True)


def test_numeric_never_matches_a_number_beyond_five_billion():
    assert not matches({"numeric": [">", 0]}, 5_000_000_001)


def test_numeric_compares_to_six_decimal_places_like_aws():
    assert matches({"numeric": ["=", 0]}, 0.0000001)
    assert not matches({"numeric": [">", 0]}, 0.0000001)


def test_numeric_compares_values_whatever_the_spelling():
    assert event_matches('{"field": [{"numeric": ["=", 300]}]}', '{"field": 3.0e2}')


# exists


def test_exists_true_matches_null_and_empty_string():
    assert matches({"exists": True}, None)
    assert matches({"exists": True}, "")


def test_exists_false_matches_only_when_the_field_is_absent():
    assert event_matches({"field": [{"exists": False}]}, {"other": 1})
    assert not event_matches({"field": [{"exists": False}]}, {"field": None})


def test_exists_false_matches_when_the_parent_object_is_absent():
    assert event_matches({"detail": {"field": [{"exists": False}]}}, {"source": "x"})


def test_exists_true_does_not_match_an_object_or_an_empty_list():
    assert not event_matches({"field": [{"exists": True}]}, {"field": {"nested": 1}})
    assert not event_matches({"field": [{"exists": True}]}, {"field": []})
    assert event_matches({"field": [{"exists": False}]}, {"field": []})


def test_exists_false_or_a_value_matches_either():
    pattern = {"field": [{"exists": False}, "x"]}
    assert event_matches(pattern, {})
    assert event_matches(pattern, {"field": "x"})
    assert not event_matches(pattern, {"field": "y"})


# cidr


def test_cidr_matches_ipv4_addresses_in_the_block():
    assert matches({"cidr": "10.0.0.0/24"}, "10.0.0.7")
    assert not matches({"cidr": "10.0.0.0/24"}, "10.0.1.7")


def test_cidr_matches_ipv6_addresses_in_the_block():
    assert matches({"cidr": "2001:db8::/32"}, "2001:db8:0:1::5")
    assert not matches({"cidr": "2001:db8::/32"}, "2001:db9::5")


def test_cidr_never_matches_the_other_ip_version_or_a_non_address():
    assert not matches({"cidr": "10.0.0.0/8"}, "::ffff:10.0.0.1")
    assert not matches({"cidr": "10.0.0.0/8"}, "not-an-ip")
    assert not matches({"cidr": "10.0.0.0/8"}, 167772161)


def test_cidr_with_host_bits_set_means_its_network():
    assert matches({"cidr": "10.0.0.9/24"}, "10.0.0.200")


# wildcard


def test_wildcard_star_matches_any_run_of_characters_including_none():
    assert matches({"wildcard": "churn-*-5xx"}, "churn-staging-5xx")
    assert matches({"wildcard": "churn-*-5xx"}, "churn--5xx")
    assert not matches({"wildcard": "churn-*-5xx"}, "churn-staging-4xx")


def test_wildcard_escaped_star_is_a_star():
    assert matches({"wildcard": "a\\*b"}, "a*b")
    assert not matches({"wildcard": "a\\*b"}, "axxb")


def test_wildcard_escaped_backslash_is_a_backslash():
    assert matches({"wildcard": "C:\\\\*"}, "C:\\Windows")


def test_wildcard_matches_across_newlines():
    assert matches({"wildcard": "a*b"}, "a\nb")


def test_wildcard_never_matches_a_number():
    assert not matches({"wildcard": "*"}, 5)
