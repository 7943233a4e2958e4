"""The local AWS posing as a real account, for the tests of `--target aws`: wall-clock time, requests signed
with access keys of the account they open (as on AWS), and a record of every API call the drills make."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import botocore.client

from support.drill_runner import ROOT
from support.example_spec import example_data, write_spec

UNKNOWN_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAUNKNOWNTOTHISACCOUNT", "AWS_SECRET_ACCESS_KEY": "not-a-real-secret"}
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
)


def use_credentials(monkeypatch: Any, keys: dict[str, str], tmp_path: Path) -> None:
    """Only these credentials are in the environment (no profile, no config file from the machine)."""
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in keys.items():
        monkeypatch.setenv(name, value)


def keys_of(sandbox: Any, environment: str) -> dict[str, str]:
    key = sandbox.keys[environment]
    return {"AWS_ACCESS_KEY_ID": key.access_key_id, "AWS_SECRET_ACCESS_KEY": key.secret_access_key}


class ApiCalls:
    """Every botocore operation made from the test's own thread (not the local AWS's clock or traffic threads)."""

    def __init__(self, monkeypatch: Any):
        self.operations: list[tuple[str, str]] = []
        original = botocore.client.BaseClient._make_api_call
        calls = self

        def recording(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            if threading.current_thread() is threading.main_thread():
                calls.operations.append((client.meta.service_model.service_name, operation_name))
            return original(client, operation_name, api_params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)

    def changing(self) -> list[tuple[str, str]]:
        """The calls that are not reads (a dry run and a refused run make none)."""
        return [
            (s, op) for s, op in self.operations if not op.startswith(("Describe", "List", "Get", "Head", "Simulate"))
        ]


def spec_with(tmp_path: Path, **environments: dict[str, Any]) -> Path:
    """A copy of the example spec with some environment settings changed (its models and baselines linked)."""
    data = example_data()
    for name, changes in environments.items():
        data["environments"][name].update(changes)
    return write_spec(data, tmp_path)


def run_on_aws(pytester: Any, *args: str) -> Any:
    return pytester.runpytest_inprocess(
        str(ROOT / "drills"), f"--rootdir={ROOT}", "-p", "no:cacheprovider", "-q", "--target", "aws", *args
    )


class SandboxProcess:
    """`python -m simulacro sandbox` in a process of its own (its moto state cannot mix with this process's)."""

    def __init__(self, folder: Path, environment: str = "staging"):
        self.env_file = folder / f"sandbox-{environment}.env"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulacro", "sandbox", "--env", environment, "--env-file", str(self.env_file)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not self.env_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the sandbox did not start: {self.process.stdout.read() if self.process.stdout else ''}"
                )
            time.sleep(0.1)
        self.text = self.env_file.read_text()
        self.exports = dict(re.findall(r"^export (\w+)=(\S+)$", self.text, re.MULTILINE))
        self.others = {
            env: dict(re.findall(r"(AWS_\w+)=(\S+)", line))
            for env, line in re.findall(r"^# (\w+) \(account \d+\): (export .*)$", self.text, re.MULTILINE)
        }
        self.url = self.exports["AWS_ENDPOINT_URL"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


class EndpointCalls(ApiCalls):
    """Like ApiCalls, but remembers where each call went, to tell the account's calls from a local rehearsal's."""

    def __init__(self, monkeypatch: Any):
        self.calls: list[tuple[str, str, str]] = []
        original = botocore.client.BaseClient._make_api_call
        calls = self

        def recording(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            calls.calls.append((client.meta.endpoint_url, client.meta.service_model.service_name, operation_name))
            return original(client, operation_name, api_params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)

    def to(self, url: str) -> list[tuple[str, str]]:
        return [
            (service, operation) for where, service, operation in self.calls if where.rstrip("/") == url.rstrip("/")
        ]
