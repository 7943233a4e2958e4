"""Alarm unit tests for the spec's own alarms, written as data (like `promtool test rules`).

Each test replays a synthetic series, one value per period, and states the alarm's state after each
period. Copy this file to test your own alarms: no AWS, no clock, milliseconds each.
Notation: `_` no datapoint, `5x3` three periods at 5, `[1,2,3]` several samples in one period.
"""

import pytest

from simulacro.alarms.testing import check_alarm
from simulacro.spec import load_stack

STACK = load_stack()


def definition(name):
    return STACK.alarm(name).to_put_metric_alarm(lambda topic: f"arn:aws:sns:eu-west-1:000000000000:{topic}")


def test_5xx_rate_pages_on_the_second_bad_minute_of_three_and_not_for_one_blip():
    alarm = definition("churn-staging-5xx-rate")  # 100 * errors / invocations > 5, 2 of 3 minutes
    check_alarm(alarm, {"errors": "0 9 0 0 9 9 0", "invocations": "100x7"}, expect="OK OK OK OK OK ALARM ALARM")


def test_5xx_rate_without_traffic_is_not_an_outage():
    alarm = definition("churn-staging-5xx-rate")  # notBreaching: a quiet endpoint stays OK
    check_alarm(alarm, {"errors": "_ _ _", "invocations": "_ _ _"}, expect="OK OK OK")


def test_p99_latency_ignores_minutes_with_too_few_requests_to_judge():
    alarm = definition("churn-staging-latency-p99")  # p99 > 600 ms for 3 of 3; ignore below 1,000 samples
    slow_but_thin = "[900000,900000,900000]"
    check_alarm(alarm, " ".join([slow_but_thin] * 4), expect="OK OK OK OK", previous_state="OK")


def test_pipeline_failure_pages_at_once_and_clears_once_it_leaves_the_evaluation_range():
    alarm = definition("churn-pipeline-execution-failed")  # Sum > 0 over 1 minute, missing = notBreaching
    check_alarm(alarm, "0 1 _ _ _ _", expect="OK ALARM ALARM ALARM OK OK")


@pytest.mark.parametrize("name", [a.name for a in STACK.alarms if a.category == "monitor"])
def test_drift_alarm_pages_when_the_drift_distance_crosses_the_threshold(name):
    alarm = definition(name)  # hourly, ignore missing data (runs are hourly)
    check_alarm(alarm, "0.02 0.03 0.25 _ 0.04", expect="OK OK ALARM ALARM OK", previous_state="OK")
