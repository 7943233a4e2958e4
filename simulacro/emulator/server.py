"""moto's WSGI application served on 127.0.0.1 on a free port, in a daemon thread of this process.

The overlay hooks into moto's dispatch in-process (see `overlay.py`), which is why the server is
not a subprocess: the control plane reads and changes moto's backends directly.

moto's dispatcher lists its package folders on disk to recognise a request's host, for every request
(about 0.6 ms, a fifth of a call). A host's backend never changes while the process runs, so it is kept.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # one line per request would drown the drills' output
        pass


def _dispatcher() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class HostRemembering(DomainDispatcherApplication):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backend_of_host: dict[str | None, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:  # called under the dispatcher's lock
            if host not in self._backend_of_host:
                self._backend_of_host[host] = super().get_backend_for_host(host)
            return self._backend_of_host[host]

    return HostRemembering()


class MotoServer:
    def __init__(self, host: str = "127.0.0.1"):
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server(host, 0, _dispatcher(), threaded=True, request_handler=_QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self.app = self._server.app
        self._thread = threading.Thread(target=self._server.serve_forever, name="simulacro-local-aws", daemon=True)

    def start(self) -> "MotoServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
