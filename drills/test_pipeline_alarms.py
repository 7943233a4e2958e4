"""Pipeline alarms fire when a pipeline really fails: an execution is started with the declared fault
parameter naming the step to fail, the step's job fails with its reason, the execution fails, and each
pipeline alarm (execution failed, training step failed, evaluation step failed) pages the on-call within
its budget, measured from the moment the step failed."""

import pytest


@pytest.mark.drill(category="pipeline", gate=True, destructive=True)
def test_pipeline_failure_pages_the_on_call(stack, pipeline_alarm, expect, faults):
    """A failing step (the one the alarm watches, or the first) makes the pipeline alarm page, then recover."""
    alarm = pipeline_alarm
    dimensions = alarm.metric.dimensions if alarm.metric else {}
    pipeline = next(
        (p for p in stack.pipelines if p.name == dimensions.get("PipelineName") and p.environment == alarm.environment),
        None,
    )
    if pipeline is None:
        pytest.fail(
            f"alarm {alarm.name} watches PipelineName={dimensions.get('PipelineName')!r}, which names no pipeline of "
            f"{alarm.environment} in the spec: it can never fire"
        )
    step = dimensions.get("StepName", pipeline.steps[0].name)
    if step not in [s.name for s in pipeline.steps]:
        pytest.fail(
            f"alarm {alarm.name} watches StepName={step}, which is not a step of pipeline {pipeline.name} "
            f"(steps: {', '.join(s.name for s in pipeline.steps)}): it can never fire"
        )
    expect.steady(alarm)
    execution = faults.pipeline_step_failure(pipeline, step)
    ended = expect.pipeline(pipeline, execution).ends("Failed")
    assert [s["StepName"] for s in ended["failed_steps"]] == [step], (
        f"expected step {step} to fail, got {ended['failed_steps']}"
    )
    expect.alarm(alarm).enters("ALARM", within=alarm.detection_budget, since=ended["failed_at"])
    expect.notification(alarm).arrives(within="1m")
    expect.alarm(alarm).enters("OK", within=alarm.recovery_budget)
