"""The benchmark harness keeps working: its fake KMS, and a smoke run end to end.

No test here asserts a time: the smoke run's numbers are not measurements. The smoke run
takes well under a minute; contenders whose packages are missing are skipped by the harness.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import trentclient
from benchmarks import contenders
from benchmarks.fakekms import fake_kms, server_stats
from benchmarks.report import TARGETS

ROOT = Path(__file__).resolve().parent.parent

HEADINGS = [
    "# trentclient benchmarks",
    "## Machine",
    "## Targets",
    "## Import time (fresh interpreter)",
    "## Import + construct + first call (fresh interpreter)",
    "## IRSA (EKS web identity): import + construct + first call (fresh interpreter)",
    "## Memory after import + construct + first call (fresh interpreter)",
    "## Installed size (dependency closure)",
    "## Client construction after import",
    "## Sequential `EnableKeyRotation` (sync)",
    "## Sync throughput, 8 threads sharing one client",
    "## Async throughput (calls in flight)",
    "## Signing alone",
    "## The fake KMS's own ceiling",
    "## Method",
]


def test_fake_kms_answers_like_kms_and_keeps_connections_alive() -> None:
    with fake_kms(max_seconds=60) as (url, _pid):
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client() as http:
            first = http.post(url + "/", content=b"{}", headers={"X-Amz-Target": "x"})
            second = http.post(url + "/", content=b'{"KeyId": "k"}')
        assert first.status_code == second.status_code == 200
        assert first.headers["content-type"] == "application/x-amz-json-1.1"
        assert first.headers["x-amzn-requestid"] != second.headers["x-amzn-requestid"]
        assert first.content == b"{}"

        # Two pipelined requests on one raw socket: two answers on the same connection.
        port = int(url.rsplit(":", 1)[1])
        request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(request * 2)
            data = b""
            deadline = time.monotonic() + 10
            while data.count(b"HTTP/1.1 200 OK") < 2 and time.monotonic() < deadline:
                data += sock.recv(65536)
        assert data.count(b"HTTP/1.1 200 OK") == 2

        stats = server_stats(url)
        assert stats["requests"] == 4
        assert stats["cpu_seconds"] > 0


def test_trentclient_talks_to_the_fake_kms() -> None:
    with fake_kms(max_seconds=60) as (url, _pid):
        with trentclient.Client(
            region_name="us-east-1",
            endpoint_url=url,
            aws_access_key_id=contenders.AK,
            aws_secret_access_key=contenders.SK,
        ) as kms:
            result = kms.enable_key_rotation(**contenders.PARAMS)
        assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert result["ResponseMetadata"]["RequestId"]


@pytest.mark.skipif(importlib.util.find_spec("aiohttp") is None, reason="aiohttp not installed")
def test_bench_aiohttp_transport_carries_trentclient() -> None:
    from benchmarks.aiohttp_transport import AiohttpTransport

    async def main(url: str) -> dict[str, object]:
        http = httpx.AsyncClient(transport=AiohttpTransport(limit=4))
        try:
            async with trentclient.AsyncClient(
                region_name="us-east-1",
                endpoint_url=url,
                aws_access_key_id=contenders.AK,
                aws_secret_access_key=contenders.SK,
                http_client=http,
            ) as kms:
                results = await asyncio.gather(
                    *(kms.enable_key_rotation(**contenders.PARAMS) for _ in range(8))
                )
        finally:
            await http.aclose()
        return results[0]

    with fake_kms(max_seconds=60) as (url, _pid):
        result = asyncio.run(main(url))
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200  # type: ignore[index]


def test_fake_kms_stops_when_its_parent_dies() -> None:
    # A parent process starts the server and is then killed without any cleanup.
    code = (
        "import time\n"
        "from benchmarks.fakekms import fake_kms\n"
        "with fake_kms(max_seconds=60) as (url, pid):\n"
        "    print(pid, flush=True)\n"
        "    time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                break
            # The orphan is re-parented (to init, or a subreaper that may not reap it at
            # once): a zombie counts as stopped.
            try:
                state = Path(f"/proc/{server_pid}/stat").read_text().split(")")[-1].split()[0]
            except OSError:
                break
            if state == "Z":
                break
            time.sleep(0.1)
        else:
            os.kill(server_pid, signal.SIGKILL)
            pytest.fail("the fake KMS outlived its parent by more than 10 s")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(timeout=10)
        if parent.stdout is not None:
            parent.stdout.close()


def test_smoke_run_writes_the_report(tmp_path: Path) -> None:
    out, chart, raw = tmp_path / "RESULTS.md", tmp_path / "chart.png", tmp_path / "raw.json"
    env = dict(os.environ, TRENT_BENCH_HIDE="httpx_aiohttp")  # exercise the "missing" path
    args = ["--smoke", "--quiet", "--out", str(out), "--chart", str(chart), "--json", str(raw)]
    args.append("--require-all")  # something is hidden: exit 2, after writing the report
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr[-3000:]  # 1 would be a failed measurement
    assert "[bench] MISSING trentclient.AsyncClient + httpx-aiohttp: not installed" in proc.stderr
    text = out.read_text("utf-8")
    for heading in HEADINGS:
        assert heading in text, heading
    assert "Smoke run" in text
    assert "## Not installed (skipped)" in text
    needs = [
        line
        for line in text.splitlines()
        if "trentclient.AsyncClient + httpx-aiohttp: needs" in line
    ]
    assert needs and "httpx_aiohttp" in needs[0]

    results = json.loads(raw.read_text("utf-8"))
    assert not results["errors"]
    for name in ("trentclient.Client", "trentclient.AsyncClient"):
        assert name in results["clients"]
        assert name in results["cold"]
    # The IRSA cold start ran (one STS call per start; trentclient without botocore), and
    # its targets are in the table.
    assert "trentclient.Client" in results["cold_irsa"]
    for contender in contenders.IRSA:
        name = contender.name
        assert (name in results["cold_irsa"]) != (f"{name} (IRSA)" in results["missing"])
        for part in results["cold_irsa_parts"].get(name, []):
            assert part["sts_requests"] == 1
    assert not any(p["botocore_imported"] for p in results["cold_irsa_parts"]["trentclient.Client"])
    for target in TARGETS:  # every target has its row, the IRSA ones included
        assert f"| {target['text']} |" in text, target["text"]
    assert "trentclient" in results["import"]
    assert "trentclient SigV4Auth.sign" in results["signing"]
    # The new rows: memory after a cold start (above the bare interpreter's), the installed
    # closures, and 8 threads sharing one sync client.
    for part in results["cold_parts"]["trentclient.Client"]:
        assert part["rss_kb"] > 0
    sizes = results["sizes"]
    assert sizes["trentclient"]["bytes"] > 0
    assert {"trentclient", "httpx", "attrs"} <= set(sizes["trentclient"]["packages"])
    assert "botocore" not in sizes["trentclient"]["packages"]
    if sizes["boto3"] is not None:
        assert "botocore" in sizes["boto3"]["packages"]
    for name in ("trentclient.Client", "raw httpx (sync)"):
        for run in results["clients"][name]:
            assert run["threads"]["calls"] == 40 and run["threads"]["server_requests"] >= 40
    assert "| trentclient.Client |" in text.split("## Sync throughput, 8 threads")[1]
    # Every contender is either measured or reported missing.
    for contender in contenders.CONTENDERS:
        assert (contender.name in results["clients"]) != (contender.name in results["missing"])

    if importlib.util.find_spec("matplotlib") is not None:
        assert chart.read_bytes().startswith(b"\x89PNG")
    else:
        assert "matplotlib is not installed" in text


def test_fake_sts_answers_assume_role_with_web_identity() -> None:
    from urllib.parse import urlencode

    from benchmarks.fakests import ACCESS_KEY_ID, ROLE_ARN, fake_sts, web_identity_token
    from trentclient._credentials._sts import parse_iso8601, parse_xml

    form = {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": ROLE_ARN,
        "RoleSessionName": "bench",
        "WebIdentityToken": web_identity_token(),
    }
    with fake_sts(max_seconds=60) as (url, _pid), httpx.Client() as http:
        ok = http.post(url + "/", content=urlencode(form))
        refused = http.post(url + "/", content=b"Action=GetCallerIdentity&Version=2011-06-15")
        stats = server_stats(url)
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "text/xml"
    root = parse_xml(ok.content)
    assert root is not None and root.name == "AssumeRoleWithWebIdentityResponse"
    result = root.find("AssumeRoleWithWebIdentityResult")
    assert result is not None
    assert result.text_of("Credentials", "AccessKeyId") == ACCESS_KEY_ID
    expiry = parse_iso8601(result.text_of("Credentials", "Expiration") or "")
    assert expiry is not None and expiry.timestamp() - time.time() > 3000
    assert (result.text_of("AssumedRoleUser", "Arn") or "").endswith("/bench")
    assert refused.status_code == 400 and b"<Code>InvalidAction</Code>" in refused.content
    assert stats["requests"] == 2 and stats["web_identity"] == 1 and stats["signed"] == 0
