"""KMS endpoint resolution, compared with what a real botocore client does.

botocore is driven end to end: a client is created with dummy credentials and every request
is caught in ``before-send`` (nothing leaves the process), so the URL compared is the one
botocore would really send to, after its FIPS pseudo-region handling, its region validation
and its ruleset. The environment is emptied of ``AWS_*`` variables for the whole module so a
developer's own configuration cannot leak in.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.exceptions
import botocore.loaders
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.endpoint_provider import EndpointProvider
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trentclient import _endpoints
from trentclient._endpoints import (
    endpoint_url_from_env,
    normalize_endpoint_url,
    normalize_region,
    request_url,
    resolve_endpoint,
)
from trentclient._exceptions import EndpointResolutionError

ROOT = Path(__file__).resolve().parents[1]

COMBOS = [(False, False), (False, True), (True, False), (True, True)]

#: Valid names botocore has never heard of, one or more per partition pattern.
UNKNOWN_REGIONS = [
    "us-east-99",
    "cn-east-9",
    "us-gov-north-9",
    "eusc-de-west-9",
    "us-iso-west-9",
    "us-isob-east-9",
    "eu-isoe-west-9",
    "us-isof-south-9",
    "mars-1",
    "UPPER",
    "x",
    "a" * 63,
]

#: botocore sends ``ProdFips`` (a deprecated endpoints.json entry) to
#: ``kms.ProdFips.<suffix>`` as the ruleset says, but signs for the entry's legacy
#: credentialScope region; trentclient signs for the region it sends to.
SIGNING_REGION_EXCEPTIONS = {"ProdFips"}


def _load(name: str) -> Any:
    return botocore.loaders.create_loader().load_data(name)


def _known_regions() -> list[str]:
    regions: set[str] = set()
    for partition in _load("partitions")["partitions"]:
        regions.update(partition["regions"])
    for partition in _load("endpoints")["partitions"]:
        regions.update(partition["regions"])
        regions.update(partition["services"].get("kms", {}).get("endpoints", {}))
    return sorted(regions)


KNOWN_REGIONS = _known_regions()
ALL_REGIONS = sorted(set(KNOWN_REGIONS) | set(UNKNOWN_REGIONS))


# -- driving botocore -------------------------------------------------------------------------


class _Body:
    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield b'{"Keys": [], "Truncated": false}'


BotocoreResult = tuple[str, str] | Exception
BotocoreResolve = Callable[..., BotocoreResult]


def _botocore_send(
    session: botocore.session.Session,
    region: str,
    use_fips: bool = False,
    use_dualstack: bool = False,
    endpoint_url: str | None = None,
    ignore_configured: bool | None = True,
) -> BotocoreResult:
    """``(url, signing region)`` of a ListKeys request botocore would send, or its error."""
    config = Config(
        use_fips_endpoint=use_fips,
        use_dualstack_endpoint=use_dualstack,
        ignore_configured_endpoint_urls=ignore_configured,
        retries={"total_max_attempts": 1},
    )
    seen: dict[str, str] = {}

    def capture(request: Any, **kwargs: Any) -> AWSResponse:
        seen["url"] = request.url
        auth = request.headers["Authorization"]
        auth = auth.decode() if isinstance(auth, bytes) else auth
        seen["region"] = auth.split("Credential=")[1].split("/")[2]
        return AWSResponse(request.url, 200, {}, _Body())

    try:
        client = session.create_client(
            "kms",
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret",
            config=config,
        )
        client.meta.events.register("before-send", capture)
        client.list_keys()
    except (botocore.exceptions.BotoCoreError, ValueError) as exc:
        return exc
    return seen["url"], seen["region"]


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("AWS_", "BOTO_")):
                mp.delenv(name)
        nowhere = tmp_path_factory.mktemp("aws") / "missing"
        mp.setenv("AWS_CONFIG_FILE", str(nowhere))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere))
        yield


@pytest.fixture(scope="module")
def botocore_send(clean_env: None) -> BotocoreResolve:
    return functools.partial(_botocore_send, botocore.session.Session())


def _strip_slash(url: str) -> str:
    assert url.endswith("/"), url
    return url[:-1]


# -- 1. every region x every option, against botocore -----------------------------------------


@pytest.mark.parametrize(("use_fips", "use_dualstack"), COMBOS)
@pytest.mark.parametrize("region", ALL_REGIONS)
def test_matches_botocore(
    botocore_send: BotocoreResolve, region: str, use_fips: bool, use_dualstack: bool
) -> None:
    expected = botocore_send(region, use_fips, use_dualstack)
    if isinstance(expected, Exception):
        with pytest.raises(EndpointResolutionError):
            resolve_endpoint(region, use_fips=use_fips, use_dualstack=use_dualstack)
        return
    url, signing_region = expected
    got = resolve_endpoint(region, use_fips=use_fips, use_dualstack=use_dualstack)
    assert got == _strip_slash(url)
    if region not in SIGNING_REGION_EXCEPTIONS:
        assert normalize_region(region)[0] == signing_region


def test_region_lists_are_not_empty() -> None:
    # Guards the parametrization above against a botocore layout change.
    assert len(KNOWN_REGIONS) > 50
    assert {"us-east-1", "cn-north-1", "us-gov-west-1", "us-east-1-fips"} <= set(KNOWN_REGIONS)


@pytest.mark.parametrize("region", ["eu-isoe-west-1", "us-isof-south-1", "us-isof-east-9"])
def test_legacy_resolver_refuses_dualstack(region: str) -> None:
    # botocore's endpoints.json has no dual-stack variant for aws-iso-e and aws-iso-f, and
    # botocore refuses when it creates the client, although the ruleset has an endpoint.
    for use_fips in (False, True):
        with pytest.raises(
            EndpointResolutionError, match=r"^Unable to construct a modeled endpoint"
        ):
            resolve_endpoint(region, use_fips=use_fips, use_dualstack=True)
    # aws-iso and aws-iso-b are skipped by the legacy lookup, so the ruleset's endpoint stands.
    assert (
        resolve_endpoint("us-iso-east-1", use_dualstack=True)
        == "https://kms.us-iso-east-1.api.aws.ic.gov"
    )


def test_examples() -> None:
    assert resolve_endpoint("us-east-1") == "https://kms.us-east-1.amazonaws.com"
    assert (
        resolve_endpoint("us-east-1", use_fips=True) == "https://kms-fips.us-east-1.amazonaws.com"
    )
    assert resolve_endpoint("cn-north-1") == "https://kms.cn-north-1.amazonaws.com.cn"
    assert resolve_endpoint("eu-west-1", use_dualstack=True) == "https://kms.eu-west-1.api.aws"
    assert resolve_endpoint("us-east-1-fips") == "https://kms-fips.us-east-1.amazonaws.com"
    assert resolve_endpoint("fips-us-gov-west-1") == "https://kms-fips.us-gov-west-1.amazonaws.com"
    assert resolve_endpoint("mars-1") == "https://kms.mars-1.amazonaws.com"
    assert normalize_region("us-east-1-fips") == ("us-east-1", True)
    assert normalize_region("us-east-1") == ("us-east-1", False)


# -- 2. invalid regions -----------------------------------------------------------------------

INVALID_REGIONS = [
    "us-east-1/evil",
    "",
    "a..b",
    "us-east-1.",
    ".us-east-1",
    "us_east_1",
    "us east 1",
    " us-east-1",
    "us-east-1\n",
    "-us-east-1",
    "us-east-1-",
    "123",
    "a" * 64,
    "ü-west-1",
    "us-east-1#x",
    "us-east-1@evil.com",
    "fips--x",  # "-x" once botocore strips "fips-"
    "x--fips",  # "x-" once botocore strips "-fips"
]


@pytest.mark.parametrize("region", INVALID_REGIONS)
def test_invalid_regions_refused_like_botocore(botocore_send: BotocoreResolve, region: str) -> None:
    assert isinstance(botocore_send(region), Exception)
    for use_fips, use_dualstack in COMBOS:
        with pytest.raises(EndpointResolutionError):
            resolve_endpoint(region, use_fips=use_fips, use_dualstack=use_dualstack)


def test_invalid_region_message() -> None:
    with pytest.raises(EndpointResolutionError, match="doesn't match a supported format"):
        resolve_endpoint("us-east-1/evil")


def test_not_a_string() -> None:
    with pytest.raises(EndpointResolutionError):
        resolve_endpoint(None)  # type: ignore[arg-type]


_REGION_ALPHABET = "aefipsu0129-_.A"


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    region=st.one_of(
        st.text(_REGION_ALPHABET, max_size=12),
        st.lists(st.sampled_from(["us", "fips", "east", "1", "-", "--", "gov", "cn"]))
        .map("".join)
        .filter(lambda s: len(s) < 40),
    ),
    use_fips=st.booleans(),
    use_dualstack=st.booleans(),
)
def test_random_names_match_botocore(
    botocore_send: BotocoreResolve, region: str, use_fips: bool, use_dualstack: bool
) -> None:
    expected = botocore_send(region, use_fips, use_dualstack)
    if isinstance(expected, Exception):
        with pytest.raises(EndpointResolutionError):
            resolve_endpoint(region, use_fips=use_fips, use_dualstack=use_dualstack)
    else:
        got = resolve_endpoint(region, use_fips=use_fips, use_dualstack=use_dualstack)
        assert got == _strip_slash(expected[0])


# -- partitions without FIPS or dual-stack (none today: a synthetic partition) ----------------


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_trentclient_gen_endpoints", ROOT / "tools" / "gen_endpoints.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _generator()


def _synthetic_partitions() -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(_load("partitions"))
    for pid, fips, dualstack, prefix in [
        ("test-nothing", False, False, "zz"),
        ("test-fips-only", True, False, "zf"),
        ("test-dualstack-only", False, True, "zd"),
    ]:
        data["partitions"].append(
            {
                "id": pid,
                "outputs": {
                    "dnsSuffix": f"{pid}.example",
                    "dualStackDnsSuffix": f"api.{pid}.example",
                    "implicitGlobalRegion": f"{prefix}-east-1",
                    "name": pid,
                    "supportsDualStack": dualstack,
                    "supportsFIPS": fips,
                },
                "regionRegex": f"^{prefix}\\-\\w+\\-\\d+$",
                "regions": {f"{prefix}-east-1": {"description": "test"}},
            }
        )
    return data


def _kms_ruleset() -> Any:
    return botocore.loaders.create_loader().load_service_model(
        "kms", "endpoint-rule-set-1", api_version="2014-11-01"
    )


def _sources(**changes: Any) -> Any:
    """The generator's inputs, with some replaced; ``endpoints=None``: no legacy partitions."""
    sources = gen.load_sources()
    if changes.get("endpoints", ...) is None:
        changes["endpoints"] = {"partitions": []}
    return sources._replace(version="test", **changes)


