"""CloudWatch as AWS behaves and moto does not: alarms that evaluate, act, keep history and emit events.

moto keeps the alarm configuration (DescribeAlarms is its); we keep each alarm's PutMetricAlarm
request and state, evaluate every alarm every minute of the clock with `simulacro.alarms`, and on
each transition publish the notification, record history and emit `CloudWatch Alarm State Change`;
creating, updating and deleting an alarm emits `CloudWatch Alarm Configuration Change`. Composite
alarms (`composite_alarms`) share the records, history, actions and events. Every timestamp (in
DescribeAlarms, history, events and SNS) is the virtual clock's. Metrics are ours too (moto's store
cannot serve percentiles or metric math).
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np

from simulacro.alarms import AlarmDefinition, AlarmInputError, parse_alarm
from simulacro.alarms.incremental import AlarmEvaluator
from simulacro.alarms.samples import SampleColumns
from simulacro.events.shapes import alarm_configuration_change, alarm_state, alarm_state_change
from simulacro.target.clock import SchedulingClock

from . import backends, metric_fidelity
from .alarm_messages import (
    AlarmRecord,
    action_history_item,
    configuration_history_item,
    configuration_snapshot,
    event_configuration,
    notification,
    state_change_time,
    state_history_item,
    suppression,
)
from .errors import AwsError, invalid_next_token, validation
from .metric_math import metric_data_results
from .metric_store import MetricStore, metric_key, statistic_values_samples
from .overlay import Call, Overlay
from .paging import page_of
from .sns_publish_rules import check_cloudwatch_publish

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
COMPARISONS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
HISTORY_RETENTION_SECONDS = 14 * 86400


class CloudWatch:
    def __init__(self, clock: SchedulingClock, metrics: MetricStore, emit_event: Callable[..., None]):
        self.clock = clock
        self.metrics = metrics
        self.emit_event = emit_event
        self.alarms: dict[tuple[str, str, str], AlarmRecord] = {}
        # Composite alarms (keyed like `alarms`); evaluated by their rule, never by `evaluate_all`.
        self.composites: dict[tuple[str, str, str], AlarmRecord] = {}
        self.after_transition: list[Callable[[AlarmRecord], None]] = []
        self.notification_extras: Callable[[AlarmRecord], dict[str, Any]] = lambda record: {}
        # (record, new state, old state) -> (suppressed by, reason) when the actions must not run now.
        self.action_gate: Callable[[AlarmRecord, str, str], tuple[str, str] | None] = lambda record, state, old: None
        self.deletion_guard: Callable[[Call], None] = lambda call: None  # raises to refuse a DeleteAlarms
        self.evaluator = AlarmEvaluator()
        self._inputs: dict[tuple[str, str, str], AlarmSamples] = {}
        self._metrics_generation = metrics.generation

    def install(self, overlay: Overlay) -> None:
        overlay.check("cloudwatch", "PutMetricAlarm", self._check_put_metric_alarm)
        overlay.observe("cloudwatch", "PutMetricAlarm", self._record_alarm)
        overlay.check("cloudwatch", "DeleteAlarms", self._announce_deletions)
        overlay.observe("cloudwatch", "DeleteAlarms", self._forget_alarms)
        overlay.handle("cloudwatch", "SetAlarmState", self._set_alarm_state)
        overlay.handle("cloudwatch", "DescribeAlarmHistory", self._describe_alarm_history)
        overlay.handle("cloudwatch", "PutMetricData", self._put_metric_data)
        overlay.handle("cloudwatch", "GetMetricData", self._get_metric_data)
        overlay.handle("cloudwatch", "GetMetricStatistics", self._get_metric_statistics)
        overlay.handle("cloudwatch", "ListMetrics", self._list_metrics)

    # --- the control plane -------------------------------------------------------------

    def evaluate_all(self) -> None:
        """Evaluate every alarm whose inputs changed since its last evaluation (`simulacro.alarms.incremental`)."""
        now = self.clock.now().timestamp()
        self._forget_stale_evaluations()
        for key, record in list(self.alarms.items()):
            result = self.evaluator.evaluate(
                key, record.definition, self._inputs_of(key, record), now=now, state=record.state
            )
            if result is not None and result.state != record.state:
                self.transition(record, result.state, result.reason, json.dumps(result.reason_data, default=str))

    def _forget_stale_evaluations(self) -> None:
        if self.metrics.generation != self._metrics_generation:  # the store was emptied: counts tell nothing
            self._metrics_generation = self.metrics.generation
            self.evaluator.forget_samples_seen()
            self._inputs.clear()  # their series handles belong to the emptied store
        if len(self.evaluator) > len(self.alarms):  # alarms were deleted
            self.evaluator.keep_only(self.alarms)
            self._inputs = {key: inputs for key, inputs in self._inputs.items() if key in self.alarms}

    def _inputs_of(self, key: tuple[str, str, str], record: AlarmRecord) -> AlarmSamples:
        inputs = self._inputs.get(key)
        if inputs is None or inputs.definition is not record.definition:
            inputs = self._inputs[key] = AlarmSamples(self.metrics, record)
        return inputs

    def transition(self, record: AlarmRecord, state: str, reason: str, reason_data: str | None) -> None:
        at = self.clock.now()
        previous = {
            **alarm_state(
                record.state, record.reason, _iso(record.state_since or record.configured_at), record.reason_data
            ),
            **suppression(record),
        }
        old_state, old_reason, old_reason_data = record.state, record.reason, record.reason_data
        record.state, record.reason, record.reason_data, record.updated_at = state, reason, reason_data, at
        if old_state != state:
            record.state_since = at
            record.left_alarm_at = at if old_state == "ALARM" else record.left_alarm_at
            record.suppressed_by, record.suppressed_reason = self.action_gate(record, state, old_state) or (None, None)
        self._sync_moto(record)
        self._remember(record, state_history_item(record, old_state, old_reason, old_reason_data, at))
        if old_state != state:
            if record.suppressed_by is None:
                self.run_actions(record, old_state)
            self.emit_event(record.account, record.region, self._state_change_event(record, previous, at))
            for listener in self.after_transition:
                listener(record)

    def run_actions(self, record: AlarmRecord, old_state: str) -> None:
        """The actions of the record's current state (run on a transition, or when a suppression ends)."""
        at = self.clock.now()
        for action in record.actions_for(record.state):
            self._run_action(record, action, old_state, at)

    def put_metric(
        self,
        account: str,
        region: str,
        namespace: str,
        name: str,
        dimensions: dict[str, str],
        value: float,
        *,
        at: datetime | None = None,
        unit: str | None = None,
    ) -> None:
        """How AWS services publish their own metrics (a customer cannot write into AWS/ namespaces)."""
        moment = (at or self.clock.now()).timestamp()
        self.metrics.put(metric_key(account, region, namespace, name, dimensions), moment, value, unit)

    def _run_action(self, record: AlarmRecord, action: str, old_state: str, at: datetime) -> None:
        error = None
        try:
            service, region, account, _ = backends.arn_parts(action)
            if service != "sns":
                raise ValueError(f"only SNS actions are emulated, not {service}")
            subject, message = notification(record, old_state, at, self.notification_extras(record))
            sns = backends.sns(account, region)
            check_cloudwatch_publish(sns.topics.get(action), action, record.arn, record.account)
            sns.publish(message, arn=action, subject=subject)
        except Exception as failure:  # a deleted topic or a broken subscriber: CloudWatch records it, goes on
            error = f"{type(failure).__name__}: {failure}"
        self._remember(record, action_history_item(record, action, at, error))

    def _state_change_event(self, record: AlarmRecord, previous: dict[str, Any], at: datetime) -> dict[str, Any]:
        """`previous` is the old state as it stood: its value, reason, reason data and when it began."""
        return alarm_state_change(
            alarm_name=record.name,
            alarm_arn=record.arn,
            state={**alarm_state(record.state, record.reason, _iso(at), record.reason_data), **suppression(record)},
            previous_state=previous,
            configuration=event_configuration(record),
            account=record.account,
            region=record.region,
            time=at,
            id=str(uuid.uuid4()),
        )

    def _remember(self, record: AlarmRecord, item: dict[str, Any]) -> None:
        record.history.append(item)
        horizon = self.clock.now().timestamp() - HISTORY_RETENTION_SECONDS
        record.history[:] = [h for h in record.history if h["Timestamp"].timestamp() >= horizon]

    def emit_configuration_change(
        self, record: AlarmRecord, operation: str, previous: AlarmRecord | None = None
    ) -> None:
        """`CloudWatch Alarm Configuration Change` for a create, update or delete of `record`."""
        state = {
            **suppression(record, with_reason=False),
            "value": record.state,
            "timestamp": _iso(record.state_since or record.configured_at),
        }
        event = alarm_configuration_change(
            alarm_name=record.name,
            alarm_arn=record.arn,
            operation=operation,
            state=state,
            configuration=configuration_snapshot(record),
            previous_configuration=configuration_snapshot(previous) if previous is not None else None,
            account=record.account,
            region=record.region,
            time=self.clock.now(),
            id=str(uuid.uuid4()),
        )
        self.emit_event(record.account, record.region, event)

    def history_of(self, account: str, region: str) -> list[tuple[str, AlarmRecord]]:
        """(name, record) of every metric and composite alarm of one account and region."""
        return [
            (name, record)
            for table in (self.alarms, self.composites)
            for (owner, where, name), record in table.items()
            if owner == account and where == region
        ]

    def _sync_moto(self, record: AlarmRecord) -> None:
        """DescribeAlarms is moto's: give it our state and the virtual clock's timestamps."""
        moto_alarm = backends.cloudwatch(record.account, record.region).alarms.get(record.name)
        if moto_alarm is not None:
            moto_alarm.state_value = record.state
            moto_alarm.state_reason = record.reason
            moto_alarm.state_reason_data = record.reason_data
            moto_alarm.state_updated_timestamp = record.updated_at
            moto_alarm.state_transitioned_timestamp = record.state_since
            moto_alarm.configuration_updated_timestamp = record.configured_at
            moto_alarm.actions_suppressed_by = record.suppressed_by
            moto_alarm.actions_suppressed_reason = record.suppressed_reason
            if not record.definition.get("Metrics"):
                moto_alarm.metric_data_queries = None  # AWS leaves `Metrics` out of a single-metric alarm

    # --- alarm API ---------------------------------------------------------------------

    def _check_put_metric_alarm(self, call: Call) -> None:
        definition = _normalized(call.params)
        for problem in alarm_definition_problems(definition):
            raise validation(problem)
        try:
            parse_alarm(definition)  # what the engine cannot evaluate, CloudWatch would not have accepted
        except AlarmInputError as error:
            raise validation(str(error)) from None

    def _record_alarm(self, call: Call, status: int) -> None:
        if status != 200:
            return
        key = (call.account, call.region, call.params["AlarmName"])
        now = self.clock.now()
        existing = self.alarms.get(key)
        # Updating an alarm keeps its state; a new alarm starts in INSUFFICIENT_DATA.
        record = AlarmRecord(call.account, call.region, _normalized(call.params), configured_at=now)
        if existing is not None:
            keep_state(record, existing)
        self.alarms[key] = record
        self._remember(record, configuration_history_item(record, now, created=existing is None))
        self._sync_moto(record)
        self.emit_configuration_change(record, "create" if existing is None else "update", existing)

    def _announce_deletions(self, call: Call) -> None:
        """Runs before moto deletes: the event carries the configuration being deleted."""
        self.deletion_guard(call)
        for name in call.params.get("AlarmNames") or []:
            key = (call.account, call.region, name)
            record = self.alarms.get(key) or self.composites.get(key)
            if record is not None:
                self.emit_configuration_change(record, "delete")

    def _forget_alarms(self, call: Call, status: int) -> None:
        if status == 200:
            for name in call.params.get("AlarmNames") or []:
                self.alarms.pop((call.account, call.region, name), None)
                self.composites.pop((call.account, call.region, name), None)

    def _set_alarm_state(self, call: Call) -> None:
        record = self._alarm(call, call.params["AlarmName"])
        state = call.params["StateValue"]
        if state not in STATES:
            raise validation(
                f"1 validation error detected: Value '{state}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]"
            )
        reason_data = call.params.get("StateReasonData")
        if reason_data is not None:
            try:
                json.loads(reason_data)
            except ValueError:
                raise AwsError("InvalidFormat", "Unable to parse JSON StateReasonData") from None
        if state != record.state:
            self.transition(record, state, call.params["StateReason"], reason_data)
        return None

    def _describe_alarm_history(self, call: Call) -> dict[str, Any]:
        name = call.params.get("AlarmName")
        kind = call.params.get("HistoryItemType")
        start, end = call.params.get("StartDate"), call.params.get("EndDate")
        types = call.params.get("AlarmTypes") or ["MetricAlarm"]  # AWS: metric alarms unless asked
        items = [
            item
            for alarm_name, record in self.history_of(call.account, call.region)
            if (name is None or alarm_name == name) and record.alarm_type in types
            for item in record.history
            if (kind is None or item["HistoryItemType"] == kind)
            and (start is None or item["Timestamp"] >= _as_datetime(start))
            and (end is None or item["Timestamp"] <= _as_datetime(end))
        ]
        newest_first = call.params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        # Many items share a virtual instant: their order of recording breaks the tie.
        order = {id(item): index for index, item in enumerate(items)}
        items.sort(key=lambda item: (item["Timestamp"], order[id(item)]), reverse=newest_first)
        page, more = page_of(
            items,
            call.params.get("NextToken"),
            int(call.params.get("MaxRecords") or 100),
            invalid=invalid_next_token(),
        )
        return {"AlarmHistoryItems": page, **more}

    def _alarm(self, call: Call, name: str) -> AlarmRecord:
        key = (call.account, call.region, name)
        record = self.alarms.get(key) or self.composites.get(key)
        if record is None:
            raise AwsError("ResourceNotFound", "")  # AWS answers with the code alone, no message
        return record

    # --- metric API --------------------------------------------------------------------

    def _put_metric_data(self, call: Call) -> None:
        namespace = call.params["Namespace"]
        if namespace.startswith("AWS/"):
            raise AwsError(
                "InvalidParameterValue",
                f"The value {namespace} for parameter Namespace is invalid: it starts with AWS/, which is reserved for AWS services.",
            )
        for datum in call.params.get("MetricData") or []:
            dimensions = {d["Name"]: d["Value"] for d in datum.get("Dimensions") or []}
            key = metric_key(call.account, call.region, namespace, datum["MetricName"], dimensions)
            at = (
                _as_datetime(datum["Timestamp"]).timestamp() if datum.get("Timestamp") else self.clock.now().timestamp()
            )
            for value in _datum_values(datum):
                self.metrics.put(key, at, value, datum.get("Unit"))

    def _get_metric_data(self, call: Call) -> dict[str, Any]:
        start = _as_datetime(call.params["StartTime"]).timestamp()
        end = _as_datetime(call.params["EndTime"]).timestamp()
        queries = call.params["MetricDataQueries"]

        def samples(metric_stat: dict[str, Any]) -> Any:
            metric = metric_stat["Metric"]
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
            return self.metrics.sample_arrays(
                metric_key(call.account, call.region, metric["Namespace"], metric["MetricName"], dims), start, end
            )

        results = metric_data_results(queries, samples, start, end)
        if call.params.get("ScanBy", "TimestampDescending") == "TimestampDescending":
            for result in results:
                result["Timestamps"].reverse()
                result["Values"].reverse()
        return {"MetricDataResults": results, "Messages": []}

    def _get_metric_statistics(self, call: Call) -> dict[str, Any]:
        from .metric_math import period_datapoints

        params = call.params
        dims = {d["Name"]: d["Value"] for d in params.get("Dimensions") or []}
        key = metric_key(call.account, call.region, params["Namespace"], params["MetricName"], dims)
        start = _as_datetime(params["StartTime"]).timestamp()
        end = _as_datetime(params["EndTime"]).timestamp()
        datapoints = period_datapoints(
            self.metrics.sample_arrays(key, start, end),
            start,
            end,
            int(params["Period"]),
            params.get("Statistics") or [],
            params.get("ExtendedStatistics") or [],
            unit=self.metrics.unit(key) or "None",
        )
        return {"Label": params["MetricName"], "Datapoints": datapoints}

    def _list_metrics(self, call: Call) -> dict[str, Any]:
        wanted_namespace = call.params.get("Namespace")
        wanted_name = call.params.get("MetricName")
        wanted_dims = call.params.get("Dimensions") or []
        metrics = []
        for _, _, namespace, name, dims in self.metrics.keys(call.account, call.region):
            have = dict(dims)
            if wanted_namespace and namespace != wanted_namespace or wanted_name and name != wanted_name:
                continue
            if any(
                have.get(d["Name"]) != d.get("Value", have.get(d["Name"])) or d["Name"] not in have for d in wanted_dims
            ):
                continue
            metrics.append(
                {"Namespace": namespace, "MetricName": name, "Dimensions": [{"Name": k, "Value": v} for k, v in dims]}
            )
        return {"Metrics": metrics}


