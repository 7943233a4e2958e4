"""Evaluating only what changed gives the states evaluating everything every minute gives.

`AlarmEvaluator` skips an alarm whose definition, state, evaluation range and samples did not
change; the few-samples path computes datapoints in plain Python. Both must be invisible: the same
states, the same reason text, the same reason data as a full `evaluate_alarm` each minute.
"""

from __future__ import annotations

import bisect
import random

import numpy as np
import pytest

from simulacro.alarms import ALARM, INSUFFICIENT_DATA, OK, evaluate_alarm
from simulacro.alarms.few_samples import PLAIN_PYTHON_LIMIT
from simulacro.alarms.incremental import AlarmEvaluator
from simulacro.alarms.samples import SampleColumns

START = 1_800_000_000 - 1_800_000_000 % 3600
STATISTICS = ["Average", "Sum", "Minimum", "Maximum", "SampleCount", "p90", "p99", "p50"]
TREATMENTS = ["missing", "notBreaching", "breaching", "ignore"]
OPERATORS = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"]


class Samples:
    """An insert-only sample list per metric, as the emulator's store keeps them."""

    def __init__(self, metric_ids=(None,)):
        self.series = {metric_id: ([], []) for metric_id in metric_ids}
        self.reads = 0

    def add(self, at, value, metric_id=None):
        times, values = self.series[metric_id]
        index = bisect.bisect_right(times, at)
        times.insert(index, float(at))
        values.insert(index, float(value))

    def _window(self, metric_id, start, end):
        times, values = self.series[metric_id]
        lo, hi = bisect.bisect_left(times, start), bisect.bisect_left(times, end)
        return SampleColumns(times[lo:hi], values[lo:hi])

    def fingerprint(self, definition, start, end):
        return tuple(len(self._window(metric_id, start, end).times) for metric_id in self.series)

    def samples(self, definition, start, end):
        self.reads += 1
        if definition.is_metric_math:
            return {metric_id: self._window(metric_id, start, end) for metric_id in self.series}
        return self._window(None, start, end)

    def everything(self):
        """All samples, as arrays: what a full evaluation is given."""
        arrays = {metric_id: (np.array(times), np.array(values)) for metric_id, (times, values) in self.series.items()}
        return arrays if list(arrays) != [None] else arrays[None]


def alarm(**overrides):
    base = {
        "AlarmName": "errors",
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "Statistic": "Sum",
        "TreatMissingData": "missing",
    }
    base.update(overrides)
    return base


def test_an_alarm_whose_inputs_did_not_change_is_not_evaluated_again():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm()
    samples.add(START - 90, 1)
    first = evaluator.evaluate("a", definition, samples, now=START, state=INSUFFICIENT_DATA)
    assert first is not None and first.state == OK
    assert evaluator.evaluate("a", definition, samples, now=START + 30, state=OK) is None
    assert evaluator.evaluations == 1 and samples.reads == 1


def test_an_evaluation_that_keeps_the_state_returns_nothing_to_do():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm()
    for minute in range(6):
        samples.add(START + 60 * minute - 30, 1)
    assert evaluator.evaluate("a", definition, samples, now=START, state=INSUFFICIENT_DATA).state == OK
    assert all(evaluator.evaluate("a", definition, samples, now=START + 60 * m, state=OK) is None for m in range(1, 6))
    assert evaluator.evaluations == 6  # each minute's new period was read and judged, with no transition


def test_a_changed_datapoint_in_the_range_is_evaluated_even_late():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm(EvaluationPeriods=1)
    samples.add(START - 30, 1)
    assert evaluator.evaluate("a", definition, samples, now=START, state=INSUFFICIENT_DATA).state == OK
    samples.add(START - 20, 9)  # a late sample into the period already judged: 10 > 5
    result = evaluator.evaluate("a", definition, samples, now=START + 10, state=OK)
    assert result is not None and result.state == ALARM


def test_a_sample_in_the_period_still_open_does_not_cause_an_evaluation():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm(EvaluationPeriods=1)
    samples.add(START - 30, 1)
    evaluator.evaluate("a", definition, samples, now=START, state=INSUFFICIENT_DATA)
    samples.add(START + 5, 100)  # judged only once its period is complete
    assert evaluator.evaluate("a", definition, samples, now=START + 30, state=OK) is None
    assert evaluator.evaluations == 1
    assert evaluator.evaluate("a", definition, samples, now=START + 60, state=OK).state == ALARM


