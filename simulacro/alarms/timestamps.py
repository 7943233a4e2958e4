"""Time as the engine sees it: epoch seconds, periods aligned on multiples of Period since the epoch.

Callers may pass tz-aware datetimes, naive datetimes (read as UTC) or epoch seconds; everything
inside the engine is float epoch seconds, and datetimes come back out in UTC.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from functools import lru_cache
from numbers import Real

Instant = datetime | float | int


def to_epoch_seconds(instant: Instant) -> float:
    if isinstance(instant, datetime):
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=timezone.utc)
        return instant.timestamp()
    if isinstance(instant, Real) and not isinstance(instant, bool):
        seconds = float(instant)
        if math.isfinite(seconds):
            return seconds
    raise TypeError(f"a time must be a datetime or epoch seconds, got {instant!r}")


@lru_cache(maxsize=8192)  # period starts recur in every evaluation that sees them (datetimes are immutable)
def to_datetime(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)


def last_period_boundary(instant: float, period: int) -> float:
    """The latest period boundary at or before ``instant``: the end of the newest complete period."""
    return math.floor(instant / period) * period


def first_period_boundary(instant: float, period: int) -> float:
    """The earliest period boundary at or after ``instant``."""
    return math.ceil(instant / period) * period


@lru_cache(maxsize=8192)
def cloudwatch_iso(epoch_seconds: float) -> str:
    """As CloudWatch writes times in reason data and messages: ``2026-06-03T17:43:27.123+0000``."""
    moment = to_datetime(epoch_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


@lru_cache(maxsize=8192)
def cloudwatch_short(epoch_seconds: float) -> str:
    """As CloudWatch writes datapoint times in a state reason: ``27/11/26 14:20:00``."""
    return to_datetime(epoch_seconds).strftime("%d/%m/%y %H:%M:%S")
