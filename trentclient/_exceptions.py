"""The hand-written part of trentclient's error tree.

::

    TrentError                       root of everything trentclient raises
    ├── ServiceError                 any error answer from the server (code, message,
    │   │                            status_code, request_id, operation_name, response)
    │   ├── <modeled KMS errors>     NotFoundException, DisabledException, ... (generated)
    │   ├── ValidationException      KMS rejected the request's parameters (unmodeled)
    │   ├── ThrottlingError          any throttling answer (retryable)
    │   │   └── ThrottlingException
    │   ├── ServiceFault             server-side faults (retryable)
    │   │   ├── DependencyTimeoutException, KMSInternalException,
    │   │   │   KeyUnavailableException                             (generated)
    │   │   ├── InternalFailure
    │   │   └── ServiceUnavailableException
    │   └── AuthError                credentials, signature and permission failures
    │       ├── AccessDeniedException
    │       ├── InvalidSignatureException, SignatureDoesNotMatch, IncompleteSignatureException
    │       ├── UnrecognizedClientException, InvalidClientTokenId
    │       ├── MissingAuthenticationTokenException
    │       └── ExpiredTokenException, RequestExpired
    └── BotoCoreError                every error that is not a server's answer (botocore's name)
        ├── ParamValidationError     bad input, found before anything was sent
        ├── OperationNotFoundError   client.meta.service_model.operation_model(): no such name
        ├── NoCredentialsError       no credentials in any of the places looked at
        ├── PartialCredentialsError  part of a key pair, or role_arn without a source
        ├── ProfileNotFound          the named AWS profile is in neither shared file
        ├── CredentialRetrievalError a configured source (STS, SSO, container, IMDS,
        │                            credential_process) failed to give credentials
        ├── UnauthorizedSSOTokenError    the SSO token expired: run aws sso login
        ├── InvalidConfigError       a credential source configured in a way that cannot work
        │   └── InfiniteLoopConfigError  source_profile references loop
        ├── MissingDependencyException   the configuration needs an optional package
        ├── NoRegionError            no region given or configured
        ├── ConfigParseError         a shared AWS config/credentials file is malformed
        ├── EndpointResolutionError  no KMS endpoint for that region/option combination
        ├── TransportError           the HTTP exchange failed (httpx error is the __cause__)
        │   ├── EndpointConnectionError  no connection could be made
        │   ├── ConnectTimeoutError  no connection within connect_timeout
        │   └── HTTPClientError      failed once connected (any other httpx error)
        │       ├── ReadTimeoutError     no answer within read_timeout
        │       └── ConnectionClosedError    closed or reset before a complete answer
        └── ResponseParseError       the server's answer could not be understood

The errors AWS services send that KMS's model does not list (``ValidationException``,
``ThrottlingException``, the ``AuthError`` and ``ServiceFault`` leaves above) and the other
spellings of those codes are in ``_common_errors``, loaded, as the generated modeled errors
are, when one is first named or an error answer is first read.

A code the server sends that has no class of its own still gives a ``ServiceError``
(or a category base: ``ThrottlingError`` for 429, ``ServiceFault`` for 5xx) whose
``code`` is that code. Every class pickles and unpickles to an equal error.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import EllipsisType
from typing import Any, ClassVar

__all__ = [
    "AuthError",
    "BotoCoreError",
    "ConfigParseError",
    "ConnectTimeoutError",
    "ConnectionClosedError",
    "CredentialRetrievalError",
    "EndpointConnectionError",
    "EndpointResolutionError",
    "HTTPClientError",
    "InfiniteLoopConfigError",
    "InvalidConfigError",
    "MissingDependencyException",
    "NoCredentialsError",
    "NoRegionError",
    "OperationNotFoundError",
    "ParamValidationError",
    "PartialCredentialsError",
    "ProfileNotFound",
    "ReadTimeoutError",
    "ResponseParseError",
    "ServiceError",
    "ServiceFault",
    "ThrottlingError",
    "TransportError",
    "TrentError",
    "UnauthorizedSSOTokenError",
]


class TrentError(Exception):
    """Root of every error trentclient raises."""


class ServiceError(TrentError):
    """The server answered with an error (``ClientError`` is this class).

    trentclient builds these from answers; build one yourself for tests (or use
    ``trentclient.testing``'s Stubber and ``error_response``).

    Args:
        message: the server's message (``None`` when it sent ``"message": null``).
        code: the error code (``NotFoundException``); default: the class's name.
        status_code: the HTTP status (400).
        request_id: the ``x-amzn-RequestId`` of the answer.
        operation_name: the API name of the call (``DescribeKey``).
        http_headers: the answer's headers, names lower-cased.
        retry_attempts: how many retries came before this answer.
        metadata_request_id: the ``RequestId`` botocore would put in ``ResponseMetadata``
            when it differs from ``request_id`` (``None``: none); default: ``request_id``.
        modeled_fields: the modeled error's members (``message``) for the top of
            ``response``.
        max_attempts_reached: botocore's ``MaxAttemptsReached``.

    Attributes:
        code: as above; also ``message``, ``status_code``, ``request_id``,
            ``operation_name``, ``http_headers``, ``retry_attempts``,
            ``max_attempts_reached``.
        response: botocore's ``ClientError.response`` shape (``Error``,
            ``ResponseMetadata``).
    """

    #: A server-side fault (5xx-class); the retry policy may try again.
    fault: ClassVar[bool] = False
    #: A throttling answer; the retry policy backs off and tries again.
    throttling: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = "",
        *,
        code: str | None = None,
        status_code: int = 400,
        request_id: str | None = None,
        operation_name: str = "",
        http_headers: Mapping[str, str] | None = None,
        retry_attempts: int = 0,
        metadata_request_id: str | EllipsisType | None = ...,
        modeled_fields: Mapping[str, Any] | None = None,
        max_attempts_reached: bool = False,
    ) -> None:
        self.code: str = code if code is not None else type(self).__name__
        #: ``None`` when the server sent ``"message": null`` (as botocore reports it).
        self.message: str | None = message
        self.status_code: int = status_code
        self.request_id: str | None = request_id
        self.operation_name: str = operation_name
        self.http_headers: dict[str, str] = dict(http_headers or {})
        self.retry_attempts: int = retry_attempts
        # ``response`` only: botocore's ResponseMetadata.RequestId (absent where botocore
        # reads none, though ``request_id`` may still hold the header) and the modeled
        # error's members, which botocore puts at the top of ``ClientError.response``.
        self._metadata_request_id: str | None = (
            request_id if isinstance(metadata_request_id, EllipsisType) else metadata_request_id
        )
        self._modeled_fields: dict[str, Any] = dict(modeled_fields or {})
        #: botocore's ``MaxAttemptsReached``: the answer could have been retried, but the
        #: attempts were spent. Only then does the message say "(reached max retries: N)".
        self.max_attempts_reached: bool = max_attempts_reached
        super().__init__(self._render())

    def _mark_max_attempts_reached(self) -> None:
        self.max_attempts_reached = True
        super().__init__(self._render())  # BaseException.args, as at construction

    def _render(self) -> str:
        text = (
            f"An error occurred ({self.code}) when calling the "
            f"{self.operation_name or 'unknown'} operation"
        )
        if self.max_attempts_reached:
            text += f" (reached max retries: {self.retry_attempts})"
        return f"{text}: {self.message}"

    def __str__(self) -> str:
        return self._render()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"status_code={self.status_code!r}, request_id={self.request_id!r}, "
            f"operation_name={self.operation_name!r})"
        )

    @property
    def response(self) -> dict[str, Any]:
        """The error as botocore's ``ClientError.response`` holds it: ``Error`` (``Code``,
        ``Message``), ``ResponseMetadata`` (``RequestId`` only where botocore has one) and,
        for a modeled error, its members (``message``) when the body carried them."""
        metadata: dict[str, Any] = {}
        if self._metadata_request_id is not None:
            metadata["RequestId"] = self._metadata_request_id
        metadata["HTTPStatusCode"] = self.status_code
        metadata["HTTPHeaders"] = dict(self.http_headers)
        metadata["RetryAttempts"] = self.retry_attempts
        if self.max_attempts_reached:
            metadata["MaxAttemptsReached"] = True
        return {
            "Error": {"Code": self.code, "Message": self.message},
            "ResponseMetadata": metadata,
            **self._modeled_fields,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_service_error, (type(self), self.message, self._state()))

    def _state(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status_code": self.status_code,
            "request_id": self.request_id,
            "operation_name": self.operation_name,
            "http_headers": self.http_headers,
            "retry_attempts": self.retry_attempts,
            "metadata_request_id": self._metadata_request_id,
            "modeled_fields": self._modeled_fields,
            "max_attempts_reached": self.max_attempts_reached,
        }

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, ServiceError)
        return self.message == other.message and self._state() == other._state()

    def __hash__(self) -> int:
        return Exception.__hash__(self)


def _rebuild_service_error(
    cls: type[ServiceError], message: str | None, state: dict[str, Any]
) -> ServiceError:
    return cls(message, **state)


# -- category bases --------------------------------------------------------------------------


class ThrottlingError(ServiceError):
    """The request was throttled (KMS: "You have exceeded the rate at which you may call KMS")."""

    throttling = True


class ServiceFault(ServiceError):
    """A server-side fault: the request may succeed if tried again."""

    fault = True


class AuthError(ServiceError):
    """Credentials, signature or permission failure."""


# -- errors raised before or around the exchange ---------------------------------------------


class BotoCoreError(TrentError):
    """Every error that is not an answer from the server, under botocore's name for that base:
    ``except trentclient.BotoCoreError`` catches what ``except botocore.exceptions.BotoCoreError``
    would, and no ``ServiceError``."""


class ParamValidationError(BotoCoreError):
    """The parameters are invalid; nothing was sent.

    Args:
        problems: every problem found, each naming the parameter's path
            (``Tags[2].TagKey``); kept as the ``problems`` tuple.
        operation_name: the API name of the call, if known.
    """

    def __init__(self, problems: list[str] | tuple[str, ...], operation_name: str = "") -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.operation_name = operation_name
        where = f" for {operation_name}" if operation_name else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Parameter validation failed{where}:\n{lines}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems, self.operation_name))


class OperationNotFoundError(BotoCoreError):
    """``client.meta.service_model.operation_model(name)`` got a name that is no KMS
    operation's API name (``"Encrypt"`` is one; the method name ``"encrypt"`` is not).

    As botocore's ``botocore.model.OperationNotFoundError``, the name is the only argument
    (and the message); ``operation_name`` holds it too. botocore's is a plain ``Exception``;
    this one is a ``BotoCoreError``, as everything trentclient raises that is no answer from
    the server."""

    def __init__(self, operation_name: str) -> None:
        self.operation_name: str = operation_name
        super().__init__(operation_name)


class NoCredentialsError(BotoCoreError):
    """No AWS credentials were found; the message says where trentclient looked.

    Args:
        message: what was looked at (botocore's "Unable to locate credentials" by default).
    """

    def __init__(self, message: str = "Unable to locate credentials") -> None:
        super().__init__(message)


class PartialCredentialsError(BotoCoreError):
    """Only part of a key pair was found (an access key without its secret, a token alone,
    ``role_arn`` without ``source_profile`` or ``credential_source``). As in botocore, this
    is not a ``NoCredentialsError``: something is configured, wrongly."""


class ProfileNotFound(BotoCoreError):
    """The profile asked for (``profile_name=`` or ``AWS_PROFILE``) does not exist.

    As in botocore, this is not a ``NoCredentialsError``."""


class _RetrievalDetails(BotoCoreError):
    """What a failed credential source says: ``provider``, ``profile``, and for an error
    answer ``code``, ``status_code`` and ``request_id``."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        profile: str | None = None,
        code: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.provider = provider
        self.profile = profile
        self.code = code
        self.status_code = status_code
        self.request_id = request_id
        self.detail = message
        where = f" (profile {profile!r})" if profile else ""
        prefix = f"Error when retrieving credentials from {provider}{where}: " if provider else ""
        super().__init__(prefix + message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_retrieval_error,
            (
                type(self),
                self.detail,
                self.provider,
                self.profile,
                self.code,
                self.status_code,
                self.request_id,
            ),
        )


class CredentialRetrievalError(_RetrievalDetails):
    """A credential source was configured but could not give credentials.

    Raised on the call that needed them (STS, SSO, SSO-OIDC, the container endpoint, IMDS,
    ``credential_process``, a refresh). ``provider`` names the source (botocore's method
    names: ``"assume-role"``, ``"assume-role-with-web-identity"``, ``"sso"``,
    ``"container-role"``, ``"iam-role"``, ``"custom-process"``, ...), ``profile`` the profile
    it was configured in (or ``None``), and for an error answer ``code``, ``status_code`` and
    ``request_id`` are the server's. The message never holds a secret.
    """


def _rebuild_retrieval_error(
    cls: type[_RetrievalDetails],
    message: str,
    provider: str,
    profile: str | None,
    code: str | None,
    status_code: int | None,
    request_id: str | None,
) -> _RetrievalDetails:
    return cls(
        message,
        provider=provider,
        profile=profile,
        code=code,
        status_code=status_code,
        request_id=request_id,
    )


class UnauthorizedSSOTokenError(_RetrievalDetails):
    """The SSO access token is expired or was refused: run ``aws sso login --profile NAME``."""


class InvalidConfigError(BotoCoreError):
    """The shared config describes a credential source that cannot work as written."""


class InfiniteLoopConfigError(InvalidConfigError):
    """``source_profile`` references form a loop."""


class MissingDependencyException(BotoCoreError):
    """The configuration needs an optional package that is not installed."""


class NoRegionError(BotoCoreError):
    """No region was given or configured.

    Args:
        message: where the region was looked for, and how to set one.
    """

    def __init__(
        self,
        message: str = (
            "You must specify a region: pass region_name=..., or set AWS_REGION, "
            "AWS_DEFAULT_REGION, or 'region' in your AWS config profile."
        ),
    ) -> None:
        super().__init__(message)


class ConfigParseError(BotoCoreError, ValueError):
    """A shared AWS config or credentials file could not be parsed.

    The message names the file and line numbers, never a line's text (it may hold a
    secret).
    """


class EndpointResolutionError(BotoCoreError):
    """No KMS endpoint exists for the region and options asked for."""


class TransportError(BotoCoreError):
    """The HTTP exchange failed before a complete answer arrived.

    The underlying httpx exception is the ``__cause__``.

    Args:
        message: what failed, and where (the endpoint; never a secret).
        operation_name: the API name of the call.
        attempts: how many attempts were made before giving up.
    """

    def __init__(self, message: str, *, operation_name: str = "", attempts: int = 1) -> None:
        self.operation_name = operation_name
        self.attempts = attempts
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_transport_error,
            (type(self), self.args[0], self.operation_name, self.attempts),
        )


