"""Pipeline executions of the local AWS run step by step in virtual time and fail when told to."""

import json

import pytest
from botocore.exceptions import ClientError

from simulacro.emulator.metric_store import metric_key
from simulacro.emulator.pipelines import NAMESPACE, STOPPING_SECONDS
from simulacro.provision.pipeline_definition import pipeline_definition
from simulacro.spec import load_stack
from simulacro.target.targets import LocalTarget

PIPELINE = "churn-training"
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
QUEUE = "emulator-pipeline-events"
TOTAL_SECONDS = 4 * 60 + 12 * 60 + 3 * 60 + 30


@pytest.fixture(scope="module")
def target(aws):
    stack = load_stack()
    target = LocalTarget(stack, aws)
    target.client("sagemaker").create_pipeline(
        PipelineName=PIPELINE,
        RoleArn=f"arn:aws:iam::{target.account()}:role/pipeline",
        PipelineDefinition=json.dumps(pipeline_definition(stack.pipeline(PIPELINE))),
    )
    _catch_sagemaker_events(target)
    return target


@pytest.fixture
def sm(target):
    return target.client("sagemaker")


def start(sm, fail_step=None):
    parameters = [{"Name": "SimulacroFailStep", "Value": fail_step}] if fail_step else []
    return sm.start_pipeline_execution(PipelineName=PIPELINE, PipelineParameters=parameters)["PipelineExecutionArn"]


def steps_of(sm, arn):
    return {
        s["StepName"]: s for s in sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]
    }


