"""A fake container credential endpoint (ECS agent, EKS Pod Identity agent, Lambda) for
``HandlerServer``.

``FakeContainer(path=..., token=...)`` serves credentials at ``path`` to a request whose
``Authorization`` header equals ``token`` (``token=None``: no header is needed). With the
header missing it answers 400 (the EKS agent's answer), with a wrong one 401 (or
``wrong_status``), both with a JSON ``{"code","message"}`` body. ``rotate(new)`` changes the
expected token (as EKS rotates the projected token file). ``script`` holds replies served
first, one per request (``error()``, ``invalid_json()``, ``error_with_200()``, a slow
``Reply(delay=...)``), whatever the token. Each success serves fresh keys (a counter in the
values) unless ``credentials`` is set, which is then served as is.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.credfakes import Recorded, Reply, json_reply

__all__ = ["FakeContainer", "error", "error_with_200", "invalid_json", "keys_for"]

EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def keys_for(number: int, lifetime: timedelta, account_id: str | None) -> dict[str, str]:
    """What the EKS Pod Identity agent sends (ECS adds ``RoleArn`` and omits ``AccountId``)."""
    body = {
        "AccessKeyId": f"ASIACONTAINER{number:06d}",
        "SecretAccessKey": f"container-secret-{number}/SECRETsentinel+zz",
        "Token": f"container-session-{number}/TOKENsentinel+zz",
        "Expiration": (datetime.now(UTC) + lifetime).strftime(EXPIRATION_FORMAT),
    }
    if account_id is not None:
        body["AccountId"] = account_id
    return body


def error(status: int, code: str, message: str, *, upper: bool = False) -> Reply:
    """A JSON error answer; ``upper`` spells the keys ``Code``/``Message``."""
    keys = ("Code", "Message") if upper else ("code", "message")
    return json_reply(status, {keys[0]: code, keys[1]: message})


def invalid_json(status: int = 200) -> Reply:
    return Reply(status, b"<html>not json</html>", {"Content-Type": "text/html"})


def error_with_200(code: str = "AccessDenied", message: str = "role not assumable") -> Reply:
    return error(200, code, message)


class FakeContainer:
    """The handler: ``HandlerServer(FakeContainer(...))``; thread-safe."""

    def __init__(
        self,
        path: str = "/v1/credentials",
        token: str | None = "eks-pod-identity-token-1",
        *,
        lifetime: timedelta = timedelta(hours=6),
        account_id: str | None = "123456789012",
        wrong_status: int = 401,
        missing_status: int = 400,
    ) -> None:
        self.path = path
        self.token = token
        self.lifetime = lifetime
        self.account_id = account_id
        self.wrong_status = wrong_status
        self.missing_status = missing_status
        self.script: list[Reply] = []
        self.credentials: dict[str, Any] | None = None
        self.served: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._count = 0

    def rotate(self, token: str) -> None:
        """Expect ``token`` from now on; the old one is refused."""
        with self._lock:
            self.token = token

    def __call__(self, request: Recorded) -> Reply:
        with self._lock:
            if self.script:
                return self.script.pop(0)
            if request.method != "GET":
                return error(405, "MethodNotAllowed", f"{request.method} is not allowed")
            if request.path != self.path:
                return error(404, "NotFound", f"no credentials at {request.path}")
            given = request.header("Authorization")
            if self.token is not None:
                if given is None or given == "":
                    return error(
                        self.missing_status,
                        "InvalidParameter",
                        "Service account token cannot be empty",
                    )
                if given != self.token:
                    return error(
                        self.wrong_status, "AccessDeniedException", "Invalid service account token"
                    )
            if self.credentials is not None:
                body = dict(self.credentials)
            else:
                self._count += 1
                body = keys_for(self._count, self.lifetime, self.account_id)
            self.served.append(body)
            return json_reply(200, body)
