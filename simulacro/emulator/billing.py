"""AWS/Billing `EstimatedCharges`, published as AWS does: in us-east-1 only, several times a day.

No customer can write a billing metric (PutMetricData refuses every `AWS/` namespace), so a local
drill needs the control plane to stand in for AWS's billing system: `inject` sets an account's
month-to-date estimate, published at once and again every few hours until the next injection, always
in us-east-1. An alarm on it in any other region never sees a datapoint, as on AWS. Local only: a real
account's charges are what they are.
"""

from __future__ import annotations

import math
from typing import Callable

from simulacro.target.clock import SchedulingClock

BILLING_REGION = "us-east-1"
NAMESPACE = "AWS/Billing"
METRIC = "EstimatedCharges"
# AWS updates the estimate "several times daily"; every 4 hours keeps a datapoint in every 6-hour period.
PUBLISH_EVERY_SECONDS = 4 * 3600

PutMetric = Callable[..., None]  # (account, region, namespace, name, dimensions, value)


class Billing:
    def __init__(self, clock: SchedulingClock, put_metric: PutMetric):
        self.clock = clock
        self.put_metric = put_metric
        self.estimates: dict[tuple[str, str], float] = {}  # (account, currency) -> month-to-date charges

    def start(self) -> None:
        self.clock.call_every(PUBLISH_EVERY_SECONDS, self.publish_all)

    def inject(self, account: str, amount: float, currency: str = "USD") -> None:
        """The account's estimated charges are now `amount` (published now, then with every update)."""
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount) or amount < 0:
            raise ValueError(f"estimated charges must be a finite amount of at least 0, got {amount!r}")
        if not currency or not currency.isalpha():
            raise ValueError(f"currency must be a code such as USD, got {currency!r}")
        self.estimates[(account, currency)] = float(amount)
        self._publish(account, currency, float(amount))

    def publish_all(self) -> None:
        for (account, currency), amount in self.estimates.items():
            self._publish(account, currency, amount)

    def clear(self) -> None:
        self.estimates.clear()

    def _publish(self, account: str, currency: str, amount: float) -> None:
        self.put_metric(account, BILLING_REGION, NAMESPACE, METRIC, {"Currency": currency}, amount)
