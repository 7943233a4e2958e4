"""The events AWS documents for our stack: which fields each carries, which statuses it can hold.

Source: reference/AWS-FACTS.md §1 and §3 (AWS's SageMaker and CloudWatch event documentation);
the field lists of the job and model-package events follow their Describe APIs (botocore's model),
as AWS says they do. The builders in `shapes` and the pattern lint both read this table.
"""

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

SAGEMAKER = "aws.sagemaker"
CLOUDWATCH = "aws.cloudwatch"
DOCUMENTED_SOURCES = (SAGEMAKER, CLOUDWATCH)

PIPELINE_EXECUTION_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Status Change"
PIPELINE_STEP_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Step Status Change"
MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
ENDPOINT_STATE_CHANGE = "SageMaker Endpoint State Change"
ENDPOINT_DEPLOYMENT_STATE_CHANGE = "SageMaker Endpoint Deployment State Change"
TRAINING_JOB_STATE_CHANGE = "SageMaker Training Job State Change"
PROCESSING_JOB_STATE_CHANGE = "SageMaker Processing Job State Change"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"

PIPELINE_EXECUTION_STATUSES = ("Executing", "Stopping", "Stopped", "Failed", "Succeeded")
STEP_STATUSES = ("Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded")
MODEL_PACKAGE_STATUSES = ("Pending", "InProgress", "Completed", "Failed", "Deleting")
MODEL_APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")
JOB_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
TRAINING_SECONDARY_STATUSES = (
    "Starting", "LaunchingMLInstances", "PreparingTrainingStack", "Downloading",
    "DownloadingTrainingImage", "Training", "Uploading", "Stopping", "Stopped",
    "MaxRuntimeExceeded", "Completed", "Failed", "Interrupted", "MaxWaitTimeExceeded",
    "Updating", "Restarting", "Pending",
)
# DescribeEndpoint spells statuses in PascalCase; the endpoint events in UPPER_SNAKE_CASE.
ENDPOINT_API_STATUSES = (
    "OutOfService", "Creating", "Updating", "SystemUpdating", "RollingBack",
    "InService", "Deleting", "Failed", "UpdateRollbackFailed",
)
ENDPOINT_EVENT_STATUSES = (
    "OUT_OF_SERVICE", "CREATING", "UPDATING", "SYSTEM_UPDATING", "ROLLING_BACK",
    "IN_SERVICE", "DELETING", "FAILED", "UPDATE_ROLLBACK_FAILED",
)
VARIANT_STATUSES = ("Creating", "Updating", "ActivatingTraffic", "Baking")
ALARM_STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


@dataclass(frozen=True)
class DocumentedEvent:
    """One (source, detail-type): its detail fields and the values of its status fields.

    `status_values` is keyed by the dotted path inside `detail` (arrays are transparent, as in
    patterns); `nested_fields` lists the members of objects whose members are documented.
    """

    source: str
    detail_type: str
    detail_fields: tuple[str, ...]
    status_values: Mapping[str, tuple[str, ...]]
    nested_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_PIPELINE_EXECUTION_FIELDS = (
    "pipelineArn", "pipelineExecutionArn", "pipelineExecutionDisplayName",
    "pipelineExecutionDescription", "currentPipelineExecutionStatus",
    "previousPipelineExecutionStatus", "executionStartTime", "executionEndTime",
)
_PIPELINE_STEP_FIELDS = (
    "stepName", "stepType", "currentStepStatus", "previousStepStatus", "stepStartTime",
    "stepEndTime", "pipelineArn", "pipelineExecutionArn", "metadata", "failureReason",
)
_MODEL_PACKAGE_FIELDS = (
    "ModelPackageName", "ModelPackageGroupName", "ModelPackageVersion", "ModelPackageArn",
    "ModelPackageDescription", "CreationTime", "InferenceSpecification",
    "SourceAlgorithmSpecification", "ValidationSpecification", "ModelPackageStatus",
    "ModelPackageStatusDetails", "CertifyForMarketplace", "ModelApprovalStatus", "CreatedBy",
    "MetadataProperties", "ModelMetrics", "LastModifiedTime", "LastModifiedBy",
    "ApprovalDescription", "Domain", "Task", "SamplePayloadUrl", "CustomerMetadataProperties",
    "DriftCheckBaselines", "AdditionalInferenceSpecifications", "SkipModelValidation",
    "SourceUri", "UpdatedModelPackageFields", "Tags",
)
_ENDPOINT_FIELDS = (
    "EndpointName", "EndpointArn", "EndpointConfigName", "ProductionVariants", "EndpointStatus",
    "FailureReason", "CreationTime", "LastModifiedTime", "Tags",
)
_TRAINING_JOB_FIELDS = (
    "TrainingJobName", "TrainingJobArn", "TuningJobArn", "LabelingJobArn", "AutoMLJobArn",
    "ModelArtifacts", "TrainingJobStatus", "SecondaryStatus", "FailureReason", "HyperParameters",
    "AlgorithmSpecification", "RoleArn", "InputDataConfig", "OutputDataConfig", "ResourceConfig",
    "WarmPoolStatus", "VpcConfig", "StoppingCondition", "CreationTime", "TrainingStartTime",
    "TrainingEndTime", "LastModifiedTime", "SecondaryStatusTransitions", "FinalMetricDataList",
    "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining", "CheckpointConfig", "TrainingTimeInSeconds",
    "BillableTimeInSeconds", "DebugHookConfig", "ExperimentConfig", "DebugRuleConfigurations",
    "TensorBoardOutputConfig", "DebugRuleEvaluationStatuses", "ProfilerConfig",
    "ProfilerRuleConfigurations", "ProfilerRuleEvaluationStatuses", "ProfilingStatus",
    "Environment", "RetryStrategy", "Tags",
)
_PROCESSING_JOB_FIELDS = (
    "ProcessingInputs", "ProcessingOutputConfig", "ProcessingJobName", "ProcessingResources",
    "StoppingCondition", "AppSpecification", "Environment", "NetworkConfig", "RoleArn",
    "ExperimentConfig", "ProcessingJobArn", "ProcessingJobStatus", "ExitMessage",
    "FailureReason", "ProcessingEndTime", "ProcessingStartTime", "LastModifiedTime",
    "CreationTime", "MonitoringScheduleArn", "AutoMLJobArn", "TrainingJobArn", "Tags",
)
_ALARM_STATE_FIELDS = (
    "value", "reason", "reasonData", "timestamp", "actionsSuppressedBy", "actionsSuppressedReason",
)


