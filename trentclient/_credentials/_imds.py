"""EC2 instance metadata (IMDSv2) credentials: botocore's ``iam-role`` source, natively.

:class:`ImdsSource` reads its settings at construction (no I/O there) and fetches with a
flow of up to three exchanges: ``PUT latest/api/token`` (a session token, TTL 21600 s), then
``GET latest/meta-data/iam/security-credentials/`` (the role name) and
``GET .../security-credentials/<role>`` (the keys), the token in
``x-aws-ec2-metadata-token``. Metadata requests never use proxies. Settings, each the
environment variable first, then the session profile's key:

- ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` / ``ec2_metadata_service_endpoint``: the base URL;
- ``AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`` / ``ec2_metadata_service_endpoint_mode``
  (``ipv4``, ``ipv6``; legacy ``AWS_IMDS_USE_IPV6`` / ``imds_use_ipv6`` when unset);
- ``AWS_EC2_METADATA_V1_DISABLED`` / ``ec2_metadata_v1_disabled``;
- ``AWS_METADATA_SERVICE_TIMEOUT`` / ``metadata_service_timeout`` (seconds, default 1, for
  connect and for read) and ``AWS_METADATA_SERVICE_NUM_ATTEMPTS`` /
  ``metadata_service_num_attempts`` (default 1);
- ``AWS_EC2_METADATA_DISABLED`` (environment only, as botocore): no request at all.

An invalid endpoint URL, mode, timeout or attempt count raises ``InvalidConfigError`` at
construction. The token PUT follows botocore's outcome table: 404/403/405 and a read timeout
(the container hop-limit case) fall back to IMDSv1 at once; connection failures and other
statuses are tried ``num_attempts`` times, then IMDSv1; 400 means no credentials. The GETs are
tried ``num_attempts`` times on a non-200 status, an empty body, a connection failure or a
timeout, and (credentials only) a body that is not JSON; no sleep between attempts.

What differs from botocore 1.43, and why:

- the session token is **cached** (until ``TTL - min(120 s, TTL/2)``, the TTL read from the
  ``x-aws-ec2-metadata-token-ttl-seconds`` answer header when present), so a refresh is two
  GETs, not a PUT and two GETs (smithy-rs does the same). Only a token is cached: a PUT that
  gave none is tried again next time, as botocore does;
- a **401** on a GET made with a token (the token expired or the instance was restarted)
  drops the token, fetches a fresh one and repeats the GET once, without using up an attempt;
- IMDSv1 disabled and no token: the flow returns ``None`` (no credentials, so the chain ends
  in ``NoCredentialsError`` naming the reason) where botocore lets ``MetadataRetrievalError``
  escape the whole chain (off EC2 that turned "no credentials" into an odd error);
- bad answers are typed ``CredentialRetrievalError`` where botocore returns no credentials
  after a DEBUG log: a 200 whose JSON ``Code`` is not ``Success`` (for example
  ``AssumeRoleUnauthorizedAccess``: EC2 is not a trusted entity of the role) names the
  ``Code`` and ``Message``; missing or non-string fields, a JSON value that is not an
  object, JSON still invalid after the last attempt and an ``Expiration`` that is not ISO
  8601 (botocore skips its expiry check then) each name what was wrong. A token or role name
  with control characters (it could not be sent) is an error too; a transport failure that
  is neither a connection failure nor a timeout (botocore re-raises those) is typed as well;
- an empty 200 token body counts as no token (botocore would send an empty token header);
- **static stability** follows smithy-rs (PR #2694) and Go, not botocore's window rule,
  which extended any credentials within 17-25 minutes of expiry and broke renewal against
  KIAM/kube2iam (botocore #2670): credentials that IMDS returns *already expired* are used
  until now + 10 min + 0-300 s of jitter (a WARNING is logged), and
  :meth:`ImdsSource.extend_after_failure` extends the keys this source gave when a refresh
  fails, the same way;
- the timeout may be fractional (botocore's config reads an integer); an attempt count below
  1 is a configuration error (botocore then sends no request and finds nothing);
- the endpoint must be ``http://`` or ``https://`` (botocore checks only the host).

Kept from botocore: the role name is used verbatim (not stripped; Go takes its first line,
JS trims it); ``AccountId``, ``Code``, ``LastUpdated`` and ``Type`` are not kept; the
legacy ``security-credentials/`` path only (no ``-extended`` path); the role is looked up on
every fetch.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from trentclient._exceptions import InvalidConfigError

from ._context import SourceBase, SourceContext, user_agent
from ._flow import Flow, HttpFailure, HttpRequest, HttpResponse, Keys, parse_timestamp, utcnow

__all__ = ["ImdsSource", "imds_disabled"]

logger = logging.getLogger("trentclient.credentials")

BASE_URL_IPV4: Final = "http://169.254.169.254/"
BASE_URL_IPV6: Final = "http://[fd00:ec2::254]/"
TOKEN_PATH: Final = "latest/api/token"
ROLE_PATH: Final = "latest/meta-data/iam/security-credentials/"
TTL_HEADER: Final = "x-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER: Final = "x-aws-ec2-metadata-token"
TOKEN_TTL: Final = 21600
#: A cached token is dropped this long (at most half its TTL) before IMDS would expire it.
TOKEN_MARGIN: Final = 120.0
#: Static stability: expired credentials are used for this long plus up to EXTENSION_JITTER s.
EXTENSION: Final = timedelta(minutes=10)
EXTENSION_JITTER: Final = 300

_REQUIRED: Final = ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")
_RETRYABLE: Final = frozenset({"connect", "connect-timeout", "read-timeout", "closed"})
_SECRET_HEADERS: Final = frozenset({TOKEN_HEADER})
_PRINTABLE: Final = re.compile(r"[\x21-\x7e]+")
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LABEL: Final = re.compile(r"^((?!-)[A-Z\d-]{1,63}(?<!-)\.)*((?!-)[A-Z\d-]{1,63}(?<!-))$", re.I)

_ENDPOINT = ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
_MODE = ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")
_USE_IPV6 = ("AWS_IMDS_USE_IPV6", "imds_use_ipv6")
_V1_DISABLED = ("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")
_TIMEOUT = ("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")
_ATTEMPTS = ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts")


def imds_disabled(ctx: SourceContext) -> bool:
    """``AWS_EC2_METADATA_DISABLED`` is ``true`` (any case): no IMDS request may be sent.

    Read from the environment only, not stripped (botocore has no config key for it)."""
    return ctx.environ.get("AWS_EC2_METADATA_DISABLED", "false").lower() == "true"


def _names(names: tuple[str, str]) -> str:
    return f"{names[0]} / {names[1]}"


def _boolean(ctx: SourceContext, names: tuple[str, str]) -> bool:
    value = ctx.setting(*names)
    return value is not None and value.lower() == "true"


def valid_endpoint(url: str) -> bool:
    """An ``http(s)://`` URL with a valid host name, IPv4 or IPv6 address (botocore's
    ``is_valid_uri``, plus the scheme)."""
    import ipaddress

    if any(char in url for char in "\t\r\n"):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    host = parts.hostname
    if parts.scheme.lower() not in ("http", "https") or not host or len(host) > 255:
        return False
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return False
        return True
    return _LABEL.match(host[:-1] if host.endswith(".") else host) is not None


def shown_url(url: str) -> str:
    """``url`` for messages and logs: ``user:password@`` becomes ``***@``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<an invalid URL>"
    if "@" in parts.netloc:
        parts = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2])
    return parts.geturl()


