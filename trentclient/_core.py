"""The sans-I/O heart of both clients.

``ClientCore`` resolves region, endpoint and credentials once, and starts a ``Call`` per
operation. A ``Call`` validates and serializes the parameters once, then, per attempt,
builds the signed request, and turns what came back (an answer or a transport failure)
into a result, an error to raise, or a delay before the next attempt. The shells in
``_client.py`` and ``_async_client.py`` only send, read and sleep.
"""

from __future__ import annotations

import email.utils
import logging
import os
import ssl
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from ._defaults import ConfigDefaults
from ._endpoints import (
    endpoint_url_from_env,
    normalize_endpoint_url,
    normalize_region,
    request_url,
    resolve_endpoint,
)
from ._exceptions import (
    AuthError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ParamValidationError,
    ReadTimeoutError,
    ResponseParseError,
    ServiceError,
    TransportError,
)
from ._model import Operation
from ._protocol import (
    parse_response,
    request_id_of,
    serialize_body,
    signed_headers,
    to_request,
)
from ._retry import RateLimiter, RetryPolicy, is_retryable
from ._signer import Signer, host_of
from ._url import EndpointURL

if TYPE_CHECKING:
    import httpx

    from ._config import Config
    from ._credentials import CredentialProvider
    from ._credentials._flow import Keys
    from ._credvalue import Credentials
    from ._settings import BotocoreConfigLike
    from ._sigv4 import SigningResult
from ._version import __version__

__all__ = ["Call", "ClientCore", "PoolLimits", "shared_ssl_context"]

logger = logging.getLogger("trentclient")

_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None
_user_agent_base: str | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client, built on first use (it costs ~20 ms)."""
    global _ssl_context
    if _ssl_context is None:
        with _ssl_lock:
            if _ssl_context is None:
                _ssl_context = verifying_ssl_context()
    return _ssl_context


def verifying_ssl_context() -> ssl.SSLContext:
    """A new verifying context with httpx's CA choice (``httpx.create_ssl_context()``):
    ``SSL_CERT_FILE``, else ``SSL_CERT_DIR``, else certifi's bundle (botocore's too).
    Made here so that AsyncClient over aiohttp needs no httpx (a test compares the two)."""
    cafile = os.environ.get("SSL_CERT_FILE")
    if cafile:
        return ssl.create_default_context(cafile=cafile)
    capath = os.environ.get("SSL_CERT_DIR")
    if capath:
        return ssl.create_default_context(capath=capath)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def plain_http_ssl_context() -> ssl.SSLContext:
    """For ``http://`` endpoints: verifying, but with no CA loaded, so it is cheap to make and
    any TLS connection through it fails closed."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def timeouts(settings: Config | type[ConfigDefaults]) -> dict[str, float | None]:
    """httpx's four timeouts for a ``Config``'s, as ``httpx.Timeout.as_dict()`` gives them
    (botocore has no write timeout: read's serves)."""
    return {
        "connect": settings.connect_timeout,
        "read": settings.read_timeout,
        "write": settings.read_timeout,
        "pool": settings.pool_timeout,
    }


def http_timeout(settings: Config | type[ConfigDefaults]) -> httpx.Timeout:
    """``timeouts`` as an ``httpx.Timeout``."""
    import httpx

    return httpx.Timeout(**timeouts(settings))


class PoolLimits(NamedTuple):
    """A connection pool's limits, named as ``httpx.Limits`` names them."""

    max_connections: int | None
    max_keepalive_connections: int | None
    keepalive_expiry: float | None


def _platform_parts() -> tuple[str, str, str, str, str]:
    """``platform``'s system, release, machine, python_version and python_implementation.

    Read from ``os.uname()`` and ``sys`` where they exist: importing ``platform`` costs
    about 2 ms, a noticeable share of a first client.
    """
    impl = sys.implementation.name
    impl = {"cpython": "CPython", "pypy": "PyPy"}.get(impl, impl)
    version = sys.version.split()[0]
    uname = getattr(os, "uname", None)
    if uname is None:  # Windows
        import platform

        return platform.system(), platform.release(), platform.machine(), version, impl
    u = uname()
    return u.sysname, u.release, u.machine, version, impl


def _profile_config_section(
    profile_name: str | None, environ: Mapping[str, str]
) -> Mapping[str, str]:
    """The profile's config-file section (empty when there is no such profile): read only
    when the environment and the ``Config`` leave a retry setting open."""
    from ._credentials._files import load_profile

    return load_profile(profile_name, environ).config_section or {}


