import copy

import numpy as np
import pytest

from simulacro.monitor import CHECK_TYPES, MonitorInputError, analyze, robust_distance, suggest_baseline

N = 4000


@pytest.fixture(scope="module")
def baseline():
    rng = np.random.default_rng(11)
    columns = {
        "age": rng.integers(18, 90, size=N),
        "income": rng.normal(50_000, 10_000, size=N),
        "plan": rng.choice(["basic", "plus", "pro"], size=N, p=[0.5, 0.3, 0.2]),
    }
    return columns, *suggest_baseline(columns)


def _with_config(constraints, **distribution):
    changed = copy.deepcopy(constraints)
    changed["monitoring_config"]["distribution_constraints"].update(distribution)
    return changed


def test_the_baseline_data_itself_has_no_violation(baseline):
    columns, statistics, constraints = baseline
    result = analyze(statistics, constraints, columns)
    assert result.violations == []
    assert result.violations_document == {"violations": []}
    assert result.execution_status == "Completed"


def test_violations_document_has_the_documented_shape(baseline):
    columns, statistics, constraints = baseline
    current = {**columns, "income": columns["income"] + 30_000}
    document = analyze(statistics, constraints, current).violations_document
    assert set(document) == {"violations"}
    for entry in document["violations"]:
        assert set(entry) == {"feature_name", "constraint_check_type", "description"}
        assert entry["constraint_check_type"] in CHECK_TYPES


def test_a_shifted_numeric_feature_is_a_baseline_drift_violation(baseline):
    columns, statistics, constraints = baseline
    result = analyze(statistics, constraints, {**columns, "income": columns["income"] + 10_000})
    assert result.violated_checks == [("income", "baseline_drift_check")]
    assert result.execution_status == "CompletedWithViolations"
    assert result.violations[0]["description"].startswith("Baseline drift distance: 0.")
    assert result.violations[0]["description"].endswith("exceeds threshold: 0.1")


