"""Endpoint faults through the mechanism the spec declares: a request attribute the staging model honours.

The fault affects the drill's own requests only (they carry `CustomAttributes`), so it works the same
on real AWS with the handler wrapper of the README, and it cannot touch a model that does not
declare the mechanism.
"""

from __future__ import annotations

from simulacro.spec.model import Endpoint


class EndpointFaultState:
    """The fault items active per endpoint, turned into the CustomAttributes header requests carry."""

    def __init__(self) -> None:
        self._items: dict[str, dict[str, str]] = {}

    def activate(self, endpoint: Endpoint, item: str, value: str) -> None:
        if endpoint.faults is None:
            raise AssertionError(
                f"endpoint {endpoint.name} declares no fault mechanism in the spec (endpoints[].faults); "
                "a drill can only break it through one (see README, real AWS)"
            )
        self._items.setdefault(endpoint.name, {})[item] = value

    def deactivate(self, endpoint: Endpoint, item: str) -> None:
        self._items.get(endpoint.name, {}).pop(item, None)

    def attributes_for(self, endpoint: Endpoint) -> str | None:
        items = self._items.get(endpoint.name)
        if not items or endpoint.faults is None:
            return None
        return f"{endpoint.faults.attribute}=" + ";".join(f"{k}:{v}" for k, v in sorted(items.items()))
