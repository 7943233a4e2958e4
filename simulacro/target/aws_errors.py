"""What an AWS error means for a drill: wait and retry (throttling, a transient fault), or stop and say
which permission or which credentials are missing, or that the account lacks the API altogether.

A refused call on real AWS surfaces as `MissingPermission` naming the IAM action (for example
`sagemaker:UpdateEndpoint`) instead of a bare `AccessDenied`; expired or invalid credentials surface as
`CredentialsProblem`. Neither is a `ClientError`, on purpose: code that treats a `ClientError` as "does
not exist" must not mistake a refusal for an absence.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from simulacro.errors import AwsProblem
from simulacro.target.iam_actions import iam_action

THROTTLING = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
}
TRANSIENT = {
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalServiceError",
}
ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AuthorizationErrorException",
    "NotAuthorized",
    "Forbidden",
}
BAD_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "IncompleteSignature",
    "MissingAuthenticationToken",
}
EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
UNAVAILABLE = {
    "UnknownOperationException",
    "InvalidAction",
    "NotImplemented",
    "UnsupportedOperation",
    "UnsupportedOperationException",
    "OperationNotSupportedException",
    "UnknownOperation",
}


class AwsAccessProblem(AwsProblem):
    """AWS refused the run's identity: what the operator must fix before running again."""


class MissingPermission(AwsAccessProblem):
    def __init__(self, action: str, code: str, message: str):
        self.action = action
        super().__init__(
            f"AWS refused {action} ({code}): the identity running the drills lacks this permission. "
            f"Grant it (python -m simulacro iam-policy prints everything the drills need) or deselect the drills that "
            f"need it. AWS said: {message}"
        )


class CredentialsProblem(AwsAccessProblem):
    def __init__(self, action: str, code: str, message: str):
        expired = code in EXPIRED
        what = "have expired" if expired else "were not accepted"
        super().__init__(
            f"the AWS credentials {what} ({code} on {action}). Refresh them (for example `aws sso login --profile <profile>`, "
            f"or new keys in the environment) and run again; if a drill was running, run "
            f"`python -m simulacro cleanup --run-id <run id>` to remove what it could not roll back. AWS said: {message}"
        )


class ApiUnavailable(AwsProblem):
    """The account (or the AWS-compatible endpoint) does not offer this API at all: the drills that need it are
    skipped with this reason; nothing else is wrong. Model Monitor is the usual case: AWS no longer onboards
    new accounts to it, and a plain moto server does not implement it."""

    def __init__(self, service: str, operation: str, detail: str):
        self.service, self.operation = service, operation
        super().__init__(
            f"the endpoint does not offer {service}:{operation} ({detail}): this account or AWS-compatible endpoint lacks "
            f"the API, so what needs it cannot run here. For SageMaker Model Monitor, AWS no longer onboards new "
            f"accounts; use an account that has it, or deselect the drills that need it (-m 'not monitor')."
        )


def error_code(error: BaseException) -> str | None:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code")
    return None


def is_retryable(error: BaseException) -> bool:
    """Throttling, a 5xx or a network hiccup: worth another try after a pause."""
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)):
        return True
    if not isinstance(error, ClientError):
        return False
    code = error_code(error)
    if code is None:
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in THROTTLING or code in TRANSIENT or status >= 500


def translate(service: str, operation: str, status: int, parsed: dict[str, Any]) -> AwsProblem | None:
    """The clear error for a refused call, or None when the error is something else."""
    error = parsed.get("Error") or {}
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    action = iam_action(service, operation)
    if status == 501 or code in UNAVAILABLE or (status >= 500 and _is_html(message)):
        return ApiUnavailable(
            service,
            operation,
            f"HTTP {status}"
            + (f" {code}" if code and code != str(status) else "")
            + (": an HTML page instead of an AWS error" if _is_html(message) else f": {message[:200]}"),
        )
    if code in BAD_CREDENTIALS:
        return CredentialsProblem(action, code, message)
    if code in ACCESS_DENIED or (status == 403 and service == "s3" and code in ("403", "")):
        return MissingPermission(action, code or "403", message)
    return None


