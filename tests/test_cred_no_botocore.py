"""The default chain never imports botocore, in any scenario but ``login_session``.

A fresh interpreter blocks ``botocore`` and ``boto3`` with an import hook that records every
attempt, then, for each scenario (environment, shared files, and local servers standing in
for STS, the SSO portal, the container endpoint and IMDS), builds a ``Client`` and an
``AsyncClient``, makes a call (KMS answered by a ``MockTransport``) and checks the call was
signed with the scenario's keys. Any attempt to import botocore fails the scenario.
``login_session`` must instead raise ``MissingDependencyException`` naming the extra.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.credfakes import HandlerServer, Recorded, Reply, json_reply

ROLE = "arn:aws:iam::123456789012:role/app"
EXPIRY = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _credentials(prefix: str) -> dict[str, str]:
    return {
        "AccessKeyId": f"{prefix}KEY0001",
        "SecretAccessKey": f"{prefix}-secret",
        "Token": f"{prefix}-token",
        "Expiration": EXPIRY,
    }


def _metadata(request: Recorded) -> Reply:
    if request.method == "PUT" and request.path == "/latest/api/token":
        return Reply(200, b"imds-session-token", {"x-aws-ec2-metadata-token-ttl-seconds": "21600"})
    if request.path == "/latest/meta-data/iam/security-credentials/":
        return Reply(200, b"app-role")
    if request.path == "/latest/meta-data/iam/security-credentials/app-role":
        return json_reply(200, {"Code": "Success", "Type": "AWS-HMAC", **_credentials("IMDS")})
    if request.path == "/container":
        return json_reply(200, _credentials("ECS"))
    if request.path.startswith("/federation/credentials"):
        return json_reply(
            200,
            {
                "roleCredentials": {
                    "accessKeyId": "SSOKEY0001",
                    "secretAccessKey": "sso-secret",
                    "sessionToken": "sso-token",
                    "expiration": int(
                        (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).timestamp() * 1000
                    ),
                }
            },
        )
    return Reply(404, b"")


@pytest.fixture(scope="module")
def servers() -> Iterator[str]:
    with HandlerServer(_metadata) as server:
        yield server.url


CHILD = textwrap.dedent(
    """
    import asyncio, importlib.abc, json, os, sys

    attempts = []

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("botocore", "boto3"):
                attempts.append(name)
                raise ImportError(f"blocked: {name}")
            return None

    sys.meta_path.insert(0, Block())

    import httpx, trentclient

    expected = sys.argv[1]
    seen = []

    def handler(request):
        seen.append(request.headers["Authorization"].split("Credential=")[1].split("/")[0])
        return httpx.Response(200, json={"Keys": []})

    async def ahandler(request):
        return handler(request)

    try:
        kms = trentclient.Client(region_name="us-west-2",
                                 http_client=httpx.Client(transport=httpx.MockTransport(handler)))
        kms.list_keys()

        async def main():
            async with trentclient.AsyncClient(
                region_name="us-west-2",
                http_client=httpx.AsyncClient(transport=httpx.MockTransport(ahandler)),
            ) as akms:
                await akms.list_keys()

        asyncio.run(main())
        outcome = "ok"
    except trentclient.TrentError as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"outcome": outcome, "signed_with": seen, "attempts": attempts,
                      "botocore": "botocore" in sys.modules}))
    """
)


def _process_command(tmp_path: Path) -> str:
    script = tmp_path / "helper.py"
    script.write_text(
        "import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'PROCKEY0001', "
        f"'SecretAccessKey': 'proc-secret', 'Expiration': '{EXPIRY}'}}))\n"
    )
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def _scenarios(tmp_path: Path, servers: str, sts: str) -> dict[str, dict[str, Any]]:
    token = tmp_path / "web-token"
    token.write_text("eyJ.web-identity.token")
    start_url = "https://example.awsapps.com/start"
    cache = tmp_path / "home" / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / (hashlib.sha1(start_url.encode()).hexdigest() + ".json")).write_text(
        json.dumps(
            {
                "startUrl": start_url,
                "region": "us-east-1",
                "accessToken": "sso-access",
                "expiresAt": EXPIRY,
            }
        )
    )
    static = "aws_access_key_id = STATICKEY01\naws_secret_access_key = static-secret\n"
    return {
        "env": {
            "env": {"AWS_ACCESS_KEY_ID": "ENVKEY0001", "AWS_SECRET_ACCESS_KEY": "s"},
            "key": "ENVKEY0001",
        },
        "env-expiration": {
            "env": {
                "AWS_ACCESS_KEY_ID": "ENVKEY0002",
                "AWS_SECRET_ACCESS_KEY": "s",
                "AWS_SESSION_TOKEN": "t",
                "AWS_CREDENTIAL_EXPIRATION": EXPIRY,
            },
            "key": "ENVKEY0002",
        },
        "credentials-file": {"credentials": f"[default]\n{static}", "key": "STATICKEY01"},
        "config-file": {"config": f"[default]\n{static}", "key": "STATICKEY01"},
        "credential-process": {
            "config": f"[default]\ncredential_process = {_process_command(tmp_path)}\n",
            "key": "PROCKEY0001",
        },
        "web-identity": {
            "env": {
                "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
                "AWS_ROLE_ARN": ROLE,
                "AWS_ENDPOINT_URL_STS": sts,
            },
            "key": "ASIA",
        },
        "assume-role": {
            "env": {"AWS_ENDPOINT_URL_STS": sts},
            "config": f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n[profile base]\n{static}",
            "key": "ASIA",
        },
        "sso-legacy": {
            "env": {"AWS_ENDPOINT_URL_SSO": servers},
            "config": f"[default]\nsso_start_url = {start_url}\nsso_region = us-east-1\n"
            "sso_account_id = 123456789012\nsso_role_name = app\n",
            "key": "SSOKEY0001",
        },
        "container": {
            "env": {
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": servers + "/container",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-token",
            },
            "key": "ECSKEY0001",
        },
        "imds": {
            "env": {"AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": servers},
            "key": "IMDSKEY0001",
        },
        "login-session": {
            "config": "[default]\nlogin_session = arn:aws:sts::123456789012:assumed-role/a/b\n",
            "error": "MissingDependencyException",
        },
    }


SCENARIOS = [
    "env",
    "env-expiration",
    "credentials-file",
    "config-file",
    "credential-process",
    "web-identity",
    "assume-role",
    "sso-legacy",
    "container",
    "imds",
    "login-session",
]


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_botocore_in_the_default_chain(
    name: str, tmp_path: Path, servers: str, sts_server: str
) -> None:
    scenario = _scenarios(tmp_path, servers, sts_server)[name]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text(scenario.get("config", ""))
    credentials.write_text(scenario.get("credentials", ""))
    env.update(
        HOME=str(tmp_path / "home"),
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(scenario.get("env", {}))
    if not env["AWS_EC2_METADATA_DISABLED"]:
        del env["AWS_EC2_METADATA_DISABLED"]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, scenario.get("key", "")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if "error" in scenario:
        assert result["outcome"].startswith(scenario["error"]), result
        assert "trentclient[botocore]" in result["outcome"]
        return
    assert result["outcome"] == "ok", result
    assert result["attempts"] == [] and result["botocore"] is False
    assert len(result["signed_with"]) == 2
    assert all(key.startswith(scenario["key"]) for key in result["signed_with"]), result
