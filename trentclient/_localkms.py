"""A local KMS emulator (moto's server) on 127.0.0.1, for the demo and the test suite.

``local_kms()`` starts moto in a background thread on a free loopback port, creates an
IAM user with a ``kms:*`` policy and an access key, then turns moto's SigV4 checking on,
so every later request must be correctly signed with that key. It stops the server on
exit. moto (``moto[server]``) is a test dependency, imported only here, only when called.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import attrs
import httpx

from ._auth import SigV4Auth
from ._credvalue import Credentials

__all__ = ["LocalKMS", "local_kms"]

_BOOTSTRAP = Credentials("AKIDBOOTSTRAP000000", "bootstrap-secret-not-checked")
_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}],
    }
)


@attrs.frozen
class LocalKMS:
    """Where the emulator listens and the credentials it accepts."""

    endpoint_url: str
    credentials: Credentials
    region: str
    enforce_auth: bool


def _iam(http: httpx.Client, url: str, action: str, **params: str) -> str:
    body = urlencode({"Action": action, "Version": "2010-05-08", **params})
    response = http.post(
        url + "/",
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        auth=SigV4Auth(_BOOTSTRAP, "us-east-1", "iam"),
    )
    if response.status_code != 200:
        raise RuntimeError(f"moto IAM {action} failed: {response.status_code} {response.text}")
    return response.text


def _between(text: str, tag: str) -> str:
    start = text.index(f"<{tag}>") + len(tag) + 2
    return text[start : text.index(f"</{tag}>", start)]


@contextmanager
def local_kms(*, region: str = "us-east-1", enforce_auth: bool = True) -> Iterator[LocalKMS]:
    """Run moto's KMS on 127.0.0.1 for the duration of the ``with`` block."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "The local KMS emulator needs moto: pip install 'moto[server]' "
            "(or pip install -e '.[test]')"
        ) from exc

    # moto's web server logs every request to stderr; keep the demo's output readable.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        with httpx.Client(timeout=30) as http:
            # Leave no state or auth setting behind from an earlier run in this process.
            http.post(url + "/moto-api/reset-auth", content=b"inf")
            http.post(url + "/moto-api/reset")
            if enforce_auth:
                _iam(http, url, "CreateUser", UserName="trentclient-demo")
                _iam(
                    http,
                    url,
                    "PutUserPolicy",
                    UserName="trentclient-demo",
                    PolicyName="kms-all",
                    PolicyDocument=_POLICY,
                )
                created = _iam(http, url, "CreateAccessKey", UserName="trentclient-demo")
                credentials = Credentials(
                    _between(created, "AccessKeyId"), _between(created, "SecretAccessKey")
                )
                reset = http.post(
                    url + "/moto-api/reset-auth",
                    content=b"0",
                    headers={"Content-Type": "text/plain"},
                )
                reset.raise_for_status()
            else:
                credentials = Credentials("testing", "testing")
        yield LocalKMS(url, credentials, region, enforce_auth)
    finally:
        try:
            with httpx.Client(timeout=5) as http:
                http.post(url + "/moto-api/reset-auth", content=b"inf")
        except httpx.HTTPError:
            pass
        server.stop()
