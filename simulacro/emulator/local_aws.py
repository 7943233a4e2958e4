"""The embedded local AWS: moto on 127.0.0.1, our overlay in front, the control plane on a virtual clock."""

from __future__ import annotations

import urllib.request
from typing import TYPE_CHECKING, Any

from simulacro.target.clock import VirtualClock
from simulacro.target.local_clients import local_client

from . import alarm_regions, sns_delivery, sns_envelope
from . import overlay as overlay_module
from .billing import Billing
from .capture import Capture
from .cloudwatch import CloudWatch
from .composite_alarms import CompositeAlarms
from .dataplane import Dataplane
from .deployer import LocalDeployer
from .endpoints import Endpoints
from .eventbus import EventBus
from .guardrails import Guardrails
from .jobs import JobDescriptions
from .metric_store import MetricStore
from .model_registry import ModelRegistry
from .models import Models
from .monitoring import MonitoringSchedules
from .monitoring_runs import MonitoringRuns
from .overlay import Overlay
from .pipelines import Pipelines
from .server import MotoServer
from .sqs_fidelity import SqsFidelity

EVALUATION_INTERVAL_SECONDS = 60

if TYPE_CHECKING:
    from .snapshot import Snapshot


class LocalAws:
    """Start with `LocalAws().start()`; `url` is the endpoint every boto3 client uses."""

    def __init__(self, clock: VirtualClock | None = None):
        self.clock = clock or VirtualClock()
        self.overlay = Overlay()
        self.overlay.lock = self.clock.lock  # one lock: requests and clock ticks never interleave
        self.metrics = MetricStore()
        self.events = EventBus(self.clock, self._put_service_metric)
        self.cloudwatch = CloudWatch(self.clock, self.metrics, self.events.emit)
        self.billing = Billing(self.clock, self.cloudwatch.put_metric)  # AWS/Billing, us-east-1 only
        self.guardrails = Guardrails(self.clock, self._alarm_state)
        self.endpoints = Endpoints(self.clock, self.events.emit, self.guardrails)
        self.monitoring = MonitoringSchedules(self.clock)
        self.monitoring_runs = MonitoringRuns(self.clock, self.monitoring, self.events.emit, self.cloudwatch.put_metric)
        self.model_registry = ModelRegistry(self.clock, self.events.emit)
        self.pipelines = Pipelines(
            self.clock, self.events.emit, self.cloudwatch.put_metric, self.model_registry.register
        )
        self.capture = Capture()
        self.jobs = JobDescriptions(self.clock)
        self.models = Models(self.clock, self.events.emit)
        self.dataplane = Dataplane(self.clock, self.metrics, self.capture, self.guardrails.traffic_split)
        self.sqs = SqsFidelity(self.clock)
        self.composite_alarms = CompositeAlarms(self.cloudwatch)
        for part in (
            self.cloudwatch,
            self.composite_alarms,
            self.events,
            self.endpoints,
            self.monitoring,
            self.pipelines,
            self.dataplane,
            self.model_registry,
            self.jobs,
            self.models,
            self.sqs,
        ):
            part.install(self.overlay)
        alarm_regions.install(self.overlay)
        self.deployer = LocalDeployer(
            self.clock, lambda service, account, region: local_client(self.url, service, account, region, self.app)
        )
        self.sns_deliveries = sns_delivery.SnsDeliveries()  # to subscribers outside the local AWS: recorded, never sent
        self._server: MotoServer | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the local AWS is not started")
        return self._server.url

    @property
    def app(self) -> Any:
        """The WSGI application behind `url`, for clients in this process (`target/in_process.py`)."""
        if self._server is None:
            raise RuntimeError("the local AWS is not started")
        return self._server.app

    def start(self) -> "LocalAws":
        overlay_module.install(self.overlay)
        sns_envelope.install(self.clock)
        sns_delivery.install(self.sns_deliveries)
        self._server = MotoServer().start()
        self._reset_moto()  # moto's state is process-wide: start from nothing, as a new account would
        self.clock.call_every(EVALUATION_INTERVAL_SECONDS, self.cloudwatch.evaluate_all)
        self.billing.start()
        self.guardrails.start()
        self.clock.call_every(EVALUATION_INTERVAL_SECONDS, self.sqs.expire_messages)
        self.deployer.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        overlay_module.uninstall(self.overlay)
        sns_envelope.uninstall(self.clock)
        sns_delivery.uninstall(self.sns_deliveries)

    def reset(self) -> None:
        """Forget every resource (moto's and ours); the clock keeps its time."""
        self._reset_moto()
        self.metrics.clear()
        self.billing.clear()
        self.cloudwatch.alarms.clear()
        self.cloudwatch.composites.clear()
        self.monitoring.schedules.clear()
        self.events.log.clear()
        self.events.emitted.clear()
        self.events.transient_failures.clear()
        self.sns_deliveries.clear()
        for part in (self.endpoints, self.pipelines, self.dataplane, self.model_registry):
            part.clear()

    def snapshot(self) -> "Snapshot":
        """The state of this local AWS now (moto's and ours); `.restore()` puts it back. See `snapshot.py`."""
        from .snapshot import Snapshot

        return Snapshot(self)

    def _reset_moto(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def __enter__(self) -> "LocalAws":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _alarm_state(self, account: str, region: str, alarm: str) -> str | None:
        record = self.cloudwatch.alarms.get((account, region, alarm))
        return record.state if record is not None else None

    def _put_service_metric(
        self, account: str, region: str, namespace: str, name: str, dimensions: dict[str, str], value: float
    ) -> None:
        self.cloudwatch.put_metric(account, region, namespace, name, dimensions, value)
