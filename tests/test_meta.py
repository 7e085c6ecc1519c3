"""``client.meta`` compared with a real botocore KMS client's, for both trentclient clients.

botocore's client is created with dummy keys (creating one sends nothing). Every value is
read from both and compared: the region, endpoint and partition for regions of every
partition, FIPS and dual-stack configs, FIPS pseudo-regions and ``endpoint_url`` overrides;
the service model's names; and, for every operation, the input and output shapes all the way
down (member names in order, required members, each shape's name, type and enum values).
"""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import botocore.config
import botocore.model
import botocore.session
import pytest

import trentclient
from trentclient._meta import ShapeModel

#: (region, use_fips_endpoint, use_dualstack_endpoint, endpoint_url); None: not given.
CASES: list[tuple[str, bool | None, bool | None, str | None]] = [
    ("us-east-1", None, None, None),
    ("eu-west-1", None, None, None),
    ("cn-north-1", None, None, None),
    ("cn-northwest-1", None, None, None),
    ("us-gov-west-1", None, None, None),
    ("us-iso-east-1", None, None, None),
    ("us-isob-east-1", None, None, None),
    ("eu-isoe-west-1", None, None, None),
    ("us-isof-south-1", None, None, None),
    ("eusc-de-east-1", None, None, None),
    ("us-east-99", None, None, None),  # unknown names: the partition by pattern
    ("cn-east-9", None, None, None),
    ("us-gov-north-9", None, None, None),
    ("mars-1", None, None, None),  # matches no partition: aws
    ("us-east-1", True, None, None),
    ("cn-north-1", True, None, None),
    ("us-gov-west-1", True, None, None),
    ("us-iso-east-1", True, None, None),
    ("us-east-1", False, True, None),
    ("cn-north-1", None, True, None),
    ("us-iso-east-1", None, True, None),  # botocore's legacy resolver falls back to aws
    ("us-isob-east-1", True, True, None),
    ("us-east-1-fips", None, None, None),  # FIPS pseudo-regions: the real region
    ("fips-us-gov-west-1", None, None, None),
    ("cn-north-1-fips", None, None, None),
    ("fips-us-iso-east-1", None, True, None),
    ("us-east-1", None, None, "http://localhost:4566"),
    ("cn-north-1", None, None, "https://kms.example.com/kms/"),
    ("us-gov-west-1", True, None, "http://127.0.0.1:5000/prefix"),
    ("us-iso-east-1", None, True, "http://localhost:4566"),
    ("us-east-1-fips", None, None, "http://localhost:4566"),
]


#: Cases where botocore's ``meta.endpoint_url`` is not where it sends: its legacy resolver
#: (which gives ``meta.endpoint_url``) skips aws-iso and aws-iso-b for dual-stack and builds
#: an ``aws`` URL, while its endpoint ruleset sends to the partition's own dual-stack host.
#: trentclient's ``meta.endpoint_url`` is where requests go, so it is compared with that.
LEGACY_META_URL = {
    ("us-iso-east-1", None, True, None),
    ("us-isob-east-1", True, True, None),
    ("fips-us-iso-east-1", None, True, None),
}