def _base_url(ctx: SourceContext) -> str:
    endpoint = ctx.setting(*_ENDPOINT)
    mode = ctx.setting(*_MODE)
    if mode is not None:
        if mode.lower() not in ("ipv4", "ipv6"):
            raise InvalidConfigError(
                f"{_names(_MODE)} is {mode!r}; it must be 'ipv4' or 'ipv6' (any case)"
            )
        ipv6 = mode.lower() == "ipv6"
    else:
        ipv6 = _boolean(ctx, _USE_IPV6)
    if endpoint is not None:
        if ipv6:
            logger.warning(
                "Both an IMDS endpoint and the IPv6 endpoint mode are set; using the endpoint"
            )
        if not valid_endpoint(endpoint):
            raise InvalidConfigError(
                f"{_names(_ENDPOINT)} is {shown_url(endpoint)!r}, which is not a valid http:// or https:// URL"
            )
        return endpoint
    return BASE_URL_IPV6 if ipv6 else BASE_URL_IPV4


def _number(ctx: SourceContext, names: tuple[str, str], default: float, *, whole: bool) -> float:
    value = ctx.setting(*names)
    if value is None:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        number = -1
    if not math.isfinite(number) or number <= 0:
        kind = "a whole number of attempts, 1 or more" if whole else "a number of seconds over 0"
        raise InvalidConfigError(f"{_names(names)} is {value!r}; it must be {kind}")
    return number


