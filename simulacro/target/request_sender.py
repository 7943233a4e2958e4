"""Real requests to a real endpoint: `InvokeEndpoint` at a steady rate, each carrying the fault attribute
active at the moment it is sent (the staging model's handler wrapper honours it: docs/game-days.md).

A handful of threads send, so a slow model does not slow the rate down; an injected 5xx is counted,
not raised. A refused permission stops the sender and is kept to be reported.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from simulacro.errors import BadInput
from simulacro.spec import Stack
from simulacro.target.aws_errors import AwsAccessProblem

DATASET = Path("datasets") / "churn" / "train.csv"  # relative to the spec's folder
SENDERS = 8


class ClientSource(Protocol):
    """What the sender needs of its target (`simulacro.target.targets.Target`, which imports this module):
    the spec, and a client per service and environment."""

    stack: Stack

    def client(self, service: str, environment: str | None = None, region: str | None = None) -> Any: ...


class RequestSender:
    def __init__(
        self,
        target: ClientSource,
        endpoint: str,
        environment: str,
        requests_per_minute: float,
        attributes: Callable[[], str | None],
        payloads: list[str] | None = None,
    ):
        if requests_per_minute <= 0:
            raise ValueError(f"traffic needs a positive rate, got {requests_per_minute}/min")
        self.runtime = target.client("sagemaker-runtime", environment)
        self.endpoint = endpoint
        self.interval = 60.0 / requests_per_minute
        self.attributes = attributes
        self.payloads = payloads or default_payloads(target.stack, endpoint, environment)
        self.served = 0
        self.failed = 0
        self.problem: AwsAccessProblem | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def run_for(self, seconds: float) -> dict[str, Any]:
        self._send_until(time.monotonic() + seconds)
        return self.summary()

    def start_in_background(self) -> "RequestSender":
        self._thread = threading.Thread(
            target=self._send_until, args=(float("inf"),), name=f"traffic-{self.endpoint}", daemon=True
        )
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def summary(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "served": self.served,
            "failed": self.failed,
            "problem": str(self.problem) if self.problem else None,
        }

    def _send_until(self, deadline: float) -> None:
        next_at = time.monotonic()
        with ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix=f"invoke-{self.endpoint}") as pool:
            number = 0
            while not self._stop.is_set() and self.problem is None and time.monotonic() < deadline:
                pool.submit(self._send_one, self.payloads[number % len(self.payloads)], self.attributes())
                number += 1
                next_at += self.interval
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def _send_one(self, body: str, attributes: str | None) -> None:
        request: dict[str, Any] = {"EndpointName": self.endpoint, "ContentType": "text/csv", "Body": body}
        if attributes:
            request["CustomAttributes"] = attributes
        try:
            self.runtime.invoke_endpoint(**request)
            outcome = "served"
        except AwsAccessProblem as problem:
            self.problem = problem
            return
        except (ClientError, BotoCoreError):
            outcome = "failed"  # an injected 5xx (ModelError) is what the drill wants to see
        with self._lock:
            setattr(self, outcome, getattr(self, outcome) + 1)


def default_payloads(stack: Stack, endpoint: str, environment: str) -> list[str]:
    """The spec's smoke payload for the endpoint if it declares one, else the rows of the churn dataset."""
    declared = next((e for e in stack.endpoints if e.name == endpoint and e.environment == environment), None)
    smoke = getattr(declared, "smoke_payload", None)
    if smoke:
        return [smoke]
    path = stack.folder / DATASET
    try:
        lines = path.read_text().splitlines()[1:]
    except OSError:
        raise BadInput(
            f"no dataset at {path}: requests replay its rows unless the endpoint declares a smoke_payload "
            "(keep datasets/ beside the spec, as in fixtures/)"
        ) from None
    return [line for line in lines if line.strip()][:1000]
