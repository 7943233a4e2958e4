"""A lazy inventory reads each section at its first use, and only then."""

from simulacro.provision import inventory


def _counting_calls(target):
    calls = []
    make = target.client

    def client(service, environment=None, region=None):
        made = make(service, environment, region)
        made.meta.events.register("before-call", lambda model, **_: calls.append(model.service_model.service_name))
        return made

    target.client = client
    return calls


def test_a_lazy_inventory_reads_only_the_sections_used(provisioned):
    calls = _counting_calls(provisioned)
    try:
        found = inventory(provisioned, "staging", lazy=True)
        assert found.log_groups
    finally:
        del provisioned.client
    assert set(calls) == {"logs"}


def test_a_lazy_inventory_reads_each_section_at_its_first_use_and_the_same_as_at_once(provisioned):
    calls = _counting_calls(provisioned)
    try:
        lazy = inventory(provisioned, "staging", lazy=True)
        assert calls == []
        assert lazy.find("alarms", "churn-staging-5xx-rate") is not None
        assert set(calls) == {"cloudwatch"}
    finally:
        del provisioned.client
    assert lazy.to_json() == inventory(provisioned, "staging").to_json()


def test_a_lazy_section_the_account_refuses_is_recorded_as_unread(provisioned):
    make = provisioned.client

    def refusing(service, environment=None, region=None):
        if service == "logs":
            raise PermissionError("logs:DescribeLogGroups denied")
        return make(service, environment, region)

    provisioned.client = refusing
    try:
        unread = {}
        found = inventory(provisioned, "staging", unread=unread, lazy=True)
        assert found.log_groups == [] and isinstance(unread["log_groups"], PermissionError)
        assert found.log_groups == []  # read once: the refusal is not asked again
    finally:
        del provisioned.client