def _exec_table(sources: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(gen.render_table(sources), "<table>", "exec"), namespace)
    return namespace


@pytest.fixture
def synthetic_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The endpoint table rendered from the synthetic partitions, swapped in for the real one
    (``_endpoints`` imports its names from the generated module when it resolves)."""
    from trentclient._generated import _endpoint_table

    namespace = _exec_table(_sources(partitions=_synthetic_partitions(), endpoints=None))
    for name in ("PARTITIONS", "KMS_ENDPOINTS", "KMS_ERRORS", "LEGACY_PARTITIONS"):
        monkeypatch.setattr(_endpoint_table, name, namespace[name])
    _endpoints._resolve.cache_clear()
    yield namespace
    _endpoints._resolve.cache_clear()


@pytest.mark.parametrize(("use_fips", "use_dualstack"), COMBOS)
@pytest.mark.parametrize(
    "region", ["zz-east-1", "zz-west-7", "zf-east-1", "zd-north-2", "us-east-1"]
)
def test_unsupported_options_raise_like_botocore_ruleset(
    synthetic_table: dict[str, Any], region: str, use_fips: bool, use_dualstack: bool
) -> None:
    provider = EndpointProvider(_kms_ruleset(), _synthetic_partitions())
    try:
        expected = provider.resolve_endpoint(
            Region=region, UseFIPS=use_fips, UseDualStack=use_dualstack
        ).url
    except botocore.exceptions.EndpointResolutionError as exc:
        with pytest.raises(EndpointResolutionError) as info:
            resolve_endpoint(region, use_fips=use_fips, use_dualstack=use_dualstack)
        assert str(info.value) == str(exc)
    else:
        assert resolve_endpoint(region, use_fips=use_fips, use_dualstack=use_dualstack) == expected


def test_synthetic_messages(synthetic_table: dict[str, Any]) -> None:
    with pytest.raises(EndpointResolutionError, match=r"^FIPS and DualStack are enabled, but"):
        resolve_endpoint("zz-east-1", use_fips=True, use_dualstack=True)
    with pytest.raises(EndpointResolutionError, match=r"^FIPS is enabled but this partition"):
        resolve_endpoint("zd-east-1", use_fips=True)
    with pytest.raises(EndpointResolutionError, match=r"^DualStack is enabled but this partition"):
        resolve_endpoint("zf-east-1", use_dualstack=True)
    assert (
        resolve_endpoint("zf-east-1", use_fips=True)
        == "https://kms-fips.zf-east-1.test-fips-only.example"
    )


def test_generator_refuses_region_dependent_rules() -> None:
    ruleset = copy.deepcopy(_kms_ruleset())
    ruleset["rules"].insert(
        0,
        {
            "conditions": [{"fn": "stringEquals", "argv": [{"ref": "Region"}, "us-east-1"]}],
            "endpoint": {"url": "https://kms.example", "properties": {}, "headers": {}},
            "type": "endpoint",
        },
    )
    with pytest.raises(gen.UnsupportedRuleset, match="depends on the region"):
        gen.render_table(_sources(ruleset=ruleset))


def test_generator_handles_per_partition_templates() -> None:
    ruleset = copy.deepcopy(_kms_ruleset())
    special = {
        "conditions": [
            {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"},
            {
                "fn": "stringEquals",
                "argv": [{"fn": "getAttr", "argv": [{"ref": "P"}, "name"]}, "aws-cn"],
            },
        ],
        "endpoint": {
            "url": "https://kms.{Region}.special.{P#dnsSuffix}",
            "properties": {},
            "headers": {},
        },
        "type": "endpoint",
    }
    ruleset["rules"][1]["rules"].insert(0, special)
    endpoints = _exec_table(_sources(ruleset=ruleset))["KMS_ENDPOINTS"]
    assert endpoints["aws-cn", True, True] == "https://kms.{region}.special.amazonaws.com.cn"
    assert endpoints["aws", False, False] == "https://kms.{region}.amazonaws.com"


# -- 3. endpoint URLs from the environment ----------------------------------------------------

ENV_CASES: list[tuple[dict[str, str], str | None]] = [
    ({}, None),
    ({"AWS_ENDPOINT_URL": "http://global:1"}, "http://global:1"),
    ({"AWS_ENDPOINT_URL_KMS": "http://kms:2"}, "http://kms:2"),
    (
        {"AWS_ENDPOINT_URL_KMS": "http://kms:2", "AWS_ENDPOINT_URL": "http://global:1"},
        "http://kms:2",
    ),
    ({"AWS_ENDPOINT_URL_KMS": "", "AWS_ENDPOINT_URL": "http://global:1"}, "http://global:1"),
    ({"AWS_ENDPOINT_URL": ""}, None),
    ({"AWS_ENDPOINT_URL_S3": "http://s3:3"}, None),
    ({"AWS_ENDPOINT_URL_KMS": "http://kms:2", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, None),
    ({"AWS_ENDPOINT_URL": "http://global:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"}, None),
    ({"AWS_ENDPOINT_URL": "http://global:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "True"}, None),
    (
        {"AWS_ENDPOINT_URL": "http://global:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"},
        "http://global:1",
    ),
    (
        {"AWS_ENDPOINT_URL": "http://global:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "1"},
        "http://global:1",
    ),
    (
        {"AWS_ENDPOINT_URL": "http://global:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": ""},
        "http://global:1",
    ),
]


@pytest.mark.parametrize(("environ", "expected"), ENV_CASES)
def test_endpoint_url_from_env(environ: dict[str, str], expected: str | None) -> None:
    assert endpoint_url_from_env(environ) == expected


@pytest.mark.parametrize(("environ", "expected"), ENV_CASES)
def test_endpoint_url_from_env_matches_botocore(
    clean_env: None, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: str | None
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    # A fresh session: botocore reads the environment when the session builds its config.
    sent = _botocore_send(botocore.session.Session(), "us-east-1", ignore_configured=None)
    assert not isinstance(sent, Exception)
    default = "https://kms.us-east-1.amazonaws.com/"
    assert sent[0] == (default if expected is None else expected + "/")


# -- normalize_endpoint_url -------------------------------------------------------------------

GOOD_URLS = [
    ("http://127.0.0.1:5000/", "http://127.0.0.1:5000"),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ("http://localhost:4566", "http://localhost:4566"),
    ("https://kms.us-east-1.amazonaws.com", "https://kms.us-east-1.amazonaws.com"),
    ("https://kms.us-east-1.amazonaws.com/", "https://kms.us-east-1.amazonaws.com"),
    ("HTTPS://Example.COM", "https://Example.COM"),
    ("http://proxy.internal/kms", "http://proxy.internal/kms"),
    ("http://proxy.internal/kms/", "http://proxy.internal/kms/"),
    ("http://proxy.internal/a/b//", "http://proxy.internal/a/b//"),
    ("http://[::1]:4566", "http://[::1]:4566"),
    ("http://[::1]:4566/", "http://[::1]:4566"),
    ("http://host.:80", "http://host.:80"),
    ("http://10.0.0.1", "http://10.0.0.1"),
]


@pytest.mark.parametrize(("url", "expected"), GOOD_URLS)
def test_normalize_endpoint_url_accepts(url: str, expected: str) -> None:
    assert normalize_endpoint_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), GOOD_URLS)
def test_good_urls_work_in_botocore_too(
    botocore_send: BotocoreResolve, url: str, expected: str
) -> None:
    sent = botocore_send("us-east-1", endpoint_url=url)
    assert not isinstance(sent, Exception)
    # Without a path botocore sends to "<url>/"; with one, to the path exactly as given.
    assert sent[0].lower() == request_url(expected).lower()


#: Refused by botocore (when it creates the client or when it sends) and by trentclient.
BOTH_REFUSE = [
    "localhost:4566",
    "http://",
    "https://",
    "http://a b",
    "http://ho_st",
    "http://-host",
    "http://host-",
    "http://h\n",
    "http://h\t",
    "http://host:abc",
    "https://host:99999",
    "http://a..b",
    "http://" + "a" * 64,
]

#: Accepted by botocore but refused by trentclient, on purpose (see the docstring).
ONLY_TRENTCLIENT_REFUSES = [
    "ftp://host",
    "//host",
    "host",
    "http://h/?x=1",
    "http://h/path?x=1",
    "http://h/#frag",
    "http://h?",
    "http://user:pw@host:1/",
    "http://user@host",
    " http://h",
    "http://h:",
]


@pytest.mark.parametrize("url", BOTH_REFUSE)
def test_normalize_endpoint_url_refuses_what_botocore_refuses(
    botocore_send: BotocoreResolve, url: str
) -> None:
    assert isinstance(botocore_send("us-east-1", endpoint_url=url), Exception)
    with pytest.raises(EndpointResolutionError, match="Invalid endpoint_url"):
        normalize_endpoint_url(url)


@pytest.mark.parametrize("url", ONLY_TRENTCLIENT_REFUSES)
def test_normalize_endpoint_url_is_stricter(url: str) -> None:
    with pytest.raises(EndpointResolutionError, match="Invalid endpoint_url"):
        normalize_endpoint_url(url)


def test_normalize_endpoint_url_messages() -> None:
    with pytest.raises(EndpointResolutionError, match="must start with http:// or https://"):
        normalize_endpoint_url("localhost:4566")
    with pytest.raises(EndpointResolutionError, match="query string or fragment"):
        normalize_endpoint_url("http://h/?a=b")
    with pytest.raises(EndpointResolutionError, match="not a valid host name"):
        normalize_endpoint_url("http://ho_st:1")
    with pytest.raises(EndpointResolutionError, match="must be a string"):
        normalize_endpoint_url(b"http://h")  # type: ignore[arg-type]


# -- 4. the committed table is what the generator renders -------------------------------------


def test_generated_table_is_up_to_date() -> None:
    rendered = gen.render()
    assert set(rendered) == {"_endpoint_table.py"}
    committed = (ROOT / "trentclient" / "_generated" / "_endpoint_table.py").read_bytes()
    assert rendered["_endpoint_table.py"].encode("utf-8") == committed, (
        "trentclient/_generated/_endpoint_table.py is stale: run python tools/gen_endpoints.py"
    )


def test_generated_table_header_and_no_runtime_loading() -> None:
    text = gen.render()["_endpoint_table.py"]
    first = text.splitlines()[0]
    assert first == (
        f"# Code generated by tools/gen_endpoints.py from botocore {botocore.__version__}. "
        "DO NOT EDIT."
    )
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["from __future__ import annotations", "from typing import Final, NamedTuple"]


def test_render_is_deterministic() -> None:
    assert gen.render() == gen.render()
