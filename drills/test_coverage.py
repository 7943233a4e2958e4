"""Nothing declared goes unproven in silence: every alarm, rule and runbook of the spec is exercised
behaviourally by at least one drill, or the spec exempts it with a reason (`coverage_exemption`,
`runbook_exemptions`). An endpoint with alarms but no fault mechanism, an alarm on a metric no fault
moves, a runbook nobody rehearses: each is a gap the gate fails on. The table is in the report."""

import pytest

from simulacro.evidence.coverage import coverage, coverage_json, uncovered


@pytest.mark.drill(category="inventory", gate=True)
def test_every_alarm_rule_and_runbook_is_drilled_or_exempt(stack, target, drill_record):
    """Each declared alarm, rule and runbook has a drill that exercises it, or an exemption with a reason."""
    here = stack.model_copy(
        update={
            kind: [i for i in getattr(stack, kind) if i.environment in target.environments]
            for kind in ("alarms", "rules")
        }
    )
    rows = coverage(here)
    drill_record.evidence["coverage"] = coverage_json(rows)
    gaps = uncovered(rows)
    drill_record.add(
        target.clock.now(),
        "note",
        f"coverage of {len(rows)} declared alarms, rules and runbooks: "
        f"{len(rows) - len(gaps)} drilled or exempt, {len(gaps)} uncovered",
    )
    assert not gaps, f"{len(gaps)} declared item(s) no drill exercises and the spec does not exempt:\n" + "\n".join(
        f"  - {gap}" for gap in gaps
    )
