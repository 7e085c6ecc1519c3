"""trentclient: a small, typed, sync and async AWS KMS client over httpx, without boto3.

>>> import trentclient
>>> kms = trentclient.Client(region_name="us-east-2")  # doctest: +SKIP
>>> kms.enable_key_rotation(KeyId="1234abcd-...", RotationPeriodInDays=180)  # doctest: +SKIP
"""

from typing import TYPE_CHECKING, Any

from ._exceptions import (
    AuthError,
    BotoCoreError,
    ConfigParseError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    EndpointResolutionError,
    HTTPClientError,
    InfiniteLoopConfigError,
    InvalidConfigError,
    MissingDependencyException,
    NoCredentialsError,
    NoRegionError,
    OperationNotFoundError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    ResponseParseError,
    ServiceError,
    ServiceFault,
    ThrottlingError,
    TransportError,
    TrentError,
    UnauthorizedSSOTokenError,
)
from ._generated import _error_names
from ._version import __version__

if TYPE_CHECKING:
    from ._async_client import AsyncClient
    from ._auth import SigV4Auth
    from ._client import Client
    from ._common_errors import (
        AccessDeniedException,
        ExpiredTokenException,
        IncompleteSignatureException,
        InternalFailure,
        InvalidClientTokenId,
        InvalidSignatureException,
        MissingAuthenticationTokenException,
        RequestExpired,
        ServiceUnavailableException,
        SignatureDoesNotMatch,
        ThrottlingException,
        UnrecognizedClientException,
        ValidationException,
    )
    from ._config import Config, RetryConfig
    from ._credentials import CredentialProvider
    from ._credvalue import Credentials
    from ._generated._errors import *  # noqa: F403  (the modeled KMS errors: _error_names)

# Loaded on first use (PEP 562), each with what it needs and nothing more:
# - the clients: a program using one never loads the other (nor its half of the generated
#   methods' callers);
# - the attrs classes: attrs costs more to import than the rest of trentclient together, and a
#   client from static keys never needs it;
# - SigV4Auth, an httpx.Auth: httpx is imported by the clients that send with it, and
#   AsyncClient over aiohttp sends without it;
# - the modeled KMS errors (``_generated._errors``, named in ``_error_names``) and the errors
#   AWS sends that the model does not list (``_common_errors``): about sixty classes, built
#   when one is first named or a call first meets an error answer.
_LAZY = {
    "Client": "._client",
    "AsyncClient": "._async_client",
    "SigV4Auth": "._auth",
    "Config": "._config",
    "RetryConfig": "._config",
    "Credentials": "._credvalue",
    "CredentialProvider": "._credentials",
}
_LAZY.update(dict.fromkeys(_error_names.__all__, "._generated._errors"))
_LAZY.update(
    dict.fromkeys(
        (
            "AccessDeniedException",
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
            "UnrecognizedClientException",
            "ValidationException",
        ),
        "._common_errors",
    )
)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trentclient' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


#: boto3/botocore spelling of ServiceError, for code moving over.
ClientError = ServiceError

__all__ = [
    "AccessDeniedException",
    "AsyncClient",
    "AuthError",
    "BotoCoreError",
    "Client",
    "ClientError",
    "Config",
    "ConfigParseError",
    "ConnectTimeoutError",
    "ConnectionClosedError",
    "CredentialProvider",
    "CredentialRetrievalError",
    "Credentials",
    "EndpointConnectionError",
    "EndpointResolutionError",
    "ExpiredTokenException",
    "HTTPClientError",
    "IncompleteSignatureException",
    "InfiniteLoopConfigError",
    "InternalFailure",
    "InvalidClientTokenId",
    "InvalidConfigError",
    "InvalidSignatureException",
    "MissingAuthenticationTokenException",
    "MissingDependencyException",
    "NoCredentialsError",
    "NoRegionError",
    "OperationNotFoundError",
    "ParamValidationError",
    "PartialCredentialsError",
    "ProfileNotFound",
    "ReadTimeoutError",
    "RequestExpired",
    "ResponseParseError",
    "RetryConfig",
    "ServiceError",
    "ServiceFault",
    "ServiceUnavailableException",
    "SigV4Auth",
    "SignatureDoesNotMatch",
    "ThrottlingError",
    "ThrottlingException",
    "TransportError",
    "TrentError",
    "UnauthorizedSSOTokenError",
    "UnrecognizedClientException",
    "ValidationException",
    "__version__",
]
__all__ += _error_names.__all__
__all__.sort()
