"""Everything a run creates carries its run id (tag `simulacro-run`), so that `cleanup --run-id` finds it."""

from simulacro.target.run_tags import RUN_TAG


def test_what_a_run_creates_is_tagged_with_its_run_id(provisioned):
    provisioned.run_id = "20261127120000-abc123"
    try:
        sqs, sagemaker = provisioned.client("sqs", "staging"), provisioned.client("sagemaker", "staging")
        url = sqs.create_queue(QueueName="simulacro-tagged", tags={"purpose": "test"})["QueueUrl"]
        config = sagemaker.describe_endpoint_config(
            EndpointConfigName=sagemaker.describe_endpoint(EndpointName="churn-staging")["EndpointConfigName"]
        )
        arn = sagemaker.create_endpoint_config(
            EndpointConfigName="churn-staging-simulacro-tagged", ProductionVariants=config["ProductionVariants"]
        )["EndpointConfigArn"]
        assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"purpose": "test", RUN_TAG: "20261127120000-abc123"}
        assert {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]} == {
            RUN_TAG: "20261127120000-abc123"
        }
    finally:
        provisioned.run_id = None
        sqs.delete_queue(QueueUrl=url)
        sagemaker.delete_endpoint_config(EndpointConfigName="churn-staging-simulacro-tagged")


def test_outside_a_run_nothing_is_tagged(provisioned):
    sqs = provisioned.client("sqs", "staging")
    url = sqs.create_queue(QueueName="simulacro-untagged")["QueueUrl"]
    try:
        assert sqs.list_queue_tags(QueueUrl=url).get("Tags", {}) == {}
    finally:
        sqs.delete_queue(QueueUrl=url)


def test_a_versioned_model_package_keeps_its_groups_tags(provisioned):
    """AWS refuses tags on a package in a group: the run tag is not added there (its description says the run)."""
    seen = []
    stop = provisioned.observe_calls(
        lambda service, operation, env, params: seen.append(params) if operation == "CreateModelPackage" else None
    )
    provisioned.run_id = "20261127120000-abc123"
    try:
        from simulacro.drill.faults.model_package import register_model_package

        undos = []
        register_model_package(
            provisioned.client("sagemaker", "staging"), "churn-models", "20261127120000-abc123", undo=undos.append
        )
        for undo in reversed(undos):
            undo()
    finally:
        provisioned.run_id = None
        stop()
    assert "Tags" not in seen[0]