def parse_expiration(value: str) -> datetime:
    """``Expiration`` as IMDS sends it (see ``parse_timestamp``). Raises ``ValueError``."""
    parsed = parse_timestamp(value)
    if parsed is None:
        raise ValueError("not an ISO 8601 date and time")
    return parsed


class _Exhausted:
    """Every attempt at a GET failed; ``reason`` says how the last one did."""

    __slots__ = ("invalid_json", "reason")

    def __init__(self, reason: str, invalid_json: bool) -> None:
        self.reason = reason
        self.invalid_json = invalid_json


class _FlowState:
    """One fetch: the token it sends, and whether a 401 already renewed it."""

    __slots__ = ("renewed", "token")

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.renewed = False


_BAD_REQUEST: Final = object()  # the token PUT was answered 400
_GAVE_UP: Final = object()  # a 401 asked for a new token, and none is to be had


class ImdsSource(SourceBase):
    """Credentials of the instance's IAM role from EC2 instance metadata (``iam-role``).

    ``flow()`` returns ``None`` when there are none to be had (IMDS disabled or unreachable,
    no role, 400 on the token, IMDSv1 disabled without a token); :meth:`not_found` then says
    why, or is ``not_found_message`` when one was given. Bad answers raise
    ``CredentialRetrievalError``. The source keeps the session token between fetches and
    remembers the keys it gave, for :meth:`extend_after_failure`.
    """

    method = "iam-role"

    def __init__(
        self,
        ctx: SourceContext,
        *,
        not_found_message: str | None = None,
        profile: str | None = None,
    ) -> None:
        super().__init__(profile)
        self.base_url = _base_url(ctx)
        self._shown_base = shown_url(self.base_url)
        self.timeout = _number(ctx, _TIMEOUT, 1.0, whole=False)
        self.attempts = int(_number(ctx, _ATTEMPTS, 1, whole=True))
        self.v1_disabled = _boolean(ctx, _V1_DISABLED)
        self.disabled = imds_disabled(ctx)
        self._not_found_message = not_found_message
        self._user_agent = user_agent()
        #: Seams for tests: the wall clock (expiry checks) and a monotonic one (token TTL).
        self.clock: Callable[[], datetime] = utcnow
        self.monotonic: Callable[[], float] = time.monotonic
        self.jitter: Callable[[], float] = lambda: random.randint(0, EXTENSION_JITTER)
        self._token: str | None = None
        self._token_until = 0.0
        self._issued: Keys | None = None
        self._reason: str | None = None

    def __repr__(self) -> str:
        return f"ImdsSource(base_url={self._shown_base!r}, profile={self.profile!r})"

    # -- the fetch ---------------------------------------------------------------------------

    def flow(self) -> Flow[Keys | None]:
        self._reason = None
        if self.disabled:
            self._nothing("AWS_EC2_METADATA_DISABLED is true")
            return None
        token = self._cached_token()
        if token is None:
            fetched = yield from self._fetch_token()
            if fetched is _BAD_REQUEST:
                self._nothing(f"IMDS rejected the token request to {self._where(TOKEN_PATH)} (400)")
                return None
            token = fetched if isinstance(fetched, str) else None
        if token is None and self.v1_disabled:
            self._nothing_v1()
            return None
        state = _FlowState(token)
        role = yield from self._get(state, ROLE_PATH, parse_json=False)
        if role is _GAVE_UP:
            return None
        if isinstance(role, _Exhausted):
            self._nothing(role.reason)
            return None
        assert isinstance(role, str)
        if _CONTROL.search(role):
            raise self.error(
                f"the role name IMDS returned from {self._where(ROLE_PATH)} contains a control "
                "character (CR, LF or similar)"
            )
        path = ROLE_PATH + role
        data = yield from self._get(state, path, parse_json=True)
        if data is _GAVE_UP:
            return None
        if isinstance(data, _Exhausted):
            if data.invalid_json:
                raise self.error(f"{self._where(path)} did not answer with JSON ({data.reason})")
            self._nothing(data.reason)
            return None
        return self._keys(data, self._where(path))

    def not_found(self) -> str:
        if self._not_found_message is not None:
            return self._not_found_message
        base = f"{self.method} (EC2 instance metadata at {self._shown_base}) found no credentials"
        return f"{base}: {self._reason}" if self._reason else base

    def _nothing(self, reason: str) -> None:
        self._reason = reason
        logger.debug("EC2 instance metadata gave no credentials: %s", reason)

    def _nothing_v1(self) -> None:
        self._nothing(
            "no IMDSv2 session token could be obtained and IMDSv1 is disabled "
            f"({_names(_V1_DISABLED)})"
        )

    def _url(self, path: str) -> str:
        return self.base_url + ("" if self.base_url.endswith("/") else "/") + path

    def _where(self, path: str) -> str:
        """The URL of ``path`` for messages (no user information)."""
        return self._shown_base + ("" if self._shown_base.endswith("/") else "/") + path

    def _request(self, method: str, path: str, token: str | None) -> HttpRequest:
        if method == "PUT":
            headers = [(TTL_HEADER, str(TOKEN_TTL))]
        else:
            headers = [(TOKEN_HEADER, token)] if token is not None else []
        headers.append(("User-Agent", self._user_agent))
        return HttpRequest(
            method,
            self._url(path),
            headers,
            timeout=(self.timeout, self.timeout),
            trust_env=False,
            secret_headers=_SECRET_HEADERS,
        )

    # -- the session token -------------------------------------------------------------------

    def _cached_token(self) -> str | None:
        if self._token is not None and self.monotonic() < self._token_until:
            return self._token
        self._token = None
        return None

    def _fetch_token(self) -> Flow[object]:
        """The token (cached), ``None`` for IMDSv1, or ``_BAD_REQUEST``."""
        url = self._where(TOKEN_PATH)
        for _attempt in range(self.attempts):
            answer = yield self._request("PUT", TOKEN_PATH, None)
            if isinstance(answer, HttpFailure):
                if answer.kind == "read-timeout":
                    logger.debug("IMDS token request timed out; trying IMDSv1")
                    return None
                if answer.kind not in _RETRYABLE:
                    raise self.error(f"the token request to {url} failed: {answer.message}")
                continue
            assert isinstance(answer, HttpResponse)
            if answer.status == 200:
                token = answer.body.decode("utf-8", "replace")
                if not token:
                    return None
                if _PRINTABLE.fullmatch(token) is None:
                    raise self.error(
                        f"the session token from {url} is not printable ASCII; it cannot be sent"
                    )
                self._keep_token(token, answer)
                return token
            if answer.status in (403, 404, 405):
                logger.debug("IMDS token request answered %d; trying IMDSv1", answer.status)
                return None
            if answer.status == 400:
                return _BAD_REQUEST
        logger.debug("IMDS token request failed %d time(s); trying IMDSv1", self.attempts)
        return None

    def _keep_token(self, token: str, answer: HttpResponse) -> None:
        try:
            ttl = float(int(answer.headers.get(TTL_HEADER, "")))
        except ValueError:
            ttl = float(TOKEN_TTL)
        if ttl <= 0:
            ttl = float(TOKEN_TTL)
        self._token = token
        self._token_until = self.monotonic() + ttl - min(TOKEN_MARGIN, ttl / 2)

    # -- the GETs --------------------------------------------------------------------------

    def _get(self, state: _FlowState, path: str, *, parse_json: bool) -> Flow[object]:
        """The body text (or parsed JSON); an ``_Exhausted``; or ``_GAVE_UP`` when a renewed
        token is not to be had (the reason is set)."""
        url = self._where(path)
        reason, invalid_json = "", False
        attempt = 0
        while attempt < self.attempts:
            answer = yield self._request("GET", path, state.token)
            invalid_json = False
            if isinstance(answer, HttpFailure):
                if answer.kind not in _RETRYABLE:
                    raise self.error(f"the request to {url} failed: {answer.message}")
                reason = answer.message
                attempt += 1
                continue
            assert isinstance(answer, HttpResponse)
            if answer.status == 401 and state.token is not None and not state.renewed:
                logger.debug("IMDS answered 401 to %s: fetching a new session token", url)
                state.renewed = True
                self._token = None
                fetched = yield from self._fetch_token()
                if fetched is _BAD_REQUEST:
                    self._nothing(
                        f"IMDS rejected the token request to {self._where(TOKEN_PATH)} (400)"
                    )
                    return _GAVE_UP
                state.token = fetched if isinstance(fetched, str) else None
                if state.token is None and self.v1_disabled:
                    self._nothing_v1()
                    return _GAVE_UP
                continue
            attempt += 1
            if answer.status != 200:
                reason = f"status {answer.status}"
            elif not answer.body:
                reason = "an empty answer"
            elif parse_json:
                try:
                    return json.loads(answer.body)
                except ValueError:
                    reason, invalid_json = "a body that is not JSON", True
            else:
                return answer.body.decode("utf-8", "replace")
            logger.debug("IMDS answered %s with %s (attempt %d)", url, reason, attempt)
        return _Exhausted(
            f"{self.attempts} attempt(s) at {url}, the last gave {reason}", invalid_json
        )

    # -- the keys ---------------------------------------------------------------------------

    def _keys(self, data: Any, url: str) -> Keys:
        if not isinstance(data, dict):
            raise self.error(f"{url} answered with JSON that is not an object")
        code = data.get("Code")
        if code is not None and (not isinstance(code, str) or code.lower() != "success"):
            message = data.get("Message")
            text = message[:300] if isinstance(message, str) else "no message"
            raise self.error(
                f"IMDS answered {url} with error {code!s:.100}: {text}", code=str(code)
            )
        missing = [name for name in _REQUIRED if name not in data]
        if missing:
            raise self.error(f"the credentials from {url} lack {', '.join(missing)}")
        for name in _REQUIRED:
            if not isinstance(data[name], str) or not data[name]:
                raise self.error(f"{name} in the credentials from {url} is not a non-empty string")
        try:
            expiry = parse_expiration(data["Expiration"])
        except ValueError:
            raise self.error(
                f"Expiration in the credentials from {url} is not an ISO 8601 timestamp"
            ) from None
        try:
            keys = Keys(data["AccessKeyId"], data["SecretAccessKey"], data["Token"], expiry=expiry)
        except (TypeError, ValueError) as exc:
            raise self.error(f"the credentials from {url} are invalid: {exc}") from None
        now = self.clock()
        if expiry <= now:
            keys = self._extend(keys, now)
            logger.warning(
                "EC2 instance metadata returned credentials that expired at %s; using them "
                "until %s and trying again then (static stability)",
                expiry.isoformat(),
                keys.expiry.isoformat() if keys.expiry else "?",
            )
        self._issued = keys
        return keys

    def _extend(self, keys: Keys, now: datetime) -> Keys:
        until = now + EXTENSION + timedelta(seconds=self.jitter())
        if keys.expiry is not None and keys.expiry > until:
            until = keys.expiry
        return Keys(
            keys.access_key,
            keys.secret_key,
            keys.token,
            expiry=until,
            account_id=keys.account_id,
            obtained=now,
        )

    def extend_after_failure(self, current: Keys, now: datetime) -> Keys | None:
        """After a failed refresh: ``current`` with its expiry moved to now + 10 min + 0-300 s
        (never earlier than it was), if this source gave ``current``; else ``None``.

        ``obtained`` becomes ``now``, so the refresh windows scale to the extension."""
        if current is not self._issued:
            return None
        extended = self._extend(current, now)
        logger.warning(
            "Refreshing EC2 instance metadata credentials failed; using the current ones "
            "until %s (static stability)",
            extended.expiry.isoformat() if extended.expiry else "?",
        )
        self._issued = extended
        return extended
