"""Tests for trentclient._credentials: the Credentials value, the providers, the
credential chain, region resolution, and differential checks against botocore."""

from __future__ import annotations

import copy
import datetime
import inspect
import os
import pickle
import shlex
import sys
import tempfile
import textwrap
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import botocore.configloader
import botocore.credentials
import botocore.exceptions
import botocore.session
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trentclient._credentials import (
    BotocoreCredentialProvider,
    ConfigParseError,
    CredentialProvider,
    StaticCredentialProvider,
    load_profile,
    parse_ini,
    resolve_credential_provider,
    resolve_region,
)
from trentclient._credvalue import Credentials
from trentclient._exceptions import (
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    TrentError,
)

# Sentinels: none of these may ever show up in a repr, str or error message.
SECRET = "SECRETsentinel/9f8e7d6c5b4a+zz"
TOKEN = "TOKENsentinel/1a2b3c4d5e6f+zz"
AK = "AKIDSENTINEL0001"
SENTINELS = (SECRET, TOKEN)

CRED = "/fake/home/.aws/credentials"
CONF = "/fake/home/.aws/config"


def env(**variables: str) -> dict[str, str]:
    """An environment whose shared files are the fake CRED and CONF paths."""
    base = {"AWS_SHARED_CREDENTIALS_FILE": CRED, "AWS_CONFIG_FILE": CONF}
    base.update(variables)
    return base


def files(credentials: str | None = None, config: str | None = None) -> dict[str, str]:
    result = {}
    if credentials is not None:
        result[CRED] = textwrap.dedent(credentials)
    if config is not None:
        result[CONF] = textwrap.dedent(config)
    return result


def resolve(
    environ: Mapping[str, str], fake_files: Mapping[str, str], **kwargs: Any
) -> CredentialProvider:
    kwargs.setdefault("use_botocore", False)
    return resolve_credential_provider(environ=environ, read_text=fake_files.get, **kwargs)


def creds_of(provider: CredentialProvider) -> tuple[str, str, str | None]:
    c = provider.get_credentials()
    return (c.access_key, c.secret_key, c.token)


def assert_no_secrets(text: str) -> None:
    for sentinel in SENTINELS:
        assert sentinel not in text


def assert_exception_hides_secrets(exc: BaseException) -> None:
    assert_no_secrets(str(exc))
    assert_no_secrets(repr(exc))
    assert_no_secrets("".join(traceback.format_exception(exc)))


def no_files(path: str) -> str | None:
    raise AssertionError(f"no file should be read here, but {path} was")


# =============================================================================================
# Credentials
# =============================================================================================


