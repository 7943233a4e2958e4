"""SageMaker endpoints as AWS reports them: DescribeEndpoint with the data-capture status moto omits."""
from __future__ import annotations

from typing import Any

from . import backends
from .overlay import Call, Overlay


class Endpoints:
    def __init__(self, clock: Any):
        self.clock = clock

    def install(self, overlay: Overlay) -> None:
        overlay.handle("sagemaker", "DescribeEndpoint", self._describe)

    def _describe(self, call: Call) -> dict[str, Any]:
        backend = backends.sagemaker(call.account, call.region)
        described = dict(backend.describe_endpoint(call.params["EndpointName"]))
        capture = self.capture_config(call.account, call.region, described["EndpointConfigName"])
        if capture is not None:
            described["DataCaptureConfig"] = capture
        return described

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
            **({"KmsKeyId": declared["KmsKeyId"]} if declared.get("KmsKeyId") else {}),
        }