def test_missing_values_below_the_baseline_completeness_are_a_completeness_violation(baseline):
    columns, statistics, constraints = baseline
    income = columns["income"].copy()
    income[: N // 4] = np.nan
    result = analyze(statistics, constraints, {**columns, "income": income})
    assert result.violated_checks == [("income", "completeness_check")]
    assert result.violations[0]["description"] == (
        "Data completeness requirement is not met. Expected completeness: 100.0%. "
        "Observed: Only 75.0% of data is non-null."
    )
    assert result.metrics["feature_non_null_income"] == 0.75


def test_completeness_at_the_baseline_level_passes():
    _, constraints = suggest_baseline({"x": [1.0, None, 2.0, None]})
    statistics, _ = suggest_baseline({"x": [1.0, None, 2.0, None]})
    assert analyze(statistics, constraints, {"x": [2.0, 1.0, None, None]}).violations == []


def test_values_of_the_wrong_type_are_a_data_type_violation(baseline):
    columns, statistics, constraints = baseline
    age = columns["age"].astype(object)
    age[: N // 2] = "unknown"
    result = analyze(statistics, constraints, {**columns, "age": age})
    assert result.violated_checks == [("age", "data_type_check")]
    assert result.violations[0]["description"] == (
        "Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. "
        "Observed: Only 50.0% of data is Integral."
    )


def test_datatype_check_threshold_is_the_share_that_must_match(baseline):
    columns, statistics, constraints = baseline
    lenient = copy.deepcopy(constraints)
    lenient["monitoring_config"]["datatype_check_threshold"] = 0.4
    age = columns["age"].astype(object)
    age[: N // 2] = "unknown"
    assert analyze(statistics, lenient, {**columns, "age": age}).violations == []


def test_fractional_values_in_an_integral_feature_break_the_type(baseline):
    columns, statistics, constraints = baseline
    age = columns["age"] + 0.5
    assert ("age", "data_type_check") in analyze(statistics, constraints, {**columns, "age": age}).violated_checks


def test_integers_are_valid_values_of_a_fractional_feature(baseline):
    columns, statistics, constraints = baseline
    income = np.round(columns["income"])
    assert analyze(statistics, constraints, {**columns, "income": income}).violations == []


def test_values_outside_the_domain_are_a_categorical_values_violation(baseline):
    columns, statistics, constraints = baseline
    plan = columns["plan"].astype(object)
    plan[:100] = "enterprise"
    result = analyze(statistics, constraints, {**columns, "plan": plan})
    assert result.violated_checks == [("plan", "categorical_values_check")]
    description = result.violations[0]["description"]
    assert "Only 97.5% of data is within the baseline domain" in description
    assert "'enterprise'" in description


def test_domain_content_threshold_is_the_share_that_must_be_in_the_domain(baseline):
    columns, statistics, constraints = baseline
    lenient = copy.deepcopy(constraints)
    lenient["monitoring_config"]["domain_content_threshold"] = 0.9
    plan = columns["plan"].astype(object)
    plan[:100] = "enterprise"
    assert analyze(statistics, lenient, {**columns, "plan": plan}).violations == []


def test_a_baseline_feature_absent_from_the_data_is_a_missing_column_violation(baseline):
    columns, statistics, constraints = baseline
    result = analyze(statistics, constraints, {"age": columns["age"], "plan": columns["plan"]})
    assert result.violated_checks == [("income", "missing_column_check")]
    assert "'income'" in result.violations[0]["description"]
    counts = "Number of columns in current dataset: 2, Number of columns in baseline constraints: 3"
    assert counts in result.violations[0]["description"]


def test_a_column_the_baseline_does_not_know_is_an_extra_column_violation(baseline):
    columns, statistics, constraints = baseline
    result = analyze(statistics, constraints, {**columns, "region": ["eu"] * N})
    assert result.violated_checks == [("region", "extra_column_check")]
    assert result.metrics["feature_non_null_region"] == 1.0


def test_categorical_drift_is_the_largest_frequency_difference(baseline):
    columns, statistics, constraints = baseline
    simple = _with_config(constraints, comparison_method="Simple")
    current = {**columns, "plan": np.array(["basic"] * 2800 + ["plus"] * 800 + ["pro"] * 400)}
    current_share = {"basic": 0.7, "plus": 0.2, "pro": 0.1}
    expected = max(abs(share - np.mean(columns["plan"] == value)) for value, share in current_share.items())
    result = analyze(statistics, simple, current)
    assert result.metrics["feature_baseline_drift_plan"] == pytest.approx(expected)
    assert result.violated_checks == [("plan", "baseline_drift_check")]


def test_categorical_drift_counts_unseen_categories_at_their_own_frequency(baseline):
    columns, statistics, constraints = baseline
    simple = _with_config(constraints, comparison_method="Simple")
    plan = columns["plan"].astype(object)
    plan[: N // 2] = "new"  # the other categories keep their proportions, halved
    distance = analyze(statistics, simple, {**columns, "plan": plan}).metrics["feature_baseline_drift_plan"]
    assert distance == pytest.approx(0.5, abs=0.03)


def test_categorical_features_use_the_categorical_comparison_threshold(baseline):
    columns, statistics, constraints = baseline
    strict = _with_config(
        constraints, comparison_method="Simple", comparison_threshold=0.9, categorical_comparison_threshold=0.01
    )
    current = {**columns, "plan": np.array(["basic"] * 2240 + ["plus"] * 1200 + ["pro"] * 560)}
    assert analyze(statistics, strict, current).violated_checks == [("plan", "baseline_drift_check")]


def test_robust_subtracts_the_ks_critical_value_and_floors_at_zero():
    assert robust_distance(0.5, 1000, 1000) == pytest.approx(0.5 - 1.8 * np.sqrt(2000 / 1000**2))
    assert robust_distance(0.1, 100, 100) == 0.0


def test_robust_forgives_a_small_sample_that_simple_flags():
    rng = np.random.default_rng(5)
    statistics, constraints = suggest_baseline({"x": rng.normal(size=200)})
    current = {"x": rng.normal(0.4, 1, size=60)}
    robust = analyze(statistics, _with_config(constraints, comparison_method="Robust"), current)
    simple = analyze(statistics, _with_config(constraints, comparison_method="Simple"), current)
    assert simple.violated_checks == [("x", "baseline_drift_check")]
    assert robust.violations == []
    assert robust.metrics["feature_baseline_drift_x"] == pytest.approx(
        max(0.0, simple.metrics["feature_baseline_drift_x"] - 1.8 * np.sqrt(260 / (200 * 60)))
    )


def test_linf_spellings_of_the_comparison_method_are_accepted(baseline):
    columns, statistics, constraints = baseline
    current = {**columns, "income": columns["income"] + 3_000}
    simple = analyze(statistics, _with_config(constraints, comparison_method="Simple"), current)
    linf_simple = analyze(statistics, _with_config(constraints, comparison_method="linf_simple"), current)
    assert simple.metrics == linf_simple.metrics


def test_metrics_are_named_as_model_monitor_emits_them(baseline):
    columns, statistics, constraints = baseline
    metrics = analyze(statistics, constraints, columns).metrics
    assert set(metrics) == {
        "feature_non_null_age",
        "feature_data_age",
        "feature_baseline_drift_age",
        "feature_non_null_income",
        "feature_data_income",
        "feature_baseline_drift_income",
        "feature_non_null_plan",
        "feature_baseline_drift_plan",
    }


def test_feature_data_metric_is_a_cloudwatch_statistic_set(baseline):
    columns, statistics, constraints = baseline
    data = analyze(statistics, constraints, columns).metrics["feature_data_age"]
    assert data == {
        "SampleCount": float(N),
        "Sum": float(columns["age"].sum()),
        "Minimum": float(columns["age"].min()),
        "Maximum": float(columns["age"].max()),
    }


def test_emit_metrics_disabled_emits_none(baseline):
    columns, statistics, constraints = baseline
    quiet = copy.deepcopy(constraints)
    quiet["monitoring_config"]["emit_metrics"] = "Disabled"
    assert analyze(statistics, quiet, columns).metrics == {}


def test_evaluate_constraints_disabled_reports_no_violation_but_still_measures(baseline):
    columns, statistics, constraints = baseline
    off = copy.deepcopy(constraints)
    off["monitoring_config"]["evaluate_constraints"] = "Disabled"
    result = analyze(statistics, off, {**columns, "income": columns["income"] + 20_000})
    assert result.violations == []
    assert result.metrics["feature_baseline_drift_income"] > 0.5


def test_perform_comparison_disabled_skips_drift(baseline):
    columns, statistics, constraints = baseline
    shifted = {**columns, "income": columns["income"] + 20_000}
    result = analyze(statistics, _with_config(constraints, perform_comparison="Disabled"), shifted)
    assert result.violations == []
    assert "feature_baseline_drift_income" not in result.metrics


def test_feature_overrides_replace_the_global_config_for_that_feature(baseline):
    columns, statistics, constraints = baseline
    overridden = copy.deepcopy(constraints)
    income = next(f for f in overridden["features"] if f["name"] == "income")
    income["monitoringConfigOverrides"] = {"distribution_constraints": {"comparison_threshold": 0.9}}
    shifted = {**columns, "income": columns["income"] + 10_000, "age": columns["age"] + 20}
    assert analyze(statistics, overridden, shifted).violated_checks == [("age", "baseline_drift_check")]


def test_current_statistics_describe_the_analysed_data(baseline):
    columns, statistics, constraints = baseline
    current = analyze(statistics, constraints, {**columns, "income": columns["income"][:N]}).statistics
    assert current["dataset"]["item_count"] == N
    assert [f["inferred_type"] for f in current["features"]] == ["Integral", "Fractional", "String"]


def test_a_documented_constraints_example_is_accepted():
    # The monitoring_config of the "Schema for Constraints" page, with its defaults spelled out.
    constraints = {
        "version": 0,
        "features": [
            {
                "name": "plan",
                "inferred_type": "String",
                "completeness": 1.0,
                "string_constraints": {"domains": ["basic", "pro"]},
                "monitoringConfigOverrides": {},
            }
        ],
        "monitoring_config": {
            "evaluate_constraints": "Enabled",
            "emit_metrics": "Enabled",
            "datatype_check_threshold": 0.1,
            "domain_content_threshold": 0.1,
            "distribution_constraints": {
                "perform_comparison": "Enabled",
                "comparison_threshold": 0.1,
                "comparison_method": "Simple",
                "categorical_comparison_threshold": 0.1,
                "categorical_drift_method": "LInfinity",
            },
        },
    }
    statistics, _ = suggest_baseline({"plan": ["basic", "pro"] * 50})
    result = analyze(statistics, constraints, {"plan": ["basic", "pro", "max", "max"] * 25})
    # 50% outside the domain passes a 10% domain_content_threshold; the frequencies moved by 0.25.
    assert result.violated_checks == [("plan", "baseline_drift_check")]


def test_chi_squared_categorical_drift_is_refused_with_a_clear_message(baseline):
    columns, statistics, constraints = baseline
    with pytest.raises(MonitorInputError, match="ChiSquared is documented but not implemented"):
        analyze(statistics, _with_config(constraints, categorical_drift_method="ChiSquared"), columns)


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("monitoring_config", "emit_metrics"), "yes", r"monitoring_config.emit_metrics: expected Enabled or Disabled"),
        (("monitoring_config", "datatype_check_threshold"), "high", r"datatype_check_threshold: expected a number"),
        (
            ("monitoring_config", "distribution_constraints", "comparison_method"),
            "Fancy",
            r"comparison_method: expected Simple or Robust",
        ),
        (
            ("monitoring_config", "distribution_constraints"),
            ["Robust"],
            r"monitoring_config.distribution_constraints: expected an object, got \['Robust'\]",
        ),
    ],
)
def test_invalid_constraints_fail_naming_the_path(baseline, path, value, message):
    columns, statistics, constraints = baseline
    broken = copy.deepcopy(constraints)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(MonitorInputError, match=message):
        analyze(statistics, broken, columns)
