"""Answers of every kind, for the tests that check a direct send (``Client``'s over
httpcore, ``AsyncClient``'s over aiohttp) gives what sending through httpx's objects gives."""

from __future__ import annotations

import gzip
import json
import zlib

from tests.faultserver import Action, reset_mid_body, respond, truncate

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
RID = "0c8e1d7a-5b1f-4a8e-9d1c-2f3e4a5b6c7d"
JSON_HEADERS = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", RID)]
BODY = json.dumps({"KeyMetadata": {"KeyId": KEY, "Description": "d" * 300}}).encode()
OK = respond(200, JSON_HEADERS, BODY)

ANSWERS: dict[str, list[Action]] = {
    "repeated and odd headers": [
        respond(
            200,
            [
                *JSON_HEADERS,
                ("X-Dup", "1"),
                ("x-dup", "2"),
                ("X-Mixed-Case", "Value With  Spaces"),
                ("Date", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ],
            BODY,
        )
    ],
    "a Latin-1 header value": [respond(200, [*JSON_HEADERS, ("X-Name", "caf\xe9")], BODY)],
    "a modeled error": [
        respond(
            400,
            JSON_HEADERS,
            json.dumps({"__type": "NotFoundException", "message": "no such key"}).encode(),
        )
    ],
    "an error code in the header only": [
        respond(400, [*JSON_HEADERS, ("x-amzn-ErrorType", "AccessDeniedException:x")], b"{}")
    ],
    "a fault, then success": [respond(500, JSON_HEADERS, b""), OK],
    "throttled, then success": [
        respond(
            400,
            [*JSON_HEADERS, ("x-amz-retry-after", "1")],
            json.dumps({"__type": "ThrottlingException", "message": "slow down"}).encode(),
        ),
        OK,
    ],
    "not JSON": [respond(200, JSON_HEADERS, b"<html>proxy</html>")],
    "gzip": [respond(200, [*JSON_HEADERS, ("Content-Encoding", "gzip")], gzip.compress(BODY))],
    "deflate": [
        respond(200, [*JSON_HEADERS, ("Content-Encoding", "deflate")], zlib.compress(BODY))
    ],
    "broken gzip": [
        respond(200, [*JSON_HEADERS, ("Content-Encoding", "gzip")], b"\x1f\x8b not gzip")
    ],
    "an empty body": [respond(200, JSON_HEADERS, b"")],
    "a body cut short": [truncate(200, JSON_HEADERS, BODY)],
    "a reset mid-body": [reset_mid_body(200, JSON_HEADERS, BODY)],
}
