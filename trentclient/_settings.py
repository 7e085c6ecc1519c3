"""Settings that come from more than the ``Config``: a ``botocore.config.Config`` read as
one, and the retry settings that ``AWS_MAX_ATTEMPTS`` / ``AWS_RETRY_MODE`` and the
profile fill in, as botocore resolves them.

botocore is never imported here: its ``Config`` is read through its public attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ._exceptions import InvalidConfigError

if TYPE_CHECKING:
    from ._config import Config, RetryConfig
    from ._defaults import RetryDefaults

__all__ = ["BotocoreConfigLike", "from_botocore_config", "is_botocore_config", "resolve_retries"]


class BotocoreConfigLike(Protocol):
    """A ``botocore.config.Config``, as the clients' ``config=`` takes it (for type checkers:
    its class's option table is the one member it declares; the options are read by name)."""

    @property
    def OPTION_DEFAULTS(self) -> Mapping[Any, Any]:
        """botocore's option table (``Config.OPTION_DEFAULTS``)."""
        ...


#: botocore ``Config`` options mapped onto ``trentclient.Config`` fields of the same name.
_SAME_NAME = (
    "region_name",
    "connect_timeout",
    "read_timeout",
    "max_pool_connections",
    "user_agent_extra",
    "user_agent_appid",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "ignore_configured_endpoint_urls",
    "parameter_validation",
    "tcp_keepalive",
    "proxies",
    "proxies_config",
    "client_cert",
)

#: botocore ``Config`` options that mean nothing for a KMS client over httpx, or that
#: trentclient does not implement, with why. Setting one to anything but botocore's default
#: raises ``InvalidConfigError`` naming it.
UNSUPPORTED = {
    "signature_version": "KMS requests are always signed with SigV4 ('v4')",
    "user_agent": "trentclient builds the User-Agent; add to it with user_agent_extra",
    "s3": "S3 options do not apply to KMS",
    "s3_disable_express_session_auth": "S3 options do not apply to KMS",
    "inject_host_prefix": "no KMS operation has a host prefix",
    "endpoint_discovery_enabled": "KMS has no endpoint discovery",
    "defaults_mode": "botocore's defaults modes are not implemented; set the timeouts and "
    "retries themselves",
    "request_min_compression_size_bytes": "no KMS operation compresses its request",
    "disable_request_compression": "no KMS operation compresses its request",
    "client_context_params": "KMS has no client context parameters",
    "sigv4a_signing_region_set": "KMS requests are signed with SigV4, not SigV4a",
    "request_checksum_calculation": "no KMS operation carries a request checksum",
    "response_checksum_validation": "no KMS operation carries a response checksum",
    "account_id_endpoint_mode": "KMS endpoints do not use the account id",
    "auth_scheme_preference": "KMS has one auth scheme, SigV4",
}

#: botocore's defaults for those options (an option counts as set when it differs).
_BOTOCORE_DEFAULTS: dict[str, Any] = {
    "connect_timeout": 60,
    "read_timeout": 60,
    "parameter_validation": True,
    "max_pool_connections": 10,
    "inject_host_prefix": True,
}


def is_botocore_config(value: object) -> bool:
    """Whether ``value`` looks like a ``botocore.config.Config`` (duck-typed)."""
    return any(
        cls.__name__ == "Config" and cls.__module__ in ("botocore.config", "aiobotocore.config")
        for cls in type(value).__mro__
    )


def from_botocore_config(value: Any) -> Config:
    """A ``trentclient.Config`` with what a ``botocore.config.Config`` says.

    Raises ``InvalidConfigError`` naming each option set that has no meaning here.
    """
    from ._config import Config

    unsupported = []
    for name, why in UNSUPPORTED.items():
        given = getattr(value, name, None)
        if given is None or given == _BOTOCORE_DEFAULTS.get(name):
            continue
        if name == "signature_version" and given in ("v4", "s3v4"):
            continue
        unsupported.append(f"{name}={given!r} ({why})")
    if unsupported:
        raise InvalidConfigError(
            "botocore Config option(s) with no meaning for trentclient: " + "; ".join(unsupported)
        )
    fields: dict[str, Any] = {}
    for name in _SAME_NAME:
        given = getattr(value, name, None)
        if given is not None:
            fields[name] = given
    retries = getattr(value, "retries", None)
    if retries is not None:
        fields["retries"] = dict(retries)
    try:
        return Config(**fields)
    except (TypeError, ValueError) as exc:
        raise InvalidConfigError(f"botocore Config: {exc}") from None


def _attempts(source: str, raw: str) -> int:
    text = raw.strip()
    try:
        value = int(text)
    except ValueError:
        raise InvalidConfigError(
            f"{source} must be a whole number of attempts, got {raw!r}"
        ) from None
    return max(value, 1)  # botocore sends once for 0 or less too


def _mode(source: str, raw: str) -> str:
    from ._config import RETRY_MODES

    mode = raw.strip()
    if mode not in RETRY_MODES:
        raise InvalidConfigError(f"{source} must be one of {', '.join(RETRY_MODES)}, got {raw!r}")
    return mode


def resolve_retries(
    retries: RetryConfig | type[RetryDefaults],
    environ: Mapping[str, str],
    profile: Callable[[], Mapping[str, str]],
) -> tuple[int, str]:
    """``(total attempts, mode)``: the ``Config``'s, else ``AWS_MAX_ATTEMPTS`` /
    ``AWS_RETRY_MODE``, else the profile's ``max_attempts`` / ``retry_mode`` (``profile()``
    is called only when needed), else 3 (5 in legacy mode) and ``standard``.

    botocore's order and meaning; its default mode is ``legacy``, trentclient's ``standard``.
    Raises ``InvalidConfigError`` for a value that is not a number or a mode.
    """
    total = retries.total_max_attempts
    mode = retries.mode
    if total is None and environ.get("AWS_MAX_ATTEMPTS", "").strip():
        total = _attempts("AWS_MAX_ATTEMPTS", environ["AWS_MAX_ATTEMPTS"])
    if mode is None and environ.get("AWS_RETRY_MODE", "").strip():
        mode = _mode("AWS_RETRY_MODE", environ["AWS_RETRY_MODE"])
    if total is None or mode is None:
        section = profile()
        if total is None and section.get("max_attempts", "").strip():
            total = _attempts("the profile's max_attempts", section["max_attempts"])
        if mode is None and section.get("retry_mode", "").strip():
            mode = _mode("the profile's retry_mode", section["retry_mode"])
    if mode is None:
        mode = "standard"
    if total is None:
        total = 5 if mode == "legacy" else 3
    return total, mode
