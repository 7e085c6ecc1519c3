"""A fake IAM Identity Center: the SSO portal's GetRoleCredentials and SSO-OIDC's CreateToken.

``FakeSso`` is a handler for :class:`tests.credfakes.HandlerServer`; point
``AWS_ENDPOINT_URL_SSO`` and ``AWS_ENDPOINT_URL_SSO_OIDC`` (or a ``SourceContext``'s
environment) at the server's URL. It behaves as the real services do where it matters:

- ``GET /federation/credentials?role_name=R&account_id=A`` checks the
  ``x-amz-sso_bearer_token`` header against the access tokens it considers valid and answers
  401 ``UnauthorizedException`` (the real ``x-amzn-ErrorType`` form, ``Code:URL``) for a stale
  or unknown token; the expiration is epoch **milliseconds**;
- ``POST /token`` checks ``grantType``, ``clientId``, ``clientSecret`` and ``refreshToken``,
  and issues a new access token (and, unless ``return_refresh_token`` is off, a new refresh
  token); with ``revoke_old`` the access tokens issued before stop working.

Switches: ``portal_replies`` / ``oidc_replies`` are queues of canned ``Reply`` objects served
before the normal behaviour (errors, throttling, bad bodies); ``expires_in`` is what
CreateToken returns.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.credfakes import Recorded, Reply, json_reply

__all__ = ["FakeSso"]

ACCOUNT_ID = "123456789012"
ROLE_NAME = "ReadOnly"
ACCESS_TOKEN = "cached-access-token-SECRET-0001"
REFRESH_TOKEN = "cached-refresh-token-SECRET-0002"
CLIENT_ID = "client-id-0003"
CLIENT_SECRET = "client-secret-SECRET-0004"
ROLE_ACCESS_KEY = "ASIAFAKESSOROLE00001"
ROLE_SECRET_KEY = "role-secret-key-SECRET-0005"
ROLE_SESSION_TOKEN = "role-session-token-SECRET-0006"


class FakeSso:
    def __init__(
        self,
        *,
        account_id: str = ACCOUNT_ID,
        role_name: str = ROLE_NAME,
        access_token: str = ACCESS_TOKEN,
        refresh_token: str = REFRESH_TOKEN,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
    ) -> None:
        self.account_id = account_id
        self.role_name = role_name
        self.valid_access_tokens = {access_token}
        self.valid_refresh_tokens = {refresh_token}
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = 8 * 3600
        self.return_refresh_token = True
        self.revoke_old = False
        self.issued = 0
        #: Role-credential expiry in epoch milliseconds (sub-second part on purpose).
        self.expiration_ms = int((time.time() + 3600) * 1000) // 1000 * 1000 + 789
        self.portal_replies: list[Reply] = []
        self.oidc_replies: list[Reply] = []
        #: Secrets the fake hands out (for the tests' "never logged" checks).
        self.issued_secrets: list[str] = []

    def __call__(self, request: Recorded) -> Reply:
        path = urlsplit(request.path).path
        if request.method == "GET" and path == "/federation/credentials":
            if self.portal_replies:
                return self.portal_replies.pop(0)
            return self._portal(request)
        if request.method == "POST" and path == "/token":
            if self.oidc_replies:
                return self.oidc_replies.pop(0)
            return self._token(request)
        return _error(404, "UnknownOperationException", "no such operation")

    def _portal(self, request: Recorded) -> Reply:
        query = parse_qs(urlsplit(request.path).query, keep_blank_values=True)
        if query.get("role_name") != [self.role_name] or query.get("account_id") != [
            self.account_id
        ]:
            return _error(
                403, "ForbiddenException", "No access", "com.amazonaws.switchboard.portal#"
            )
        token = request.header("x-amz-sso_bearer_token")
        if token is None or token not in self.valid_access_tokens:
            return _error(
                401,
                "UnauthorizedException",
                "Session token not found or invalid",
                header_suffix=":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/",
            )
        return json_reply(
            200,
            {
                "roleCredentials": {
                    "accessKeyId": ROLE_ACCESS_KEY,
                    "secretAccessKey": ROLE_SECRET_KEY,
                    "sessionToken": ROLE_SESSION_TOKEN,
                    "expiration": self.expiration_ms,
                }
            },
            **{"x-amzn-RequestId": "portal-request-id"},
        )

    def _token(self, request: Recorded) -> Reply:
        try:
            body: Any = json.loads(request.body)
        except ValueError:
            return _error(400, "InvalidRequestException", "not JSON")
        if not isinstance(body, dict) or body.get("grantType") != "refresh_token":
            return _error(400, "UnsupportedGrantTypeException", "bad grant type")
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return _error(401, "InvalidClientException", "Invalid client")
        if body.get("refreshToken") not in self.valid_refresh_tokens:
            return _error(400, "InvalidGrantException", "Invalid refresh token")
        self.issued += 1
        access_token = f"refreshed-access-token-SECRET-{self.issued:04d}"
        if self.revoke_old:
            self.valid_access_tokens.clear()
        self.valid_access_tokens.add(access_token)
        self.issued_secrets.append(access_token)
        answer: dict[str, Any] = {
            "accessToken": access_token,
            "tokenType": "Bearer",
            "expiresIn": self.expires_in,
        }
        if self.return_refresh_token:
            refresh_token = f"refreshed-refresh-token-SECRET-{self.issued:04d}"
            self.valid_refresh_tokens.add(refresh_token)
            self.issued_secrets.append(refresh_token)
            answer["refreshToken"] = refresh_token
        return json_reply(200, answer, **{"x-amzn-RequestId": f"oidc-request-{self.issued}"})


def _error(
    status: int, code: str, message: str, type_prefix: str = "", header_suffix: str = ""
) -> Reply:
    return json_reply(
        status,
        {"__type": type_prefix + code, "message": message} if type_prefix else {"message": message},
        **{"x-amzn-ErrorType": code + header_suffix, "x-amzn-RequestId": f"req-{code}"},
    )


def error_reply(status: int, code: str, message: str = "an error") -> Reply:
    """A restJson error answer (for the ``*_replies`` queues)."""
    return _error(status, code, message)