def test_a_five_minute_alarm_checked_every_minute_is_evaluated_once_per_period():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm(Period=300)
    state = INSUFFICIENT_DATA
    for minute in range(30):
        samples.add(START + 60 * minute + 1, 1)
        result = evaluator.evaluate("a", definition, samples, now=START + 60 * minute, state=state)
        state = result.state if result else state
    assert evaluator.evaluations == 6


def test_an_idle_alarm_is_not_evaluated_again_while_it_stays_idle():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm()
    first = evaluator.evaluate("a", definition, samples, now=START, state=OK)
    assert first.state == INSUFFICIENT_DATA
    assert all(
        evaluator.evaluate("a", definition, samples, now=START + 60 * minute, state=INSUFFICIENT_DATA) is None
        for minute in range(1, 60)
    )


def test_a_state_set_by_hand_is_corrected_at_the_next_evaluation():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm()
    for minute in range(3):
        samples.add(START - 60 * minute - 1, 1)
    assert evaluator.evaluate("a", definition, samples, now=START, state=INSUFFICIENT_DATA).state == OK
    result = evaluator.evaluate("a", definition, samples, now=START, state=ALARM)  # SetAlarmState ALARM
    assert result is not None and result.state == OK


def test_a_new_definition_is_parsed_and_evaluated():
    evaluator, samples = AlarmEvaluator(), Samples()
    samples.add(START - 1, 7)
    assert evaluator.evaluate("a", alarm(EvaluationPeriods=1), samples, now=START, state=OK).state == ALARM
    lowered = evaluator.evaluate("a", alarm(EvaluationPeriods=1, Threshold=8.0), samples, now=START, state=ALARM)
    assert lowered is not None and lowered.state == OK
    assert evaluator.definition("a", lowered.definition).threshold == 8.0