def test_an_execution_without_fault_runs_every_step_in_order_and_succeeds(aws, target, sm):
    started = aws.clock.now()
    arn = start(sm)
    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Executing"
    assert {n: s["StepStatus"] for n, s in steps_of(sm, arn).items()} == {"Preprocess": "Executing"}

    aws.clock.sleep(TOTAL_SECONDS)

    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Succeeded"
    steps = steps_of(sm, arn)
    assert [s["StepStatus"] for s in steps.values()] == ["Succeeded"] * 4
    assert list(steps) == ["Register", "Evaluate", "Train", "Preprocess"]  # newest first, as AWS lists them
    assert (steps["Train"]["EndTime"] - steps["Train"]["StartTime"]).total_seconds() == 12 * 60
    assert steps["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1].startswith("pipelines-")
    assert "Metadata" not in steps["Register"]
    assert _sum(aws, target, "ExecutionSucceeded", started) == 1
    assert _sum(aws, target, "ExecutionStarted", started) == 1
    assert _values(aws, target, "ExecutionDuration", started) == [TOTAL_SECONDS * 1000]
    assert _values(aws, target, "StepDuration", started, step="Train") == [12 * 60 * 1000]
    assert _sum(aws, target, "StepSucceeded", started, step="Register") == 1


def test_a_training_step_fails_when_the_fault_parameter_names_it(aws, target, sm):
    started = aws.clock.now()
    arn = start(sm, fail_step="Train")
    aws.clock.sleep(TOTAL_SECONDS)

    described = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert described["PipelineExecutionStatus"] == "Failed"
    assert described["FailureReason"]
    steps = steps_of(sm, arn)
    assert set(steps) == {"Preprocess", "Train"}  # later steps never start
    assert steps["Train"]["StepStatus"] == "Failed"
    assert steps["Train"]["FailureReason"] == "AlgorithmError: training diverged (loss is NaN)"
    job_arn = steps["Train"]["Metadata"]["TrainingJob"]["Arn"]
    job = sm.describe_training_job(TrainingJobName=job_arn.split("/")[-1])
    assert (job["TrainingJobStatus"], job["FailureReason"]) == (
        "Failed",
        "AlgorithmError: training diverged (loss is NaN)",
    )
    listed = sm.list_training_jobs(StatusEquals="Failed")["TrainingJobSummaries"]
    assert job_arn in [j["TrainingJobArn"] for j in listed]

    events = _events_of(target, arn, job_arn)
    executions = [
        e["detail"]["currentPipelineExecutionStatus"] for e in events if "currentPipelineExecutionStatus" in e["detail"]
    ]
    assert executions == ["Executing", "Failed"]
    train = [e["detail"] for e in events if e["detail"].get("stepName") == "Train"]
    assert [d["currentStepStatus"] for d in train] == ["Starting", "Executing", "Failed"]
    assert train[-1]["failureReason"] == "AlgorithmError: training diverged (loss is NaN)"
    assert train[-1]["metadata"] == {"trainingJob": {"arn": job_arn}}
    jobs = [e["detail"] for e in events if e["detail-type"] == "SageMaker Training Job State Change"]
    assert [d["TrainingJobStatus"] for d in jobs] == ["InProgress", "Failed"]
    assert jobs[-1]["FailureReason"] == "AlgorithmError: training diverged (loss is NaN)"

    assert _sum(aws, target, "StepFailed", started, step="Train") == 1
    assert _sum(aws, target, "ExecutionFailed", started) == 1
    assert _sum(aws, target, "StepStarted", started, step="Evaluate") == 0
    lines = _log_lines(target, job_arn.split("/")[-1])
    assert "AlgorithmError: training diverged (loss is NaN)" in lines
    assert "Traceback (most recent call last):" in lines


def test_a_processing_step_fails_with_its_own_reason(aws, target, sm):
    arn = start(sm, fail_step="Evaluate")
    aws.clock.sleep(TOTAL_SECONDS)

    steps = steps_of(sm, arn)
    assert [steps[n]["StepStatus"] for n in ("Preprocess", "Train", "Evaluate")] == ["Succeeded", "Succeeded", "Failed"]
    assert "Register" not in steps
    job_arn = steps["Evaluate"]["Metadata"]["ProcessingJob"]["Arn"]
    job = sm.describe_processing_job(ProcessingJobName=job_arn.split("/")[-1])
    assert job["ProcessingJobStatus"] == "Failed"
    assert job["FailureReason"] == "ClientError: evaluation AUC 0.61 below MinAuc 0.78"
    events = _events_of(target, arn, job_arn)
    processing = [e["detail"] for e in events if e["detail-type"] == "SageMaker Processing Job State Change"]
    assert [d["ProcessingJobStatus"] for d in processing] == ["InProgress", "Failed"]
    step = [e["detail"] for e in events if e["detail"].get("stepName") == "Evaluate"][-1]
    assert step["metadata"] == {"processingJob": {"arn": job_arn}}
    assert "ClientError: evaluation AUC 0.61 below MinAuc 0.78" in _log_lines(target, job_arn.split("/")[-1])


def test_a_stopped_execution_stops_its_running_step_and_goes_no_further(aws, target, sm):
    started = aws.clock.now()
    arn = start(sm)
    aws.clock.sleep(5 * 60)  # Train is running
    sm.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Stopping"

    aws.clock.sleep(STOPPING_SECONDS)
    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Stopped"
    aws.clock.sleep(TOTAL_SECONDS)
    steps = steps_of(sm, arn)
    assert {n: s["StepStatus"] for n, s in steps.items()} == {"Train": "Stopped", "Preprocess": "Succeeded"}
    job = sm.describe_training_job(TrainingJobName=steps["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1])
    assert job["TrainingJobStatus"] == "Stopped"
    assert _sum(aws, target, "ExecutionStopped", started) == 1
    assert _sum(aws, target, "StepStopped", started, step="Train") == 1
    with pytest.raises(ClientError, match="only an Executing execution can be stopped"):
        sm.stop_pipeline_execution(PipelineExecutionArn=arn)


def test_executions_are_listed_newest_first_with_the_status_describe_reports(aws, sm):
    first = start(sm)
    aws.clock.sleep(60)
    second = start(sm, fail_step="Preprocess")
    aws.clock.sleep(TOTAL_SECONDS)
    listed = sm.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"]
    assert [e["PipelineExecutionArn"] for e in listed[:2]] == [second, first]
    for summary in listed:
        described = sm.describe_pipeline_execution(PipelineExecutionArn=summary["PipelineExecutionArn"])
        assert summary["PipelineExecutionStatus"] == described["PipelineExecutionStatus"]
    assert listed[0]["PipelineExecutionFailureReason"]
    parameters = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=second)["PipelineParameters"]
    assert {"Name": "SimulacroFailStep", "Value": "Preprocess"} in parameters


def test_a_parameter_the_definition_does_not_declare_is_refused(sm):
    with pytest.raises(ClientError, match="SimulacroFail are not defined"):
        sm.start_pipeline_execution(
            PipelineName=PIPELINE, PipelineParameters=[{"Name": "SimulacroFail", "Value": "Train"}]
        )


def test_an_unknown_execution_is_not_found(sm, target):
    arn = f"arn:aws:sagemaker:eu-west-1:{target.account()}:pipeline/{PIPELINE}/execution/nosuchexecution"
    with pytest.raises(ClientError, match="ResourceNotFound"):
        sm.describe_pipeline_execution(PipelineExecutionArn=arn)


# --- helpers ---------------------------------------------------------------------------


def _catch_sagemaker_events(target):
    sqs, events = target.client("sqs"), target.client("events")
    queue_arn = f"arn:aws:sqs:{target.region}:{target.account()}:{QUEUE}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            }
        ],
    }
    sqs.create_queue(QueueName=QUEUE, Attributes={"Policy": json.dumps(policy)})
    events.put_rule(Name="emulator-pipeline-events", EventPattern=json.dumps({"source": ["aws.sagemaker"]}))
    events.put_targets(Rule="emulator-pipeline-events", Targets=[{"Id": "queue", "Arn": queue_arn}])


