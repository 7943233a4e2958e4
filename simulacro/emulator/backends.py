"""moto's in-process backends, by account and region: the state the control plane shares with moto."""

from __future__ import annotations

from typing import Any, Iterator

from moto.cloudwatch.models import cloudwatch_backends
from moto.events.models import events_backends
from moto.logs.models import logs_backends
from moto.s3.models import s3_backends
from moto.sagemaker.models import sagemaker_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends

__all__ = ["sqs_backends"]


def cloudwatch(account: str, region: str) -> Any:
    return cloudwatch_backends[account][region]


def sns(account: str, region: str) -> Any:
    return sns_backends[account][region]


def sqs(account: str, region: str) -> Any:
    return sqs_backends[account][region]


def events(account: str, region: str) -> Any:
    return events_backends[account][region]


def sagemaker(account: str, region: str) -> Any:
    return sagemaker_backends[account][region]


def logs(account: str, region: str) -> Any:
    return logs_backends[account][region]


def s3(account: str) -> Any:
    return s3_backends[account]["aws"]


def cloudwatch_partitions() -> Iterator[tuple[str, str, Any]]:
    """Every (account, region, backend) where someone created CloudWatch state."""
    for account in list(cloudwatch_backends.keys()):
        for region, backend in list(cloudwatch_backends[account].items()):
            if backend.alarms:
                yield account, region, backend


def arn_parts(arn: str) -> tuple[str, str, str, str]:
    """(service, region, account, resource) of an ARN."""
    _, _, service, region, account, resource = arn.split(":", 5)
    return service, region, account, resource
