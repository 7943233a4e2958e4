"""Pipeline executions of the local AWS follow the definition's dependencies (DependsOn and data dependencies),
retry failed executions, stop training jobs, and register a model package version from a RegisterModel step."""

import json

import pytest
from botocore.exceptions import ClientError

from simulacro.emulator.pipeline_graph import DefinitionError, check_definition, dependencies
from simulacro.emulator.pipelines import STOPPING_SECONDS
from simulacro.provision.pipeline_definition import pipeline_definition
from simulacro.spec import load_stack
from simulacro.target.targets import LocalTarget
from support.sagemaker_events import catch_sagemaker_events

GROUP = "graph-models"
QUEUE = "emulator-graph-events"
ARTIFACTS = {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}


def _definition(steps, durations, fault="none"):
    return {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "FailStep", "Type": "String", "DefaultValue": fault}],
        "Steps": steps,
        "Metadata": {
            "Simulacro": {"FaultParameter": "FailStep", "NoFaultValue": "none", "StepDurationSeconds": durations}
        },
    }


def _register_arguments(group=GROUP, model_data=ARTIFACTS):
    return {
        "ModelPackageGroupName": group,
        "ModelApprovalStatus": "PendingManualApproval",
        "InferenceSpecification": {
            "Containers": [{"Image": "sklearn", "ModelDataUrl": model_data}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    }


# Listed out of order on purpose: Register reads Train's artifacts; Train and Baseline both wait for Prepare.
DIAMOND = _definition(
    [
        {"Name": "Register", "Type": "RegisterModel", "Arguments": _register_arguments(), "DependsOn": ["Baseline"]},
        {"Name": "Train", "Type": "Training", "Arguments": {}, "DependsOn": ["Prepare"]},
        {
            "Name": "Baseline",
            "Type": "Processing",
            "Arguments": {"Input": {"Get": "Steps.Prepare.ProcessingOutputConfig.Outputs"}},
        },
        {"Name": "Prepare", "Type": "Processing", "Arguments": {}},
    ],
    {"Prepare": 60, "Train": 600, "Baseline": 120, "Register": 30},
)


@pytest.fixture(scope="module")
def target(aws):
    target = LocalTarget(load_stack(), aws)
    sm = target.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    role = f"arn:aws:iam::{target.account()}:role/pipeline"
    sm.create_pipeline(PipelineName="diamond", RoleArn=role, PipelineDefinition=json.dumps(DIAMOND))
    _catch(target)
    return target


@pytest.fixture
def sm(target):
    return target.client("sagemaker")


def _steps(sm, arn):
    return {
        s["StepName"]: s
        for s in sm.list_pipeline_execution_steps(PipelineExecutionArn=arn, SortOrder="Ascending")[
            "PipelineExecutionSteps"
        ]
    }


def _status(sm, arn):
    return sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]


def test_steps_run_in_dependency_order_with_independent_steps_in_parallel(aws, sm):
    arn = sm.start_pipeline_execution(PipelineName="diamond")["PipelineExecutionArn"]
    assert list(_steps(sm, arn)) == ["Prepare"]
    aws.clock.sleep(60)
    steps = _steps(sm, arn)
    assert {n: s["StepStatus"] for n, s in steps.items()} == {
        "Prepare": "Succeeded",
        "Train": "Executing",
        "Baseline": "Executing",
    }
    assert steps["Train"]["StartTime"] == steps["Baseline"]["StartTime"]
    aws.clock.sleep(120)
    assert "Register" not in _steps(sm, arn), "Register reads Train's model artifacts: it waits for Train"
    aws.clock.sleep(480 + 30)
    steps = _steps(sm, arn)
    assert _status(sm, arn) == "Succeeded"
    assert list(steps) == ["Prepare", "Train", "Baseline", "Register"]  # by start time, then definition order
    assert steps["Register"]["StartTime"] == steps["Train"]["EndTime"]


def test_a_successful_run_registers_a_model_package_version_generated_by_the_execution(aws, target, sm):
    arn = sm.start_pipeline_execution(PipelineName="diamond")["PipelineExecutionArn"]
    aws.clock.sleep(60 + 600 + 30)
    register = _steps(sm, arn)["Register"]
    package_arn = register["Metadata"]["RegisterModel"]["Arn"]
    package = sm.describe_model_package(ModelPackageName=package_arn)
    assert package["ModelPackageGroupName"] == GROUP and package["ModelApprovalStatus"] == "PendingManualApproval"
    assert package["MetadataProperties"]["GeneratedBy"] == arn
    train_job = _steps(sm, arn)["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"].endswith(
        f"/{train_job}/output/model.tar.gz"
    )
    events = _events(target, "SageMaker Model Package State Change")
    assert any(
        e["detail"]["ModelPackageArn"] == package_arn and e["detail"]["MetadataProperties"]["GeneratedBy"] == arn
        for e in events
    )
    step_events = [
        e
        for e in _events(target, "SageMaker Model Building Pipeline Execution Step Status Change")
        if e["detail"]["pipelineExecutionArn"] == arn and e["detail"]["stepName"] == "Register"
    ]
    assert step_events[-1]["detail"]["metadata"] == {"registerModel": {"arn": package_arn}}


def test_a_register_step_naming_a_missing_group_fails_the_run(aws, sm):
    definition = _definition(
        [
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": _register_arguments("no-such-group", "s3://models/model.tar.gz"),
            }
        ],
        {"Register": 30},
    )
    sm.create_pipeline(
        PipelineName="bad-group", RoleArn="arn:aws:iam::123456789012:role/p", PipelineDefinition=json.dumps(definition)
    )
    arn = sm.start_pipeline_execution(PipelineName="bad-group")["PipelineExecutionArn"]
    aws.clock.sleep(30)
    assert _status(sm, arn) == "Failed"
    assert "no-such-group" in _steps(sm, arn)["Register"]["FailureReason"]


