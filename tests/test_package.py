"""The package's public surface, its import cost hygiene, and the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import trentclient


def test_all_is_sorted_unique_and_importable() -> None:
    assert trentclient.__all__ == sorted(set(trentclient.__all__))
    for name in trentclient.__all__:
        assert hasattr(trentclient, name), name


def test_public_names_of_the_core_issue() -> None:
    for name in [
        "Client",
        "AsyncClient",
        "Config",
        "Credentials",
        "SigV4Auth",
        "TrentError",
        "ServiceError",
        "NotFoundException",
        "DisabledException",
        "InvalidArnException",
        "DependencyTimeoutException",
        "KMSInternalException",
        "KMSInvalidStateException",
        "UnsupportedOperationException",
        "ThrottlingException",
        "AccessDeniedException",
        "ValidationException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "ExpiredTokenException",
        "IncompleteSignatureException",
        "MissingAuthenticationTokenException",
        "NoCredentialsError",
        "NoRegionError",
        "ParamValidationError",
        "TransportError",
        "ResponseParseError",
    ]:
        assert name in trentclient.__all__, name
    assert issubclass(trentclient.ServiceError, trentclient.TrentError)
    for outside in (
        "NoCredentialsError",
        "NoRegionError",
        "ParamValidationError",
        "TransportError",
        "ResponseParseError",
    ):
        cls = getattr(trentclient, outside)
        assert issubclass(cls, trentclient.TrentError)
        assert not issubclass(cls, trentclient.ServiceError)
    assert trentclient.Client.exceptions.NotFoundException is trentclient.NotFoundException  # type: ignore[attr-defined]
    assert trentclient.AsyncClient.exceptions.ClientError is trentclient.ServiceError


def test_exception_tree_is_drawn_in_the_docstring() -> None:
    from trentclient import _exceptions

    doc = _exceptions.__doc__ or ""
    for name in (
        "TrentError",
        "ServiceError",
        "ParamValidationError",
        "TransportError",
        "ResponseParseError",
    ):
        assert name in doc


def test_import_does_not_load_heavy_or_test_packages() -> None:
    code = (
        "import sys, trentclient\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('botocore', 'boto3', 'moto', 'respx', 'asyncio', 'typing_extensions'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.moto
def test_demo_runs_and_exits_zero() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trentclient", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for step in (
        "create_key",
        "enable_key_rotation",
        "get_key_rotation_status",
        "list_key_rotations",
        "rotate_key_on_demand",
        "NotFoundException",
        "Done.",
    ):
        assert step in text
    assert "Signature=" in text and "(masked)" in text
    assert "SECRET" not in text.upper().replace("SECRETACCESSKEY", "")


def test_cli_usage_errors_exit_252() -> None:
    from trentclient.__main__ import main

    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 252
    assert main([]) == 252


def test_getting_started_lists_every_operation() -> None:
    """The Operations list of the Getting started page (docs/index.md), and its count."""
    from pathlib import Path

    from trentclient._generated._shapes import OPERATIONS

    page = (Path(__file__).resolve().parent.parent / "docs" / "index.md").read_text()
    missing = [op.method_name for op in OPERATIONS.values() if f"`{op.method_name}`" not in page]
    assert missing == []
    assert f"All {len(OPERATIONS)} KMS operations" in page


def test_each_client_loads_only_what_its_first_call_needs() -> None:
    """``import trentclient`` builds neither client nor the modeled errors; an AsyncClient
    from static keys loads neither the sync client nor its methods, the rest of the
    credential chain, nor the error classes, and its first call builds that one operation only. Then every lazy
    name still resolves to the one class, ``client.exceptions`` included."""
    code = (
        "import sys, asyncio, httpx, trentclient\n"
        "loaded = lambda: {m for m in sys.modules if m.startswith('trentclient.')}\n"
        "print(sorted(loaded()))\n"
        "ok = lambda request: httpx.Response(200, json={'KeyMetadata': {'KeyId': 'k'}})\n"
        "async def main():\n"
        "    a = trentclient.AsyncClient('us-east-1', aws_access_key_id='AKIDEXAMPLE',"
        " aws_secret_access_key='secret',"
        " http_client=httpx.AsyncClient(transport=httpx.MockTransport(ok)))\n"
        "    assert (await a.describe_key(KeyId='k'))['KeyMetadata']['KeyId'] == 'k'\n"
        "    return a\n"
        "a = asyncio.run(main())\n"
        "after = loaded()\n"
        "print(sorted(m for m in ('trentclient._client', 'trentclient._credentials._chain',"
        " 'trentclient._credentials._botocore', 'trentclient._credentials._context',"
        " 'trentclient._generated._errors', 'trentclient._generated._methods',"
        " 'trentclient._common_errors') if m in after))\n"
        "from trentclient._generated._shapes import OPERATIONS\n"
        "print(sorted(OPERATIONS._built))\n"
        "from trentclient._generated import _errors\n"
        "assert a.exceptions.NotFoundException is trentclient.NotFoundException\n"
        "assert trentclient.NotFoundException is _errors.NotFoundException\n"
        "assert trentclient.ThrottlingException is _errors.ERROR_CLASSES['ThrottlingException']\n"
        "assert trentclient.Client is sys.modules['trentclient._client'].Client\n"
        "assert set(_errors.__all__) <= set(dir(trentclient)) & set(trentclient.__all__)\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    lines = out.stdout.splitlines()
    assert lines[0] == str(
        [
            "trentclient._exceptions",
            "trentclient._generated",
            "trentclient._generated._error_names",
            "trentclient._version",
        ]
    )
    assert lines[1:] == ["[]", "['DescribeKey']", "ok"]


def test_operation_table_builds_each_operation_once_and_shares_shapes() -> None:
    from trentclient._generated._shapes import _OPERATIONS, _SHAPES
    from trentclient._model import OperationTable

    table = OperationTable(_OPERATIONS, _SHAPES)
    assert len(table) == len(_OPERATIONS) == 54 and list(table) == list(_OPERATIONS)
    assert "EnableKey" in table and "enable_key" not in table and table.get("Nope") is None
    enable, disable = table["EnableKey"], table["DisableKey"]
    assert table["EnableKey"] is enable
    assert enable.input.members["KeyId"] is disable.input.members["KeyId"]  # one KeyIdType
    assert enable.input.required == frozenset({"KeyId"}) and enable.output is None
    assert repr(table) == "OperationTable(54 operations, 2 built)"
    listing = table["ListKeys"]
    assert listing.paginator is not None and listing.paginator.result_key == ("Keys",)
    assert listing.output is not None and listing.output.members["Keys"].member is not None
    with pytest.raises(KeyError):
        table["enable_key"]


def test_import_defers_attrs_until_first_use() -> None:
    """attrs costs more to import than the rest of trentclient: Config/Credentials load lazily."""
    code = (
        "import sys, trentclient\n"
        "before = any(m.split('.')[0] in ('attr', 'attrs') for m in sys.modules)\n"
        "from trentclient import Config, Credentials\n"
        "assert Config().retries.mode is None and Credentials('a', 'b').access_key == 'a'\n"
        "after = any(m.split('.')[0] in ('attr', 'attrs') for m in sys.modules)\n"
        "print(before, after, 'Config' in dir(trentclient))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True"]
    with pytest.raises(AttributeError):
        trentclient.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.parametrize("source", ["arguments", "environment"])
def test_a_client_from_static_keys_never_imports_attrs(source: str) -> None:
    """A first client and call, sync and async, sign straight from the keys and read the
    defaults without a Config: attrs (~10 ms) would be a tenth of a cold start."""
    keys = (
        " aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='secret',"
        if source == "arguments"
        else ""
    )
    code = (
        "import asyncio, sys, httpx, trentclient\n"
        "ok = lambda request: httpx.Response(200, json={'KeyMetadata': {'KeyId': 'k'}})\n"
        "c = trentclient.Client('us-east-1',"
        f"{keys} http_client=httpx.Client(transport=httpx.MockTransport(ok)))\n"
        "assert c.describe_key(KeyId='k')['KeyMetadata']['KeyId'] == 'k'\n"
        "async def main():\n"
        "    a = trentclient.AsyncClient('us-east-1',"
        f"{keys} http_client=httpx.AsyncClient(transport=httpx.MockTransport(ok)))\n"
        "    assert (await a.describe_key(KeyId='k'))['KeyMetadata']['KeyId'] == 'k'\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('attr', 'attrs')))\n"
        "resolved = trentclient.Config(retries={'total_max_attempts': 3, 'mode': 'standard'})\n"
        "print(c.config == resolved, c.config is c.config)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    if source == "environment":
        env.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.splitlines() == ["[]", "True True"]


def test_config_defaults_match_config() -> None:
    """Clients built without a Config read ConfigDefaults: it must say what Config() says."""
    import attrs

    from trentclient._config import Config, RetryConfig
    from trentclient._defaults import ConfigDefaults, RetryDefaults

    config = Config()
    for field in attrs.fields(Config):
        if field.name == "retries":
            continue
        assert getattr(ConfigDefaults, field.name) == getattr(config, field.name), field.name
    assert ConfigDefaults.retries is RetryDefaults
    for field in attrs.fields(RetryConfig):
        assert getattr(RetryDefaults, field.name) == getattr(config.retries, field.name)
    public = {n for n in vars(ConfigDefaults) if not n.startswith("_")}
    assert public == {f.name for f in attrs.fields(Config)}


def test_user_agent_platform_parts_are_platforms() -> None:
    """The User-Agent reads os.uname()/sys instead of importing platform: same values."""
    import platform

    from trentclient._core import _platform_parts

    assert _platform_parts() == (
        platform.system(),
        platform.release(),
        platform.machine(),
        platform.python_version(),
        platform.python_implementation(),
    )


def test_invocation_ids_are_uuid4_strings() -> None:
    import uuid

    from trentclient._call import _invocation_id

    ids = [_invocation_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


ROOT = Path(__file__).resolve().parent.parent
INSTALLED = bool(os.environ.get("TRENTCLIENT_TEST_INSTALLED"))


@pytest.mark.skipif(not INSTALLED, reason="only when testing the installed wheel")
def test_the_suite_runs_against_the_installed_package() -> None:
    """``tools/dev.py test --wheel`` sets TRENTCLIENT_TEST_INSTALLED: then neither this
    process nor a ``python -c`` started in the checkout imports the checkout's trentclient,
    so a file missing from the wheel fails the suite."""
    import sysconfig

    purelib = Path(sysconfig.get_path("purelib")).resolve()
    here = Path(trentclient.__file__).resolve()
    assert not here.is_relative_to(ROOT / "trentclient"), here
    assert here.is_relative_to(purelib), here
    code = "import trentclient, trentclient.testing; print(trentclient.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert Path(out.stdout.strip()).resolve() == here


def test_supported_pythons_agree() -> None:
    """pyproject's classifiers, requires-python, the README, the Getting started page and the
    Pythons CI runs."""
    import tomllib

    from tools.dev import PYTHONS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    prefix = "Programming Language :: Python :: 3."
    classified = [
        c.removeprefix("Programming Language :: Python :: ")
        for c in project["classifiers"]
        if c.startswith(prefix)
    ]
    assert classified == list(PYTHONS)
    assert project["requires-python"] == f">={PYTHONS[0]}"
    supported = f"CPython {', '.join(PYTHONS[:-1])} and {PYTHONS[-1]}"
    for text in ("README.md", "docs/index.md"):
        assert supported in (ROOT / text).read_text(), text
