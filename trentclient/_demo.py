"""``python -m trentclient demo``: a key-rotation walk-through against a local KMS emulator.

Starts moto on 127.0.0.1 with SigV4 checking on, then uses ``Client`` and ``AsyncClient``
exactly as an application would. Needs the test extra (``moto[server]``).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from ._async_client import AsyncClient
from ._client import Client
from ._localkms import LocalKMS, local_kms

__all__ = ["run_demo"]


def _mask(value: str) -> str:
    return re.sub(r"Signature=([0-9a-f]{6})[0-9a-f]+", r"Signature=\1…(masked)", value)


def run_demo(out: Callable[[str], Any] = print) -> int:
    """Run the walk-through, printing with ``out``; returns the exit status (0)."""
    from ._generated._errors import NotFoundException

    out("Starting a local KMS emulator (moto) on 127.0.0.1 with signature checks on...")
    with local_kms() as kms_server:
        out(f"  listening at {kms_server.endpoint_url}")
        with _client(kms_server) as kms:
            key = kms.create_key(Description="trentclient demo key")["KeyMetadata"]
            key_id = key["KeyId"]
            out(
                f"1. create_key -> {key_id} ({key.get('KeySpec', '?')}, {key.get('KeyState', '?')})"
            )

            kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=180)
            out("2. enable_key_rotation(RotationPeriodInDays=180) -> ok")

            status = kms.get_key_rotation_status(KeyId=key_id)
            out(
                "3. get_key_rotation_status -> "
                f"KeyRotationEnabled={status['KeyRotationEnabled']}, "
                f"RotationPeriodInDays={status.get('RotationPeriodInDays', '(not returned)')}"
            )
            if "RotationPeriodInDays" not in status:
                out(
                    "     (the emulator, moto, does not echo RotationPeriodInDays back; KMS "
                    "itself answers 180 here: the period was sent, as step 6 shows)"
                )

            rotated = kms.rotate_key_on_demand(KeyId=key_id)
            out(f"4. rotate_key_on_demand -> {rotated['KeyId']}")

            rotations = kms.list_key_rotations(KeyId=key_id)
            out(f"5. list_key_rotations -> {len(rotations.get('Rotations', []))} rotation(s)")
            for item in rotations.get("Rotations", []):
                out(f"     {item.get('RotationType', '?')} at {item.get('RotationDate', '?')}")

            request = kms.build_request(
                "EnableKeyRotation", {"KeyId": key_id, "RotationPeriodInDays": 180}
            )
            out("6. one signed request, as it goes on the wire (signature masked):")
            out(f"     {request.method} {request.url.raw_path.decode()} HTTP/1.1")
            for raw_name, raw_value in request.headers.raw:
                out(f"     {raw_name.decode()}: {_mask(raw_value.decode())}")
            out(f"     {request.content.decode()}")

            missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
            try:
                kms.describe_key(KeyId=missing)
            except NotFoundException as error:
                out(f"7. describe_key(missing key) raised {type(error).__name__}:")
                out(f"     {error}")
                out(f"     request_id={error.request_id} status_code={error.status_code}")
            else:  # pragma: no cover - moto always refuses an unknown key
                raise AssertionError("expected NotFoundException")

        enabled = asyncio.run(_async_part(kms_server, key_id))
        out(f"8. AsyncClient.get_key_rotation_status -> KeyRotationEnabled={enabled}")
    out("Stopped the emulator. Done.")
    return 0


def _client(server: LocalKMS) -> Client:
    creds = server.credentials
    return Client(
        region_name=server.region,
        endpoint_url=server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
    )


async def _async_part(server: LocalKMS, key_id: str) -> bool:
    creds = server.credentials
    async with AsyncClient(
        region_name=server.region,
        endpoint_url=server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
    ) as kms:
        status = await kms.get_key_rotation_status(KeyId=key_id)
        return status["KeyRotationEnabled"]
