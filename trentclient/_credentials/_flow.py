"""Credential sources as flows: a generator of effects, driven by one sync and one async driver.

A source never performs I/O itself. Its ``flow()`` is a generator (in the spirit of
``httpx.Auth.auth_flow``) that *yields* what it needs done and *receives* the outcome:

=====================  ===============================================  =====================
effect                 the driver does                                  the flow receives
=====================  ===============================================  =====================
``HttpRequest``        one HTTP exchange (httpx; async: httpx.Async…)   ``HttpResponse`` or
                                                                        ``HttpFailure``
``ReadFile``           read a UTF-8 file (async: in a worker thread)    ``str`` or ``None``
``WriteFile``          write a file atomically with ``mode``            ``None`` or an error
                                                                        text
``RunProcess``         run argv, no shell (async: asyncio subprocess)   ``ProcessResult``
``Resolve``            get keys from another provider (single-flight)   ``Keys``
``CallFunction``       call a user callable (async: awaited, or run     its return value
                       in a worker thread when it is a plain function)
``Sleep``              sleep (async: ``asyncio.sleep``)                 ``None``
=====================  ===============================================  =====================

An exception raised while carrying out ``Resolve`` or ``CallFunction`` is thrown into the
flow at its ``yield``. HTTP failures are values, not exceptions, because sources decide what
a timeout or a refused connection means (IMDS falls back to v1 on a read timeout).

The flow's return value is a :class:`Keys` (or ``None`` where a source finds nothing, as
IMDS without a role). Tests drive a flow by hand: ``flow.send(HttpResponse(...))``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

if TYPE_CHECKING:
    from trentclient._credvalue import Credentials

__all__ = [
    "CallFunction",
    "Effect",
    "Flow",
    "HttpFailure",
    "HttpRequest",
    "HttpResponse",
    "Keys",
    "KeysProvider",
    "ProcessResult",
    "ReadFile",
    "Resolve",
    "RunProcess",
    "Sleep",
    "WriteFile",
]

logger = logging.getLogger("trentclient.credentials")

R = TypeVar("R")


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 / RFC 3339 date and time as every source's answer spells it (``...Z``, an
    offset, fractions, the older AWS CLI's ``...UTC``; no zone means UTC), as an aware UTC
    ``datetime``; ``None`` when it is not one (a date without a time is not)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("UTC"):
        text = text[:-3] + "+00:00"
    elif text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    if "T" not in text.upper():
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# -- the value a flow produces ------------------------------------------------------------------


class Keys:
    """An access key pair as a source found it: the signer reads it directly.

    A plain class (no attrs, so a web-identity client costs no more to start than a static
    one); :attr:`credentials` makes the public ``Credentials`` value on demand. ``obtained``
    is when the source produced it (for the refresh windows of short-lived credentials).
    Secrets are left out of ``repr()``.
    """

    __slots__ = (
        "_credentials",
        "access_key",
        "account_id",
        "expiry",
        "obtained",
        "secret_key",
        "token",
    )

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        token: str | None = None,
        *,
        expiry: datetime | None = None,
        account_id: str | None = None,
        obtained: datetime | None = None,
    ) -> None:
        from ._static import check_text

        check_text("access_key", access_key)
        check_text("secret_key", secret_key)
        check_text("token", token, optional=True)
        if expiry is not None and expiry.tzinfo is None:
            raise ValueError("Keys.expiry must be timezone-aware")
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token or None
        self.expiry = expiry
        self.account_id = account_id
        self.obtained = obtained if obtained is not None else utcnow()
        self._credentials: Credentials | None = None

    @classmethod
    def from_credentials(cls, credentials: Credentials) -> Keys:
        keys = cls(
            credentials.access_key,
            credentials.secret_key,
            credentials.token,
            expiry=credentials.expiry,
        )
        keys._credentials = credentials
        return keys

    @property
    def credentials(self) -> Credentials:
        """The public ``trentclient.Credentials`` value (made on first use)."""
        made = self._credentials
        if made is None:
            from trentclient._credvalue import Credentials

            made = self._credentials = Credentials(
                self.access_key, self.secret_key, self.token, expiry=self.expiry
            )
        return made

    def with_expiry(self, expiry: datetime | None) -> Keys:
        return Keys(
            self.access_key,
            self.secret_key,
            self.token,
            expiry=expiry,
            account_id=self.account_id,
            obtained=self.obtained,
        )

    def __repr__(self) -> str:
        return f"Keys(access_key={self.access_key!r}, expiry={self.expiry!r})"


class KeysProvider(Protocol):
    """A provider a flow can ask for source credentials (``Resolve``)."""

    def get_keys(self) -> Keys: ...

    async def aget_keys(self) -> Keys: ...


# -- effects ---------------------------------------------------------------------------------


class HttpRequest:
    """One HTTP exchange for a credential source.

    ``timeout`` is ``(connect, read)`` seconds. ``trust_env`` lets environment proxies
    apply (STS and SSO, as botocore); metadata endpoints (IMDS, the container endpoint)
    never use them. ``secret_headers`` are header names whose values are never logged.
    ``max_body`` caps the answer: a longer one gives ``HttpFailure("too-large")``.
    """

    __slots__ = (
        "body",
        "headers",
        "max_body",
        "method",
        "secret_headers",
        "timeout",
        "trust_env",
        "url",
    )

    def __init__(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
        *,
        timeout: tuple[float, float] = (1.0, 1.0),
        trust_env: bool = False,
        secret_headers: frozenset[str] = frozenset(),
        max_body: int = 1024 * 1024,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = list(headers)
        self.body = body
        self.timeout = timeout
        self.trust_env = trust_env
        self.secret_headers = frozenset(name.lower() for name in secret_headers)
        self.max_body = max_body

    def __repr__(self) -> str:
        return f"HttpRequest({self.method} {self.url})"

    def describe(self) -> str:
        """Method, URL and headers with secret values hidden (for DEBUG logs)."""
        shown = ", ".join(
            f"{name}: {'***' if name.lower() in self.secret_headers else value}"
            for name, value in self.headers
        )
        return f"{self.method} {self.url} [{shown}] ({len(self.body)} body bytes)"


class AnswerHeaders(dict[str, str]):
    """An answer's headers as ``httpx.Headers`` reads them, without httpx: lower-cased
    names (repeated ones joined with ``", "`` by whoever built the mapping), looked up
    whatever the case of the name asked for."""

    __slots__ = ()

    def __init__(self, headers: Mapping[str, str]) -> None:
        super().__init__()
        for name, value in headers.items():
            key = name.lower()
            self[key] = f"{self[key]}, {value}" if key in self else value

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


class HttpResponse:
    """The answer: status, headers (case-insensitive), and the whole body."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self, status: int, headers: Mapping[str, str] | None = None, body: bytes = b""
    ) -> None:
        self.status = status
        self.headers = AnswerHeaders(headers or {})
        self.body = body

    def __repr__(self) -> str:
        return f"HttpResponse({self.status}, {len(self.body)} body bytes)"


