"""Benchmark: backtest 1,000 alarms over 14 days of 1-minute data, against a plain evaluate_alarm loop.

Run: .venv/bin/python benchmarks/bench_alarms.py

The alarms mix statistics (incl. percentiles), periods, thresholds, M of N and TreatMissingData;
the data has random gaps and outages. The plain loop (one evaluate_alarm call per period end,
carrying the state) is run on a subset and its rate extrapolated to the whole set, as said in the
output. Not a timed test: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from simulacro.alarms import INSUFFICIENT_DATA, backtest, evaluate_alarm, parse_alarm  # noqa: E402

ALARMS = 1_000
DAYS = 14
LOOP_ALARMS = 10
LOOP_DAYS = 1
START = 1_800_000_000 - 1_800_000_000 % 3600
MINUTES = DAYS * 24 * 60
STATISTICS = ["Average", "Sum", "Maximum", "Minimum", "SampleCount", "p90", "p99"]
TREATMENTS = ["missing", "notBreaching", "breaching", "ignore"]
OPERATORS = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"]


def make_alarm(rng: np.random.Generator, index: int) -> dict:
    statistic = STATISTICS[index % len(STATISTICS)]
    n = int(rng.choice([1, 2, 3, 5, 10]))
    operator = OPERATORS[int(rng.integers(len(OPERATORS)))]
    threshold = float(rng.uniform(2, 4)) if statistic == "SampleCount" else float(rng.uniform(40, 70))
    alarm = {
        "AlarmName": f"bench-{index}",
        "Period": int(rng.choice([60, 60, 60, 300])),
        "EvaluationPeriods": n,
        "DatapointsToAlarm": int(rng.integers(1, n + 1)),
        "Threshold": threshold,
        "ComparisonOperator": operator,
        "TreatMissingData": TREATMENTS[index % len(TREATMENTS)],
    }
    if statistic.startswith("p"):
        alarm.update(
            ExtendedStatistic=statistic, EvaluateLowSampleCountPercentile=str(rng.choice(["evaluate", "ignore"]))
        )
    else:
        alarm["Statistic"] = statistic
    return alarm


def make_samples(rng: np.random.Generator, per_minute: int) -> tuple[np.ndarray, np.ndarray]:
    """A random walk sampled ``per_minute`` times a minute, with random gaps and a few outages."""
    level = np.clip(50 + np.cumsum(rng.normal(0, 2, MINUTES)), 0, 100)
    present = rng.random(MINUTES) > 0.05
    for outage_start in rng.integers(0, MINUTES, 4):
        present[outage_start : outage_start + int(rng.integers(5, 90))] = False
    minutes = np.repeat(np.flatnonzero(present), per_minute)
    times = START + 60.0 * minutes + rng.uniform(0, 60, len(minutes))
    values = np.repeat(level[present], per_minute) + rng.normal(0, 5, len(minutes))
    order = np.argsort(times, kind="stable")
    return times[order], values[order]


def plain_loop(alarm: dict, samples, end: float) -> tuple[list[str], int]:
    definition = parse_alarm(alarm)
    state, states = INSUFFICIENT_DATA, []
    now = START + definition.period
    while now <= end:
        state = evaluate_alarm(definition, samples, now=now, previous_state=state).state
        states.append(state)
        now += definition.period
    return states, len(states)


def main() -> None:
    rng = np.random.default_rng(2026)
    started = time.perf_counter()
    alarms = [make_alarm(rng, index) for index in range(ALARMS)]
    samples = [make_samples(rng, 5 if "ExtendedStatistic" in alarm else 1) for alarm in alarms]
    generated = time.perf_counter() - started
    sample_count = sum(len(times) for times, _ in samples)
    end = START + DAYS * 86400

    started = time.perf_counter()
    results = [backtest(alarm, data, start=START, end=end) for alarm, data in zip(alarms, samples)]
    backtest_seconds = time.perf_counter() - started
    evaluations = sum(result.evaluations for result in results)
    backtest_rate = evaluations / backtest_seconds

    loop_end = START + LOOP_DAYS * 86400
    started = time.perf_counter()
    loop_runs = [plain_loop(alarm, data, loop_end) for alarm, data in zip(alarms[:LOOP_ALARMS], samples[:LOOP_ALARMS])]
    loop_seconds = time.perf_counter() - started
    loop_evaluations = sum(count for _, count in loop_runs)
    loop_rate = loop_evaluations / loop_seconds
    same = all(
        states == backtest(alarm, data, start=START + alarm["Period"], end=loop_end).states
        for (states, _), alarm, data in zip(loop_runs, alarms, samples)
    )

    print(
        f"alarms: {ALARMS}, data: {DAYS} days of 1-minute samples ({sample_count:,} samples, generated in {generated:.1f} s)"
    )
    print(f"mix: statistics {', '.join(STATISTICS)}; periods 60/300 s; N in 1,2,3,5,10; M <= N; all TreatMissingData")
    print(f"backtest: {evaluations:,} alarm-periods in {backtest_seconds:.2f} s = {backtest_rate:,.0f} alarm-periods/s")
    print(
        f"plain evaluate_alarm loop: {loop_evaluations:,} alarm-periods ({LOOP_ALARMS} alarms x {LOOP_DAYS} day) "
        f"in {loop_seconds:.2f} s = {loop_rate:,.0f} alarm-periods/s"
    )
    print(
        f"plain loop extrapolated to all {ALARMS} alarms x {DAYS} days: {evaluations / loop_rate:,.0f} s "
        f"(measured on the subset above, not run)"
    )
    print(f"ratio backtest / plain loop: {backtest_rate / loop_rate:,.0f}x")
    print(f"states identical on the subset: {'yes' if same else 'NO'}")
    alarm_entries = sum(result.alarm_entries for result in results)
    mean_fraction = np.mean([result.fraction_in_alarm for result in results])
    print(f"over the set: {alarm_entries:,} ALARM entries, mean fraction of time in ALARM {mean_fraction:.1%}")


if __name__ == "__main__":
    main()
