"""Credentials from the environment: ``AWS_ACCESS_KEY_ID`` and friends (botocore's ``env``).

Static keys give a ``StaticCredentialProvider``. With ``AWS_CREDENTIAL_EXPIRATION`` set, the
keys are refreshable: every refresh reads the variables again (as botocore's ``EnvProvider``
does), so a process whose environment is updated in place keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from trentclient._exceptions import (
    CredentialRetrievalError,
    NoCredentialsError,
    PartialCredentialsError,
)

from ._context import SourceBase
from ._flow import Flow, Keys, parse_timestamp
from ._static import StaticCredentialProvider

__all__ = ["EnvSource", "env_credentials"]

_EXPIRATION = "AWS_CREDENTIAL_EXPIRATION"


def _read(environ: Mapping[str, str]) -> tuple[str, str, str | None] | None:
    access_key = environ.get("AWS_ACCESS_KEY_ID", "")
    if not access_key:
        return None
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not secret_key:
        raise PartialCredentialsError(
            "Partial credentials found in env: AWS_ACCESS_KEY_ID is set but "
            "AWS_SECRET_ACCESS_KEY is missing or empty"
        )
    # botocore searches AWS_SECURITY_TOKEN first.
    token = environ.get("AWS_SECURITY_TOKEN", "") or environ.get("AWS_SESSION_TOKEN", "")
    return access_key, secret_key, token or None


def parse_expiry(value: str, where: str) -> datetime:
    """``value`` as a timestamp (see ``parse_timestamp``), or a typed error naming ``where``."""
    parsed = parse_timestamp(value)
    if parsed is None:
        raise CredentialRetrievalError(f"{where} is not an ISO 8601 timestamp", provider="env")
    return parsed


class EnvSource(SourceBase):
    """Re-reads the environment at every refresh (``AWS_CREDENTIAL_EXPIRATION`` is set)."""

    method = "env"

    def __init__(self, environ: Mapping[str, str]) -> None:
        super().__init__(None)
        self._environ = environ

    def flow(self) -> Flow[Keys | None]:
        found = _read(self._environ)
        if False:  # pragma: no cover - makes this a generator: no effect is needed
            yield
        if found is None:
            return None
        expiration = self._environ.get(_EXPIRATION, "")
        if not expiration:
            raise self.error(f"{_EXPIRATION} is no longer set; it is required once it was")
        try:
            return Keys(*found, expiry=parse_expiry(expiration, _EXPIRATION))
        except (TypeError, ValueError) as exc:
            raise NoCredentialsError(
                f"Invalid credentials in the environment variables: {exc}"
            ) from exc

    def not_found(self) -> str:
        return "AWS_ACCESS_KEY_ID is no longer set in the environment"


def env_credentials(
    environ: Mapping[str, str],
) -> StaticCredentialProvider | EnvSource | None:
    """botocore's ``EnvProvider``: static keys, an ``EnvSource`` when they expire, or None."""
    found = _read(environ)
    if found is None:
        return None
    if environ.get(_EXPIRATION, ""):
        parse_expiry(environ[_EXPIRATION], _EXPIRATION)  # a bad value fails at construction
        try:
            Keys(*found)
        except (TypeError, ValueError) as exc:
            raise NoCredentialsError(
                f"Invalid credentials in the environment variables: {exc}"
            ) from exc
        return EnvSource(environ)
    try:
        return StaticCredentialProvider.from_keys(*found, "env")
    except (TypeError, ValueError) as exc:
        raise NoCredentialsError(
            f"Invalid credentials in the environment variables: {exc}"
        ) from exc
