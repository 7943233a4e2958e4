"""ARNs and derived names, computed the way AWS builds them, so provisioning and checks agree."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from simulacro.spec.model import Endpoint, Stack


class Names:
    def __init__(self, stack: Stack, environment: str, region: str | None = None):
        self.stack = stack
        self.environment = environment
        self.account = stack.account(environment)
        self.region = region or stack.region

    def topic_arn(self, name: str) -> str:
        """In the topic's own region when the spec gives it one (a billing alarm's topic lives in us-east-1)."""
        region = self.stack.region_of(self.stack.topic_in(self.environment, name), self.region)
        return f"arn:aws:sns:{region}:{self.account}:{name}"

    def queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{name}"

    def rule_arn(self, name: str) -> str:
        return f"arn:aws:events:{self.region}:{self.account}:rule/{name}"

    def role_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.account}:role/{name}"

    def baseline_uri(self, schedule_output: str, model: str, version: str) -> str:
        bucket = schedule_output[len("s3://") :].split("/", 1)[0]
        return f"s3://{bucket}/baselines/{model}/{version}"


def endpoint_config_name(endpoint: Endpoint, model_name: str) -> str:
    """A config name that changes whenever the config does, as deployment tools name them."""
    return f"{endpoint.name}-{config_digest(endpoint_config_body(endpoint, model_name))}"


def endpoint_config_body(endpoint: Endpoint, model_name: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ProductionVariants": [
            {
                "VariantName": endpoint.variant,
                "ModelName": model_name,
                "InitialInstanceCount": endpoint.instance_count,
                "InstanceType": endpoint.instance_type,
                "InitialVariantWeight": 1.0,
            }
        ],
    }
    if endpoint.capture is not None:
        body["DataCaptureConfig"] = {
            "EnableCapture": endpoint.capture.enabled,
            "InitialSamplingPercentage": endpoint.capture.sampling_percentage,
            "DestinationS3Uri": endpoint.capture.destination,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]},
        }
    return body


def config_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