def _events_of(target, execution_arn, job_arn):
    """Every SageMaker event about the execution or its job, in the order they were sent."""
    sqs = target.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    found = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600).get("Messages", [])
        if not messages:
            break
        found += [json.loads(m["Body"]) for m in messages]
    return [e for e in found if execution_arn in e["resources"] or job_arn in e["resources"]]


def _log_lines(target, job_name):
    logs = target.client("logs")
    stream = logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=job_name)["logStreams"][0][
        "logStreamName"
    ]
    assert stream.startswith(f"{job_name}/algo-1-")
    events = logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=stream, startFromHead=True)["events"]
    return [e["message"] for e in events]


def _values(aws, target, name, since, step=None):
    dimensions = {"PipelineName": PIPELINE, **({"StepName": step} if step else {})}
    key = metric_key(target.account(), target.region, NAMESPACE, name, dimensions)
    return [value for _, value in aws.metrics.samples(key, since.timestamp(), aws.clock.now().timestamp() + 1)]


def _sum(aws, target, name, since, step=None):
    return sum(_values(aws, target, name, since, step))


def test_executions_page_with_a_next_token_and_a_made_up_token_is_refused(sm):
    for _ in range(3):
        start(sm)
    first = sm.list_pipeline_executions(PipelineName=PIPELINE, MaxResults=2)
    assert len(first["PipelineExecutionSummaries"]) == 2 and first["NextToken"]
    every = sm.get_paginator("list_pipeline_executions").paginate(
        PipelineName=PIPELINE, PaginationConfig={"PageSize": 2}
    )
    arns = [e["PipelineExecutionArn"] for e in every.search("PipelineExecutionSummaries[]")]
    assert len(arns) == len(set(arns)) >= 3
    with pytest.raises(ClientError) as refused:
        sm.list_pipeline_executions(PipelineName=PIPELINE, NextToken="not-a-token")
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_a_page_size_over_the_api_maximum_is_refused_as_aws_refuses_it(local_aws):
    from simulacro.target.local_clients import local_client

    sagemaker = local_client(local_aws.url, "sagemaker", "123456789012", "eu-west-1", local_aws.app)
    with pytest.raises(ClientError) as refused:
        sagemaker.list_pipeline_executions(PipelineName="any", MaxResults=1000)
    assert refused.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value '1000' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    }