class AlarmSamples:
    """An alarm's samples in the metric store (`simulacro.alarms.incremental.AlarmInputs`): the
    series of its MetricStats, looked up once (until the store is cleared)."""

    def __init__(self, store: MetricStore, record: AlarmRecord):
        self.store = store
        self.definition = record.definition  # the PutMetricAlarm request these keys were read from
        if record.definition.get("Metrics"):
            stats = [(q["Id"], q["MetricStat"]["Metric"]) for q in record.definition["Metrics"] if "MetricStat" in q]
        else:
            stats = [(None, {k: record.definition.get(k) for k in ("Namespace", "MetricName", "Dimensions")})]
        self.ids = [query_id for query_id, _ in stats]
        self.keys = [_key_of(record, metric) for _, metric in stats]
        self._series: list[Any] = [None] * len(stats)
        self._none_at_layout: list[int | None] = [None] * len(stats)  # the store's layout when a lookup found none
        self.single = not record.definition.get("Metrics")
        # What AWS would let the alarm see (`metric_fidelity`): the unit each query names, and sub-minute periods
        # of a service metric published once a minute.
        queries = [q["MetricStat"] for q in record.definition.get("Metrics") or [] if "MetricStat" in q] or [
            {"Metric": stats[0][1], "Period": record.definition.get("Period", 60)}
        ]
        self.units = [metric_fidelity.query_unit(record.definition, q) for q in queries]
        self.periods = [int(q.get("Period") or 60) for q in queries]
        self.namespaces = [metric.get("Namespace") or "" for _, metric in stats]

    def fingerprint(self, definition: AlarmDefinition, start: float, end: float) -> tuple[int, ...]:
        if self.single:
            series = self._series[0] or self._look_up(0)
            return (series.count(start, end) if series else 0,)
        return tuple([series.count(start, end) if series else 0 for series in map(self._at, range(len(self.keys)))])

    def samples(self, definition: AlarmDefinition, start: float, end: float) -> Any:
        if self.single:
            return self._columns(0, start, end)
        return {query_id: self._columns(index, start, end) for index, query_id in enumerate(self.ids)}

    def _columns(self, index: int, start: float, end: float) -> SampleColumns:
        series = self._at(index)
        if not series:
            return _NO_SAMPLES
        columns = series.columns(start, end)
        if self.periods[index] >= metric_fidelity.STANDARD_RESOLUTION:
            return columns
        times, values = metric_fidelity.visible(
            np.asarray(columns.times, dtype=float),
            np.asarray(columns.values, dtype=float),
            namespace=self.namespaces[index],
            period=self.periods[index],
            unit=None,
            published_unit=None,
        )
        return SampleColumns(times, values)

    def _at(self, index: int) -> Any:
        return self._series[index] or self._look_up(index)

    def _look_up(self, index: int) -> Any:
        """The series, None while it has no sample, and none at all for a query whose unit differs from the
        metric's (on AWS such a query gets no data). A lookup that found none is not repeated until the store's
        layout changes: an idle platform's alarms mostly watch metrics nobody has published yet."""
        if self._none_at_layout[index] == self.store.layout:
            return None
        unit, published = self.units[index], self.store.unit(self.keys[index])
        found = None if unit and published and unit != published else self.store.series(self.keys[index])
        self._series[index] = found
        self._none_at_layout[index] = None if found is not None else self.store.layout
        return found


