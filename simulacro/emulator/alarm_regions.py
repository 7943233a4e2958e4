"""Alarm actions are same-region: PutMetricAlarm refuses an action ARN from another region, as AWS does.

AWS answers `ValidationError: Invalid region ca-central-1 specified. Only us-west-2 is supported.`
for an alarm in us-west-2 whose action is a topic in ca-central-1 (recorded in a public Terraform
pull request, cds-snc/notification-terraform#128). moto stores such an alarm, whose actions would
then never reach anyone; the spec lint catches it earlier, this catches a hand-made alarm.
"""

from __future__ import annotations

from .errors import AwsError
from .overlay import Call, Overlay

ACTION_KEYS = ("AlarmActions", "OKActions", "InsufficientDataActions")


def install(overlay: Overlay) -> None:
    overlay.check("cloudwatch", "PutMetricAlarm", refuse_actions_in_other_regions)


def refuse_actions_in_other_regions(call: Call) -> None:
    for key in ACTION_KEYS:
        for arn in call.params.get(key) or []:
            region = _region(arn)
            if region and region != call.region:
                raise AwsError(
                    "ValidationError", f"Invalid region {region} specified. Only {call.region} is supported."
                )


def _region(arn: str) -> str | None:
    """The region of an action ARN (`arn:aws:sns:<region>:...`); None for what carries none."""
    parts = str(arn).split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" else None