def test_a_transition_still_writes_cloudwatchs_reason():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm()
    for minute, value in enumerate((6, 7, 8)):
        samples.add(START - 180 + 60 * minute + 1, value)
    result = evaluator.evaluate("a", definition, samples, now=START, state=OK)
    assert result.state == ALARM
    assert result.reason.startswith("Threshold Crossed: 3 out of the last 3 datapoints [8.0 (")
    assert result.reason.endswith(
        "were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    full = evaluate_alarm(definition, samples.everything(), now=START, previous_state=OK)
    assert (result.reason, result.reason_data) == (full.reason, full.reason_data)


def test_forgetting_the_samples_seen_evaluates_again():
    evaluator, samples, definition = AlarmEvaluator(), Samples(), alarm()
    samples.add(START - 1, 1)
    evaluator.evaluate("a", definition, samples, now=START, state=OK)
    evaluator.forget_samples_seen()
    evaluator.evaluate("a", definition, samples, now=START, state=OK)
    assert evaluator.evaluations == 2
    evaluator.keep_only([])
    assert len(evaluator) == 0


def random_alarm(rng: random.Random, index: int) -> dict:
    statistic = STATISTICS[index % len(STATISTICS)]
    n = rng.choice([1, 2, 3, 5])
    definition = alarm(
        AlarmName=f"a{index}",
        Period=rng.choice([60, 60, 120, 300]),
        EvaluationPeriods=n,
        DatapointsToAlarm=rng.randint(1, n),
        ComparisonOperator=rng.choice(OPERATORS),
        TreatMissingData=TREATMENTS[index % len(TREATMENTS)],
        Threshold=rng.choice([1.0, 2.0, 3.0]) if statistic == "SampleCount" else rng.uniform(40, 60),
    )
    del definition["Statistic"]
    if statistic.startswith("p"):
        definition.update(
            ExtendedStatistic=statistic, EvaluateLowSampleCountPercentile=rng.choice(["evaluate", "ignore"])
        )
    else:
        definition["Statistic"] = statistic
    return definition


@pytest.mark.parametrize("seed", range(4))
def test_evaluating_only_what_changed_gives_the_states_of_evaluating_everything_every_minute(seed):
    rng = random.Random(seed)
    alarms = [random_alarm(rng, index) for index in range(8)]
    math_alarm = {
        **alarm(AlarmName="ratio", TreatMissingData=rng.choice(TREATMENTS), Threshold=0.5),
        "Metrics": [
            {
                "Id": "e",
                "MetricStat": {"Metric": {"Namespace": "N", "MetricName": "E"}, "Period": 60, "Stat": "Sum"},
                "ReturnData": False,
            },
            {
                "Id": "n",
                "MetricStat": {"Metric": {"Namespace": "N", "MetricName": "I"}, "Period": 60, "Stat": "Sum"},
                "ReturnData": False,
            },
            {"Id": "r", "Expression": "FILL(e, 0) / n"},
        ],
    }
    del math_alarm["Statistic"], math_alarm["Period"]
    evaluator = AlarmEvaluator()
    stores = [Samples() for _ in alarms] + [Samples(("e", "n"))]
    fast_states = [INSUFFICIENT_DATA] * len(stores)
    full_states = list(fast_states)
    for minute in range(120):
        now = START + 60 * minute
        quiet = 40 <= minute < 70  # a long gap: idle ranges, missing-data rules
        for store in stores:
            for metric_id in store.series:
                for _ in range(0 if quiet else rng.choice([0, 1, 1, 3, 12])):
                    late = rng.random() < 0.05
                    at = now - (rng.uniform(60, 300) if late else rng.uniform(0, 60))
                    store.add(at, rng.choice([0, 1]) if metric_id == "e" else rng.uniform(30, 70), metric_id)
        for index, (definition, store) in enumerate(zip([*alarms, math_alarm], stores)):
            result = evaluator.evaluate(index, definition, store, now=now, state=fast_states[index])
            if result is not None:
                fast_states[index] = result.state
            full = evaluate_alarm(definition, store.everything(), now=now, previous_state=full_states[index])
            full_states[index] = full.state
            assert fast_states[index] == full_states[index], (minute, definition)
            if result is not None:
                assert (result.rule, result.reason, result.reason_data) == (full.rule, full.reason, full.reason_data)
    assert evaluator.evaluations < 120 * len(stores)


@pytest.mark.parametrize("statistic", STATISTICS)
def test_few_samples_in_plain_python_give_the_numpy_paths_values_bit_for_bit(statistic):
    rng = np.random.default_rng(len(statistic))
    definition = alarm(EvaluationPeriods=4, Threshold=50.0, Statistic=None)
    definition.pop("Statistic")
    definition["ExtendedStatistic" if statistic.startswith("p") else "Statistic"] = statistic
    for _ in range(40):
        count = int(rng.integers(0, PLAIN_PYTHON_LIMIT))
        times = np.sort(START - rng.uniform(0, 420, count))
        values = rng.normal(50, 20, count) * 10.0 ** rng.integers(-3, 4)
        plain = evaluate_alarm(definition, SampleColumns(times.tolist(), values.tolist()), now=START)
        arrays = evaluate_alarm(definition, np.column_stack([times, values]), now=START)  # the numpy path
        assert [p.value for p in plain.datapoints] == [p.value for p in arrays.datapoints]
        assert [p.sample_count for p in plain.datapoints] == [p.sample_count for p in arrays.datapoints]
        assert (plain.state, plain.reason, plain.reason_data) == (arrays.state, arrays.reason, arrays.reason_data)


def test_sample_columns_with_a_bad_value_are_refused_as_other_samples_are():
    from simulacro.alarms import SamplesError

    with pytest.raises(SamplesError, match="finite"):
        evaluate_alarm(alarm(), SampleColumns([START - 1.0], [float("nan")]), now=START)
    with pytest.raises(SamplesError, match="1 timestamps but 2 values"):
        evaluate_alarm(alarm(), SampleColumns([START - 1.0], [1.0, 2.0]), now=START)


def test_a_long_series_stays_on_the_numpy_path():
    from simulacro.alarms.few_samples import few_sample_columns

    times = np.arange(PLAIN_PYTHON_LIMIT + 1, dtype=float)
    assert few_sample_columns((times, times)) is None
    assert few_sample_columns(SampleColumns(times.tolist(), times.tolist())) is None
    assert few_sample_columns((times[:3], times[:3])) == ([0.0, 1.0, 2.0], [0.0, 1.0, 2.0])
