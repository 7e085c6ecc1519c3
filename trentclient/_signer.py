"""``Signer``: SigV4 signing of a request's parts (method, URL, header list, body).

What the clients sign with, and the base of ``SigV4Auth`` (``trentclient._auth``), the
``httpx.Auth`` that signs ``httpx.Request`` values with it. Nothing here imports httpx:
the URL is an ``httpx.URL`` or an ``EndpointURL`` (``trentclient._url``), whose parts have
the same names. No I/O happens here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from . import _sigv4

if TYPE_CHECKING:
    import httpx

    from ._credentials import CredentialProvider
    from ._credvalue import Credentials
    from ._url import EndpointURL

__all__ = ["SIGNING_EXTENSION", "Signer", "host_of"]


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

#: Canonical header blocks kept per signer (a few operations' worth; cleared when full).
_CANONICAL_MAX = 32


def _utcnow() -> datetime:
    return datetime.now(UTC)


_real_utcnow = _utcnow
_time = time.time  # the clock datetime.now reads
_amz_cache: tuple[int, str] = (-1, "")


def _current_amz_date() -> str:
    """``X-Amz-Date`` for now, formatted once per second."""
    global _amz_cache
    if _utcnow is _real_utcnow:  # (tests replace _utcnow) the second, without a datetime
        cached = _amz_cache
        if cached[0] == int(_time()):
            return cached[1]
    moment = _utcnow()
    second = int(moment.timestamp())
    cached = _amz_cache
    if cached[0] != second:
        cached = (second, _sigv4.amz_date(moment))
        _amz_cache = cached
    return cached[1]


class Signer:
    """SigV4 signing (header-based, non-S3 rules) of a request's parts: see ``SigV4Auth``,
    which adds the signing of an ``httpx.Request`` and documents the arguments."""

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
        self._url_parts: tuple[httpx.URL | EndpointURL, str, str] | None = None
        self._canonical: dict[tuple[tuple[str, str], ...], tuple[str, str]] = {}
        #: ``_signed_part`` of the header lists signed lately (those holding the host).
        self._bases: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(region={self.region!r}, service={self.service!r})"

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

    def signing_headers(
        self,
        method: str,
        url: httpx.URL | EndpointURL,
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
        tail = [("x-amz-date", amz_datetime)]
        token = creds.token
        if token:
            added.append(("X-Amz-Security-Token", token))
            tail.append(("x-amz-security-token", token))
        if self.sign_content_sha256:
            added.append(("X-Amz-Content-SHA256", payload_hash))
            tail.append(("x-amz-content-sha256", payload_hash))

        # The signed part of the caller's headers (lower-cased names, unsigned ones left
        # out) is a pure function of them when they hold the host: made once per list (a
        # client sends the same four per operation).
        headers_key = tuple(headers)
        base = self._bases.get(headers_key)
        if base is None:
            base, has_host = self._signed_part(headers)
            if has_host:
                if len(self._bases) >= _CANONICAL_MAX:
                    self._bases.clear()
                self._bases[headers_key] = base
            else:
                base += (("host", host_of(url)),)
        to_sign = base + tuple(tail)

        parts = self._url_parts
        if parts is None or parts[0] is not url:
            path, _, query = url.raw_path.decode("ascii").partition("?")
            parts = self._url_parts = (url, path, query)
        path, query = parts[1], parts[2]
        # The canonical header block of the same headers and values (the same client's
        # calls within the same second) is made once: a pure function of them.
        canonical = self._canonical.get(to_sign)
        if canonical is None:
            canonical = _sigv4.canonical_headers(to_sign)
            if len(self._canonical) >= _CANONICAL_MAX:
                self._canonical.clear()
            self._canonical[to_sign] = canonical
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

    def _signed_part(
        self, headers: Iterable[tuple[str, str]]
    ) -> tuple[tuple[tuple[str, str], ...], bool]:
        """The headers to sign among ``headers`` (names lower-cased), and whether the host
        is among them."""
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
        return tuple(to_sign), has_host


def host_of(url: httpx.URL | EndpointURL) -> str:
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
