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

from simulacro.spec.model import Stack

# Kept by reference, never copied: what cannot be copied (locks, threads, code) or is the same in every copy.
_KEPT_TYPES: tuple[type, ...] = (
    type(threading.Lock()),
    type(threading.RLock()),
    threading.Thread,
    threading.Event,
    threading.Condition,
    types.CodeType,
    types.ModuleType,
    type,
)


class Snapshot:
    """The state of one local AWS at one moment; `restore()` puts it back (as often as wanted)."""

    def __init__(self, local_aws: Any):
        self.local_aws = local_aws
        self._kept: list[Any] = []
        parts = _parts(local_aws)
        state = {
            "parts": {name: dict(vars(part)) for name, part in parts.items()},
            # A service's accounts, and what the BackendDict itself keeps (S3's bucket name -> account index).
            "moto": [(backends, dict(backends), dict(vars(backends))) for backends in _backend_dicts()],
        }
        live = [*parts.values(), local_aws, local_aws.overlay, *_backend_dicts()]
        buffer = io.BytesIO()
        _StatePickler(buffer, self._kept, {id(obj) for obj in live}).dump(state)
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


class _StatePickler(pickle.Pickler):
    """Copies state; keeps live objects by reference; copies closures and lambdas (the clock's timers) by value,
    their captured variables with the rest of the state, so a restored timer acts on the restored objects."""

    def __init__(self, file: Any, kept: list[Any], live_ids: set[int]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._kept_list, self._live_ids = kept, live_ids

    def persistent_id(self, obj: Any) -> int | None:
        if id(obj) in self._live_ids or isinstance(obj, _KEPT_TYPES) or _is_client(obj):
            self._kept_list.append(obj)
            return len(self._kept_list) - 1
        return None

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is not types.FunctionType or _importable(obj):
            return NotImplemented
        self._live_ids.add(id(obj.__globals__))  # the module's namespace is the live one
        cells = tuple(_cell_value(cell) for cell in obj.__closure__ or ())
        return (
            _new_function,
            (obj.__code__, obj.__globals__, obj.__name__, obj.__defaults__, obj.__kwdefaults__, len(cells)),
            cells,
            None,
            None,
            _fill_cells,
        )


_EMPTY = "<empty cell>"


def _importable(function: types.FunctionType) -> bool:
    return function.__closure__ is None and "<" not in function.__qualname__


def _cell_value(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return _EMPTY


def _new_function(code: Any, namespace: dict[str, Any], name: str, defaults: Any, kwdefaults: Any, cells: int) -> Any:
    function = types.FunctionType(code, namespace, name, defaults, tuple(types.CellType() for _ in range(cells)))
    function.__kwdefaults__ = kwdefaults
    return function


def _fill_cells(function: Any, values: tuple[Any, ...]) -> None:
    for cell, value in zip(function.__closure__ or (), values):
        if not (isinstance(value, str) and value == _EMPTY):
            cell.cell_contents = value


def _parts(local_aws: Any) -> dict[str, Any]:
    """Every object of the local AWS that holds state, by attribute name (the clock included)."""
    return {
        name: value
        for name, value in vars(local_aws).items()
        if name not in ("overlay", "_server") and hasattr(value, "__dict__") and not callable(value)
    }


def _restore_moto(saved: list[tuple[BackendDict, dict[str, Any], dict[str, Any]]]) -> None:
    saved_ids = {id(backends) for backends, _, _ in saved}
    for backends in list(_backend_dicts()):
        if id(backends) not in saved_ids:
            dict.clear(backends)  # a service first used after the snapshot: back to nothing
            if hasattr(backends, "bucket_accounts"):
                backends.bucket_accounts.clear()
    for backends, accounts, attributes in saved:
        dict.clear(backends)
        dict.update(backends, accounts)
        vars(backends).clear()
        vars(backends).update(attributes)
    _backend_dicts()[:] = [backends for backends, _, _ in saved]


def _backend_dicts() -> list[BackendDict[Any]]:
    """moto's registry of every `BackendDict` (one per service), the list itself: a class attribute of a generic
    class, which mypy will not read through the class."""
    return BackendDict._instances  # type: ignore[misc]  # moto internals: see the docstring


def _is_client(obj: Any) -> bool:
    """boto3 clients (the deployer's) talk to the same server: kept as they are."""
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


def enable(factory: Callable[[], Any]) -> WarmLocalAws:
    """Share one local AWS made by `factory` (`LocalAws`) in this process from now on (the suite's tests turn this on).
    The factory is passed in so that this module never imports the local AWS that imports it."""
    global _warm
    if _warm is None:
        _warm = WarmLocalAws(factory)
    return _warm


def warm() -> WarmLocalAws | None:
    """The process's shared local AWS, when enabled."""
    return _warm


def disable() -> None:
    global _warm
    if _warm is not None:
        _warm.stop()
    _warm = None


def stack_key(stack: Stack, *extra: str) -> str:
    """What names one provisioned state: the spec's content (and anything else provisioning depends on)."""
    digest = hashlib.sha256(stack.model_dump_json().encode())
    for part in extra:
        digest.update(part.encode())
    return digest.hexdigest()
