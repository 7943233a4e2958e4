"""CloudWatch metric alarm evaluation, pure: PutMetricAlarm dicts and raw samples in, states out.

    from simulacro.alarms import evaluate_alarm
    result = evaluate_alarm(alarm, samples, now=now, previous_state="OK")
    result.state, result.reason, result.reason_data

`backtest` replays an alarm over a long series (vectorised); `simulacro.alarms.incremental` has
the `AlarmEvaluator` that evaluates many alarms again and again (the emulator's minute loop),
re-evaluating only what changed; `simulacro.alarms.testing` has the ``check_alarm`` helper for
alarm unit tests written as data.
"""

from __future__ import annotations

from .backtest import BacktestResult, Transition, backtest
from .datapoints import Datapoint
from .definition import AlarmDefinition, parse_alarm
from .engine import AlarmResult, evaluate_alarm
from .errors import AlarmDefinitionError, AlarmInputError, SamplesError
from .evaluation import evaluation_range
from .states import ALARM, ALARM_STATES, INSUFFICIENT_DATA, OK

__all__ = [
    "ALARM",
    "ALARM_STATES",
    "INSUFFICIENT_DATA",
    "OK",
    "AlarmDefinition",
    "AlarmDefinitionError",
    "AlarmInputError",
    "AlarmResult",
    "BacktestResult",
    "Datapoint",
    "SamplesError",
    "Transition",
    "backtest",
    "evaluate_alarm",
    "evaluation_range",
    "parse_alarm",
]