def _httpx_proxy(url: str, proxies_config: Mapping[str, Any] | None) -> httpx.Proxy:
    """``httpx.Proxy`` for ``url`` with botocore's ``proxies_config`` (CA file, client cert)."""
    import httpx

    config = proxies_config or {}
    ca_bundle = config.get("proxy_ca_bundle")
    client_cert = config.get("proxy_client_cert")
    if ca_bundle is None and client_cert is None:
        return httpx.Proxy(url)
    context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else shared_ssl_context()
    if client_cert is not None:
        if ca_bundle is None:
            context = ssl.create_default_context()
        if isinstance(client_cert, str):
            context.load_cert_chain(client_cert)
        else:
            context.load_cert_chain(client_cert[0], client_cert[1])
    return httpx.Proxy(url, ssl_context=context)


_UA_ALLOWED = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$%&'*+-.^_`|~,#"
)


def _ua_component(text: str) -> str:
    """botocore's ``sanitize_user_agent_string_component`` (``#`` allowed): others to ``-``."""
    return "".join(ch if ch in _UA_ALLOWED else "-" for ch in text)


def _user_agent(
    extra: str | None, mode: str, appid: str | None = None, http: str | None = None
) -> str:
    """trentclient's ``User-Agent``: botocore's form, with ``md/<http library>#<version>``
    (``http``; default httpx's, the library of every request but ``AsyncClient``'s over
    aiohttp)."""
    global _user_agent_base
    if http is None:
        import httpx

        http = f"httpx#{httpx.__version__}"
    if _user_agent_base is None:
        system, release, machine, version, impl = _platform_parts()
        _user_agent_base = (
            f"trentclient/{__version__} ua/2.1 "
            f"os/{system.lower() or 'other'}#{release or 'unknown'} "
            f"md/arch#{machine.lower() or 'unknown'} "
            f"lang/python#{version} "
            f"md/pyimpl#{impl}"
        )
    agent = f"{_user_agent_base} md/{http} cfg/retry-mode#{mode}"
    if appid:
        agent = f"{agent} app/{_ua_component(appid)}"
    return f"{agent} {extra}" if extra else agent


#: Operations by the names they were asked for (API or method name): known names only.
_OPERATIONS_SEEN: dict[str, Operation] = {}


def _operation(name: str) -> Operation:
    op = _OPERATIONS_SEEN.get(name)
    if op is not None:
        return op
    from ._generated._shapes import METHOD_TO_OPERATION, OPERATIONS

    op = OPERATIONS.get(name) or OPERATIONS.get(METHOD_TO_OPERATION.get(name, ""))
    if op is None:
        raise ParamValidationError([f"Unknown KMS operation: {name!r}"])
    _OPERATIONS_SEEN[name] = op
    return op


