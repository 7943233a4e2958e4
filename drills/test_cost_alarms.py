"""Cost alarms page FinOps when the month's estimated charges pass the budget.

AWS publishes `AWS/Billing` `EstimatedCharges` only in us-east-1, so cost alarms and the topics they
notify live there (the spec lint refuses them anywhere else). Nobody can write a billing metric, so
only the local AWS can stage the symptom: it stands in for AWS's billing system, first with charges
under the alarm's threshold (steady), then over it. The alarm must enter ALARM within its detection
budget and FinOps (the subscriber of its topic) must receive CloudWatch's message; with the charges
back under the threshold, the alarm recovers. On real AWS the cost category runs the controlled
notification test only (SetAlarmState on each cost alarm).
"""

import contextlib

import pytest

OVER_BUDGET = 1.2  # the staged charges: 20 % over the alarm's threshold
UNDER_BUDGET = 0.5  # the steady charges: half of it


# Destructive: on real AWS it pages FinOps (prod refuses it unless the spec allows).
@pytest.mark.drill(category="cost", destructive=True)
def test_cost_alarm_notification_reaches_finops(stack, target, cost_alarm, expect, faults):
    """SetAlarmState to ALARM on the cost alarm (in us-east-1) notifies its FinOps topic's subscribers."""
    alarm = cost_alarm
    expect.out_of_alarm(alarm)
    with faults.alarm_state(alarm, "ALARM"):
        expect.alarm(alarm).enters("ALARM", within=60)
        heard = expect.notification(alarm).arrives(within=60)
        region = heard.message["AlarmArn"].split(":")[3]
        assert region == stack.region_of(alarm, target.region), f"the notification came from an alarm in {region}"


@pytest.mark.drill(category="cost", destructive=True)  # it stages charges and pages FinOps
def test_charges_over_budget_page_finops(cost_alarm, target, expect, drill_record):
    """Estimated charges over the threshold: the cost alarm pages its owner, and recovers once under it."""
    if target.kind != "local":
        pytest.skip(
            "only AWS's billing system writes AWS/Billing metrics, so on a real account this drill cannot "
            "stage charges; the cost category runs the notification test there instead"
        )
    alarm = cost_alarm
    over, under = _charges(alarm)
    target.inject_billing(alarm.environment, under, _currency(alarm))
    target.clock.sleep(alarm.period)  # a period is judged once complete: let one pass with charges under budget
    expect.steady(alarm)
    with _estimated_charges(target, drill_record, alarm, over, restore_to=under):
        expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget)
        expect.notification(alarm).arrives(within="1m")
    expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)


@contextlib.contextmanager
def _estimated_charges(target, record, alarm, amount, *, restore_to):
    """The environment's estimated charges are `amount` inside the block, `restore_to` after it, whatever happens."""
    currency = _currency(alarm)
    target.inject_billing(alarm.environment, amount, currency)
    record.add(
        target.clock.now(),
        "inject",
        f"estimated charges {amount:g} {currency} (threshold {alarm.threshold:g})",
        environment=alarm.environment,
        mechanism="local billing publisher, us-east-1",
    )
    try:
        yield
    finally:
        target.inject_billing(alarm.environment, restore_to, currency)
        record.add(target.clock.now(), "restore", f"undo: estimated charges back to {restore_to:g} {currency}")


def _charges(alarm):
    """(breaching, healthy) charges for the alarm's comparison, relative to its threshold."""
    high, low = alarm.threshold * OVER_BUDGET + 1, alarm.threshold * UNDER_BUDGET
    return (high, low) if alarm.comparison.startswith("Greater") else (low, high)


def _currency(alarm):
    return next(
        (ref.dimensions.get("Currency", "USD") for ref in alarm.metric_refs if ref.namespace == "AWS/Billing"), "USD"
    )
