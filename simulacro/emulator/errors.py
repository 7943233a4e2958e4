"""AWS errors the overlay raises; moto serializes them in each service's wire protocol."""

from __future__ import annotations

from moto.core.exceptions import ServiceException


class AwsError(ServiceException):
    def __init__(self, code: str, message: str):
        super().__init__(code, message)


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def invalid_next_token() -> AwsError:
    """CloudWatch's answer to a NextToken it did not hand out."""
    return AwsError("InvalidNextToken", "The service returned an invalid next token.")


def not_found(code: str, message: str) -> AwsError:
    return AwsError(code, message)