_NO_SAMPLES = SampleColumns((), ())


def _key_of(record: AlarmRecord, metric: dict[str, Any]) -> Any:
    dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
    return metric_key(record.account, record.region, metric["Namespace"], metric["MetricName"], dimensions)


def alarm_definition_problems(params: dict[str, Any]) -> list[str]:
    """What CloudWatch's PutMetricAlarm refuses (moto validates almost none of it)."""
    problems = []
    has_metric = bool(params.get("MetricName"))
    has_queries = bool(params.get("Metrics"))
    if has_metric == has_queries:
        problems.append("Exactly one of MetricName and Metrics must be specified.")
    if has_metric:
        if bool(params.get("Statistic")) == bool(params.get("ExtendedStatistic")):
            problems.append("Exactly one of Statistic and ExtendedStatistic must be specified.")
        period = params.get("Period")
        if period is None or (period not in (10, 30) and period % 60):
            problems.append(f"Period must be 10, 30 or a multiple of 60, got {period}.")
        elif period * params.get("EvaluationPeriods", 1) > 86400 and period >= 60:
            problems.append("The total evaluation time (Period * EvaluationPeriods) must not exceed one day.")
    if has_queries:
        returning = [q for q in params["Metrics"] if q.get("ReturnData", True)]
        if len(returning) != 1:
            problems.append("Exactly one element of the Metrics list must have ReturnData set to true.")
        if params.get("Statistic") or params.get("ExtendedStatistic") or params.get("Namespace"):
            problems.append("Statistic, ExtendedStatistic and Namespace cannot be used with Metrics.")
    if params.get("ComparisonOperator") not in COMPARISONS + (
        "LessThanLowerOrGreaterThanUpperThreshold",
        "LessThanLowerThreshold",
        "GreaterThanUpperThreshold",
    ):
        problems.append(f"Invalid ComparisonOperator {params.get('ComparisonOperator')!r}.")
    if params.get("TreatMissingData", "missing") not in MISSING_DATA:
        problems.append(
            f"Invalid TreatMissingData {params.get('TreatMissingData')!r}: expected one of {', '.join(MISSING_DATA)}."
        )
    evaluation_periods = params.get("EvaluationPeriods", 0)
    if evaluation_periods < 1:
        problems.append("EvaluationPeriods must be at least 1.")
    if params.get("DatapointsToAlarm", 1) > evaluation_periods >= 1:
        problems.append("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    if "Threshold" not in params and "ThresholdMetricId" not in params:
        problems.append("Threshold is required for a static-threshold alarm.")
    return problems


def keep_state(record: AlarmRecord, existing: AlarmRecord) -> None:
    """Updating an alarm keeps its state, reason, timestamps and history."""
    record.state, record.reason, record.reason_data = existing.state, existing.reason, existing.reason_data
    record.updated_at, record.state_since, record.history = existing.updated_at, existing.state_since, existing.history
    record.suppressed_by, record.suppressed_reason = existing.suppressed_by, existing.suppressed_reason
    record.left_alarm_at = existing.left_alarm_at


def _normalized(params: dict[str, Any]) -> dict[str, Any]:
    """The request as CloudWatch keeps it: an empty `Metrics` list means a single-metric alarm."""
    return {k: v for k, v in params.items() if not (k == "Metrics" and not v)}


def _datum_values(datum: dict[str, Any]) -> list[float]:
    if "Values" in datum:
        counts = datum.get("Counts") or [1] * len(datum["Values"])
        return [value for value, count in zip(datum["Values"], counts) for _ in range(int(count))]
    if "StatisticValues" in datum:
        stats = datum["StatisticValues"]
        return statistic_values_samples(stats["SampleCount"], stats["Sum"], stats["Minimum"], stats["Maximum"])
    value = datum.get("Value")
    return [] if value is None or math.isnan(value) else [float(value)]


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    text = str(value).replace("Z", "+00:00")
    try:
        return datetime.fromtimestamp(float(text), timezone.utc)
    except ValueError:
        parsed = datetime.fromisoformat(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _iso(moment: datetime) -> str:
    return state_change_time(moment)