def _invocation_id() -> str:
    """A random UUID4 string for ``amz-sdk-invocation-id`` (as ``str(uuid.uuid4())``;
    the ``uuid`` module itself takes ~2 ms to import)."""
    h = os.urandom(16).hex()
    # version 4 (the high nibble of byte 6), the RFC 4122 variant (top bits 10 of byte 8)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {f"{n:x}": f"{(n & 0x3) | 0x8:x}" for n in range(16)}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ClientCore:
    """What both clients share: settings, endpoint, signer, retry policy."""

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        config: Config | BotocoreConfigLike | None = None,
        credential_provider: CredentialProvider | Callable[[], Any] | None = None,
        environ: Mapping[str, str] | None = None,
        mfa_token_provider: Callable[..., Any] | None = None,
    ) -> None:
        from ._credentials import resolve_credential_provider, resolve_region

        settings: Config | type[ConfigDefaults]
        if config is None:
            # No Config() here: it is an attrs class, and attrs is not needed to use defaults.
            settings = ConfigDefaults
        else:
            from ._config import Config

            if not isinstance(config, Config):
                from ._settings import from_botocore_config, is_botocore_config

                if not is_botocore_config(config):
                    raise TypeError(
                        "config must be a trentclient.Config or a botocore.config.Config"
                    )
                config = from_botocore_config(config)
            settings = config
        #: The given Config, or ConfigDefaults (the same values, without attrs).
        self.settings = settings
        env = os.environ if environ is None else environ
        self.region = resolve_region(
            region_name or settings.region_name, profile_name=profile_name, environ=env
        )
        # botocore's FIPS pseudo-regions ("us-east-1-fips"): sign for the real region.
        self.signing_region = normalize_region(self.region)[0]
        given = endpoint_url or (
            None if settings.ignore_configured_endpoint_urls else endpoint_url_from_env(env)
        )
        if given:
            # As botocore: with an explicit endpoint, the FIPS/dual-stack options do nothing.
            self.endpoint_url = normalize_endpoint_url(given)
        else:
            self.endpoint_url = resolve_endpoint(
                self.region,
                use_fips=settings.use_fips_endpoint,
                use_dualstack=settings.use_dualstack_endpoint,
            )
        #: The URL requests go to, in parts (``url`` is the ``httpx.URL``).
        self.target = EndpointURL(request_url(self.endpoint_url))
        self.host = host_of(self.target)
        if credential_provider is not None and not hasattr(credential_provider, "get_credentials"):
            # A plain callable returning Credentials (with an expiry): refreshed as botocore does.
            from ._credentials._refresh import RefreshableCredentialProvider

            credential_provider = RefreshableCredentialProvider(credential_provider)
        if credential_provider is None:
            credential_provider = resolve_credential_provider(
                access_key=aws_access_key_id,
                secret_key=aws_secret_access_key,
                token=aws_session_token,
                profile_name=profile_name,
                environ=env,
                region_name=self.signing_region,
                mfa_token_provider=mfa_token_provider,
            )
        self.credentials: CredentialProvider = credential_provider
        #: For AsyncClient: a coroutine giving the credentials without blocking the loop, or
        #: None when the signer asks the provider itself (fixed keys, or no async method).
        self.aget_credentials: Callable[[], Awaitable[Credentials | Keys]] | None = getattr(
            credential_provider, "aget_keys", None
        ) or getattr(credential_provider, "aget_credentials", None)
        self.auth = Signer(
            credential_provider,
            self.signing_region,
            "kms",
            sign_content_sha256=settings.sign_content_sha256,
        )
        from ._settings import resolve_retries

        self.max_attempts, self.retry_mode = resolve_retries(
            settings.retries, env, lambda: _profile_config_section(profile_name, env)
        )
        self._appid = settings.user_agent_appid or env.get("AWS_SDK_UA_APP_ID") or None
        #: The HTTP library requests are sent with, as ``User-Agent`` names it (``"name#1.0"``;
        #: ``None``: httpx). Set by the client before its first request.
        self.http_library: str | None = None
        self.retry = RetryPolicy(max_attempts=self.max_attempts)
        self.validate = settings.parameter_validation
        self.environ = env
        self._own_ssl_context: ssl.SSLContext | None = None
        self.clock: Callable[[], datetime] = _utcnow
        self.monotonic: Callable[[], float] = time.monotonic
        self.clock_offset = timedelta(0)
        self.rate_limiter = RateLimiter(self.monotonic()) if self.retry_mode == "adaptive" else None
        #: httpx's four timeouts (``timeout`` is the ``httpx.Timeout``).
        self.timeouts = timeouts(settings)

    @cached_property
    def user_agent(self) -> str:
        """The ``User-Agent`` header (made on first use, once ``http_library`` is set)."""
        return _user_agent(
            self.settings.user_agent_extra, self.retry_mode, self._appid, self.http_library
        )

    @cached_property
    def url(self) -> httpx.URL:
        """The ``httpx.URL`` requests go to (made on first use: see ``target``)."""
        return self.target.httpx_url

    @property
    def timeout(self) -> httpx.Timeout:
        """``timeouts`` as an ``httpx.Timeout``."""
        import httpx

        return httpx.Timeout(**self.timeouts)

    @property
    def config(self) -> Config:
        """The ``Config`` in use (``Config()`` made on first use when none was given), with
        the retry settings as resolved (from the environment or the profile where the
        ``Config`` left them unset)."""
        from ._config import Config, RetryConfig

        settings = self.settings
        if not isinstance(settings, Config):
            settings = Config()
        retries = settings.retries
        if retries.total_max_attempts != self.max_attempts or retries.mode != self.retry_mode:
            import attrs

            resolved = RetryConfig(total_max_attempts=self.max_attempts, mode=self.retry_mode)
            settings = attrs.evolve(settings, retries=resolved)
        self.settings = settings
        return settings

    def proxy(self) -> str | None:
        """The proxy URL for the endpoint (``Config.proxies``, else the environment's)."""
        from ._proxies import proxy_for

        return proxy_for(self.endpoint_url, self.settings.proxies, self.environ)

    def transport_options(self) -> dict[str, Any]:
        """Keyword arguments for ``httpx.HTTPTransport`` / ``AsyncHTTPTransport``: TLS,
        pool limits, the proxy, the client certificate and TCP keep-alive."""
        options: dict[str, Any] = {"verify": self.ssl_context(), "limits": self.limits()}
        settings = self.settings
        proxy_url = self.proxy()
        if proxy_url is not None:
            options["proxy"] = _httpx_proxy(proxy_url, settings.proxies_config)
        socket_options = self.socket_options()
        if socket_options:
            options["socket_options"] = socket_options
        return options

    def socket_options(self) -> list[tuple[int, int, int]]:
        """``Config.tcp_keepalive``: botocore's one socket option (``SO_KEEPALIVE``)."""
        if not self.settings.tcp_keepalive:
            return []
        import socket

        return [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]

    @property
    def is_https(self) -> bool:
        return self.target.scheme == "https"

    def ssl_context(self) -> ssl.SSLContext:
        """The shared verifying context; a client of its own with ``Config.client_cert``."""
        cert = self.settings.client_cert
        if cert is None or not self.is_https:
            return shared_ssl_context() if self.is_https else plain_http_ssl_context()
        if self._own_ssl_context is None:
            context = verifying_ssl_context()
            if isinstance(cert, str):
                context.load_cert_chain(cert)
            else:
                context.load_cert_chain(cert[0], cert[1])
            self._own_ssl_context = context
        return self._own_ssl_context

    def pool_limits(self) -> PoolLimits:
        """The pool's limits: ``Config.max_pool_connections``, idle ones kept 5 s (httpx's)."""
        n = self.settings.max_pool_connections
        return PoolLimits(max_connections=n, max_keepalive_connections=n, keepalive_expiry=5.0)

    def limits(self) -> httpx.Limits:
        """``pool_limits`` as an ``httpx.Limits``."""
        import httpx

        return httpx.Limits(**self.pool_limits()._asdict())

    def start(self, operation_name: str, params: Mapping[str, Any]) -> Call:
        """Validate and serialize; raises ``ParamValidationError`` before anything is built."""
        operation = _operation(operation_name)
        return Call(self, operation, serialize_body(operation, params, validate=self.validate))

    def now(self) -> datetime:
        return self.clock() + self.clock_offset


