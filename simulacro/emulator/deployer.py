"""The team's deployer, played locally: it consumes the promotion queue and deploys approved packages.

On real AWS the team's own tooling (a Lambda, a CD job) consumes the queue that the promotion rule
targets. Locally this stand-in does it, as a client of the local AWS (over HTTP, through
`simulacro.provision.deployments.deploy`, so the deployment is recorded on the endpoint exactly as the README
asks of the team's tooling). A queue is a deployment queue when tagged `simulacro:deploys-endpoint`.
Freezing promotion is disabling the promotion rule: then nothing reaches the queue.

Like the team's deployer, it applies the endpoint's deployment guardrail recorded at provisioning
(`provision/deployment_guardrails.py`): the update is then a blue/green deployment with the declared
traffic shifting and rollback alarms, which AWS (and the local AWS) runs.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from simulacro.provision.deployment_guardrails import recorded_deployment_config
from simulacro.provision.deployments import (
    CURRENT_CONFIG,
    MODEL_PACKAGE,
    PREVIOUS_CONFIG,
    PREVIOUS_MODEL_PACKAGE,
    config_from_model_package,
    deploy,
    deployment_record,
)
from simulacro.target.clock import SchedulingClock

from . import backends

DEPLOYS_TAG = "simulacro:deploys-endpoint"
POLL_SECONDS = 30


class LocalDeployer:
    def __init__(self, clock: SchedulingClock, client: Callable[[str, str, str], Any]):
        self.clock = clock
        self._make_client = client  # (service, account, region) -> boto3 client of the local AWS
        self._clients: dict[tuple[str, str, str], Any] = {}
        self.deployed: list[dict[str, str]] = []

    def client(self, service: str, account: str, region: str) -> Any:
        key = (service, account, region)
        if key not in self._clients:
            self._clients[key] = self._make_client(service, account, region)
        return self._clients[key]

    def start(self) -> None:
        self.clock.call_every(POLL_SECONDS, self.poll, locked=False)

    def poll(self) -> None:
        for account, region, queue_name, endpoint in self._deployment_queues():
            sqs = self.client("sqs", account, region)
            url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            ):
                self._deploy(account, region, endpoint, json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def _deploy(self, account: str, region: str, endpoint: str, event: dict[str, Any]) -> None:
        package = (event.get("detail") or {}).get("ModelPackageArn")
        if not package or (event.get("detail") or {}).get("ModelApprovalStatus") != "Approved":
            return
        sagemaker = self.client("sagemaker", account, region)
        if not self._still_approved(sagemaker, package):
            return  # rejected or deleted since the event: a consumer acts on the current state, not the event's
        version = package.rsplit("/", 1)[-1]
        config = config_from_model_package(
            sagemaker, endpoint, package, f"package-{version}-{int(self.clock.now().timestamp())}"
        )
        deploy_with_guardrail(sagemaker, endpoint, config, model_package=package)
        self.deployed.append({"endpoint": endpoint, "model_package": package, "config": config})

    @staticmethod
    def _still_approved(sagemaker: Any, package: str) -> bool:
        try:
            return sagemaker.describe_model_package(ModelPackageName=package)["ModelApprovalStatus"] == "Approved"
        except sagemaker.exceptions.ClientError:
            return False

    def _deployment_queues(self) -> list[tuple[str, str, str, str]]:
        found = []
        for account in list(backends.sqs_backends.keys()):
            for region, backend in list(backends.sqs_backends[account].items()):
                for name, queue in list(backend.queues.items()):
                    endpoint = (queue.tags or {}).get(DEPLOYS_TAG)
                    # Peek in process: only a queue with something waiting costs an HTTP round trip.
                    if endpoint and queue.approximate_number_of_messages:
                        found.append((account, region, name, endpoint))
        return found


def deploy_with_guardrail(
    sagemaker: Any, endpoint_name: str, config_name: str, *, model_package: str | None = None
) -> Any:
    """`deployments.deploy`, passing the endpoint's recorded guardrail as UpdateEndpoint's DeploymentConfig."""
    before = deployment_record(sagemaker, endpoint_name)
    tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=before.endpoint_arn).get("Tags", [])}
    guardrail = recorded_deployment_config(tags)
    if guardrail is None:
        return deploy(sagemaker, endpoint_name, config_name, model_package=model_package)
    sagemaker.add_tags(
        ResourceArn=before.endpoint_arn,
        Tags=[
            {"Key": CURRENT_CONFIG, "Value": config_name},
            {"Key": PREVIOUS_CONFIG, "Value": before.serving_config},
            {"Key": MODEL_PACKAGE, "Value": model_package or ""},
            {"Key": PREVIOUS_MODEL_PACKAGE, "Value": before.model_package or ""},
        ],
    )
    sagemaker.update_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name, DeploymentConfig=guardrail)
    return before