def _documented(source: str, detail_type: str, fields: tuple[str, ...], statuses: dict, nested: dict | None = None):
    event = DocumentedEvent(source, detail_type, fields, MappingProxyType(statuses), MappingProxyType(nested or {}))
    return (source, detail_type), event


DOCUMENTED_EVENTS: Mapping[tuple[str, str], DocumentedEvent] = MappingProxyType(dict([
    _documented(SAGEMAKER, PIPELINE_EXECUTION_STATUS_CHANGE, _PIPELINE_EXECUTION_FIELDS, {
        "currentPipelineExecutionStatus": PIPELINE_EXECUTION_STATUSES,
        "previousPipelineExecutionStatus": PIPELINE_EXECUTION_STATUSES,
    }),
    _documented(SAGEMAKER, PIPELINE_STEP_STATUS_CHANGE, _PIPELINE_STEP_FIELDS, {
        "currentStepStatus": STEP_STATUSES,
        "previousStepStatus": STEP_STATUSES,
    }),
    _documented(SAGEMAKER, MODEL_PACKAGE_STATE_CHANGE, _MODEL_PACKAGE_FIELDS, {
        "ModelPackageStatus": MODEL_PACKAGE_STATUSES,
        "ModelApprovalStatus": MODEL_APPROVAL_STATUSES,
    }),
    _documented(SAGEMAKER, ENDPOINT_STATE_CHANGE, _ENDPOINT_FIELDS, {
        "EndpointStatus": ENDPOINT_EVENT_STATUSES,
    }),
    _documented(SAGEMAKER, ENDPOINT_DEPLOYMENT_STATE_CHANGE, _ENDPOINT_FIELDS + ("PendingDeploymentSummary",), {
        "EndpointStatus": ENDPOINT_EVENT_STATUSES,
        "ProductionVariants.VariantStatus.Status": VARIANT_STATUSES,
    }),
    _documented(SAGEMAKER, TRAINING_JOB_STATE_CHANGE, _TRAINING_JOB_FIELDS, {
        "TrainingJobStatus": JOB_STATUSES,
        "SecondaryStatus": TRAINING_SECONDARY_STATUSES,
    }),
    _documented(SAGEMAKER, PROCESSING_JOB_STATE_CHANGE, _PROCESSING_JOB_FIELDS, {
        "ProcessingJobStatus": JOB_STATUSES,
    }),
    _documented(CLOUDWATCH, ALARM_STATE_CHANGE, ("alarmName", "state", "previousState", "configuration"), {
        "state.value": ALARM_STATES,
        "previousState.value": ALARM_STATES,
    }, nested={"state": _ALARM_STATE_FIELDS, "previousState": _ALARM_STATE_FIELDS}),
]))


# Events these sources also send whose shapes we do not model: known names, so the lint does not
# call them unknown, but it does not check their details either.
OTHER_DETAIL_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    SAGEMAKER: (
        "SageMaker Model State Change",
        "SageMaker HyperParameter Tuning Job State Change",
        "SageMaker Transform Job State Change",
        "SageMaker Feature Group State Change",
        "SageMaker Image State Change",
        "SageMaker Image Version State Change",
        "SageMaker Model Card State Change",
    ),
    CLOUDWATCH: ("CloudWatch Alarm Configuration Change",),
})
CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"


def known_detail_types(source: str) -> tuple[str, ...]:
    """Every detail-type the source is known to send, modelled or not."""
    modelled = tuple(detail_type for (src, detail_type) in DOCUMENTED_EVENTS if src == source)
    return modelled + OTHER_DETAIL_TYPES.get(source, ()) + (CLOUDTRAIL_DETAIL_TYPE,)
