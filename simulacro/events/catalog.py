"""The events AWS documents for our stack: which fields each carries, which statuses it can hold.

Source: reference/AWS-FACTS.md §1 and §3 (AWS's SageMaker and CloudWatch event documentation);
the field lists of the job, endpoint, model and model-package events follow their Describe APIs
(botocore's model, every output member), as AWS says they do; the CloudWatch alarm events follow the
samples of CloudWatch's "Alarm events and EventBridge" page (muteDetail, suppression, composite
alarms, configuration changes). A field or value missing here makes the lint call a valid rule
unmatchable, so the lists err on the side of completeness (tests/test_events_catalog_complete.py
holds them against botocore). The builders in `shapes` and the pattern lint both read this table.
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
MODEL_STATE_CHANGE = "SageMaker Model State Change"
ENDPOINT_STATE_CHANGE = "SageMaker Endpoint State Change"
ENDPOINT_DEPLOYMENT_STATE_CHANGE = "SageMaker Endpoint Deployment State Change"
TRAINING_JOB_STATE_CHANGE = "SageMaker Training Job State Change"
PROCESSING_JOB_STATE_CHANGE = "SageMaker Processing Job State Change"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
ALARM_CONFIGURATION_CHANGE = "CloudWatch Alarm Configuration Change"

PIPELINE_EXECUTION_STATUSES = ("Executing", "Stopping", "Stopped", "Failed", "Succeeded", "CompletedWithFailures")
STEP_STATUSES = ("Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded")
MODEL_PACKAGE_STATUSES = ("Pending", "InProgress", "Completed", "Failed", "Deleting")
MODEL_APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")
JOB_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
TRAINING_JOB_STATUSES = JOB_STATUSES + ("Deleting",)
TRAINING_SECONDARY_STATUSES = (
    "Starting",
    "LaunchingMLInstances",
    "PreparingTrainingStack",
    "Downloading",
    "DownloadingTrainingImage",
    "Training",
    "Uploading",
    "Stopping",
    "Stopped",
    "MaxRuntimeExceeded",
    "Completed",
    "Failed",
    "Interrupted",
    "MaxWaitTimeExceeded",
    "Updating",
    "Restarting",
    "Pending",
)
# DescribeEndpoint spells statuses in PascalCase; the endpoint events in UPPER_SNAKE_CASE.
ENDPOINT_API_STATUSES = (
    "OutOfService",
    "Creating",
    "Updating",
    "SystemUpdating",
    "RollingBack",
    "InService",
    "Deleting",
    "Failed",
    "UpdateRollbackFailed",
)
ENDPOINT_EVENT_STATUSES = (
    "OUT_OF_SERVICE",
    "CREATING",
    "UPDATING",
    "SYSTEM_UPDATING",
    "ROLLING_BACK",
    "IN_SERVICE",
    "DELETING",
    "FAILED",
    "UPDATE_ROLLBACK_FAILED",
)
VARIANT_STATUSES = ("Creating", "Updating", "Deleting", "ActivatingTraffic", "Baking")
ALARM_STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
ALARM_CONFIGURATION_OPERATIONS = ("create", "update", "delete")
ACTIONS_SUPPRESSED_BY = ("WaitPeriod", "ExtensionPeriod", "Alarm")
MODEL_LIFE_CYCLE_FIELDS = ("Stage", "StageStatus", "StageDescription")


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
    "pipelineArn",
    "pipelineExecutionArn",
    "pipelineExecutionDisplayName",
    "pipelineExecutionDescription",
    "currentPipelineExecutionStatus",
    "previousPipelineExecutionStatus",
    "executionStartTime",
    "executionEndTime",
)
_PIPELINE_STEP_FIELDS = (
    "stepName",
    "stepType",
    "currentStepStatus",
    "previousStepStatus",
    "stepStartTime",
    "stepEndTime",
    "pipelineArn",
    "pipelineExecutionArn",
    "metadata",
    "failureReason",
    "cacheHitResult",
)
_MODEL_PACKAGE_FIELDS = (
    "ModelPackageName",
    "ModelPackageGroupName",
    "ModelPackageVersion",
    "ModelPackageArn",
    "ModelPackageDescription",
    "CreationTime",
    "InferenceSpecification",
    "SourceAlgorithmSpecification",
    "ValidationSpecification",
    "ModelPackageStatus",
    "ModelPackageStatusDetails",
    "CertifyForMarketplace",
    "ModelApprovalStatus",
    "CreatedBy",
    "MetadataProperties",
    "ModelMetrics",
    "LastModifiedTime",
    "LastModifiedBy",
    "ApprovalDescription",
    "Domain",
    "Task",
    "SamplePayloadUrl",
    "CustomerMetadataProperties",
    "DriftCheckBaselines",
    "AdditionalInferenceSpecifications",
    "SkipModelValidation",
    "SourceUri",
    "SecurityConfig",
    "ModelCard",
    "ModelLifeCycle",
    "ModelPackageRegistrationType",
    "ManagedStorageType",
    "UpdatedModelPackageFields",
    "Tags",
)
_ENDPOINT_FIELDS = (
    "EndpointName",
    "EndpointArn",
    "EndpointConfigName",
    "ProductionVariants",
    "DataCaptureConfig",
    "EndpointStatus",
    "FailureReason",
    "CreationTime",
    "LastModifiedTime",
    "LastDeploymentConfig",
    "AsyncInferenceConfig",
    "PendingDeploymentSummary",
    "ExplainerConfig",
    "ShadowProductionVariants",
    "MetricsConfig",
    "CrossRegionTrafficConfig",
    "Tags",
)
_MODEL_FIELDS = (
    "ModelName",
    "PrimaryContainer",
    "Containers",
    "InferenceExecutionConfig",
    "ExecutionRoleArn",
    "VpcConfig",
    "CreationTime",
    "ModelArn",
    "EnableNetworkIsolation",
    "DeploymentRecommendation",
    "Tags",
)
_TRAINING_JOB_FIELDS = (
    "TrainingJobName",
    "TrainingJobArn",
    "TuningJobArn",
    "LabelingJobArn",
    "AutoMLJobArn",
    "ModelArtifacts",
    "TrainingJobStatus",
    "SecondaryStatus",
    "FailureReason",
    "HyperParameters",
    "AlgorithmSpecification",
    "RoleArn",
    "InputDataConfig",
    "OutputDataConfig",
    "ResourceConfig",
    "WarmPoolStatus",
    "VpcConfig",
    "StoppingCondition",
    "CreationTime",
    "TrainingStartTime",
    "TrainingEndTime",
    "LastModifiedTime",
    "SecondaryStatusTransitions",
    "FinalMetricDataList",
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining",
    "CheckpointConfig",
    "TrainingTimeInSeconds",
    "BillableTimeInSeconds",
    "DebugHookConfig",
    "ExperimentConfig",
    "DebugRuleConfigurations",
    "TensorBoardOutputConfig",
    "DebugRuleEvaluationStatuses",
    "ProfilerConfig",
    "ProfilerRuleConfigurations",
    "ProfilerRuleEvaluationStatuses",
    "ProfilingStatus",
    "Environment",
    "RetryStrategy",
    "RemoteDebugConfig",
    "InfraCheckConfig",
    "ServerlessJobConfig",
    "MlflowConfig",
    "ModelPackageConfig",
    "MlflowDetails",
    "ProgressInfo",
    "OutputModelPackageArn",
    "BillableTokenCount",
    "Tags",
)
_PROCESSING_JOB_FIELDS = (
    "ProcessingInputs",
    "ProcessingOutputConfig",
    "ProcessingJobName",
    "ProcessingResources",
    "StoppingCondition",
    "AppSpecification",
    "Environment",
    "NetworkConfig",
    "RoleArn",
    "ExperimentConfig",
    "ProcessingJobArn",
    "ProcessingJobStatus",
    "ExitMessage",
    "FailureReason",
    "ProcessingEndTime",
    "ProcessingStartTime",
    "LastModifiedTime",
    "CreationTime",
    "MonitoringScheduleArn",
    "AutoMLJobArn",
    "TrainingJobArn",
    "Tags",
)
_ALARM_STATE_FIELDS = (
    "value",
    "reason",
    "reasonData",
    "timestamp",
    "actionsSuppressedBy",
    "actionsSuppressedReason",
)
_ALARM_MUTE_FIELDS = ("mutedByArn", "muteWindowStart", "muteWindowEnd")
# `configuration` of both alarm events: metric, metric-math, anomaly-detection and composite alarms.
_ALARM_CONFIGURATION_FIELDS = (
    "description",
    "metrics",
    "alarmRule",
    "actionsSuppressor",
    "actionsSuppressorWaitPeriod",
    "actionsSuppressorExtensionPeriod",
    "evaluationPeriods",
    "datapointsToAlarm",
    "threshold",
    "thresholdMetricId",
    "comparisonOperator",
    "treatMissingData",
    "evaluateLowSampleCountPercentile",
    "alarmName",
    "actionsEnabled",
    "timestamp",
    "okActions",
    "alarmActions",
    "insufficientDataActions",
)
_ALARM_STATE_CHANGE_FIELDS = (
    "alarmName",
    "state",
    "previousState",
    "configuration",
    "muteDetail",
    "alarmTags",
    "alarmTagsStatus",
)
_ALARM_CONFIGURATION_CHANGE_FIELDS = (
    "alarmName",
    "operation",
    "state",
    "configuration",
    "previousConfiguration",
    "alarmTags",
    "alarmTagsStatus",
)
_ALARM_NESTED = {
    "state": _ALARM_STATE_FIELDS,
    "previousState": _ALARM_STATE_FIELDS,
    "muteDetail": _ALARM_MUTE_FIELDS,
    "configuration": _ALARM_CONFIGURATION_FIELDS,
    "previousConfiguration": _ALARM_CONFIGURATION_FIELDS,
}


def _documented(
    source: str,
    detail_type: str,
    fields: tuple[str, ...],
    statuses: dict[str, tuple[str, ...]],
    nested: dict[str, tuple[str, ...]] | None = None,
) -> tuple[tuple[str, str], DocumentedEvent]:
    event = DocumentedEvent(source, detail_type, fields, MappingProxyType(statuses), MappingProxyType(nested or {}))
    return (source, detail_type), event


DOCUMENTED_EVENTS: Mapping[tuple[str, str], DocumentedEvent] = MappingProxyType(
    dict(
        [
            _documented(
                SAGEMAKER,
                PIPELINE_EXECUTION_STATUS_CHANGE,
                _PIPELINE_EXECUTION_FIELDS,
                {
                    "currentPipelineExecutionStatus": PIPELINE_EXECUTION_STATUSES,
                    "previousPipelineExecutionStatus": PIPELINE_EXECUTION_STATUSES,
                },
            ),
            _documented(
                SAGEMAKER,
                PIPELINE_STEP_STATUS_CHANGE,
                _PIPELINE_STEP_FIELDS,
                {
                    "currentStepStatus": STEP_STATUSES,
                    "previousStepStatus": STEP_STATUSES,
                },
            ),
            _documented(
                SAGEMAKER,
                MODEL_PACKAGE_STATE_CHANGE,
                _MODEL_PACKAGE_FIELDS,
                {
                    "ModelPackageStatus": MODEL_PACKAGE_STATUSES,
                    "ModelApprovalStatus": MODEL_APPROVAL_STATUSES,
                },
                nested={"ModelLifeCycle": MODEL_LIFE_CYCLE_FIELDS},
            ),
            _documented(SAGEMAKER, MODEL_STATE_CHANGE, _MODEL_FIELDS, {}),
            _documented(
                SAGEMAKER,
                ENDPOINT_STATE_CHANGE,
                _ENDPOINT_FIELDS,
                {
                    "EndpointStatus": ENDPOINT_EVENT_STATUSES,
                },
            ),
            _documented(
                SAGEMAKER,
                ENDPOINT_DEPLOYMENT_STATE_CHANGE,
                _ENDPOINT_FIELDS + ("PendingDeploymentSummary",),
                {
                    "EndpointStatus": ENDPOINT_EVENT_STATUSES,
                    "ProductionVariants.VariantStatus.Status": VARIANT_STATUSES,
                },
            ),
            _documented(
                SAGEMAKER,
                TRAINING_JOB_STATE_CHANGE,
                _TRAINING_JOB_FIELDS,
                {
                    "TrainingJobStatus": TRAINING_JOB_STATUSES,
                    "SecondaryStatus": TRAINING_SECONDARY_STATUSES,
                },
            ),
            _documented(
                SAGEMAKER,
                PROCESSING_JOB_STATE_CHANGE,
                _PROCESSING_JOB_FIELDS,
                {
                    "ProcessingJobStatus": JOB_STATUSES,
                },
            ),
            _documented(
                CLOUDWATCH,
                ALARM_STATE_CHANGE,
                _ALARM_STATE_CHANGE_FIELDS,
                {
                    "state.value": ALARM_STATES,
                    "previousState.value": ALARM_STATES,
                    "state.actionsSuppressedBy": ACTIONS_SUPPRESSED_BY,
                    "previousState.actionsSuppressedBy": ACTIONS_SUPPRESSED_BY,
                },
                nested=_ALARM_NESTED,
            ),
            _documented(
                CLOUDWATCH,
                ALARM_CONFIGURATION_CHANGE,
                _ALARM_CONFIGURATION_CHANGE_FIELDS,
                {
                    "operation": ALARM_CONFIGURATION_OPERATIONS,
                    "state.value": ALARM_STATES,
                    "state.actionsSuppressedBy": ACTIONS_SUPPRESSED_BY,
                },
                nested=_ALARM_NESTED,
            ),
        ]
    )
)


# Events these sources also send whose shapes we do not model: known names, so the lint does not
# call them unknown, but it does not check their details either.
OTHER_DETAIL_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        SAGEMAKER: (
            "SageMaker HyperParameter Tuning Job State Change",
            "SageMaker Transform Job State Change",
            "SageMaker Feature Group State Change",
            "SageMaker Image State Change",
            "SageMaker Image Version State Change",
            "SageMaker Model Card State Change",
            "SageMaker Endpoint Config State Change",
            "SageMaker Notebook Instance State Change",
            "SageMaker Notebook Lifecycle Config State Change",
            "SageMaker Algorithm State Change",
            "SageMaker Model Card Export Job State Change",
            "SageMaker Monitoring Schedule State Change",
            "SageMaker HyperPod Cluster State Change",
            "SageMaker HyperPod Cluster Node Health Event",
            "SageMaker HyperPod Cluster Event",
            "SageMaker A2I HumanLoop Status Change",
            "SageMaker Human Loop Finished",
            "SageMaker Human Loop Step Execution Finished",
            "SageMaker Human Task Accepted",
            "SageMaker Human Task Created",
            "SageMaker Human Task Declined",
            "SageMaker Human Task Expired",
            "SageMaker Human Task Returned",
            "SageMaker Human Task Submitted",
        ),
        CLOUDWATCH: ("CloudWatch Alarm Contributor State Change",),
    }
)
CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"


def known_detail_types(source: str) -> tuple[str, ...]:
    """Every detail-type the source is known to send, modelled or not."""
    modelled = tuple(detail_type for (src, detail_type) in DOCUMENTED_EVENTS if src == source)
    return modelled + OTHER_DETAIL_TYPES.get(source, ()) + (CLOUDTRAIL_DETAIL_TYPE,)
