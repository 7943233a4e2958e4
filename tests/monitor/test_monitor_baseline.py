"""suggest_baseline writes the documented statistics.json and constraints.json shapes
("Schema for Statistics" and "Schema for Constraints" in the SageMaker developer guide)."""

import json

import numpy as np
import pytest

from simulacro.monitor import MonitorInputError, suggest_baseline, suggest_constraints
from simulacro.monitor.baseline import MAX_DOMAIN_SIZE


@pytest.fixture(scope="module")
def baseline():
    rng = np.random.default_rng(7)
    columns = {
        "age": rng.integers(18, 90, size=2000),
        "income": np.where(rng.random(2000) < 0.1, np.nan, rng.lognormal(10, 1, size=2000)),
        "plan": rng.choice(["basic", "plus", "pro"], size=2000, p=[0.6, 0.3, 0.1]),
    }
    return suggest_baseline(columns)


def _feature(document, name):
    return next(f for f in document["features"] if f["name"] == name)


def test_statistics_have_the_documented_top_level_shape(baseline):
    statistics, _ = baseline
    assert set(statistics) == {"version", "dataset", "features"}
    assert statistics["version"] == 0
    assert statistics["dataset"] == {"item_count": 2000}
    assert [f["name"] for f in statistics["features"]] == ["age", "income", "plan"]


def test_numeric_features_have_the_documented_numerical_statistics(baseline):
    statistics, _ = baseline
    income = _feature(statistics, "income")
    assert set(income) == {"name", "inferred_type", "numerical_statistics"}
    assert income["inferred_type"] == "Fractional"
    stats = income["numerical_statistics"]
    assert set(stats) == {"common", "mean", "sum", "std_dev", "min", "max", "distribution"}
    assert set(stats["common"]) == {"num_present", "num_missing"}
    assert stats["common"]["num_present"] + stats["common"]["num_missing"] == 2000
    kll = stats["distribution"]["kll"]
    assert set(kll) == {"buckets", "sketch"}
    assert len(kll["buckets"]) == 10
    assert all(set(b) == {"lower_bound", "upper_bound", "count"} for b in kll["buckets"])
    assert set(kll["sketch"]) == {"parameters", "data"}
    assert set(kll["sketch"]["parameters"]) == {"c", "k"}
    assert all(isinstance(level, list) for level in kll["sketch"]["data"])


def test_numeric_statistics_are_the_exact_moments(baseline):
    statistics, _ = baseline
    age = _feature(statistics, "age")
    assert age["inferred_type"] == "Integral"
    stats = age["numerical_statistics"]
    assert stats["mean"] == pytest.approx(stats["sum"] / 2000)
    assert stats["min"] >= 18 and stats["max"] <= 89


def test_string_features_have_the_documented_string_statistics(baseline):
    statistics, _ = baseline
    plan = _feature(statistics, "plan")
    assert set(plan) == {"name", "inferred_type", "string_statistics"}
    assert plan["inferred_type"] == "String"
    stats = plan["string_statistics"]
    assert set(stats) == {"common", "distinct_count", "distribution"}
    assert stats["distinct_count"] == 3
    buckets = stats["distribution"]["categorical"]["buckets"]
    assert [b["value"] for b in buckets] == ["basic", "plus", "pro"]  # most frequent first
    assert sum(b["count"] for b in buckets) == 2000


def test_constraints_have_the_documented_shape_and_suggested_monitoring_config(baseline):
    _, constraints = baseline
    assert set(constraints) == {"version", "features", "monitoring_config"}
    assert constraints["monitoring_config"] == {
        "evaluate_constraints": "Enabled",
        "emit_metrics": "Enabled",
        "datatype_check_threshold": 1.0,
        "domain_content_threshold": 1.0,
        "distribution_constraints": {
            "perform_comparison": "Enabled",
            "comparison_threshold": 0.1,
            "comparison_method": "Robust",
            "categorical_comparison_threshold": 0.1,
            "categorical_drift_method": "LInfinity",
        },
    }


def test_constraints_suggest_type_completeness_sign_and_small_domains(baseline):
    _, constraints = baseline
    assert _feature(constraints, "age") == {
        "name": "age",
        "inferred_type": "Integral",
        "completeness": 1.0,
        "num_constraints": {"is_non_negative": True},
    }
    income = _feature(constraints, "income")
    assert 0.85 < income["completeness"] < 0.95
    assert _feature(constraints, "plan")["string_constraints"] == {"domains": ["basic", "plus", "pro"]}


def test_high_cardinality_strings_get_no_domain():
    ids = [f"id-{i}" for i in range(MAX_DOMAIN_SIZE + 1)]
    _, constraints = suggest_baseline({"id": ids})
    assert "string_constraints" not in constraints["features"][0]


def test_documents_are_strict_json(baseline):
    for document in baseline:
        assert json.loads(json.dumps(document, allow_nan=False)) == document


def test_suggest_constraints_rejects_statistics_in_another_format():
    with pytest.raises(MonitorInputError, match=r"statistics.json: features\[0\].inferred_type"):
        suggest_constraints({"dataset": {"item_count": 1}, "features": [{"name": "x", "inferred_type": "Float"}]})


def test_columns_of_different_lengths_are_rejected_naming_each():
    with pytest.raises(MonitorInputError, match="'a' has 2, 'b' has 3"):
        suggest_baseline({"a": [1, 2], "b": [1, 2, 3]})
