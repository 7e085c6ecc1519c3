"""``SigV4Auth``: SigV4 signing of ``httpx.Request`` values, and an ``httpx.Auth``.

One ``auth_flow`` serves ``httpx.Client`` and ``httpx.AsyncClient`` alike (httpx reads the
body first because ``requires_request_body`` is set). The signing itself is ``Signer``'s
(``trentclient._signer``), which the clients use without httpx's request objects. No I/O
happens here.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from . import _sigv4
from ._signer import SIGNING_EXTENSION, Signer, host_of

if TYPE_CHECKING:
    from ._signer import _KeyPair

__all__ = ["SIGNING_EXTENSION", "SigV4Auth", "host_of"]

_REPLACED = frozenset({"authorization", "x-amz-date", "x-amz-security-token"})
_REPLACED_WITH_HASH = _REPLACED | {"x-amz-content-sha256"}
_REPLACED_BYTES = frozenset(name.encode() for name in _REPLACED)
_REPLACED_BYTES_WITH_HASH = frozenset(name.encode() for name in _REPLACED_WITH_HASH)


class SigV4Auth(Signer, httpx.Auth):
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

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self.sign(request)


def _encode_value(value: str) -> bytes:
    try:
        return value.encode("ascii")
    except UnicodeEncodeError:
        return value.encode("utf-8")
