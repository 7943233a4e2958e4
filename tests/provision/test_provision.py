"""Provisioning is ordered and idempotent, and the inventory reads the live state, not the spec."""

from simulacro.provision import apply, conformance, inventory


def test_second_apply_changes_nothing_and_says_so(provisioned, stack):
    report = apply(stack, provisioned)
    assert not report.changed
    assert report.summary().startswith("no changes")


def test_apply_repairs_what_drifted(provisioned, stack):
    cloudwatch = provisioned.client("cloudwatch", "staging")
    alarm = stack.alarm("churn-staging-5xx-rate")
    request = alarm.to_put_metric_alarm(lambda name: f"arn:aws:sns:eu-west-1:{stack.account('staging')}:{name}")
    cloudwatch.put_metric_alarm(**{**request, "Threshold": 50.0})
    report = apply(stack, provisioned)
    assert report.changes == [("updated", "alarm", alarm.name)]
    assert cloudwatch.describe_alarms(AlarmNames=[alarm.name])["MetricAlarms"][0]["Threshold"] == 5.0


def test_inventory_sees_every_declared_resource_and_no_finding(provisioned, stack):
    for environment in ("staging", "prod"):
        found = inventory(provisioned, environment)
        declared = stack.in_environment(environment)
        assert {a.name for a in declared.alarms} <= {a["name"] for a in found.alarms}
        for check in conformance.CHECKS.values():
            assert conformance.findings(check, stack, found) == []


def test_inventory_reads_live_state_not_the_spec(provisioned):
    logs = provisioned.client("logs", "staging")
    logs.delete_retention_policy(logGroupName="/aws/sagemaker/TrainingJobs")
    try:
        found = inventory(provisioned, "staging")
        assert found.find("log_groups", "/aws/sagemaker/TrainingJobs")["retention_days"] is None
    finally:
        logs.put_retention_policy(logGroupName="/aws/sagemaker/TrainingJobs", retentionInDays=30)


def test_apply_tags_an_existing_endpoint_with_its_fault_mechanism(provisioned, stack):
    sagemaker = provisioned.client("sagemaker", "staging")
    arn = sagemaker.describe_endpoint(EndpointName="churn-staging")["EndpointArn"]
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["simulacro:fault-attribute"])
    report = apply(stack, provisioned)
    assert report.changes == [("tagged", "endpoint", "churn-staging")]
    tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    assert tags["simulacro:fault-attribute"] == "simulacro-fault"