def botocore_client(
    region: str,
    fips: bool | None = None,
    dualstack: bool | None = None,
    endpoint_url: str | None = None,
) -> Any:
    config = botocore.config.Config(use_fips_endpoint=fips, use_dualstack_endpoint=dualstack)
    return botocore.session.get_session().create_client(
        "kms",
        region_name=region,
        endpoint_url=endpoint_url,
        config=config,
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


def botocore_sends_to(client: Any) -> str:
    """The URL botocore's ``client`` sends a request to (caught before it is sent)."""
    urls: list[str] = []

    def catch(request: Any, **_: Any) -> None:
        urls.append(request.url)
        raise _Caught

    client.meta.events.register("before-send.kms", catch)
    with pytest.raises(_Caught):
        client.list_keys()
    return urls[0]


class _Caught(Exception):
    pass


def our_client(
    kind: str,
    region: str,
    fips: bool | None = None,
    dualstack: bool | None = None,
    endpoint_url: str | None = None,
) -> trentclient.Client | trentclient.AsyncClient:
    options = {"use_fips_endpoint": fips, "use_dualstack_endpoint": dualstack}
    given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    cls = trentclient.Client if kind == "sync" else trentclient.AsyncClient
    return cls(
        region_name=region,
        endpoint_url=endpoint_url,
        config=trentclient.Config(**given) if given else None,
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


def close(client: trentclient.Client | trentclient.AsyncClient) -> None:
    if isinstance(client, trentclient.Client):
        client.close()
    else:
        asyncio.run(client.aclose())


@pytest.fixture
def client(kind: str) -> Iterator[trentclient.Client | trentclient.AsyncClient]:
    # ``kind`` ("sync", "async") is parametrized by conftest.py.
    ours = our_client(kind, "us-east-1")
    yield ours
    close(ours)


@pytest.fixture(scope="module")
def theirs() -> Any:
    return botocore_client("us-east-1")


# -- region, endpoint, partition ------------------------------------------------------------


@pytest.mark.parametrize(("region", "fips", "dualstack", "endpoint_url"), CASES)
def test_region_endpoint_and_partition_are_botocores(
    kind: str, region: str, fips: bool | None, dualstack: bool | None, endpoint_url: str | None
) -> None:
    theirs = botocore_client(region, fips, dualstack, endpoint_url)
    expected = theirs.meta
    expected_url = expected.endpoint_url
    if (region, fips, dualstack, endpoint_url) in LEGACY_META_URL:
        sent = botocore_sends_to(theirs).rstrip("/")
        assert sent != expected_url  # else the case no longer belongs in LEGACY_META_URL
        expected_url = sent
    ours = our_client(kind, region, fips, dualstack, endpoint_url)
    try:
        got = ours.meta
        assert (got.region_name, got.endpoint_url, got.partition) == (
            expected.region_name,
            expected_url,
            expected.partition,
        )
        assert got.endpoint_url == ours.endpoint_url
    finally:
        close(ours)


def test_a_bare_trailing_slash_is_dropped_unlike_botocore(kind: str) -> None:
    # The documented difference: client.meta.endpoint_url is client.endpoint_url.
    url = "http://localhost:4566/"
    assert botocore_client("us-east-1", endpoint_url=url).meta.endpoint_url == url
    ours = our_client(kind, "us-east-1", endpoint_url=url)
    try:
        assert ours.meta.endpoint_url == ours.endpoint_url == "http://localhost:4566"
    finally:
        close(ours)


def test_config_is_the_clients(kind: str) -> None:
    given = trentclient.Config(use_fips_endpoint=True)
    cls = trentclient.Client if kind == "sync" else trentclient.AsyncClient
    with_config = cls(
        region_name="us-east-1", config=given, aws_access_key_id="x", aws_secret_access_key="y"
    )
    without = cls(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    try:
        assert with_config.meta.config is with_config.config
        assert with_config.meta.config.use_fips_endpoint is True
        assert without.meta.config is without.config
        assert isinstance(without.meta.config, trentclient.Config)
    finally:
        close(with_config)
        close(without)


def test_meta_is_built_once_per_client(
    client: trentclient.Client | trentclient.AsyncClient,
) -> None:
    assert client.meta is client.meta
    assert client.meta.service_model is client.meta.service_model


# -- the service model -----------------------------------------------------------------------


def test_service_names_are_botocores(
    client: trentclient.Client | trentclient.AsyncClient, theirs: Any
) -> None:
    ours, expected = client.meta.service_model, theirs.meta.service_model
    for name in (
        "service_name",
        "api_version",
        "signing_name",
        "protocol",
        "protocols",
        "endpoint_prefix",
        "signature_version",
    ):
        assert getattr(ours, name) == getattr(expected, name), name
    assert ours.service_id == str(expected.service_id)
    assert ours.metadata == dict(expected.metadata)


def test_operation_names_and_method_mapping_are_botocores(
    client: trentclient.Client | trentclient.AsyncClient, theirs: Any
) -> None:
    ours, expected = client.meta, theirs.meta
    assert ours.service_model.operation_names == list(expected.service_model.operation_names)
    assert sorted(ours.service_model.operation_names) == sorted(
        expected.service_model.operation_names
    )
    assert ours.method_to_api_mapping == expected.method_to_api_mapping
    assert len(ours.method_to_api_mapping) == 54


def _compare_shape(ours: ShapeModel | None, expected: Any, path: str, seen: set[str]) -> None:
    if expected is None:
        assert ours is None, path
        return
    assert ours is not None, path
    assert (ours.name, ours.type_name) == (expected.name, expected.type_name), path
    assert ours.enum == list(getattr(expected, "enum", [])), path
    if expected.name in seen:  # a shape met before (or a recursive one): compared already
        return
    seen.add(expected.name)
    members = getattr(expected, "members", {})
    assert list(ours.members) == list(members), path
    assert ours.required_members == list(getattr(expected, "required_members", [])), path
    for name, member in members.items():
        assert ours.members[name].type_name == member.type_name, f"{path}.{name}"
        _compare_shape(ours.members[name], member, f"{path}.{name}", seen)
    _compare_shape(ours.member, getattr(expected, "member", None), f"{path}[]", seen)
    _compare_shape(ours.key, getattr(expected, "key", None), f"{path}{{key}}", seen)
    _compare_shape(ours.value, getattr(expected, "value", None), f"{path}{{value}}", seen)


def test_every_operation_model_is_botocores(
    client: trentclient.Client | trentclient.AsyncClient, theirs: Any
) -> None:
    ours_model, expected_model = client.meta.service_model, theirs.meta.service_model
    for name in expected_model.operation_names:
        ours, expected = ours_model.operation_model(name), expected_model.operation_model(name)
        assert (ours.name, ours.wire_name) == (expected.name, expected.wire_name)
        assert ours.http == dict(expected.http), name
        assert ours.service_model is ours_model
        assert expected.input_shape is not None, name  # so input_shape is typed non-optional
        _compare_shape(ours.input_shape, expected.input_shape, f"{name}<in>", set())
        _compare_shape(ours.output_shape, expected.output_shape, f"{name}<out>", set())
        assert ours_model.operation_model(name) is ours


def test_shape_members_by_example(client: trentclient.Client | trentclient.AsyncClient) -> None:
    # A few values spelled out, so a wrong wrapper cannot pass by agreeing with itself.
    service = client.meta.service_model
    encrypt = service.operation_model("Encrypt").input_shape
    assert list(encrypt.members) == [
        "KeyId",
        "Plaintext",
        "EncryptionContext",
        "GrantTokens",
        "EncryptionAlgorithm",
        "DryRun",
    ]
    assert encrypt.required_members == ["KeyId", "Plaintext"]
    assert encrypt.members["Plaintext"].type_name == "blob"
    context = encrypt.members["EncryptionContext"]
    assert context.type_name == "map"
    assert context.key is not None and context.key.type_name == "string"
    assert encrypt.members["GrantTokens"].member is not None
    assert "SYMMETRIC_DEFAULT" in encrypt.members["EncryptionAlgorithm"].enum
    assert service.operation_model("CreateAlias").output_shape is None
    assert service.operation_model("ListKeys").output_shape is not None


def test_results_are_copies(client: trentclient.Client | trentclient.AsyncClient) -> None:
    meta = client.meta
    meta.service_model.operation_names.clear()
    meta.method_to_api_mapping.clear()
    shape = meta.service_model.operation_model("Encrypt").input_shape
    shape.required_members.clear()
    assert len(meta.service_model.operation_names) == 54
    assert meta.method_to_api_mapping["encrypt"] == "Encrypt"
    assert shape.required_members == ["KeyId", "Plaintext"]
    with pytest.raises(TypeError):
        shape.members["KeyId"] = shape  # type: ignore[index]
    with pytest.raises(AttributeError):
        meta.region_name = "eu-west-1"  # type: ignore[misc]


@pytest.mark.parametrize("name", ["encrypt", "Nope", "", "TrentService.Encrypt"])
def test_unknown_operation_raises_as_botocore(
    client: trentclient.Client | trentclient.AsyncClient, theirs: Any, name: str
) -> None:
    with pytest.raises(botocore.model.OperationNotFoundError) as expected:
        theirs.meta.service_model.operation_model(name)
    with pytest.raises(trentclient.OperationNotFoundError) as got:
        client.meta.service_model.operation_model(name)
    assert got.value.args == expected.value.args
    assert str(got.value) == str(expected.value)
    assert got.value.operation_name == name
    assert isinstance(got.value, trentclient.BotoCoreError)
    assert not isinstance(got.value, trentclient.ServiceError)
    again = pickle.loads(pickle.dumps(got.value))
    assert type(again) is trentclient.OperationNotFoundError
    assert again.args == got.value.args


def test_meta_needs_neither_botocore_nor_attrs() -> None:
    # meta.config (and partition, which reads it) may build a Config; the rest must not
    # import attrs, and nothing may import botocore.
    code = (
        "import sys, trentclient\n"
        "c = trentclient.Client(region_name='cn-north-1', aws_access_key_id='x',"
        " aws_secret_access_key='y')\n"
        "m = c.meta\n"
        "assert m.region_name == 'cn-north-1', m.region_name\n"
        "assert m.service_model.operation_model('Encrypt').input_shape.members\n"
        "assert m.method_to_api_mapping['encrypt'] == 'Encrypt'\n"
        "before = sorted(x for x in sys.modules if x.split('.')[0] in ('attrs', 'attr'))\n"
        "assert m.partition == 'aws-cn'\n"
        "bad = sorted(x for x in sys.modules if x.split('.')[0] in ('botocore', 'boto3'))\n"
        "print(','.join(before + bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