class Call:
    """One operation call across its attempts.

    The shells drive it: ``send_delay()`` (adaptive mode), ``next_request()``, then ``feed()``
    the body and ``answered()``, or ``failed()`` on a transport error. ``answered`` and
    ``failed`` return a delay when the call should be tried again, and raise when it is over.
    A shell that sends without httpx's request and response objects uses ``next_headers()``,
    ``take()`` and ``answered_raw()`` instead (``request()`` builds the ``httpx.Request``
    when one is needed after all, for an error); the decisions are the same code.
    """

    __slots__ = (
        "_chunks",
        "_headers",
        "_quota_taken",
        "_signed",
        "_signed_offset",
        "_size",
        "_skew_fixed",
        "attempt",
        "body",
        "core",
        "invocation_id",
        "operation",
    )

    def __init__(self, core: ClientCore, operation: Operation, body: bytes) -> None:
        self.core = core
        self.operation = operation
        self.body = body
        self.attempt = 0
        self.invocation_id = _invocation_id()
        self._chunks: list[bytes] = []
        self._size = 0
        self._quota_taken = 0
        self._skew_fixed = False
        self._signed_offset = core.clock_offset
        self._headers: list[tuple[str, str]] = []
        self._signed: SigningResult | None = None

    def send_delay(self) -> float:
        """``0.0`` when the next attempt may be sent now, else seconds to sleep before asking
        again (adaptive rate limiting: the shells loop until it says 0)."""
        limiter = self.core.rate_limiter
        return 0.0 if limiter is None else limiter.acquire(self.core.monotonic())

    def next_headers(
        self,
        *,
        now: datetime | None = None,
        credentials: Credentials | Keys | None = None,
    ) -> list[tuple[str, str]]:
        """The signed header list for the next attempt (signed afresh every time): a POST
        of ``body`` to ``core.url``. ``request()`` wraps it in an ``httpx.Request``."""
        self.attempt += 1
        self._chunks = []
        self._size = 0
        core = self.core
        # The offset this attempt is signed with: a refusal is judged against it, not against
        # whatever another call has set meanwhile.
        self._signed_offset = core.clock_offset
        if now is None and (core.clock is not _utcnow or core.clock_offset):
            now = core.now()
        # (else the signer reads the same clock, formatting X-Amz-Date once a second)
        headers, self._signed = signed_headers(
            self.operation,
            self.body,
            url=core.target,
            auth=core.auth,
            user_agent=core.user_agent,
            now=now,
            invocation_id=self.invocation_id,
            attempt=self.attempt,
            credentials=credentials,
            host=core.host,
        )
        self._headers = headers
        return headers

    def request(self, timeout: Mapping[str, Any] | None = None) -> httpx.Request:
        """The ``httpx.Request`` of the current attempt (``next_headers``' headers), with
        ``timeout`` (httpx's four, default the core's) in its extensions."""
        core = self.core
        signed = self._signed
        assert signed is not None, "next_headers() first"
        request = to_request(core.url, self._headers, self.body, signed)
        request.extensions["timeout"] = timeout or dict(core.timeouts)
        return request

    def next_request(
        self,
        *,
        now: datetime | None = None,
        timeout: Mapping[str, Any] | None = None,
        credentials: Credentials | Keys | None = None,
    ) -> httpx.Request:
        """The signed request for the next attempt: ``next_headers`` then ``request``."""
        self.next_headers(now=now, credentials=credentials)
        request = self.request(timeout)
        if logger.isEnabledFor(logging.DEBUG):
            from ._redact import describe_request

            logger.debug(
                "Sending %s (attempt %d): %s",
                self.operation.name,
                self.attempt,
                describe_request(request, self.operation),
            )
        return request

    def feed(self, chunk: bytes, response: httpx.Response) -> None:
        """Collect one chunk of the answer's body, refusing answers over the size cap."""
        self.take(chunk, response.status_code, response.headers)

    def take(self, chunk: bytes, status_code: int, headers: Mapping[str, str]) -> None:
        """``feed`` for an answer read without an ``httpx.Response``: its status and its
        headers (lower-case names, repeated ones joined with ``", "``, as ``httpx.Headers``)."""
        self._size += len(chunk)
        if self._size > self.core.settings.max_response_bytes:
            raise ResponseParseError(
                f"Response from {self.operation.name} exceeds max_response_bytes "
                f"({self.core.settings.max_response_bytes} bytes)",
                status_code=status_code,
                request_id=request_id_of(headers),
                operation_name=self.operation.name,
            )
        self._chunks.append(chunk)

    def answered(self, response: httpx.Response) -> tuple[dict[str, Any] | None, float]:
        """``(result, 0)`` when done, or ``(None, delay)`` to try again; raises the error."""
        body = b"".join(self._chunks)
        if logger.isEnabledFor(logging.DEBUG):
            from ._redact import describe_response

            logger.debug(
                "Answer to %s (attempt %d): %s",
                self.operation.name,
                self.attempt,
                describe_response(response, body, self.operation),
            )
        return self.answer(response.status_code, response.headers, body)

    def answered_raw(
        self,
        status_code: int,
        headers: Mapping[str, str],
        raw_headers: Sequence[tuple[bytes, bytes]],
    ) -> tuple[dict[str, Any] | None, float]:
        """``answered`` for an answer read without an ``httpx.Response`` (``take``): its
        status, its headers as ``take`` has them and as they came (for the DEBUG log)."""
        if logger.isEnabledFor(logging.DEBUG):  # (the clients send through httpx then)
            import httpx

            return self.answered(httpx.Response(status_code, headers=list(raw_headers)))
        return self.answer(status_code, headers, b"".join(self._chunks))

    def answer(
        self, status_code: int, headers: Mapping[str, str], body: bytes
    ) -> tuple[dict[str, Any] | None, float]:
        """What ``answered`` makes of the answer ``status_code``, ``headers`` (lower-case
        names, as ``httpx.Headers``) and ``body``: the result, a delay, or the error."""
        core = self.core
        try:
            result = parse_response(
                self.operation,
                status_code,
                headers,
                body,
                retry_attempts=self.attempt - 1,
            )
        except ServiceError as error:
            if core.rate_limiter is not None:
                core.rate_limiter.record(error.throttling, core.monotonic())
            if self._fix_clock_skew(error, headers):
                # Re-signing with the corrected time is an attempt like any other: it
                # respects max_attempts and takes from the retry quota.
                taken = core.retry.allow(self.attempt)
                if taken is not None:
                    self._skew_fixed = True
                    self._quota_taken = taken
                    return None, 0.0
            decision = core.retry.decide(self.attempt, error)
            if decision is None:
                limit = core.retry.max_attempts
                if (
                    limit != RetryPolicy.NO_RETRY_LOOP
                    and self.attempt >= limit
                    and is_retryable(error)
                ):
                    error._mark_max_attempts_reached()  # as botocore's MaxAttemptsChecker
                raise
            delay, self._quota_taken = decision
            return None, delay
        if core.rate_limiter is not None:
            core.rate_limiter.record(False, core.monotonic())
        core.retry.succeeded(self._quota_taken)
        return result, 0.0

    def failed(self, exc: httpx.HTTPError) -> float:
        """The delay before retrying after a transport failure; raises when giving up."""
        error = _transport_error(exc, self.operation.name, self.core.endpoint_url, self.attempt)
        if logger.isEnabledFor(logging.DEBUG):
            # The text, not the error: a record keeps its args, and the error's traceback
            # holds the client, its pool and this call for as long as a handler keeps it.
            logger.debug(
                "Transport error on %s (attempt %d): %s",
                self.operation.name,
                self.attempt,
                str(error),
            )
        if self.core.rate_limiter is not None:
            # As botocore's limiter (its needs-retry hook sees caught exceptions too): an
            # attempt that failed in transport counts towards the measured rate, not a throttle.
            self.core.rate_limiter.record(False, self.core.monotonic())
        decision = self.core.retry.decide(self.attempt, error)
        if decision is None:
            raise error from exc
        delay, self._quota_taken = decision
        return delay

    def _fix_clock_skew(self, error: ServiceError, headers: Mapping[str, str]) -> bool:
        """Whether ``error`` refused this attempt's time; learns the server's clock from its
        ``Date`` then (later requests are signed with it). Once per call."""
        if self._skew_fixed or not isinstance(error, AuthError):
            return False
        server_time = _http_date(headers.get("date"))
        if server_time is None:
            return False
        core = self.core
        skew = server_time - core.clock()
        text = (error.message or "").lower()
        time_error = error.code in _SKEW_CODES or (
            error.code in ("InvalidSignatureException", "SignatureDoesNotMatch")
            and ("expired" in text or "time" in text or "date" in text)
        )
        if not (time_error or abs(skew) > _SKEW_LIMIT):
            return False
        if abs(skew - self._signed_offset) < _SKEW_TOLERANCE:
            return False  # this request already carried the server's time: not a skew problem
        if abs(skew - core.clock_offset) >= _SKEW_TOLERANCE:
            logger.warning(
                "Clock skew of %.0f s detected from the server's Date header; "
                "signing with the corrected time from now on",
                skew.total_seconds(),
            )
            core.clock_offset = skew
        # else: another call corrected the clock after this request was signed; re-sign.
        return True


