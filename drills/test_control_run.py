"""The control run: with no fault, steady traffic and a successful pipeline execution raise no alarm at all.

An alarm that fires here is noise: it would page someone for a healthy system (alert fatigue).
"""

import pytest

from simulacro.spec import format_duration
from simulacro.target.pages import every_item

CONTROL_MINUTES = 10


@pytest.mark.drill(category="endpoint", gate=True, destructive=True)  # its traffic lands in data capture
def test_healthy_traffic_and_a_clean_pipeline_run_raise_no_alarm(stack, target, expect, faults, traffic, drill_record):
    """Ten minutes of steady traffic on every drill endpoint and a clean pipeline run: no alarm enters ALARM."""
    started = expect.quiet(target.environments)
    for endpoint in (e for e in stack.endpoints if e.faults is not None and e.environment in target.environments):
        traffic.keep(endpoint)
    # Every pipeline runs at once, as on a busy platform: the control window does not grow with the number of models.
    runs = [
        (pipeline, faults.pipeline_step_failure(pipeline, step=None))
        for pipeline in stack.pipelines
        if pipeline.environment in target.environments
    ]
    for pipeline, execution in runs:
        expect.pipeline(pipeline, execution).ends("Succeeded")
    target.clock.sleep(max(0, CONTROL_MINUTES * 60 - (target.clock.now() - started).total_seconds()))
    noisy = []
    for environment in target.environments:
        cloudwatch = target.client("cloudwatch", environment)
        # Every page: on a platform of many models, a window's state updates are more than one page of 100.
        items = every_item(
            cloudwatch, "describe_alarm_history", "AlarmHistoryItems", HistoryItemType="StateUpdate", StartDate=started
        )
        noisy += [
            f"{i['AlarmName']} ({environment}): {i['HistorySummary']}"
            for i in items
            if "to ALARM" in i["HistorySummary"] and i["Timestamp"] >= started
        ]
    drill_record.evidence["control window"] = format_duration((target.clock.now() - started).total_seconds())
    drill_record.evidence["alarms that fired"] = noisy or "none"
    assert not noisy, (
        "alarms fired on a healthy system (alert fatigue: check thresholds and missing-data treatment):\n"
        + "\n".join(noisy)
    )
