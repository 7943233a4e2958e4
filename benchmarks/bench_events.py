"""Matches per second of simulacro.events against moto's EventPattern, on the same rules and events.

    .venv/bin/python benchmarks/bench_events.py [--events 10000] [--seed 7]

The rules are the ones a SageMaker platform runs (pipeline failures, model approvals, endpoint
state changes, alarms), a few with prefix, anything-but, numeric, wildcard, exists and $or. The
events are built with simulacro.events.shapes. Verdicts are compared on the rules moto gets right;
the rules that hit a known moto bug are timed but reported apart. Not a timed test.
"""

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moto.events.models import EventPattern  # noqa: E402

from simulacro.events import (  # noqa: E402
    alarm_metric,
    alarm_state,
    alarm_state_change,
    compile_pattern,
    endpoint_state_change,
    endpoint_variant,
    event_matches,
    model_package_state_change,
    pipeline_execution_arn,
    pipeline_execution_status_change,
    pipeline_step_status_change,
    processing_job_state_change,
    sagemaker_arn,
    training_job_state_change,
)
from simulacro.events.catalog import (  # noqa: E402
    ENDPOINT_EVENT_STATUSES,
    JOB_STATUSES,
    MODEL_APPROVAL_STATUSES,
    PIPELINE_EXECUTION_STATUSES,
    STEP_STATUSES,
)

ACCOUNT, REGION = "123456789012", "eu-west-1"
SM = '"source": ["aws.sagemaker"]'


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: str
    moto_is_correct: bool = True


RULES = [
    Rule(
        "pipeline failed",
        '{%s, "detail-type": ["SageMaker Model Building Pipeline Execution Status Change"], '
        '"detail": {"currentPipelineExecutionStatus": ["Failed"]}}' % SM,
    ),
    Rule(
        "step failed or stopped",
        '{%s, "detail-type": ["SageMaker Model Building Pipeline Execution Step Status Change"], '
        '"detail": {"currentStepStatus": ["Failed", "Stopped"]}}' % SM,
    ),
    Rule(
        "model approved (prefix)",
        '{%s, "detail-type": ["SageMaker Model Package State Change"], '
        '"detail": {"ModelApprovalStatus": ["Approved"], "ModelPackageGroupName": [{"prefix": "churn"}]}}' % SM,
    ),
    Rule(
        "model not approved (anything-but)",
        '{%s, "detail-type": ["SageMaker Model Package State Change"], '
        '"detail": {"ModelApprovalStatus": [{"anything-but": ["Approved"]}]}}' % SM,
    ),
    Rule(
        "model version >= 3 (numeric)",
        '{%s, "detail-type": ["SageMaker Model Package State Change"], '
        '"detail": {"ModelPackageVersion": [{"numeric": [">=", 3, "<", 1000]}]}}' % SM,
    ),
    Rule(
        "endpoint failed",
        '{%s, "detail-type": ["SageMaker Endpoint State Change"], '
        '"detail": {"EndpointStatus": ["FAILED", "UPDATE_ROLLBACK_FAILED"]}}' % SM,
    ),
    Rule(
        "staging endpoint changes (suffix)",
        '{%s, "detail-type": ["SageMaker Endpoint State Change"], '
        '"detail": {"EndpointName": [{"suffix": "-staging"}]}}' % SM,
    ),
    Rule(
        "endpoint leaves service (anything-but)",
        '{%s, "detail-type": ["SageMaker Endpoint State Change"], '
        '"detail": {"EndpointStatus": [{"anything-but": "IN_SERVICE"}]}}' % SM,
    ),
    Rule(
        "training failed",
        '{%s, "detail-type": ["SageMaker Training Job State Change"], '
        '"detail": {"TrainingJobStatus": ["Failed"]}}' % SM,
    ),
    Rule(
        "monitoring job done (exists)",
        '{%s, "detail-type": ["SageMaker Processing Job State Change"], '
        '"detail": {"MonitoringScheduleArn": [{"exists": true}], "ProcessingJobStatus": ["Completed", "Failed"]}}' % SM,
    ),
    Rule(
        "alarm fired (wildcard)",
        '{"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"], '
        '"detail": {"alarmName": [{"wildcard": "churn-*-5xx"}], "state": {"value": ["ALARM"]}}}',
    ),
    Rule(
        "pipeline or step failed ($or)",
        '{%s, "detail": {"$or": [{"currentPipelineExecutionStatus": ["Failed"]}, '
        '{"currentStepStatus": ["Failed"]}]}}' % SM,
    ),
    # moto does not look inside arrays of objects: this rule never matches there.
    Rule(
        "scaled-out endpoint (array of objects)",
        '{%s, "detail-type": ["SageMaker Endpoint State Change"], '
        '"detail": {"ProductionVariants": {"DesiredInstanceCount": [{"numeric": [">", 1]}]}}}' % SM,
        moto_is_correct=False,
    ),
    # moto compares plain numbers by value: 3 also matches an event's 3.0.
    Rule(
        "model version 3 exactly (by text)", '{%s, "detail": {"ModelPackageVersion": [3]}}' % SM, moto_is_correct=False
    ),
]