class TestCredentials:
    def test_signature_is_the_public_contract(self) -> None:
        params = list(inspect.signature(Credentials).parameters.values())
        # The positional contract is (access_key, secret_key, token=None); ``expiry`` is a
        # keyword-only addition for refreshable credentials.
        assert [p.name for p in params] == ["access_key", "secret_key", "token", "expiry"]
        assert params[2].default is None
        assert params[3].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[3].default is None
        names = [f.name for f in attrs.fields(Credentials)]
        assert names == ["access_key", "secret_key", "token", "expiry"]
        c = Credentials(AK, SECRET, TOKEN)
        assert (c.access_key, c.secret_key, c.token) == (AK, SECRET, TOKEN)
        assert Credentials(AK, SECRET).token is None
        kw = Credentials(access_key=AK, secret_key=SECRET, token=TOKEN)
        assert kw == c

    @pytest.mark.parametrize("token", [TOKEN, None])
    def test_repr_and_str_hide_secret_and_token(self, token: str | None) -> None:
        c = Credentials(AK, SECRET, token)
        for text in (repr(c), str(c), f"{c}", f"{c!r}", repr([c]), repr({"c": c}), format(c)):
            assert_no_secrets(text)
            assert AK in text

    def test_fields_excluded_from_repr(self) -> None:
        by_name = {f.name: f for f in attrs.fields(Credentials)}
        assert by_name["secret_key"].repr is False
        assert by_name["token"].repr is False
        assert by_name["access_key"].repr is True

    @pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
    @pytest.mark.parametrize("token", [TOKEN, None])
    def test_pickle_round_trip(self, protocol: int, token: str | None) -> None:
        c = Credentials(AK, SECRET, token)
        back = pickle.loads(pickle.dumps(c, protocol=protocol))
        assert back == c
        assert (back.access_key, back.secret_key, back.token) == (AK, SECRET, token)
        assert type(back) is Credentials

    def test_copy_and_deepcopy(self) -> None:
        c = Credentials(AK, SECRET, TOKEN)
        assert copy.copy(c) == c
        assert copy.deepcopy(c) == c
        assert attrs.evolve(c, token=None) == Credentials(AK, SECRET)

    def test_equality_and_hash(self) -> None:
        c = Credentials(AK, SECRET, TOKEN)
        assert c == Credentials(AK, SECRET, TOKEN)
        assert hash(c) == hash(Credentials(AK, SECRET, TOKEN))
        assert c != Credentials("OTHER", SECRET, TOKEN)
        assert c != Credentials(AK, "other-secret", TOKEN)
        assert c != Credentials(AK, SECRET, "other-token")
        assert c != Credentials(AK, SECRET)
        as_tuple: object = (AK, SECRET, TOKEN)
        assert c != as_tuple
        assert len({c, Credentials(AK, SECRET, TOKEN)}) == 1

    def test_frozen(self) -> None:
        c = Credentials(AK, SECRET, TOKEN)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            c.secret_key = "x"  # type: ignore[misc]

    def test_asdict_does_reach_the_secrets(self) -> None:
        # Documented: only repr/str hide them; asdict and attribute access do not.
        assert attrs.asdict(Credentials(AK, SECRET, TOKEN)) == {
            "access_key": AK,
            "secret_key": SECRET,
            "token": TOKEN,
            "expiry": None,
        }

    @pytest.mark.parametrize("field", ["access_key", "secret_key", "token"])
    @pytest.mark.parametrize(
        "bad",
        ["\n", "\r", "\r\n", "\x00", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"],
        ids=repr,
    )
    @pytest.mark.parametrize("where", ["end", "middle", "start"])
    def test_control_characters_rejected_without_echo(
        self, field: str, bad: str, where: str
    ) -> None:
        values = {"access_key": AK, "secret_key": SECRET, "token": TOKEN}
        sentinel = SECRET if field != "token" else TOKEN
        if where == "end":
            values[field] = sentinel + bad
        elif where == "start":
            values[field] = bad + sentinel
        else:
            values[field] = sentinel[:5] + bad + sentinel[5:]
        # access_key value is not secret, but the message must still not echo it.
        with pytest.raises(ValueError) as info:
            Credentials(**values)
        assert_exception_hides_secrets(info.value)
        assert field in str(info.value)
        assert sentinel not in str(info.value)
        assert sentinel[5:] not in str(info.value)

    @pytest.mark.parametrize("field", ["access_key", "secret_key", "token"])
    def test_empty_rejected(self, field: str) -> None:
        values: dict[str, Any] = {"access_key": AK, "secret_key": SECRET, "token": TOKEN}
        values[field] = ""
        with pytest.raises(ValueError, match=field):
            Credentials(**values)

    @pytest.mark.parametrize("field", ["access_key", "secret_key", "token"])
    @pytest.mark.parametrize("bad", [1, b"bytes", ["list"], 1.5])
    def test_non_str_rejected(self, field: str, bad: object) -> None:
        values: dict[str, Any] = {"access_key": AK, "secret_key": SECRET, "token": TOKEN}
        values[field] = bad
        with pytest.raises(TypeError, match=field) as info:
            Credentials(**values)
        assert_exception_hides_secrets(info.value)

    @pytest.mark.parametrize("field", ["access_key", "secret_key"])
    def test_none_rejected_for_keys(self, field: str) -> None:
        values: dict[str, Any] = {"access_key": AK, "secret_key": SECRET}
        values[field] = None
        with pytest.raises(TypeError, match=field):
            Credentials(**values)

    def test_printable_punctuation_and_spaces_allowed(self) -> None:
        Credentials("AK IA", "a+b/c=d e", "tok/en==")


# =============================================================================================
# Providers
# =============================================================================================


class TestStaticProvider:
    def test_returns_the_same_object_every_time(self) -> None:
        c = Credentials(AK, SECRET, TOKEN)
        p = StaticCredentialProvider(c)
        assert p.get_credentials() is c
        assert p.get_credentials() is p.get_credentials()
        assert p.method == "explicit"
        assert StaticCredentialProvider(c, "env").method == "env"
        assert isinstance(p, CredentialProvider)

    def test_repr_hides_secrets(self) -> None:
        p = StaticCredentialProvider(Credentials(AK, SECRET, TOKEN), "shared-credentials-file")
        assert_no_secrets(repr(p))
        assert_no_secrets(str(p))
        assert "shared-credentials-file" in repr(p)

    def test_rejects_non_credentials(self) -> None:
        with pytest.raises(TypeError):
            StaticCredentialProvider((AK, SECRET))  # type: ignore[arg-type]

    def test_pickles(self) -> None:
        p = StaticCredentialProvider(Credentials(AK, SECRET, TOKEN), "env")
        assert pickle.loads(pickle.dumps(p)) == p

    def test_from_keys_makes_the_credentials_value_only_when_asked(self) -> None:
        p = StaticCredentialProvider.from_keys(AK, SECRET, TOKEN, "env")
        assert (p.access_key, p.secret_key, p.token, p.method) == (AK, SECRET, TOKEN, "env")
        assert p._credentials is None
        assert p.get_credentials() == Credentials(AK, SECRET, TOKEN)
        assert p.get_credentials() is p.credentials
        assert p == StaticCredentialProvider(Credentials(AK, SECRET, TOKEN), "env")
        assert hash(p) == hash(StaticCredentialProvider(Credentials(AK, SECRET, TOKEN), "env"))
        assert pickle.loads(pickle.dumps(p)) == p
        assert_no_secrets(repr(p))

    @pytest.mark.parametrize(
        ("args", "error"),
        [
            (("", SECRET, None), ValueError),
            ((AK, "", None), ValueError),
            ((AK, SECRET, ""), ValueError),
            ((AK, SECRET + "\n", None), ValueError),
            ((AK, 5, None), TypeError),
            ((AK, SECRET, b"t"), TypeError),
        ],
    )
    def test_from_keys_checks_as_credentials_does(
        self, args: tuple[Any, Any, Any], error: type[Exception]
    ) -> None:
        with pytest.raises(error) as from_keys:
            StaticCredentialProvider.from_keys(*args)
        with pytest.raises(error) as value:
            Credentials(*args)
        assert str(from_keys.value) == str(value.value)
        assert_no_secrets(str(from_keys.value))

    def test_keys_are_read_only(self) -> None:
        p = StaticCredentialProvider.from_keys(AK, SECRET)
        for name in ("access_key", "secret_key", "token", "method"):
            with pytest.raises(AttributeError):
                setattr(p, name, "other")
        assert p.secret_key == SECRET

    def test_signer_reads_fixed_keys_without_the_value(self) -> None:
        from trentclient import SigV4Auth

        p = StaticCredentialProvider.from_keys(AK, SECRET, TOKEN)
        request = httpx.Request("POST", "https://kms.us-east-1.amazonaws.com/", content=b"{}")
        when = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
        SigV4Auth(p, "us-east-1").sign(request, now=when)
        assert p._credentials is None  # signed straight from the provider's keys
        expected = httpx.Request("POST", "https://kms.us-east-1.amazonaws.com/", content=b"{}")
        SigV4Auth(Credentials(AK, SECRET, TOKEN), "us-east-1").sign(expected, now=when)
        assert request.headers["authorization"] == expected.headers["authorization"]
        assert request.headers["x-amz-security-token"] == TOKEN


class TestBotocoreProvider:
    def test_wraps_static_botocore_credentials(self) -> None:
        bc = botocore.credentials.Credentials(AK, SECRET, TOKEN, method="shared-credentials-file")
        p = BotocoreCredentialProvider(bc)
        first = p.get_credentials()
        assert first == Credentials(AK, SECRET, TOKEN)
        assert p.get_credentials() is first  # unchanged answer: no new object
        assert p.method == "shared-credentials-file"
        assert p.botocore_credentials is bc
        assert isinstance(p, CredentialProvider)
        assert_no_secrets(repr(p))
        assert_no_secrets(str(p))

    def test_empty_token_becomes_none(self) -> None:
        p = BotocoreCredentialProvider(botocore.credentials.Credentials(AK, SECRET, ""))
        assert p.get_credentials().token is None
        p = BotocoreCredentialProvider(botocore.credentials.Credentials(AK, SECRET, None))
        assert p.get_credentials().token is None
        assert p.method == "explicit"  # botocore's default method name

    def test_follows_botocore_refreshes(self) -> None:
        calls: list[int] = []

        def refresh() -> dict[str, str]:
            calls.append(1)
            # Inside botocore's mandatory refresh window: every read refreshes.
            expiry = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
            return {
                "access_key": f"AK{len(calls)}",
                "secret_key": f"{SECRET}{len(calls)}",
                "token": f"{TOKEN}{len(calls)}",
                "expiry_time": expiry.isoformat(),
            }

        bc = botocore.credentials.RefreshableCredentials.create_from_metadata(
            refresh(), refresh, "custom-test"
        )
        p = BotocoreCredentialProvider(bc)
        a = p.get_credentials()
        b = p.get_credentials()
        assert a.access_key != b.access_key
        assert b.secret_key == f"{SECRET}{len(calls)}"
        assert b.token == f"{TOKEN}{len(calls)}"
        assert p.method == "custom-test"
        assert_no_secrets(repr(p))

    def test_botocore_failures_become_no_credentials_error(self) -> None:
        class Broken:
            method = "sso"

            def get_frozen_credentials(self) -> Any:
                raise RuntimeError("token expired, run aws sso login")

        p = BotocoreCredentialProvider(Broken())
        with pytest.raises(NoCredentialsError, match="sso") as info:
            p.get_credentials()
        assert isinstance(info.value.__cause__, RuntimeError)

    def test_invalid_values_from_botocore(self) -> None:
        p = BotocoreCredentialProvider(botocore.credentials.Credentials(AK, SECRET + "\n", None))
        with pytest.raises(NoCredentialsError) as info:
            p.get_credentials()
        assert_exception_hides_secrets(info.value)

    def test_rejects_other_objects(self) -> None:
        with pytest.raises(TypeError):
            BotocoreCredentialProvider(Credentials(AK, SECRET))


# =============================================================================================
# parse_ini
# =============================================================================================


class TestParseIni:
    def test_sections_keys_comments(self) -> None:
        text = textwrap.dedent(
            """\
            # a comment
            ; another comment
            [default]
            AWS_Access_Key_ID = AKIA1
            aws_secret_access_key=  s3cr3t
            region: eu-west-1
            note = a # not an inline comment

            [Profile Dev]
            x = 1
            """
        )
        assert parse_ini(text) == {
            "default": {
                "aws_access_key_id": "AKIA1",
                "aws_secret_access_key": "s3cr3t",
                "region": "eu-west-1",
                "note": "a # not an inline comment",
            },
            "Profile Dev": {"x": "1"},
        }

    def test_nested_subsections_are_tolerated(self) -> None:
        text = "[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n    signature_version = s3v4\n"
        parsed = parse_ini(text)
        assert parsed["default"]["region"] == "us-east-1"
        assert parsed["default"]["s3"].startswith("\n")
        assert "addressing_style = path" in parsed["default"]["s3"]

    def test_bad_nested_subsection_is_an_error(self) -> None:
        with pytest.raises(ConfigParseError, match="s3"):
            parse_ini("[default]\ns3 =\n    nonsense\n")

    def test_crlf_and_default_section(self) -> None:
        text = "[DEFAULT]\r\nregion = us-west-2\r\n[a]\r\nx = 1\r\n[b]\r\nregion = eu-north-1\r\n"
        assert parse_ini(text) == {
            "a": {"x": "1", "region": "us-west-2"},
            "b": {"region": "eu-north-1"},
        }

    @pytest.mark.parametrize(
        "text",
        [
            f"aws_secret_access_key = {SECRET}\n[default]\n",  # before any header
            f"[default]\n{SECRET}\n",  # not key = value
            f"[default]\naws_secret_access_key {SECRET}\n",
            f"[default]\naws_secret_access_key = {SECRET}\naws_secret_access_key = {SECRET}\n",
            f"[default]\nx = 1\n[default]\naws_secret_access_key = {SECRET}\n",
        ],
    )
    def test_errors_never_quote_lines(self, text: str) -> None:
        with pytest.raises(ConfigParseError) as info:
            parse_ini(text, path="/some/file")
        exc = info.value
        assert isinstance(exc, TrentError)
        assert isinstance(exc, ValueError)
        assert "/some/file" in str(exc)
        assert "line" in str(exc)
        assert exc.__context__ is None and exc.__cause__ is None
        assert_exception_hides_secrets(exc)

    def test_empty(self) -> None:
        assert parse_ini("") == {}
        assert parse_ini("# only a comment\n") == {}


_INI_LINES = [
    "[default]",
    "[profile a]",
    '[profile "b c"]',
    "[profile  a ]",
    "[a]",
    "[profile]",
    "[profiles x]",
    "[profile a b]",
    "[DEFAULT]",
    "[sso-session s]",
    "[services x]",
    "aws_access_key_id = AKA",
    "AWS_SECRET_ACCESS_KEY=SKB",
    "region: eu-west-1",
    "region = us-east-1 # comment",
    "# comment",
    "; comment",
    "",
    "   ",
    "s3 =",
    "    addressing_style = path",
    "    bare words",
    "\tk2 = v2",
    "novalue",
    "x = 1",
    "x = 2",
    "[",
    "= y",
]


def _botocore_parse(text: str) -> tuple[str, Any]:
    """botocore's raw parse + profile map of ``text``, or ``("error", None)``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "config")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            botocore.configloader.raw_config_parse(path)  # validates nested blocks
            raw = botocore.configloader.raw_config_parse(path, parse_subsections=False)
        except botocore.exceptions.ConfigParseError:
            return ("error", None)
    return ("ok", raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_INI_LINES), max_size=12))
def test_parse_ini_matches_botocore(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    kind, raw = _botocore_parse(text)
    try:
        ours = parse_ini(text)
    except ConfigParseError:
        assert kind == "error", text
        return
    assert kind == "ok", text
    assert ours == raw
    # The config-file profile map, too.
    from trentclient._credentials._files import _config_profiles

    assert _config_profiles(ours) == botocore.configloader.build_profile_map(raw)["profiles"]


# =============================================================================================
# The chain, with a fake environment and fake files
# =============================================================================================

CREDS_DEFAULT = f"""\
[default]
aws_access_key_id = AKFILE
aws_secret_access_key = {SECRET}-file
"""
CONFIG_DEFAULT = f"""\
[default]
aws_access_key_id = AKCONFIG
aws_secret_access_key = {SECRET}-config
region = eu-west-3
"""
ENV_CREDS = {"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": f"{SECRET}-env"}


class TestPrecedence:
    def test_explicit_beats_everything(self) -> None:
        p = resolve(
            env(**ENV_CREDS),
            files(CREDS_DEFAULT, CONFIG_DEFAULT),
            access_key=AK,
            secret_key=SECRET,
            token=TOKEN,
        )
        assert isinstance(p, StaticCredentialProvider)
        assert p.method == "explicit"
        assert creds_of(p) == (AK, SECRET, TOKEN)

    def test_explicit_reads_no_files_even_with_a_profile(self) -> None:
        p = resolve_credential_provider(
            access_key=AK,
            secret_key=SECRET,
            profile_name="nonexistent",
            environ={"AWS_PROFILE": "also-missing"},
            read_text=no_files,
            use_botocore=False,
        )
        assert creds_of(p) == (AK, SECRET, None)

    def test_explicit_empty_token_is_none(self) -> None:
        p = resolve(env(), {}, access_key=AK, secret_key=SECRET, token="")
        assert creds_of(p) == (AK, SECRET, None)

    def test_env_beats_files(self) -> None:
        p = resolve(env(**ENV_CREDS), files(CREDS_DEFAULT, CONFIG_DEFAULT))
        assert isinstance(p, StaticCredentialProvider)
        assert p.method == "env"
        assert creds_of(p) == ("AKENV", f"{SECRET}-env", None)

    def test_env_reads_no_files_when_no_profile_is_named(self) -> None:
        p = resolve_credential_provider(environ=ENV_CREDS, read_text=no_files, use_botocore=False)
        assert creds_of(p)[0] == "AKENV"

    def test_credentials_file_beats_config_file(self) -> None:
        p = resolve(env(), files(CREDS_DEFAULT, CONFIG_DEFAULT))
        assert isinstance(p, StaticCredentialProvider)
        assert p.method == "shared-credentials-file"
        assert creds_of(p) == ("AKFILE", f"{SECRET}-file", None)

    def test_config_file_last(self) -> None:
        p = resolve(env(), files(None, CONFIG_DEFAULT))
        assert isinstance(p, StaticCredentialProvider)
        assert p.method == "config-file"
        assert creds_of(p) == ("AKCONFIG", f"{SECRET}-config", None)

    def test_secret_only_section_in_credentials_file_is_skipped(self) -> None:
        creds = f"[default]\naws_secret_access_key = {SECRET}\n"
        p = resolve(env(), files(creds, CONFIG_DEFAULT))
        assert creds_of(p)[0] == "AKCONFIG"

    def test_secret_only_env_is_ignored(self) -> None:
        p = resolve(env(AWS_SECRET_ACCESS_KEY=SECRET), files(CREDS_DEFAULT))
        assert creds_of(p)[0] == "AKFILE"


class TestTokens:
    @pytest.mark.parametrize(
        ("variables", "expected"),
        [
            ({"AWS_SESSION_TOKEN": TOKEN}, TOKEN),
            ({"AWS_SECURITY_TOKEN": TOKEN}, TOKEN),
            ({"AWS_SESSION_TOKEN": "new", "AWS_SECURITY_TOKEN": "legacy"}, "legacy"),
            ({"AWS_SESSION_TOKEN": TOKEN, "AWS_SECURITY_TOKEN": ""}, TOKEN),
            ({"AWS_SESSION_TOKEN": ""}, None),
            ({}, None),
        ],
    )
    def test_env_tokens(self, variables: dict[str, str], expected: str | None) -> None:
        p = resolve(env(**ENV_CREDS, **variables), {})
        assert creds_of(p)[2] == expected

    @pytest.mark.parametrize("which", ["credentials", "config"])
    @pytest.mark.parametrize(
        ("lines", "expected"),
        [
            (f"aws_session_token = {TOKEN}", TOKEN),
            (f"aws_security_token = {TOKEN}", TOKEN),
            ("aws_session_token = new\naws_security_token = legacy", "legacy"),
            ("aws_session_token =", None),
            ("", None),
        ],
    )
    def test_file_tokens(self, which: str, lines: str, expected: str | None) -> None:
        section = "[dev]" if which == "credentials" else "[profile dev]"
        text = f"{section}\naws_access_key_id = AK\naws_secret_access_key = {SECRET}\n{lines}\n"
        fake = files(text, None) if which == "credentials" else files(None, text)
        p = resolve(env(), fake, profile_name="dev")
        assert creds_of(p) == ("AK", SECRET, expected)


class TestPartial:
    def test_access_key_without_secret(self) -> None:
        with pytest.raises(PartialCredentialsError, match="secret_key is missing") as info:
            resolve(env(), {}, access_key=AK)
        assert AK not in str(info.value)
        assert not isinstance(info.value, ProfileNotFound)

    def test_secret_without_access_key(self) -> None:
        with pytest.raises(PartialCredentialsError, match="access_key is missing") as info:
            resolve(env(), {}, secret_key=SECRET, token=TOKEN)
        assert_exception_hides_secrets(info.value)

    def test_token_alone(self) -> None:
        with pytest.raises(PartialCredentialsError, match="token") as info:
            resolve(env(**ENV_CREDS), {}, token=TOKEN)
        assert_exception_hides_secrets(info.value)

    @pytest.mark.parametrize("secret", [None, ""])
    def test_env_access_key_without_secret(self, secret: str | None) -> None:
        environ = env(AWS_ACCESS_KEY_ID="AKENV", AWS_SESSION_TOKEN=TOKEN)
        if secret is not None:
            environ["AWS_SECRET_ACCESS_KEY"] = secret
        with pytest.raises(PartialCredentialsError, match="AWS_SECRET_ACCESS_KEY") as info:
            resolve(environ, files(CREDS_DEFAULT))
        assert_exception_hides_secrets(info.value)

    @pytest.mark.parametrize("which", ["credentials", "config"])
    def test_file_access_key_without_secret(self, which: str) -> None:
        text = f"[default]\naws_access_key_id = AK\naws_session_token = {TOKEN}\n"
        fake = files(text, None) if which == "credentials" else files(None, text)
        with pytest.raises(PartialCredentialsError, match="aws_secret_access_key") as info:
            resolve(env(), fake)
        assert (CRED if which == "credentials" else CONF) in str(info.value)
        assert_exception_hides_secrets(info.value)

    @pytest.mark.parametrize("key", ["aws_access_key_id", "aws_secret_access_key"])
    def test_empty_file_values(self, key: str) -> None:
        values = {"aws_access_key_id": "AK", "aws_secret_access_key": SECRET}
        values[key] = ""
        text = "[default]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
        with pytest.raises(NoCredentialsError, match=key) as info:
            resolve(env(), files(text))
        assert_exception_hides_secrets(info.value)

    def test_nested_block_as_a_key(self) -> None:
        text = f"[default]\naws_access_key_id = AK\naws_secret_access_key =\n    x = {SECRET}\n"
        with pytest.raises(NoCredentialsError, match="indented block") as info:
            resolve(env(), files(text))
        assert_exception_hides_secrets(info.value)


class TestInvalidValues:
    def test_explicit_invalid_values_raise_value_error(self) -> None:
        with pytest.raises(ValueError) as info:
            resolve(env(), {}, access_key=AK, secret_key=SECRET + "\r\n")
        assert_exception_hides_secrets(info.value)
        with pytest.raises(ValueError):
            resolve(env(), {}, access_key="", secret_key=SECRET)
        with pytest.raises(TypeError):
            resolve(env(), {}, access_key=AK, secret_key=123)

    def test_env_control_character(self) -> None:
        environ = env(AWS_ACCESS_KEY_ID="AKENV", AWS_SECRET_ACCESS_KEY=SECRET + "\r")
        with pytest.raises(NoCredentialsError, match="environment") as info:
            resolve(environ, {})
        assert_exception_hides_secrets(info.value)

    def test_file_control_character(self) -> None:
        text = f"[default]\naws_access_key_id = AK\naws_secret_access_key = {SECRET}\x1b[0m\n"
        with pytest.raises(NoCredentialsError, match="secret_key") as info:
            resolve(env(), files(text))
        assert_exception_hides_secrets(info.value)

    def test_malformed_file(self) -> None:
        text = f"aws_secret_access_key = {SECRET}\n"
        with pytest.raises(ConfigParseError) as info:
            resolve(env(), files(text))
        assert CRED in str(info.value)
        assert_exception_hides_secrets(info.value)


class TestProfiles:
    CREDS = f"""\
    [default]
    aws_access_key_id = AKDEFAULT
    aws_secret_access_key = {SECRET}
    [dev]
    aws_access_key_id = AKDEV
    aws_secret_access_key = {SECRET}
    [profile prod]
    aws_access_key_id = AKCREDS-PROFILE-PROD
    aws_secret_access_key = {SECRET}
    """
    CONFIG = f"""\
    [profile prod]
    aws_access_key_id = AKPROD
    aws_secret_access_key = {SECRET}
    [staging]
    aws_access_key_id = AKNOT-A-PROFILE
    aws_secret_access_key = {SECRET}
    [profile "with space"]
    aws_access_key_id = AKSPACE
    aws_secret_access_key = {SECRET}
    """

    def fake(self) -> dict[str, str]:
        return files(self.CREDS, self.CONFIG)

    def test_default(self) -> None:
        assert creds_of(resolve(env(), self.fake()))[0] == "AKDEFAULT"

    def test_argument(self) -> None:
        assert creds_of(resolve(env(), self.fake(), profile_name="dev"))[0] == "AKDEV"

    def test_aws_profile(self) -> None:
        assert creds_of(resolve(env(AWS_PROFILE="dev"), self.fake()))[0] == "AKDEV"

    def test_argument_beats_aws_profile(self) -> None:
        p = resolve(env(AWS_PROFILE="dev"), self.fake(), profile_name="prod")
        assert creds_of(p)[0] == "AKPROD"

    def test_aws_default_profile_beats_aws_profile(self) -> None:
        # botocore's order: AWS_DEFAULT_PROFILE, then AWS_PROFILE.
        p = resolve(env(AWS_DEFAULT_PROFILE="prod", AWS_PROFILE="dev"), self.fake())
        assert creds_of(p)[0] == "AKPROD"
        assert creds_of(resolve(env(AWS_DEFAULT_PROFILE="dev"), self.fake()))[0] == "AKDEV"

    def test_empty_profile_variables_count_as_unset(self) -> None:
        p = resolve(env(AWS_DEFAULT_PROFILE="", AWS_PROFILE="dev"), self.fake())
        assert creds_of(p)[0] == "AKDEV"
        assert creds_of(resolve(env(AWS_PROFILE=""), self.fake()))[0] == "AKDEFAULT"
        assert creds_of(resolve(env(), self.fake(), profile_name=""))[0] == "AKDEFAULT"

    def test_config_profile_prefix(self) -> None:
        # config: [profile prod] is "prod"; credentials: [profile prod] is "profile prod".
        assert creds_of(resolve(env(), self.fake(), profile_name="prod"))[0] == "AKPROD"
        p = resolve(env(), self.fake(), profile_name="profile prod")
        assert creds_of(p)[0] == "AKCREDS-PROFILE-PROD"
        assert creds_of(resolve(env(), self.fake(), profile_name="with space"))[0] == "AKSPACE"

    def test_config_section_without_prefix_is_not_a_profile(self) -> None:
        with pytest.raises(ProfileNotFound, match="staging"):
            resolve(env(), self.fake(), profile_name="staging")

    def test_profile_default_in_config(self) -> None:
        config = f"[profile default]\naws_access_key_id = AKPD\naws_secret_access_key = {SECRET}\n"
        assert creds_of(resolve(env(), files(None, config)))[0] == "AKPD"
        both = config + f"[default]\naws_access_key_id = AKD\naws_secret_access_key = {SECRET}\n"
        assert creds_of(resolve(env(), files(None, both)))[0] == "AKD"  # the later one

    def test_profile_argument_skips_env(self) -> None:
        p = resolve(env(**ENV_CREDS), self.fake(), profile_name="dev")
        assert isinstance(p, StaticCredentialProvider)
        assert (p.method, creds_of(p)[0]) == ("shared-credentials-file", "AKDEV")
        p = resolve(env(**ENV_CREDS), self.fake(), profile_name="default")
        assert creds_of(p)[0] == "AKDEFAULT"

    def test_aws_profile_does_not_skip_env(self) -> None:
        p = resolve(env(AWS_PROFILE="dev", **ENV_CREDS), self.fake())
        assert creds_of(p)[0] == "AKENV"

    def test_named_missing_profile(self) -> None:
        with pytest.raises(ProfileNotFound) as info:
            resolve(env(**ENV_CREDS), self.fake(), profile_name="nope")
        message = str(info.value)
        assert "nope" in message and "profile_name" in message
        assert CRED in message and CONF in message
        assert not isinstance(info.value, NoCredentialsError)  # as botocore's
        assert_exception_hides_secrets(info.value)

    def test_missing_profile_from_env_even_with_env_keys(self) -> None:
        # botocore raises ProfileNotFound here too.
        with pytest.raises(ProfileNotFound, match="AWS_PROFILE"):
            resolve(env(AWS_PROFILE="nope", **ENV_CREDS), self.fake())
        with pytest.raises(ProfileNotFound, match="AWS_DEFAULT_PROFILE"):
            resolve(env(AWS_DEFAULT_PROFILE="nope"), self.fake())

    def test_named_default_must_exist(self) -> None:
        with pytest.raises(ProfileNotFound, match="default"):
            resolve(env(), {}, profile_name="default")
        with pytest.raises(ProfileNotFound, match="default"):
            resolve(env(AWS_PROFILE="default"), {})

    def test_implicit_default_missing_is_not_profile_not_found(self) -> None:
        with pytest.raises(NoCredentialsError) as info:
            use(resolve(env(), {}))
        assert not isinstance(info.value, ProfileNotFound)

    def test_load_profile(self) -> None:
        profile = load_profile("prod", env(), self.fake().get)
        assert profile.name == "prod" and profile.named and profile.exists
        assert profile.credentials_section is None
        assert profile.config_section is not None
        assert profile.config_section["aws_access_key_id"] == "AKPROD"
        assert_no_secrets(repr(profile))
        implicit = load_profile(None, env(), self.fake().get)
        assert (implicit.name, implicit.named) == ("default", False)
        via_env = load_profile(None, env(AWS_PROFILE="dev"), self.fake().get)
        assert (via_env.name, via_env.source) == ("dev", "AWS_PROFILE")


class TestFileLocations:
    def write(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")

    def test_default_paths_use_home_from_environ(self, tmp_path: Path) -> None:
        self.write(tmp_path / ".aws" / "credentials", CREDS_DEFAULT)
        self.write(tmp_path / ".aws" / "config", "[default]\nregion = ap-south-1\n")
        environ = {"HOME": str(tmp_path), "USERPROFILE": str(tmp_path)}
        p = resolve_credential_provider(environ=environ, use_botocore=False)
        assert creds_of(p)[0] == "AKFILE"
        assert resolve_region(environ=environ) == "ap-south-1"

    def test_variables_honoured(self, tmp_path: Path) -> None:
        self.write(tmp_path / "c" / "creds.ini", "[x]\nregion = r\n")
        self.write(tmp_path / "c" / "conf.ini", CONFIG_DEFAULT.replace("[default]", "[profile x]"))
        environ = {
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "c" / "creds.ini"),
            "AWS_CONFIG_FILE": str(tmp_path / "c" / "conf.ini"),
            "AWS_PROFILE": "x",
        }
        p = resolve_credential_provider(environ=environ, use_botocore=False)
        assert isinstance(p, StaticCredentialProvider)
        assert (p.method, creds_of(p)[0]) == ("config-file", "AKCONFIG")

    def test_tilde_and_vars_in_variables(self, tmp_path: Path) -> None:
        self.write(tmp_path / "sub" / "creds", CREDS_DEFAULT)
        environ = {
            "HOME": str(tmp_path),
            "USERPROFILE": str(tmp_path),
            "AWS_SHARED_CREDENTIALS_FILE": "~/sub/creds",
            "AWS_CONFIG_FILE": "$MYDIR/nothing-here",
            "MYDIR": str(tmp_path),
        }
        seen: list[str] = []

        def read_text(path: str) -> str | None:
            seen.append(path)
            return Path(path).read_text() if Path(path).exists() else None

        p = resolve_credential_provider(environ=environ, read_text=read_text, use_botocore=False)
        assert creds_of(p)[0] == "AKFILE"
        assert os.path.join(str(tmp_path), "sub", "creds") in [os.path.normpath(s) for s in seen]
        environ["AWS_CONFIG_FILE"] = "${MYDIR}/x"
        load_profile(None, environ, read_text)
        assert seen[-1] == f"{tmp_path}/x"

    def test_empty_file_variable_means_no_file(self, tmp_path: Path) -> None:
        self.write(tmp_path / ".aws" / "credentials", CREDS_DEFAULT)
        environ = {"HOME": str(tmp_path), "AWS_SHARED_CREDENTIALS_FILE": "", "AWS_CONFIG_FILE": ""}
        with pytest.raises(NoCredentialsError, match="empty string"):
            use(
                resolve_credential_provider(environ=environ, read_text=no_files, use_botocore=False)
            )

    def test_unreadable_files_count_as_absent(self, tmp_path: Path) -> None:
        (tmp_path / "a-directory").mkdir()
        environ = {
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "a-directory"),
            "AWS_CONFIG_FILE": str(tmp_path / "missing" / "config"),
        }
        with pytest.raises(NoCredentialsError, match="does not exist"):
            use(resolve_credential_provider(environ=environ, use_botocore=False))

    def test_invalid_utf8(self, tmp_path: Path) -> None:
        (tmp_path / "creds").write_bytes(b"[default]\naws_access_key_id = \xff\xfe\n")
        environ = {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "creds"), "AWS_CONFIG_FILE": ""}
        with pytest.raises(ConfigParseError, match="UTF-8"):
            resolve_credential_provider(environ=environ, use_botocore=False)


def use(provider: CredentialProvider) -> Any:
    """Credentials are resolved on first use: this is where "nothing found" raises."""
    return provider.get_credentials()


class TestNativeSources:
    def test_nothing_anywhere_lists_the_places(self) -> None:
        provider = resolve(env(AWS_EC2_METADATA_DISABLED="true"), {})  # construction is fine
        with pytest.raises(NoCredentialsError) as info:
            use(provider)
        message = str(info.value)
        for place in (
            "explicit",
            "AWS_ACCESS_KEY_ID",
            CRED,
            CONF,
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "IMDS",
            "AWS_EC2_METADATA_DISABLED",
        ):
            assert place in message
        assert "pip install" not in message  # nothing here needs botocore any more

    @pytest.mark.parametrize(
        ("config", "method"),
        [
            ("role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base", "assume-role"),
            ("sso_session = s\nsso_account_id = 1\nsso_role_name = r", "sso"),
            ("credential_process = /bin/false", "custom-process"),
            ("web_identity_token_file = /t\nrole_arn = arn:x", "assume-role-with-web-identity"),
        ],
    )
    def test_profile_without_static_keys(self, config: str, method: str) -> None:
        extra = (
            "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
            f"[profile base]\naws_access_key_id = AK\naws_secret_access_key = {SECRET}\n"
        )
        provider = resolve(
            env(), files(None, f"[profile dev]\n{config}\n{extra}"), profile_name="dev"
        )
        assert getattr(provider, "method", None) == method
        assert_no_secrets(repr(provider))

    def test_login_session_needs_botocore(self) -> None:
        from trentclient._exceptions import MissingDependencyException

        with pytest.raises(MissingDependencyException, match="login_session"):
            resolve(
                env(), files(None, "[profile dev]\nlogin_session = arn:x\n"), profile_name="dev"
            )

    @pytest.mark.parametrize(
        ("config", "method"),
        [
            ("role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = dev", "assume-role"),
            (
                "sso_account_id = 1\nsso_role_name = r\nsso_start_url = https://x\nsso_region = us-east-1",
                "sso",
            ),
            ("web_identity_token_file = /t\nrole_arn = arn:x", "assume-role-with-web-identity"),
        ],
    )
    def test_settings_that_win_over_static_keys(self, config: str, method: str) -> None:
        # botocore assumes the role (etc.) rather than use the keys directly: so do we.
        creds = f"[dev]\naws_access_key_id = AK\naws_secret_access_key = {SECRET}\n"
        provider = resolve(env(), files(creds, f"[profile dev]\n{config}\n"), profile_name="dev")
        assert getattr(provider, "method", None) == method

    def test_role_arn_in_the_credentials_file_counts(self) -> None:
        creds = (
            f"[dev]\naws_access_key_id = AK\naws_secret_access_key = {SECRET}\nrole_arn = arn:x\n"
        )
        with pytest.raises(PartialCredentialsError, match="source_profile or credential_source"):
            resolve(env(), files(creds), profile_name="dev")

    def test_web_identity_env_counts_unless_a_profile_is_passed(self) -> None:
        environ = env(AWS_WEB_IDENTITY_TOKEN_FILE="/var/run/token", AWS_ROLE_ARN="arn:x")
        provider = resolve(environ, files(CREDS_DEFAULT))
        assert getattr(provider, "method", None) == "assume-role-with-web-identity"
        p = resolve(environ, files(CREDS_DEFAULT), profile_name="default")
        assert creds_of(p)[0] == "AKFILE"

    def test_credential_process_loses_to_the_credentials_file_but_beats_the_config_file(
        self,
    ) -> None:
        # botocore's order: shared credentials file, process, config file.
        creds = f"[dev]\naws_access_key_id = AKC\naws_secret_access_key = {SECRET}\n"
        config = (
            "[profile dev]\ncredential_process = /bin/false\n"
            f"aws_access_key_id = AKCONF\naws_secret_access_key = {SECRET}\n"
        )
        assert creds_of(resolve(env(), files(creds, config), profile_name="dev"))[0] == "AKC"
        provider = resolve(env(), files(None, config), profile_name="dev")
        assert getattr(provider, "method", None) == "custom-process"

    def test_profile_with_only_a_region(self) -> None:
        provider = resolve(env(), files(None, "[profile dev]\nregion = x\n"), profile_name="dev")
        with pytest.raises(NoCredentialsError, match="no static keys or other credential source"):
            use(provider)

    def test_botocore_missing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from trentclient._exceptions import MissingDependencyException

        for name in ("botocore", "botocore.session", "botocore.exceptions"):
            monkeypatch.setitem(sys.modules, name, None)
        with pytest.raises(NoCredentialsError, match="Unable to locate credentials"):
            use(resolve(env(), {}, use_botocore=None))
        with pytest.raises(MissingDependencyException, match="use_botocore=True") as info:
            resolve(env(), {}, use_botocore=True)
        assert "pip install 'trentclient[botocore]'" in str(info.value)
        assert isinstance(info.value.__cause__, ImportError)
        # Static sources never need botocore.
        assert creds_of(resolve(env(), files(CREDS_DEFAULT), use_botocore=True))[0] == "AKFILE"


def test_no_secret_in_any_error() -> None:
    """Every error the chain raises, with sentinels in every secret slot."""
    scenarios: list[Callable[[], object]] = [
        lambda: resolve(env(), {}, secret_key=SECRET, token=TOKEN),
        lambda: resolve(env(), {}, token=TOKEN),
        lambda: resolve(env(AWS_ACCESS_KEY_ID=AK, AWS_SESSION_TOKEN=TOKEN), {}),
        lambda: resolve(env(AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SECRET + "\n"), {}),
        lambda: resolve(env(AWS_PROFILE="x", **ENV_CREDS), files(CREDS_DEFAULT)),
        lambda: resolve(env(), files(f"[default]\naws_secret_access_key {SECRET}\n")),
        lambda: resolve(
            env(), files(f"[default]\naws_access_key_id = A\naws_session_token = {TOKEN}\n")
        ),
        lambda: resolve(
            env(),
            files(
                f"[default]\naws_access_key_id = A\naws_secret_access_key = {SECRET}\nrole_arn = r\n"
            ),
        ),
        lambda: resolve_region(environ=env(), read_text=files(CREDS_DEFAULT).get),
        lambda: resolve_region(environ=env(AWS_PROFILE="zz"), read_text=files(CREDS_DEFAULT).get),
    ]
    for scenario in scenarios:
        with pytest.raises((TrentError, ValueError, TypeError)) as info:
            scenario()
        assert_exception_hides_secrets(info.value)


# =============================================================================================
# Region
# =============================================================================================


class TestRegion:
    CONFIG = "[default]\nregion = eu-west-1\n[profile dev]\nregion =  ap-northeast-2 \n"

    def region(self, region_name: str | None = None, **kwargs: Any) -> str:
        environ = kwargs.pop("environ", env())
        fake = kwargs.pop("fake", files(None, self.CONFIG))
        return resolve_region(region_name, environ=environ, read_text=fake.get, **kwargs)

    def test_order(self) -> None:
        full = env(AWS_REGION="r-env", AWS_DEFAULT_REGION="r-default")
        assert self.region("r-arg", environ=full) == "r-arg"
        assert self.region(environ=full) == "r-env"
        assert self.region(environ=env(AWS_DEFAULT_REGION="r-default")) == "r-default"
        assert self.region() == "eu-west-1"

    def test_argument_and_env_read_no_files(self) -> None:
        assert resolve_region("x", environ={}, read_text=no_files) == "x"
        assert resolve_region(environ={"AWS_REGION": "y"}, read_text=no_files) == "y"

    def test_empty_and_whitespace_count_as_unset(self) -> None:
        environ = env(AWS_REGION="  ", AWS_DEFAULT_REGION="")
        assert self.region("", environ=environ) == "eu-west-1"
        assert self.region("   ", environ=env(AWS_DEFAULT_REGION=" us-east-2\n")) == "us-east-2"
        assert self.region(" us-west-1 ") == "us-west-1"

    def test_profile_selection(self) -> None:
        assert self.region(profile_name="dev") == "ap-northeast-2"
        assert self.region(environ=env(AWS_PROFILE="dev")) == "ap-northeast-2"
        assert self.region(environ=env(AWS_PROFILE="dev"), profile_name="default") == "eu-west-1"

    def test_credentials_file_region_overrides_config(self) -> None:
        # botocore merges the credentials file into its profiles and lets it win.
        fake = files("[dev]\nregion = from-creds\n", self.CONFIG)
        assert self.region(profile_name="dev", fake=fake) == "from-creds"
        fake = files("[other]\nregion = from-creds\n", None)
        assert self.region(profile_name="other", fake=fake) == "from-creds"

    def test_no_region(self) -> None:
        with pytest.raises(NoRegionError) as info:
            self.region(fake=files(CREDS_DEFAULT, "[profile dev]\nregion =\n"), profile_name="dev")
        assert isinstance(info.value, TrentError)
        for text in ("AWS_REGION", "AWS_DEFAULT_REGION", "region_name", "'dev'", CONF):
            assert text in str(info.value)
        with pytest.raises(NoRegionError):
            resolve_region(environ=env(), read_text=lambda _path: None)

    def test_named_missing_profile(self) -> None:
        with pytest.raises(ProfileNotFound, match="nope"):
            self.region(profile_name="nope")
        with pytest.raises(ProfileNotFound, match="AWS_PROFILE"):
            self.region(environ=env(AWS_PROFILE="nope"))
        assert self.region("r", profile_name="nope") == "r"  # never needed

    def test_nested_region_is_an_error(self) -> None:
        fake = files(None, "[default]\nregion =\n    a = b\n")
        with pytest.raises(ConfigParseError, match="region"):
            self.region(fake=fake)


# =============================================================================================
# Against the real botocore (real process environment, files in tmp_path)
# =============================================================================================


@pytest.fixture
def real_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A clean process environment: no AWS_* variables, HOME in tmp_path, no IMDS."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name in ("BOTO_CONFIG", "BOTO_PATH"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("BOTO_CONFIG", str(tmp_path / "no-boto-config"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    yield tmp_path


def write_process_script(directory: Path, *, fail: bool = False, expiration: bool = True) -> str:
    payload: dict[str, Any] = {
        "Version": 1,
        "AccessKeyId": "AKPROCESS",
        "SecretAccessKey": SECRET + "-process",
        "SessionToken": TOKEN + "-process",
    }
    if expiration:
        payload["Expiration"] = "2999-01-01T00:00:00Z"
    script = directory / ("fail.py" if fail else "process.py")
    if fail:
        body = "import sys\nsys.stderr.write('boom')\nsys.exit(3)\n"
    else:
        body = f"import json\nprint(json.dumps({payload!r}))\n"
    script.write_text(body, encoding="utf-8")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


class TestBotocoreStep:
    @pytest.mark.parametrize("expiration", [True, False])
    @pytest.mark.parametrize("how", ["argument", "AWS_PROFILE", "default"])
    @pytest.mark.parametrize("use_botocore", [True, None])
    def test_credential_process(
        self,
        real_env: Path,
        monkeypatch: pytest.MonkeyPatch,
        expiration: bool,
        how: str,
        use_botocore: bool | None,
    ) -> None:
        command = write_process_script(real_env, expiration=expiration)
        section = "[default]" if how == "default" else "[profile proc]"
        (real_env / "config").write_text(f"{section}\ncredential_process = {command}\n")
        kwargs: dict[str, Any] = {"use_botocore": use_botocore}
        if how == "argument":
            kwargs["profile_name"] = "proc"
        elif how == "AWS_PROFILE":
            monkeypatch.setenv("AWS_PROFILE", "proc")
        provider = resolve_credential_provider(**kwargs)
        if use_botocore:
            assert isinstance(provider, BotocoreCredentialProvider)
        else:  # native: the process runs on first use, not here
            assert not isinstance(provider, BotocoreCredentialProvider)
        assert provider.method == "custom-process"  # type: ignore[attr-defined]
        expected = ("AKPROCESS", SECRET + "-process", TOKEN + "-process")
        assert creds_of(provider) == expected
        assert creds_of(provider) == expected
        assert_no_secrets(repr(provider))

    def test_process_beats_static_keys_in_config_like_botocore(self, real_env: Path) -> None:
        command = write_process_script(real_env)
        (real_env / "config").write_text(
            f"[profile p]\naws_access_key_id = AKSTATIC\naws_secret_access_key = {SECRET}\n"
            f"credential_process = {command}\n"
        )
        ours = resolve_credential_provider(profile_name="p").get_credentials()
        theirs = botocore.session.Session(profile="p").get_credentials()
        assert ours.access_key == theirs.access_key == "AKPROCESS"

    def test_failing_process(self, real_env: Path) -> None:
        command = write_process_script(real_env, fail=True)
        (real_env / "config").write_text(f"[profile p]\ncredential_process = {command}\n")
        with pytest.raises(NoCredentialsError, match="CredentialRetrievalError") as info:
            resolve_credential_provider(profile_name="p", use_botocore=True)
        assert isinstance(info.value.__cause__, botocore.exceptions.CredentialRetrievalError)

    def test_botocore_finding_nothing(self, real_env: Path) -> None:
        with pytest.raises(NoCredentialsError) as info:
            resolve_credential_provider(use_botocore=True)
        message = str(info.value)
        assert "botocore's chain" in message and "found nothing" in message
        assert "pip install" not in message

    def test_static_sources_do_not_need_botocore(self, real_env: Path) -> None:
        (real_env / "credentials").write_text(CREDS_DEFAULT)
        p = resolve_credential_provider(use_botocore=True)
        assert isinstance(p, StaticCredentialProvider)

    def test_botocore_profile_not_found_is_translated(self, real_env: Path) -> None:
        # Our (custom) view has the profile; botocore's real files do not.
        fake = files(None, "[profile ghost]\nregion = x\n")
        with pytest.raises(ProfileNotFound, match="ghost") as info:
            resolve_credential_provider(
                environ=env(), read_text=fake.get, profile_name="ghost", use_botocore=True
            )
        assert isinstance(info.value.__cause__, botocore.exceptions.ProfileNotFound)


def _outcome_ours(profile: str | None) -> tuple[Any, ...]:
    try:
        provider = resolve_credential_provider(profile_name=profile, use_botocore=False)
        c = provider.get_credentials()
    except ProfileNotFound:
        return ("profile-not-found",)
    except PartialCredentialsError:
        return ("partial",)
    except NoCredentialsError:
        return ("none",)
    assert isinstance(provider, StaticCredentialProvider)
    return ("credentials", c.access_key, c.secret_key, c.token, provider.method)


def _outcome_botocore(profile: str | None) -> tuple[Any, ...]:
    try:
        found = botocore.session.Session(profile=profile).get_credentials()
    except botocore.exceptions.ProfileNotFound:
        return ("profile-not-found",)
    except botocore.exceptions.PartialCredentialsError:
        return ("partial",)
    if found is None:
        return ("none",)
    frozen = found.get_frozen_credentials()
    return ("credentials", frozen.access_key, frozen.secret_key, frozen.token or None, found.method)


def _region_ours(profile: str | None) -> tuple[str, str | None]:
    try:
        return ("region", resolve_region(profile_name=profile))
    except ProfileNotFound:
        return ("profile-not-found", None)
    except NoRegionError:
        return ("region", None)


def _region_botocore(profile: str | None) -> tuple[str, str | None]:
    try:
        return ("region", botocore.session.Session(profile=profile).get_config_variable("region"))
    except botocore.exceptions.ProfileNotFound:
        return ("profile-not-found", None)


def _keys(name: str, token: str = "", token_key: str = "aws_session_token") -> str:
    text = f"aws_access_key_id = AK{name}\naws_secret_access_key = SK{name}\n"
    if token:
        text += f"{token_key} = {token}\n"
    return text


DIFFERENTIAL_CASES: list[tuple[str, dict[str, str], str | None, str | None, str | None]] = [
    # (id, env, credentials file, config file, profile argument)
    ("env only", {**ENV_CREDS}, None, None, None),
    ("env beats files", {**ENV_CREDS}, "[default]\n" + _keys("F"), None, None),
    ("profile arg skips env", {**ENV_CREDS}, "[dev]\n" + _keys("D"), None, "dev"),
    (
        "AWS_PROFILE keeps env",
        {**ENV_CREDS, "AWS_PROFILE": "dev"},
        "[dev]\n" + _keys("D"),
        None,
        None,
    ),
    ("AWS_PROFILE missing with env", {**ENV_CREDS, "AWS_PROFILE": "nope"}, None, None, None),
    ("creds beats config", {}, "[default]\n" + _keys("C"), "[default]\n" + _keys("G"), None),
    ("config only", {}, None, "[default]\n" + _keys("G", "tok"), None),
    ("config profile prefix", {"AWS_PROFILE": "dev"}, None, "[profile dev]\n" + _keys("P"), None),
    ("config section without prefix", {}, None, "[dev]\n" + _keys("P"), "dev"),
    ("creds [profile x] is literal", {}, "[profile x]\n" + _keys("L"), None, "profile x"),
    ("creds token", {}, "[dev]\n" + _keys("T", "tok1"), None, "dev"),
    (
        "legacy token wins",
        {},
        "[dev]\n" + _keys("T", "legacy", "aws_security_token") + "aws_session_token = new\n",
        None,
        "dev",
    ),
    ("profile default in config", {}, None, "[profile default]\n" + _keys("PD"), None),
    (
        "default then profile default",
        {},
        None,
        "[default]\n" + _keys("A") + "[profile default]\n" + _keys("B"),
        None,
    ),
    ("quoted profile", {}, None, '[profile "a b"]\n' + _keys("Q"), "a b"),
    (
        "AWS_DEFAULT_PROFILE over AWS_PROFILE",
        {"AWS_DEFAULT_PROFILE": "a", "AWS_PROFILE": "b"},
        "[a]\n" + _keys("A") + "[b]\n" + _keys("B"),
        None,
        None,
    ),
    (
        "env token order",
        {**ENV_CREDS, "AWS_SESSION_TOKEN": "new", "AWS_SECURITY_TOKEN": "old"},
        None,
        None,
        None,
    ),
    ("env partial", {"AWS_ACCESS_KEY_ID": "AK"}, "[default]\n" + _keys("F"), None, None),
    ("env secret only", {"AWS_SECRET_ACCESS_KEY": "S"}, "[default]\n" + _keys("F"), None, None),
    ("creds partial", {}, "[default]\naws_access_key_id = A\n", "[default]\n" + _keys("G"), None),
    (
        "creds secret only",
        {},
        "[default]\naws_secret_access_key = S\n",
        "[default]\n" + _keys("G"),
        None,
    ),
    ("nothing", {}, None, None, None),
    ("named default without files", {}, None, None, "default"),
    ("AWS_PROFILE default without files", {"AWS_PROFILE": "default"}, None, None, None),
    (
        "upper-case keys",
        {},
        "[default]\nAWS_ACCESS_KEY_ID = U\nAWS_Secret_Access_Key = V\n",
        None,
        None,
    ),
    ("DEFAULT section inherited", {}, "[DEFAULT]\n" + _keys("INH") + "[dev]\nx = 1\n", None, "dev"),
    (
        "process loses to creds file",
        {},
        "[dev]\n" + _keys("C"),
        "[profile dev]\ncredential_process = /bin/false\n",
        "dev",
    ),
    ("region-only profile", {}, None, "[profile dev]\nregion = x\n", "dev"),
    (
        "colon separator",
        {},
        "[default]\naws_access_key_id: K\naws_secret_access_key: S\n",
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("environ", "credentials", "config", "profile"),
    [case[1:] for case in DIFFERENTIAL_CASES],
    ids=[case[0] for case in DIFFERENTIAL_CASES],
)
def test_static_chain_matches_botocore(
    real_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
    credentials: str | None,
    config: str | None,
    profile: str | None,
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    if credentials is not None:
        (real_env / "credentials").write_text(credentials)
    if config is not None:
        (real_env / "config").write_text(config)
    assert _outcome_ours(profile) == _outcome_botocore(profile)


def test_default_locations_and_empty_variables_match_botocore(
    real_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = real_env / "home"
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("[dev]\n" + _keys("HOME"))
    (home / ".aws" / "config").write_text("[profile dev]\nregion = home-region\n")
    monkeypatch.delenv("AWS_SHARED_CREDENTIALS_FILE")
    monkeypatch.delenv("AWS_CONFIG_FILE")
    assert _outcome_ours("dev") == _outcome_botocore("dev")
    assert _outcome_ours("dev")[1] == "AKHOME"
    assert _region_ours("dev") == _region_botocore("dev") == ("region", "home-region")
    # Set but empty: no file at all, in both.
    monkeypatch.setenv("AWS_CONFIG_FILE", "")
    assert _region_ours("dev") == _region_botocore("dev") == ("region", None)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "")
    assert _outcome_ours("dev") == _outcome_botocore("dev") == ("profile-not-found",)
    # $VAR expansion in the variables.
    monkeypatch.setenv("MY_AWS_DIR", str(home / ".aws"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "$MY_AWS_DIR/credentials")
    assert _outcome_ours("dev") == _outcome_botocore("dev")
    assert _outcome_ours("dev")[0] == "credentials"


REGION_CASES: list[tuple[str, dict[str, str], str | None, str | None, str | None]] = [
    ("env", {"AWS_DEFAULT_REGION": "r-env"}, None, "[default]\nregion = r-conf\n", None),
    ("config default", {}, None, "[default]\nregion = r-conf\n", None),
    ("config profile", {}, None, "[profile dev]\nregion = r-dev\n", "dev"),
    ("AWS_PROFILE", {"AWS_PROFILE": "dev"}, None, "[profile dev]\nregion = r-dev\n", None),
    (
        "creds overrides config",
        {},
        "[dev]\nregion = r-creds\n",
        "[profile dev]\nregion = r-dev\n",
        "dev",
    ),
    ("creds only", {}, "[dev]\nregion = r-creds\n", None, "dev"),
    ("nothing", {}, None, None, None),
    ("missing named", {}, None, "[default]\nregion = r\n", "nope"),
    ("missing AWS_PROFILE", {"AWS_PROFILE": "nope"}, None, "[default]\nregion = r\n", None),
    ("no region key", {}, None, "[profile dev]\noutput = json\n", "dev"),
]


@pytest.mark.parametrize(
    ("environ", "credentials", "config", "profile"),
    [case[1:] for case in REGION_CASES],
    ids=[case[0] for case in REGION_CASES],
)
def test_region_matches_botocore(
    real_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
    credentials: str | None,
    config: str | None,
    profile: str | None,
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    if credentials is not None:
        (real_env / "credentials").write_text(credentials)
    if config is not None:
        (real_env / "config").write_text(config)
    assert _region_ours(profile) == _region_botocore(profile)


def test_aws_region_is_read_although_botocore_does_not(
    real_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "from-aws-region")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "from-default")
    assert resolve_region() == "from-aws-region"
    assert botocore.session.Session().get_config_variable("region") == "from-default"


# A randomized differential check over static setups (no role/SSO/process settings,
# which would need the network or run commands).
_PROFILES = ["default", "dev", "prod"]
_ENV_VALUES = {
    "AWS_ACCESS_KEY_ID": ["", "AKENV"],
    "AWS_SECRET_ACCESS_KEY": ["", "SKENV"],
    "AWS_SESSION_TOKEN": ["", "TSESSION"],
    "AWS_SECURITY_TOKEN": ["", "TSECURITY"],
    "AWS_PROFILE": [*_PROFILES, "missing"],
    "AWS_DEFAULT_PROFILE": _PROFILES,
    "AWS_DEFAULT_REGION": ["r-env"],
}
_SECTION_KEYS = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "region",
]


@st.composite
def _ini(draw: st.DrawFn, *, config: bool) -> str | None:
    if draw(st.booleans()) is False:
        return None
    out = []
    for name in draw(st.lists(st.sampled_from(_PROFILES), unique=True)):
        if config:
            header = draw(st.sampled_from([f"[profile {name}]", f"[{name}]"]))
        else:
            header = f"[{name}]"
        out.append(header)
        tag = "c" if config else "k"
        for key in draw(st.lists(st.sampled_from(_SECTION_KEYS), unique=True)):
            out.append(f"{key} = {key}-{tag}-{name}")
    return "\n".join(out) + "\n"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    environ=st.fixed_dictionaries(
        {}, optional={k: st.sampled_from(v) for k, v in _ENV_VALUES.items()}
    ),
    credentials=_ini(config=False),
    config=_ini(config=True),
    profile=st.none() | st.sampled_from([*_PROFILES, "missing"]),
)
def test_random_static_setups_match_botocore(
    real_env: Path,
    environ: dict[str, str],
    credentials: str | None,
    config: str | None,
    profile: str | None,
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in environ.items():
            mp.setenv(name, value)
        for name, text in (("credentials", credentials), ("config", config)):
            path = real_env / name
            if text is None:
                path.unlink(missing_ok=True)
            else:
                path.write_text(text)
        assert _outcome_ours(profile) == _outcome_botocore(profile)
        assert _region_ours(profile) == _region_botocore(profile)
