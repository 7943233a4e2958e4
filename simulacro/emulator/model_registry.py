"""The model registry's events, which moto never emits: `SageMaker Model Package State Change` on
registration and on every approval change (with `UpdatedModelPackageFields`), as AWS-FACTS.md §1 says.
A pipeline's RegisterModel step registers through `register` (the package's `MetadataProperties.GeneratedBy`
is the execution), with the same event.

moto keeps the packages; we hear of each change around its call and read the package back from
moto's backend to build the documented event. Version numbers never come back: AWS numbers a group's
versions upwards for good, while moto numbers a new one after the packages it holds, so after a
DeleteModelPackage it would hand out a deleted version's number (and ARN) again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Callable

from simulacro.events.shapes import model_package_state_change
from simulacro.target.clock import SchedulingClock

from . import backends
from .errors import AwsError
from .overlay import Call, Overlay


class ModelRegistry:
    def __init__(self, clock: SchedulingClock, emit: Callable[[str, str, dict[str, Any]], None]):
        self.clock = clock
        self.emit = emit
        self._approval_before: dict[str, str | None] = {}
        self._highest_deleted: dict[tuple[str, str, str], int] = {}
        self._held: dict[str, _DeletedVersion] = {}

    def install(self, overlay: Overlay) -> None:
        overlay.check("sagemaker", "CreateModelPackage", self._hold_deleted_versions)
        overlay.observe("sagemaker", "CreateModelPackage", self._created)
        overlay.check("sagemaker", "UpdateModelPackage", self._remember_approval)
        overlay.observe("sagemaker", "UpdateModelPackage", self._updated)
        overlay.handle("sagemaker", "DeleteModelPackage", self._delete)
        overlay.handle("sagemaker", "DescribeModelPackage", self._describe)

    def _describe(self, call: Call) -> dict[str, Any]:
        """moto's answer with the required `ModelPackageName` (a version's is its group's) and without its made-up creator."""
        package = backends.sagemaker(call.account, call.region).describe_model_package(call.params["ModelPackageName"])
        return describe_package(package.gen_response_object())

    def register(self, account: str, region: str, request: dict[str, Any], generated_by: str) -> str:
        """CreateModelPackage as a RegisterModel step calls it; returns the new version's ARN."""
        backend = backends.sagemaker(account, region)
        group = request.get("ModelPackageGroupName")
        if not group:
            raise AwsError("ValidationException", "RegisterModel needs a ModelPackageGroupName.")
        if group not in backend.model_package_groups:
            raise AwsError("ValidationException", f"Model Package Group {group} does not exist.")
        metadata = {**(request.get("MetadataProperties") or {}), "GeneratedBy": generated_by}
        self._hold(account, region, group)
        try:
            arn = backend.create_model_package(
                None,
                group,
                request.get("ModelPackageDescription"),
                request.get("InferenceSpecification"),
                request.get("ValidationSpecification"),
                None,
                False,
                request.get("Tags") or [],
                request.get("ModelApprovalStatus") or "PendingManualApproval",
                metadata,
                request.get("ModelMetrics"),
                None,
                request.get("CustomerMetadataProperties"),
                request.get("DriftCheckBaselines"),
                request.get("Domain"),
                request.get("Task"),
                request.get("SamplePayloadUrl"),
                request.get("AdditionalInferenceSpecifications"),
            )
        finally:
            self._release(account, region)
        package = describe_package(backend.describe_model_package(arn).gen_response_object())
        self._emit(_Origin(account, region), package, updated_fields=None)
        return arn

    def clear(self) -> None:
        self._highest_deleted.clear()

    def _delete(self, call: Call) -> None:
        """moto has no DeleteModelPackage; versioned packages are deleted by ARN (or name)."""
        backend = backends.sagemaker(call.account, call.region)
        name = call.params["ModelPackageName"]
        key = backend.model_package_name_mapping.get(name, name)
        deleted = backend.model_packages.pop(key, None)
        if deleted is None:
            raise AwsError("ValidationException", f"Model package {name} not found")
        if deleted.model_package_group_name and deleted.model_package_version:
            group = (call.account, call.region, deleted.model_package_group_name)
            self._highest_deleted[group] = max(self._highest_deleted.get(group, 0), int(deleted.model_package_version))
        for alias in [alias for alias, target in backend.model_package_name_mapping.items() if target == key]:
            del backend.model_package_name_mapping[alias]

    def _hold_deleted_versions(self, call: Call) -> None:
        self._hold(call.account, call.region, call.params.get("ModelPackageGroupName"))

    def _hold(self, account: str, region: str, group: str | None) -> None:
        """Stand-ins for deleted versions while moto numbers the new one, so it numbers after the highest ever."""
        packages = backends.sagemaker(account, region).model_packages
        versions = [int(p.model_package_version or 0) for p in packages.values() if p.model_package_group_name == group]
        highest = max([self._highest_deleted.get((account, region, group or ""), 0), *versions])
        for number in range(len(versions) + 1, highest + 1):
            key = f"simulacro:deleted/{group}/{number}"
            self._held[key] = packages[key] = _DeletedVersion(group or "")  # type: ignore[assignment]

    def _release(self, account: str, region: str) -> None:
        packages = backends.sagemaker(account, region).model_packages
        for key in list(self._held):
            packages.pop(key, None)
            del self._held[key]

    def _created(self, call: Call, status: int) -> None:
        self._release(call.account, call.region)
        group = call.params.get("ModelPackageGroupName")
        if status != 200 or not group:
            return
        packages = [
            p
            for p in backends.sagemaker(call.account, call.region).model_packages.values()
            if p.model_package_group_name == group
        ]
        newest = max(packages, key=lambda p: p.model_package_version)
        self._emit(call, newest.gen_response_object(), updated_fields=None)

    def _remember_approval(self, call: Call) -> None:
        package = self._package(call, call.params["ModelPackageArn"])
        self._approval_before[call.params["ModelPackageArn"]] = package.get("ModelApprovalStatus") if package else None

    def _updated(self, call: Call, status: int) -> None:
        arn = call.params["ModelPackageArn"]
        before = self._approval_before.pop(arn, None)
        package = self._package(call, arn)
        if status != 200 or package is None:
            return
        changed = [field for field in ("ModelApprovalStatus",) if package.get(field) != before]
        changed += [
            field
            for field in ("ApprovalDescription", "CustomerMetadataProperties")
            if call.params.get(field) is not None
        ]
        if changed:
            self._emit(call, package, updated_fields=changed)

    def _package(self, call: Call, arn: str) -> dict[str, Any] | None:
        try:
            return describe_package(
                backends.sagemaker(call.account, call.region).describe_model_package(arn).gen_response_object()
            )
        except Exception:  # noqa: BLE001 - moto answers the caller's error itself
            return None

    def _emit(self, call: "Call | _Origin", package: dict[str, Any], updated_fields: list[str] | None) -> None:
        now = self.clock.now()
        event = model_package_state_change(
            group_name=package["ModelPackageGroupName"],
            version=int(package["ModelPackageVersion"]),
            package_arn=package["ModelPackageArn"],
            package_status=package.get("ModelPackageStatus", "Completed"),
            approval_status=package.get("ModelApprovalStatus", "PendingManualApproval"),
            creation_time=_epoch_ms(package.get("CreationTime"), now),
            last_modified_time=_epoch_ms(now, now),
            generated_by=(package.get("MetadataProperties") or {}).get("GeneratedBy"),
            inference_specification=package.get("InferenceSpecification"),
            model_metrics=package.get("ModelMetrics"),
            updated_fields=updated_fields,
            description=package.get("ModelPackageDescription"),
            account=call.account,
            region=call.region,
            time=now,
            id=str(uuid.uuid4()),
        )
        # The detail is the package as DescribeModelPackage reports it (times in epoch milliseconds).
        described = {
            key: _epoch_ms(value, now) if isinstance(value, datetime) else value for key, value in package.items()
        }
        event["detail"] = {**described, **event["detail"]}
        self.emit(call.account, call.region, event)


def describe_package(described: dict[str, Any]) -> dict[str, Any]:
    described = {key: value for key, value in described.items() if value is not None}
    described.setdefault(
        "ModelPackageName", described.get("ModelPackageGroupName") or described["ModelPackageArn"].rsplit("/", 1)[-1]
    )
    if "fake-domain-id" in str(described.get("CreatedBy")):
        described.pop("CreatedBy")
    return described


class _Origin:
    """Where a package registered by the control plane (not by an API call) lives."""

    def __init__(self, account: str, region: str):
        self.account, self.region = account, region


class _DeletedVersion:
    """What moto counts of a deleted version while it numbers a new one (removed right after)."""

    def __init__(self, group: str):
        self.model_package_group_name = group


def _epoch_ms(value: Any, default: datetime) -> int:
    moment = value if isinstance(value, datetime) else default
    if moment.tzinfo is None:  # moto keeps naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)
