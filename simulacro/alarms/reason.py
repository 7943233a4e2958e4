"""State reason text and reason data, written the way CloudWatch writes them.

CloudWatch formats, reproduced here (as recorded from AWS, tests/conformance/references):
- a 1-of-1 alarm: ``Threshold Crossed: 1 datapoint [21.5 (26/10/23 16:42:00)] was greater than the
  threshold (2.0).`` (``was not greater`` for OK); AWS's older samples (2019) wrote the M-of-N form
  below for 1-of-1 too, its recordings since 2023 write this one, and we follow the recordings;
- ``Threshold Crossed: 3 out of the last 3 datapoints [5.0 (27/11/26 14:20:00), ...] were greater than
  the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition).`` (datapoints newest first;
  for OK, the good ones, "was not ...", and the minimum is N - M + 1 "for ALARM -> OK transition");
- ``Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were
  treated as [Breaching].`` (``[NonBreaching]`` for notBreaching);
- ``Insufficient Data: 3 datapoints were unknown.`` (it counts the N evaluation periods, not the
  wider evaluation range; ``1 datapoint was unknown.`` for N = 1)
Numbers are written as Java's ``Double.toString`` writes them (``1.0``, ``0.1``, ``1.0E7``).

When the rules keep the current state, CloudWatch writes no new reason; the text returned then
starts with ``Unchanged state:`` and is Simulacro's own, explaining why nothing changed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from .comparison import comparison_words
from .datapoints import Datapoint
from .definition import AlarmDefinition
from .evaluation import BREACHING, FILLED, GOOD, LOW_SAMPLE, NEWEST_REAL, NO_DATA, TOO_FEW_BREACHING, Verdict
from .states import ALARM, INSUFFICIENT_DATA
from .timestamps import cloudwatch_iso, cloudwatch_short


def state_reason(
    definition: AlarmDefinition, verdict: Verdict, window: Sequence[Datapoint], classes: Sequence[str]
) -> str:
    if verdict.rule == NO_DATA:
        return _no_data_reason(verdict, definition.evaluation_periods)
    if verdict.rule == FILLED:
        return _filled_reason(definition, verdict, window)
    if verdict.rule == LOW_SAMPLE:
        return _low_sample_reason(definition, verdict, window)
    if verdict.rule == TOO_FEW_BREACHING:
        return _too_few_breaching_reason(definition, verdict, window)
    return _threshold_crossed_reason(definition, verdict, window, classes)


def state_reason_data(
    definition: AlarmDefinition, verdict: Verdict, window: Sequence[Datapoint], now: float
) -> dict[str, Any]:
    """As CloudWatch's StateReasonData (a dict here; CloudWatch serialises it as a JSON string)."""
    listed = verdict.judged if verdict.rule == NEWEST_REAL else tuple(range(len(window)))
    data: dict[str, Any] = {"version": "1.0", "queryDate": cloudwatch_iso(now)}
    if verdict.judged:  # AWS writes a startDate only when datapoints were received
        data["startDate"] = cloudwatch_iso(window[listed[0]].timestamp.timestamp())
    if definition.statistic is not None:
        key = "extendedStatistic" if definition.statistic.is_percentile else "statistic"
        data[key] = definition.statistic.name
    if definition.unit:
        data["unit"] = definition.unit
    data["period"] = definition.period
    data["recentDatapoints"] = [window[position].value for position in verdict.judged]
    data["threshold"] = definition.threshold
    data["evaluatedDatapoints"] = [_evaluated_datapoint(window[position]) for position in reversed(listed)]
    return data


