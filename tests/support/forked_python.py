"""Run `python -m <module> <args>` many times for a fraction of the cost of a new interpreter each time.

A new interpreter spends about two seconds importing boto3, pytest and simulacro before it reads its first
argument. Here each run is a child forked from a server that has imported them once (multiprocessing's
forkserver with a preload list, imported as in the repository's root; one server per process, so one per
xdist worker), and the child then looks like a new `python -m` started in `cwd`: fd 1 and 2 go to files (so
what C code or a subprocess writes is captured too), sys.argv, sys.path and os.environ are those a new
interpreter would have, the module runs as `__main__`, SystemExit becomes the exit status, any other exception
prints its traceback and exits 1, and non-daemon threads and atexit handlers run before the exit.
`fresh=True` runs a new interpreter instead.

A script (not pytest) that uses it must do its work under `if __name__ == "__main__":`, as with any
multiprocessing start method but fork: the child imports the parent's main module first.
Modules of pytest plugin distributions (pytest_html, xdist, pytest_metadata, pytest_randomly) are not
preloaded: pytest rewrites their asserts at start-up and warns about any it finds already imported.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import locale
import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile
import threading
from multiprocessing import forkserver
from pathlib import Path

# Imported by the server as `python -m` in the repository's root would import them.
PRELOAD = [
    "yaml",
    "regex",
    "numpy",
    "pydantic",
    "jinja2",
    "execnet",
    "boto3",
    "botocore.session",
    "pytest",
    "simulacro.cli",
    "simulacro.pytest_plugin.plugin",
]


ROOT = Path(__file__).resolve().parents[2]
PATH_VARIABLES = ("PYTHON", "HOME", "VIRTUAL_ENV")  # what a new interpreter's sys.path depends on besides cwd


class ForkedPython:
    """`run(argv, cwd, timeout)`: `python -m *argv` in a child of the fork server (started on first use)."""

    def __init__(self, preload: list[str] = PRELOAD, home: Path = ROOT) -> None:
        self.preload = preload
        self.home = home
        self.context = multiprocessing.get_context("forkserver")
        self.fresh_sys_paths: dict[tuple[str, str], list[str]] = {}

    def run(
        self, argv: list[str], cwd: Path, timeout: float, fresh: bool = False, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        """`python -m *argv` in `cwd` with `env` (this process's environment by default)."""
        environ = dict(os.environ if env is None else env)
        if fresh:
            return subprocess.run(
                [sys.executable, "-m", *argv], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environ
            )
        self._ensure_server()
        with tempfile.TemporaryDirectory(prefix="forked-python-") as folder:
            stdout, stderr = Path(folder, "stdout"), Path(folder, "stderr")
            child = self.context.Process(
                target=_run_as_new_interpreter,
                args=(argv, str(cwd), self._fresh_sys_path(cwd, environ), environ, str(stdout), str(stderr)),
                name=f"python -m {argv[0]}",
            )
            child.start()
            child.join(timeout)
            if child.exitcode is None:
                child.kill()
                child.join()
                raise subprocess.TimeoutExpired(argv, timeout, _read(stdout), _read(stderr))
            return subprocess.CompletedProcess(argv, child.exitcode, _read(stdout), _read(stderr))

    def close(self) -> None:
        """Stop the fork server (it also stops by itself when this process ends)."""
        stop = getattr(forkserver._forkserver, "_stop", None)
        if stop is not None:
            stop()

    def _ensure_server(self) -> None:
        """Started in `home`, so it imports the preloaded modules from where `python -m` there would (sys.path[0]),
        whatever the directory of the first run."""
        self.context.set_forkserver_preload(self.preload)
        with contextlib.chdir(self.home):
            forkserver.ensure_running()

    def _fresh_sys_path(self, cwd: Path, environ: dict[str, str]) -> list[str]:
        """sys.path of `python -m` in `cwd` with this environment (PYTHONPATH, site-packages, .pth files)."""
        key = (str(cwd), json.dumps({k: v for k, v in environ.items() if k.startswith(PATH_VARIABLES)}, sort_keys=True))
        if key not in self.fresh_sys_paths:
            printed = subprocess.run(
                [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path))"],
                cwd=cwd,
                env=environ,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            path = json.loads(printed)
            self.fresh_sys_paths[key] = [str(cwd) if entry == "" else entry for entry in path]
        return self.fresh_sys_paths[key]


def _read(path: Path) -> str:
    """As `subprocess.run(text=True)` decodes: the locale's encoding (UTF-8 in UTF-8 mode), universal newlines."""
    data = path.read_bytes() if path.exists() else b""
    text = data.decode("utf-8" if sys.flags.utf8_mode else locale.getencoding())
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _run_as_new_interpreter(
    argv: list[str], cwd: str, sys_path: list[str], environ: dict[str, str], stdout: str, stderr: str
) -> None:
    """In the forked child: become `python -m *argv` in `cwd`, run, and exit as the interpreter would."""
    for fd, path in ((1, stdout), (2, stderr)):
        file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(file, fd)
        os.close(file)
    sys.stdout.reconfigure(line_buffering=False)  # as a new interpreter's stdout on a file (stderr: line-buffered)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(environ)
    sys.path[:] = sys_path
    importlib.invalidate_caches()
    sys.argv = list(argv)  # run_module puts the module's file in sys.argv[0], as `python -m` does
    status = _run_main(argv[0])
    _finalize()
    os._exit(status)


def _run_main(module: str) -> int:
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit:
        return _exit_status(exit.code)
    except BaseException:  # noqa: B036 - the interpreter prints whatever escapes, then exits 1
        sys.excepthook(*sys.exc_info())
        return 1
    return 0


def _exit_status(code: object) -> int:
    """What the interpreter makes of SystemExit(code): None is 0, an int its low byte, else printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _finalize() -> None:
    """What the interpreter does on exit: wait for non-daemon threads, run atexit handlers, flush."""
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
