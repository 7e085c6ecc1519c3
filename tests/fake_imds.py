"""A strict IMDSv2 fake for ``HandlerServer``: tokens with a TTL, checked on every GET.

``FakeImds()`` is the handler; ``HandlerServer(fake)`` serves it. As the real service:

- ``PUT /latest/api/token`` needs ``x-aws-ec2-metadata-token-ttl-seconds`` (1-21600, else
  400) and answers a fresh random token with that TTL header (``granted_ttl`` overrides the
  TTL granted, to test a client that reads it);
- every ``GET`` needs a live token in ``x-aws-ec2-metadata-token``: a missing one is 401
  unless ``allow_v1``, an unknown or expired one is always 401 (``expire_tokens()`` kills
  all issued ones, as an instance restart does);
- ``/latest/meta-data/iam/security-credentials/`` lists ``role``;
  ``.../<role>`` answers ``credentials`` (Code, LastUpdated, Type, AccessKeyId,
  SecretAccessKey, Token, Expiration); other paths are 404, other methods 405.

Scripted faults, each consumed by one matching request (after the token check, for GETs):
``token_replies``, ``role_replies``, ``creds_replies`` (lists of ``Reply``; a ``Reply`` with a
``delay`` longer than the client's timeout is a read timeout, the hop-limit=1 case).
Every secret the fake hands out is in :meth:`secrets`, for leak checks.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.credfakes import Recorded, Reply, json_reply

__all__ = ["FakeImds", "make_credentials"]

TOKEN_PATH = "/latest/api/token"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "x-aws-ec2-metadata-token"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_credentials(
    *, expires_in: timedelta = timedelta(hours=6), **fields: Any
) -> dict[str, Any]:
    """A real-IMDS credentials body with random secrets (``fields`` override or add)."""
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "Code": "Success",
        "LastUpdated": iso(now),
        "Type": "AWS-HMAC",
        "AccessKeyId": "ASIA" + secrets.token_hex(8).upper(),
        "SecretAccessKey": "sk-" + secrets.token_urlsafe(30),
        "Token": "st-" + secrets.token_urlsafe(60),
        "Expiration": iso(now + expires_in),
    }
    body.update(fields)
    return body


class FakeImds:
    def __init__(self, *, role: str = "my-instance-role", allow_v1: bool = False) -> None:
        self.role = role
        self.allow_v1 = allow_v1
        self.credentials: dict[str, Any] | Any = make_credentials()
        self.granted_ttl: int | None = None
        self.send_ttl_header = True
        self.token_replies: list[Reply] = []
        self.role_replies: list[Reply] = []
        self.creds_replies: list[Reply] = []
        self.issued: list[str] = []
        self._tokens: dict[str, float] = {}  # token -> monotonic expiry
        self._lock = threading.Lock()

    # -- control --------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def secrets(self) -> list[str]:
        """Every secret value this fake has handed out (tokens, secret key, session token)."""
        values = list(self.issued)
        if isinstance(self.credentials, dict):
            for name in ("SecretAccessKey", "Token"):
                if isinstance(self.credentials.get(name), str):
                    values.append(self.credentials[name])
        return values

    # -- the handler ----------------------------------------------------------------------

    def __call__(self, request: Recorded) -> Reply:
        path = request.path.split("?", 1)[0]
        if request.method == "PUT" and path == TOKEN_PATH:
            return self._token(request)
        if request.method != "GET":
            return Reply(405, b"Method Not Allowed")
        refused = self._check_token(request)
        if refused is not None:
            return refused
        if path == ROLE_PATH:
            if self.role_replies:
                return self.role_replies.pop(0)
            return Reply(200, self.role.encode(), {"Content-Type": "text/plain"})
        if path == ROLE_PATH + self.role:
            if self.creds_replies:
                return self.creds_replies.pop(0)
            if isinstance(self.credentials, bytes):
                return Reply(200, self.credentials, {"Content-Type": "text/plain"})
            return json_reply(200, self.credentials)
        return Reply(404, b"Not Found")

    def _token(self, request: Recorded) -> Reply:
        if self.token_replies:
            return self.token_replies.pop(0)
        if request.header("X-Forwarded-For") is not None:
            return Reply(403, b"Forbidden")
        asked = request.header(TTL_HEADER)
        try:
            ttl = int(asked or "")
        except ValueError:
            return Reply(400, b"Bad Request")
        if not 1 <= ttl <= 21600:
            return Reply(400, b"Bad Request")
        granted = self.granted_ttl if self.granted_ttl is not None else ttl
        token = "imds-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.monotonic() + granted
            self.issued.append(token)
        headers = {"Content-Type": "text/plain"}
        if self.send_ttl_header:
            headers[TTL_HEADER] = str(granted)
        return Reply(200, token.encode(), headers)

    def _check_token(self, request: Recorded) -> Reply | None:
        token = request.header(TOKEN_HEADER)
        if token is None:
            return None if self.allow_v1 else Reply(401, b"Unauthorized")
        with self._lock:
            until = self._tokens.get(token)
        if until is None or until <= time.monotonic():
            return Reply(401, b"Unauthorized")
        return None