def event_stream(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    builders = [_pipeline, _step, _model_package, _endpoint, _training, _processing, _alarm]
    return [rng.choice(builders)(rng, index) for index in range(count)]


def _where(index: int) -> dict:
    return {"account": ACCOUNT, "region": REGION, "time": "2026-03-15T16:10:11Z", "id": f"evt-{index:08d}"}


def _pipeline(rng, index):
    return pipeline_execution_status_change(
        pipeline_arn=sagemaker_arn(REGION, ACCOUNT, "pipeline", "churn-train"),
        pipeline_execution_arn=pipeline_execution_arn(REGION, ACCOUNT, "churn-train", f"x{index}"),
        display_name=f"run-{index}",
        current_status=rng.choice(PIPELINE_EXECUTION_STATUSES),
        previous_status="Executing",
        execution_start_time="2026-03-15T16:03:13Z",
        **_where(index),
    )


def _step(rng, index):
    status = rng.choice(STEP_STATUSES)
    return pipeline_step_status_change(
        pipeline_arn=sagemaker_arn(REGION, ACCOUNT, "pipeline", "churn-train"),
        pipeline_execution_arn=pipeline_execution_arn(REGION, ACCOUNT, "churn-train", f"x{index}"),
        step_name=rng.choice(["Preprocess", "Train", "Evaluate", "Register"]),
        step_type="Processing",
        current_status=status,
        step_start_time="2026-03-15T16:03:13Z",
        metadata={"processingJob": {"arn": sagemaker_arn(REGION, ACCOUNT, "processing-job", f"p{index}")}},
        failure_reason="ClientError: boom" if status == "Failed" else None,
        **_where(index),
    )


def _model_package(rng, index):
    group = rng.choice(["churn", "churn-lite", "fraud"])
    version = rng.randint(1, 6)
    return model_package_state_change(
        group_name=group,
        version=version,
        package_arn=sagemaker_arn(REGION, ACCOUNT, "model-package", f"{group}/{version}"),
        package_status="Completed",
        approval_status=rng.choice(MODEL_APPROVAL_STATUSES),
        creation_time="2026-03-15T16:00:00.000Z",
        last_modified_time="2026-03-15T16:10:00.000Z",
        updated_fields=["ModelApprovalStatus"],
        **_where(index),
    )


def _endpoint(rng, index):
    name = rng.choice(["churn-staging", "churn-prod", "fraud-staging"])
    return endpoint_state_change(
        endpoint_name=name,
        endpoint_arn=sagemaker_arn(REGION, ACCOUNT, "endpoint", name),
        endpoint_config_name=f"{name}-v{rng.randint(1, 9)}",
        status=rng.choice(ENDPOINT_EVENT_STATUSES),
        production_variants=[endpoint_variant(1.0, rng.randint(1, 3))],
        creation_time=1773590593000,
        last_modified_time=1773590993000,
        **_where(index),
    )


def _training(rng, index):
    status = rng.choice(JOB_STATUSES)
    return training_job_state_change(
        job_name=f"train-{index}",
        job_arn=sagemaker_arn(REGION, ACCOUNT, "training-job", f"train-{index}"),
        status=status,
        secondary_status="Training" if status == "InProgress" else status,
        creation_time=1773590593000,
        last_modified_time=1773590993000,
        failure_reason="AlgorithmError: boom" if status == "Failed" else None,
        **_where(index),
    )


def _processing(rng, index):
    monitoring = rng.random() < 0.5
    return processing_job_state_change(
        job_name=f"proc-{index}",
        job_arn=sagemaker_arn(REGION, ACCOUNT, "processing-job", f"proc-{index}"),
        status=rng.choice(JOB_STATUSES),
        creation_time=1773590593000,
        last_modified_time=1773590993000,
        monitoring_schedule_arn=sagemaker_arn(REGION, ACCOUNT, "monitoring-schedule", "churn") if monitoring else None,
        **_where(index),
    )


def _alarm(rng, index):
    name = rng.choice(["churn-staging-5xx", "churn-prod-5xx", "churn-staging-latency", "billing"])
    value, previous = rng.sample(["OK", "ALARM", "INSUFFICIENT_DATA"], 2)
    return alarm_state_change(
        alarm_name=name,
        alarm_arn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        state=alarm_state(value, "Threshold Crossed", "2026-03-15T16:10:11.123+0000"),
        previous_state=alarm_state(previous, "Threshold Crossed", "2026-03-15T16:00:11.123+0000"),
        metrics=[
            alarm_metric("m1", "AWS/SageMaker", "Invocation5XXErrors", {"EndpointName": "churn-staging"}, 60, "Average")
        ],
        **_where(index),
    )


def _with_version_spelled_as_float(event: dict) -> dict:
    """Not a documented shape: what a producer writing floats would send (3.0 is not 3 by text)."""
    return {**event, "detail": {**event["detail"], "ModelPackageVersion": 3.0}}


def timed(verdict_of, rules, events) -> tuple[float, list[list[bool]]]:
    start = time.perf_counter()
    verdicts = [[verdict_of(rule, event) for event in events] for rule in rules]
    return time.perf_counter() - start, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    events = event_stream(args.events, args.seed)
    events.append(_with_version_spelled_as_float(_model_package(random.Random(args.seed), len(events))))
    texts = [rule.pattern for rule in RULES]
    compiled = {text: compile_pattern(text) for text in texts}
    moto_patterns = {text: EventPattern.load(text) for text in texts}
    calls = len(texts) * len(events)

    ours_api, ours = timed(event_matches, texts, events)
    ours_compiled, _ = timed(lambda text, event: compiled[text](event), texts, events)
    theirs, moto = timed(lambda text, event: moto_patterns[text].matches_event(event), texts, events)

    print(f"EventBridge matching: {len(texts)} rules x {len(events)} events = {calls} matches")
    print(f"  simulacro event_matches (pattern text, compiled once and cached): {calls / ours_api:>12,.0f} matches/s")
    print(
        f"  simulacro compile_pattern(...)(event):                            {calls / ours_compiled:>12,.0f} matches/s"
    )
    print(f"  moto EventPattern.matches_event:                                  {calls / theirs:>12,.0f} matches/s")
    print(
        f"  ratio simulacro event_matches / moto: {theirs / ours_api:.1f}x "
        f"(compiled matcher: {theirs / ours_compiled:.1f}x)"
    )
    report_verdicts(ours, moto)


def report_verdicts(ours: list[list[bool]], moto: list[list[bool]]) -> None:
    compared = disagreements = 0
    for rule, our_row, moto_row in zip(RULES, ours, moto):
        differing = sum(a != b for a, b in zip(our_row, moto_row))
        if rule.moto_is_correct:
            compared += len(our_row)
            disagreements += differing
        else:
            print(
                f"  known moto bug, not compared: {rule.name}: simulacro {sum(our_row)} matches, "
                f"moto {sum(moto_row)} ({differing} verdicts differ)"
            )
    matched = sum(sum(row) for rule, row in zip(RULES, ours) if rule.moto_is_correct)
    print(f"  verdicts on rules moto gets right: {compared} compared, {matched} matches, {disagreements} disagreements")
    if disagreements:
        raise SystemExit("simulacro and moto disagree where moto is believed correct")


if __name__ == "__main__":
    main()
