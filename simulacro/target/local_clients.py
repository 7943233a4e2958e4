"""boto3 clients for the local AWS, one account per client (moto tells accounts apart by a header).

Used by the local target and by the local deployer; kept apart from the emulator so that a real-AWS
run does not import moto."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from simulacro.target import in_process

LOCAL_CREDENTIALS = {"aws_access_key_id": "simulacro", "aws_secret_access_key": "simulacro"}


def local_client(url: str, service: str, account: str, region: str, app: Any = None) -> Any:
    """A client of the local AWS at `url`; given the `app` that serves it in this process, the client's
    requests go to it directly (`in_process`)."""
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
    if app is not None and in_process.wanted():
        client.meta.events.register("before-send", in_process.sender(app))
    return client
