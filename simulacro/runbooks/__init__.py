"""Runbooks as code, one module per runbook of the phase's table."""

from .core import NothingToDo, Runbook, RunbookRefused, RunbookRun, StepFailed
from .endpoint_not_responding import EndpointNotResponding
from .recurring_pipeline_failure import RecurringPipelineFailure
from .regression_after_promotion import RegressionAfterPromotion

RUNBOOKS: dict[str, type[Runbook]] = {
    rb.name: rb for rb in (EndpointNotResponding, RegressionAfterPromotion, RecurringPipelineFailure)
}

__all__ = ["RUNBOOKS", "NothingToDo", "Runbook", "RunbookRefused", "RunbookRun", "StepFailed"]
