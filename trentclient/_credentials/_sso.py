"""IAM Identity Center (SSO) credentials: a cached ``aws sso login`` token traded for role keys.

A profile with ``sso_account_id`` or ``sso_role_name`` uses this source (botocore's trigger);
it also needs ``sso_start_url`` and ``sso_region``, in the profile (*legacy* form) or in the
``[sso-session NAME]`` section that ``sso_session = NAME`` names. Each fetch:

1. reads ``~/.aws/sso/cache/<sha1hex(KEY)>.json`` (KEY: the session name, else the start URL),
   which must hold ``accessToken`` and ``expiresAt``;
2. legacy form: an expired token raises :class:`UnauthorizedSSOTokenError`, before any request.
   sso-session form: with under 15 minutes left, SSO-OIDC ``CreateToken`` (``POST
   https://oidc.{sso_region}.{dns suffix}/token``) refreshes it, if the file has
   ``refreshToken``, ``clientId``, ``clientSecret`` and a future ``registrationExpiresAt``; at
   most once per :data:`ATTEMPT_INTERVAL` seconds per source. The new token is written back
   to the file (mode 0600, as botocore's ``mkstemp``-based ``JSONFileCache``). A failed
   refresh keeps an unexpired cached token (logged), else raises
   :class:`UnauthorizedSSOTokenError`;
3. calls ``GetRoleCredentials`` (``GET https://portal.sso.{sso_region}.{dns suffix}/federation/
   credentials?role_name=R&account_id=A``, token in ``x-amz-sso_bearer_token``, unsigned): 401
   ``UnauthorizedException`` raises :class:`UnauthorizedSSOTokenError`, other errors a
   :class:`CredentialRetrievalError` with the server's code, status and request id.

Configured endpoints (``AWS_ENDPOINT_URL_SSO``, ``AWS_ENDPOINT_URL_SSO_OIDC``, ...:
:meth:`SourceContext.service_endpoint`) replace the base URLs; ``AWS_USE_FIPS_ENDPOINT`` and
``AWS_USE_DUALSTACK_ENDPOINT`` pick the rulesets' variants. Requests use environment proxies,
botocore's 60 s timeouts and its standard-mode retries (3 attempts: throttling, 5xx,
connection failures). Tokens, the client secret and the fetched keys never reach a log, a
repr or a message.

Differences from botocore, and why:

- ``~`` in the cache folder is expanded from the client's environment when the source is
  built; botocore expands it once, when ``botocore.credentials`` is imported;
- a cache file that is not JSON, or holds wrong types, is a ``CredentialRetrievalError``
  (botocore lets ``KeyError``/``TypeError`` escape); an ``expiresAt`` without a zone is UTC
  (botocore fails comparing it);
- any failed ``CreateToken`` (error answer, no answer, an answer without ``accessToken`` or
  ``expiresIn``) keeps an unexpired cached token; botocore keeps it only after an error
  answer. With an expired token the error is :class:`UnauthorizedSSOTokenError` (botocore:
  ``TokenRetrievalError``);
- the rewritten file keeps the old file's keys, replacing ``startUrl``, ``region``,
  ``accessToken``, ``expiresAt`` and, when returned, ``refreshToken``. botocore writes only its
  eight keys, so a refresh without a new refresh token drops the old one and no later refresh
  can happen (OAuth 2.0 keeps the old one valid then, RFC 6749 section 6);
- a failed write-back is logged and the new token used; botocore raises;
- the 60-second attempt limit is kept per source; botocore makes a new
  ``DeferredRefreshableToken`` per ``GetRoleCredentials`` call, so its limit never spans two
  credential fetches;
- an access token with characters outside printable ASCII is refused before sending (it
  cannot be a header value, and httpx's error would quote it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import quote

from trentclient._exceptions import (
    CredentialRetrievalError,
    InvalidConfigError,
    UnauthorizedSSOTokenError,
)

from ._context import SourceBase, SourceContext, user_agent
from ._flow import (
    Flow,
    HttpFailure,
    HttpRequest,
    HttpResponse,
    Keys,
    ReadFile,
    WriteFile,
    parse_timestamp,
    utcnow,
)
from ._services import (
    RETRYABLE_FAILURES,
    RETRYABLE_STATUS,
    THROTTLING_CODES,
    base_url,
    send_with_retries,
)

__all__ = ["ATTEMPT_INTERVAL", "REFRESH_WINDOW", "SsoSource", "sso_configured"]

logger = logging.getLogger("trentclient.credentials")

#: botocore's ``SSOProvider._SSO_TOKEN_CACHE_DIR``, before ``~`` is expanded.
CACHE_DIR: Final = os.path.join("~", ".aws", "sso", "cache")
#: A cached sso-session token with less than this left is refreshed (botocore's 15 minutes).
REFRESH_WINDOW: Final = timedelta(minutes=15)
#: Seconds between two ``CreateToken`` attempts of one source (botocore's ``_attempt_timeout``).
ATTEMPT_INTERVAL: Final = 60.0
#: botocore's default connect and read timeouts, seconds.
TIMEOUT: Final = (60.0, 60.0)
#: Largest answer read (the real ones are under 2 KiB).
MAX_BODY: Final = 64 * 1024
BEARER_HEADER: Final = "x-amz-sso_bearer_token"

_PROFILE_REQUIRED: Final = ("sso_role_name", "sso_account_id")
_SSO_REQUIRED: Final = ("sso_start_url", "sso_region")
_REFRESH_KEYS: Final = ("refreshToken", "clientId", "clientSecret", "registrationExpiresAt")
_HEADER_SAFE: Final = re.compile(r"[\x20-\x7e]+")
_REGION: Final = re.compile(r"(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")

#: The clock of the attempt limit (tests replace it).
monotonic = time.monotonic


def sso_configured(profile: Mapping[str, str]) -> bool:
    """Whether the profile uses SSO: it has ``sso_account_id`` or ``sso_role_name`` (any value,
    as botocore's ``SSOProvider``)."""
    return any(key in profile for key in _PROFILE_REQUIRED)


def cache_key(start_url: str, session_name: str | None) -> str:
    """The cache file's name without ``.json``: SHA-1 hex of the session name, else of the
    start URL (botocore's ``SSOTokenLoader._generate_cache_key``)."""
    text = session_name if session_name is not None else start_url
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def format_timestamp(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``, as botocore writes ``expiresAt``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _retryable(answer: HttpResponse | HttpFailure) -> bool:
    if isinstance(answer, HttpFailure):
        return answer.kind in RETRYABLE_FAILURES
    return answer.status in RETRYABLE_STATUS or (
        answer.status >= 400 and _error_details(answer)[0] in THROTTLING_CODES
    )


def _error_details(answer: HttpResponse) -> tuple[str | None, str, str | None]:
    """``(code, message, request id)`` of a restJson error answer (botocore's parser rules:
    the ``x-amzn-errortype`` header, else ``__type``/``code``/``error`` in the body)."""
    body: Any = None
    with contextlib.suppress(ValueError):
        body = json.loads(answer.body)
    if not isinstance(body, dict):
        body = {}
    code: str | None = None
    header = answer.headers.get("x-amzn-errortype", "")
    if header:
        code = header.split(":", 1)[0]
    else:
        for key in ("__type", "code", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                code = value.rsplit("#", 1)[-1]
                break
    message = ""
    for key in ("message", "Message", "error_description"):
        value = body.get(key)
        if isinstance(value, str) and value:
            message = value
            break
    request_id = answer.headers.get("x-amzn-requestid") or answer.headers.get("x-amz-request-id")
    return code or None, message[:500], request_id or None


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class _Token:
    """The cached token file, parsed. ``data`` keeps every key (for the write-back)."""

    __slots__ = ("access_token", "data", "expires")

    def __init__(self, data: dict[str, Any], access_token: str, expires: datetime) -> None:
        self.data = data
        self.access_token = access_token
        self.expires = expires

    def __repr__(self) -> str:
        return f"_Token(expires={self.expires.isoformat()})"


class SsoSource(SourceBase):
    """Role credentials from IAM Identity Center for one profile (see the module doc).

    The constructor only reads ``ctx``; it raises :class:`InvalidConfigError` for an
    incomplete or inconsistent configuration, as botocore does when it loads the provider.
    """

    method = "sso"

    def __init__(self, ctx: SourceContext, profile_name: str) -> None:
        super().__init__(profile_name)
        self._ctx = ctx
        profile = ctx.config.profiles.get(profile_name, {})
        session_name = profile.get("sso_session")
        config = dict(profile)
        required: tuple[str, ...] = _PROFILE_REQUIRED + _SSO_REQUIRED
        if session_name is not None:
            session = ctx.config.sso_sessions.get(session_name)
            if session is None:
                raise InvalidConfigError(
                    f'The specified sso-session does not exist: "{session_name}"'
                )
            for key, value in session.items():
                if config.get(key, value) != value:
                    raise InvalidConfigError(
                        f"The value for {key} is inconsistent between profile "
                        f"({config[key]}) and sso-session ({value})."
                    )
                config[key] = value
            required += ("sso_session",)
        missing = [key for key in required if key not in config]
        if missing:
            raise InvalidConfigError(
                f'The profile "{profile_name}" is configured to use SSO but is missing '
                f"required configuration: {', '.join(missing)}"
            )
        if session_name is not None:
            # botocore's SSOTokenProvider reads the start URL and region from the section.
            session = ctx.config.sso_sessions[session_name]
            if not session:
                raise InvalidConfigError(
                    f'The profile "{profile_name}" is configured to use the SSO token '
                    f'provider but the "{session_name}" sso_session configuration does not '
                    "exist."
                )
            lacking = [key for key in _SSO_REQUIRED if key not in session]
            if lacking:
                raise InvalidConfigError(
                    f'The profile "{profile_name}" is configured to use the SSO token '
                    f"provider but is missing the following configuration: {lacking}."
                )
        region = config["sso_region"]
        if not _REGION.fullmatch(region):
            raise InvalidConfigError(
                f'The profile "{profile_name}" has sso_region {region!r}, which is not a '
                "valid region name"
            )
        self._session_name = session_name
        self._start_url = config["sso_start_url"]
        self._region = region
        self._role_name = config["sso_role_name"]
        self._account_id = config["sso_account_id"]
        from ._files import _expand_path

        folder = _expand_path(CACHE_DIR, ctx.environ)
        #: The token cache file this source reads (and, refreshing, rewrites).
        self.cache_file = os.path.join(folder, cache_key(self._start_url, session_name) + ".json")
        self._last_attempt: float | None = None

    # -- the flow --------------------------------------------------------------------------

    def flow(self) -> Flow[Keys | None]:
        token = yield from self._load_token()
        now = utcnow()
        if self._session_name is None:
            if token.expires <= now:
                raise self._unauthorized(
                    "The SSO session associated with this profile has expired (the cached "
                    f"token expired at {format_timestamp(token.expires)})"
                )
        else:
            if token.expires - now < REFRESH_WINDOW and self._may_attempt():
                refreshed = yield from self._refresh(token, now)
                if refreshed is not None:
                    token = refreshed
            if token.expires <= utcnow():
                raise self._unauthorized(
                    "The SSO session associated with this profile has expired (the cached "
                    f"token expired at {format_timestamp(token.expires)}) and could not be "
                    "refreshed"
                )
        keys = yield from self._role_credentials(token.access_token)
        return keys

    def _may_attempt(self) -> bool:
        now = monotonic()
        if self._last_attempt is not None and now - self._last_attempt < ATTEMPT_INTERVAL:
            logger.debug(
                "SSO token refresh for profile %r skipped: the last attempt was under %.0f s ago",
                self.profile,
                ATTEMPT_INTERVAL,
            )
            return False
        return True

    def _login_hint(self) -> str:
        return f"run aws sso login --profile {self.profile}"

    def _unauthorized(self, why: str, **details: Any) -> UnauthorizedSSOTokenError:
        return UnauthorizedSSOTokenError(
            f"{why}. To refresh this SSO session, {self._login_hint()}",
            provider=self.method,
            profile=self.profile,
            **details,
        )

    def _bad_cache(self, why: str) -> CredentialRetrievalError:
        return self.error(
            f"the SSO token cache file {self.cache_file} (for "
            f"{self._describe_key()}) {why}; to log in, {self._login_hint()}"
        )

    def _describe_key(self) -> str:
        if self._session_name is not None:
            return f"sso-session {self._session_name!r}"
        return f"start URL {self._start_url}"

    def _load_token(self) -> Flow[_Token]:
        logger.debug("Loading the cached SSO token from %s", self.cache_file)
        text = yield ReadFile(self.cache_file)
        if not isinstance(text, str):
            raise self._bad_cache("does not exist or cannot be read")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise self._bad_cache("is not a JSON object")
        if "accessToken" not in data or "expiresAt" not in data:
            raise self._bad_cache("is invalid: it lacks accessToken or expiresAt")
        access_token = _text(data["accessToken"])
        if access_token is None:
            raise self._bad_cache("is invalid: accessToken is not a non-empty string")
        if not _HEADER_SAFE.fullmatch(access_token):
            raise self._bad_cache("is invalid: accessToken holds characters outside ASCII")
        expires = parse_timestamp(data["expiresAt"])
        if expires is None:
            raise self._bad_cache("is invalid: expiresAt is not an RFC 3339 time")
        return _Token(data, access_token, expires)

    # -- SSO-OIDC CreateToken ---------------------------------------------------------------

    def _refreshable(self, token: _Token, now: datetime) -> tuple[str, str, str] | None:
        missing = [key for key in _REFRESH_KEYS if key not in token.data]
        if missing:
            logger.info("Unable to refresh SSO token: missing keys: %s", missing)
            return None
        refresh_token = _text(token.data["refreshToken"])
        client_id = _text(token.data["clientId"])
        client_secret = _text(token.data["clientSecret"])
        if refresh_token is None or client_id is None or client_secret is None:
            logger.info(
                "Unable to refresh SSO token: refreshToken, clientId or clientSecret in %s "
                "is not a non-empty string",
                self.cache_file,
            )
            return None
        registration = parse_timestamp(token.data["registrationExpiresAt"])
        if registration is None:
            logger.info(
                "Unable to refresh SSO token: registrationExpiresAt in %s is not an RFC 3339 time",
                self.cache_file,
            )
            return None
        if registration <= now:
            logger.info("SSO token registration expired at %s", registration.isoformat())
            return None
        return refresh_token, client_id, client_secret

    def _refresh(self, token: _Token, now: datetime) -> Flow[_Token | None]:
        """A new token through CreateToken, written back; ``None`` when there is none."""
        secrets = self._refreshable(token, now)
        if secrets is None:
            return None
        refresh_token, client_id, client_secret = secrets
        try:
            base = base_url(self._ctx, "SSO_OIDC", "oidc", self._region)
        except InvalidConfigError as exc:
            logger.warning("SSO token refresh failed: %s", exc)
            return None
        url = base + "/token"
        body = json.dumps(
            {
                "clientId": client_id,
                "clientSecret": client_secret,
                "grantType": "refresh_token",
                "refreshToken": refresh_token,
            }
        ).encode()
        request = HttpRequest(
            "POST",
            url,
            [("Content-Type", "application/json"), ("User-Agent", user_agent())],
            body,
            timeout=TIMEOUT,
            trust_env=True,
            max_body=MAX_BODY,
        )
        self._last_attempt = monotonic()
        answer = yield from send_with_retries(lambda _attempt: request, _retryable)
        problem: str
        if isinstance(answer, HttpFailure):
            problem = f"the CreateToken request to {url} failed: {answer.message}"
        elif answer.status != 200:
            code, message, request_id = _error_details(answer)
            problem = (
                f"An error occurred ({code or answer.status}) when calling the CreateToken "
                f"operation (HTTP {answer.status}, request id {request_id}): "
                f"{self._scrub(message, token.access_token, refresh_token, client_secret)}"
            )
        else:
            refreshed = self._new_token(token, answer.body)
            if refreshed is not None:
                logger.info("SSO Token refresh succeeded")
                failure = yield WriteFile(self.cache_file, json.dumps(refreshed.data), 0o600)
                if failure is not None:
                    logger.warning(
                        "The refreshed SSO token could not be written to %s (%s); using it for "
                        "this fetch only",
                        self.cache_file,
                        failure,
                    )
                return refreshed
            problem = (
                f"the CreateToken answer from {url} is not a JSON object with accessToken "
                "and a positive expiresIn"
            )
        logger.warning(
            "SSO token refresh attempt failed for profile %r (%s); %s",
            self.profile,
            problem,
            "keeping the cached token" if token.expires > utcnow() else "the cached token expired",
        )
        return None

    def _new_token(self, token: _Token, body: bytes) -> _Token | None:
        answer = _json_object(body)
        if answer is None:
            return None
        access_token = _text(answer.get("accessToken"))
        expires_in = answer.get("expiresIn")
        if (
            access_token is None
            or not _HEADER_SAFE.fullmatch(access_token)
            or isinstance(expires_in, bool)
            or not isinstance(expires_in, int)
            or expires_in <= 0
        ):
            return None
        try:
            expires = utcnow() + timedelta(seconds=expires_in)
        except OverflowError:
            return None
        data = dict(token.data)
        data["startUrl"] = self._start_url
        data["region"] = self._region
        data["accessToken"] = access_token
        data["expiresAt"] = format_timestamp(expires)
        refresh_token = _text(answer.get("refreshToken"))
        if refresh_token is not None:
            data["refreshToken"] = refresh_token
        return _Token(data, access_token, expires)

    # -- SSO GetRoleCredentials -------------------------------------------------------------

    def _role_credentials(self, access_token: str) -> Flow[Keys]:
        base = base_url(self._ctx, "SSO", "portal.sso", self._region)
        query = (
            f"role_name={quote(self._role_name, safe='-_.~')}"
            f"&account_id={quote(self._account_id, safe='-_.~')}"
        )
        url = f"{base}/federation/credentials?{query}"
        request = HttpRequest(
            "GET",
            url,
            [(BEARER_HEADER, access_token), ("User-Agent", user_agent())],
            timeout=TIMEOUT,
            trust_env=True,
            secret_headers=frozenset({BEARER_HEADER}),
            max_body=MAX_BODY,
        )
        answer = yield from send_with_retries(lambda _attempt: request, _retryable)
        if isinstance(answer, HttpFailure):
            raise self.error(f"the GetRoleCredentials request to {url} failed: {answer.message}")
        if answer.status != 200:
            code, message, request_id = _error_details(answer)
            message = self._scrub(message, access_token)
            details: dict[str, Any] = {
                "code": code,
                "status_code": answer.status,
                "request_id": request_id,
            }
            if code == "UnauthorizedException" or (code is None and answer.status == 401):
                raise self._unauthorized(
                    "The SSO session associated with this profile has expired or is otherwise "
                    f"invalid: GetRoleCredentials refused the cached token ({code or 'HTTP 401'}"
                    f"{': ' + message if message else ''})",
                    **details,
                )
            raise self.error(
                f"An error occurred ({code or answer.status}) when calling the "
                f"GetRoleCredentials operation (HTTP {answer.status}, request id "
                f"{request_id}): {message}",
                **details,
            )
        return self._parse_role_credentials(answer, url)

    def _parse_role_credentials(self, answer: HttpResponse, url: str) -> Keys:
        body = _json_object(answer.body)
        role = body.get("roleCredentials") if body is not None else None
        role = role if isinstance(role, dict) else {}
        access_key = _text(role.get("accessKeyId"))
        secret_key = _text(role.get("secretAccessKey"))
        token = _text(role.get("sessionToken"))
        expiration = role.get("expiration")
        problem = None
        expiry = None
        if access_key is None or secret_key is None or token is None:
            problem = "has no roleCredentials with accessKeyId, secretAccessKey and sessionToken"
        elif isinstance(expiration, bool) or not isinstance(expiration, int | float):
            problem = "has no expiration in epoch milliseconds"
        else:
            try:
                # botocore: milliseconds / 1000, then "%Y-%m-%dT%H:%M:%SZ" (whole seconds).
                expiry = datetime.fromtimestamp(expiration / 1000.0, UTC).replace(microsecond=0)
            except (OverflowError, OSError, ValueError):
                problem = "has an expiration out of range"
        if problem is None and access_key is not None and secret_key is not None:
            try:
                return Keys(
                    access_key, secret_key, token, expiry=expiry, account_id=self._account_id
                )
            except (TypeError, ValueError) as exc:
                problem = f"has unusable keys ({exc})"
        raise self.error(
            f"the GetRoleCredentials answer from {url} {problem}",
            status_code=answer.status,
            request_id=answer.headers.get("x-amzn-requestid"),
        )

    # -- shared -----------------------------------------------------------------------------

    @staticmethod
    def _scrub(message: str, *secrets: str) -> str:
        for secret in secrets:
            if secret:
                message = message.replace(secret, "***")
        return message
