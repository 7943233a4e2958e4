"""Which samples an alarm (or a metric query) sees, as on AWS and not as moto would have it.

- Unit: a query that names a unit sees only data published in that unit; an alarm whose `Unit` differs
  from the metric's gets no data at all (AWS: "if you specify a unit that does not match, you get no data").
- Resolution: AWS services publish standard-resolution metrics, aggregated per minute and stamped at the
  minute. A query with a period shorter than that (10 or 30 s) sees the minute's data in the first period
  only; the other periods of the minute have no data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

STANDARD_RESOLUTION = 60


def visible(
    times: np.ndarray, values: np.ndarray, *, namespace: str, period: int, unit: str | None, published_unit: str | None
) -> tuple[np.ndarray, np.ndarray]:
    if unit and published_unit and unit != published_unit:
        return times[:0], values[:0]
    if period < STANDARD_RESOLUTION and _service_metric(namespace) and len(times):
        times = times - np.mod(times, STANDARD_RESOLUTION)
    return times, values


def query_unit(definition: dict[str, Any], metric_stat: dict[str, Any]) -> str | None:
    """The unit an alarm's query names: the MetricStat's in metric math, the alarm's own otherwise."""
    return metric_stat.get("Unit") or (None if definition.get("Metrics") else definition.get("Unit"))


def _service_metric(namespace: str) -> bool:
    return namespace.startswith(("AWS/", "aws/"))
