"""Endpoint alarms fire on real symptoms, not on a forced state: the staging model answers 5xx or slows
down (through the fault mechanism its spec declares), the metrics fill from steady traffic, every alarm
on the symptom enters ALARM within its detection budget, the on-call topic is notified, and each alarm
recovers once the fault is gone. Each records its time to detect beside the floor its own definition allows."""

import pytest

from simulacro.evidence.coverage import require_fault_mechanism

MODEL_LATENCY = "ModelLatency"
ERRORS_5XX = "Invocation5XXErrors"


def _alarms(stack, endpoint, metric, statistic=None):
    alarms = [a for a in stack.alarms_watching(endpoint, metric, statistic) if not a.coverage_exemption]
    if not alarms:
        pytest.fail(
            f"the spec declares no {statistic or ''} alarm on {metric} of endpoint {endpoint.name}: "
            "the phase requires one (deliverable 2)"
        )
    return alarms


def _pages_and_recovers(alarms, expect):
    for alarm in alarms:
        expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget)
        expect.notification(alarm).arrives(within="1m")


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)
def test_5xx_errors_page_the_on_call(stack, fault_endpoint, expect, faults, traffic):
    """The model answers 5xx to part of the traffic: every 5xx alarm of the endpoint pages and recovers."""
    require_fault_mechanism(fault_endpoint)
    endpoint, alarms = fault_endpoint, _alarms(stack, fault_endpoint, ERRORS_5XX)
    traffic.keep(endpoint)
    for alarm in alarms:
        expect.steady(alarm, hold=True)
    with faults.endpoint_errors(endpoint, rate=endpoint.faults.error_rate):
        _pages_and_recovers(alarms, expect)
    for alarm in alarms:
        expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)
@pytest.mark.parametrize("percentile", ["p95", "p99"])
def test_high_latency_pages_the_on_call(stack, fault_endpoint, percentile, expect, faults, traffic):
    """The model slows down: the P95 and P99 latency alarms page and recover."""
    require_fault_mechanism(fault_endpoint)
    endpoint, alarms = fault_endpoint, _alarms(stack, fault_endpoint, MODEL_LATENCY, percentile)
    traffic.keep(endpoint)
    for alarm in alarms:
        expect.steady(alarm, hold=True)
    with faults.endpoint_latency(endpoint, added_ms=endpoint.faults.added_latency * 1000):
        _pages_and_recovers(alarms, expect)
    for alarm in alarms:
        expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)
