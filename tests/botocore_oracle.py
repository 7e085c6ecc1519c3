"""What the real botocore sends and parses, for differential tests (botocore is a test dependency)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.session

FROZEN = dt.datetime(2015, 8, 30, 12, 36, 0, tzinfo=dt.UTC)
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class _Captured(Exception):
    def __init__(self, request: botocore.awsrequest.AWSPreparedRequest) -> None:
        self.request = request


@functools.lru_cache(maxsize=1)
def session() -> botocore.session.Session:
    return botocore.session.get_session()


def botocore_client(
    region: str,
    *,
    token: str | None = None,
    endpoint_url: str | None = None,
    use_fips: bool = False,
    use_dualstack: bool = False,
) -> Any:
    config = botocore.config.Config(
        use_fips_endpoint=use_fips,
        use_dualstack_endpoint=use_dualstack,
        retries={"max_attempts": 0},
    )
    return session().create_client(
        "kms",
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=token,
        endpoint_url=endpoint_url,
        config=config,
    )


def botocore_request(
    client: Any, method_name: str, params: dict[str, Any], now: dt.datetime = FROZEN
) -> botocore.awsrequest.AWSPreparedRequest:
    """The signed request botocore would send for ``client.method_name(**params)`` at ``now``."""

    def capture(request: botocore.awsrequest.AWSPreparedRequest, **_: Any) -> None:
        raise _Captured(request)

    client.meta.events.register("before-send.kms", capture)
    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: now.replace(tzinfo=None)  # type: ignore[assignment]
    try:
        getattr(client, method_name)(**params)
    except _Captured as captured:
        return captured.request
    finally:
        botocore.auth.get_current_datetime = original
        client.meta.events.unregister("before-send.kms", capture)
    raise AssertionError("botocore sent nothing")


def parse_with_botocore(
    operation_name: str, status: int, headers: dict[str, str], body: bytes
) -> Any:
    """botocore's parse of a KMS answer (its JSON parser, as a client would use it)."""
    from botocore import parsers

    model = session().get_service_model("kms").operation_model(operation_name)
    parser = parsers.create_parser("json")
    return parser.parse(
        {"status_code": status, "headers": headers, "body": body}, model.output_shape
    )