def test_a_failed_step_lets_its_parallel_sibling_finish_then_the_execution_fails(aws, sm):
    arn = sm.start_pipeline_execution(
        PipelineName="diamond", PipelineParameters=[{"Name": "FailStep", "Value": "Baseline"}]
    )["PipelineExecutionArn"]
    aws.clock.sleep(60 + 120)
    assert _status(sm, arn) == "Executing", "Train is still running"
    assert _steps(sm, arn)["Baseline"]["StepStatus"] == "Failed"
    aws.clock.sleep(480)
    steps = _steps(sm, arn)
    assert _status(sm, arn) == "Failed" and steps["Train"]["StepStatus"] == "Succeeded" and "Register" not in steps


def test_a_retry_runs_the_failed_steps_again_and_not_the_succeeded_ones(aws, sm):
    arn = sm.start_pipeline_execution(
        PipelineName="diamond", PipelineParameters=[{"Name": "FailStep", "Value": "Register"}]
    )["PipelineExecutionArn"]
    aws.clock.sleep(60 + 600 + 30)
    assert _status(sm, arn) == "Failed"
    with pytest.raises(ClientError, match="only an Executing execution"):
        sm.stop_pipeline_execution(PipelineExecutionArn=arn)  # a Failed execution cannot be stopped either
    sm.retry_pipeline_execution(PipelineExecutionArn=arn)
    assert _status(sm, arn) == "Executing"
    steps = _steps(sm, arn)
    assert steps["Register"]["StepStatus"] == "Executing" and steps["Register"]["AttemptCount"] == 2
    assert steps["Train"]["AttemptCount"] == 1 and steps["Train"]["StepStatus"] == "Succeeded"
    aws.clock.sleep(30)
    assert _status(sm, arn) == "Failed", "the fault parameter still names Register: the retry fails the same way"


def test_only_a_failed_execution_can_be_retried(aws, sm):
    arn = sm.start_pipeline_execution(PipelineName="diamond")["PipelineExecutionArn"]
    with pytest.raises(ClientError, match="only a Failed execution can be retried") as refused:
        sm.retry_pipeline_execution(PipelineExecutionArn=arn)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    aws.clock.sleep(60 + 600 + 30)


