"""Waits that behave on real AWS: at most one poll a second, throttling and transient errors retried with
backoff inside the budget, a refused permission or expired credentials named at once, progress printed."""

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from simulacro.spec import load_stack
from simulacro.target.aws_errors import CredentialsProblem, MissingPermission, raise_clear_errors
from simulacro.target.targets import AwsTarget
from simulacro.target.waits import WaitTimeout, report_progress_to, wait_for

ALARM = {"AlarmName": "churn-staging-5xx-rate", "StateValue": "ALARM"}


class FakeWallClock:
    """Wall-clock behaviour (not virtual) without the waiting: each sleep is recorded and moves time on."""

    virtual = False

    def __init__(self):
        self.moment = datetime(2026, 3, 15, 16, 0, tzinfo=timezone.utc)
        self.sleeps = []

    def now(self):
        return self.moment

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.moment += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def quiet():
    """Waits given no `progress` print nowhere here (in a run they print to the terminal)."""
    restore = report_progress_to(None)
    yield
    restore()


@pytest.fixture
def cloudwatch(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("cloudwatch", region_name="eu-west-1")
    raise_clear_errors(client)
    with Stubber(client) as stubber:
        yield client, stubber


def _in_alarm(client):
    return lambda: [a for a in client.describe_alarms()["MetricAlarms"] if a["StateValue"] == "ALARM"]


def test_a_wall_clock_wait_polls_at_most_once_a_second():
    clock, polls = FakeWallClock(), []
    with pytest.raises(WaitTimeout):
        wait_for(lambda: polls.append(clock.now()), within=10, clock=clock, what="nothing", poll=0.1)
    assert len(polls) <= 11 and min(clock.sleeps) >= 1.0


def test_throttling_is_retried_with_growing_pauses_until_it_succeeds(cloudwatch):
    client, stubber = cloudwatch
    for _ in range(3):
        stubber.add_client_error("describe_alarms", "Throttling", "Rate exceeded", http_status_code=400)
    stubber.add_response("describe_alarms", {"MetricAlarms": [ALARM]})
    clock = FakeWallClock()
    found = wait_for(_in_alarm(client), within=600, clock=clock, what="the alarm", poll=5)
    assert found[0]["AlarmName"] == ALARM["AlarmName"]
    assert clock.sleeps == [10, 20, 40]


def test_transient_errors_and_timeouts_are_retried_too(cloudwatch):
    client, stubber = cloudwatch
    stubber.add_client_error("describe_alarms", "ServiceUnavailable", "try later", http_status_code=503)
    stubber.add_response("describe_alarms", {"MetricAlarms": [ALARM]})
    attempts = []

    def condition():
        attempts.append(1)
        if len(attempts) == 1:
            raise ReadTimeoutError(endpoint_url="https://monitoring.eu-west-1.amazonaws.com/")
        return _in_alarm(client)()

    assert wait_for(condition, within=300, clock=FakeWallClock(), what="the alarm", poll=5)
    assert len(attempts) == 3


def test_a_budget_spent_on_throttling_says_so(cloudwatch):
    client, stubber = cloudwatch
    for _ in range(6):
        stubber.add_client_error("describe_alarms", "ThrottlingException", "Rate exceeded", http_status_code=400)
    with pytest.raises(
        WaitTimeout, match=r"the alarm: did not happen within 1m \(the last \d polls failed: ThrottlingException\)"
    ):
        wait_for(_in_alarm(client), within=60, clock=FakeWallClock(), what="the alarm", poll=5)


def test_access_denied_names_the_missing_permission_at_once(cloudwatch):
    client, stubber = cloudwatch
    stubber.add_client_error(
        "describe_alarms",
        "AccessDenied",
        "User: arn:aws:sts::210987654321:assumed-role/"
        "data-science-user/me is not authorized to perform: cloudwatch:DescribeAlarms",
        http_status_code=403,
    )
    clock = FakeWallClock()
    with pytest.raises(
        MissingPermission,
        match=r"AWS refused cloudwatch:DescribeAlarms \(AccessDenied\): the identity "
        r"running the drills lacks this permission\. Grant it",
    ):
        wait_for(_in_alarm(client), within=600, clock=clock, what="the alarm")
    assert clock.sleeps == []


def test_expired_credentials_say_how_to_refresh_them(cloudwatch):
    client, stubber = cloudwatch
    stubber.add_client_error(
        "describe_alarms", "ExpiredToken", "The security token included in the request is expired", http_status_code=403
    )
    with pytest.raises(
        CredentialsProblem,
        match=r"the AWS credentials have expired \(ExpiredToken on cloudwatch:DescribeAlarms\)\. "
        r"Refresh them \(for example `aws sso login",
    ):
        wait_for(_in_alarm(client), within=600, clock=FakeWallClock(), what="the alarm")


def test_a_refused_call_from_the_aws_target_names_its_iam_action(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sagemaker = AwsTarget(load_stack(), "staging").client("sagemaker")
    with Stubber(sagemaker) as stubber:
        stubber.add_client_error("update_endpoint", "AccessDeniedException", "not authorized", http_status_code=400)
        with pytest.raises(MissingPermission, match="AWS refused sagemaker:UpdateEndpoint"):
            sagemaker.update_endpoint(EndpointName="churn-staging", EndpointConfigName="churn-staging-abc")


def test_a_refusal_is_not_mistaken_for_an_absence(monkeypatch):
    """Code that reads `ClientError` as "it does not exist" must not see a refused permission that way."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    s3 = AwsTarget(load_stack(), "staging").client("s3")
    with Stubber(s3) as stubber:
        stubber.add_client_error("get_bucket_lifecycle_configuration", "AccessDenied", "denied", http_status_code=403)
        with pytest.raises(MissingPermission, match="s3:GetLifecycleConfiguration"):
            s3.get_bucket_lifecycle_configuration(Bucket="churn-capture-staging")


def test_long_waits_print_what_is_awaited_elapsed_and_budget():
    clock, lines, polls = FakeWallClock(), [], []
    wait_for(
        lambda: polls.append(1) or len(polls) > 12,
        within=240,
        clock=clock,
        what="alarm churn-staging-5xx-rate to enter ALARM",
        poll=10,
        progress=lines.append,
    )
    assert lines[0] == "waiting for alarm churn-staging-5xx-rate to enter ALARM (budget 4m)"
    assert "still waiting for alarm churn-staging-5xx-rate to enter ALARM: 1m of 4m" in lines
    assert lines[-1] == "alarm churn-staging-5xx-rate to enter ALARM: after 2m (budget 4m)"
    assert len(lines) == 5  # start, at 30s, 1m and 1m30s, the end


def test_short_and_virtual_waits_print_nothing():
    lines = []
    wait_for(lambda: True, within=10, clock=FakeWallClock(), what="x", progress=lines.append)
    assert lines == []
