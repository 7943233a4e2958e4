"""Model Monitor data-quality baseline + analysis (simulacro.monitor) side by side with Evidently.

Both sides get the same generated data, a reference (baseline) and a current table of ``--rows`` rows
and 20 features (12 numeric, 8 categorical), some of them drifted on purpose. Each run happens in a
fresh process, so peak memory is that run's own: the increase of the process's peak RSS (VmHWM,
reset through /proc/self/clear_refs just before the run) over its RSS when the data was ready.

- simulacro: ``suggest_baseline(reference)`` then ``analyze(statistics, constraints, current)`` with the
  suggested constraints (Robust L-infinity distance, threshold 0.1); a feature drifted iff it has a
  ``baseline_drift_check`` violation.
- Evidently, default ``DataDriftPreset()``: for more than 1000 rows it picks the normed Wasserstein
  distance for numeric and Jensen-Shannon distance for categorical columns, threshold 0.1. These are
  other distances than Model Monitor's, so some verdicts differ by design.
- Evidently, comparable: ``DataDriftPreset`` with custom methods computing Model Monitor's distances
  (scipy's two-sample KS statistic for numeric, L-infinity over category frequencies for categorical)
  and a 0.1 threshold: the same question answered by Evidently's machinery.

Run (not a timed test; Evidently lives in its own venv, never in .venv):

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r benchmarks/requirements-monitor.txt
    .venv-bench/bin/python benchmarks/bench_monitor.py            # 1,000,000 rows
    .venv-bench/bin/python benchmarks/bench_monitor.py --rows 100000

Measured on the project machine (2 cores), 1,000,000 rows, evidently 0.7.23: simulacro 2.0-2.9 s and
+170 MiB; Evidently default 110-117 s (41-55x) and +1.3 GiB, 19/20 verdicts alike (it flags the 0.15
standard-deviation shift: normed Wasserstein 0.149 against KS 0.06); Evidently with Model Monitor's
distances 63 s (22-31x), 20/20 verdicts alike.
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

THRESHOLD = 0.1
SEED = 20240601


# ---------------------------------------------------------------- data


def make_data(rows: int, seed: int = SEED) -> tuple[dict, dict, dict[str, str]]:
    """Reference and current columns (name -> numpy array) and each feature's kind."""
    rng = np.random.default_rng(seed)
    reference: dict[str, np.ndarray] = {}
    current: dict[str, np.ndarray] = {}
    kinds: dict[str, str] = {}
    for name, draw in _numeric_features().items():
        reference[name], current[name] = draw(rng, rows)
        kinds[name] = "numeric"
    for name, (labels, reference_p, current_p) in _categorical_features().items():
        reference[name] = rng.choice(labels, size=rows, p=reference_p)
        current[name] = rng.choice(labels, size=rows, p=current_p)
        kinds[name] = "categorical"
    return reference, current, kinds


def _numeric_features() -> dict:
    def same(sample):
        return lambda rng, n: (sample(rng, n), sample(rng, n))

    def with_nulls(rng, n):
        reference, current = rng.normal(5, 2, n), rng.normal(5, 2, n)
        reference[rng.random(n) < 0.1] = np.nan
        current[rng.random(n) < 0.1] = np.nan
        return reference, current

    return {
        "n00_shift_half_sd": lambda rng, n: (rng.normal(0, 1, n), rng.normal(0.5, 1, n)),
        "n01_scaled_lognormal": lambda rng, n: (rng.lognormal(0, 0.5, n), 1.3 * rng.lognormal(0, 0.5, n)),
        "n02_uniform": same(lambda rng, n: rng.uniform(0, 1, n)),
        "n03_poisson_4_to_5": lambda rng, n: (rng.poisson(4, n), rng.poisson(5, n)),
        "n04_exponential": same(lambda rng, n: rng.exponential(1, n)),
        "n05_shift_0.15_sd": lambda rng, n: (rng.normal(100, 15, n), rng.normal(102.25, 15, n)),
        "n06_gamma": same(lambda rng, n: rng.gamma(2, 2, n)),
        "n07_sd_doubled": lambda rng, n: (rng.normal(0, 1, n), rng.normal(0, 2, n)),
        "n08_beta": same(lambda rng, n: rng.beta(2, 5, n)),
        "n09_integers": same(lambda rng, n: rng.integers(0, 100, n)),
        "n10_with_nulls": with_nulls,
        "n11_laplace": same(lambda rng, n: rng.laplace(0, 1, n)),
    }