def test_stopping_a_pipeline_training_job_fails_its_step_and_the_execution(aws, target, sm):
    arn = sm.start_pipeline_execution(PipelineName="diamond")["PipelineExecutionArn"]
    aws.clock.sleep(90)
    job_name = _steps(sm, arn)["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    sm.stop_training_job(TrainingJobName=job_name)
    described = sm.describe_training_job(TrainingJobName=job_name)
    assert (described["TrainingJobStatus"], described["SecondaryStatus"]) == ("Stopping", "Stopping")
    aws.clock.sleep(STOPPING_SECONDS)
    assert sm.describe_training_job(TrainingJobName=job_name)["TrainingJobStatus"] == "Stopped"
    train = _steps(sm, arn)["Train"]
    assert train["StepStatus"] == "Failed" and "was stopped" in train["FailureReason"]
    aws.clock.sleep(600)
    assert _status(sm, arn) == "Failed"
    statuses = [
        e["detail"]["TrainingJobStatus"]
        for e in _events(target, "SageMaker Training Job State Change")
        if e["detail"]["TrainingJobName"] == job_name
    ]
    assert statuses == ["InProgress", "Stopping", "Stopped"]
    with pytest.raises(ClientError, match="status Stopped"):
        sm.stop_training_job(TrainingJobName=job_name)


def test_stopping_an_unknown_training_job_is_refused(sm):
    with pytest.raises(ClientError, match="does not exist"):
        sm.stop_training_job(TrainingJobName="no-such-job")


@pytest.mark.parametrize(
    "steps,message",
    [
        (
            [
                {"Name": "A", "Type": "Processing", "DependsOn": ["B"]},
                {"Name": "B", "Type": "Processing", "DependsOn": ["A"]},
            ],
            "dependency cycle: A -> B -> A",
        ),
        ([{"Name": "A", "Type": "Processing", "DependsOn": ["Nope"]}], "Step A depends on Nope, which is not a step"),
        (
            [{"Name": "A", "Type": "Processing", "Arguments": {"X": {"Get": "Steps.Ghost.Properties"}}}],
            "Step A depends on Ghost",
        ),
        (
            [{"Name": "A", "Type": "Processing"}, {"Name": "A", "Type": "Training"}],
            "Step name A is used more than once",
        ),
    ],
)
def test_a_definition_that_cannot_run_is_refused_at_create_pipeline(sm, steps, message):
    with pytest.raises(DefinitionError, match=message):
        check_definition({"Steps": steps})
    with pytest.raises(ClientError, match=message) as refused:
        sm.create_pipeline(
            PipelineName="cannot-run",
            RoleArn="arn:aws:iam::123456789012:role/p",
            PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": steps}),
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_data_dependencies_are_found_inside_joins_and_json_gets():
    step = {
        "Name": "Check",
        "Type": "Condition",
        "DependsOn": ["Prepare"],
        "Arguments": {
            "Conditions": [
                {
                    "LeftValue": {
                        "Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"}, "Path": "auc"}
                    },
                    "RightValue": {
                        "Std:Join": {"On": "/", "Values": [{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}, "x"]}
                    },
                }
            ]
        },
    }
    assert dependencies(step) == ("Prepare", "Evaluate", "Train")


def test_the_provisioned_register_step_registers_in_the_environments_group():
    stack = load_stack()
    pipeline = stack.pipeline("churn-training")
    definition = pipeline_definition(pipeline, model_package_group="churn-models", model=stack.models[0])
    register = next(s for s in definition["Steps"] if s["Type"] == "RegisterModel")
    assert register["Arguments"]["ModelPackageGroupName"] == "churn-models"
    assert register["Arguments"]["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == ARTIFACTS
    check_definition(definition)


def _catch(target):
    catch_sagemaker_events(target, QUEUE)


_seen: list[dict] = []


def _events(target, detail_type):
    sqs = target.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600).get(
        "Messages", []
    ):
        _seen.extend(json.loads(m["Body"]) for m in messages)
    return [e for e in _seen if e["detail-type"] == detail_type]
