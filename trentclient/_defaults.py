"""``Config``'s defaults as plain class attributes.

``Config`` (an attrs class) takes its defaults from here, and a client built without a
``Config`` reads its settings from here directly, so it never imports attrs (about 10 ms,
most of what a first client would otherwise cost after httpx). ``Config()`` is still made,
on first use, for ``client.config``.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["ConfigDefaults", "RetryDefaults"]


class RetryDefaults:
    """``RetryConfig()``'s values."""

    max_attempts: ClassVar[int] = 3
    mode: ClassVar[str] = "standard"


class ConfigDefaults:
    """``Config()``'s values, field for field (a test checks that they agree)."""

    connect_timeout: ClassVar[float] = 60.0
    read_timeout: ClassVar[float] = 60.0
    pool_timeout: ClassVar[float] = 60.0
    max_pool_connections: ClassVar[int] = 10
    retries: ClassVar[type[RetryDefaults]] = RetryDefaults
    user_agent_extra: ClassVar[str | None] = None
    use_fips_endpoint: ClassVar[bool] = False
    use_dualstack_endpoint: ClassVar[bool] = False
    sign_content_sha256: ClassVar[bool] = False
    max_response_bytes: ClassVar[int] = 16 * 1024 * 1024
    async_http: ClassVar[str] = "auto"
