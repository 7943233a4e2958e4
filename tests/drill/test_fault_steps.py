"""Nothing half-applied: each step of an injection registers its own undo as it goes, so an injection that
fails at any step (UpdateEndpoint refused, a policy write throttled, an approval interrupted) leaves the
stack exactly as it was. Each compound fault is made to fail at its 1st, 2nd, ... changing call in turn."""

import contextlib

import botocore.client
import pytest
from botocore.exceptions import ClientError

from simulacro.drill.faults import Faults
from simulacro.evidence import DrillRecord

READS = ("Describe", "List", "Get", "Head", "Search")


class FailAt:
    """The `n`th changing AWS call made while armed fails, as AWS refusing it would."""

    def __init__(self, monkeypatch):
        self.n, self.seen, self.failed = 0, 0, None
        original = botocore.client.BaseClient._make_api_call
        fail = self

        def call(client, operation, params):
            if fail.n and not operation.startswith(READS):
                fail.seen += 1
                if fail.seen == fail.n:
                    fail.failed = operation
                    raise ClientError(
                        {
                            "Error": {"Code": "InternalFailure", "Message": "injected by the test"},
                            "ResponseMetadata": {"HTTPStatusCode": 500},
                        },
                        operation,
                    )
            return original(client, operation, params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)

    @contextlib.contextmanager
    def armed(self, n):
        self.n, self.seen, self.failed = n, 0, None
        try:
            yield
        finally:
            self.n = 0


def snapshot(target):
    """What a fault may touch in staging, as it is now."""
    sm, events, sqs = (target.client(s, "staging") for s in ("sagemaker", "events", "sqs"))
    endpoint = sm.describe_endpoint(EndpointName="churn-staging")
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"]}
    return {
        "serving": endpoint["EndpointConfigName"],
        "deployment tags": sorted(k for k in tags if k.startswith("deployment:")),
        "configs": sorted(c["EndpointConfigName"] for c in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]),
        "models": sorted(m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]),
        "packages": sorted(
            (p["ModelPackageArn"], p["ModelApprovalStatus"])
            for p in sm.list_model_packages(ModelPackageGroupName="churn-models", MaxResults=100)[
                "ModelPackageSummaryList"
            ]
            if p["ModelApprovalStatus"] != "Rejected"
        ),
        "targets": sorted(
            (r["Name"], t["Id"], t["Arn"])
            for r in events.list_rules()["Rules"]
            for t in events.list_targets_by_rule(Rule=r["Name"])["Targets"]
        ),
        "policies": sorted(
            (u, sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["Policy"]).get("Attributes", {}).get("Policy"))
            for u in sqs.list_queues().get("QueueUrls", [])
        ),
    }


def settle(target):
    target.clock.sleep(900)  # the deployer, updates and rollbacks settle in virtual time


INJECTIONS = {
    "broken endpoint update": lambda f, s: f.endpoint_update(s.endpoint("churn-staging"), broken=True),
    "copied endpoint update": lambda f, s: f.endpoint_update(s.endpoint("churn-staging")),
    "bad deployment": lambda f, s: f._undo.enter_context(f.bad_deployment(s.endpoint("churn-staging"))),
    "regressed promotion": lambda f, s: f.regressed_promotion(s.endpoint("churn-staging"), "churn-models"),
    "unreachable target (policy)": lambda f, s: f._undo.enter_context(
        f.rule_target_unreachable(s.rule("churn-pipeline-failed"), "ops-queue", "policy")
    ),
    "unreachable target (missing)": lambda f, s: f._undo.enter_context(
        f.rule_target_unreachable(s.rule("churn-pipeline-failed"), "ops-queue", "missing")
    ),
    "model package": lambda f, s: f.model_package_registration("churn-models", "staging"),
}


@pytest.mark.parametrize("fault", INJECTIONS)
def test_an_injection_failing_at_any_step_leaves_nothing_behind(provisioned, stack, monkeypatch, fault):
    failing = FailAt(monkeypatch)
    settle(provisioned)
    before = snapshot(provisioned)
    steps_failed = []
    for n in range(1, 12):
        record = DrillRecord(f"test::{fault}", fault, "test", "staging", provisioned.clock.now())
        faults = Faults(stack, provisioned, record, run_id=f"steps{n}")
        with failing.armed(n):
            try:
                INJECTIONS[fault](faults, stack)
            except ClientError:
                pass
        if failing.failed is None:
            faults.undo_all()  # the whole injection went through: its normal undo
            settle(provisioned)
            assert snapshot(provisioned) == before, f"{fault}: the full injection's undo left something"
            break
        steps_failed.append(failing.failed)
        settle(provisioned)
        assert snapshot(provisioned) == before, (
            f"{fault} failing at its call {n} ({failing.failed}) left something behind"
        )
        assert record.entries[-1].kind == "restore" and "half-applied" in record.entries[-1].label
        faults.undo_all()  # idempotent: nothing is undone twice
    assert steps_failed, f"{fault} made no changing call"
    if "endpoint update" in fault or fault == "bad deployment":
        assert steps_failed[-1] == "UpdateEndpoint", steps_failed  # refused last, after the config (and model) exist


def test_the_regressed_promotion_never_leaves_an_approved_package(provisioned, stack, monkeypatch):
    """The approval is the last step: refused there, the package registered just before is deleted, not left Pending
    or Approved; and after a full drill, no Approved package of the drill remains."""
    failing = FailAt(monkeypatch)
    settle(provisioned)
    record = DrillRecord("test::approved", "approved", "test", "staging", provisioned.clock.now())
    faults = Faults(stack, provisioned, record, run_id="approved1")
    faults.regressed_promotion(stack.endpoint("churn-staging"), "churn-models")
    settle(provisioned)
    with failing.armed(1):  # the first undo step (the rejection) is refused: the others still run
        with pytest.raises(ClientError):
            faults.undo_all()
    settle(provisioned)
    sm = provisioned.client("sagemaker", "staging")
    packages = sm.list_model_packages(ModelPackageGroupName="churn-models", MaxResults=100)["ModelPackageSummaryList"]
    assert not [p for p in packages if "approved1" in p.get("ModelPackageDescription", "")], packages


def test_the_capture_checks_name_an_endpoint_whose_spec_declares_no_capture(stack):
    from simulacro.drill.model_monitor import declared_capture

    endpoint = stack.endpoints[0].model_copy(update={"capture": None})
    with pytest.raises(
        AssertionError, match=rf"endpoint {endpoint.name} \({endpoint.environment}\) declares no data capture"
    ):
        declared_capture(endpoint)
