"""``Config``'s defaults as plain class attributes.

``Config`` (an attrs class) takes its defaults from here, and a client built without a
``Config`` reads its settings from here directly, so it never imports attrs (about 10 ms,
most of what a first client would otherwise cost after httpx). ``Config()`` is still made,
on first use, for ``client.config``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = ["ConfigDefaults", "RetryDefaults"]


class RetryDefaults:
    """``RetryConfig()``'s values: nothing set, so the environment, the profile, then 3
    attempts in ``standard`` mode apply (``trentclient._retry_settings``)."""

    total_max_attempts: ClassVar[int | None] = None
    mode: ClassVar[str | None] = None


class ConfigDefaults:
    """``Config()``'s values, field for field (a test checks that they agree)."""

    region_name: ClassVar[str | None] = None
    connect_timeout: ClassVar[float] = 60.0
    read_timeout: ClassVar[float] = 60.0
    pool_timeout: ClassVar[float] = 60.0
    max_pool_connections: ClassVar[int] = 10
    retries: ClassVar[type[RetryDefaults]] = RetryDefaults
    user_agent_extra: ClassVar[str | None] = None
    user_agent_appid: ClassVar[str | None] = None
    use_fips_endpoint: ClassVar[bool] = False
    use_dualstack_endpoint: ClassVar[bool] = False
    ignore_configured_endpoint_urls: ClassVar[bool] = False
    parameter_validation: ClassVar[bool] = True
    tcp_keepalive: ClassVar[bool] = False
    proxies: ClassVar[Mapping[str, str] | None] = None
    proxies_config: ClassVar[Mapping[str, Any] | None] = None
    client_cert: ClassVar[str | tuple[str, str] | None] = None
    sign_content_sha256: ClassVar[bool] = False
    max_response_bytes: ClassVar[int] = 16 * 1024 * 1024
    async_http: ClassVar[str] = "auto"