def raise_clear_errors(client: Any) -> None:
    """Make `client` raise `MissingPermission` / `CredentialsProblem` / `ApiUnavailable` instead of a bare
    ClientError; an API found unavailable is refused at once afterwards (no more retries against it)."""
    unavailable: dict[str, ApiUnavailable] = {}

    def before_call(model: Any, **_: Any) -> None:
        if model.name in unavailable:
            raise unavailable[model.name]

    def after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if http_response is None or http_response.status_code < 400:
            return
        problem = translate(model.service_model.service_name, model.name, http_response.status_code, parsed or {})
        if isinstance(problem, ApiUnavailable):
            unavailable[model.name] = problem
        if problem is not None:
            raise problem

    client.meta.events.register("before-call", before_call)
    client.meta.events.register("after-call", after_call)


def _is_html(text: str) -> bool:
    return text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))


def _plain(text: str, limit: int = 300) -> str:
    """An error message fit for one paragraph: no markup, no line breaks, cut at `limit` characters."""
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


RESOURCE_PARAMETERS = (
    "AlarmName",
    "AlarmNames",
    "EndpointName",
    "EndpointConfigName",
    "ModelName",
    "ModelPackageGroupName",
    "ModelPackageName",
    "ModelPackageArn",
    "PipelineName",
    "PipelineExecutionArn",
    "MonitoringScheduleName",
    "Name",
    "Rule",
    "QueueUrl",
    "QueueName",
    "TopicArn",
    "SubscriptionArn",
    "ResourceARN",
    "ResourceArn",
    "logGroupName",
    "logGroupNamePrefix",
    "Bucket",
    "Key",
    "TargetArn",
)


def resource_of(params: dict[str, Any] | None) -> str:
    """The resource a call was about, from its parameters (the first one that names a resource)."""
    for name in RESOURCE_PARAMETERS:
        value = (params or {}).get(name)
        if value:
            return f"{name} {value if not isinstance(value, list) else ', '.join(map(str, value[:3]))}"
    return "no single resource"


def operator_message(
    error: BaseException, last_call: tuple[str, str, dict[str, Any]] | None = None
) -> tuple[str, bool] | None:
    """One paragraph for the operator about an AWS error inside a drill, and whether the drill is to be skipped
    (the account lacks the API) rather than failed; None when `error` is not an AWS error."""
    if isinstance(error, ApiUnavailable):
        return str(error), True
    if isinstance(error, AwsProblem):
        return str(error), False
    if isinstance(error, ClientError):
        operation = error.operation_name
        service, params = "aws", None
        if last_call is not None and last_call[1] == operation:
            service, _, params = last_call
        info = error.response.get("Error", {})
        code = str(info.get("Code") or "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        lacking = translate(service, operation, status, error.response)
        if isinstance(lacking, ApiUnavailable):
            return str(lacking), True
        said = _plain(str(info.get("Message") or ""))
        where = f"{service}:{operation} on {resource_of(params)}"
        if code in THROTTLING:
            advice = (
                "AWS kept throttling it through every retry: run fewer drills at once (-n) or at a quieter time, "
                "then run the drill again"
            )
        elif code in TRANSIENT or status >= 500:
            advice = (
                "AWS kept failing it through every retry (a service-side fault): run the drill again; if it "
                "persists, check the AWS Health Dashboard for the region"
            )
        else:
            advice = (
                "AWS refused the request as sent: check that the live resource exists and matches the spec "
                "(`pytest drills -m inventory` compares them)"
            )
        return f"AWS answered {code or status} (HTTP {status}) to {where}: {said or 'no message'}. {advice}.", False
    if isinstance(error, BotoCoreError):
        return (
            f"the call to AWS could not complete ({type(error).__name__}: {_plain(str(error))}): check the network, "
            "--endpoint-url / AWS_ENDPOINT_URL and the region, then run the drill again."
        ), False
    return None
