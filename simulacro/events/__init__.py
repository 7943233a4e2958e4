"""EventBridge semantics, pure: pattern validation and matching, documented event shapes, pattern lint.

from simulacro.events import event_matches, validate_pattern, InvalidEventPattern

validate_pattern('{"source": ["aws.sagemaker"]}')         # raises InvalidEventPattern if PutRule would
event_matches(pattern, event)                              # pattern and event: dict or JSON text
matcher = compile_pattern(pattern); matcher(event)         # compile once for hot loops
lint_pattern(pattern)                                      # parts that can never match a documented event
"""

from simulacro.events.catalog import DOCUMENTED_EVENTS, DocumentedEvent
from simulacro.events.errors import InvalidEventPattern
from simulacro.events.lint import Finding, lint_pattern
from simulacro.events.matching import CompiledPattern, compile_pattern, event_matches
from simulacro.events.pattern_json import JsonNumber, parse_json
from simulacro.events.shapes import (
    alarm_metric,
    alarm_state,
    alarm_state_change,
    endpoint_state_change,
    endpoint_status_to_event,
    endpoint_variant,
    model_package_state_change,
    pipeline_execution_arn,
    pipeline_execution_status_change,
    pipeline_step_status_change,
    processing_job_state_change,
    sagemaker_arn,
    training_job_state_change,
)
from simulacro.events.validation import parse_pattern, validate_pattern

__all__ = [
    "DOCUMENTED_EVENTS",
    "CompiledPattern",
    "DocumentedEvent",
    "Finding",
    "InvalidEventPattern",
    "JsonNumber",
    "alarm_metric",
    "alarm_state",
    "alarm_state_change",
    "compile_pattern",
    "endpoint_state_change",
    "endpoint_status_to_event",
    "endpoint_variant",
    "event_matches",
    "lint_pattern",
    "model_package_state_change",
    "parse_json",
    "parse_pattern",
    "pipeline_execution_arn",
    "pipeline_execution_status_change",
    "pipeline_step_status_change",
    "processing_job_state_change",
    "sagemaker_arn",
    "training_job_state_change",
    "validate_pattern",
]
