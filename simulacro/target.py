"""Where the drills run: the embedded local AWS (virtual time) or a real AWS account (wall time).

Drills never talk to the emulator's insides: they get boto3 clients from the target, so the same
drill runs unchanged against real AWS.
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

from simulacro.clock import Clock, VirtualClock, WallClock
from simulacro.spec import Stack

LOCAL_CREDENTIALS = {"aws_access_key_id": "simulacro", "aws_secret_access_key": "simulacro"}


class Target:
    kind = "abstract"
    clock: Clock

    def __init__(self, stack: Stack, environment: str, region: str | None = None):
        if environment not in stack.environments:
            known = ", ".join(stack.environments)
            raise ValueError(f"unknown environment {environment!r}: the spec declares {known}")
        self.stack = stack
        self.environment = environment
        self.region = region or stack.region
        self._clients: dict[tuple[str, str, str], Any] = {}

    @property
    def environments(self) -> list[str]:
        """The environments this target can reach in one run."""
        return [self.environment]

    def account(self, environment: str | None = None) -> str:
        return self.stack.account(environment or self.environment)

    def client(self, service: str, environment: str | None = None, region: str | None = None) -> Any:
        environment = environment or self.environment
        if environment not in self.environments:
            raise PermissionError(f"environment {environment!r} is not reachable from this run (target: {self.describe()})")
        key = (service, environment, region or self.region)
        if key not in self._clients:
            self._clients[key] = self._make_client(service, environment, region or self.region)
        return self._clients[key]

    def describe(self) -> str:
        raise NotImplementedError

    def traffic(self, endpoint: str, environment: str, *, requests_per_minute: float, duration_seconds: float,
                custom_attributes: str | None = None, payloads: list[str] | None = None) -> Any:
        """Send `requests_per_minute` to `endpoint` for `duration_seconds`; returns what was served."""
        raise NotImplementedError

    def _make_client(self, service: str, environment: str, region: str) -> Any:
        raise NotImplementedError


class LocalTarget(Target):
    """Every environment of the spec, each in its own account of the embedded local AWS."""

    kind = "local"

    def __init__(self, stack: Stack, local_aws: Any, environment: str = "staging"):
        super().__init__(stack, environment)
        self.local_aws = local_aws
        self.clock: VirtualClock = local_aws.clock

    @property
    def environments(self) -> list[str]:
        return list(self.stack.environments)

    def describe(self) -> str:
        return f"local AWS at {self.local_aws.url} (virtual time), accounts {', '.join(self.stack.environments)}"

    def traffic(self, endpoint: str, environment: str, *, requests_per_minute: float, duration_seconds: float,
                custom_attributes: str | None = None, payloads: list[str] | None = None) -> Any:
        """Thousands of requests through the same model, fault, metric and capture code as InvokeEndpoint, without HTTP."""
        return self.local_aws.dataplane.traffic(
            self.account(environment), self.region, endpoint, requests_per_minute=requests_per_minute,
            duration_seconds=duration_seconds, custom_attributes=custom_attributes, payloads=payloads)

    def _make_client(self, service: str, environment: str, region: str) -> Any:
        client = boto3.client(
            service,
            region_name=region,
            endpoint_url=self.local_aws.url,
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30),
            **LOCAL_CREDENTIALS,
        )
        account = self.stack.account(environment)
        client.meta.events.register("before-send", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account))
        return client


class AwsTarget(Target):
    """One environment of a real account (or any AWS-compatible endpoint), in wall-clock time."""

    kind = "aws"

    def __init__(self, stack: Stack, environment: str, *, profile: str | None = None, region: str | None = None,
                 endpoint_url: str | None = None):
        super().__init__(stack, environment, region)
        self.profile = profile
        self.endpoint_url = endpoint_url
        self.clock = WallClock()

    @cached_property
    def session(self) -> boto3.Session:
        return boto3.Session(profile_name=self.profile, region_name=self.region)

    def describe(self) -> str:
        where = self.endpoint_url or f"AWS {self.region}"
        return f"{where}, environment {self.environment} (account {self.account()}), profile {self.profile or 'default chain'}"

    def _make_client(self, service: str, environment: str, region: str) -> Any:
        config = Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=10, read_timeout=60)
        return self.session.client(service, region_name=region, endpoint_url=self.endpoint_url, config=config)