_SKEW_CODES = frozenset({"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"})
_SKEW_LIMIT = timedelta(minutes=4)
_SKEW_TOLERANCE = timedelta(seconds=1)
#: A ``Date`` outside these years is ignored for clock-skew correction (and an offset that
#: large would overflow ``datetime`` when added to the local clock).
_SANE_DATES = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not _SANE_DATES[0] <= parsed < _SANE_DATES[1]:
        return None  # no server's clock is this far off: never correct toward it
    return parsed


def _reason(exc: BaseException) -> str:
    """The first non-empty message along the cause chain (async resets often have none)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if str(seen):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    return "connection closed or reset"


def _transport_error(
    exc: httpx.HTTPError, operation_name: str, endpoint_url: str, attempts: int
) -> TransportError:
    import httpx  # (loaded: exc is one of its errors)

    tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(exc, httpx.ConnectTimeout):
        return ConnectTimeoutError(
            f'Connect timeout on endpoint URL: "{endpoint_url}/"{tries}',
            operation_name=operation_name,
            attempts=attempts,
        )
    if isinstance(exc, httpx.ReadTimeout):
        return ReadTimeoutError(
            f'Read timeout on endpoint URL: "{endpoint_url}/"{tries}',
            operation_name=operation_name,
            attempts=attempts,
        )
    if isinstance(exc, httpx.ConnectError):
        return EndpointConnectionError(
            f'Could not connect to the endpoint URL: "{endpoint_url}/"{tries}',
            operation_name=operation_name,
            attempts=attempts,
        )
    text = f"{type(exc).__name__} talking to {endpoint_url}/{tries}: {_reason(exc)}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return ConnectionClosedError(text, operation_name=operation_name, attempts=attempts)
    return HTTPClientError(text, operation_name=operation_name, attempts=attempts)
