"""A fake STS on 127.0.0.1 for the IRSA cold start: ``AssumeRoleWithWebIdentity``, unsigned.

Run it as its own process (``python -m benchmarks.fakests --parent-pid PID``): like the fake
KMS it binds a free loopback port, prints ``READY <port>`` and serves until its parent goes
away, it gets SIGTERM/SIGINT, or ``--max-seconds`` pass.

``POST /`` with a query-protocol form body (``Action=AssumeRoleWithWebIdentity&Version=
2011-06-15&RoleArn=...&RoleSessionName=...&WebIdentityToken=...``) gets ``200`` and STS's
XML answer: ``Credentials`` (``AccessKeyId``, ``SecretAccessKey``, ``SessionToken`` of a real
token's length, ``Expiration`` an hour ahead, with milliseconds), ``AssumedRoleUser``
(``Arn``, ``AssumedRoleId``), ``SubjectFromWebIdentityToken``, ``Provider``, ``Audience`` and
``ResponseMetadata/RequestId``, as STS sends them. Any other action, or a missing parameter,
gets STS's ``ErrorResponse`` with a 400. The token is not validated (moto does not either).

``GET /__stats`` answers ``{"requests": n, "web_identity": n, "signed": n, "rejected": n,
"cpu_seconds": s}``: how many POSTs came, how many were valid AssumeRoleWithWebIdentity
calls, how many carried an ``Authorization`` header (web identity must be unsigned) and how
many were refused, so the harness can check that each cold start sent exactly one.

Connections are kept alive; every read has a timeout and every connection a request limit.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from benchmarks.fakekms import HOST, hold, spawn_server

__all__ = [
    "ACCESS_KEY_ID",
    "ROLE_ARN",
    "fake_sts",
    "serve",
    "web_identity_token",
]

ACCOUNT = "111122223333"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/trentclient-bench-irsa"
ACCESS_KEY_ID = "ASIAFAKESTSBENCH0001"
SECRET_ACCESS_KEY = "fakeStsSecretKey/K7MDENG+bPxRfiCYBENCHKEY"
#: A session token as long as the ones STS issues for IRSA roles (about 1 KB of base64).
SESSION_TOKEN = base64.b64encode(hashlib.sha512(b"trentclient-bench").digest() * 12).decode()
OIDC = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
SUBJECT = "system:serviceaccount:default:trentclient-bench"
MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024
READ_TIMEOUT = 30.0
MAX_REQUESTS_PER_CONNECTION = 10_000


def web_identity_token() -> str:
    """A token shaped like an EKS projected service-account token (an RS256 JWT, ~1 KB)."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(b'{"alg":"RS256","kid":"0123456789abcdef0123456789abcdef01234567"}')
    claims = {
        "aud": ["sts.amazonaws.com"],
        "exp": 1_900_000_000,
        "iat": 1_899_913_600,
        "iss": f"https://{OIDC}",
        "kubernetes.io": {
            "namespace": "default",
            "pod": {
                "name": "trentclient-bench-7d9f",
                "uid": "00000000-0000-4000-8000-0000000000aa",
            },
            "serviceaccount": {
                "name": "trentclient-bench",
                "uid": "00000000-0000-4000-8000-0000000000bb",
            },
        },
        "nbf": 1_899_913_600,
        "sub": SUBJECT,
    }
    payload = part(json.dumps(claims, separators=(",", ":")).encode())
    signature = part(hashlib.sha512(payload.encode()).digest() * 4)  # 256 bytes, as RS256
    return f"{header}.{payload}.{signature}"


_OPEN: set[asyncio.StreamWriter] = set()


class _Stats:
    requests = 0
    web_identity = 0
    signed = 0
    rejected = 0


def _http(status: str, body: bytes, content_type: str, request_id: str) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        f"x-amzn-RequestId: {request_id}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}\r\n\r\n"
    )
    return head.encode("ascii") + body


def _error(code: str, message: str, request_id: str) -> bytes:
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
        f"  <Error>\n    <Type>Sender</Type>\n    <Code>{escape(code)}</Code>\n"
        f"    <Message>{escape(message)}</Message>\n  </Error>\n"
        f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n"
    )
    _Stats.rejected += 1
    return _http("400 Bad Request", body.encode(), "text/xml", request_id)


