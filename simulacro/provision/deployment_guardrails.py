"""Where an endpoint's deployment guardrail is recorded, so the team's deployer applies it on every update.

AWS keeps no standing deployment policy on an endpoint: each `UpdateEndpoint` call carries its own
`DeploymentConfig` (DescribeEndpoint shows the last one used, `LastDeploymentConfig`, only after a
deployment). The spec's `deployment_config` is therefore recorded as tags on the endpoint, which the
team's deployer reads before each update (the local deployer does, `emulator/deployer.py`), and which the
inventory reads back to check that the live record matches the spec:

    simulacro:deployment-traffic        ALL_AT_ONCE | CANARY:<percent> | LINEAR:<percent>
    simulacro:deployment-waits          bake=<s>;termination=<s>;timeout=<s>
    simulacro:rollback-alarm:<n>        one rollback alarm name per tag (n = 1..10; names may be 255 characters)
"""

from __future__ import annotations

from typing import Any

from simulacro.spec.model import DeploymentConfig

TRAFFIC_TAG = "simulacro:deployment-traffic"
WAITS_TAG = "simulacro:deployment-waits"
ALARM_TAG_PREFIX = "simulacro:rollback-alarm:"


def is_guardrail_tag(key: str) -> bool:
    return key in (TRAFFIC_TAG, WAITS_TAG) or key.startswith(ALARM_TAG_PREFIX)


def guardrail_tags(config: DeploymentConfig | None) -> dict[str, str]:
    """The tags recording `config` on its endpoint (none when the spec declares no guardrail)."""
    if config is None:
        return {}
    aws = config.to_aws()
    routing = aws["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    size = routing.get("CanarySize") or routing.get("LinearStepSize")
    tags = {
        TRAFFIC_TAG: routing["Type"] + (f":{size['Value']}" if size else ""),
        WAITS_TAG: (
            f"bake={routing['WaitIntervalInSeconds']};"
            f"termination={aws['BlueGreenUpdatePolicy']['TerminationWaitInSeconds']};"
            f"timeout={aws['BlueGreenUpdatePolicy']['MaximumExecutionTimeoutInSeconds']}"
        ),
    }
    tags.update({f"{ALARM_TAG_PREFIX}{n}": name for n, name in enumerate(config.rollback_alarms, start=1)})
    return tags


def recorded_deployment_config(tags: dict[str, str]) -> dict[str, Any] | None:
    """UpdateEndpoint's DeploymentConfig recorded in an endpoint's tags; None without a record.

    Raises ValueError naming the tag when the record is not one `guardrail_tags` writes."""
    traffic = tags.get(TRAFFIC_TAG)
    if not traffic:
        return None
    kind, _, size = traffic.partition(":")
    routing: dict[str, Any] = {"Type": kind, "WaitIntervalInSeconds": 0}
    if kind in ("CANARY", "LINEAR"):
        member = "CanarySize" if kind == "CANARY" else "LinearStepSize"
        routing[member] = {"Type": "CAPACITY_PERCENT", "Value": _integer(size, TRAFFIC_TAG, traffic)}
    elif kind != "ALL_AT_ONCE" or size:
        raise ValueError(f"tag {TRAFFIC_TAG}={traffic!r}: expected ALL_AT_ONCE, CANARY:<percent> or LINEAR:<percent>")
    waits = _waits(tags.get(WAITS_TAG, ""))
    routing["WaitIntervalInSeconds"] = waits.get("bake", 0)
    config: dict[str, Any] = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": routing,
            "TerminationWaitInSeconds": waits.get("termination", 0),
            "MaximumExecutionTimeoutInSeconds": waits.get("timeout", 3600),
        }
    }
    alarms = [
        tags[key]
        for key in sorted(
            (k for k in tags if k.startswith(ALARM_TAG_PREFIX)),
            key=lambda k: _integer(k[len(ALARM_TAG_PREFIX) :], k, k),
        )
    ]
    if alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": name} for name in alarms]}
    return config


def _waits(text: str) -> dict[str, int]:
    waits = {}
    for part in filter(None, text.split(";")):
        name, _, value = part.partition("=")
        if name not in ("bake", "termination", "timeout"):
            raise ValueError(f"tag {WAITS_TAG}={text!r}: unknown item {name!r}; expected bake=, termination=, timeout=")
        waits[name] = _integer(value, WAITS_TAG, text)
    return waits


def _integer(text: str, tag: str, value: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"tag {tag}={value!r}: {text!r} is not a whole number") from None
