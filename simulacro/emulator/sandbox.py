"""A sandbox for people: the local AWS kept running with the stack provisioned, reachable from the usual tools.

`python -m simulacro sandbox --env staging` prints the environment to export; then `aws cloudwatch
describe-alarms`, `aws events list-rules`, `aws logs describe-log-groups` (and boto3 scripts, and
`pytest drills --target aws --env staging`) talk to it as they would to the staging account.

Each environment of the spec is its own account in the local AWS. The sandbox gives each account an
IAM user with an access key: requests signed with an account's key land in that account (moto tells
accounts apart by the key that signs a request). `--env` chooses whose key is exported; the other
environments' keys are printed too, to switch. Time is virtual but follows the wall clock (`--speed`
makes it run faster), so alarms evaluate and pipelines and endpoints move on their own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from simulacro.emulator import LocalAws
from simulacro.provision import apply
from simulacro.spec import Stack
from simulacro.target.local_clients import LOCAL_CREDENTIALS
from simulacro.target.targets import LocalTarget

SANDBOX_USER = "simulacro-sandbox"
TICK_SECONDS = 1.0


@dataclass(frozen=True)
class AccountKey:
    environment: str
    account: str
    access_key_id: str
    secret_access_key: str


def account_key(local_aws: LocalAws, account: str, environment: str, region: str) -> AccountKey:
    """An access key of `account` in the local AWS: requests it signs land in that account."""
    iam = boto3.client(
        "iam",
        region_name=region,
        endpoint_url=local_aws.url,
        config=Config(retries={"total_max_attempts": 1}),
        **LOCAL_CREDENTIALS,
    )
    iam.meta.events.register(
        "before-send", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
    )
    try:
        iam.create_user(UserName=SANDBOX_USER)
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    key = iam.create_access_key(UserName=SANDBOX_USER)["AccessKey"]
    return AccountKey(environment, account, key["AccessKeyId"], key["SecretAccessKey"])


class Sandbox:
    def __init__(self, stack: Stack, environment: str, *, speed: float = 1.0):
        if environment not in stack.environments:
            raise ValueError(f"unknown environment {environment!r}: the spec declares {', '.join(stack.environments)}")
        if speed <= 0:
            raise ValueError(f"--speed must be positive, got {speed:g}")
        self.stack = stack
        self.environment = environment
        self.speed = speed
        self.local_aws = LocalAws()
        self.keys: dict[str, AccountKey] = {}
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def start(self) -> "Sandbox":
        self.local_aws.start()
        target = LocalTarget(self.stack, self.local_aws, self.environment)
        apply(self.stack, target)
        target.clock.sleep(60)  # schedules leave Pending, alarms take their first evaluation
        self.keys = {
            env: account_key(self.local_aws, self.stack.account(env), env, self.stack.region)
            for env in self.stack.environments
        }
        self._ticker = threading.Thread(target=self._follow_the_wall_clock, name="simulacro-sandbox-clock", daemon=True)
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        self.local_aws.stop()

    def exports(self, environment: str | None = None) -> dict[str, str]:
        key = self.keys[environment or self.environment]
        return {
            "AWS_ENDPOINT_URL": self.local_aws.url,
            "AWS_ACCESS_KEY_ID": key.access_key_id,
            "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
            "AWS_DEFAULT_REGION": self.stack.region,
            "AWS_REGION": self.stack.region,
        }

    def shell_text(self) -> str:
        """What to paste into a shell (or `source` from `--env-file`)."""
        key = self.keys[self.environment]
        lines = [
            f"# Simulacro sandbox: the local AWS at {self.local_aws.url}, stack {self.stack.name} provisioned from the spec,",
            f"# environment {self.environment} (account {key.account}), region {self.stack.region}, time x{self.speed:g}.",
            "unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN",
        ]
        lines += [f"export {name}={value}" for name, value in self.exports().items()]
        for other in (k for env, k in self.keys.items() if env != self.environment):
            lines.append(
                f"# {other.environment} (account {other.account}): export AWS_ACCESS_KEY_ID={other.access_key_id} "
                f"AWS_SECRET_ACCESS_KEY={other.secret_access_key}"
            )
        lines.append("# then: aws cloudwatch describe-alarms; aws events list-rules; aws logs describe-log-groups")
        return "\n".join(lines) + "\n"

    def write_env_file(self, path: Path) -> None:
        partial = path.with_name(path.name + ".partial")
        partial.write_text(self.shell_text())
        partial.replace(path)  # whoever waits for the file never reads half of it

    def _follow_the_wall_clock(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self.local_aws.clock.sleep(TICK_SECONDS * self.speed)


def run_until_interrupted(sandbox: Sandbox, env_file: Path | None, out: Any) -> None:
    sandbox.start()
    try:
        out.write(sandbox.shell_text())
        out.write("# Ctrl-C stops the sandbox (its state is lost).\n")
        out.flush()
        if env_file is not None:
            sandbox.write_env_file(env_file)
        while True:
            time.sleep(3600)
    finally:
        sandbox.stop()
