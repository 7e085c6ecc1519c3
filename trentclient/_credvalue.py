"""``Credentials``: the public attrs value for an access key pair.

Apart from the rest of the credential chain (``_credentials``) so that a client built from
static keys never imports attrs: ``StaticCredentialProvider`` makes this value only when
someone asks for it (``get_credentials()``), and the signer reads the keys directly.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ._credentials import check_text

__all__ = ["Credentials"]


def _validate_access_key(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    check_text("access_key", value)


def _validate_secret_key(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    check_text("secret_key", value)


def _validate_token(_inst: object, _attr: attrs.Attribute[str | None], value: str | None) -> None:
    check_text("token", value, optional=True)


def _validate_expiry(
    _inst: object, _attr: attrs.Attribute[datetime | None], value: datetime | None
) -> None:
    if value is None:
        return
    if not isinstance(value, datetime):
        raise TypeError(f"Credentials.expiry must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError("Credentials.expiry must be timezone-aware (e.g. datetime.UTC)")


@attrs.frozen
class Credentials:
    """An AWS access key pair and optional session token.

    ``secret_key`` and ``token`` are left out of ``repr()`` and ``str()``. Instances
    are immutable, hashable, comparable, picklable and copyable.

    ``Credentials(access_key, secret_key, token=None, *, expiry=None)``:

    Attributes:
        access_key: the access key id (``AKIA...`` or ``ASIA...``).
        secret_key: the secret access key.
        token: the session token of temporary credentials.
        expiry: when temporary credentials stop working (keyword only, tz-aware).

    Raises:
        TypeError: a part is not a ``str`` (``expiry``: not a ``datetime``).
        ValueError: a part is empty or holds a control character (CR, LF...), or
            ``expiry`` is naive.
    """

    access_key: str = attrs.field(validator=_validate_access_key)
    secret_key: str = attrs.field(repr=False, validator=_validate_secret_key)
    token: str | None = attrs.field(default=None, repr=False, validator=_validate_token)
    #: When temporary credentials stop working (tz-aware); None for long-term keys.
    expiry: datetime | None = attrs.field(default=None, kw_only=True, validator=_validate_expiry)
