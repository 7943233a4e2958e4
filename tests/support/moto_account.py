"""A plain moto server standing in for an AWS account (`MOTO_ACCOUNT_ID`): no overlay, no virtual time, the
way a new user would point Simulacro at "any AWS-compatible endpoint". Its resources can be listed before
and after a run, to prove that nothing the run created remains."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3

MOTO_SERVER = Path(os.sys.executable).parent / "moto_server"
KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}


class MotoAccount:
    """`moto_server` on 127.0.0.1 answering as `account`; stop() ends the process."""

    def __init__(self, account: str):
        self.account = account
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "MOTO_ACCOUNT_ID": account}
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1)
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto_server did not start on {self.url}") from None
                time.sleep(0.1)

    def client(self, service: str, region: str = "eu-west-1") -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        )

    def resources(self, region: str = "eu-west-1") -> set[tuple[str, str]]:
        """What the account holds, by kind and name, in the services a run writes to."""
        c = lambda service: self.client(service, region)  # noqa: E731
        sm = c("sagemaker")
        found = {("queue", u.rsplit("/", 1)[1]) for u in c("sqs").list_queues().get("QueueUrls", [])}
        found |= {("topic", t["TopicArn"]) for t in c("sns").list_topics()["Topics"]}
        found |= {("subscription", s["SubscriptionArn"]) for s in c("sns").list_subscriptions()["Subscriptions"]}
        found |= {("alarm", a["AlarmName"]) for a in c("cloudwatch").describe_alarms()["MetricAlarms"]}
        for rule in c("events").list_rules()["Rules"]:
            found.add(("rule", f"{rule['Name']}:{rule['State']}"))
            found |= {
                ("target", f"{rule['Name']}/{t['Id']}->{t['Arn']}")
                for t in c("events").list_targets_by_rule(Rule=rule["Name"])["Targets"]
            }
        found |= {
            ("endpoint-config", e["EndpointConfigName"])
            for e in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]
        }
        found |= {("model", m["ModelName"]) for m in sm.list_models(MaxResults=100)["Models"]}
        found |= {("endpoint", f"{e['EndpointName']}") for e in sm.list_endpoints(MaxResults=100)["Endpoints"]}
        for group in sm.list_model_package_groups(MaxResults=100)["ModelPackageGroupSummaryList"]:
            for package in sm.list_model_packages(ModelPackageGroupName=group["ModelPackageGroupName"], MaxResults=100)[
                "ModelPackageSummaryList"
            ]:
                found.add(("model-package", f"{package['ModelPackageArn']}:{package.get('ModelApprovalStatus')}"))
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
