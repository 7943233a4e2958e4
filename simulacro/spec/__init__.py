"""The stack spec: load and validate `fixtures/stack.yaml` into typed objects."""

from .durations import format_duration, parse_duration
from .errors import Problem, SpecError
from .loader import load_stack
from .model import Alarm, Endpoint, MonitoringSchedule, Pipeline, Rule, RuleTarget, Stack, Topic
from .paths import DEFAULT_SPEC

__all__ = [
    "Alarm",
    "DEFAULT_SPEC",
    "Endpoint",
    "MonitoringSchedule",
    "Pipeline",
    "Problem",
    "Rule",
    "RuleTarget",
    "SpecError",
    "Stack",
    "Topic",
    "format_duration",
    "load_stack",
    "parse_duration",
]
