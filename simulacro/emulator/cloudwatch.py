"""CloudWatch as AWS behaves and moto does not: alarms that evaluate, act, keep history and emit events.

moto keeps the alarm configuration (DescribeAlarms is its); we keep each alarm's PutMetricAlarm
request and state, evaluate every alarm every minute of the clock with `simulacro.alarms`, and on
each transition publish the notification, record history and emit `CloudWatch Alarm State Change`.
Metrics are ours too (moto's store cannot serve percentiles or metric math).
"""
from __future__ import annotations

import json
import math
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

from simulacro.alarms import AlarmInputError, evaluate_alarm, parse_alarm
from simulacro.events.shapes import alarm_state, alarm_state_change

from . import backends, metric_fidelity
from .sns_publish_rules import check_cloudwatch_publish
from .alarm_messages import (
    AlarmRecord,
    action_history_item,
    configuration_history_item,
    event_metrics,
    notification,
    state_history_item,
)
from .errors import AwsError, validation
from .metric_math import metric_data_results
from .metric_store import MetricStore, metric_key
from .overlay import Call, Overlay

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
COMPARISONS = (
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold",
)
MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
HISTORY_RETENTION_SECONDS = 14 * 86400
# Enough periods for the widest evaluation range CloudWatch uses (it looks a little past N).
RANGE_PERIODS_EXTRA = 10


