"""AWS errors become one paragraph for the operator: the call, the resource and what to do; an API the account
lacks skips what needs it; never a raw HTML body or a traceback. The session's inventory reads only the services
the spec declares."""

import textwrap

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from simulacro.provision import inventory
from simulacro.target.aws_errors import ApiUnavailable, MissingPermission, operator_message, translate
from simulacro.target.targets import LocalTarget
from support.drill_runner import ROOT

HTML_500 = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>"


def _error(code, message, status, operation="DescribeAlarms"):
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
    )


@pytest.mark.parametrize(
    "status, code, message",
    [
        (500, "500", HTML_500),
        (501, "NotImplemented", "no"),
        (400, "UnknownOperationException", ""),
        (400, "InvalidAction", "x"),
    ],
)
def test_an_api_the_account_lacks_is_named_as_such(status, code, message):
    problem = translate("sagemaker", "CreateMonitoringSchedule", status, {"Error": {"Code": code, "Message": message}})
    assert isinstance(problem, ApiUnavailable)
    text, skip = operator_message(problem)
    assert skip and "sagemaker:CreateMonitoringSchedule" in text and "<html" not in text and "Model Monitor" in text


def test_access_denied_names_the_iam_action():
    problem = translate(
        "sagemaker", "UpdateEndpoint", 400, {"Error": {"Code": "AccessDeniedException", "Message": "no"}}
    )
    assert isinstance(problem, MissingPermission) and "sagemaker:UpdateEndpoint" in str(problem)
    assert operator_message(problem) == (str(problem), False)


@pytest.mark.parametrize(
    "code, status, advice",
    [
        ("ThrottlingException", 400, "fewer drills at once"),
        ("InternalFailure", 500, "service-side fault"),
        ("ServiceUnavailable", 503, "service-side fault"),
        ("ValidationException", 400, "matches the spec"),
    ],
)
def test_a_failed_call_names_the_call_the_resource_and_what_to_do(code, status, advice):
    message, skip = operator_message(
        _error(code, "<p>rate\nexceeded</p>", status),
        ("cloudwatch", "DescribeAlarms", {"AlarmNames": ["churn-staging-5xx-rate"]}),
    )
    assert not skip and advice in message and "\n" not in message and "<p>" not in message
    assert "cloudwatch:DescribeAlarms on AlarmNames churn-staging-5xx-rate" in message and code in message


def test_a_network_failure_says_what_to_check():
    message, skip = operator_message(EndpointConnectionError(endpoint_url="https://sagemaker.eu-west-1.amazonaws.com"))
    assert not skip and "--endpoint-url" in message


def test_anything_else_is_not_an_aws_error():
    assert operator_message(ValueError("x")) is None


def test_the_inventory_reads_only_the_services_the_spec_declares(local_aws, stack):
    """A spec without monitoring schedules (or pipelines) never calls their APIs: the account may lack them."""
    bare = stack.model_copy(update={"monitoring_schedules": [], "pipelines": []})
    target = LocalTarget(bare, local_aws)
    heard = []
    target.observe_calls(lambda service, operation, env, params: heard.append(operation))
    inventory(target, "staging")
    assert heard and not [op for op in heard if "MonitoringSchedule" in op or "Pipeline" in op], heard


AWS_ERROR_IN_A_DRILL = textwrap.dedent("""
    import botocore.endpoint

    original = botocore.endpoint.Endpoint.make_request
    HTML = "<!doctype html><html><title>500 Internal Server Error</title>" + "<p>trace</p>" * 500 + "</html>"

    class Answer:
        def __init__(self, status):
            self.status_code, self.headers, self.content = status, {}, b""

    def failing(endpoint, operation_model, request_dict):
        # AWS's answer after botocore's own retries: throttled, and an API this account lacks
        service = operation_model.service_model.service_name
        if operation_model.name == "ListTagsForResource" and service == "cloudwatch":
            return Answer(400), {"Error": {"Code": "ThrottlingException", "Message": HTML},
                                 "ResponseMetadata": {"HTTPStatusCode": 400}}
        if operation_model.name == "ListTopics":
            return Answer(400), {"Error": {"Code": "UnknownOperationException", "Message": "no such API"},
                                 "ResponseMetadata": {"HTTPStatusCode": 400}}
        return original(endpoint, operation_model, request_dict)

    def pytest_simulacro_provisioned(target):
        botocore.endpoint.Endpoint.make_request = failing  # once the local AWS is provisioned, before the drills read
""")


def test_aws_errors_inside_drills_fail_or_skip_them_with_one_paragraph(pytester):
    pytester.makepyfile(aws_error_plugin=AWS_ERROR_IN_A_DRILL)
    pytester.syspathinsert()
    result = pytester.runpytest_subprocess(
        str(ROOT / "drills" / "test_inventory.py"),
        f"--rootdir={ROOT}",
        "-p",
        "aws_error_plugin",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-q",
        "-rA",
        "-k",
        "staging",
    )
    out = result.stdout.str()
    outcomes = result.parseoutcomes()
    assert "error" not in outcomes and "errors" not in outcomes, out[-3000:]
    assert "Traceback" not in out and "<p>trace</p>" not in out
    assert "cloudwatch:ListTagsForResource on ResourceARN arn:aws:cloudwatch" in out and "fewer drills at once" in out
    assert outcomes.get("skipped", 0) >= 1 and "does not offer sns:ListTopics" in out  # the topics' checks
    assert outcomes.get("passed", 0) >= 1  # the log groups need neither
