"""``Config``: the client's tunable settings, as an immutable value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._defaults import ConfigDefaults as _D
from ._defaults import RetryDefaults as _R

__all__ = ["Config", "RetryConfig"]

_MODES = ("standard", "adaptive")


def _positive(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"Config.{attribute.name} must be a positive number, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryConfig:
    """``max_attempts`` counts the first try (1 turns retries off).

    ``mode`` is ``"standard"`` or ``"adaptive"`` (standard, plus client-side rate limiting
    that slows sending down after throttling, as botocore's adaptive mode).
    """

    max_attempts: int = _R.max_attempts
    mode: str = _R.mode

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or isinstance(self.max_attempts, bool):
            raise TypeError("retries max_attempts must be an int")
        if self.max_attempts < 1:
            raise ValueError("retries max_attempts must be at least 1 (it counts the first try)")
        if self.mode not in _MODES:
            raise ValueError(f"retries mode must be one of {', '.join(_MODES)}, got {self.mode!r}")


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
        attempts = value.get("total_max_attempts", value.get("max_attempts", _R.max_attempts))
        return RetryConfig(max_attempts=attempts, mode=value.get("mode", _R.mode))
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


@attrs.frozen(kw_only=True)
class Config:
    """Client settings. Every field has botocore's default where botocore has one.

    - ``connect_timeout`` / ``read_timeout``: seconds (60 each); ``pool_timeout``: seconds
      to wait for a free connection (60).
    - ``max_pool_connections``: keep-alive connections kept per client (10).
    - ``retries``: ``RetryConfig`` or boto3's dict form ``{"max_attempts": 3, "mode": "standard"}``.
    - ``user_agent_extra``: appended to the User-Agent header.
    - ``use_fips_endpoint`` / ``use_dualstack_endpoint``: pick those KMS endpoints.
    - ``sign_content_sha256``: add a signed ``X-Amz-Content-SHA256`` header (off by default,
      as botocore).
    - ``max_response_bytes``: larger answers are refused with ``ResponseParseError`` (16 MiB).
    - ``async_http``: what ``AsyncClient`` sends through: ``"auto"`` (aiohttp's connection
      pool when aiohttp is installed, else httpx's), ``"aiohttp"`` (required:
      ``pip install 'trentclient[aiohttp]'``) or ``"httpx"``. Ignored by ``Client`` and
      when ``http_client`` is given.
    """

    connect_timeout: float = attrs.field(default=_D.connect_timeout, validator=_positive)
    read_timeout: float = attrs.field(default=_D.read_timeout, validator=_positive)
    pool_timeout: float = attrs.field(default=_D.pool_timeout, validator=_positive)
    max_pool_connections: int = attrs.field(default=_D.max_pool_connections, validator=_positive)
    retries: RetryConfig = attrs.field(factory=RetryConfig, converter=_to_retry_config)
    user_agent_extra: str | None = attrs.field(default=_D.user_agent_extra, validator=_header_safe)
    use_fips_endpoint: bool = _D.use_fips_endpoint
    use_dualstack_endpoint: bool = _D.use_dualstack_endpoint
    sign_content_sha256: bool = _D.sign_content_sha256
    max_response_bytes: int = attrs.field(default=_D.max_response_bytes, validator=_positive)
    async_http: str = attrs.field(default=_D.async_http, validator=_async_http)
