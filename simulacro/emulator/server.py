"""moto's WSGI application served on 127.0.0.1 on a free port, in a daemon thread of this process.

The overlay hooks into moto's dispatch in-process (see `overlay.py`), which is why the server is
not a subprocess: the control plane reads and changes moto's backends directly.
"""

from __future__ import annotations

import logging
import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    # Keep-alive: botocore reuses its connections, so a request costs no TCP handshake and no new thread.
    protocol_version = "HTTP/1.1"

    def log_request(self, *args, **kwargs) -> None:  # one line per request would drown the drills' output
        pass


class MotoServer:
    def __init__(self, host: str = "127.0.0.1"):
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(host, 0, app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="simulacro-local-aws", daemon=True)

    def start(self) -> "MotoServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
