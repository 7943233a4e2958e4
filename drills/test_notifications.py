"""Every alarm's notification reaches a person: the controlled notification test (SetAlarmState).

Per alarm: steady state, set the alarm to ALARM, a probe subscribed to the alarm's topic receives
CloudWatch's message with the right alarm name and state, then the alarm's state is put back.
"""

import pytest


# Destructive: on real AWS it pages the environment's on-call (prod refuses it unless the spec allows).
@pytest.mark.drill(category="notification", gate=True, destructive=True)
def test_alarm_notification_reaches_its_subscribers(declared_alarm, expect, faults):
    """SetAlarmState to ALARM notifies the alarm's topic subscribers with CloudWatch's message."""
    alarm = declared_alarm
    expect.out_of_alarm(alarm)  # a state change is what notifies: start from OK or INSUFFICIENT_DATA
    with faults.alarm_state(alarm, "ALARM"):
        expect.alarm(alarm).enters("ALARM", within=60)
        heard = expect.notification(alarm).arrives(within=60)
        if heard.subject is not None:  # a raw-delivery subscriber gets CloudWatch's message without SNS's envelope
            assert alarm.name in heard.subject, f"notification subject {heard.subject!r} does not name {alarm.name}"
        assert heard.message["AWSAccountId"] and heard.message["Trigger"], (
            "notification lacks CloudWatch's account and trigger"
        )
