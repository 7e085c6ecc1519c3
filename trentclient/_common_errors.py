"""The errors AWS services send that KMS's model does not list, and other spellings of codes.

Part of the error tree in ``_exceptions`` (see its docstring): ``ValidationException``,
``ThrottlingException``, the ``ServiceFault`` leaves ``InternalFailure`` and
``ServiceUnavailableException``, and the ``AuthError`` leaves (signature, token and access
failures); ``UNMODELED_ERRORS`` by code, and ``CODE_ALIASES``, the codes other AWS services
use for the same failures, mapped to a category base (each error keeps its own code).

Loaded when one of these is first named (``trentclient.AccessDeniedException``) or an error
answer is first read (the generated registry, ``_generated/_errors.py``, takes them in): a
client that meets no error never builds them.
"""

from __future__ import annotations

from trentclient._exceptions import AuthError, ServiceError, ServiceFault, ThrottlingError

__all__ = [
    "AccessDeniedException",
    "CODE_ALIASES",
    "ExpiredTokenException",
    "IncompleteSignatureException",
    "InternalFailure",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "MissingAuthenticationTokenException",
    "RequestExpired",
    "ServiceUnavailableException",
    "SignatureDoesNotMatch",
    "ThrottlingException",
    "UNMODELED_ERRORS",
    "UnrecognizedClientException",
    "ValidationException",
]


class ValidationException(ServiceError):
    """KMS rejected the request's parameters."""


class ThrottlingException(ThrottlingError):
    """KMS throttled the request (HTTP 400)."""


class InternalFailure(ServiceFault):
    """An unknown server error."""


class ServiceUnavailableException(ServiceFault):
    """The service is temporarily unavailable."""


class AccessDeniedException(AuthError):
    """The caller is not allowed to perform this operation."""


class InvalidSignatureException(AuthError):
    """The request signature does not conform to AWS standards, or has expired."""


class SignatureDoesNotMatch(AuthError):
    """The signature computed by the server differs from the one sent."""


class IncompleteSignatureException(AuthError):
    """The request signature is missing a required part."""


class UnrecognizedClientException(AuthError):
    """The access key or security token is not valid."""


class InvalidClientTokenId(AuthError):
    """The access key ID does not exist in AWS's records."""


class MissingAuthenticationTokenException(AuthError):
    """The request carries no credentials."""


class ExpiredTokenException(AuthError):
    """The security token included in the request has expired."""


class RequestExpired(AuthError):
    """The request reached the service too long after its date stamp."""


#: Hand-written classes by the code the server sends.
UNMODELED_ERRORS: dict[str, type[ServiceError]] = {
    cls.__name__: cls
    for cls in (
        ValidationException,
        ThrottlingException,
        InternalFailure,
        ServiceUnavailableException,
        AccessDeniedException,
        InvalidSignatureException,
        SignatureDoesNotMatch,
        IncompleteSignatureException,
        UnrecognizedClientException,
        InvalidClientTokenId,
        MissingAuthenticationTokenException,
        ExpiredTokenException,
        RequestExpired,
    )
}

#: Other spellings AWS services use; these map to a category base and keep their own code.
CODE_ALIASES: dict[str, type[ServiceError]] = {
    "Throttling": ThrottlingError,
    "ThrottledException": ThrottlingError,
    "RequestThrottled": ThrottlingError,
    "RequestThrottledException": ThrottlingError,
    "TooManyRequestsException": ThrottlingError,
    "RequestLimitExceeded": ThrottlingError,
    "SlowDown": ThrottlingError,
    "PriorRequestNotComplete": ThrottlingError,
    "BandwidthLimitExceeded": ThrottlingError,
    "ServiceUnavailable": ServiceFault,
    "InternalServerError": ServiceFault,
    "InternalError": ServiceFault,
    "AccessDenied": AuthError,
    "ExpiredToken": AuthError,
    "AuthFailure": AuthError,
    "InvalidAccessKeyId": AuthError,
    "RequestTimeTooSkewed": AuthError,
    "NotAuthorized": AuthError,
    "ValidationError": ValidationException,
}
