"""AWS Signature Version 4, as pure functions (no I/O, no httpx, no clock).

The signer works on the request as it goes on the wire: ``path`` and ``query`` are the
percent-encoded strings of the request line. For services other than S3 the canonical URI
is that path with dot segments and repeated slashes removed, URI-encoded once more (AWS's
"encode each segment twice"); the canonical query decodes every key and value, encodes
them with the unreserved set and sorts by key, then value.

``now`` is always an argument: callers pass the clock in, so signing is reproducible.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote_to_bytes

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "UNSIGNED_HEADERS",
    "SigningResult",
    "amz_date",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "hmac_sha256_hex",
    "signing_key",
    "sign",
    "string_to_sign",
]

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

#: Headers never signed by default: hop-by-hop headers and those proxies or the HTTP
#: layer may rewrite after signing.
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "user-agent",
        "content-length",
        "expect",
        "transfer-encoding",
        "connection",
        "x-amzn-trace-id",
    }
)

_UNRESERVED = "-_.~"
_sha256 = hashlib.sha256


def amz_date(now: datetime) -> str:
    """``X-Amz-Date`` for ``now`` (naive datetimes are taken as UTC)."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return now.strftime("%Y%m%dT%H%M%SZ")


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, plus AWS's removal of empty segments (repeated slashes).
    out: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if out:
                out.pop()
        else:
            out.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and out else ""
    return first + "/".join(out) + last


def canonical_uri(path: str) -> str:
    """Canonical URI of the request-line ``path`` (non-S3 rules)."""
    if path == "/" or not path:
        return "/"
    return quote(_remove_dot_segments(path), safe="/~")


def canonical_query(query: str) -> str:
    """Canonical query string of the request-line ``query`` (no leading ``?``)."""
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        key, _, value = part.partition("=")
        # Decode to bytes, not str: ``unquote`` would turn every invalid UTF-8 escape
        # (``%FF``, ``%FE``...) into U+FFFD, so distinct queries would sign the same.
        pairs.append(
            (
                quote(unquote_to_bytes(key), safe=_UNRESERVED),
                quote(unquote_to_bytes(value), safe=_UNRESERVED),
            )
        )
    pairs.sort()
    return "&".join(f"{k}={v}" for k, v in pairs)


def canonical_headers(headers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """``(canonical header block, signed header list)`` from ``(name, value)`` pairs.

    Names are lower-cased and sorted; values trimmed with inner runs of white space folded
    to one space; a repeated header's values are joined with ``,`` in arrival order.
    The caller has already left out the headers it does not sign.
    """
    grouped: dict[str, str] = {}
    for name, value in headers:
        lname = name.lower()
        # Fold white space only when there is something to fold (the common case is not):
        # every white space character but the plain space is non-printable for Python.
        if "  " in value or value[:1] == " " or value[-1:] == " " or not value.isprintable():
            value = " ".join(value.split())
        if lname in grouped:
            grouped[lname] += "," + value
        else:
            grouped[lname] = value
    names = sorted(grouped)
    block = "".join([f"{n}:{grouped[n]}\n" for n in names])
    return block, ";".join(names)


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Iterable[tuple[str, str]],
    payload_hash: str,
    *,
    canonical: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """``(canonical request, signed header list)``.

    ``canonical``: ``canonical_headers(headers)`` when the caller has it already (it must
    be exactly that; ``headers`` is not read then).
    """
    block, signed = canonical_headers(headers) if canonical is None else canonical
    creq = (
        f"{method.upper()}\n{canonical_uri(path)}\n{canonical_query(query)}\n"
        f"{block}\n{signed}\n{payload_hash}"
    )
    return creq, signed


def string_to_sign(amz_datetime: str, scope: str, creq: str) -> str:
    """The string to sign for a canonical request."""
    digest = _sha256(creq.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{ALGORITHM}\n{amz_datetime}\n{scope}\n{digest}"


_KEY_CACHE: dict[tuple[str, str, str, str], bytes] = {}
_KEY_CACHE_MAX = 64
#: HMAC-SHA256's inner and outer hash states after the padded key, per signing key (RFC 2104):
#: copying them is less than half the cost of ``hmac.digest`` per signature.
_PADS: dict[bytes, tuple[Any, Any]] = {}
_BLOCK = 64  # SHA-256's block size
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def hmac_sha256_hex(key: bytes, data: bytes) -> str:
    """``hmac.digest(key, data, "sha256").hex()``, with the key's padded states kept."""
    pads = _PADS.get(key)
    if pads is None:
        padded = (key if len(key) <= _BLOCK else _sha256(key).digest()).ljust(_BLOCK, b"\0")
        pads = (_sha256(padded.translate(_IPAD)), _sha256(padded.translate(_OPAD)))
        if len(_PADS) >= _KEY_CACHE_MAX:
            _PADS.clear()
        _PADS[key] = pads
    inner = pads[0].copy()
    inner.update(data)
    outer = pads[1].copy()
    outer.update(inner.digest())
    return str(outer.hexdigest())


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The derived signing key, cached per (secret, date, region, service)."""
    cache_key = (secret_key, date, region, service)
    key = _KEY_CACHE.get(cache_key)
    if key is None:
        k = hmac.digest(("AWS4" + secret_key).encode("utf-8"), date.encode("utf-8"), "sha256")
        k = hmac.digest(k, region.encode("utf-8"), "sha256")
        k = hmac.digest(k, service.encode("utf-8"), "sha256")
        key = hmac.digest(k, b"aws4_request", "sha256")
        if len(_KEY_CACHE) >= _KEY_CACHE_MAX:
            _KEY_CACHE.clear()
        _KEY_CACHE[cache_key] = key
    return key


class SigningResult:
    """What signing produced: the header values to add, and the intermediate texts."""

    __slots__ = ("amz_date", "authorization", "canonical_request", "signature", "string_to_sign")

    def __init__(
        self,
        amz_date: str,
        authorization: str,
        signature: str,
        canonical_request: str,
        string_to_sign: str,
    ) -> None:
        self.amz_date: str = amz_date
        self.authorization: str = authorization
        self.signature: str = signature
        self.canonical_request: str = canonical_request
        self.string_to_sign: str = string_to_sign

    def __repr__(self) -> str:
        return f"SigningResult(amz_date={self.amz_date!r}, signature=<redacted>)"


def sign(
    *,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
    method: str,
    path: str,
    query: str,
    headers: Sequence[tuple[str, str]],
    payload_hash: str,
    amz_datetime: str,
    canonical: tuple[str, str] | None = None,
) -> SigningResult:
    """Sign a request whose signed headers (``X-Amz-Date`` and any token included) are given.

    ``headers`` must already hold every header to sign, ``host`` and ``x-amz-date`` among
    them; nothing is filtered here. ``canonical``: ``canonical_headers(headers)``, when the
    caller has it already.
    """
    creq, signed = canonical_request(
        method, path, query, headers, payload_hash, canonical=canonical
    )
    date = amz_datetime[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    sts = string_to_sign(amz_datetime, scope, creq)
    key = signing_key(secret_key, date, region, service)
    signature = hmac_sha256_hex(key, sts.encode("utf-8"))
    authorization = (
        f"{ALGORITHM} Credential={access_key}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return SigningResult(amz_datetime, authorization, signature, creq, sts)
