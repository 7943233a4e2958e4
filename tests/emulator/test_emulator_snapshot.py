"""Snapshots of the local AWS: restoring puts back moto's state and ours, as often as wanted, hooks still wired."""

import pytest

from simulacro.emulator.snapshot import Snapshot, WarmLocalAws


@pytest.fixture
def staging(provisioned):
    snapshot = provisioned.local_aws.snapshot()
    yield provisioned, snapshot
    snapshot.restore()


def _alarms(target):
    return sorted(a["AlarmName"] for a in target.client("cloudwatch", "staging").describe_alarms()["MetricAlarms"])


def test_restore_brings_back_what_was_deleted_and_forgets_what_was_created(staging):
    target, snapshot = staging
    before, clock_before = _alarms(target), target.clock.now()
    target.client("cloudwatch", "staging").delete_alarms(AlarmNames=["churn-staging-5xx-rate"])
    target.client("sqs", "staging").create_queue(QueueName="made-after-the-snapshot")
    target.clock.sleep(600)
    snapshot.restore()
    assert _alarms(target) == before
    assert target.clock.now() == clock_before
    urls = target.client("sqs", "staging").list_queues(QueueNamePrefix="made-after").get("QueueUrls", [])
    assert urls == []


def test_a_snapshot_restores_the_same_state_twice(staging):
    target, snapshot = staging
    sns = target.client("sns", "staging")
    topics = sorted(t["TopicArn"] for t in sns.list_topics()["Topics"])
    for _ in range(2):
        sns.create_topic(Name="extra")
        snapshot.restore()
        assert sorted(t["TopicArn"] for t in sns.list_topics()["Topics"]) == topics


def test_after_a_restore_the_control_plane_still_evaluates_and_notifies(staging):
    """The overlay's hooks and the clock's timers point at the same parts: alarms still move with virtual time."""
    target, snapshot = staging
    snapshot.restore()
    cloudwatch = target.client("cloudwatch", "staging")
    cloudwatch.put_metric_alarm(
        AlarmName="after-restore",
        Namespace="Simulacro/Test",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    for _ in range(3):
        cloudwatch.put_metric_data(Namespace="Simulacro/Test", MetricData=[{"MetricName": "Errors", "Value": 5}])
        target.clock.sleep(60)
    state = cloudwatch.describe_alarms(AlarmNames=["after-restore"])["MetricAlarms"][0]["StateValue"]
    assert state == "ALARM"


def test_the_warm_local_aws_provisions_once_per_stack():
    provisioned = []
    fake = _FakeLocalAws()
    warm = WarmLocalAws(lambda: fake)
    for _ in range(3):
        assert warm.provisioned("spec-a", provisioned.append) is fake
    warm.provisioned("spec-b", provisioned.append)
    assert provisioned == [fake, fake]
    warm.stop()
    assert fake.stopped


class _FakeLocalAws:
    """Enough of a LocalAws for the pool's bookkeeping: a clock with a lock, and nothing else."""

    def __init__(self):
        from simulacro.emulator.overlay import Overlay
        from simulacro.target.clock import VirtualClock

        self.clock, self.overlay, self.stopped = VirtualClock(), Overlay(), False

    def start(self):
        return self

    def stop(self):
        self.stopped = True


def test_a_snapshot_is_a_copy_not_a_view(staging):
    target, snapshot = staging
    assert isinstance(snapshot, Snapshot) and snapshot.size > 0
    target.client("logs", "staging").create_log_group(logGroupName="/made/after")
    again = target.local_aws.snapshot()
    snapshot.restore()
    names = [
        g["logGroupName"]
        for g in target.client("logs", "staging").describe_log_groups(logGroupNamePrefix="/made")["logGroups"]
    ]
    assert names == []
    again.restore()
    names = [
        g["logGroupName"]
        for g in target.client("logs", "staging").describe_log_groups(logGroupNamePrefix="/made")["logGroups"]
    ]
    assert names == ["/made/after"]


def test_what_moto_keeps_beside_the_accounts_is_restored_too(staging):
    """S3 indexes bucket names across accounts on the BackendDict itself: a bucket made after the snapshot is
    forgotten there too, so another account may create a bucket of that name."""
    target, snapshot = staging
    target.client("s3", "staging").create_bucket(
        Bucket="made-after-the-snapshot", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    snapshot.restore()
    target.client("s3", "prod").create_bucket(
        Bucket="made-after-the-snapshot", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    names = [b["Name"] for b in target.client("s3", "prod").list_buckets()["Buckets"]]
    assert "made-after-the-snapshot" in names
