"""Snapshots of the local AWS: provision once, restore in milliseconds for every run that needs the same stack.

A snapshot is one pickle of everything that changes while the local AWS runs: moto's backends (every
`BackendDict` in use: account -> region -> backend) and the `__dict__` of each part of our overlay and
control plane (alarms and their history, metrics, the event bus, endpoints, pipelines, the virtual
clock's time and timers, ...). The parts themselves, and what the overlay's hooks and the clock's timers
point at (functions, bound methods, locks, boto3 clients), are kept as they are, by reference: restoring
puts the copied state back into the same objects, so every hook stays wired. Restoring loads the pickle
again, so a snapshot is never changed by the runs it serves.

`WarmLocalAws` keeps one started local AWS per process (per xdist worker) with a snapshot of it empty
and one per provisioned spec; the suite's fixtures and its in-process drill runs use it when enabled
(`enable()`), instead of starting a server and provisioning again each time.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import threading
import types
from typing import Any, Callable

from moto.core.base_backend import BackendDict

_KEPT_TYPES: tuple[type, ...] = (
    types.FunctionType, types.BuiltinFunctionType, type(threading.Lock()), type(threading.RLock()),
    threading.Thread, threading.Event, threading.Condition, type,
)


class Snapshot:
    """The state of one local AWS at one moment; `restore()` puts it back (as often as wanted)."""

    def __init__(self, local_aws: Any):
        self.local_aws = local_aws
        self._kept: list[Any] = []
        parts = _parts(local_aws)
        kept_ids = {id(part) for part in parts.values()} | {id(local_aws), id(local_aws.overlay)}
        kept_ids |= {id(backends) for backends in BackendDict._instances}
        state = {
            "parts": {name: dict(vars(part)) for name, part in parts.items()},
            "moto": [(backends, dict(backends)) for backends in BackendDict._instances],
        }
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.persistent_id = lambda obj: self._keep(obj, kept_ids)  # type: ignore[method-assign]
        pickler.dump(state)
        self.data = buffer.getvalue()

    @property
    def size(self) -> int:
        return len(self.data)

    def restore(self) -> None:
        unpickler = pickle.Unpickler(io.BytesIO(self.data))
        unpickler.persistent_load = self._kept.__getitem__  # type: ignore[method-assign]
        state = unpickler.load()
        with self.local_aws.clock.lock:
            for name, part in _parts(self.local_aws).items():
                vars(part).clear()
                vars(part).update(state["parts"][name])
            _restore_moto(state["moto"])

    def _keep(self, obj: Any, kept_ids: set[int]) -> int | None:
        if id(obj) in kept_ids or isinstance(obj, _KEPT_TYPES) or _is_client(obj):
            self._kept.append(obj)
            return len(self._kept) - 1
        return None


def _parts(local_aws: Any) -> dict[str, Any]:
    """Every object of the local AWS that holds state, by attribute name (the clock included)."""
    return {name: value for name, value in vars(local_aws).items()
            if name not in ("overlay", "_server") and hasattr(value, "__dict__") and not callable(value)}


def _restore_moto(saved: list[tuple[BackendDict, dict[str, Any]]]) -> None:
    saved_ids = {id(backends) for backends, _ in saved}
    for backends in list(BackendDict._instances):
        if id(backends) not in saved_ids:
            dict.clear(backends)  # a service first used after the snapshot: back to nothing
    for backends, accounts in saved:
        dict.clear(backends)
        dict.update(backends, accounts)
    BackendDict._instances[:] = [backends for backends, _ in saved]


def _is_client(obj: Any) -> bool:
    return type(obj).__module__.startswith(("botocore", "boto3"))


class WarmLocalAws:
    """One started local AWS for this process, restored instead of restarted (fresh) or re-provisioned."""

    def __init__(self, factory: Callable[[], Any]):
        self._factory = factory
        self.local_aws: Any = None
        self._fresh: Snapshot | None = None
        self._provisioned: dict[str, Snapshot] = {}

    def fresh(self) -> Any:
        """The local AWS as just started: no resource, the clock at its start."""
        if self.local_aws is None:
            self.local_aws = self._factory().start()
            self._fresh = Snapshot(self.local_aws)
        else:
            self._fresh.restore()  # type: ignore[union-attr]
        return self.local_aws

    def provisioned(self, key: str, provision: Callable[[Any], None]) -> Any:
        """The local AWS with the stack `key` names provisioned: `provision(local_aws)` runs once per key."""
        snapshot = self._provisioned.get(key)
        if snapshot is None:
            local_aws = self.fresh()
            provision(local_aws)
            self._provisioned[key] = Snapshot(local_aws)
            return local_aws
        if self.local_aws is None:
            raise RuntimeError("a snapshot outlived its local AWS")
        snapshot.restore()
        return self.local_aws

    def stop(self) -> None:
        if self.local_aws is not None:
            self.local_aws.stop()
        self.local_aws, self._fresh, self._provisioned = None, None, {}


_warm: WarmLocalAws | None = None


def enable(factory: Callable[[], Any] | None = None) -> WarmLocalAws:
    """Share one local AWS in this process from now on (the suite's tests turn this on)."""
    global _warm
    if _warm is None:
        from .local_aws import LocalAws

        _warm = WarmLocalAws(factory or LocalAws)
    return _warm


def warm() -> WarmLocalAws | None:
    """The process's shared local AWS, when enabled."""
    return _warm


def disable() -> None:
    global _warm
    if _warm is not None:
        _warm.stop()
    _warm = None


def stack_key(stack: Any, *extra: str) -> str:
    """What names one provisioned state: the spec's content (and anything else provisioning depends on)."""
    digest = hashlib.sha256(stack.model_dump_json().encode())
    for part in extra:
        digest.update(part.encode())
    return digest.hexdigest()