class HttpFailure:
    """No answer. ``kind``: ``"connect"`` (refused, unreachable, DNS), ``"connect-timeout"``,
    ``"read-timeout"``, ``"closed"`` (reset or closed before a full answer), ``"too-large"``,
    or ``"other"``. ``message`` never holds a secret."""

    __slots__ = ("kind", "message")

    def __init__(self, kind: str, message: str = "") -> None:
        self.kind = kind
        self.message = message or kind

    @property
    def is_timeout(self) -> bool:
        return self.kind in ("connect-timeout", "read-timeout")

    def __repr__(self) -> str:
        return f"HttpFailure({self.kind!r}, {self.message!r})"


class ReadFile:
    """Read a text file (UTF-8); the flow receives its text, or ``None`` if it cannot be read."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"ReadFile({self.path!r})"


class WriteFile:
    """Write ``text`` to ``path`` (parent folders made, atomic replace, ``mode`` bits).

    The flow receives ``None``, or a short description of why it failed."""

    __slots__ = ("mode", "path", "text")

    def __init__(self, path: str, text: str, mode: int = 0o600) -> None:
        self.path = path
        self.text = text
        self.mode = mode

    def __repr__(self) -> str:
        return f"WriteFile({self.path!r})"


class RunProcess:
    """Run ``argv`` (no shell), stdin closed, stdout and stderr captured."""

    __slots__ = ("argv", "timeout")

    def __init__(self, argv: Sequence[str], timeout: float | None = None) -> None:
        self.argv = list(argv)
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"RunProcess({self.argv[:1]!r}...)"


class ProcessResult:
    """``returncode`` (None when it could not start: ``error`` says why), stdout, stderr."""

    __slots__ = ("error", "returncode", "stderr", "stdout")

    def __init__(
        self,
        returncode: int | None,
        stdout: bytes = b"",
        stderr: bytes = b"",
        error: str | None = None,
    ) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.error = error


class Resolve:
    """Keys from another provider (assume-role's source credentials)."""

    __slots__ = ("provider",)

    def __init__(self, provider: KeysProvider) -> None:
        self.provider = provider


class CallFunction:
    """Call a user's callable with ``args`` (``mfa_token_provider``, ``credential_provider``)."""

    __slots__ = ("args", "function")

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function = function
        self.args = args


class Sleep:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


Effect: TypeAlias = HttpRequest | ReadFile | WriteFile | RunProcess | Resolve | CallFunction | Sleep
Flow: TypeAlias = Generator[Effect, Any, R]
