"""Observers: waits on the target's clock, and SQS probe queues that hear what a topic tells people."""
from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, TypeVar

import tenacity

from simulacro.aws_errors import error_code, is_retryable
from simulacro.spec import format_duration

T = TypeVar("T")
_probe_numbers = itertools.count(1)


class WaitTimeout(AssertionError):
    """What was awaited did not happen within its budget."""


MIN_WALL_POLL = 1.0     # on real AWS, never more than one poll (API call) per second per wait
PROGRESS_EVERY = 30.0   # seconds between progress lines of a long wall-clock wait
LONG_WAIT = 30.0        # wall-clock waits whose budget is shorter print nothing
MAX_BACKOFF = 60.0
_default_progress: list[Callable[[str], None]] = []


def report_progress_to(progress: Callable[[str], None] | None) -> Callable[[], None]:
    """Where waits that are not given a `progress` callback print their progress lines (None: nowhere);
    returns how to put back the previous destination."""
    previous = list(_default_progress)
    _default_progress[:] = [progress] if progress else []
    return lambda: _default_progress.__setitem__(slice(None), previous)


def wait_for(condition: Callable[[], T | None], *, within: float, clock: Any, what: str,
             poll: float | None = None, progress: Callable[[str], None] | None = None) -> T:
    """Poll `condition` on `clock` until it returns something truthy; fail after `within` seconds.

    On the virtual clock a poll costs no wall time, so the poll interval sets the resolution of
    measured times; on the wall clock it is at most one API call per second per wait. Throttling and
    transient AWS errors are retried with exponential backoff inside the budget; a refused permission
    or expired credentials stop the wait at once (`simulacro.aws_errors`). Long waits on the wall
    clock print what is awaited, the time elapsed and the budget.
    """
    waiting = _Waiting(what, within, clock, _interval(poll, within, clock),
                       progress or (_default_progress[0] if _default_progress else None))
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


def _interval(poll: float | None, within: float, clock: Any) -> float:
    interval = poll if poll is not None else (5.0 if clock.virtual else min(15.0, within / 20))
    return interval if clock.virtual else max(MIN_WALL_POLL, interval)


class _Waiting:
    """One wait's bookkeeping: elapsed time, backoff after errors, and the progress lines."""

    def __init__(self, what: str, within: float, clock: Any, interval: float, progress: Callable[[str], None] | None):
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
            backoff = min(MAX_BACKOFF, self.interval * 2 ** self.errors_in_a_row)
            return max(min(backoff, self.within - self.elapsed()), 0.0 if self.clock.virtual else MIN_WALL_POLL)
        self.errors_in_a_row = 0
        return self.interval

    def report(self, state: tenacity.RetryCallState) -> None:
        if self.progress is None:
            return
        elapsed = self.elapsed()
        if self.errors_in_a_row and self.last_error is not None:
            self.progress(f"AWS answered {_short(self.last_error)} while waiting for {self.what}; retrying with backoff")
        if self.reported_at is None:
            self.progress(f"waiting for {self.what} (budget {format_duration(self.within)})")
            self.reported_at = elapsed
        elif elapsed - self.reported_at >= PROGRESS_EVERY:
            self.progress(f"still waiting for {self.what}: {format_duration(elapsed)} of {format_duration(self.within)}")
            self.reported_at = elapsed

    def done(self) -> None:
        if self.progress is not None and self.reported_at is not None:
            self.progress(f"{self.what}: after {format_duration(self.elapsed())} (budget {format_duration(self.within)})")

    def timeout_message(self) -> str:
        message = f"{self.what}: did not happen within {format_duration(self.within)}"
        if self.errors_in_a_row and self.last_error is not None:
            message += f" (the last {self.errors_in_a_row} polls failed: {_short(self.last_error)})"
        return message


def _short(error: BaseException) -> str:
    return error_code(error) or type(error).__name__


@dataclass
class Heard:
    at: datetime
    subject: str | None
    message: Any
    attributes: dict[str, str] = field(default_factory=dict)


class ProbeQueue:
    """A temporary SQS queue: subscribed to topics or added as a rule target, deleted on exit."""

    def __init__(self, target: Any, environment: str, run_id: str, purpose: str):
        self.target = target
        self.environment = environment
        self.sqs = target.client("sqs", environment)
        self.sns = target.client("sns", environment)
        # The xdist worker is part of the name: parallel workers of one run never share a probe.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        self.name = f"simulacro-probe-{run_id}-{worker}{next(_probe_numbers)}"[:80]
        self.purpose = purpose
        self.heard: list[Heard] = []
        self._subscriptions: list[str] = []
        self.url = self.sqs.create_queue(QueueName=self.name, tags={"simulacro-run": run_id, "purpose": purpose[:200]})["QueueUrl"]
        self.arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def subscribe(self, topic_arn: str) -> None:
        """SNS delivers across regions: the subscription is made in the topic's region, the queue stays here."""
        self._allow("sns.amazonaws.com", topic_arn)
        arn = self._sns_of(topic_arn).subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=self.arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
        self._subscriptions.append(arn)

    def _allow(self, service: str, source_arn: str) -> None:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["Policy"]).get("Attributes", {})
        policy = json.loads(attributes.get("Policy") or '{"Version": "2012-10-17", "Statement": []}')
        policy["Statement"].append({
            "Effect": "Allow", "Principal": {"Service": service}, "Action": "sqs:SendMessage",
            "Resource": self.arn, "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
        })
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"Policy": json.dumps(policy)})

    def _sns_of(self, arn: str) -> Any:
        return self.target.client("sns", self.environment, arn.split(":")[3])

    def allow_rule(self, rule_arn: str) -> None:
        self._allow("events.amazonaws.com", rule_arn)

    def receive(self) -> list[Heard]:
        """Drain what arrived; SNS envelopes are unwrapped into subject and message."""
        response = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                            MessageAttributeNames=["All"])
        fresh = []
        for message in response.get("Messages", []):
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
            fresh.append(_heard(message, self.target.clock.now()))
        self.heard.extend(fresh)
        return fresh

    def first(self, predicate: Callable[[Heard], bool]) -> Heard | None:
        self.receive()
        return next((h for h in self.heard if predicate(h)), None)

    def close(self) -> None:
        for arn in self._subscriptions:
            try:
                self._sns_of(arn).unsubscribe(SubscriptionArn=arn)
            except Exception:  # noqa: BLE001 - cleanup goes on; the queue's deletion matters most
                pass
        self.sqs.delete_queue(QueueUrl=self.url)


def _heard(message: dict[str, Any], at: datetime) -> Heard:
    body = json.loads(message["Body"]) if message["Body"].startswith("{") else message["Body"]
    attributes = {k: v.get("StringValue", "") for k, v in (message.get("MessageAttributes") or {}).items()}
    if isinstance(body, dict) and body.get("Type") == "Notification":
        inner = body.get("Message")
        try:
            inner = json.loads(inner)
        except (TypeError, ValueError):
            pass
        return Heard(at, body.get("Subject"), inner, attributes)
    return Heard(at, None, body, attributes)