def java_number(value: float) -> str:
    """A float as Java's Double.toString writes it: positional in [1e-3, 1e7), else ``d.dddE<n>``."""
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(float(value))
    sign, digits, exponent = Decimal(repr(float(value))).as_tuple()
    if not isinstance(exponent, int):  # "n", "N" or "F": NaN or an infinity, as Java writes them
        return "NaN" if exponent in ("n", "N") else f"{'-' if sign else ''}Infinity"
    mantissa_digits = "".join(map(str, digits)).rstrip("0") or "0"
    scientific_exponent = exponent + len(digits) - 1
    mantissa = mantissa_digits[0] + "." + (mantissa_digits[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{scientific_exponent}"


def _evaluated_datapoint(datapoint: Datapoint) -> dict[str, Any]:
    entry: dict[str, Any] = {"timestamp": cloudwatch_iso(datapoint.timestamp.timestamp())}
    if not datapoint.is_missing:
        if datapoint.sample_count is not None:
            entry["sampleCount"] = float(datapoint.sample_count)
        entry["value"] = datapoint.value
    return entry


def _threshold_crossed_reason(
    definition: AlarmDefinition, verdict: Verdict, window: Sequence[Datapoint], classes: Sequence[str]
) -> str:
    alarming = verdict.state == ALARM
    wanted = BREACHING if alarming else GOOD
    counted = [position for position in verdict.judged if classes[position] == wanted]
    n, m = definition.evaluation_periods, definition.datapoints_to_alarm
    if n == 1 and m == 1 and len(counted) == 1:
        return (
            f"Threshold Crossed: 1 datapoint [{_listing(window, counted)}] was "
            f"{'' if alarming else 'not '}{_threshold_words(definition)}."
        )
    minimum = m if alarming else n - m + 1
    transition = "OK -> ALARM" if alarming else "ALARM -> OK"
    return (
        f"Threshold Crossed: {len(counted)} out of the last {len(verdict.judged)} datapoints "
        f"[{_listing(window, counted)}] {_was(len(counted))} {'' if alarming else 'not '}"
        f"{_threshold_words(definition)} (minimum {_count(minimum, 'datapoint')} for {transition} transition)."
    )


def _filled_reason(definition: AlarmDefinition, verdict: Verdict, window: Sequence[Datapoint]) -> str:
    received = len(verdict.judged)
    treated_as = "Breaching" if definition.treat_missing_data == "breaching" else "NonBreaching"
    if received:
        what = f"{_count(received, 'datapoint')} [{_listing(window, verdict.judged)}] {_was(received)}"
    else:
        what = "no datapoints were"
    return (
        f"Threshold Crossed: {what} received for {_count(definition.evaluation_periods, 'period')} and "
        f"{_count(verdict.filled, 'missing datapoint')} {_was(verdict.filled)} treated as [{treated_as}]."
    )


def _no_data_reason(verdict: Verdict, range_length: int) -> str:
    if verdict.state == INSUFFICIENT_DATA:
        return f"Insufficient Data: {_count(range_length, 'datapoint')} {_was(range_length)} unknown."
    return (
        f"Unchanged state: no datapoints were received for {range_length} periods "
        "and missing data is treated as [Ignore]."
    )


def _too_few_breaching_reason(definition: AlarmDefinition, verdict: Verdict, window: Sequence[Datapoint]) -> str:
    received = len(verdict.judged)
    m = definition.datapoints_to_alarm
    found = (
        f"Unchanged state: {_count(received, 'datapoint')} [{_listing(window, verdict.judged)}] "
        f"{_was(received)} {_threshold_words(definition)}, fewer than the {m} needed to alarm, "
        f"and the other periods of the last {len(window)} had no data"
    )
    if definition.treat_missing_data == "ignore":
        return f"{found}; missing data is treated as [Ignore]."
    return (
        f"{found}; with missing data treated as [Missing], CloudWatch alarms on fewer than {m} only once a "
        f"breaching datapoint within the last {_count(definition.evaluation_periods, 'period')} is at least "
        f"{_count(m, 'period')} old (premature-alarm rule)."
    )


def _low_sample_reason(definition: AlarmDefinition, verdict: Verdict, window: Sequence[Datapoint]) -> str:
    minimum = definition.low_sample_minimum
    assert minimum is not None, "only an alarm that skips low-sample periods gets a low-sample verdict"
    thin = [
        position
        for position in verdict.judged
        if (count := window[position].sample_count) is not None and count < minimum
    ]
    return (
        f"Unchanged state: {_count(len(thin), 'evaluated datapoint')} [{_listing(window, thin)}] "
        f"{'has' if len(thin) == 1 else 'have'} fewer than {minimum} samples, too few for "
        f"{definition.single_statistic.name}, and EvaluateLowSampleCountPercentile is [ignore]."
    )


def _threshold_words(definition: AlarmDefinition) -> str:
    words = comparison_words(definition.comparison_operator)
    return f"{words} the threshold ({java_number(definition.threshold)})"


def _listing(window: Sequence[Datapoint], positions: Sequence[int]) -> str:
    newest_first = sorted(positions, reverse=True)
    return ", ".join(
        f"{_value_text(window[p])} ({cloudwatch_short(window[p].timestamp.timestamp())})" for p in newest_first
    )


def _value_text(datapoint: Datapoint) -> str:
    assert datapoint.value is not None, "only received datapoints are listed"
    return java_number(datapoint.value)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _was(number: int) -> str:
    return "was" if number == 1 else "were"
