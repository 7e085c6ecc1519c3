"""``SigV4Auth``: SigV4 signing of ``httpx.Request`` values, and an ``httpx.Auth``.

One ``auth_flow`` serves ``httpx.Client`` and ``httpx.AsyncClient`` alike (httpx reads the
body first because ``requires_request_body`` is set). No I/O happens here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

import httpx

from . import _sigv4

if TYPE_CHECKING:
    from ._credentials import CredentialProvider
    from ._credvalue import Credentials

__all__ = ["SigV4Auth"]


class _KeyPair(Protocol):
    """What signing reads: a ``Credentials`` value, or a provider with fixed keys."""

    @property
    def access_key(self) -> str: ...
    @property
    def secret_key(self) -> str: ...
    @property
    def token(self) -> str | None: ...


#: ``request.extensions`` key under which trentclient keeps what it signed (a
#: ``SigningResult``), so ``trentclient.testing.verify_signature`` can show a real diff.
SIGNING_EXTENSION = "trentclient.sigv4"

_REPLACED = frozenset({"authorization", "x-amz-date", "x-amz-security-token"})
_REPLACED_WITH_HASH = _REPLACED | {"x-amz-content-sha256"}
_REPLACED_BYTES = frozenset(name.encode() for name in _REPLACED)
_REPLACED_BYTES_WITH_HASH = frozenset(name.encode() for name in _REPLACED_WITH_HASH)


#: Canonical header blocks kept per signer (a few operations' worth; cleared when full).
_CANONICAL_MAX = 32


def _utcnow() -> datetime:
    return datetime.now(UTC)


_amz_cache: tuple[int, str] = (-1, "")


def _current_amz_date() -> str:
    """``X-Amz-Date`` for now, formatted once per second."""
    global _amz_cache
    moment = _utcnow()
    second = int(moment.timestamp())
    cached = _amz_cache
    if cached[0] != second:
        cached = (second, _sigv4.amz_date(moment))
        _amz_cache = cached
    return cached[1]


class SigV4Auth(httpx.Auth):
    """Sign requests with AWS Signature Version 4 (header-based, non-S3 rules).

    ``credentials`` is a ``Credentials`` value or any object with ``get_credentials()``
    (asked once per signature, so refreshing providers work). By default every header on
    the request is signed except those in ``UNSIGNED_HEADERS`` (authorization, user-agent,
    content-length, expect, transfer-encoding, connection, x-amzn-trace-id); ``host`` is
    always signed. ``sign_content_sha256=True`` adds a signed ``X-Amz-Content-SHA256``.

    Args:
        credentials: the keys, or a credential provider asked at each signature.
        region: the region requests are signed for (``"us-east-1"``).
        service: the service's signing name.
        sign_content_sha256: also sign an ``X-Amz-Content-SHA256`` header.
        unsigned_headers: header names left out of the signature (``host``,
            ``x-amz-date`` and the token header are always signed).

    Raises:
        ValueError: an empty ``region`` or ``service``.
    """

    requires_request_body = True

    def __init__(
        self,
        credentials: Credentials | CredentialProvider,
        region: str,
        service: str = "kms",
        *,
        sign_content_sha256: bool = False,
        unsigned_headers: Iterable[str] = _sigv4.UNSIGNED_HEADERS,
    ) -> None:
        if not region or not isinstance(region, str):
            raise ValueError("SigV4Auth needs a region, e.g. 'us-east-1'")
        if not service or not isinstance(service, str):
            raise ValueError("SigV4Auth needs a service signing name, e.g. 'kms'")
        self._credentials = credentials
        # A Credentials value, or a provider whose keys never change (``fixed_keys``, as
        # StaticCredentialProvider): read directly, without asking for a value per request.
        fixed = not hasattr(credentials, "get_credentials") or getattr(
            credentials, "fixed_keys", False
        )
        self._fixed: _KeyPair | None = credentials if fixed else None  # type: ignore[assignment]
        self.region = region
        self.service = service
        self.sign_content_sha256 = sign_content_sha256
        # x-amz-date and the token are always signed; authorization never is.
        self._unsigned = (frozenset(h.lower() for h in unsigned_headers) | {"authorization"}) - {
            "x-amz-date",
            "x-amz-security-token",
            "host",
        }

        #: The request-line path and query of the last URL signed (the clients sign one).
        self._url_parts: tuple[httpx.URL, str, str] | None = None
        self._canonical: dict[tuple[tuple[str, str], ...], tuple[str, str]] = {}

    def __repr__(self) -> str:
        return f"SigV4Auth(region={self.region!r}, service={self.service!r})"

    def _get_credentials(self) -> _KeyPair:
        fixed = self._fixed
        if fixed is not None:
            return fixed
        provider = self._credentials
        get_keys = getattr(provider, "get_keys", None)  # refreshing providers: no attrs value
        if get_keys is not None:
            keys: _KeyPair = get_keys()
            return keys
        resolved: Credentials = provider.get_credentials()  # type: ignore[union-attr]
        return resolved

    def sign(self, request: httpx.Request, *, now: datetime | None = None) -> httpx.Request:
        """Sign ``request`` in place and return it.

        Adds ``X-Amz-Date``, ``X-Amz-Security-Token`` (with a session token) and
        ``Authorization``, replacing any earlier ones, so a request can be signed again.
        ``now`` defaults to the current UTC time. The body must already be read.

        Args:
            request: the request to sign (its body read).
            now: the signing time (default: now).

        Returns:
            ``request``, signed.

        Raises:
            ValueError: the request's body was not read yet.
            NoCredentialsError: the credential provider has no credentials (and the other
                errors of the provider, such as ``CredentialRetrievalError``).
        """
        self.sign_with_details(request, now=now)
        return request

    def sign_with_details(
        self,
        request: httpx.Request,
        *,
        now: datetime | None = None,
        credentials: _KeyPair | None = None,
    ) -> _sigv4.SigningResult:
        """Like ``sign``, but return the canonical request, string to sign and signature.

        ``credentials`` overrides the provider for this one signature (the async client
        fetches them without blocking first).

        Args:
            request: the request to sign (its body read).
            now: the signing time (default: now).
            credentials: the keys for this signature, instead of the provider's.

        Returns:
            The ``SigningResult``: ``authorization``, ``amz_date``, ``signature``,
            ``canonical_request`` and ``string_to_sign``.

        Raises:
            ValueError: the request's body was not read yet.
            NoCredentialsError: as in ``sign``.
        """
        try:
            body = request.content
        except httpx.RequestNotRead:
            raise ValueError(
                "SigV4Auth.sign needs the request body: call request.read() first "
                "(httpx does this itself when SigV4Auth is used as auth=)"
            ) from None
        headers = request.headers
        replaced = _REPLACED_WITH_HASH if self.sign_content_sha256 else _REPLACED
        items = getattr(headers, "_list", None)
        if type(items) is list and all(len(item) == 3 for item in items[:1]):
            # httpx keeps (raw name, lower name, value) byte triples; editing that list
            # directly is several times faster than Headers' __contains__/__delitem__/
            # __setitem__, which each scan and re-encode. Other layouts use the public API.
            drop = _REPLACED_BYTES_WITH_HASH if self.sign_content_sha256 else _REPLACED_BYTES
            kept = [item for item in items if item[1] not in drop]
            pairs = [
                (raw.decode("latin-1"), value.decode("utf-8", "surrogateescape"))
                for raw, _, value in kept
            ]
            added, result = self.signing_headers(
                request.method, request.url, pairs, body, now=now, credentials=credentials
            )
            for name, value in added:
                raw_name = name.encode("ascii")
                kept.append((raw_name, raw_name.lower(), _encode_value(value)))
            items[:] = kept
        else:  # pragma: no cover - a future httpx with another Headers layout
            for name in replaced:
                if name in headers:
                    del headers[name]
            pairs = [
                (name.decode("latin-1"), value.decode("utf-8", "surrogateescape"))
                for name, value in headers.raw
            ]
            added, result = self.signing_headers(
                request.method, request.url, pairs, body, now=now, credentials=credentials
            )
            for name, value in added:
                headers[name] = value
        request.extensions[SIGNING_EXTENSION] = result
        return result

    def signing_headers(
        self,
        method: str,
        url: httpx.URL,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        now: datetime | None = None,
        credentials: _KeyPair | None = None,
    ) -> tuple[list[tuple[str, str]], _sigv4.SigningResult]:
        """The headers signing adds to a request, in order, and the signing details.

        ``headers`` are the request's ``(name, value)`` pairs without any earlier signing
        headers. The result holds ``X-Amz-Date``, ``X-Amz-Security-Token`` (with a token),
        ``X-Amz-Content-SHA256`` (when enabled) and ``Authorization``. ``sign`` uses this on
        an ``httpx.Request``; the clients use it on the headers they are about to send.

        Args:
            method: the HTTP method.
            url: the request's URL.
            headers: the request's headers, as above.
            body: the request's body.
            now: the signing time (default: now).
            credentials: the keys for this signature, instead of the provider's.

        Returns:
            The headers to add, and the ``SigningResult``.

        Raises:
            NoCredentialsError: as in ``sign``.
        """
        creds: _KeyPair = credentials if credentials is not None else self._get_credentials()
        amz_datetime = _sigv4.amz_date(now) if now is not None else _current_amz_date()
        payload_hash = hashlib.sha256(body).hexdigest()
        added = [("X-Amz-Date", amz_datetime)]
        if creds.token:
            added.append(("X-Amz-Security-Token", creds.token))
        if self.sign_content_sha256:
            added.append(("X-Amz-Content-SHA256", payload_hash))

        unsigned = self._unsigned
        to_sign: list[tuple[str, str]] = []
        has_host = False
        for name, value in headers:
            lname = name.lower()
            if lname in unsigned:
                continue
            if lname == "host":
                has_host = True
            to_sign.append((lname, value))
        if not has_host:
            to_sign.append(("host", host_of(url)))
        to_sign.extend((name.lower(), value) for name, value in added)

        parts = self._url_parts
        if parts is None or parts[0] is not url:
            path, _, query = url.raw_path.decode("ascii").partition("?")
            parts = self._url_parts = (url, path, query)
        path, query = parts[1], parts[2]
        # The canonical header block of the same headers and values (the same client's
        # calls within the same second) is made once: a pure function of them.
        key = tuple(to_sign)
        canonical = self._canonical.get(key)
        if canonical is None:
            canonical = _sigv4.canonical_headers(to_sign)
            if len(self._canonical) >= _CANONICAL_MAX:
                self._canonical.clear()
            self._canonical[key] = canonical
        result = _sigv4.sign(
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            region=self.region,
            service=self.service,
            method=method,
            path=path,
            query=query,
            headers=to_sign,
            payload_hash=payload_hash,
            amz_datetime=amz_datetime,
            canonical=canonical,
        )
        added.append(("Authorization", result.authorization))
        return added, result

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self.sign(request)


def _encode_value(value: str) -> bytes:
    try:
        return value.encode("ascii")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def host_of(url: httpx.URL) -> str:
    """The ``host`` value to sign: lower-case host, port kept unless it is the default."""
    # raw_host is the wire form (IDNA "xn--" labels); url.host would be the Unicode form.
    host = url.raw_host.decode("ascii")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = url.port
    if port is not None and not (
        (url.scheme == "https" and port == 443) or (url.scheme == "http" and port == 80)
    ):
        return f"{host}:{port}"
    return host
