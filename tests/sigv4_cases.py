"""SigV4 signer cases: AWS's public SigV4 test-suite vectors and some extra cases.

The ``authorization`` (and some ``canonical_request``) values of the ``OFFICIAL`` cases are
public constants from the AWS SigV4 test suite (the copy botocore ships in
``tests/unit/auth/aws4_testsuite``, Apache-2.0), copied here by hand as literals. The tests
never read that suite from disk.

``path`` and ``query`` are what the request line holds. A few official cases have raw
UTF-8 or a space there (``get-utf8``, ``get-space``, ``get-vanilla-utf8-query``). httpx
never sends those bytes; it percent-encodes them first.
``params`` holds the same query decoded into ``(key, value)`` pairs, written out by hand.
botocore gets these pairs; it does not parse our query string.
``headers`` are the headers besides ``Host`` and ``X-Amz-Date``, in request order.

The second half is the botocore oracle the differential tests share: it signs with the real
``botocore.auth.SigV4Auth`` under a frozen clock.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import httpx

if TYPE_CHECKING:
    from trentclient._credvalue import Credentials
    from trentclient._sigv4 import SigningResult

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AMZ_DATE = "20150830T123600Z"
REGION = "us-east-1"
SERVICE = "service"
HOST = "example.amazonaws.com"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

SESSION_TOKEN = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
STS_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMic"
    "RXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampK"
    "sburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0"
    "u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)

_SCOPE = f"Credential={ACCESS_KEY}/20150830/{REGION}/{SERVICE}/aws4_request"


def _authz(signed_headers: str, signature: str) -> str:
    return f"AWS4-HMAC-SHA256 {_SCOPE}, SignedHeaders={signed_headers}, Signature={signature}"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    query: str = ""
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    token: str | None = None
    host: str = HOST
    #: Expected ``Authorization`` (the official vectors only).
    authorization: str | None = None
    #: Expected canonical request, where it is worth checking on its own.
    canonical_request: str | None = None

    def __str__(self) -> str:
        return self.name


_H1 = "host;my-header1;x-amz-date"
_HD = "host;x-amz-date"
_VANILLA = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
_FORM = (("Content-Type", "application/x-www-form-urlencoded"),)
_FORM_UTF8 = (("Content-Type", "application/x-www-form-urlencoded; charset=utf8"),)

OFFICIAL: tuple[Case, ...] = (
    # -- vanilla ----------------------------------------------------------------------------
    Case("get-vanilla", "GET", "/", authorization=_authz(_HD, _VANILLA)),
    Case(
        "post-vanilla",
        "POST",
        "/",
        authorization=_authz(
            _HD, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ),
    ),
    Case(
        "post-header-key-case",
        "POST",
        "/",
        authorization=_authz(
            _HD, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ),
    ),
    # -- headers ----------------------------------------------------------------------------
    Case(
        "post-header-key-sort",
        "POST",
        "/",
        headers=(("My-Header1", "value1"),),
        authorization=_authz(
            _H1, "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"
        ),
    ),
    Case(
        "post-header-value-case",
        "POST",
        "/",
        headers=(("My-Header1", "VALUE1"),),
        authorization=_authz(
            _H1, "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"
        ),
    ),
    Case(
        "get-header-key-duplicate",
        "GET",
        "/",
        headers=(("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")),
        authorization=_authz(
            _H1, "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
        ),
        canonical_request=(
            "GET\n/\n\n"
            "host:example.amazonaws.com\n"
            "my-header1:value2,value2,value1\n"
            "x-amz-date:20150830T123600Z\n\n"
            "host;my-header1;x-amz-date\n" + EMPTY_SHA256
        ),
    ),
    Case(
        "get-header-value-order",
        "GET",
        "/",
        headers=(
            ("My-Header1", "value4"),
            ("My-Header1", "value1"),
            ("My-Header1", "value3"),
            ("My-Header1", "value2"),
        ),
        authorization=_authz(
            _H1, "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"
        ),
    ),
    Case(
        "get-header-value-trim",
        "GET",
        "/",
        headers=(("My-Header1", " value1"), ("My-Header2", ' "a   b   c"')),
        authorization=_authz(
            "host;my-header1;my-header2;x-amz-date",
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
        ),
        canonical_request=(
            "GET\n/\n\n"
            "host:example.amazonaws.com\n"
            "my-header1:value1\n"
            'my-header2:"a b c"\n'
            "x-amz-date:20150830T123600Z\n\n"
            "host;my-header1;my-header2;x-amz-date\n" + EMPTY_SHA256
        ),
    ),
    Case(
        # An obs-fold continuation: the value holds line breaks and indentation.
        "get-header-value-multiline",
        "GET",
        "/",
        headers=(("My-Header1", "value1\n  value2\n     value3"),),
        authorization=_authz(
            _H1, "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd"
        ),
    ),
    # -- session tokens ---------------------------------------------------------------------
    Case(
        # The token is not on the request: the signer adds it and signs it.
        "get-vanilla-with-session-token",
        "GET",
        "/",
        token=SESSION_TOKEN,
        authorization=_authz(
            "host;x-amz-date;x-amz-security-token",
            "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
        ),
    ),
    Case(
        "post-sts-header-before",
        "POST",
        "/",
        token=STS_TOKEN,
        authorization=_authz(
            "host;x-amz-date;x-amz-security-token",
            "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
        ),
    ),
    # -- bodies -----------------------------------------------------------------------------
    Case(
        "post-x-www-form-urlencoded",
        "POST",
        "/",
        headers=_FORM,
        body=b"Param1=value1",
        authorization=_authz(
            "content-type;host;x-amz-date",
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        ),
        canonical_request=(
            "POST\n/\n\n"
            "content-type:application/x-www-form-urlencoded\n"
            "host:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        ),
    ),
    Case(
        "post-x-www-form-urlencoded-parameters",
        "POST",
        "/",
        headers=_FORM_UTF8,
        body=b"Param1=value1",
        authorization=_authz(
            "content-type;host;x-amz-date",
            "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
        ),
    ),
    # -- queries ----------------------------------------------------------------------------
    Case(
        "get-vanilla-query-order-key-case",
        "GET",
        "/",
        query="Param2=value2&Param1=value1",
        params=(("Param2", "value2"), ("Param1", "value1")),
        authorization=_authz(
            _HD, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ),
    ),
    Case(
        # Repeated keys: botocore's own driver skips this one (its dict drops duplicates).
        "get-vanilla-query-order-key",
        "GET",
        "/",
        query="Param1=value2&Param1=Value1",
        params=(("Param1", "value2"), ("Param1", "Value1")),
        authorization=_authz(
            _HD, "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"
        ),
    ),
    Case(
        "get-vanilla-query-order-value",
        "GET",
        "/",
        query="Param1=value2&Param1=value1",
        params=(("Param1", "value2"), ("Param1", "value1")),
        authorization=_authz(
            _HD, "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"
        ),
    ),
    Case(
        "get-vanilla-query-order-encoded",
        "GET",
        "/",
        query="Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
        params=(("Param-3", "Value3"), ("Param", "Value2"), ("\u1234", "Value1")),
        authorization=_authz(
            _HD, "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"
        ),
        canonical_request=(
            "GET\n/\n"
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3\n"
            "host:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" + EMPTY_SHA256
        ),
    ),
    Case(
        "get-vanilla-query-unreserved",
        "GET",
        "/",
        query=(
            "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            "=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        ),
        params=(
            (
                "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            ),
        ),
        authorization=_authz(
            _HD, "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"
        ),
    ),
    Case(
        # Raw UTF-8 in the request line's query.
        "get-vanilla-utf8-query",
        "GET",
        "/",
        query="\u1234=bar",
        params=(("\u1234", "bar"),),
        authorization=_authz(
            _HD, "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"
        ),
    ),
    Case(
        "get-vanilla-empty-query-key",
        "GET",
        "/",
        query="Param1=value1",
        params=(("Param1", "value1"),),
        authorization=_authz(
            _HD, "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"
        ),
    ),
    Case(
        "post-vanilla-query",
        "POST",
        "/",
        query="Param1=value1",
        params=(("Param1", "value1"),),
        authorization=_authz(
            _HD, "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"
        ),
    ),
    # -- paths ------------------------------------------------------------------------------
    Case(
        "get-unreserved",
        "GET",
        "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        authorization=_authz(
            _HD, "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"
        ),
    ),
    Case(
        # Raw UTF-8 on the request line, so the canonical URI is encoded only once.
        "get-utf8",
        "GET",
        "/\u1234",
        authorization=_authz(
            _HD, "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"
        ),
        canonical_request=(
            "GET\n/%E1%88%B4\n\n"
            "host:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" + EMPTY_SHA256
        ),
    ),
    Case(
        # A raw space on the request line (botocore's own driver cannot parse this one).
        "get-space",
        "GET",
        "/example space/",
        authorization=_authz(
            _HD, "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"
        ),
        canonical_request=(
            "GET\n/example%20space/\n\n"
            "host:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" + EMPTY_SHA256
        ),
    ),
    Case("get-relative", "GET", "/example/..", authorization=_authz(_HD, _VANILLA)),
    Case(
        "get-relative-relative",
        "GET",
        "/example1/example2/../..",
        authorization=_authz(_HD, _VANILLA),
    ),
    Case("get-slash", "GET", "//", authorization=_authz(_HD, _VANILLA)),
    Case("get-slash-dot-slash", "GET", "/./", authorization=_authz(_HD, _VANILLA)),
    Case(
        "get-slash-pointless-dot",
        "GET",
        "/./example",
        authorization=_authz(
            _HD, "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"
        ),
    ),
    Case(
        "get-slashes",
        "GET",
        "//example//",
        authorization=_authz(
            _HD, "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"
        ),
    ),
    Case(
        "get-special-character",
        "GET",
        "/example/$delete",
        authorization=_authz(
            _HD, "a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27"
        ),
        canonical_request=(
            "GET\n/example/%24delete\n\n"
            "host:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" + EMPTY_SHA256
        ),
    ),
)

#: More cases, checked against botocore only (no published expected value).
EXTRA: tuple[Case, ...] = (
    Case(
        "kms-json-post",
        "POST",
        "/",
        host="kms.us-east-1.amazonaws.com",
        headers=(
            ("X-Amz-Target", "TrentService.EnableKeyRotation"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ),
        body=b'{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "RotationPeriodInDays": 180}',
    ),
    Case(
        "kms-json-post-with-token",
        "POST",
        "/",
        host="kms.us-east-1.amazonaws.com",
        headers=(
            ("X-Amz-Target", "TrentService.Encrypt"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ),
        body=b'{"KeyId": "alias/x", "Plaintext": "aGk="}',
        token=SESSION_TOKEN,
    ),
    Case(
        "header-tabs-and-space-runs",
        "GET",
        "/",
        headers=(
            ("My-Header1", "\t a \t\t b   c\t"),
            ("My-Header2", "   "),
            ("My-Header3", ""),
            ("My-Header4", '"quoted   \t  value"'),
        ),
    ),
    Case(
        "header-duplicates-interleaved-mixed-case",
        "POST",
        "/",
        headers=(
            ("X-Dup", "one"),
            ("x-other", "z"),
            ("X-DUP", "  two  "),
            ("x-dup", "three"),
            ("X-Other", "a"),
        ),
    ),
    Case(
        "header-value-utf8", "GET", "/", headers=(("My-Header1", "h\u00e9llo  w\u00f6rld \u1234"),)
    ),
    Case("path-already-encoded", "GET", "/a%2Fb/c%3Fd/%41%7e/%E1%88%B4"),
    Case("path-dots-and-slashes", "GET", "/a/./b/../c//d/"),
    Case("path-sub-delims", "GET", "/$&'()*+,;=:@!/x"),
    Case("put-path-trailing-dot-dot", "PUT", "/a/b/..", body=b"data"),
    Case(
        "query-reserved-encoded-and-plus",
        "GET",
        "/",
        query="a=%2B%26%3D&b=c+d&flag",
        params=(("a", "+&="), ("b", "c+d"), ("flag", "")),
    ),
    Case(
        "query-lowercase-hex",
        "GET",
        "/",
        query="k=%e1%88%b4&%c3%bc=x",
        params=(("k", "\u1234"), ("\u00fc", "x")),
    ),
    Case("query-value-with-equals", "DELETE", "/", query="a=b=c", params=(("a", "b=c"),)),
    Case(
        "query-duplicate-keys-sorted-by-value",
        "GET",
        "/",
        query="b=2&a=2&a=10&a=1",
        params=(("b", "2"), ("a", "2"), ("a", "10"), ("a", "1")),
    ),
    Case("query-empty-value", "GET", "/", query="Param1=", params=(("Param1", ""),)),
    Case(
        "binary-body",
        "PATCH",
        "/upload",
        headers=(("Content-Type", "application/octet-stream"),),
        body=bytes(range(256)),
    ),
    Case(
        "form-body-with-token",
        "POST",
        "/",
        headers=_FORM,
        body=b"Action=ListUsers&Version=2010-05-08",
        token=STS_TOKEN,
    ),
    Case("host-with-port", "GET", "/", host="127.0.0.1:56109"),
    Case("ipv6-host-with-port", "GET", "/x", host="[::1]:8443"),
)

ALL: tuple[Case, ...] = OFFICIAL + EXTRA

_UNRESERVED = "-_.~"


# ---------------------------------------------------------------------------------------
# botocore, the oracle (see the module docstring of test_sigv4.py for the details)


@dataclass(frozen=True)
class BotocoreSigned:
    authorization: str
    amz_date: str
    token: str | None
    canonical_request: str


def naive_utc(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo is not None else now


def botocore_sign(
    *,
    method: str,
    url: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    now: datetime,
    params: Any = None,
    access_key: str = ACCESS_KEY,
    secret_key: str = SECRET_KEY,
    token: str | None = None,
    region: str = REGION,
    service: str = SERVICE,
) -> BotocoreSigned:
    """Sign with the real ``botocore.auth.SigV4Auth`` at ``now``."""
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, params=params)
    for name, value in headers:
        request.headers[name] = value  # HTTPMessage appends: repeated names stay, in order
    credentials = botocore.credentials.Credentials(access_key, secret_key, token)
    auth = botocore.auth.SigV4Auth(credentials, service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=naive_utc(now)):
        auth.add_auth(request)
    authorization = request.headers["Authorization"]
    # The canonical request, for failure messages: add_auth left the timestamp in the
    # context; Authorization must go first or it would be "signed".
    del request.headers["Authorization"]
    canonical = auth.canonical_request(request)
    return BotocoreSigned(
        authorization,
        request.headers["X-Amz-Date"],
        request.headers.get("X-Amz-Security-Token"),
        canonical,
    )


def canonical_query_for_botocore(params: Sequence[tuple[str, str]]) -> str:
    """The pairs encoded as canonical query text, in their original order (botocore sorts)."""
    return "&".join(
        f"{urllib.parse.quote(k, safe=_UNRESERVED)}={urllib.parse.quote(v, safe=_UNRESERVED)}"
        for k, v in params
    )


def mismatch(ours: SigningResult, theirs: BotocoreSigned) -> str:
    return (
        f"\n--- ours:\n{ours.canonical_request}\n--- botocore:\n{theirs.canonical_request}\n"
        f"--- ours: {ours.authorization}\n--- botocore: {theirs.authorization}"
    )


_OUR_AUTH_HEADERS = {"authorization", "x-amz-date", "x-amz-security-token"}


def botocore_sign_httpx(
    request: httpx.Request,
    *,
    now: datetime,
    params: Sequence[tuple[str, str]] | None,
    mode: str,
    credentials: Credentials,
    region: str,
    service: str,
) -> BotocoreSigned:
    """botocore's signature for an httpx request we signed: same method, URL, headers, body.

    Our own auth headers are dropped (botocore adds its own). Content-Length is dropped too,
    because our default list does not sign it and botocore would. ``mode`` is ``"list"`` or
    ``"dict"`` (botocore gets ``params``) or ``"url-canonical"`` (the query goes in the
    URL, canonically encoded).
    """
    url = request.url
    base = f"{url.scheme}://{url.netloc.decode('ascii')}{url.raw_path.decode('ascii')}"
    base = base.partition("?")[0]
    botocore_params: Any = None
    if params:
        if mode == "url-canonical":
            base += "?" + canonical_query_for_botocore(params)
        elif mode == "dict":
            botocore_params = dict(params)
        else:
            botocore_params = list(params)
    headers = [
        (name.decode("latin-1"), value.decode("utf-8"))
        for name, value in request.headers.raw
        if name.decode("latin-1").lower() not in (_OUR_AUTH_HEADERS | {"content-length"})
    ]
    return botocore_sign(
        method=request.method,
        url=base,
        headers=headers,
        body=request.content,
        now=now,
        params=botocore_params,
        access_key=credentials.access_key,
        secret_key=credentials.secret_key,
        token=credentials.token,
        region=region,
        service=service,
    )
