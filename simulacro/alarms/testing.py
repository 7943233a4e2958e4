"""Unit tests for alarms, as data: a series in a compact notation, the states expected after each period.

In the spirit of ``promtool test rules``::

    from simulacro.alarms.testing import check_alarm

    check_alarm(alarm, "0 0 5 5 5", expect="OK OK OK OK ALARM")
    check_alarm(math_alarm, {"errors": "0x3 5x3", "invocations": "100x6"}, expect=[...])

Series notation (one token per period, separated by spaces):

=============  ==========================================================
``5``          one sample of value 5 in the period
``_``          no sample: the period has no datapoint
``[1,2,3]``    several samples in the period (for percentiles, averages)
``5x3``        ``5 5 5``; works for ``_x3`` and ``[1,2]x3`` too
``1+2x4``      a ramp of 4 periods: ``1 3 5 7`` (``10-1x3`` is ``10 9 8``)
=============  ==========================================================

Unlike promtool, ``AxN`` and ``a+bxN`` give N values, not N + 1.

Time is virtual: value i is published at ``start + i * interval`` (``interval`` defaults to the
alarm's Period), and the alarm is evaluated at the end of each of its periods, carrying its state
from one evaluation to the next. ``expect`` gives the state after each evaluation; when it is
longer than the series, evaluation continues over the empty periods that follow.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

import numpy as np

from .definition import AlarmDefinition, parse_alarm
from .engine import AlarmResult, evaluate_alarm
from .states import INSUFFICIENT_DATA, ensure_state_is_valid
from .timestamps import Instant, to_epoch_seconds

DEFAULT_START = datetime(2026, 1, 1, tzinfo=timezone.utc)

_UNSIGNED = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = "-?" + _UNSIGNED
_TOKEN = re.compile(r"\[[^\]]*\](?:x\d+)?|\S+")
_RAMP = re.compile(rf"^(?P<first>{_NUMBER})(?P<sign>[+-])(?P<step>{_UNSIGNED})x(?P<count>\d+)$")
_REPEAT = re.compile(r"^(?P<item>.+?)x(?P<count>\d+)$")

Series = list[list[float]]


def series(text: str) -> Series:
    """The samples of each period written in ``text`` (an empty list for a period with no sample)."""
    periods: Series = []
    for token in _TOKEN.findall(text):
        periods.extend(_expand(token, text))
    return periods


def replay_alarm(
    alarm: Mapping[str, Any] | AlarmDefinition,
    data: str | Series | Mapping[str, str | Series],
    *,
    interval: float | None = None,
    start: Instant = DEFAULT_START,
    evaluations: int | None = None,
    previous_state: str = INSUFFICIENT_DATA,
) -> list[AlarmResult]:
    """The alarm's result at the end of each of its periods, from ``start`` on, in virtual time."""
    definition = parse_alarm(alarm)
    start_seconds = to_epoch_seconds(start)
    interval = definition.period if interval is None else interval
    samples, longest = _samples(definition, data, start_seconds, interval)
    if evaluations is None:
        evaluations = max(1, math.ceil(longest * interval / definition.period))
    results: list[AlarmResult] = []
    state = ensure_state_is_valid(previous_state)
    for step in range(1, evaluations + 1):
        result = evaluate_alarm(definition, samples, now=start_seconds + step * definition.period, previous_state=state)
        results.append(result)
        state = result.state
    return results


def check_alarm(
    alarm: Mapping[str, Any] | AlarmDefinition,
    data: str | Series | Mapping[str, str | Series],
    *,
    expect: str | Sequence[str],
    interval: float | None = None,
    start: Instant = DEFAULT_START,
    previous_state: str = INSUFFICIENT_DATA,
) -> list[AlarmResult]:
    """Replay ``data`` and assert the state after each period; raise AssertionError with a diff if not."""
    expected = expect.split() if isinstance(expect, str) else list(expect)
    for state in expected:
        ensure_state_is_valid(state)
    results = replay_alarm(
        alarm, data, interval=interval, start=start, evaluations=len(expected), previous_state=previous_state
    )
    actual = [result.state for result in results]
    if actual != expected:
        raise AssertionError(_diff(parse_alarm(alarm), results, expected))
    return results


def _expand(token: str, text: str) -> Series:
    ramp = _RAMP.match(token)
    if ramp:
        step = float(ramp["step"]) * (1 if ramp["sign"] == "+" else -1)
        return [[float(ramp["first"]) + i * step] for i in range(int(ramp["count"]))]
    repeat = _REPEAT.match(token)
    if repeat:
        return [_single(repeat["item"], text) for _ in range(int(repeat["count"]))]
    return [_single(token, text)]


def _single(token: str, text: str) -> list[float]:
    if token == "_":
        return []
    if token.startswith("[") and token.endswith("]"):
        inside = token[1:-1].replace(",", " ").split()
        return [_number(item, text) for item in inside]
    return [_number(token, text)]


def _number(token: str, text: str) -> float:
    if not re.fullmatch(_NUMBER, token):
        raise ValueError(
            f"cannot read {token!r} in series {text!r}: use numbers, _ (no data), [1,2,3] (several samples), "
            "5x3 (repeat) or 1+2x4 (ramp)"
        )
    return float(token)


def _samples(definition: AlarmDefinition, data: Any, start: float, interval: float) -> tuple[Any, int]:
    if definition.is_metric_math:
        if not isinstance(data, Mapping):
            raise ValueError("a metric-math alarm takes a dict of metric id -> series")
        by_id = {metric_id: _as_series(text) for metric_id, text in data.items()}
        longest = max((len(periods) for periods in by_id.values()), default=0)
        return {metric_id: _timed(periods, start, interval) for metric_id, periods in by_id.items()}, longest
    periods = _as_series(data)
    return _timed(periods, start, interval), len(periods)


def _as_series(data: str | Series) -> Series:
    return series(data) if isinstance(data, str) else [list(samples) for samples in data]


def _timed(periods: Series, start: float, interval: float) -> tuple[np.ndarray, np.ndarray]:
    """(timestamps, values) arrays: converted once, not at every evaluation of the replay."""
    pairs = [(start + index * interval, value) for index, samples in enumerate(periods) for value in samples]
    times, values = zip(*pairs) if pairs else ((), ())
    return np.asarray(times, dtype=float), np.asarray(values, dtype=float)


def _diff(definition: AlarmDefinition, results: list[AlarmResult], expected: list[str]) -> str:
    differing = sum(result.state != want for result, want in zip(results, expected))
    name = f"alarm {definition.name!r}" if definition.name else "the alarm"
    rows = [("", "time", "datapoint", "expected", "actual", "reason")]
    for result, want in zip(results, expected):
        newest = result.newest_datapoint
        rows.append(
            (
                ">" if result.state != want else "",
                result.evaluated_at.strftime("%Y-%m-%d %H:%M:%S"),
                "_" if newest.is_missing else f"{newest.value:g}",
                want,
                result.state,
                result.reason,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:5], widths)) + "  " + row[5] for row in rows]
    return (
        f"{name} did not go through the expected states: {differing} of {len(expected)} evaluations differ "
        "(rows marked >; time is the end of the period evaluated, datapoint its value)\n" + "\n".join(lines)
    )
