"""Composite alarms as CloudWatch runs them (moto answers PutCompositeAlarm with a 500).

`PutCompositeAlarm` is ours: the rule is parsed (`simulacro.alarms.composite`), every alarm it names
must exist, and the alarm is stored in moto too so DescribeAlarms lists it under `CompositeAlarms`.
A composite is evaluated when it is created and whenever an alarm changes state: ALARM when its rule
holds, else OK. Its transitions go through `CloudWatch.transition`, so they run the actions, keep
history and emit `CloudWatch Alarm State Change` (with `configuration.alarmRule`), and it emits
`CloudWatch Alarm Configuration Change` on create, update and delete, as a metric alarm does.

Reasons as CloudWatch writes them (its "Alarm events and EventBridge" samples):
``arn:...:alarm:Main was created and its alarm rule evaluates to OK`` and
``arn:...:alarm:Child transitioned to ALARM at Friday 22 July, 2022 15:57:45 UTC``; the reason data
lists the `triggeringAlarms` with their state value and timestamp.

Actions suppression (`ActionsSuppressor`): a composite's ALARM actions do not run while its
suppressor alarm is in ALARM (`actionsSuppressedBy: Alarm`), for `ActionsSuppressorExtensionPeriod`
seconds after the suppressor left ALARM (`ExtensionPeriod`), and, for `ActionsSuppressorWaitPeriod`
seconds after the composite entered ALARM, while CloudWatch waits for the suppressor (`WaitPeriod`):
if the suppressor has not gone into ALARM when the wait ends, the actions run then.

DescribeAlarms is answered here too, from moto's alarm objects, because moto ignores `AlarmTypes`:
AWS lists only metric alarms unless `AlarmTypes` asks for composites, combines every filter it is
given (names or a name prefix, an action prefix, a state), answers `ChildrenOfAlarmName` and
`ParentsOfAlarmName`, and lists alarms by name.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from simulacro.alarms.composite import (
    CompositeRuleError,
    alarm_name,
    evaluate_rule,
    parse_rule,
    referenced_alarms,
)

from . import backends
from .alarm_messages import AlarmRecord, configuration_history_item, state_change_time
from .cloudwatch import CloudWatch, keep_state
from .errors import AwsError, invalid_next_token
from .overlay import Call, Overlay
from .paging import page_of

ALARMS_PER_PAGE = 50  # without MaxRecords (at most 100), DescribeAlarms answers 50 alarms a page

ALARM_NAME_LIMIT = 255


class CompositeAlarms:
    def __init__(self, cloudwatch: CloudWatch):
        self.cloudwatch = cloudwatch
        self._evaluating = False

    def install(self, overlay: Overlay) -> None:
        overlay.handle("cloudwatch", "PutCompositeAlarm", self._put_composite_alarm)
        overlay.handle("cloudwatch", "DescribeAlarms", self._describe_alarms)
        self.cloudwatch.after_transition.append(self._child_changed)
        self.cloudwatch.notification_extras = self._notification_extras
        self.cloudwatch.action_gate = self._action_gate
        self.cloudwatch.deletion_guard = self._refuse_deleting_dependencies

    # --- API ---------------------------------------------------------------------------

    def _put_composite_alarm(self, call: Call) -> None:
        params = dict(call.params)
        name = params.get("AlarmName") or ""
        if not name or len(name) > ALARM_NAME_LIMIT:
            raise validation_error(f"AlarmName must be 1 to {ALARM_NAME_LIMIT} characters.")
        try:
            rule = parse_rule(params.get("AlarmRule", ""))
        except CompositeRuleError as error:
            raise validation_error(str(error)) from None
        missing = [ref for ref in referenced_alarms(rule) if not self._exists(call, ref)]
        if missing:
            raise validation_error(
                f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm rule do not exist"
            )
        key = (call.account, call.region, name)
        now = self.cloudwatch.clock.now()
        existing = self.cloudwatch.composites.get(key)
        record = AlarmRecord(call.account, call.region, params, configured_at=now)
        if existing is not None:
            keep_state(record, existing)
        self.cloudwatch.composites[key] = record
        self._store_in_moto(record)
        self.cloudwatch._remember(record, configuration_history_item(record, now, created=existing is None))
        self.cloudwatch._sync_moto(record)
        self.cloudwatch.emit_configuration_change(record, "create" if existing is None else "update", existing)
        self._evaluate(record, created=existing is None)

    def _refuse_deleting_dependencies(self, call: Call) -> None:
        """AWS refuses to delete an alarm a composite still depends on (DeleteAlarms: ResourceConflict),
        unless that composite goes in the same call."""
        deleting = set(call.params.get("AlarmNames") or [])
        for record in self.cloudwatch.composites.values():
            if (record.account, record.region) != (call.account, call.region) or record.name in deleting:
                continue
            needed = deleting & {
                alarm_name(ref) for ref in referenced_alarms(parse_rule(record.definition["AlarmRule"]))
            }
            if needed:
                raise AwsError(
                    "ResourceConflict",
                    f"Alarm(s) {', '.join(sorted(needed))} cannot be deleted: composite "
                    f"alarm {record.name} depends on them. Delete or change {record.name} first.",
                )

    def _describe_alarms(self, call: Call) -> dict[str, Any]:
        params = call.params
        alarms = sorted(backends.cloudwatch(call.account, call.region).alarms.values(), key=lambda alarm: alarm.name)
        alarms = [alarm for alarm in alarms if self._listed(alarm, params)]
        types = params.get("AlarmTypes") or ["MetricAlarm"]
        related = self._related(call, params)
        if related is not None:
            alarms = [alarm for alarm in alarms if alarm.name in related]
            types = ["MetricAlarm", "CompositeAlarm"] if params.get("ChildrenOfAlarmName") else ["CompositeAlarm"]
        alarms = [a for a in alarms if ("MetricAlarm" if a.rule is None else "CompositeAlarm") in types]
        page, more = page_of(
            alarms,
            params.get("NextToken"),
            int(params.get("MaxRecords") or ALARMS_PER_PAGE),
            invalid=invalid_next_token(),
        )
        return {
            "MetricAlarms": [a for a in page if a.rule is None],
            "CompositeAlarms": [a for a in page if a.rule is not None],
            **more,
        }

    @staticmethod
    def _listed(alarm: Any, params: dict[str, Any]) -> bool:
        names, prefix = params.get("AlarmNames"), params.get("AlarmNamePrefix")
        action_prefix, state = params.get("ActionPrefix"), params.get("StateValue")
        return (
            (not names or alarm.name in names)
            and (not prefix or alarm.name.startswith(prefix))
            and (not action_prefix or any(a.startswith(action_prefix) for a in alarm.alarm_actions or []))
            and (not state or alarm.state_value == state)
        )

    def _related(self, call: Call, params: dict[str, Any]) -> set[str] | None:
        """Names of the children (rule references) or the parents (composites naming it) asked for."""
        children_of, parents_of = params.get("ChildrenOfAlarmName"), params.get("ParentsOfAlarmName")
        if children_of:
            composite = self.cloudwatch.composites.get((call.account, call.region, children_of))
            rule = parse_rule(composite.definition["AlarmRule"]) if composite else None
            return {alarm_name(ref) for ref in referenced_alarms(rule)} if rule else set()
        if parents_of:
            return {
                record.name
                for record in self.cloudwatch.composites.values()
                if (record.account, record.region) == (call.account, call.region)
                and parents_of
                in {alarm_name(ref) for ref in referenced_alarms(parse_rule(record.definition["AlarmRule"]))}
            }
        return None

    # --- evaluation --------------------------------------------------------------------

    def _child_changed(self, child: AlarmRecord) -> None:
        if self._evaluating:
            return  # a composite's own transition re-enters here; the loop below finishes the job
        self._evaluating = True
        try:
            changed = True
            while changed:  # composites can name composites: settle until nothing moves
                changed = False
                for record in list(self.cloudwatch.composites.values()):
                    if record.account == child.account and record.region == child.region:
                        changed |= self._evaluate(record, trigger=child)
        finally:
            self._evaluating = False

    def _evaluate(self, record: AlarmRecord, *, created: bool = False, trigger: AlarmRecord | None = None) -> bool:
        if self._in_cycle(record):
            return False  # "the evaluation of composite alarms stops if CloudWatch detects a cycle"
        rule = parse_rule(record.definition["AlarmRule"])
        children = {ref: self._child(record, ref) for ref in referenced_alarms(rule)}
        states = {ref: child.state for ref, child in children.items() if child is not None}
        state = "ALARM" if evaluate_rule(rule, states) else "OK"
        if state == record.state:
            return False
        now = self.cloudwatch.clock.now()
        if trigger is not None and trigger.name in {alarm_name(ref) for ref in children}:
            reason = f"{trigger.arn} transitioned to {trigger.state} at {_long_time(trigger.state_since or now)}"
        else:
            reason = (
                f"{record.arn} was created and its alarm rule evaluates to {state}"
                if created
                else (f"{record.arn} alarm rule evaluates to {state}")
            )
        triggering = [
            child for child in children.values() if child is not None and (state == "OK" or child.state != "OK")
        ]
        data = {
            "triggeringAlarms": [
                {
                    "arn": child.arn,
                    "state": {"value": child.state, "timestamp": state_change_time(child.state_since or now)},
                }
                for child in triggering
            ]
        }
        self.cloudwatch.transition(record, state, reason, json.dumps(data))
        return True

    # --- actions suppression -----------------------------------------------------------

    def _action_gate(self, record: AlarmRecord, state: str, old_state: str) -> tuple[str, str] | None:
        definition = record.definition
        if not record.is_composite or state != "ALARM" or not definition.get("ActionsSuppressor"):
            return None
        suppressor = self._child(record, definition["ActionsSuppressor"])
        now = self.cloudwatch.clock.now()
        if suppressor is not None and suppressor.state == "ALARM":
            return "Alarm", "Actions suppressed by Alarm"
        left = suppressor.left_alarm_at if suppressor is not None else None
        extension = definition.get("ActionsSuppressorExtensionPeriod") or 0
        if left is not None and (now - left).total_seconds() < extension:
            return "ExtensionPeriod", "Actions suppressed by ExtensionPeriod"
        wait = definition.get("ActionsSuppressorWaitPeriod") or 0
        if wait > 0:
            since = now
            self.cloudwatch.clock.call_later(wait, lambda: self._wait_over(record, since, old_state))
            return "WaitPeriod", "Actions suppressed by WaitPeriod"
        return None

    def _wait_over(self, record: AlarmRecord, since: datetime, old_state: str) -> None:
        """The wait for the suppressor is over: its ALARM holds the actions back, else they run now."""
        current = self.cloudwatch.composites.get((record.account, record.region, record.name))
        if current is not record or record.state != "ALARM" or record.state_since != since:
            return
        suppressor = self._child(record, record.definition["ActionsSuppressor"])
        if suppressor is not None and suppressor.state == "ALARM":
            record.suppressed_by, record.suppressed_reason = "Alarm", "Actions suppressed by Alarm"
        else:
            record.suppressed_by = record.suppressed_reason = None
            self.cloudwatch.run_actions(record, old_state)
        self.cloudwatch._sync_moto(record)

    def _in_cycle(self, record: AlarmRecord) -> bool:
        """True when following the composites this one names leads back to it."""
        seen: set[str] = set()
        pending = [record]
        while pending:
            current = pending.pop()
            for ref in referenced_alarms(parse_rule(current.definition["AlarmRule"])):
                child = self.cloudwatch.composites.get((record.account, record.region, alarm_name(ref)))
                if child is None:
                    continue
                if child is record:
                    return True
                if child.name not in seen:
                    seen.add(child.name)
                    pending.append(child)
        return False

    def _notification_extras(self, record: AlarmRecord) -> dict[str, Any]:
        """The composite's SNS message names its rule and the children that triggered it."""
        if not record.is_composite:
            return {}
        data = json.loads(record.reason_data or "{}")
        return {
            "AlarmRule": record.definition["AlarmRule"],
            "TriggeringChildren": [
                {
                    "Arn": child["arn"],
                    "State": {"Value": child["state"]["value"], "Timestamp": child["state"]["timestamp"]},
                }
                for child in data.get("triggeringAlarms", [])
            ],
        }

    # --- helpers -----------------------------------------------------------------------

    def _child(self, record: AlarmRecord, reference: str) -> AlarmRecord | None:
        key = (record.account, record.region, alarm_name(reference))
        return self.cloudwatch.alarms.get(key) or self.cloudwatch.composites.get(key)

    def _exists(self, call: Call, reference: str) -> bool:
        if reference.startswith("arn:"):
            parts = reference.split(":")
            if len(parts) < 7 or parts[3] != call.region or parts[4] != call.account:
                return False
        key = (call.account, call.region, alarm_name(reference))
        return key in self.cloudwatch.alarms or key in self.cloudwatch.composites

    def _store_in_moto(self, record: AlarmRecord) -> None:
        definition = record.definition
        backend = backends.cloudwatch(record.account, record.region)
        moto_alarm = backend.put_metric_alarm(
            name=record.name,
            namespace=None,
            metric_name=None,
            comparison_operator=None,  # type: ignore[arg-type]
            evaluation_periods=None,
            period=None,
            threshold=None,
            statistic=None,  # type: ignore[arg-type]
            description=definition.get("AlarmDescription"),
            dimensions=[],
            alarm_actions=list(definition.get("AlarmActions") or []),
            ok_actions=list(definition.get("OKActions") or []),
            insufficient_data_actions=list(definition.get("InsufficientDataActions") or []),
            actions_enabled=definition.get("ActionsEnabled", True),
            rule=definition["AlarmRule"],
            tags=definition.get("Tags") or [],
        )
        moto_alarm.alarm_rule = definition["AlarmRule"]
        for key in ("ActionsSuppressor", "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod"):
            if definition.get(key) is not None:
                setattr(moto_alarm, _snake(key), definition[key])


def validation_error(message: str) -> AwsError:
    """CloudWatch's validation failure: code ValidationError, HTTP 400 (botocore's model)."""
    return AwsError("ValidationError", message)


def _long_time(moment: datetime) -> str:
    """CloudWatch's spelling in composite reasons: Friday 22 July, 2022 15:57:45 UTC."""
    return f"{moment.strftime('%A')} {moment.day} {moment.strftime('%B')}, {moment.strftime('%Y %H:%M:%S')} UTC"


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