def _categorical_features() -> dict:
    def labels(prefix, count):
        return np.array([f"{prefix}_{i}" for i in range(count)])

    def uniform(count):
        return np.full(count, 1 / count)

    zipf = 1 / np.arange(1, 21)
    zipf /= zipf.sum()
    return {
        "c00_reweighted": (labels("c00", 5), [0.4, 0.3, 0.15, 0.1, 0.05], [0.2, 0.3, 0.15, 0.15, 0.2]),
        "c01_new_category_15pct": (labels("c01", 11), [*uniform(10), 0.0], [*(uniform(10) * 0.85), 0.15]),
        "c02_three": (labels("c02", 3), [0.5, 0.3, 0.2], [0.5, 0.3, 0.2]),
        "c03_zipf_20": (labels("c03", 20), zipf, zipf),
        "c04_mild_change": (labels("c04", 4), [0.25, 0.25, 0.25, 0.25], [0.3, 0.25, 0.25, 0.2]),
        "c05_yes_no": (np.array(["yes", "no"]), [0.7, 0.3], [0.7, 0.3]),
        "c06_eight": (labels("c06", 8), uniform(8), uniform(8)),
        "c07_swapped": (labels("c07", 6), [0.5, 0.2, 0.1, 0.1, 0.05, 0.05], [0.05, 0.2, 0.1, 0.1, 0.05, 0.5]),
    }


# ---------------------------------------------------------------- the systems


def run_simulacro(reference: dict, current: dict, kinds: dict) -> dict[str, tuple[float, bool]]:
    from simulacro.monitor import analyze, suggest_baseline

    statistics, constraints = suggest_baseline(reference)
    result = analyze(statistics, constraints, current)
    drifted = {feature for feature, check in result.violated_checks if check == "baseline_drift_check"}
    return {name: (result.metrics[f"feature_baseline_drift_{name}"], name in drifted) for name in kinds}


def _frames(reference: dict, current: dict, kinds: dict):
    import pandas as pd

    return pd.DataFrame(reference), pd.DataFrame(current)


def run_evidently_default(reference_frame, current_frame, kinds: dict) -> dict[str, tuple[float, bool]]:
    from evidently.presets import DataDriftPreset

    # Evidently flags a distance method's column when score >= threshold.
    return _run_evidently(DataDriftPreset(), reference_frame, current_frame, kinds, lambda score: score >= THRESHOLD)


def ks_statistic(reference, current, feature_type, threshold):
    from scipy.stats import ks_2samp

    score = float(ks_2samp(reference.to_numpy(), current.to_numpy()).statistic)
    return score, score > threshold


def linf_frequencies(reference, current, feature_type, threshold):
    reference_share = reference.value_counts(normalize=True)
    current_share = current.value_counts(normalize=True)
    score = float(reference_share.sub(current_share, fill_value=0.0).abs().max())
    return score, score > threshold


def run_evidently_comparable(reference_frame, current_frame, kinds: dict) -> dict[str, tuple[float, bool]]:
    from evidently.presets import DataDriftPreset

    _register_model_monitor_distances()
    preset = DataDriftPreset(num_method="mm_ks_statistic", cat_method="mm_linf", threshold=THRESHOLD)
    return _run_evidently(preset, reference_frame, current_frame, kinds, lambda score: score > THRESHOLD)


def _register_model_monitor_distances() -> None:
    # Evidently 0.7's presets take a method by registered name only (a callable fails validation).
    from evidently.legacy.calculations.stattests.registry import StatTest, register_stattest
    from evidently.legacy.core import ColumnType

    for name, column_type, func in (
        ("mm_ks_statistic", ColumnType.Numerical, ks_statistic),
        ("mm_linf", ColumnType.Categorical, linf_frequencies),
    ):
        register_stattest(StatTest(name, name, [column_type], THRESHOLD), default_impl=func)


