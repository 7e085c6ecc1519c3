"""What ``Client`` and ``AsyncClient`` share apart from I/O: construction and accessors."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeGuard, TypeVar

from ._core import ClientCore

if TYPE_CHECKING:
    import httpx

    from ._config import Config
    from ._credentials import CredentialProvider
    from ._generated._errors import ClientExceptions
    from ._meta import ClientMeta
    from ._settings import BotocoreConfigLike

__all__ = [
    "BaseClient",
    "class_send_is_replaced",
    "info_enabled",
    "log_line",
    "log_sent",
    "is_http_error",
    "send_is_mocked",
    "send_is_replaced",
]

HttpT = TypeVar("HttpT", "httpx.Client", "httpx.AsyncClient")

#: The methods of ``httpx.Client`` and ``httpx.AsyncClient`` between ``send`` and the
#: transport. The clients skip them when they made the httpx client themselves (see
#: ``Client._send``), unless one is replaced (``unittest.mock``, respx's ``using="httpx"``):
#: then they send through ``send``, so that the replacement sees the call.
_SEND_STEPS = (
    "send",
    "_send_handling_auth",
    "_send_handling_redirects",
    "_send_single_request",
    "_transport_for_url",
)


_SEND_STEP_NAMES = frozenset(_SEND_STEPS)


#: Those methods of each httpx client class as httpx defines them, noted the first time the
#: class is looked at while none of them is replaced (``_real_steps``).
_REAL_STEPS: dict[type[Any], tuple[Any, ...]] = {}
_httpx_logger = logging.getLogger("httpx")


def _real_steps(cls: type[Any]) -> tuple[Any, ...]:
    """``cls``'s ``_SEND_STEPS`` as httpx defines them, or ``()`` while one is replaced.

    Noted on first use (when httpx may already be imported and patched, which is why the
    module of each method is checked), and only once all are httpx's own: a class looked
    at first under a test double is looked at again once the double is gone."""
    real = _REAL_STEPS.get(cls)
    if real is not None:
        return real
    steps = tuple(getattr(cls, name) for name in _SEND_STEPS)
    if any(getattr(step, "__module__", None) != "httpx._client" for step in steps):
        return ()
    _REAL_STEPS[cls] = steps
    return steps


def class_send_is_replaced(cls: type[httpx.Client | httpx.AsyncClient]) -> bool:
    """Whether a test double has replaced a step of ``send`` on the httpx client class."""
    real = _REAL_STEPS.get(cls) or _real_steps(cls)
    if not real:
        return True
    # (Spelled out, not a loop: this runs on every call.)
    send, auth, redirects, single, transport_for = real
    return (
        cls.send is not send
        or cls._send_handling_auth is not auth
        or cls._send_handling_redirects is not redirects
        or cls._send_single_request is not single
        or cls._transport_for_url is not transport_for
    )


def send_is_replaced(http: httpx.Client | httpx.AsyncClient) -> bool:
    """Whether ``send`` must be called for ``http``: it has event hooks, or a test double
    has replaced a step of its ``send``, on its class or on ``http`` itself (about 1 us)."""
    hooks = http.event_hooks
    if hooks["request"] or hooks["response"] or class_send_is_replaced(type(http)):
        return True
    own = vars(http)
    return bool(own.keys() & _SEND_STEP_NAMES)


def send_is_mocked(*, asynchronous: bool) -> bool:
    """Whether a test double (respx, pytest-httpx, ``unittest.mock``) has replaced the send
    of httpx's transport or of httpcore's pool (sync or async), which is how those tools
    intercept requests: the direct sends (``Client``'s over httpcore, ``AsyncClient``'s
    over aiohttp) then go through httpx instead, so that the double sees every call. All of
    those tools import httpx: while it is not imported, nothing has replaced anything."""
    httpx = sys.modules.get("httpx")
    if httpx is None:
        return False
    if asynchronous:
        send = httpx.AsyncHTTPTransport.handle_async_request
    else:
        send = httpx.HTTPTransport.handle_request
    if getattr(send, "__module__", None) != "httpx._transports.default":
        return True
    httpcore = sys.modules.get("httpcore")  # not imported by httpx itself, nor then patched
    if httpcore is None:
        return False
    if asynchronous:
        pool_send = httpcore.AsyncConnectionPool.handle_async_request
        home = "httpcore._async.connection_pool"
    else:
        pool_send = httpcore.ConnectionPool.handle_request
        home = "httpcore._sync.connection_pool"
    return bool(getattr(pool_send, "__module__", None) != home)


def is_http_error(exc: BaseException) -> TypeGuard[httpx.HTTPError]:
    """Whether ``exc`` is an ``httpx.HTTPError`` (httpx is loaded once one was raised)."""
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(exc, httpx.HTTPError)


def log_sent(request: httpx.Request, response: httpx.Response) -> None:
    """httpx's INFO line for a sent request, as ``httpx.Client.send`` logs it."""
    if _httpx_logger.isEnabledFor(logging.INFO):
        log_line(
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )


def info_enabled() -> bool:
    """Whether httpx's INFO line is logged (then ``log_line`` it)."""
    return _httpx_logger.isEnabledFor(logging.INFO)


