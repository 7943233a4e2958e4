"""Per-period statistics, percentiles by nearest rank."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from simulacro.alarms.statistics import parse_statistic, per_period_statistic


def statistic_of(values, name):
    result, counts = per_period_statistic(
        np.zeros(len(values), dtype=np.intp), np.asarray(values, float), 1, parse_statistic(name)
    )
    return result[0]


@pytest.mark.parametrize(
    "name, expected",
    [("SampleCount", 4.0), ("Sum", 10.0), ("Average", 2.5), ("Minimum", 1.0), ("Maximum", 4.0)],
)
def test_standard_statistic_of_a_period(name, expected):
    assert statistic_of([3.0, 1.0, 4.0, 2.0], name) == expected


@pytest.mark.parametrize(
    "name, expected",
    [("p50", 2.0), ("p75", 3.0), ("p76", 4.0), ("p100", 4.0), ("p0", 1.0), ("p25", 1.0), ("p25.1", 2.0)],
)
def test_percentile_is_the_nearest_rank_sample(name, expected):
    assert statistic_of([4.0, 2.0, 1.0, 3.0], name) == expected


def test_percentile_matches_numpy_inverted_cdf():
    values = np.random.default_rng(7).exponential(100.0, size=997)
    for name in ("p50", "p90", "p95", "p99", "p99.9"):
        q = float(name[1:]) / 100
        assert statistic_of(values, name) == np.percentile(values, q * 100, method="inverted_cdf")


def test_percentile_rank_is_exact_where_floats_would_round():
    # 0.29 * 100 is 28.999999999999996 in floating point; nearest rank must still be the 29th value.
    assert statistic_of(np.arange(1.0, 101.0), "p29") == 29.0


def test_every_period_of_a_series_is_computed_in_one_call():
    index = np.array([0, 0, 2, 2, 2], dtype=np.intp)
    values = np.array([1.0, 3.0, 5.0, 6.0, 7.0])
    averages, counts = per_period_statistic(index, values, 3, parse_statistic("Average"))
    assert counts.tolist() == [2, 0, 3]
    assert averages[0] == 2.0 and np.isnan(averages[1]) and averages[2] == 6.0


def test_period_without_samples_has_no_datapoint_even_for_sample_count():
    counts_stat, _ = per_period_statistic(
        np.array([1], dtype=np.intp), np.array([1.0]), 2, parse_statistic("SampleCount")
    )
    assert np.isnan(counts_stat[0]) and counts_stat[1] == 1.0


def test_percentile_names_parse_to_exact_fractions():
    assert parse_statistic("p99.9").percentile == Fraction(999, 1000)
    assert parse_statistic("p50").percentile == Fraction(1, 2)


@pytest.mark.parametrize("name, minimum", [("p99", 1000), ("p95", 200), ("p50", 20), ("p99.9", 10000), ("p10", 100)])
def test_low_sample_minimum_follows_ten_over_one_minus_p(name, minimum):
    assert parse_statistic(name).minimum_samples == minimum


def test_standard_statistics_have_no_low_sample_minimum():
    assert parse_statistic("Average").minimum_samples is None


@pytest.mark.parametrize("name", ["average", "p101", "p", "tm99", "P99", "p99.", ""])
def test_unknown_statistic_is_refused_with_the_accepted_forms(name):
    with pytest.raises(ValueError, match="p99"):
        parse_statistic(name)
