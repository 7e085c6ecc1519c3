"""``Config``: the client's tunable settings, as an immutable value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._defaults import ConfigDefaults as _D

__all__ = ["Config", "RetryConfig"]

#: ``legacy`` is accepted for botocore's sake (``AWS_RETRY_MODE=legacy``, its default):
#: trentclient retries it with standard mode's rules, and 5 attempts unless told otherwise.
RETRY_MODES = ("standard", "adaptive", "legacy")
PROXIES_CONFIG_KEYS = ("proxy_ca_bundle", "proxy_client_cert", "proxy_use_forwarding_for_https")


def _positive(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"Config.{attribute.name} must be a positive number, got {value!r}")


def _count(name: str, value: Any, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"retries {name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"retries {name} must be at least {minimum}, got {value}")
    return value


@attrs.frozen(kw_only=True, init=False)
class RetryConfig:
    """Retries, as botocore's ``Config(retries=...)``.

    ``RetryConfig(*, max_attempts=None, total_max_attempts=None, mode=None)``. What is not
    set here comes, as in botocore, from ``AWS_MAX_ATTEMPTS`` / ``AWS_RETRY_MODE``, then the
    profile's ``max_attempts`` / ``retry_mode`` (both count every attempt), then 3 attempts
    in ``standard`` mode. ``client.config.retries`` shows what was resolved.

    Attributes:
        total_max_attempts: every attempt, the first included (``1`` turns retries off);
            given directly, or as ``max_attempts`` (retries after the first try, botocore's
            meaning: ``2`` is up to 3 requests, ``0`` turns retries off) plus one.
            ``total_max_attempts`` wins when both are given. ``None``: not set.
        mode: ``"standard"``, ``"adaptive"`` (standard, plus client-side rate limiting that
            slows sending down after throttling, as botocore's) or ``"legacy"`` (accepted
            for botocore's sake: retried by standard mode's rules, 5 attempts unless told
            otherwise). ``None``: not set.

    Raises:
        TypeError: an attempt count is not an ``int``.
        ValueError: ``max_attempts`` below 0, ``total_max_attempts`` below 1, or an
            unknown ``mode``.
    """

    total_max_attempts: int | None
    mode: str | None

    def __init__(
        self,
        *,
        max_attempts: int | None = None,
        total_max_attempts: int | None = None,
        mode: str | None = None,
    ) -> None:
        total = None
        if total_max_attempts is not None:
            total = _count("total_max_attempts", total_max_attempts, 1)
        elif max_attempts is not None:
            total = _count("max_attempts", max_attempts, 0) + 1
        if mode is not None and mode not in RETRY_MODES:
            raise ValueError(f"retries mode must be one of {', '.join(RETRY_MODES)}, got {mode!r}")
        self.__attrs_init__(total_max_attempts=total, mode=mode)

    @property
    def max_attempts(self) -> int | None:
        """Retries after the first try (botocore's ``max_attempts``), if set."""
        return None if self.total_max_attempts is None else self.total_max_attempts - 1


def _to_retry_config(value: RetryConfig | Mapping[str, Any] | None) -> RetryConfig:
    if value is None:
        return RetryConfig()
    if isinstance(value, RetryConfig):
        return value
    if isinstance(value, Mapping):
        known = {"max_attempts", "mode", "total_max_attempts"}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown retries option(s): {', '.join(sorted(unknown))}")
        return RetryConfig(**value)
    raise TypeError("retries must be a RetryConfig or a dict like boto3's")


_ASYNC_HTTP = ("auto", "aiohttp", "httpx")


def _async_http(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in _ASYNC_HTTP:
        raise ValueError(
            f"Config.async_http must be one of {', '.join(map(repr, _ASYNC_HTTP))}, got {value!r}"
        )


def _header_safe(instance: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and any(ch in value for ch in "\r\n\0"):
        raise ValueError(f"Config.{attribute.name} must not contain CR, LF or NUL")


def _appid(instance: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    _header_safe(instance, attribute, value)
    if value is not None and len(value) > 50:  # botocore's limit
        raise ValueError(f"Config.user_agent_appid must be at most 50 characters, got {value!r}")


def _proxies(value: Mapping[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise TypeError('Config.proxies must map schemes to proxy URLs: {"https": "proxy:3128"}')
    return dict(value)


def _proxies_repr(value: dict[str, str] | None) -> str:
    """Proxy URLs with any password hidden (``http://user:***@proxy:3128``)."""
    if value is None:
        return "None"
    from ._redact import redact_url_password

    return repr({key: redact_url_password(url) for key, url in value.items()})


def _proxies_config(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError("Config.proxies_config must be a dict")
    unknown = set(value) - set(PROXIES_CONFIG_KEYS)
    if unknown:
        raise ValueError(
            f"unknown proxies_config option(s): {', '.join(sorted(map(str, unknown)))} "
            f"(known: {', '.join(PROXIES_CONFIG_KEYS)})"
        )
    if value.get("proxy_use_forwarding_for_https"):
        raise ValueError(
            "proxies_config proxy_use_forwarding_for_https=True is not supported: httpx "
            "reaches https endpoints through a proxy by CONNECT tunnels only"
        )
    return dict(value)


def _client_cert(value: str | tuple[str, str] | list[str] | None) -> str | tuple[str, str] | None:
    if value is None or isinstance(value, str):
        return value
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, str) for v in value)
    ):
        return (value[0], value[1])
    raise TypeError("Config.client_cert must be a path, or a (certificate, key) pair of paths")


@attrs.frozen(kw_only=True)
class Config:
    """Client settings, with botocore's ``Config`` names, meanings and defaults.

    Every argument is keyword-only. A ``botocore.config.Config`` is accepted by the
    clients' ``config=`` too (read through its attributes).

    Attributes:
        region_name: the region when the client's ``region_name`` argument is not given.
        connect_timeout: seconds to wait for a connection (60).
        read_timeout: seconds to wait for each read of the answer, and for sending (60).
        pool_timeout: seconds to wait for a free pooled connection (60).
        max_pool_connections: keep-alive connections kept per client (10).
        retries: a ``RetryConfig``, or boto3's dict form ``{"max_attempts": 2, "mode":
            "standard"}`` (``max_attempts`` counts retries, ``total_max_attempts`` every
            attempt).
        user_agent_extra: appended to the User-Agent header.
        user_agent_appid: an application id for the User-Agent (``app/<id>``, at most 50
            characters; else ``AWS_SDK_UA_APP_ID``).
        use_fips_endpoint: use the region's FIPS endpoint.
        use_dualstack_endpoint: use the region's dual-stack (IPv6) endpoint.
        ignore_configured_endpoint_urls: ignore ``AWS_ENDPOINT_URL_KMS`` and
            ``AWS_ENDPOINT_URL``.
        parameter_validation: check parameters against the model before sending (on); off,
            as botocore's switch, the server's ``ValidationException`` comes back instead.
        tcp_keepalive: turn on TCP keep-alive probes on the client's sockets.
        proxies: botocore's form, ``{"https": "http://proxy:3128"}`` (the key is the
            endpoint's scheme); without it, ``HTTPS_PROXY`` / ``HTTP_PROXY`` and
            ``NO_PROXY`` apply as in botocore. Passwords are hidden in ``repr()``.
        proxies_config: ``proxy_ca_bundle`` (a CA file for an https proxy) and
            ``proxy_client_cert`` (a path, or a (certificate, key) pair).
        client_cert: a TLS client certificate for the endpoint (a path, or a
            (certificate, key) pair of paths).
        sign_content_sha256: add a signed ``X-Amz-Content-SHA256`` header (off, as
            botocore).
        max_response_bytes: larger answers are refused with ``ResponseParseError``
            (16 MiB).
        async_http: what ``AsyncClient`` sends through: ``"auto"`` (aiohttp's connection
            pool when aiohttp is installed, else httpx's), ``"aiohttp"`` (required:
            ``pip install 'trentclient[aiohttp]'``) or ``"httpx"``. Ignored by ``Client``
            and when ``http_client`` is given; with a proxy, ``AsyncClient`` uses httpx's
            pool.

    Raises:
        TypeError: a value of the wrong type (``retries``, ``proxies``, ``client_cert``).
        ValueError: a timeout, pool size or size cap that is not positive; CR, LF or NUL in
            a User-Agent part; an unknown ``retries`` or ``proxies_config`` option;
            ``proxy_use_forwarding_for_https=True`` (httpx tunnels only).
    """

    region_name: str | None = _D.region_name
    connect_timeout: float = attrs.field(default=_D.connect_timeout, validator=_positive)
    read_timeout: float = attrs.field(default=_D.read_timeout, validator=_positive)
    pool_timeout: float = attrs.field(default=_D.pool_timeout, validator=_positive)
    max_pool_connections: int = attrs.field(default=_D.max_pool_connections, validator=_positive)
    retries: RetryConfig = attrs.field(factory=RetryConfig, converter=_to_retry_config)
    user_agent_extra: str | None = attrs.field(default=_D.user_agent_extra, validator=_header_safe)
    user_agent_appid: str | None = attrs.field(default=_D.user_agent_appid, validator=_appid)
    use_fips_endpoint: bool = _D.use_fips_endpoint
    use_dualstack_endpoint: bool = _D.use_dualstack_endpoint
    ignore_configured_endpoint_urls: bool = _D.ignore_configured_endpoint_urls
    parameter_validation: bool = _D.parameter_validation
    tcp_keepalive: bool = _D.tcp_keepalive
    proxies: dict[str, str] | None = attrs.field(
        default=None, converter=_proxies, hash=False, repr=_proxies_repr
    )
    proxies_config: dict[str, Any] | None = attrs.field(
        default=None, converter=_proxies_config, hash=False
    )
    client_cert: str | tuple[str, str] | None = attrs.field(
        default=_D.client_cert, converter=_client_cert
    )
    sign_content_sha256: bool = _D.sign_content_sha256
    max_response_bytes: int = attrs.field(default=_D.max_response_bytes, validator=_positive)
    async_http: str = attrs.field(default=_D.async_http, validator=_async_http)
