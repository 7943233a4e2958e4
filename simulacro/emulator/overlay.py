"""The seam between moto and what we own: per-operation handlers and observers.

moto's `BaseResponse.call_action` parses each request with the botocore model and serializes an
`ActionResult` in the service's protocol (query, JSON, CBOR). We wrap it once: an operation with
a registered handler is answered by our handler (plain dict in, plain dict out, moto does the
wire); every other operation goes to moto, and observers hear of it afterwards.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Callable

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

from .constraints import constraint_error

# moto's own operations of these services are held to botocore's limits too (they word refusals as AWS does,
# `1 validation error detected: ...`); SNS, SQS and S3 word theirs per operation, and moto answers them as it will.
CONSTRAINED_BEFORE_MOTO = frozenset({"cloudwatch", "events", "logs", "sagemaker"})


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    account: str
    region: str
    params: dict[str, Any]


Handler = Callable[[Call], dict[str, Any] | None]
Check = Callable[[Call], None]  # runs before moto; raises an AwsError to refuse the call
Observer = Callable[[Call, int], None]  # runs after moto answered, with its HTTP status


class Overlay:
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._checks: dict[tuple[str, str], list[Check]] = {}
        self._observers: dict[tuple[str, str], list[Observer]] = {}
        self.lock = threading.RLock()

    def handle(self, service: str, operation: str, handler: Handler) -> None:
        self._handlers[(service, operation)] = handler

    def check(self, service: str, operation: str, check: Check) -> None:
        self._checks.setdefault((service, operation), []).append(check)

    def checks_of(self, service: str, operation: str) -> list[Check]:
        return self._checks.get((service, operation), [])

    def observe(self, service: str, operation: str, observer: Observer) -> None:
        self._observers.setdefault((service, operation), []).append(observer)

    def handler_for(self, service: str, operation: str) -> Handler | None:
        return self._handlers.get((service, operation))

    def observers_of(self, service: str, operation: str) -> list[Observer]:
        return self._observers.get((service, operation), [])


_installed: list[Overlay] = []  # a stack: a LocalAws started inside another (a drill run in a test) nests
_original_call_action = BaseResponse.call_action


def install(overlay: Overlay) -> None:
    """Route moto's dispatch through `overlay` (moto's state is process-wide; the newest overlay answers)."""
    _installed.append(overlay)
    BaseResponse.call_action = _call_action  # type: ignore[method-assign]


def uninstall(overlay: Overlay) -> None:
    """Stop routing through `overlay`; the one installed before it (if any) answers again."""
    if overlay in _installed:
        _installed.remove(overlay)
    if not _installed:
        BaseResponse.call_action = _original_call_action  # type: ignore[method-assign]


def _active() -> Overlay | None:
    return _installed[-1] if _installed else None


def _call_action(self: BaseResponse):  # type: ignore[no-untyped-def]
    overlay = _active()
    if overlay is None:
        return _original_call_action(self)
    service, operation = self.boto3_service_name, self._get_action()
    handler = overlay.handler_for(service, operation)
    if handler is None:
        checks = overlay.checks_of(service, operation)
        if checks or service in CONSTRAINED_BEFORE_MOTO:
            try:
                call = _call(self, service, operation)
                _refuse_out_of_bounds(call)
                with overlay.lock:
                    for check in checks:
                        check(call)
            except ServiceException as error:
                return _render(self, error)
        status, headers, body = _original_call_action(self)
        observers = overlay.observers_of(service, operation)
        if observers:
            call = _call(self, service, operation)
            with overlay.lock:
                for observer in observers:
                    observer(call, int(status))
        return status, headers, body
    try:
        call = _call(self, service, operation)
        _refuse_out_of_bounds(call)
        with overlay.lock:
            result = handler(call)
    except ServiceException as error:
        result_or_error: object = error
    else:
        result_or_error = result or {}
    return _render(self, result_or_error)


def _refuse_out_of_bounds(call: Call) -> None:
    refused = constraint_error(call.service, call.operation, call.params)
    if refused is not None:
        raise refused


def _render(response: BaseResponse, result: object):  # type: ignore[no-untyped-def]
    status, headers, body = response.serialized(ActionResult(result))
    headers, body = response._enrich_response(headers, body)
    return status, headers, body


def _call(response: BaseResponse, service: str, operation: str) -> Call:
    return Call(service, operation, response.current_account, response.region, _params(response))


def _params(response: BaseResponse) -> dict[str, Any]:
    """The request's parameters. A JSON-protocol body is read as JSON: some of moto's handlers (EventBridge)
    leave it to each action to parse, and their generic parser would read it as a form."""
    content_type = str(response.headers.get("Content-Type") or response.headers.get("content-type") or "")
    if content_type.startswith("application/x-amz-json"):
        body = response.body.decode() if isinstance(response.body, bytes) else response.body
        return json.loads(body or "{}")
    params = response._get_params()
    if hasattr(params, "original_dict"):
        params = params.original_dict()
    return dict(params)
