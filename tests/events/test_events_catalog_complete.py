"""The lint's catalogue is complete: a valid rule on a documented event is never called unmatchable.

SageMaker says its job, endpoint, model and model-package events carry the members of the matching
Describe* answer, so the catalogue must list every output member botocore's model has for them, and
every value of their status enums. When botocore grows a member, this test names it.
"""

import botocore.session
import pytest

from simulacro.events.catalog import DOCUMENTED_EVENTS, SAGEMAKER
from simulacro.events.lint import lint_pattern

SAGEMAKER_MODEL = botocore.session.get_session().get_service_model("sagemaker")
DESCRIBED_BY = {
    "SageMaker Training Job State Change": "DescribeTrainingJob",
    "SageMaker Processing Job State Change": "DescribeProcessingJob",
    "SageMaker Model Package State Change": "DescribeModelPackage",
    "SageMaker Endpoint State Change": "DescribeEndpoint",
    "SageMaker Endpoint Deployment State Change": "DescribeEndpoint",
    "SageMaker Model State Change": "DescribeModel",
}
STATUS_ENUMS = [
    ("SageMaker Training Job State Change", "TrainingJobStatus", "TrainingJobStatus"),
    ("SageMaker Training Job State Change", "SecondaryStatus", "SecondaryStatus"),
    ("SageMaker Processing Job State Change", "ProcessingJobStatus", "ProcessingJobStatus"),
    ("SageMaker Model Package State Change", "ModelPackageStatus", "ModelPackageStatus"),
    ("SageMaker Model Package State Change", "ModelApprovalStatus", "ModelApprovalStatus"),
    (
        "SageMaker Model Building Pipeline Execution Status Change",
        "currentPipelineExecutionStatus",
        "PipelineExecutionStatus",
    ),
    ("SageMaker Model Building Pipeline Execution Step Status Change", "currentStepStatus", "StepStatus"),
    ("SageMaker Endpoint Deployment State Change", "ProductionVariants.VariantStatus.Status", "VariantStatus"),
]


@pytest.mark.parametrize("detail_type, operation", DESCRIBED_BY.items())
def test_every_describe_member_is_a_documented_detail_field(detail_type, operation):
    event = DOCUMENTED_EVENTS[(SAGEMAKER, detail_type)]
    members = SAGEMAKER_MODEL.operation_model(operation).output_shape.members
    assert [m for m in members if m not in event.detail_fields] == []


@pytest.mark.parametrize("detail_type, field, enum", STATUS_ENUMS)
def test_every_status_value_of_the_api_is_a_documented_value(detail_type, field, enum):
    event = DOCUMENTED_EVENTS[(SAGEMAKER, detail_type)]
    assert [v for v in SAGEMAKER_MODEL.shape_for(enum).enum if v not in event.status_values[field]] == []


@pytest.mark.parametrize(
    "pattern",
    [
        {
            "source": ["aws.cloudwatch"],
            "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {"muteDetail": {"mutedByArn": [{"exists": True}]}},
        },
        {
            "source": ["aws.cloudwatch"],
            "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {"state": {"actionsSuppressedBy": ["WaitPeriod"]}},
        },
        {
            "source": ["aws.cloudwatch"],
            "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {"configuration": {"alarmRule": [{"prefix": "ALARM("}]}},
        },
        {
            "source": ["aws.cloudwatch"],
            "detail-type": ["CloudWatch Alarm Configuration Change"],
            "detail": {"operation": ["delete"]},
        },
        {
            "source": ["aws.cloudwatch"],
            "detail-type": ["CloudWatch Alarm Configuration Change"],
            "detail": {"previousConfiguration": {"threshold": [{"numeric": [">", 0]}]}},
        },
        {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm Contributor State Change"]},
        {
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Model Package State Change"],
            "detail": {"ModelLifeCycle": {"Stage": ["Production"]}},
        },
        {
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Model Building Pipeline Execution Step Status Change"],
            "detail": {"cacheHitResult": {"sourcePipelineExecutionArn": [{"exists": True}]}},
        },
        {
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Endpoint Deployment State Change"],
            "detail": {"ProductionVariants": {"VariantStatus": {"Status": ["Deleting"]}}},
        },
        {
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Model State Change"],
            "detail": {"ModelName": [{"prefix": "churn"}]},
        },
        {
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Training Job State Change"],
            "detail": {"TrainingJobStatus": ["Deleting"]},
        },
        {
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Model Building Pipeline Execution Status Change"],
            "detail": {"currentPipelineExecutionStatus": ["CompletedWithFailures"]},
        },
        {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Monitoring Schedule State Change"]},
        {"source": ["my.app"], "detail-type": ["Anything At All"], "detail": {"whatever": ["x"]}},
    ],
)
def test_valid_rules_on_documented_members_are_never_called_unmatchable(pattern):
    assert lint_pattern(pattern) == []


@pytest.mark.parametrize(
    "pattern, words",
    [
        (
            {
                "source": ["aws.cloudwatch"],
                "detail-type": ["CloudWatch Alarm Configuration Change"],
                "detail": {"operation": ["Delete"]},
            },
            'spells it "delete"',
        ),
        (
            {
                "source": ["aws.cloudwatch"],
                "detail-type": ["CloudWatch Alarm State Change"],
                "detail": {"mutedetail": {"mutedByArn": [{"exists": True}]}},
            },
            'spells it "muteDetail"',
        ),
        (
            {
                "source": ["aws.sagemaker"],
                "detail-type": ["SageMaker Model Package State Change"],
                "detail": {"ModelLifeCycle": {"stage": ["Production"]}},
            },
            'spells it "Stage"',
        ),
    ],
)
def test_misspelt_members_and_values_of_the_new_entries_are_still_caught(pattern, words):
    findings = lint_pattern(pattern)
    assert findings and words in findings[0].message
