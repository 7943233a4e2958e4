import numpy as np
import pytest
from scipy.stats import ks_2samp

from simulacro.monitor import QuantileSketch, analyze, suggest_baseline
from simulacro.monitor.sketch import equal_width_buckets, linf_distance, mid_rank_quantiles

SIMPLE = {"distribution_constraints": {"comparison_method": "Simple", "comparison_threshold": 0.1}}


def _exact_cdf(sorted_values, x):
    return np.searchsorted(sorted_values, x, side="right") / len(sorted_values)


@pytest.mark.parametrize("n", [10, 1023, 1024, 1025, 4097, 100_000])
def test_sketch_cdf_is_within_half_a_quantile_step_of_the_exact_cdf(n):
    values = np.sort(np.random.default_rng(n).poisson(4, size=n).astype(float))  # many ties
    sketch = QuantileSketch.from_sorted(values, 1024)
    grid = np.unique(values)
    error = np.max(np.abs(sketch.cdf(grid) - _exact_cdf(values, grid)))
    assert error <= 1 / (2 * 1024) + 1e-12


def test_small_samples_are_kept_whole():
    values = np.arange(5.0)
    assert mid_rank_quantiles(values, 1024).tolist() == values.tolist()


def _distributions(rng, n, shift):
    return {
        "normal": (rng.normal(size=n), rng.normal(shift, 1, size=n // 2)),
        "lognormal": (rng.lognormal(size=n), rng.lognormal(shift, 1, size=n // 3)),
        "uniform": (rng.uniform(size=n), rng.uniform(shift, 1 + shift, size=n)),
        "poisson": (rng.poisson(3, size=n), rng.poisson(3 + 3 * shift, size=n // 2)),
        "bimodal": (
            np.concatenate([rng.normal(-2, 1, n // 2), rng.normal(2, 1, n - n // 2)]),
            rng.normal(shift, 2, size=n // 4),
        ),
    }


@pytest.mark.parametrize("n", [300, 5_000, 60_000])
@pytest.mark.parametrize("shift", [0.0, 0.2, 1.0])
def test_numeric_drift_distance_matches_scipy_two_sample_ks_within_0_01(n, shift):
    rng = np.random.default_rng(int(n + shift * 10))
    for name, (baseline, current) in _distributions(rng, n, shift).items():
        statistics, constraints = suggest_baseline({"x": baseline})
        constraints["monitoring_config"].update(SIMPLE)
        distance = analyze(statistics, constraints, {"x": current}).metrics["feature_baseline_drift_x"]
        expected = ks_2samp(baseline, current).statistic
        assert distance == pytest.approx(expected, abs=0.01), name
        assert distance == pytest.approx(expected, abs=1 / 1024 + 1e-9), name


def test_linf_distance_of_identical_sketches_is_zero():
    sketch = QuantileSketch.from_sorted(np.sort(np.random.default_rng(0).normal(size=5000)))
    assert linf_distance(sketch, sketch) == 0.0


def test_multi_level_kll_sketch_weighs_level_i_items_by_two_to_the_i():
    # Level 0 items weigh 1, level 1 items 2: CDF(1) = 1/5, CDF(2) = 3/5, CDF(3) = 5/5.
    sketch = QuantileSketch.from_kll({"sketch": {"parameters": {"c": 0.64, "k": 2048}, "data": [[1.0], [2.0, 3.0]]}})
    assert sketch.cdf(np.array([0.5, 1.0, 2.0, 3.0])).tolist() == [0.0, 0.2, 0.6, 1.0]


def test_a_kll_without_sketch_falls_back_to_its_buckets():
    kll = {
        "buckets": [{"lower_bound": 0, "upper_bound": 1, "count": 3}, {"lower_bound": 1, "upper_bound": 2, "count": 1}]
    }
    assert QuantileSketch.from_kll(kll).cdf(np.array([1.0, 2.0])).tolist() == [0.75, 1.0]


def test_ten_equal_width_buckets_cover_min_to_max_and_count_every_value():
    values = np.sort(np.random.default_rng(3).normal(size=1000))
    buckets = equal_width_buckets(values)
    assert len(buckets) == 10
    assert buckets[0]["lower_bound"] == values[0]
    assert buckets[-1]["upper_bound"] == values[-1]
    assert sum(b["count"] for b in buckets) == 1000
    fifth = buckets[4]
    assert fifth["count"] == np.count_nonzero((values >= fifth["lower_bound"]) & (values < fifth["upper_bound"]))


def test_a_constant_column_has_one_bucket():
    assert equal_width_buckets(np.array([2.0, 2.0])) == [{"lower_bound": 2.0, "upper_bound": 2.0, "count": 2}]
