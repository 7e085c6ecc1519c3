"""Static credentials: the ``CredentialProvider`` protocol, ``StaticCredentialProvider``, and
the chain's first step (keys and region given as arguments), which a client built from static
keys takes without loading the rest of the chain."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from trentclient._exceptions import PartialCredentialsError

if TYPE_CHECKING:
    from trentclient._credvalue import Credentials

__all__ = [
    "CredentialProvider",
    "StaticCredentialProvider",
    "check_text",
    "explicit_provider",
    "explicit_region",
]


@cache
def _forbidden_chars() -> re.Pattern[str]:
    """C0 and C1 control characters (CR, LF, NUL, ESC, DEL, NEL, ...) and the Unicode
    line/paragraph separators: none of these belong in a key, and CR/LF would split an HTTP
    header. Compiled on first need: printable ASCII (every real key) never needs it."""
    return re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# -- credentials -------------------------------------------------------------------------------


def check_text(name: str, value: object, *, optional: bool = False) -> None:
    """Validate one credential part without ever putting its value in a message."""
    if value is None and optional:
        return
    if not isinstance(value, str):
        expected = "a str or None" if optional else "a str"
        raise TypeError(f"Credentials.{name} must be {expected}, not {type(value).__name__}")
    if not value:
        raise ValueError(f"Credentials.{name} must not be empty")
    # Printable ASCII holds none of them (for ASCII, isprintable() is exactly 0x20-0x7e).
    if not (value.isascii() and value.isprintable()) and _forbidden_chars().search(value):
        raise ValueError(
            f"Credentials.{name} contains a control character (CR, LF or similar); "
            "check for a stray newline or carriage return"
        )


def _optional_text(name: str, value: object) -> str | None:
    """``value`` if it is a str or None; else ``TypeError`` naming ``name``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {type(value).__name__}")
    return value


def explicit_region(region_name: object) -> str | None:
    """The region given as an argument (stripped), or None when it is unset or blank."""
    region = _optional_text("region_name", region_name)
    if region is not None and region.strip():
        return region.strip()
    return None


def explicit_provider(
    access_key: object, secret_key: object, token: object
) -> StaticCredentialProvider | None:
    """The chain's first step: keys given as arguments, or None when none are.

    Raises ``PartialCredentialsError`` for half a key pair, or a token without keys; the
    checks of :func:`check_text` (``TypeError``/``ValueError``) for a malformed part.
    """
    access = _optional_text("access_key", access_key)
    secret = _optional_text("secret_key", secret_key)
    session = _optional_text("token", token)
    if access is not None or secret is not None:
        if secret is None:
            raise PartialCredentialsError(
                "Partial credentials: access_key was given but secret_key is missing"
            )
        if access is None:
            raise PartialCredentialsError(
                "Partial credentials: secret_key was given but access_key is missing"
            )
        return StaticCredentialProvider.from_keys(access, secret, session or None)
    if session:
        raise PartialCredentialsError(
            "Partial credentials: token was given without access_key and secret_key"
        )
    return None


# -- providers ---------------------------------------------------------------------------------


@runtime_checkable
class CredentialProvider(Protocol):
    """Gives the credentials to sign one request with; called once per request.

    Pass one as ``credential_provider=`` to a client, or to ``SigV4Auth``. A plain callable
    returning ``Credentials`` works too (the clients wrap it and refresh it by ``expiry``).
    """

    def get_credentials(self) -> Credentials:
        """The credentials to sign with now.

        Returns:
            A ``Credentials`` value.

        Raises:
            NoCredentialsError: there are none.
            CredentialRetrievalError: fetching them failed.
        """
        ...


class StaticCredentialProvider:
    """Always the same :class:`Credentials` object.

    ``method`` says where they came from: ``"explicit"``, ``"env"``,
    ``"shared-credentials-file"`` or ``"config-file"`` (botocore's names). A plain class
    rather than an attrs one, and it keeps the keys themselves (``access_key``,
    ``secret_key``, ``token``): a client built from static keys signs with them directly and
    makes the attrs ``Credentials`` value only if someone asks (attrs takes ~10 ms to import,
    which is most of what a first client would otherwise cost after httpx).
    """

    __slots__ = ("_credentials", "access_key", "method", "secret_key", "token")

    #: Signers read ``access_key``/``secret_key``/``token`` off this provider directly.
    fixed_keys: ClassVar[bool] = True

    access_key: str
    secret_key: str
    token: str | None
    method: str
    _credentials: Credentials | None

    def __init__(self, credentials: Credentials, method: str = "explicit") -> None:
        from trentclient._credvalue import Credentials

        if not isinstance(credentials, Credentials):
            raise TypeError(
                f"StaticCredentialProvider needs Credentials, not {type(credentials).__name__}"
            )
        if not isinstance(method, str):
            raise TypeError(f"method must be a str, not {type(method).__name__}")
        self._set(credentials.access_key, credentials.secret_key, credentials.token, method)
        self._credentials = credentials

    @classmethod
    def from_keys(
        cls, access_key: str, secret_key: str, token: str | None = None, method: str = "explicit"
    ) -> StaticCredentialProvider:
        """Checked as ``Credentials(access_key, secret_key, token)`` would be, without attrs."""
        check_text("access_key", access_key)
        check_text("secret_key", secret_key)
        check_text("token", token, optional=True)
        self = cls.__new__(cls)
        self._set(access_key, secret_key, token, method)
        self._credentials = None
        return self

    def _set(self, access_key: str, secret_key: str, token: str | None, method: str) -> None:
        setter = object.__setattr__
        setter(self, "access_key", access_key)
        setter(self, "secret_key", secret_key)
        setter(self, "token", token)
        setter(self, "method", method)

    def __setattr__(self, name: str, value: object) -> None:
        if name != "_credentials":
            raise AttributeError(f"StaticCredentialProvider.{name} is read-only")
        object.__setattr__(self, name, value)

    @property
    def credentials(self) -> Credentials:
        """The ``Credentials`` value (made on first use)."""
        made = self._credentials
        if made is None:
            from trentclient._credvalue import Credentials

            made = self._credentials = Credentials(self.access_key, self.secret_key, self.token)
        return made

    def __repr__(self) -> str:
        return f"StaticCredentialProvider(credentials={self.credentials!r}, method={self.method!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StaticCredentialProvider):
            return NotImplemented
        return (self.credentials, self.method) == (other.credentials, other.method)

    def __hash__(self) -> int:
        return hash((self.credentials, self.method))

    def __reduce__(self) -> tuple[object, ...]:
        return (StaticCredentialProvider, (self.credentials, self.method))

    def get_credentials(self) -> Credentials:
        return self.credentials