def log_line(
    method: str, url: object, http_version: str, status_code: int, reason_phrase: str
) -> None:
    """httpx's INFO line, from its parts (for an answer read without an ``httpx.Response``)."""
    _httpx_logger.info(
        'HTTP Request: %s %s "%s %d %s"', method, url, http_version, status_code, reason_phrase
    )


class _ErrorClasses:
    """``client.exceptions`` (and ``Client.exceptions``): ``ClientExceptions``, the error
    classes by name, whose module is imported on first use (see ``trentclient.__init__``)."""

    def __get__(self, obj: object, owner: type | None = None) -> type[ClientExceptions]:
        from ._generated._errors import ClientExceptions

        return ClientExceptions


class BaseClient(Generic[HttpT]):
    """Construction, settings and ``build_request``; the subclasses add the I/O."""

    exceptions: _ErrorClasses = _ErrorClasses()

    def __init__(
        self,
        region_name: str | None = None,
        *,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        config: Config | BotocoreConfigLike | None = None,
        http_client: HttpT | None = None,
        credential_provider: CredentialProvider | Callable[[], Any] | None = None,
        mfa_token_provider: Callable[[str], Any] | None = None,
    ) -> None:
        """Resolve the region, endpoint and credential source; nothing is sent yet.

        Args:
            region_name: the region; else ``Config.region_name``, ``AWS_REGION``,
                ``AWS_DEFAULT_REGION``, the profile's ``region``.
            endpoint_url: send here instead of the region's endpoint; else
                ``AWS_ENDPOINT_URL_KMS``, ``AWS_ENDPOINT_URL``.
            aws_access_key_id: static keys (with ``aws_secret_access_key``, and
                ``aws_session_token`` for temporary ones); else the credential chain.
            aws_secret_access_key: see ``aws_access_key_id``.
            aws_session_token: see ``aws_access_key_id``.
            profile_name: the shared-config profile; else ``AWS_DEFAULT_PROFILE``,
                ``AWS_PROFILE``, ``default``.
            config: a ``Config``, or a ``botocore.config.Config``.
            http_client: your own ``httpx.Client`` (``AsyncClient``: ``httpx.AsyncClient``);
                closing the KMS client leaves it open.
            credential_provider: a ``CredentialProvider``, or a callable returning
                ``Credentials`` (refreshed before their ``expiry``).
            mfa_token_provider: ``serial -> code``, asked when an assume-role profile has
                ``mfa_serial``.

        Raises:
            NoRegionError: no region anywhere.
            EndpointResolutionError: the region or ``endpoint_url`` is not valid.
            ProfileNotFound: the named profile is in neither shared file.
            PartialCredentialsError: half a key pair.
            InvalidConfigError: a configuration that cannot work (a credential source,
                retry settings, a botocore ``Config`` option with no meaning here).
            ConfigParseError: a shared file is malformed.
            TypeError: ``config`` is neither kind of ``Config``.
        """
        self._core = core = ClientCore(
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            config=config,
            credential_provider=credential_provider,
            mfa_token_provider=mfa_token_provider,
        )
        self._owns_http = http_client is None
        #: httpx's four timeouts, put in each request (the given client's own, if any).
        self._timeout = core.timeouts if http_client is None else http_client.timeout.as_dict()
        self._init_http(core, http_client)

    def _init_http(self, core: ClientCore, http_client: HttpT | None) -> None:
        """Make the HTTP client (or note the one given): the subclass's."""
        raise NotImplementedError

    @property
    def region_name(self) -> str:
        """The region requests are signed for."""
        return self._core.region

    @property
    def endpoint_url(self) -> str:
        """The KMS endpoint requests go to (no trailing slash)."""
        return self._core.endpoint_url

    @property
    def config(self) -> Config:
        """The ``Config`` in use, with the retry settings as resolved."""
        return self._core.config

    @functools.cached_property
    def meta(self) -> ClientMeta:
        """boto3's ``client.meta``: ``region_name``, ``endpoint_url``, ``config``,
        ``partition``, ``service_model`` and ``method_to_api_mapping`` (built on first use)."""
        from ._meta import ClientMeta

        core = self._core  # not self: the meta must not keep the client alive in a cycle
        return ClientMeta(self.region_name, self.endpoint_url, lambda: core.config)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(region_name={self._core.region!r}, "
            f"endpoint_url={self._core.endpoint_url!r})"
        )

    def build_request(
        self, operation_name: str, params: Mapping[str, Any], *, now: datetime | None = None
    ) -> httpx.Request:
        """The signed request ``operation_name`` would send, without sending it.

        Args:
            operation_name: the API name (``"EnableKeyRotation"``) or the method name
                (``"enable_key_rotation"``).
            params: the operation's parameters, as the method takes them.
            now: the signing time (default: the clock, corrected for skew).

        Returns:
            The ``httpx.Request``, signed, with its body.

        Raises:
            ParamValidationError: bad input, or an unknown operation.
            NoCredentialsError: no credentials were found.
        """
        call = self._core.start(operation_name, params)
        return call.next_request(now=now, timeout=self._timeout)
