"""Requests to a local AWS served by this very process go straight to its WSGI application.

The local AWS is a WSGI application behind a socket server in a thread of this process. For a client of
this process, the socket, HTTP on both sides and the switch between threads cost about a quarter of a
drill's CPU time and add nothing: the application sees the same WSGI environ the server would build
(`werkzeug.test.EnvironBuilder`, werkzeug's own translation of a request), and botocore parses the same
bytes. The server still runs, for everything outside this process (the AWS CLI, subprocesses).

A request is handled in the caller's thread, so Ctrl-C and SIGTERM are held until it is answered: an
interrupted caller still finds the local AWS whole, as it did when another thread answered.
`SIMULACRO_LOCAL_TRANSPORT=http` sends every request over the socket instead."""

from __future__ import annotations

import os
from io import BytesIO
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from simulacro.target.signals import interrupts_held

HOP_BY_HOP = {"transfer-encoding", "connection", "expect"}


def wanted() -> bool:
    return os.environ.get("SIMULACRO_LOCAL_TRANSPORT", "in-process") != "http"


def sender(app: Callable[..., Any]) -> Callable[..., AWSResponse]:
    """A botocore `before-send` handler that answers from `app` instead of the network."""

    def send(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        from werkzeug.test import run_wsgi_app

        with interrupts_held():
            body_chunks, status, headers = run_wsgi_app(app, _environ(request), buffered=True)
            body = b"" if request.method == "HEAD" else b"".join(body_chunks)
        return AWSResponse(request.url, int(status.split(" ", 1)[0]), dict(headers.items()), _Raw(body))

    return send


def _environ(request: AWSPreparedRequest) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    url = urlsplit(request.url)
    headers = [(k, _text(v)) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
    builder = EnvironBuilder(
        method=request.method,
        base_url=f"{url.scheme}://{url.netloc}",
        path=url.path or "/",
        query_string=url.query,
        headers=headers,
        data=_body_bytes(request.body),
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _text(value: str | bytes) -> str:
    """botocore keeps some header values as bytes, which go on the wire as they are."""
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        return body.read()
    return bytes(body)


class _Raw(BytesIO):
    """What botocore reads a response body from (urllib3's `stream`)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()
