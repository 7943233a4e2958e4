"""What an AWS error means for a drill: wait and retry (throttling, a transient fault), or stop and say
which permission or which credentials are missing.

A refused call on real AWS surfaces as `MissingPermission` naming the IAM action (for example
`sagemaker:UpdateEndpoint`) instead of a bare `AccessDenied`; expired or invalid credentials surface as
`CredentialsProblem`. Neither is a `ClientError`, on purpose: code that treats a `ClientError` as "does
not exist" must not mistake a refusal for an absence.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from simulacro.errors import AwsProblem
from simulacro.target.iam_actions import iam_action

THROTTLING = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
}
TRANSIENT = {"InternalError", "InternalFailure", "InternalServerError", "ServiceUnavailable", "ServiceUnavailableException",
             "RequestTimeout", "RequestTimeoutException", "InternalServiceError"}
ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                 "AuthorizationErrorException", "NotAuthorized", "Forbidden"}
BAD_CREDENTIALS = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
                   "UnrecognizedClientException", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
                   "IncompleteSignature", "MissingAuthenticationToken"}
EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}


class AwsAccessProblem(AwsProblem):
    """AWS refused the run's identity: what the operator must fix before running again."""


class MissingPermission(AwsAccessProblem):
    def __init__(self, action: str, code: str, message: str):
        self.action = action
        super().__init__(
            f"AWS refused {action} ({code}): the identity running the drills lacks this permission. "
            f"Grant it (python -m simulacro iam-policy prints everything the drills need) or deselect the drills that "
            f"need it. AWS said: {message}")


class CredentialsProblem(AwsAccessProblem):
    def __init__(self, action: str, code: str, message: str):
        expired = code in EXPIRED
        what = "have expired" if expired else "were not accepted"
        super().__init__(
            f"the AWS credentials {what} ({code} on {action}). Refresh them (for example `aws sso login --profile <profile>`, "
            f"or new keys in the environment) and run again; if a drill was running, run "
            f"`python -m simulacro cleanup --run-id <run id>` to remove what it could not roll back. AWS said: {message}")


def error_code(error: BaseException) -> str | None:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code")
    return None


def is_retryable(error: BaseException) -> bool:
    """Throttling, a 5xx or a network hiccup: worth another try after a pause."""
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)):
        return True
    code = error_code(error)
    if code is None:
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)  # type: ignore[union-attr]
    return code in THROTTLING or code in TRANSIENT or status >= 500


def translate(service: str, operation: str, status: int, parsed: dict[str, Any]) -> AwsAccessProblem | None:
    """The clear error for a refused call, or None when the error is something else."""
    error = parsed.get("Error") or {}
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    action = iam_action(service, operation)
    if code in BAD_CREDENTIALS:
        return CredentialsProblem(action, code, message)
    if code in ACCESS_DENIED or (status == 403 and service == "s3" and code in ("403", "")):
        return MissingPermission(action, code or "403", message)
    return None


def raise_clear_errors(client: Any) -> None:
    """Make `client` raise `MissingPermission` / `CredentialsProblem` instead of a bare ClientError."""
    def after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if http_response is None or http_response.status_code < 400:
            return
        problem = translate(model.service_model.service_name, model.name, http_response.status_code, parsed or {})
        if problem is not None:
            raise problem

    client.meta.events.register("after-call", after_call)
