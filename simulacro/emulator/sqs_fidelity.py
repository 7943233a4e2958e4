"""SQS as AWS behaves where moto does not.

- SetQueueAttributes without `Policy` keeps the queue's policy (moto 5.2.5 resets it to none whenever other
  attributes are set, which would make every later delivery look refused or, worse, allowed).
- Messages expire after the queue's MessageRetentionPeriod, in the clock's (virtual) time: on each tick a
  message older than the retention is gone, as on AWS. A message's age is counted from the first tick that
  saw it (moto stamps messages with the wall clock), so expiry is accurate to one tick.
"""

from __future__ import annotations

from typing import Any

from simulacro.target.clock import SchedulingClock

from . import backends
from .overlay import Call, Overlay


class SqsFidelity:
    def __init__(self, clock: SchedulingClock):
        self.clock = clock
        self._kept_policy: dict[tuple[str, str, str], Any] = {}
        self._first_seen: dict[str, float] = {}

    def install(self, overlay: Overlay) -> None:
        overlay.check("sqs", "SetQueueAttributes", self._remember_policy)
        overlay.observe("sqs", "SetQueueAttributes", self._restore_policy)

    def _queue(self, call: Call) -> Any:
        name = str(call.params.get("QueueUrl", "")).rstrip("/").rsplit("/", 1)[-1]
        return backends.sqs(call.account, call.region).queues.get(name)

    def _attributes(self, call: Call) -> dict[str, Any]:
        attributes = call.params.get("Attributes")
        if isinstance(attributes, dict):
            return attributes
        # Query protocol: Attribute.N.Name / Attribute.N.Value
        names = {
            k.split(".")[1]: v for k, v in call.params.items() if k.startswith("Attribute.") and k.endswith(".Name")
        }
        return {v: call.params.get(f"Attribute.{n}.Value") for n, v in names.items()}

    def _remember_policy(self, call: Call) -> None:
        queue = self._queue(call)
        if queue is not None and "Policy" not in self._attributes(call):
            self._kept_policy[(call.account, call.region, queue.name)] = queue.policy

    def _restore_policy(self, call: Call, status: int) -> None:
        queue = self._queue(call)
        if queue is None:
            return
        kept = self._kept_policy.pop((call.account, call.region, queue.name), None)
        if kept and status < 300 and not queue.policy:
            queue.policy = kept

    def expire_messages(self) -> None:
        """Drop every message older than its queue's MessageRetentionPeriod (virtual time)."""
        now = self.clock.now().timestamp()
        alive = set()
        for queue in _all_queues():
            retention = int(getattr(queue, "message_retention_period", 345600) or 345600)
            kept = []
            for message in list(queue._messages):
                first = self._first_seen.setdefault(message.id, now)
                if now - first < retention:
                    kept.append(message)
                    alive.add(message.id)
            if len(kept) != len(queue._messages):
                with queue._messages_lock:
                    queue._messages[:] = [m for m in queue._messages if m.id in alive or m.id not in self._first_seen]
        self._first_seen = {k: v for k, v in self._first_seen.items() if k in alive}


def _all_queues() -> list[Any]:
    found: list[Any] = []
    for account in list(backends.sqs_backends.keys()):
        for backend in list(backends.sqs_backends[account].values()):
            found.extend(backend.queues.values())
    return found
