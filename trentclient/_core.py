"""The sans-I/O heart of both clients.

``ClientCore`` resolves region, endpoint and credentials once, and starts a ``Call``
(``trentclient._call``) per operation: the parameters validated and serialized, then
attempt by attempt the signed request and what came back turned into a result, an error to
raise, or a delay. The shells in ``_client.py`` and ``_async_client.py`` only send, read
and sleep.
"""

from __future__ import annotations

import logging
import os
import ssl
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from ._call import Call, _utcnow
from ._defaults import ConfigDefaults
from ._endpoints import (
    endpoint_url_from_env,
    normalize_endpoint_url,
    normalize_region,
    request_url,
    resolve_endpoint,
)
from ._exceptions import ParamValidationError
from ._model import Operation
from ._protocol import serialize_body
from ._retry import RateLimiter, RetryPolicy
from ._signer import Signer, host_of
from ._url import EndpointURL

if TYPE_CHECKING:
    import httpx

    from ._config import Config
    from ._credentials import CredentialProvider
    from ._credentials._flow import Keys
    from ._credvalue import Credentials
    from ._settings import BotocoreConfigLike
from ._version import __version__

__all__ = ["ClientCore", "PoolLimits", "shared_ssl_context", "verifying_ssl_context"]

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


@cache
def plain_http_ssl_context() -> ssl.SSLContext:
    """For ``http://`` endpoints: verifying, but with no CA loaded, so any TLS connection
    through it fails closed. One per process (~0.25 ms to make): a client of a local
    endpoint and its credential source's requests to another share it."""
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

    def as_httpx(self) -> httpx.Limits:
        """The same limits as an ``httpx.Limits``."""
        import httpx

        return httpx.Limits(**self._asdict())


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
        from ._credentials._static import explicit_provider, explicit_region

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
        given_region = region_name or settings.region_name
        region = explicit_region(given_region)
        if region is None:  # the environment's, else the profile's (the chain's module)
            from ._credentials._chain import resolve_region

            region = resolve_region(given_region, profile_name=profile_name, environ=env)
        self.region = region
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
        if credential_provider is None and mfa_token_provider is None:
            # The chain's first step, without loading the rest of the chain.
            credential_provider = explicit_provider(
                aws_access_key_id, aws_secret_access_key, aws_session_token
            )
        if credential_provider is None:
            from ._credentials._chain import resolve_credential_provider

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
        return self.pool_limits().as_httpx()

    def start(self, operation_name: str, params: Mapping[str, Any]) -> Call:
        """Validate and serialize; raises ``ParamValidationError`` before anything is built."""
        operation = _operation(operation_name)
        return Call(self, operation, serialize_body(operation, params, validate=self.validate))

    def now(self) -> datetime:
        return self.clock() + self.clock_offset
