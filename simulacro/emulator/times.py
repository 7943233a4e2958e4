"""Times as the SageMaker and EventBridge APIs write them, in one place for every part of the emulator.

moto keeps naive UTC datetimes; the control plane's clock is aware. Events carry ISO-8601 seconds
(`2026-03-15T16:10:11Z`) or epoch milliseconds, depending on the service (AWS-FACTS §1).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def aware(moment: datetime) -> datetime:
    """`moment` with its zone; a naive one (moto's) is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def naive_utc(moment: datetime) -> datetime:
    """The naive UTC datetime moto keeps, so ours compare with its own."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def epoch_ms(moment: Any) -> int:
    """Epoch milliseconds of a datetime (naive is UTC); a number is taken as milliseconds already."""
    if isinstance(moment, (int, float)):
        return int(moment)
    return int(aware(moment).timestamp() * 1000)


def iso_seconds(moment: datetime | None) -> str:
    """`2026-03-15T16:10:11Z`, or "" for no time."""
    return aware(moment).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""
