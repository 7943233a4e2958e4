"""boto3 clients for the local AWS, one account per client (moto tells accounts apart by a header).

Used by the local target and by the local deployer; kept apart from the emulator so that a real-AWS
run does not import moto."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

LOCAL_CREDENTIALS = {"aws_access_key_id": "simulacro", "aws_secret_access_key": "simulacro"}


def local_client(url: str, service: str, account: str, region: str) -> Any:
    client = boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30),
        **LOCAL_CREDENTIALS,
    )
    client.meta.events.register(
        "before-send", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
    )
    return client