def answer(body: bytes, request_id: str, now: datetime | None = None) -> bytes:
    """STS's answer to one form-encoded POST body."""
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)

    def one(name: str) -> str:
        values = form.get(name) or [""]
        return values[0]

    action = one("Action")
    if action != "AssumeRoleWithWebIdentity" or one("Version") != "2011-06-15":
        return _error(
            "InvalidAction",
            f"Could not find operation {action} for version {one('Version')}",
            request_id,
        )
    for name in ("RoleArn", "RoleSessionName", "WebIdentityToken"):
        if not one(name):
            return _error("MissingParameter", f"{name} is required", request_id)
    session = one("RoleSessionName")
    role = one("RoleArn").rsplit("/", 1)[-1]
    expiry = (now or datetime.now(UTC)) + timedelta(hours=1)
    expiration = expiry.strftime("%Y-%m-%dT%H:%M:%S.") + f"{expiry.microsecond // 1000:03d}Z"
    _Stats.web_identity += 1
    xml = (
        '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
        "  <AssumeRoleWithWebIdentityResult>\n"
        f"    <SubjectFromWebIdentityToken>{SUBJECT}</SubjectFromWebIdentityToken>\n"
        "    <Audience>sts.amazonaws.com</Audience>\n"
        "    <AssumedRoleUser>\n"
        f"      <Arn>arn:aws:sts::{ACCOUNT}:assumed-role/{escape(role)}/{escape(session)}</Arn>\n"
        f"      <AssumedRoleId>AROAFAKESTSBENCHROLE:{escape(session)}</AssumedRoleId>\n"
        "    </AssumedRoleUser>\n"
        "    <Credentials>\n"
        f"      <SessionToken>{SESSION_TOKEN}</SessionToken>\n"
        f"      <SecretAccessKey>{SECRET_ACCESS_KEY}</SecretAccessKey>\n"
        f"      <Expiration>{expiration}</Expiration>\n"
        f"      <AccessKeyId>{ACCESS_KEY_ID}</AccessKeyId>\n"
        "    </Credentials>\n"
        f"    <Provider>arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC}</Provider>\n"
        "  </AssumeRoleWithWebIdentityResult>\n"
        "  <ResponseMetadata>\n"
        f"    <RequestId>{request_id}</RequestId>\n"
        "  </ResponseMetadata>\n"
        "</AssumeRoleWithWebIdentityResponse>\n"
    )
    return _http("200 OK", xml.encode(), "text/xml", request_id)


async def _connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    _OPEN.add(writer)
    try:
        for _ in range(MAX_REQUESTS_PER_CONNECTION):
            try:
                raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                break
            lines = raw.decode("latin-1").split("\r\n")
            method, _, rest = lines[0].partition(" ")
            path = rest.partition(" ")[0]
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            try:
                length = int(headers.get("content-length", "0"))
            except ValueError:
                length = -1
            if "transfer-encoding" in headers or not 0 <= length <= MAX_BODY:
                writer.write(_http("411 Length Required", b"", "text/plain", "-"))
                break
            try:
                body = await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT)
            except (asyncio.IncompleteReadError, TimeoutError):
                break
            if method == "GET" and path == "/__stats":
                stats = {
                    "requests": _Stats.requests,
                    "web_identity": _Stats.web_identity,
                    "signed": _Stats.signed,
                    "rejected": _Stats.rejected,
                    "cpu_seconds": time.process_time(),
                }
                writer.write(_http("200 OK", json.dumps(stats).encode(), "application/json", "-"))
            elif method == "POST" and path == "/":
                _Stats.requests += 1
                if "authorization" in headers:
                    _Stats.signed += 1
                request_id = f"{_Stats.requests:08x}-0000-4000-8000-0000000057a5"
                writer.write(answer(body, request_id))
            else:
                writer.write(_http("405 Method Not Allowed", b"", "text/plain", "-"))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (ConnectionError, OSError):
        pass
    finally:
        _OPEN.discard(writer)
        writer.close()
        with suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def serve(
    port: int = 0, *, parent_pid: int | None = None, max_seconds: float = 1800.0
) -> None:
    """Serve until the parent dies, a signal comes, or ``max_seconds`` pass."""
    server = await asyncio.start_server(_connection, HOST, port, limit=MAX_HEAD)

    def close_connections() -> None:
        for writer in list(_OPEN):
            writer.close()

    await hold(server, parent_pid=parent_pid, max_seconds=max_seconds, on_stop=close_connections)


@contextmanager
def fake_sts(
    *, max_seconds: float = 1800.0, python: str | None = None
) -> Iterator[tuple[str, int]]:
    """Start the fake STS in its own process; yield ``(endpoint_url, pid)``; stop it on exit."""
    with spawn_server("benchmarks.fakests", max_seconds=max_seconds, python=python) as started:
        yield started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, parent_pid=args.parent_pid, max_seconds=args.max_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
