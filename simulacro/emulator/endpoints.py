"""SageMaker endpoints as AWS runs them: a lifecycle in virtual time, and DescribeEndpoint as AWS reports it.

moto makes an endpoint `InService` at once, silently replaces a duplicate, answers 500 to
UpdateEndpoint and omits the data-capture status. Here (AWS-FACTS §6):
- CreateEndpoint: `Creating`, then after `CREATING_SECONDS` `InService`, or `Failed` with a
  FailureReason when the config's model cannot load (`local_model.py` says when);
- UpdateEndpoint: `Updating` (the old config keeps serving), then after `UPDATING_SECONDS`
  `InService` on the new config, or, when the new config cannot load, `InService` on the old one
  with FailureReason set;
- UpdateEndpoint with a `DeploymentConfig`: a blue/green deployment that shifts traffic step by step,
  bakes, and rolls back when a rollback alarm goes to ALARM (`guardrails.py`); meanwhile the endpoint
  is `Updating` and DescribeEndpoint shows `PendingDeploymentSummary` with the green fleet's
  `VariantStatus`, and `LastDeploymentConfig` afterwards; a rollback goes `RollingBack`, then
  `InService` on the old config with FailureReason set;
- DeleteEndpoint: gone at once, with a DELETING event;
- every transition emits `SageMaker Endpoint State Change` (statuses in UPPER_SNAKE), and each stage
  of a guarded deployment `SageMaker Endpoint Deployment State Change`;
- DescribeEndpoint reports `DataCaptureConfig` only when the serving config declares one (`EnableCapture: false` reads
  as `CaptureStatus: Stopped`, as the summary's required `EnableCapture` member implies).
moto keeps the endpoint object (so ListEndpoints and tags stay moto's); we drive its status.
Each endpoint's deployments are remembered here, which AWS does not offer: it is the emulator's
own knowledge, for its tests, never for a runbook.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from simulacro.events.catalog import ENDPOINT_DEPLOYMENT_STATE_CHANGE
from simulacro.events.shapes import endpoint_state_change, endpoint_variant
from simulacro.target.clock import SchedulingClock

from . import backends
from .errors import validation
from .guardrails import Guardrails, Policy, Rollout, parse_policy, variant_status
from .local_model import ModelLoadError, serving_model
from .overlay import Call, Overlay
from .times import epoch_ms, naive_utc

CREATING_SECONDS = 180
UPDATING_SECONDS = 240
IN_PROGRESS = ("Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting")


@dataclass
class Deployment:
    config_name: str
    requested: datetime
    finished: datetime | None = None
    outcome: str = "InProgress"  # InService | Failed (the endpoint failed) | RolledBack (the old config kept serving)
    failure_reason: str | None = None
    deployment_config: dict[str, Any] | None = None  # as UpdateEndpoint was given it
    policy: Policy | None = None  # blue/green traffic shifting asked by the DeploymentConfig
    old_config: str | None = None


@dataclass
class EndpointRecord:
    account: str
    region: str
    name: str
    deployments: list[Deployment] = field(default_factory=list)
    last_deployment_config: dict[str, Any] | None = None

    @property
    def pending(self) -> Deployment | None:
        last = self.deployments[-1] if self.deployments else None
        return last if last is not None and last.outcome == "InProgress" else None


class Endpoints:
    def __init__(
        self,
        clock: SchedulingClock,
        emit_event: Callable[..., None] | None = None,
        guardrails: Guardrails | None = None,
    ):
        self.clock = clock
        self.emit_event = emit_event or (lambda account, region, event: None)
        self.records: dict[tuple[str, str, str], EndpointRecord] = {}
        self.guardrails = guardrails or Guardrails(clock, lambda account, region, alarm: None)

    def install(self, overlay: Overlay) -> None:
        overlay.handle("sagemaker", "CreateEndpoint", self._create)
        overlay.handle("sagemaker", "UpdateEndpoint", self._update)
        overlay.handle("sagemaker", "DeleteEndpoint", self._delete)
        overlay.handle("sagemaker", "DescribeEndpoint", self._describe)

    def clear(self) -> None:
        self.records.clear()
        self.guardrails.clear()

    def deployments(self, account: str, region: str, name: str) -> list[Deployment]:
        """Every config this endpoint was asked to run, oldest first."""
        record = self.records.get((account, region, name))
        return list(record.deployments) if record else []

    # --- API ---------------------------------------------------------------------------

    def _create(self, call: Call) -> dict[str, Any]:
        name, config_name = call.params["EndpointName"], call.params["EndpointConfigName"]
        backend = backends.sagemaker(call.account, call.region)
        if name in backend.endpoints:
            raise validation(f'Cannot create already existing endpoint "{backend.endpoints[name].arn}".')
        deployment_config = call.params.get("DeploymentConfig") or None
        if deployment_config:  # refused like UpdateEndpoint's; DescribeEndpoint reports it as LastDeploymentConfig
            parse_policy(deployment_config, _instance_count(backend.describe_endpoint_config(config_name)))
        endpoint = backend.create_endpoint(name, config_name, call.params.get("Tags") or [])
        now = self.clock.now()
        endpoint.endpoint_status, endpoint.creation_time, endpoint.last_modified_time = (
            "Creating",
            naive_utc(now),
            naive_utc(now),
        )
        record = EndpointRecord(call.account, call.region, name, [Deployment(config_name, now)])
        record.last_deployment_config = deployment_config
        self.records[(call.account, call.region, name)] = record
        self._emit(record, endpoint)
        self.clock.call_later(CREATING_SECONDS, lambda: self._finish_create(record, endpoint))
        return {"EndpointArn": endpoint.arn}

    def _update(self, call: Call) -> dict[str, Any]:
        name, config_name = call.params["EndpointName"], call.params["EndpointConfigName"]
        backend = backends.sagemaker(call.account, call.region)
        backend.describe_endpoint(name)  # moto's "Could not find endpoint" when missing
        endpoint = backend.endpoints[name]
        if endpoint.endpoint_status in IN_PROGRESS:
            raise validation(f'Cannot update in-progress endpoint "{endpoint.arn}".')
        if endpoint.endpoint_status == "Failed":
            raise validation(f'Cannot update failed endpoint "{endpoint.arn}": a Failed endpoint can only be deleted.')
        config = backend.describe_endpoint_config(config_name)  # moto's "Could not find endpoint configuration"
        deployment_config = call.params.get("DeploymentConfig") or None
        policy = parse_policy(deployment_config, _instance_count(config))
        record = self._record(call.account, call.region, name)
        now = self.clock.now()
        record.deployments.append(
            Deployment(
                config_name,
                now,
                deployment_config=deployment_config,
                policy=policy,
                old_config=endpoint.endpoint_config_name,
            )
        )
        if deployment_config:
            record.last_deployment_config = deployment_config
        endpoint.endpoint_status, endpoint.last_modified_time = "Updating", naive_utc(now)
        self._emit(record, endpoint)
        if policy is not None:
            self._emit_deployment(record, endpoint, record.deployments[-1], None)
        self.clock.call_later(UPDATING_SECONDS, lambda: self._finish_update(record, endpoint))
        return {"EndpointArn": endpoint.arn}

    def _delete(self, call: Call) -> dict[str, Any]:
        name = call.params["EndpointName"]
        backend = backends.sagemaker(call.account, call.region)
        backend.describe_endpoint(name)
        endpoint = backend.endpoints[name]
        endpoint.endpoint_status, endpoint.last_modified_time = "Deleting", naive_utc(self.clock.now())
        record = self.records.pop((call.account, call.region, name), None) or EndpointRecord(
            call.account, call.region, name
        )
        self.guardrails.forget((call.account, call.region, name))
        self._emit(record, endpoint)
        backend.delete_endpoint(name)
        return {}

    def _describe(self, call: Call) -> dict[str, Any]:
        backend = backends.sagemaker(call.account, call.region)
        described = dict(backend.describe_endpoint(call.params["EndpointName"]))
        described.pop("DataCaptureConfig", None)  # moto's copy of the config's; AWS reports the live capture
        described.pop("Tags", None)  # not a DescribeEndpoint member (ListTags has them)
        capture = self.capture_config(call.account, call.region, described["EndpointConfigName"])
        if capture is not None:  # with EnableCapture false it reports CaptureStatus Stopped
            described["DataCaptureConfig"] = capture
        if not described.get("FailureReason"):
            described.pop("FailureReason", None)
        record = self.records.get((call.account, call.region, call.params["EndpointName"]))
        pending = record.pending if record else None
        if record is not None and pending is not None and described["EndpointStatus"] in ("Updating", "RollingBack"):
            described["PendingDeploymentSummary"] = self._pending_summary(record, pending)
        if record is not None and record.last_deployment_config:
            described["LastDeploymentConfig"] = record.last_deployment_config
        return described

    def _pending_summary(self, record: EndpointRecord, pending: Deployment) -> dict[str, Any]:
        summary: dict[str, Any] = {"EndpointConfigName": pending.config_name, "StartTime": pending.requested}
        if pending.policy is None:
            return summary
        rollout = self.guardrails.pending(record.account, record.region, record.name)
        config = backends.sagemaker(record.account, record.region).endpoint_configs.get(pending.config_name)
        variants = []
        for variant in getattr(config, "production_variants", None) or []:
            count = int(variant.get("InitialInstanceCount", 1))
            weight = float(variant.get("InitialVariantWeight", 1.0))
            status = (
                variant_status(rollout)
                if rollout
                else [{"Status": "Creating", "StatusMessage": "Creating the new fleet", "StartTime": pending.requested}]
            )
            variants.append(
                {
                    "VariantName": variant["VariantName"],
                    "CurrentWeight": weight,
                    "DesiredWeight": weight,
                    "CurrentInstanceCount": count if rollout else 0,
                    "DesiredInstanceCount": count,
                    "InstanceType": variant.get("InstanceType", "ml.m5.large"),
                    "VariantStatus": status,
                }
            )
        summary["ProductionVariants"] = variants
        return summary

    @staticmethod
    def capture_config(account: str, region: str, config_name: str) -> dict[str, Any] | None:
        config = backends.sagemaker(account, region).endpoint_configs.get(config_name)
        declared = getattr(config, "data_capture_config", None) or None
        if not declared:
            return None
        enabled = bool(declared.get("EnableCapture"))
        return {
            "EnableCapture": enabled,
            "CaptureStatus": "Started" if enabled else "Stopped",
            "CurrentSamplingPercentage": int(declared.get("InitialSamplingPercentage", 0)),
            "DestinationS3Uri": declared.get("DestinationS3Uri", ""),
            "KmsKeyId": declared.get("KmsKeyId") or "",  # a required member of DataCaptureConfigSummary
        }

    # --- the control plane -------------------------------------------------------------

    def _finish_create(self, record: EndpointRecord, endpoint: Any) -> None:
        deployment = record.pending
        if deployment is None or not self._current(record, endpoint):
            return
        problem = _load_problem(record, deployment.config_name)
        if problem is None:
            self._settle(record, endpoint, deployment, "InService", "InService", None)
        else:
            self._settle(record, endpoint, deployment, "Failed", "Failed", problem)

    def _finish_update(self, record: EndpointRecord, endpoint: Any) -> None:
        deployment = record.pending
        if deployment is None or not self._current(record, endpoint):
            return
        problem = _load_problem(record, deployment.config_name)
        if problem is not None:  # a failed update of an InService endpoint leaves the old config serving
            self._settle(
                record, endpoint, deployment, "RolledBack", "InService", f"Failed to update endpoint: {problem}"
            )
        elif deployment.policy is None:
            self._switch(record, endpoint, deployment)
        else:
            self.guardrails.begin(
                Rollout(
                    key=(record.account, record.region, record.name),
                    policy=deployment.policy,
                    old_config=deployment.old_config or endpoint.endpoint_config_name,
                    new_config=deployment.config_name,
                    started=deployment.requested,
                    finish=lambda: self._guarded(
                        record,
                        endpoint,
                        lambda: self._deployment_ended(
                            record, endpoint, lambda: self._switch(record, endpoint, deployment)
                        ),
                    ),
                    roll_back=lambda reason: self._guarded(
                        record, endpoint, lambda: self._rolling_back(record, endpoint, reason)
                    ),
                    restored=lambda reason: self._guarded(
                        record,
                        endpoint,
                        lambda: self._deployment_ended(
                            record,
                            endpoint,
                            lambda: self._settle(record, endpoint, deployment, "RolledBack", "InService", reason),
                        ),
                    ),
                    emit=lambda rollout: self._emit_deployment(record, endpoint, deployment, rollout),
                )
            )

    def _switch(self, record: EndpointRecord, endpoint: Any, deployment: Deployment) -> None:
        config = backends.sagemaker(record.account, record.region).endpoint_configs[deployment.config_name]
        endpoint.endpoint_config_name = deployment.config_name
        endpoint.production_variants = endpoint._process_production_variants(config.production_variants)
        endpoint.data_capture_config = config.data_capture_config
        self._settle(record, endpoint, deployment, "InService", "InService", None)

    def _rolling_back(self, record: EndpointRecord, endpoint: Any, reason: str) -> None:
        endpoint.endpoint_status, endpoint.failure_reason = "RollingBack", reason
        endpoint.last_modified_time = naive_utc(self.clock.now())
        self._emit(record, endpoint)
        self._emit_deployment(record, endpoint, record.pending, None)

    def _deployment_ended(self, record: EndpointRecord, endpoint: Any, settle: Callable[[], None]) -> None:
        """The endpoint settles (its State Change), then the deployment's last State Change, with nothing pending."""
        settle()
        self._emit_deployment(record, endpoint, None, None)

    def _guarded(self, record: EndpointRecord, endpoint: Any, step: Callable[[], None]) -> None:
        if self._current(record, endpoint):
            step()

    def _settle(
        self,
        record: EndpointRecord,
        endpoint: Any,
        deployment: Deployment,
        outcome: str,
        status: str,
        failure_reason: str | None,
    ) -> None:
        now = self.clock.now()
        deployment.finished, deployment.outcome, deployment.failure_reason = now, outcome, failure_reason
        endpoint.endpoint_status, endpoint.failure_reason, endpoint.last_modified_time = (
            status,
            failure_reason,
            naive_utc(now),
        )
        self._emit(record, endpoint)

    def _current(self, record: EndpointRecord, endpoint: Any) -> bool:
        """False once the endpoint was deleted or the emulator reset: its timers then do nothing."""
        live = backends.sagemaker(record.account, record.region).endpoints.get(record.name)
        return live is endpoint and self.records.get((record.account, record.region, record.name)) is record

    def _record(self, account: str, region: str, name: str) -> EndpointRecord:
        return self.records.setdefault((account, region, name), EndpointRecord(account, region, name))

    def _emit_deployment(
        self, record: EndpointRecord, endpoint: Any, deployment: Deployment | None, rollout: Rollout | None
    ) -> None:
        """`SageMaker Endpoint Deployment State Change`: the endpoint event plus the pending deployment's stage."""
        event = self._event(record, endpoint)
        event["detail-type"] = ENDPOINT_DEPLOYMENT_STATE_CHANGE
        event["detail"]["ProductionVariants"] = [
            {
                "VariantName": v["VariantName"],
                "CurrentWeight": v.get("CurrentWeight", 1.0),
                "DesiredWeight": v.get("DesiredWeight", 1.0),
                "CurrentInstanceCount": v.get("CurrentInstanceCount", 1),
                "DesiredInstanceCount": v.get("DesiredInstanceCount", 1),
            }
            for v in endpoint.production_variants
        ]
        if deployment is not None:
            summary = self._pending_summary(record, deployment)
            summary["StartTime"] = epoch_ms(deployment.requested)
            for variant in summary.get("ProductionVariants", []):
                variant.pop("InstanceType", None)
                for status in variant["VariantStatus"]:
                    if "StartTime" in status:
                        status["StartTime"] = epoch_ms(status["StartTime"])
            event["detail"]["PendingDeploymentSummary"] = summary
        self.emit_event(record.account, record.region, event)

    def _emit(self, record: EndpointRecord, endpoint: Any) -> None:
        self.emit_event(record.account, record.region, self._event(record, endpoint))

    def _event(self, record: EndpointRecord, endpoint: Any) -> dict[str, Any]:
        variants = [
            endpoint_variant(v.get("DesiredWeight", 1.0), v.get("DesiredInstanceCount", 1))
            for v in endpoint.production_variants
        ]
        event = endpoint_state_change(
            endpoint_name=endpoint.endpoint_name,
            endpoint_arn=endpoint.arn,
            endpoint_config_name=endpoint.endpoint_config_name,
            status=endpoint.endpoint_status,
            creation_time=epoch_ms(endpoint.creation_time),
            last_modified_time=epoch_ms(endpoint.last_modified_time),
            production_variants=variants,
            failure_reason=endpoint.failure_reason,
            tags={t["Key"]: t["Value"] for t in endpoint.tags},
            account=record.account,
            region=record.region,
            time=self.clock.now(),
            id=str(uuid.uuid4()),
        )
        return event


def _load_problem(record: EndpointRecord, config_name: str) -> str | None:
    """Why the config's models cannot load (every variant must pass its health check), or None."""
    config = backends.sagemaker(record.account, record.region).endpoint_configs.get(config_name)
    for variant in getattr(config, "production_variants", None) or [{"VariantName": None}]:
        try:
            serving_model(record.account, record.region, config_name, variant["VariantName"])
        except ModelLoadError as error:
            return (
                f"The primary container for production variant {variant['VariantName']} did not pass the ping "
                f"health check: {error}. Please check CloudWatch logs for this endpoint."
            )
    return None


def _instance_count(config: dict[str, Any]) -> int:
    variants = config.get("ProductionVariants") or [{}]
    return int(variants[0].get("InitialInstanceCount", 1) or 1)
