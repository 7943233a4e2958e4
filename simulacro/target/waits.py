"""Waits on the target's clock: poll a condition within a budget, retry what AWS says is transient, report progress.

On the virtual clock a wait costs no wall time; on the wall clock it is rate-limited and prints progress."""

from __future__ import annotations

from typing import Callable, TypeVar

import tenacity

from simulacro.spec import format_duration
from simulacro.target.aws_errors import error_code, is_retryable
from simulacro.target.clock import Clock

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """What was awaited did not happen within its budget."""


MIN_WALL_POLL = 1.0  # on real AWS, never more than one poll (API call) per second per wait
PROGRESS_EVERY = 30.0  # seconds between progress lines of a long wall-clock wait
LONG_WAIT = 30.0  # wall-clock waits whose budget is shorter print nothing
MAX_BACKOFF = 60.0
_default_progress: list[Callable[[str], None]] = []


def report_progress_to(progress: Callable[[str], None] | None) -> Callable[[], None]:
    """Where waits that are not given a `progress` callback print their progress lines (None: nowhere);
    returns how to put back the previous destination."""
    previous = list(_default_progress)
    _default_progress[:] = [progress] if progress else []
    return lambda: _default_progress.__setitem__(slice(None), previous)


def wait_for(
    condition: Callable[[], T | None],
    *,
    within: float,
    clock: Clock,
    what: str,
    poll: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> T:
    """Poll `condition` on `clock` until it returns something truthy; fail after `within` seconds.

    On the virtual clock a poll costs no wall time, so the poll interval sets the resolution of
    measured times; on the wall clock it is at most one API call per second per wait. Throttling and
    transient AWS errors are retried with exponential backoff inside the budget; a refused permission
    or expired credentials stop the wait at once (`simulacro.target.aws_errors`). Long waits on the wall
    clock print what is awaited, the time elapsed and the budget.
    """
    waiting = _Waiting(
        what,
        within,
        clock,
        _interval(poll, within, clock),
        progress or (_default_progress[0] if _default_progress else None),
    )
    retrying = tenacity.Retrying(
        stop=lambda _: waiting.elapsed() >= within,
        wait=waiting.pause,
        sleep=clock.sleep,
        retry=tenacity.retry_if_result(lambda value: not value) | tenacity.retry_if_exception(is_retryable),
        before_sleep=waiting.report,
        retry_error_callback=lambda _: None,
    )
    value = retrying(condition)
    if not value:
        raise WaitTimeout(waiting.timeout_message())
    waiting.done()
    return value


def _interval(poll: float | None, within: float, clock: Clock) -> float:
    interval = poll if poll is not None else (5.0 if clock.virtual else min(15.0, within / 20))
    return interval if clock.virtual else max(MIN_WALL_POLL, interval)


class _Waiting:
    """One wait's bookkeeping: elapsed time, backoff after errors, and the progress lines."""

    def __init__(self, what: str, within: float, clock: Clock, interval: float, progress: Callable[[str], None] | None):
        self.what, self.within, self.clock, self.interval = what, within, clock, interval
        self.started = clock.now()
        self.progress = progress if (progress is not None and not clock.virtual and within >= LONG_WAIT) else None
        self.errors_in_a_row = 0
        self.last_error: BaseException | None = None
        self.reported_at: float | None = None

    def elapsed(self) -> float:
        return (self.clock.now() - self.started).total_seconds()

    def pause(self, state: tenacity.RetryCallState) -> float:
        if state.outcome is not None and state.outcome.failed:
            self.errors_in_a_row += 1
            self.last_error = state.outcome.exception()
            backoff = min(MAX_BACKOFF, self.interval * 2**self.errors_in_a_row)
            return max(min(backoff, self.within - self.elapsed()), 0.0 if self.clock.virtual else MIN_WALL_POLL)
        self.errors_in_a_row = 0
        return self.interval

    def report(self, state: tenacity.RetryCallState) -> None:
        if self.progress is None:
            return
        elapsed = self.elapsed()
        if self.errors_in_a_row and self.last_error is not None:
            self.progress(
                f"AWS answered {_short(self.last_error)} while waiting for {self.what}; retrying with backoff"
            )
        if self.reported_at is None:
            self.progress(f"waiting for {self.what} (budget {format_duration(self.within)})")
            self.reported_at = elapsed
        elif elapsed - self.reported_at >= PROGRESS_EVERY:
            self.progress(
                f"still waiting for {self.what}: {format_duration(elapsed)} of {format_duration(self.within)}"
            )
            self.reported_at = elapsed

    def done(self) -> None:
        if self.progress is not None and self.reported_at is not None:
            self.progress(
                f"{self.what}: after {format_duration(self.elapsed())} (budget {format_duration(self.within)})"
            )

    def timeout_message(self) -> str:
        message = f"{self.what}: did not happen within {format_duration(self.within)}"
        if self.errors_in_a_row and self.last_error is not None:
            message += f" (the last {self.errors_in_a_row} polls failed: {_short(self.last_error)})"
        return message


def _short(error: BaseException) -> str:
    return error_code(error) or type(error).__name__
