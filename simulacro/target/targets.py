"""Where the drills run: the embedded local AWS (virtual time) or a real AWS account (wall time).

Drills never talk to the emulator's insides: they get boto3 clients from the target, so the same
drill runs unchanged against real AWS. Every client the target hands out is instrumented the same
way: observers hear each call (the IAM recorder, the dry-run audit), and while a run is active what it
creates is tagged with its run id (`run_tags`).
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from simulacro.errors import AwsProblem, BadInput
from simulacro.spec import Stack
from simulacro.target.aws_errors import AwsAccessProblem, raise_clear_errors
from simulacro.target.clock import Clock, VirtualClock, WallClock
from simulacro.target.local_clients import local_client
from simulacro.target.run_tags import tag_what_the_run_creates

if TYPE_CHECKING:
    from simulacro.emulator.local_aws import LocalAws

CallObserver = Callable[[str, str, str, dict[str, Any]], None]  # service, operation, environment, parameters


class ServedTraffic(dict):  # type: ignore[type-arg]
    """What real traffic served, readable as a mapping and by attribute (`.requests`, `.errors`, `.rejection`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Target:
    kind = "abstract"
    clock: Clock

    def __init__(self, stack: Stack, environment: str, region: str | None = None):
        if environment not in stack.environments:
            known = ", ".join(stack.environments)
            raise BadInput(f"unknown environment {environment!r}: the spec declares {known}")
        self.stack = stack
        self.environment = environment
        self.region = region or stack.region
        self.run_id: str | None = None  # while set, what the run creates is tagged with it
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._observers: list[CallObserver] = []

    @property
    def environments(self) -> list[str]:
        """The environments this target can reach in one run."""
        return [self.environment]

    def account(self, environment: str | None = None) -> str:
        return self.stack.account(environment or self.environment)

    def client(self, service: str, environment: str | None = None, region: str | None = None) -> Any:
        environment = environment or self.environment
        if environment not in self.environments:
            raise PermissionError(
                f"environment {environment!r} is not reachable from this run (target: {self.describe()})"
            )
        key = (service, environment, region or self.region)
        if key not in self._clients:
            client = self._make_client(service, environment, region or self.region)
            self._instrument(client, environment)
            self._clients[key] = client
        return self._clients[key]

    def observe_calls(self, observer: CallObserver) -> Callable[[], None]:
        """`observer(service, operation, environment, params)` hears every call from now on; returns how to stop."""
        self._observers.append(observer)
        return lambda: self._observers.remove(observer) if observer in self._observers else None

    def notify_call(self, service: str, operation: str, environment: str, params: dict[str, Any]) -> None:
        for observer in list(self._observers):
            observer(service, operation, environment, params)

    def _instrument(self, client: Any, environment: str) -> None:
        def before_parameter_build(params: dict[str, Any], model: Any, **_: Any) -> None:
            if self.run_id is not None:
                tag_what_the_run_creates(params, model, self.run_id)
            self.notify_call(model.service_model.service_name, model.name, environment, params)

        client.meta.events.register("before-parameter-build", before_parameter_build)

    def describe(self) -> str:
        raise NotImplementedError

    def traffic(
        self,
        endpoint: str,
        environment: str,
        *,
        requests_per_minute: float,
        duration_seconds: float,
        custom_attributes: str | None = None,
        payloads: list[str] | None = None,
    ) -> Any:
        """Send `requests_per_minute` to `endpoint` for `duration_seconds`; returns what was served."""
        raise NotImplementedError

    def background_traffic(
        self, endpoint: str, environment: str, requests_per_minute: float, attributes: Callable[[], str | None]
    ) -> Any:
        """Requests in a background thread until `.cancel()`, on the wall clock only (on the virtual clock, traffic
        is `traffic` called from the clock's timers)."""
        raise NotImplementedError

    def _make_client(self, service: str, environment: str, region: str) -> Any:
        raise NotImplementedError


class LocalTarget(Target):
    """Every environment of the spec, each in its own account of the embedded local AWS."""

    kind = "local"

    def __init__(self, stack: Stack, local_aws: LocalAws, environment: str = "staging"):
        super().__init__(stack, environment)
        self.local_aws = local_aws
        from simulacro.emulator.local_model import serve_files_from

        serve_files_from(stack.folder)  # the spec's models and datasets, wherever the spec lives
        self.clock: VirtualClock = local_aws.clock

    @property
    def environments(self) -> list[str]:
        return list(self.stack.environments)

    def describe(self) -> str:
        return f"local AWS at {self.local_aws.url} (virtual time), accounts {', '.join(self.stack.environments)}"

    def traffic(
        self,
        endpoint: str,
        environment: str,
        *,
        requests_per_minute: float,
        duration_seconds: float,
        custom_attributes: str | None = None,
        payloads: list[str] | None = None,
    ) -> Any:
        """Thousands of requests through the same model, fault, metric and capture code as InvokeEndpoint, without HTTP."""
        # They stand for InvokeEndpoint calls on real AWS: observers (the IAM recorder) hear one.
        self.notify_call("sagemaker-runtime", "InvokeEndpoint", environment, {"EndpointName": endpoint})
        return self.local_aws.dataplane.traffic(
            self.account(environment),
            self.region,
            endpoint,
            requests_per_minute=requests_per_minute,
            duration_seconds=duration_seconds,
            custom_attributes=custom_attributes,
            payloads=payloads,
        )

    def inject_billing(self, environment: str, amount: float, currency: str = "USD") -> None:
        """Local only: the environment's month-to-date `AWS/Billing` `EstimatedCharges` (published in us-east-1)."""
        self.local_aws.billing.inject(self.account(environment), amount, currency)

    def _make_client(self, service: str, environment: str, region: str) -> Any:
        return local_client(self.local_aws.url, service, self.stack.account(environment), region, self.local_aws.app)


class AwsTarget(Target):
    """One environment of a real account (or any AWS-compatible endpoint), in wall-clock time.

    Credentials come from boto3's usual chain: `--aws-profile` (else `AWS_PROFILE`), the
    `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` variables, SSO, instance roles.
    The endpoint is `--endpoint-url`, else `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`), else AWS.
    The region is `--aws-region`, else the spec's: the spec says where the stack lives.
    """

    kind = "aws"

    def __init__(
        self,
        stack: Stack,
        environment: str,
        *,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
    ):
        super().__init__(stack, environment, region)
        self.profile = profile
        self.endpoint_url = endpoint_url
        self.clock = WallClock()
        self.identity: dict[str, Any] | None = None

    @cached_property
    def session(self) -> boto3.Session:
        try:
            return boto3.Session(profile_name=self.profile, region_name=self.region)
        except ProfileNotFound:
            config = os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")
            raise BadInput(
                f"the AWS profile {self.profile!r} (--aws-profile or AWS_PROFILE) is not in {config}: "
                "name a configured profile (`aws configure list-profiles` lists them), or leave it out to use "
                "the credentials in the environment"
            ) from None

    @property
    def where(self) -> str:
        url = self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        return url or f"AWS {self.region}"

    def describe(self) -> str:
        who = (
            self.identity["Arn"]
            if self.identity
            else f"profile {self.profile or os.environ.get('AWS_PROFILE') or 'default chain'}"
        )
        return f"{self.where}, environment {self.environment} (account {self.account()}), as {who}"

    def preflight_client(self, service: str) -> Any:
        """A client for the checks before a run (identity, permissions): two attempts, short timeouts."""
        client = self.session.client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            config=Config(retries={"total_max_attempts": 2}, connect_timeout=5, read_timeout=20),
        )
        raise_clear_errors(client)
        self._instrument(client, self.environment)
        return client

    def caller_identity(self) -> dict[str, Any]:
        """STS GetCallerIdentity, or an `AwsProblem` that says what to fix (credentials, endpoint, profile)."""
        sts = self.preflight_client("sts")
        try:
            self.identity = sts.get_caller_identity()
        except (NoCredentialsError, PartialCredentialsError):
            raise AwsProblem(
                f"no AWS credentials for --target aws (environment {self.environment}, {self.where}): set --aws-profile "
                "or AWS_PROFILE to a configured profile (for example the one of data-science-user), or export "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)"
            ) from None
        except (EndpointConnectionError, ConnectTimeoutError) as error:
            raise AwsProblem(
                f"cannot reach {self.where} ({error}): check --endpoint-url or AWS_ENDPOINT_URL, the region "
                f"({self.region}) and the network or proxy"
            ) from None
        except AwsAccessProblem as problem:
            raise AwsProblem(f"{self.where}: {problem}") from None
        except (ClientError, NoRegionError, BotoCoreError) as error:
            raise AwsProblem(
                f"{self.where} refused GetCallerIdentity for environment {self.environment}: {error}"
            ) from None
        return self.identity

    def traffic(
        self,
        endpoint: str,
        environment: str,
        *,
        requests_per_minute: float,
        duration_seconds: float,
        custom_attributes: str | None = None,
        payloads: list[str] | None = None,
    ) -> Any:
        """Real InvokeEndpoint requests at `requests_per_minute` for `duration_seconds` (blocks that long)."""
        from simulacro.target.request_sender import RequestSender

        sender = RequestSender(self, endpoint, environment, requests_per_minute, lambda: custom_attributes, payloads)
        summary = sender.run_for(duration_seconds)
        # Also the local AWS's traffic summary's fields, so a drill reads either the same way.
        return ServedTraffic(
            summary,
            requests=summary["served"] + summary["failed"],
            errors=summary["failed"],
            rejection=summary["problem"],
        )

    def background_traffic(
        self, endpoint: str, environment: str, requests_per_minute: float, attributes: Callable[[], str | None]
    ) -> Any:
        """Requests at `requests_per_minute` in a background thread until `.cancel()`; each carries `attributes()`."""
        from simulacro.target.request_sender import RequestSender

        return RequestSender(self, endpoint, environment, requests_per_minute, attributes).start_in_background()

    def _make_client(self, service: str, environment: str, region: str) -> Any:
        # Throttling and transient errors are retried with backoff by botocore, then by `wait_for`.
        config = Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=10, read_timeout=60)
        client = self.session.client(service, region_name=region, endpoint_url=self.endpoint_url, config=config)
        raise_clear_errors(client)
        return client
