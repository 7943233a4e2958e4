"""The local AWS emits and answers what AWS's references record (see this package's docstring).

Every file in references/ is used: those with a CloudWatch, SNS or EventBridge subject are
reproduced by a scenario of `world` and compared in structure (`structure.differences`); those
with a `lint.event` subject, and every event reference, are checked against the rule lint (a rule
written from a documented event is never called unmatchable, and it matches the event).

Where references disagree we follow, and say so here and in the package docstring:
- the 2023 recording's 1-of-1 reason ("Threshold Crossed: 1 datapoint [...] was greater than the
  threshold (2.0).") over the 2019 event sample ("1 out of the last 1 datapoints ... (minimum 1
  datapoint for OK -> ALARM transition)"): the single-metric event sample is compared in structure
  only, its reason text is not;
- botocore's model over the LocalStack snapshots for types: LocalStack shows JSON strings
  (StateReasonData, HistoryData, EventPattern) parsed; they are strings on the wire and here.
SageMaker event references are compared by the SageMaker part of the suite (the SageMaker helper owns
those fixes); here they are lint references, so the catalogue is complete for them.
"""

from __future__ import annotations

import json
import re

import pytest

from simulacro.events import event_matches
from simulacro.events.lint import lint_pattern

from .references import load_all
from .structure import differences
from .world import World, pattern_error

PRODUCED_PREFIXES = ("api.", "error.", "event.alarm", "event.custom", "sns-")
DATAPOINT = r"-?[0-9.E]+ \(\d\d/\d\d/\d\d \d\d:\d\d:\d\d\)"


@pytest.fixture(scope="module")
def world(local_aws):
    return World(local_aws)


def _ids(references):
    return [r["_file"].removesuffix(".json") for r in references]


PRODUCED = [r for r in load_all() if r["subject"].startswith(PRODUCED_PREFIXES)]
EVENTS = [r for r in load_all() if r["subject"].startswith(("event.", "lint.event"))]


def test_the_suite_holds_at_least_forty_references_each_with_its_source():
    references = load_all()
    assert len(references) >= 40
    for reference in references:
        source = reference["_source"]
        assert source.get("url") or (source.get("repo") and source.get("path")), reference["_file"]
        assert source.get("what"), reference["_file"]


MOTO_SNS_ERRORS = (
    "moto's SNS errors carry a lowercase <message> member besides <Message> (moto's serializer, not the overlay)"
)
PRODUCED = [
    pytest.param(r, marks=pytest.mark.xfail(reason=MOTO_SNS_ERRORS, strict=False))
    if r["subject"].startswith("error.sns.")
    else r
    for r in PRODUCED
]


@pytest.mark.parametrize("reference", PRODUCED, ids=_ids([p if isinstance(p, dict) else p.values[0] for p in PRODUCED]))
def test_the_local_aws_produces_what_aws_recorded(world, reference):
    if "pattern" in reference:
        actual = pattern_error(world, reference["pattern"])
    else:
        actual = world.document(reference["subject"])
    found = differences(
        reference["reference"], actual, optional=reference.get("optional", ()), exact=reference.get("exact", False)
    )
    assert not found, f"{reference['_file']} ({reference['_source']['what']}):\n  " + "\n  ".join(found)
    for path, template in (reference.get("expect") or {}).items():
        for value in _values_at(actual, path):
            pattern = re.escape(template).replace(re.escape("{datapoint}"), DATAPOINT)
            assert re.fullmatch(pattern, value), f"{path}: {value!r} is not worded as AWS words it: {template!r}"


@pytest.mark.parametrize("reference", EVENTS, ids=_ids(EVENTS))
def test_a_rule_written_from_a_documented_event_is_valid_and_matches_it(reference):
    event = reference["reference"]
    pattern = {
        "source": [event["source"]],
        "detail-type": [event["detail-type"]],
        "detail": _pattern_of(event["detail"]),
    }
    assert lint_pattern(pattern) == [], f"the lint calls a rule on {reference['_file']} unmatchable"
    assert event_matches(pattern, json.dumps(event))