class CloudWatch:
    def __init__(self, clock: Any, metrics: MetricStore, emit_event: Callable[..., None]):
        self.clock = clock
        self.metrics = metrics
        self.emit_event = emit_event
        self.alarms: dict[tuple[str, str, str], AlarmRecord] = {}

    def install(self, overlay: Overlay) -> None:
        overlay.check("cloudwatch", "PutMetricAlarm", self._check_put_metric_alarm)
        overlay.observe("cloudwatch", "PutMetricAlarm", self._record_alarm)
        overlay.observe("cloudwatch", "DeleteAlarms", self._forget_alarms)
        overlay.handle("cloudwatch", "SetAlarmState", self._set_alarm_state)
        overlay.handle("cloudwatch", "DescribeAlarmHistory", self._describe_alarm_history)
        overlay.handle("cloudwatch", "PutMetricData", self._put_metric_data)
        overlay.handle("cloudwatch", "GetMetricData", self._get_metric_data)
        overlay.handle("cloudwatch", "GetMetricStatistics", self._get_metric_statistics)
        overlay.handle("cloudwatch", "ListMetrics", self._list_metrics)

    # --- the control plane -------------------------------------------------------------

    def evaluate_all(self) -> None:
        now = self.clock.now()
        for record in list(self.alarms.values()):
            result = evaluate_alarm(record.definition, self._samples_for(record, now), now=now, previous_state=record.state)
            if result.state != record.state:
                self.transition(record, result.state, result.reason, json.dumps(result.reason_data, default=str))

    def transition(self, record: AlarmRecord, state: str, reason: str, reason_data: str) -> None:
        at = self.clock.now()
        old_state, old_reason = record.state, record.reason
        record.state, record.reason, record.reason_data, record.updated_at = state, reason, reason_data, at
        self._sync_moto(record)
        self._remember(record, state_history_item(record, old_state, old_reason, at))
        if old_state != state:
            for action in record.actions_for(state):
                self._run_action(record, action, old_state, at)
            self.emit_event(record.account, record.region, self._state_change_event(record, old_state, old_reason, at))

    def put_metric(self, account: str, region: str, namespace: str, name: str, dimensions: dict[str, str],
                   value: float, *, at: datetime | None = None, unit: str | None = None) -> None:
        """How AWS services publish their own metrics (a customer cannot write into AWS/ namespaces)."""
        moment = (at or self.clock.now()).timestamp()
        self.metrics.put(metric_key(account, region, namespace, name, dimensions), moment, value, unit)

    def _samples_for(self, record: AlarmRecord, now: datetime) -> Any:
        definition = record.definition
        if definition.get("Metrics"):
            return {
                q["Id"]: self._query_samples(record, q["MetricStat"], now)
                for q in definition["Metrics"] if "MetricStat" in q
            }
        stat = {"Metric": {k: definition.get(k) for k in ("Namespace", "MetricName", "Dimensions")}, "Period": definition["Period"]}
        return self._query_samples(record, stat, now)

    def _query_samples(self, record: AlarmRecord, metric_stat: dict[str, Any], now: datetime) -> Any:
        metric = metric_stat["Metric"]
        dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
        key = metric_key(record.account, record.region, metric["Namespace"], metric["MetricName"], dimensions)
        span = metric_stat["Period"] * (record.definition["EvaluationPeriods"] + RANGE_PERIODS_EXTRA)
        end = now.timestamp()
        times, values = self.metrics.sample_arrays(key, end - span, end)
        return metric_fidelity.visible(times, values, namespace=metric["Namespace"], period=metric_stat["Period"],
                                       unit=metric_fidelity.query_unit(record.definition, metric_stat),
                                       published_unit=self.metrics.unit(key))

    def _run_action(self, record: AlarmRecord, action: str, old_state: str, at: datetime) -> None:
        error = None
        try:
            service, region, account, _ = backends.arn_parts(action)
            if service != "sns":
                raise ValueError(f"only SNS actions are emulated, not {service}")
            subject, message = notification(record, old_state, at)
            sns = backends.sns(account, region)
            check_cloudwatch_publish(sns.topics.get(action), action, record.arn, record.account)
            sns.publish(message, arn=action, subject=subject)
        except Exception as failure:  # a deleted topic or a broken subscriber: CloudWatch records it, goes on
            error = f"{type(failure).__name__}: {failure}"
        self._remember(record, action_history_item(record, action, at, error))

    def _state_change_event(self, record: AlarmRecord, old_state: str, old_reason: str, at: datetime) -> dict[str, Any]:
        return alarm_state_change(
            alarm_name=record.name,
            alarm_arn=record.arn,
            state=alarm_state(record.state, record.reason, _iso(at), record.reason_data),
            previous_state=alarm_state(old_state, old_reason, _iso(record.configured_at)),
            metrics=event_metrics(record.definition),
            description=record.definition.get("AlarmDescription"),
            account=record.account,
            region=record.region,
            time=at,
            id=str(uuid.uuid4()),
        )

    def _remember(self, record: AlarmRecord, item: dict[str, Any]) -> None:
        record.history.append(item)
        horizon = self.clock.now().timestamp() - HISTORY_RETENTION_SECONDS
        record.history[:] = [h for h in record.history if h["Timestamp"].timestamp() >= horizon]

    def _sync_moto(self, record: AlarmRecord) -> None:
        moto_alarm = backends.cloudwatch(record.account, record.region).alarms.get(record.name)
        if moto_alarm is not None:
            moto_alarm.state_value = record.state
            moto_alarm.state_reason = record.reason
            moto_alarm.state_reason_data = record.reason_data
            moto_alarm.state_updated_timestamp = record.updated_at or record.configured_at

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
            record.state, record.reason, record.reason_data = existing.state, existing.reason, existing.reason_data
            record.updated_at, record.history = existing.updated_at, existing.history
        self.alarms[key] = record
        self._remember(record, configuration_history_item(record, now, created=existing is None))
        self._sync_moto(record)

    def _forget_alarms(self, call: Call, status: int) -> None:
        if status == 200:
            for name in call.params.get("AlarmNames") or []:
                self.alarms.pop((call.account, call.region, name), None)

    def _set_alarm_state(self, call: Call) -> None:
        record = self._alarm(call, call.params["AlarmName"])
        state = call.params["StateValue"]
        if state not in STATES:
            raise validation(f"1 validation error detected: Value '{state}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
        reason_data = call.params.get("StateReasonData") or "{}"
        try:
            json.loads(reason_data)
        except ValueError:
            raise AwsError("InvalidFormat", "StateReasonData is not valid JSON") from None
        if state != record.state:
            self.transition(record, state, call.params["StateReason"], reason_data)
        return None

    def _describe_alarm_history(self, call: Call) -> dict[str, Any]:
        name = call.params.get("AlarmName")
        kind = call.params.get("HistoryItemType")
        start, end = call.params.get("StartDate"), call.params.get("EndDate")
        items = [
            item
            for (account, region, alarm_name), record in self.alarms.items()
            if account == call.account and region == call.region and (name is None or alarm_name == name)
            for item in record.history
            if (kind is None or item["HistoryItemType"] == kind)
            and (start is None or item["Timestamp"] >= _as_datetime(start))
            and (end is None or item["Timestamp"] <= _as_datetime(end))
        ]
        newest_first = call.params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        # Many items share a virtual instant: their order of recording breaks the tie.
        order = {id(item): index for index, item in enumerate(items)}
        items.sort(key=lambda item: (item["Timestamp"], order[id(item)]), reverse=newest_first)
        return {"AlarmHistoryItems": items[: int(call.params.get("MaxRecords") or 100)]}

    def _alarm(self, call: Call, name: str) -> AlarmRecord:
        record = self.alarms.get((call.account, call.region, name))
        if record is None:
            raise AwsError("ResourceNotFound", f"Alarm {name} not found")
        return record

    # --- metric API --------------------------------------------------------------------

    def _put_metric_data(self, call: Call) -> None:
        namespace = call.params["Namespace"]
        if namespace.startswith("AWS/"):
            raise AwsError("InvalidParameterValue", f"The value {namespace} for parameter Namespace is invalid: it starts with AWS/, which is reserved for AWS services.")
        for datum in call.params.get("MetricData") or []:
            dimensions = {d["Name"]: d["Value"] for d in datum.get("Dimensions") or []}
            key = metric_key(call.account, call.region, namespace, datum["MetricName"], dimensions)
            at = _as_datetime(datum["Timestamp"]).timestamp() if datum.get("Timestamp") else self.clock.now().timestamp()
            for value in _datum_values(datum):
                self.metrics.put(key, at, value, datum.get("Unit"))

    def _get_metric_data(self, call: Call) -> dict[str, Any]:
        start = _as_datetime(call.params["StartTime"]).timestamp()
        end = _as_datetime(call.params["EndTime"]).timestamp()
        queries = call.params["MetricDataQueries"]

        def samples(metric_stat: dict[str, Any]) -> Any:
            metric = metric_stat["Metric"]
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
            return self.metrics.sample_arrays(metric_key(call.account, call.region, metric["Namespace"], metric["MetricName"], dims), start, end)

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
            self.metrics.sample_arrays(key, start, end), start, end, int(params["Period"]),
            params.get("Statistics") or [], params.get("ExtendedStatistics") or [],
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
            if any(have.get(d["Name"]) != d.get("Value", have.get(d["Name"])) or d["Name"] not in have for d in wanted_dims):
                continue
            metrics.append({"Namespace": namespace, "MetricName": name, "Dimensions": [{"Name": k, "Value": v} for k, v in dims]})
        return {"Metrics": metrics}


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
    if params.get("ComparisonOperator") not in COMPARISONS + ("LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"):
        problems.append(f"Invalid ComparisonOperator {params.get('ComparisonOperator')!r}.")
    if params.get("TreatMissingData", "missing") not in MISSING_DATA:
        problems.append(f"Invalid TreatMissingData {params.get('TreatMissingData')!r}: expected one of {', '.join(MISSING_DATA)}.")
    evaluation_periods = params.get("EvaluationPeriods", 0)
    if evaluation_periods < 1:
        problems.append("EvaluationPeriods must be at least 1.")
    if params.get("DatapointsToAlarm", 1) > evaluation_periods >= 1:
        problems.append("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    if "Threshold" not in params and "ThresholdMetricId" not in params:
        problems.append("Threshold is required for a static-threshold alarm.")
    return problems


def _normalized(params: dict[str, Any]) -> dict[str, Any]:
    """The request as CloudWatch keeps it: an empty `Metrics` list means a single-metric alarm."""
    return {k: v for k, v in params.items() if not (k == "Metrics" and not v)}


def _datum_values(datum: dict[str, Any]) -> list[float]:
    if "Values" in datum:
        counts = datum.get("Counts") or [1] * len(datum["Values"])
        return [value for value, count in zip(datum["Values"], counts) for _ in range(int(count))]
    if "StatisticValues" in datum:
        stats = datum["StatisticValues"]
        count = int(stats["SampleCount"])
        return [stats["Sum"] / count] * count if count else []
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
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