def _run_evidently(preset, reference_frame, current_frame, kinds, drifted) -> dict[str, tuple[float, bool]]:
    from evidently import DataDefinition, Dataset, Report

    definition = DataDefinition(
        numerical_columns=[n for n, k in kinds.items() if k == "numeric"],
        categorical_columns=[n for n, k in kinds.items() if k == "categorical"],
    )
    snapshot = Report([preset]).run(
        Dataset.from_pandas(current_frame, data_definition=definition),
        Dataset.from_pandas(reference_frame, data_definition=definition),
    )
    scores = {}
    for metric in snapshot.dict()["metrics"]:
        column = metric.get("config", {}).get("column")
        if column in kinds:
            scores[column] = float(metric["value"])
    return {name: (scores[name], drifted(scores[name])) for name in kinds}


SYSTEMS = {
    "simulacro": run_simulacro,
    "evidently (default)": run_evidently_default,
    "evidently (KS / L-inf, 0.1)": run_evidently_comparable,
}


# ---------------------------------------------------------------- measuring


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
    except OSError:
        pass


def measure(system: str, rows: int, results) -> None:
    """Child process: make the data, run one system once, report time, peak memory and verdicts."""
    reference, current, kinds = make_data(rows)
    inputs = (reference, current, kinds)
    if system != "simulacro":
        inputs = (*_frames(reference, current, kinds), kinds)
        del reference, current
    rss_before = _status_kib("VmRSS")
    _reset_peak_rss()
    start = time.perf_counter()
    verdicts = SYSTEMS[system](*inputs)
    seconds = time.perf_counter() - start
    peak_mib = (_status_kib("VmHWM") - rss_before) / 1024
    results.put((system, seconds, peak_mib, verdicts))


def run_all(rows: int) -> dict:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    measured = {}
    for system in SYSTEMS:
        process = context.Process(target=measure, args=(system, rows, results))
        process.start()
        name, seconds, peak_mib, verdicts = _result_of(process, results)
        process.join()
        measured[name] = (seconds, peak_mib, verdicts)
        print(f"  {name:<28} {seconds:8.2f} s   peak +{peak_mib:8.1f} MiB", flush=True)
    return measured


def _result_of(process, results):
    while True:
        try:
            return results.get(timeout=1.0)
        except queue.Empty:
            if not process.is_alive():
                died = f"{process.name} died (exit code {process.exitcode}); its traceback is above"
                raise SystemExit(died) from None


def report(measured: dict, rows: int) -> None:
    simulacro_seconds, simulacro_peak, simulacro_verdicts = measured["simulacro"]
    features = list(simulacro_verdicts)
    print(f"\n{rows:,} rows x {len(features)} features, baseline + analysis of each table\n")
    print(f"{'system':<28} {'time':>9} {'ratio':>8} {'peak MiB':>9} {'drifted':>8} {'agree':>7}")
    for name, (seconds, peak, verdicts) in measured.items():
        agree = sum(verdicts[f][1] == simulacro_verdicts[f][1] for f in features)
        drifted = sum(v[1] for v in verdicts.values())
        ratio = seconds / simulacro_seconds
        print(f"{name:<28} {seconds:8.2f}s {ratio:7.1f}x {peak:9.1f} {drifted:8d} {agree:4d}/{len(features)}")
    print("\nper feature: score (drifted?); simulacro's score is the Robust distance it compares with 0.1")
    names = list(measured)
    print(f"{'feature':<24}" + "".join(f"{n:>30}" for n in names))
    for feature in features:
        cells = "".join(_cell(*measured[n][2][feature]) for n in names)
        print(f"{feature:<24}{cells}")


def _cell(score: float, drifted: bool) -> str:
    return f"{score:>26.4f} ({'Y' if drifted else 'n'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"measuring {args.rows:,} rows x 20 features, one fresh process per system")
    report(run_all(args.rows), args.rows)


if __name__ == "__main__":
    main()