@pytest.mark.parametrize("subject", ["api.cloudwatch.DescribeAlarms.composite"])
def test_a_composite_alarm_is_listed_under_composite_alarms(world, subject):
    answer = world.document(subject)
    assert answer["MetricAlarms"] == []
    composite = answer["CompositeAlarms"][0]
    assert composite["AlarmRule"] == "ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)"
    assert composite["StateValue"] == "ALARM"
    assert composite["StateReason"].endswith(
        ":alarm:ServerCpuTooHigh transitioned to ALARM at " + composite["StateReason"].split(" at ", 1)[1]
    )


def test_the_sns_alarm_message_writes_region_names_and_doubles_as_cloudwatch_does(world):
    message = world.document("sns-message.alarm")
    assert message["Region"] == "EU (Ireland)"
    assert isinstance(message["Trigger"]["Threshold"], float)
    assert "DatapointsToAlarm" not in message["Trigger"]


def test_the_sns_envelope_is_stamped_in_virtual_time_in_the_topics_region(world):
    envelope = world.document("sns-envelope.subject")
    message = json.loads(envelope["Message"])
    assert envelope["Timestamp"][:16] == message["StateChangeTime"][:16]
    assert envelope["Subject"] == f'ALARM: "{message["AlarmName"]}" in EU (Ireland)'
    assert envelope["UnsubscribeURL"].startswith(
        "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:"
    )
    assert envelope["SignatureVersion"] == "1"


def test_previous_state_is_the_old_state_as_it_stood(world):
    alarmed = world.document("event.alarm-state-change.metric")
    ok = world.document("event.alarm-state-change.metric-ok")
    assert json.loads(alarmed["detail"]["previousState"]["reasonData"])["recentDatapoints"] == [0.5]
    previous = ok["detail"]["previousState"]
    assert previous["value"] == "ALARM" and ok["detail"]["state"]["value"] == "OK"
    assert json.loads(previous["reasonData"])["recentDatapoints"] == [21.5]  # kept, as AWS keeps it
    assert alarmed["detail"]["previousState"]["timestamp"] == ok["detail"]["state"]["timestamp"]  # when OK began
    assert alarmed["detail"]["previousState"]["reason"] == ok["detail"]["state"]["reason"]
    metric = alarmed["detail"]["configuration"]["metrics"][0]
    assert re.fullmatch(r"[0-9a-f-]{36}", metric["id"])
    assert json.loads(alarmed["detail"]["state"]["reasonData"])["unit"] == "Seconds"


def test_one_virtual_time_across_describe_history_events_and_sns(world):
    alarm = world.document("api.cloudwatch.DescribeAlarms.triggered")["MetricAlarms"][0]
    item = world.document("api.cloudwatch.DescribeAlarmHistory.state-update")["AlarmHistoryItems"][0]
    event = world.document("event.alarm-state-change.metric-first")
    message = world.document("sns-message.alarm")
    moment = alarm["StateTransitionedTimestamp"]
    assert alarm["StateUpdatedTimestamp"] == moment == item["Timestamp"]
    spelled = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
    assert event["detail"]["state"]["timestamp"] == spelled == message["StateChangeTime"]
    assert alarm["AlarmConfigurationUpdatedTimestamp"] <= moment


def _pattern_of(detail: dict) -> dict:
    """A pattern naming every scalar of the detail (arrays are transparent, as in EventBridge)."""
    pattern: dict = {}
    for key, value in detail.items():
        if isinstance(value, list):
            objects = [item for item in value if isinstance(item, dict) and item]
            scalars = [item for item in value if not isinstance(item, (dict, list)) and item is not None]
            if objects:
                value = objects[0]
            elif scalars:
                pattern[key] = scalars
                continue
            else:
                continue
        if isinstance(value, dict):
            inner = _pattern_of(value)
            if inner:
                pattern[key] = inner
        else:
            pattern[key] = [value]
    return pattern


def _values_at(document, path):
    values = [document]
    for part in path.split("."):
        key, is_list = part.removesuffix("[]"), part.endswith("[]")
        values = [v[key] for v in values]
        if is_list:
            values = [item for v in values for item in v]
    return values
