"""The coverage table: every declared alarm, rule and runbook is drilled or exempt, and gaps are named."""

from simulacro.evidence.coverage import coverage, coverage_table, uncovered
from simulacro.spec import DEFAULT_SPEC, load_stack


def _stack():
    return load_stack(DEFAULT_SPEC)


def test_the_declared_spec_has_no_gap():
    assert [str(r) for r in uncovered(coverage(_stack()))] == []


def test_an_endpoint_without_fault_mechanism_leaves_its_alarms_and_prod_uncovered():
    stack = _stack()
    endpoints = [e.model_copy(update={"faults": None}) for e in stack.endpoints]
    gaps = {r.name: r.gap for r in uncovered(coverage(stack.model_copy(update={"endpoints": endpoints})))}
    assert "no fault mechanism" in gaps["churn-staging-5xx-rate"]
    assert "nothing to replay" in gaps["churn-prod-5xx-rate"]
    assert "churn-promotion" in gaps


def test_an_exemption_needs_a_reason_and_covers_the_item():
    stack = _stack()
    alarms = [a.model_copy(update={"coverage_exemption": None}) if a.category == "cost" else a for a in stack.alarms]
    gaps = [r.name for r in uncovered(coverage(stack.model_copy(update={"alarms": alarms})))]
    assert gaps == ["churn-staging-estimated-charges", "churn-prod-estimated-charges"]


def test_an_unrehearsed_runbook_is_a_gap():
    stack = _stack().model_copy(update={"runbook_exemptions": {}})
    assert {r.name for r in uncovered(coverage(stack)) if r.kind == "runbook"} == {"cost-review", "drift-review"}


def test_the_table_marks_uncovered_rows():
    stack = _stack().model_copy(update={"runbook_exemptions": {}})
    html = coverage_table(coverage(stack))
    assert "UNCOVERED: named by alarms" in html and "<td>churn-staging-5xx-rate</td>" in html
