"""The observability stack exists live exactly as declared, and keeps the phase's rules.

Read-only: every check reads the live state through the AWS APIs and compares it with the spec.
"""

import pytest

from simulacro.provision import conformance, inventory
from simulacro.target.aws_errors import ApiUnavailable


@pytest.fixture
def live(target, environment, drill_record):
    """The live stack of `environment`, each section read from the APIs when a check first uses it."""
    unread = {}  # a section the account could not list: the checks that need it say so (see _assert_conforms)
    found = inventory(target, environment, unread=unread, lazy=True)
    found.unread = unread
    drill_record.add(target.clock.now(), "note", f"inventory of {environment}: the sections this check reads, live")
    return found


# The inventory sections each check reads: a section the account could not list decides that check alone.
NEEDS = {
    conformance.alarm_findings: ("alarms", "topics"),
    conformance.topic_findings: ("topics",),
    conformance.rule_findings: ("rules", "queues", "topics"),
    conformance.log_group_findings: ("log_groups",),
    conformance.capture_findings: ("endpoints", "bucket_lifecycles"),
    conformance.schedule_findings: ("monitoring_schedules",),
}


def _assert_conforms(check, stack, live, drill_record):
    for section in NEEDS.get(check, ()):
        getattr(live, section)  # read now, so that a refusal to list it is known before the check runs
        problem = live.unread.get(section)
        if isinstance(problem, ApiUnavailable):
            pytest.skip(str(problem))
        if problem is not None:
            raise problem
    found = conformance.findings(check, stack, live)
    drill_record.evidence["findings"] = [str(f) for f in found] or "none"
    assert not found, conformance.explain(found)


@pytest.mark.drill(category="inventory", gate=True)
def test_alarms_exist_with_owner_and_actions_as_declared(stack, live, drill_record):
    """Alarms match every field the spec declares (definition, unit, actions, tags), each has an owner, and its page reaches a person (topic key, topic policy, filter policies)."""
    _assert_conforms(conformance.alarm_findings, stack, live, drill_record)


@pytest.mark.drill(category="inventory", gate=True)
def test_topics_have_their_subscribers(stack, live, drill_record):
    """Every topic exists with the declared subscriptions and their filter policies, key and policy, and lets its publishers in."""
    _assert_conforms(conformance.topic_findings, stack, live, drill_record)


@pytest.mark.drill(category="inventory", gate=True)
def test_rules_are_enabled_with_targets_that_have_a_dead_letter_queue(stack, live, drill_record):
    """Every rule is enabled with its pattern, and every target matches the spec (destination, dead-letter queue, retry, input) with a standard DLQ."""
    _assert_conforms(conformance.rule_findings, stack, live, drill_record)


@pytest.mark.drill(category="inventory", gate=True)
def test_log_groups_have_retention(stack, live, drill_record):
    """Pipeline and serving log groups exist with the declared retention."""
    _assert_conforms(conformance.log_group_findings, stack, live, drill_record)


@pytest.mark.drill(category="inventory", gate=True)
def test_monitored_endpoints_capture_data_with_retention(stack, live, drill_record):
    """Data capture is on where a monitoring schedule reads it, and the capture bucket expires old data."""
    _assert_conforms(conformance.capture_findings, stack, live, drill_record)


@pytest.mark.drill(category="inventory", gate=True)
def test_monitoring_schedules_run_on_the_declared_baseline(stack, live, drill_record):
    """Each schedule is Scheduled, on its endpoint, using the declared baseline version whose files match their checksums."""
    _assert_conforms(conformance.schedule_findings, stack, live, drill_record)


@pytest.mark.drill(category="inventory", gate=True)
def test_queues_keep_messages_and_let_their_publishers_in(stack, live, drill_record):
    """Every queue exists with the declared retention and tags, and its policy lets the rules that target it send."""
    _assert_conforms(conformance.queue_findings, stack, live, drill_record)


@pytest.mark.drill(category="inventory", gate=True)
def test_alarm_definitions_fit_their_metrics_and_environment(stack, live, drill_record):
    """Each alarm watches its own environment's resources, in the metric's documented unit and resolution,
    with a threshold its metric can cross and M of N periods that fit its detection budget."""
    _assert_conforms(conformance.alarm_design_findings, stack, live, drill_record)
