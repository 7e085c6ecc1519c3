"""The container credential endpoint: ECS task roles, EKS Pod Identity, Lambda SnapStart
(botocore's ``container-role``).

Configured by ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (ECS: the URL is
``http://169.254.170.2`` + the value) or ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (EKS Pod
Identity: ``http://169.254.170.23/v1/credentials``; Lambda SnapStart; local tools); RELATIVE
wins when both are set. A plain-``http`` FULL_URI may only name a loopback IP literal
(127.0.0.0/8, ``::1``), ``localhost``, ``169.254.170.2``, ``169.254.170.23`` or
``[fd00:ec2::23]``; ``https`` may name any host. No DNS lookup is made. A refused URL raises
``InvalidConfigError`` when the source is built.

Each fetch sends ``GET <url>`` with ``Accept: application/json`` and, when configured, an
``Authorization`` header: the contents of ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``, read
again at every fetch (EKS rotates the file), or else ``AWS_CONTAINER_AUTHORIZATION_TOKEN``.
The token is a secret: it is never logged nor put in a message. Up to 3 attempts of 2 s
(connect and read) each, 1 s apart. A non-200 answer, a body that is not JSON, a refused,
timed-out or reset connection is tried again. When all attempts fail, a
``CredentialRetrievalError`` is raised, with the server's ``code`` and ``message`` when it
sent a JSON error (``{"code","message"}`` or ``{"Code","Message"}``). That stops the chain,
as in botocore. Environment proxies are never used. The answer must hold ``AccessKeyId``,
``SecretAccessKey``, ``Token`` and ``Expiration`` (ISO 8601); ``AccountId`` is optional. This
is what ECS (which adds ``RoleArn``), the EKS Pod Identity agent and Lambda send.

Where the environment variables are set but empty, botocore's rules apply: presence
configures the source; an empty RELATIVE gives the URL ``http://169.254.170.2``; an empty
FULL_URI is refused; a token variable that is set but empty is chosen over the other one.

Differences from botocore, and why:

- a refused FULL_URI raises ``InvalidConfigError`` (botocore raises a bare ``ValueError``
  that escapes the chain and cannot be caught as a credential error). Some URLs botocore
  accepts are refused too: a scheme other than ``http``/``https`` (``ftp://127.0.0.1``),
  ``https://`` with no host, a port that is not a number from 0 to 65535, a control character
  or space in the URL (Python's URL parser drops tabs and newlines that the HTTP stack may
  not drop, so the host checked could differ from the host reached), and a RELATIVE value
  that does not start with ``/`` (it would change the host);
- the sleep after the last failed attempt is skipped (botocore sleeps 1 s after the third
  failure too, before raising: that only delays the error);
- a token file that cannot be read, an answer that lacks a key, a value of the wrong type or
  an ``Expiration`` that is not ISO 8601 give a ``CredentialRetrievalError`` (botocore lets
  an ``OSError``, ``KeyError`` or ``TypeError`` escape). A missing ``Expiration`` is such an
  error too: the Go SDK keeps such keys for good, but every container endpoint sends an
  expiry, and keys kept for good would stop working hours later with no refresh; botocore
  fails as well (``KeyError``). An expiry without a UTC offset is read as UTC (botocore
  fails at its first comparison);
- spaces and tabs around the token are dropped. The server ignores them anyway (HTTP's
  optional whitespace), but httpx refuses to send them. A CR or LF is refused, as in
  botocore; a trailing newline in the token file is the usual cause. Other control
  characters and non-ASCII characters are refused as well (httpx cannot send them;
  botocore sends them as Latin-1);
- a transport failure that is not a connection, timeout or reset failure (a body over
  1 MiB, an invalid request) fails at once, as botocore does, but as a typed error.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import SplitResult, urlsplit

from trentclient._exceptions import InvalidConfigError

from ._context import SourceBase, SourceContext, user_agent
from ._flow import (
    Flow,
    HttpFailure,
    HttpRequest,
    HttpResponse,
    Keys,
    ReadFile,
    Sleep,
    parse_timestamp,
)

__all__ = [
    "ALLOWED_HOSTS",
    "ATTEMPTS",
    "BASE_URL",
    "ContainerSource",
    "FULL_URI",
    "PAUSE",
    "RELATIVE_URI",
    "TIMEOUT",
    "TOKEN",
    "TOKEN_FILE",
    "check_full_uri",
    "container_configured",
]

logger = logging.getLogger("trentclient.credentials")

RELATIVE_URI: Final = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
FULL_URI: Final = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN: Final = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
TOKEN_FILE: Final = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"

#: The ECS agent's address, which a RELATIVE URI is appended to.
BASE_URL: Final = "http://169.254.170.2"
#: Hosts (besides loopback IP literals) a plain-http FULL_URI may name (botocore's list).
ALLOWED_HOSTS: Final = ("169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost")
#: Attempts per fetch, seconds per attempt (connect and read), seconds between attempts.
#: Read when a fetch starts (tests lower them).
ATTEMPTS = 3
TIMEOUT = 2.0
PAUSE = 1.0

_RETRYABLE: Final = frozenset({"connect", "connect-timeout", "read-timeout", "closed"})
_URL_FORBIDDEN: Final = re.compile(r"[\x00-\x20\x7f]")
_TOKEN_FORBIDDEN: Final = re.compile(r"[^\x20-\x7e\t]")
_SNIPPET: Final = 200


def container_configured(ctx: SourceContext) -> bool:
    """Whether the container source applies: either URI variable is present, even empty
    (botocore's test is presence)."""
    return RELATIVE_URI in ctx.environ or FULL_URI in ctx.environ


def _shown(url: str) -> str:
    """``url`` for a message: without user information (``user:password@``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        if "@" in url:
            url = url.partition("//")[0] + "//***@" + url.rpartition("@")[2]
        return repr(url)
    if "@" in parts.netloc:
        parts = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2])
    return repr(parts.geturl())


def _split(url: str, variable: str) -> tuple[SplitResult, str]:
    """The parts of ``url`` and its host (lower case, no brackets), or InvalidConfigError."""
    if _URL_FORBIDDEN.search(url):
        raise InvalidConfigError(
            f"{variable} contains a space or a control character (a stray newline?); "
            "it must be a plain URL"
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
    except ValueError as exc:
        raise InvalidConfigError(f"{variable} {_shown(url)} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidConfigError(f"{variable} {_shown(url)} must be an http:// or https:// URL")
    if not host:
        raise InvalidConfigError(f"{variable} {_shown(url)} has no host")
    return parts, host


def _loopback(host: str) -> bool:
    from ipaddress import ip_address

    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_full_uri(url: str) -> None:
    """Raise ``InvalidConfigError`` unless ``url`` is a FULL_URI the source may call.

    ``https``: any host. ``http``: a loopback IP literal or one of :data:`ALLOWED_HOSTS`,
    compared as written (no DNS lookup), as botocore's ``_validate_allowed_url``.
    """
    if not url:
        raise InvalidConfigError(f"{FULL_URI} is set but empty")
    parts, host = _split(url, FULL_URI)
    if parts.scheme == "https":
        return
    if not (_loopback(host) or host in ALLOWED_HOSTS):
        raise InvalidConfigError(
            f"{FULL_URI} {_shown(url)}: unsupported host {host!r}. A plain-http URL may only "
            "name a loopback address (127.0.0.0/8, [::1]), localhost, 169.254.170.2, "
            "169.254.170.23 or [fd00:ec2::23]; use https:// for any other host"
        )
    # Guard against a parser difference: the host the request will go to (as the drivers
    # parse the URL: ``EndpointURL``, httpx's ``URL`` for any but the plain form) must be
    # the one checked here.
    from trentclient._url import EndpointURL

    try:
        reached = EndpointURL(url).raw_host.decode("ascii").lower()
    except Exception as exc:  # httpx.InvalidURL (not loaded unless it was raised), ValueError
        if not isinstance(exc, ValueError) and type(exc).__name__ != "InvalidURL":
            raise
        raise InvalidConfigError(f"{FULL_URI} {_shown(url)} is not a valid URL") from None
    if reached != host:
        raise InvalidConfigError(f"{FULL_URI} {_shown(url)} is ambiguous about its host")


def _error_fields(value: object) -> tuple[str | None, str | None]:
    """``code`` and ``message`` of a JSON error body (either case), if it is one."""
    if not isinstance(value, dict):
        return None, None
    code = value.get("code", value.get("Code"))
    message = value.get("message", value.get("Message"))
    return (
        code if isinstance(code, str) and code else None,
        message if isinstance(message, str) and message else None,
    )


class _Attempt:
    """Why one attempt failed: a text for the message, and the server's details."""

    __slots__ = ("code", "status", "text")

    def __init__(self, text: str, status: int | None = None, code: str | None = None) -> None:
        self.text = text
        self.status = status
        self.code = code


class ContainerSource(SourceBase):
    """Fetches keys from the container endpoint; every fetch (refresh) re-reads the token.

    The constructor reads only the environment (``ctx.environ``): it picks and checks the
    URL, raising ``InvalidConfigError`` for a refused one. Which token to send is decided
    at each fetch from the same mapping, as botocore does.
    """

    method = "container-role"

    def __init__(self, ctx: SourceContext, *, profile: str | None = None) -> None:
        super().__init__(profile)
        environ = ctx.environ
        self._environ: Mapping[str, str] = environ
        if RELATIVE_URI in environ:
            relative = environ[RELATIVE_URI]
            if relative and not relative.startswith("/"):
                raise InvalidConfigError(
                    f"{RELATIVE_URI} must be a path starting with '/' (it is appended to "
                    f"{BASE_URL})"
                )
            url = BASE_URL + relative
            _split(url, RELATIVE_URI)
        elif FULL_URI in environ:
            url = environ[FULL_URI]
            check_full_uri(url)
        else:
            raise InvalidConfigError(f"neither {RELATIVE_URI} nor {FULL_URI} is set")
        self.url = url

    def __repr__(self) -> str:
        return f"ContainerSource(url={_shown(self.url)})"

    # -- the token -------------------------------------------------------------------------

    def _token(self) -> Flow[str | None]:
        """The Authorization value for this fetch (None: send no header)."""
        environ = self._environ
        if TOKEN_FILE in environ:
            path = environ[TOKEN_FILE]
            where = f"the authorization token file {path!r} ({TOKEN_FILE})"
            if not path:
                raise self.error(f"{TOKEN_FILE} is set but empty")
            text = yield ReadFile(path)
            if text is None:
                raise self.error(f"cannot read {where}: it is missing, unreadable or not UTF-8")
            return self._checked(text, where)
        if TOKEN in environ:
            return self._checked(environ[TOKEN], TOKEN)
        return None

    def _checked(self, token: str, where: str) -> str:
        if "\r" in token or "\n" in token:
            raise self.error(
                f"{where} contains a carriage return or line feed, which cannot go in an "
                "HTTP header; check for a trailing newline"
            )
        token = token.strip(" \t")
        if _TOKEN_FORBIDDEN.search(token):
            raise self.error(
                f"{where} contains a control or non-ASCII character, which cannot go in an "
                "HTTP header"
            )
        return token

    # -- the fetch -------------------------------------------------------------------------

    def flow(self) -> Flow[Keys | None]:
        token = yield from self._token()
        headers = [("Accept", "application/json"), ("User-Agent", user_agent())]
        if token is not None:
            headers.append(("Authorization", token))
        attempts, timeout, pause = max(1, ATTEMPTS), TIMEOUT, PAUSE
        failure = _Attempt("no attempt was made")
        attempt = 0
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                yield Sleep(pause)
            answer: HttpResponse | HttpFailure = yield HttpRequest(
                "GET",
                self.url,
                headers,
                timeout=(timeout, timeout),
                trust_env=False,
                secret_headers=frozenset({"Authorization"}),
            )
            if isinstance(answer, HttpFailure):
                failure = _Attempt(self._scrub(answer.message, token))
                if answer.kind not in _RETRYABLE:
                    break
            else:
                parsed, failure_or_none = self._read(answer, token)
                if failure_or_none is None:
                    return self._keys(parsed, token)
                failure = failure_or_none
            logger.debug(
                "Container credentials: attempt %d of %d at %s failed: %s",
                attempt,
                attempts,
                _shown(self.url),
                failure.text,
            )
        tries = f"{attempt} attempts" if attempt > 1 else "1 attempt"
        hint = ""
        if token is None and failure.status in (400, 401, 403):
            hint = f" (no {TOKEN_FILE} or {TOKEN} is set: does the endpoint need one?)"
        raise self.error(
            f"the container endpoint {_shown(self.url)} failed after {tries}: {failure.text}{hint}",
            code=failure.code,
            status_code=failure.status,
        )

    def _read(self, answer: HttpResponse, token: str | None) -> tuple[Any, _Attempt | None]:
        """The parsed JSON of a 200 answer, or why this attempt failed (to try again)."""
        try:
            parsed: Any = json.loads(answer.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            parsed = _NOT_JSON
        if answer.status != 200:
            code, message = _error_fields(parsed)
            if code or message:
                detail = ": ".join(part for part in (code, message) if part)
            else:
                detail = _snippet(answer.body) or "(empty body)"
            return None, _Attempt(
                f"received non 200 response {answer.status}: {self._scrub(detail, token)}",
                answer.status,
                code,
            )
        if parsed is _NOT_JSON:
            return None, _Attempt("the answer (status 200) is not JSON", 200)
        return parsed, None

    def _keys(self, parsed: Any, token: str | None) -> Keys:
        if not isinstance(parsed, dict):
            raise self.error(
                f"the container endpoint {_shown(self.url)} answered JSON that is not an object"
            )
        missing = [
            key
            for key in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")
            if key not in parsed
        ]
        if missing:
            code, message = _error_fields(parsed)
            said = ""
            if code or message:
                said = ": it answered " + self._scrub(
                    ": ".join(part for part in (code, message) if part), token
                )
            raise self.error(
                f"the container endpoint {_shown(self.url)} answered 200 without "
                f"{', '.join(missing)}{said}",
                code=code,
                status_code=200,
            )
        for key in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId"):
            value = parsed.get(key)
            if not isinstance(value, str) and not (key == "AccountId" and value is None):
                raise self.error(f"{key} in the answer of {_shown(self.url)} is not a string")
        expiry = parse_timestamp(parsed["Expiration"])
        if expiry is None:
            raise self.error(
                f"Expiration in the answer of {_shown(self.url)} is not an ISO 8601 timestamp"
            )
        try:
            return Keys(
                parsed["AccessKeyId"],
                parsed["SecretAccessKey"],
                parsed["Token"],
                expiry=expiry,
                account_id=parsed.get("AccountId") or None,
            )
        except (TypeError, ValueError) as exc:  # the message names the part, never its value
            raise self.error(
                f"the container endpoint {_shown(self.url)} answered unusable keys: {exc}"
            ) from None

    @staticmethod
    def _scrub(text: str, token: str | None) -> str:
        """Server text for a message, with the token (should it be echoed) hidden."""
        if token and len(token) >= 4:
            text = text.replace(token, "***")
        return text


_NOT_JSON: Final = object()


def _snippet(body: bytes) -> str:
    text = body[: _SNIPPET * 4].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:_SNIPPET] + ("..." if len(text) > _SNIPPET else "")
