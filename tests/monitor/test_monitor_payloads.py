import numpy as np
import pytest
from scipy.stats import ks_2samp

from simulacro.monitor import (
    DriftKind,
    MonitorInputError,
    Scenario,
    analyze,
    drifted,
    in_distribution,
    suggest_baseline,
    to_csv_rows,
)
from simulacro.monitor.types import read_column


@pytest.fixture(scope="module")
def baseline():
    rng = np.random.default_rng(2024)
    n = 10_000
    columns = {
        "age": rng.integers(18, 90, size=n),
        "balance": rng.lognormal(8, 1, size=n),
        "tenure": np.where(rng.random(n) < 0.05, np.nan, rng.poisson(4, size=n).astype(float)),
        "plan": rng.choice(["basic", "plus", "pro"], size=n, p=[0.6, 0.3, 0.1]),
        "channel": rng.choice(["web", "app", "store", "phone"], size=n),
    }
    statistics, constraints = suggest_baseline(columns)
    return columns, statistics, constraints


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_in_distribution_traffic_has_no_violation_against_its_own_baseline(baseline, seed):
    _, statistics, constraints = baseline
    traffic = in_distribution(statistics, 3000, np.random.default_rng(seed))
    assert analyze(statistics, constraints, traffic).violations == []


def test_in_distribution_traffic_follows_the_baseline_distribution(baseline):
    columns, statistics, _ = baseline
    traffic = in_distribution(statistics, 20_000, np.random.default_rng(0))
    for name in ("age", "balance"):
        assert ks_2samp(columns[name], traffic[name]).statistic < 0.03, name
    share = np.mean(traffic["plan"] == "basic")
    assert share == pytest.approx(np.mean(columns["plan"] == "basic"), abs=0.02)


def test_in_distribution_traffic_keeps_each_feature_type(baseline):
    _, statistics, _ = baseline
    traffic = in_distribution(statistics, 500, np.random.default_rng(0))
    types = {name: read_column(values).inferred_type for name, values in traffic.items()}
    assert types == {
        "age": "Integral",
        "balance": "Fractional",
        "tenure": "Integral",
        "plan": "String",
        "channel": "String",
    }


def test_the_same_seed_gives_the_same_traffic(baseline):
    _, statistics, _ = baseline
    first = in_distribution(statistics, 100, np.random.default_rng(9))
    second = in_distribution(statistics, 100, np.random.default_rng(9))
    assert all(np.array_equal(first[name], second[name]) for name in first)


SCENARIOS = [
    Scenario("balance", DriftKind.MEAN_SHIFT),
    Scenario("age", DriftKind.MEAN_SHIFT),
    Scenario("plan", DriftKind.NEW_CATEGORIES),
    Scenario("channel", DriftKind.NULLS),
    Scenario("tenure", DriftKind.NULLS),
    Scenario("age", DriftKind.WRONG_TYPE),
    Scenario("balance", DriftKind.MISSING_COLUMN),
    Scenario("region", DriftKind.EXTRA_COLUMN),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.kind.value}-{s.feature}")
def test_each_drift_kind_yields_exactly_its_expected_violation(baseline, scenario):
    _, statistics, constraints = baseline
    traffic = scenario.traffic(statistics, 3000, np.random.default_rng(42))
    assert analyze(statistics, constraints, traffic).violated_checks == [scenario.expected_violation]


def test_every_drift_kind_maps_to_a_distinct_check():
    checks = [kind.check_type for kind in DriftKind]
    assert len(set(checks)) == len(checks) == 6


def test_drift_kinds_can_be_named_by_their_value(baseline):
    _, statistics, _ = baseline
    traffic = drifted(statistics, 10, "balance", "missing_column", np.random.default_rng(0))
    assert "balance" not in traffic


def test_mean_shift_moves_the_mean_by_k_standard_deviations(baseline):
    _, statistics, _ = baseline
    balance = next(f for f in statistics["features"] if f["name"] == "balance")["numerical_statistics"]
    traffic = drifted(statistics, 20_000, "balance", DriftKind.MEAN_SHIFT, np.random.default_rng(0), magnitude=2.0)
    assert np.mean(traffic["balance"]) == pytest.approx(balance["mean"] + 2 * balance["std_dev"], rel=0.05)


@pytest.mark.parametrize(
    "feature, kind, message",
    [
        ("plan", DriftKind.MEAN_SHIFT, "'plan' is String; it needs a numeric feature"),
        ("age", DriftKind.NEW_CATEGORIES, "'age' is Integral; it needs a String feature"),
        ("nope", DriftKind.NULLS, "'nope' is not a feature of the baseline statistics"),
        ("age", DriftKind.EXTRA_COLUMN, "'age' is already a baseline feature"),
    ],
)
def test_drifts_that_cannot_apply_are_refused(baseline, feature, kind, message):
    _, statistics, _ = baseline
    with pytest.raises(MonitorInputError, match=message):
        drifted(statistics, 10, feature, kind, np.random.default_rng(0))


def test_csv_rows_follow_the_feature_order_with_empty_fields_for_missing_values():
    columns = {"a": np.array([1, 2]), "b": np.array([0.5, np.nan]), "c": np.array(["x", None], dtype=object)}
    assert to_csv_rows(columns, ["c", "a", "b"]) == ["x,1,0.5", ",2,"]


def test_csv_rows_write_whole_floats_as_integers_so_integral_features_stay_integral():
    assert to_csv_rows({"n": np.array([3.0, np.nan, 4.0])}) == ["3", "", "4"]


def test_csv_rows_quote_fields_with_commas_and_quotes():
    assert to_csv_rows({"a": ["x,y", 'say "hi"', "plain"]}) == ['"x,y"', '"say ""hi"""', "plain"]


def test_csv_rows_of_drifted_traffic_read_back_to_the_same_violation(baseline):
    _, statistics, constraints = baseline
    order = [f["name"] for f in statistics["features"]]
    traffic = drifted(statistics, 2000, "age", DriftKind.WRONG_TYPE, np.random.default_rng(3))
    rows = to_csv_rows(traffic, order)
    fields = np.array([row.split(",") for row in rows], dtype=object).T
    parsed = {name: fields[i] for i, name in enumerate(order)}
    assert analyze(statistics, constraints, parsed).violated_checks == [("age", "data_type_check")]


def test_csv_rows_refuse_an_order_naming_unknown_features():
    with pytest.raises(MonitorInputError, match="'z'"):
        to_csv_rows({"a": [1]}, ["a", "z"])