class EndpointConnectionError(TransportError):
    """No connection could be made to the endpoint (refused, unreachable, name not found)."""


class ConnectTimeoutError(TransportError):
    """No connection to the endpoint could be made within ``connect_timeout``.

    As in botocore, neither an ``EndpointConnectionError`` nor an ``HTTPClientError``."""


class HTTPClientError(TransportError):
    """The exchange failed after a connection was made (botocore's name for this base)."""


class ReadTimeoutError(HTTPClientError):
    """The endpoint did not answer within ``read_timeout``."""


class ConnectionClosedError(HTTPClientError):
    """The connection was closed or reset before a complete answer arrived."""


def _rebuild_transport_error(
    cls: type[TransportError], message: str, operation_name: str, attempts: int
) -> TransportError:
    return cls(message, operation_name=operation_name, attempts=attempts)


class ResponseParseError(BotoCoreError):
    """The server's answer could not be understood (not JSON, wrong shape, too large...).

    Args:
        message: what was wrong with the answer (values the model marks sensitive are not
            echoed).
        status_code: the answer's HTTP status, when one arrived.
        request_id: the answer's ``x-amzn-RequestId``.
        operation_name: the API name of the call.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        operation_name: str = "",
    ) -> None:
        self.status_code = status_code
        self.request_id = request_id
        self.operation_name = operation_name
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_parse_error,
            (type(self), self.args[0], self.status_code, self.request_id, self.operation_name),
        )


def _rebuild_parse_error(
    cls: type[ResponseParseError],
    message: str,
    status_code: int | None,
    request_id: str | None,
    operation_name: str,
) -> ResponseParseError:
    return cls(
        message, status_code=status_code, request_id=request_id, operation_name=operation_name
    )
