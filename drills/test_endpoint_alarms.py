"""Endpoint alarms fire on real symptoms, not on a forced state: the staging model answers 5xx or slows
down (through the fault mechanism its spec declares), the metrics fill from steady traffic, the alarm
enters ALARM within its detection budget, the on-call topic is notified, and the alarm recovers once
the fault is gone. Each records its time to detect beside the floor its own definition allows."""
import pytest

MODEL_LATENCY = "ModelLatency"
ERRORS_5XX = "Invocation5XXErrors"


def _alarm(stack, endpoint, metric, statistic=None):
    alarms = stack.alarms_watching(endpoint, metric, statistic)
    if not alarms:
        pytest.fail(f"the spec declares no {statistic or ''} alarm on {metric} of endpoint {endpoint.name}: "
                    "the phase requires one (deliverable 2)")
    return alarms[0]


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)
def test_5xx_errors_page_the_on_call(stack, fault_endpoint, expect, faults, traffic):
    """The model answers 5xx to part of the traffic: the 5xx alarm pages and recovers."""
    endpoint, alarm = fault_endpoint, _alarm(stack, fault_endpoint, ERRORS_5XX)
    traffic.keep(endpoint)
    expect.steady(alarm, hold=True)
    with faults.endpoint_errors(endpoint, rate=endpoint.faults.error_rate):
        expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget)
        expect.notification(alarm).arrives(within="1m")
    expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)
@pytest.mark.parametrize("percentile", ["p95", "p99"])
def test_high_latency_pages_the_on_call(stack, fault_endpoint, percentile, expect, faults, traffic):
    """The model slows down: the P95 and P99 latency alarms page and recover."""
    endpoint, alarm = fault_endpoint, _alarm(stack, fault_endpoint, MODEL_LATENCY, percentile)
    traffic.keep(endpoint)
    expect.steady(alarm, hold=True)
    with faults.endpoint_latency(endpoint, added_ms=endpoint.faults.added_latency * 1000):
        expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget)
        expect.notification(alarm).arrives(within="1m")
    expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)
