"""docs/game-days.md is right: the handler wrapper a team copies into its inference code reads CustomAttributes
exactly as the local AWS does, does nothing unless enabled, and answers the fault it is asked for."""

import importlib.util
import re

import pytest

from simulacro.emulator.dataplane import FaultSyntaxError, parse_faults
from support.drill_runner import ROOT

DOC = ROOT / "docs" / "game-days.md"
HEADERS = [
    "simulacro-fault=error-rate:0.5;latency-ms:800",
    "simulacro-fault=error-rate:0.5,latency-ms:800",
    "trace=1;simulacro-fault=latency-ms:800",
    "Simulacro-Fault = error-rate: 25% ; latency-ms: 0",
    "simulacro-fault=error-rate:0.1;simulacro-fault=error-rate:0.3",
    "other=1",
    "",
    "simulacro-fault=error-rate:2",
    "simulacro-fault=error-rate:half",
    "simulacro-fault=latency-ms:-5",
    "simulacro-fault=explode:1",
]


@pytest.fixture
def handler(tmp_path, monkeypatch):
    text = DOC.read_text()
    code = re.search(r"```python\n(# simulacro_fault_handler\.py.*?)```", text, re.DOTALL).group(1)
    path = tmp_path / "simulacro_fault_handler.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location("simulacro_fault_handler", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("SIMULACRO_FAULTS", "enabled")
    monkeypatch.setenv("SIMULACRO_FAULT_ATTRIBUTE", "simulacro-fault")
    return module


def _local(header):
    try:
        faults = parse_faults(header, "simulacro-fault")
        return faults.error_rate, faults.latency_ms
    except FaultSyntaxError as error:
        return str(error)


def _documented(handler, header):
    try:
        return handler.requested_fault(header)
    except handler.FaultSyntaxError as error:
        return str(error)


@pytest.mark.parametrize("header", HEADERS)
def test_the_handler_reads_custom_attributes_as_the_local_aws_does(handler, header):
    assert _documented(handler, header) == _local(header)


def test_the_handler_does_nothing_unless_enabled(handler, monkeypatch):
    monkeypatch.delenv("SIMULACRO_FAULTS")
    assert handler.apply_fault("simulacro-fault=error-rate:1") is None


def test_the_wsgi_middleware_answers_the_fault_asked_for(handler):
    app = handler.FaultInjection(lambda environ, start_response: start_response("200 OK", []) or [b"0.12"])
    answers = []
    start = lambda status, headers: answers.append(status)  # noqa: E731
    body = app(
        {"PATH_INFO": "/invocations", "HTTP_X_AMZN_SAGEMAKER_CUSTOM_ATTRIBUTES": "simulacro-fault=error-rate:1"}, start
    )
    assert answers[-1].startswith("500") and b"on purpose" in body[0]
    app(
        {"PATH_INFO": "/invocations", "HTTP_X_AMZN_SAGEMAKER_CUSTOM_ATTRIBUTES": "simulacro-fault=error-rate:lots"},
        start,
    )
    assert answers[-1].startswith("400")
    assert app({"PATH_INFO": "/invocations"}, start) == [b"0.12"] and answers[-1] == "200 OK"
