"""A few long-lived worker processes that run tasks one at a time; a worker that dies or hangs is replaced.

Each worker is a fresh interpreter (multiprocessing's 'spawn': nothing of the parent's state, no local AWS
shared), set up once by `setup()` (selfcheck: start and keep warm a local AWS of its own), then given one
task at a time over a pipe. A task whose worker exits (a segfault, `os._exit`) or takes longer than
`timeout` seconds (the worker is killed) gets `lost(task, reason)` as its result, and a new worker takes
the dead one's place. A task's time starts when its worker is ready: starting a worker and its set-up have
a bound of their own (`SETUP_SECONDS`), so a short `timeout` does not have to cover an interpreter's start.
Results come back in the order of the tasks.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable

CONTEXT = multiprocessing.get_context("spawn")
STOP = None
READY = "simulacro-worker-ready"
SETUP_SECONDS = 300.0


def _serve(connection: Connection, setup: Callable[[], None] | None, run: Callable[[Any], Any]) -> None:
    if setup is not None:
        setup()
    connection.send(READY)
    while (task := connection.recv()) is not STOP:
        connection.send(run(task))


class _Worker:
    def __init__(self, setup: Callable[[], None] | None, run: Callable[[Any], Any]):
        self.connection, child = CONTEXT.Pipe()
        self.process = CONTEXT.Process(target=_serve, args=(child, setup, run), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[int, Any] | None = None
        self.ready = False
        self.deadline = time.monotonic() + SETUP_SECONDS

    def give(self, index: int, task: Any, timeout: float) -> None:
        self.task = (index, task)
        if self.ready:
            self.deadline = time.monotonic() + timeout
        try:
            self.connection.send(task)
        except OSError:
            pass  # it died after its last result: its sentinel says so, and the task is reported lost

    def stop(self) -> None:
        try:
            self.connection.send(STOP)
        except OSError:
            pass
        self.process.join(timeout=10)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def run_all(
    tasks: Iterable[Any],
    run: Callable[[Any], Any],
    lost: Callable[[Any, str], Any],
    workers: int,
    timeout: float,
    setup: Callable[[], None] | None = None,
) -> list[Any]:
    """`run(task)` for each task in `workers` processes (set up by `setup()`); `lost(task, reason)` for a task whose
    worker died or timed out. `run`, `setup` and the tasks must be picklable (module-level functions, plain data)."""
    pending = deque(enumerate(tasks))
    results: list[Any] = [None] * len(pending)
    if not pending:
        return results
    pool = [_Worker(setup, run) for _ in range(max(1, min(workers, len(pending))))]
    try:
        while pending or any(w.task for w in pool):
            for worker in pool:
                if worker.task is None and pending:
                    worker.give(*pending.popleft(), timeout)
            busy = [w for w in pool if w.task is not None]
            wait(
                [w.connection for w in busy] + [w.process.sentinel for w in busy],
                timeout=max(0.0, min(w.deadline for w in busy) - time.monotonic()),
            )
            for worker in busy:
                result = _collect(worker, lost, timeout)
                if result is None:
                    continue
                index, value, replace = result
                results[index] = value
                if replace:
                    pool[pool.index(worker)] = _Worker(setup, run)
    finally:
        for worker in pool:
            worker.stop()
    return results


def _collect(worker: _Worker, lost: Callable[[Any, str], Any], timeout: float) -> tuple[int, Any, bool] | None:
    """(task index, result, whether the worker must be replaced), or None while the task still runs."""
    assert worker.task is not None
    index, task = worker.task
    if worker.connection.poll():
        try:
            value = worker.connection.recv()
            if not worker.ready and value == READY:
                worker.ready, worker.deadline = True, time.monotonic() + timeout
                return None
            worker.task = None
            return index, value, False
        except (EOFError, OSError):
            pass  # it died while sending: reported below
    if worker.process.is_alive() and time.monotonic() < worker.deadline:
        return None
    if not worker.process.is_alive():
        reason = f"worker died (exit code {worker.process.exitcode})"
    elif worker.ready:
        reason = f"worker killed: no result within {timeout:.0f} s"
    else:
        reason = f"worker killed: not set up within {SETUP_SECONDS:.0f} s"
    worker.kill()
    worker.task = None
    return index, lost(task, reason), True
