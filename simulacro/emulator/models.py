"""SageMaker models: DescribeModel as AWS answers it, and `SageMaker Model State Change` on create and delete.

moto keeps the models; it answers DescribeModel with an empty `VpcConfig` (whose members AWS requires) and
emits no event. AWS documents the model event by its `resources` only (the model's ARN) and says it is sent
when a model is created or deleted; its detail here is the model as DescribeModel reports it (times in
epoch milliseconds, tags as an object, like the job events), so a rule on `resources` or on `ModelName`
matches as it would on AWS.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Callable

from simulacro.target.clock import SchedulingClock

from . import backends
from .overlay import Call, Overlay
from .times import epoch_ms

MODEL_STATE_CHANGE = "SageMaker Model State Change"


class Models:
    def __init__(self, clock: SchedulingClock, emit: Callable[[str, str, dict[str, Any]], None]):
        self.clock = clock
        self.emit = emit
        self._deleting: dict[tuple[str, str, str], dict[str, Any]] = {}

    def install(self, overlay: Overlay) -> None:
        overlay.handle("sagemaker", "DescribeModel", self._describe)
        overlay.observe("sagemaker", "CreateModel", self._created)
        overlay.check("sagemaker", "DeleteModel", self._remember)
        overlay.observe("sagemaker", "DeleteModel", self._deleted)

    def _describe(self, call: Call) -> dict[str, Any]:
        return describe_model(backends.sagemaker(call.account, call.region), call.params["ModelName"])

    def _created(self, call: Call, status: int) -> None:
        if status == 200:
            described = _with_tags(backends.sagemaker(call.account, call.region), call.params["ModelName"])
            self.emit(call.account, call.region, self._event(call, described))

    def _remember(self, call: Call) -> None:
        backend = backends.sagemaker(call.account, call.region)
        if call.params.get("ModelName") in backend._models:
            self._deleting[(call.account, call.region, call.params["ModelName"])] = _with_tags(
                backend, call.params["ModelName"]
            )

    def _deleted(self, call: Call, status: int) -> None:
        described = self._deleting.pop((call.account, call.region, call.params.get("ModelName", "")), None)
        if status == 200 and described is not None:
            self.emit(call.account, call.region, self._event(call, described))

    def _event(self, call: Call, described: dict[str, Any]) -> dict[str, Any]:
        tags = described.pop("_tags", [])
        detail = {key: epoch_ms(value) if isinstance(value, datetime) else value for key, value in described.items()}
        detail["Tags"] = {t["Key"]: t["Value"] for t in tags or []}
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": MODEL_STATE_CHANGE,
            "source": "aws.sagemaker",
            "account": call.account,
            "time": self.clock.now().astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": call.region,
            "resources": [described["ModelArn"]],
            "detail": detail,
        }


def describe_model(backend: Any, name: str) -> dict[str, Any]:
    """DescribeModel: moto's answer without the empty or null members AWS never sends."""
    described = dict(backend.describe_model(name).response_object)
    vpc = described.get("VpcConfig")
    if not vpc or not (vpc.get("Subnets") and vpc.get("SecurityGroupIds")):
        described.pop("VpcConfig", None)
    return {key: value for key, value in described.items() if value not in (None, [], {})}


def _with_tags(backend: Any, name: str) -> dict[str, Any]:
    described = describe_model(backend, name)
    described["_tags"] = list(getattr(backend.describe_model(name), "tags", None) or [])
    return described
