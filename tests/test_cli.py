"""The ``trentclient`` command line: commands and options from the model, dry-run, exit codes.

Everything runs ``trentclient.__main__.main`` in-process with ``capsys``, except the
subprocess checks of ``python -m trentclient`` and the console script.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore
import botocore.session
import httpx
import pytest
import respx

import trentclient
from trentclient import _cli
from trentclient.__main__ import main
from trentclient._cli import _help, _output, _parser, _run, _values
from trentclient._generated._docs import MEMBER_DOCS, OPERATION_DOCS
from trentclient._generated._shapes import OPERATIONS
from trentclient._localkms import LocalKMS
from trentclient._model import Operation, Shape

AK = "AKIDCLITEST"
SECRET = "SeNtInEl/Secret+Key-never-printed-0123456789"
TOKEN = "SeNtInElToKeN-session-token"
REGION = "us-east-1"
ROOT = Path(__file__).resolve().parent.parent
#: Values that change with every signing; compared separately.
VOLATILE = {"x-amz-date", "authorization", "amz-sdk-invocation-id"}
#: The one member whose option is renamed: ``--dry-run`` is the global request printer.
RENAMED = {"DryRun": "--kms-dry-run"}


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AK)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", REGION)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``main(argv)`` -> (exit status, stdout, stderr); argparse's exits count too."""
    try:
        code: Any = main(list(argv))
    except SystemExit as exit:
        code = 0 if exit.code is None else exit.code
    out, err = capsys.readouterr()
    return int(code), out, err


def expected_option(member: str) -> str:
    return RENAMED.get(member) or "--" + botocore.xform_name(member, "-")


# -- parsing the dry-run text back ---------------------------------------------------------


class Parsed:
    def __init__(self, text: str) -> None:
        head, sep, rest = text.partition("\n\n")
        assert sep, text
        lines = head.split("\n")
        self.method, self.path, version = lines[0].split(" ")
        assert version == "HTTP/1.1"
        self.headers = [tuple(line.split(": ", 1)) for line in lines[1:]]
        assert all(len(pair) == 2 for pair in self.headers), lines
        length = int(self.header("Content-Length"))
        self.body = rest.encode("utf-8")[:length]
        assert rest.encode("utf-8")[length:] == b"\n"  # one newline after the body

    def header(self, name: str) -> str:
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        assert len(values) == 1, (name, self.headers)
        return values[0]

    def json(self) -> Any:
        return json.loads(self.body)

    def request(self) -> httpx.Request:
        """The request as parsed, with only its signed headers (for re-signing)."""
        signed = self.header("Authorization").split("SignedHeaders=")[1].split(",")[0].split(";")
        url = f"https://{self.header('Host')}{self.path}"
        headers = [(n, v) for n, v in self.headers if n.lower() in signed]
        return httpx.Request(self.method, url, headers=headers, content=self.body)


def dry_run(capsys: pytest.CaptureFixture[str], *argv: str) -> Parsed:
    code, out, err = run(capsys, *argv, "--dry-run")
    assert code == 0, err
    assert SECRET not in out and SECRET not in err
    return Parsed(out)


def client(**kwargs: Any) -> trentclient.Client:
    kwargs.setdefault("region_name", REGION)
    return trentclient.Client(aws_access_key_id=AK, aws_secret_access_key=SECRET, **kwargs)


# -- every operation, every option ----------------------------------------------------------


def test_every_operation_is_a_command_named_like_the_aws_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert len(OPERATIONS) == 54
    for operation in OPERATIONS.values():
        name = botocore.xform_name(operation.name, "-")
        assert _cli.command_name(operation.name) == name
        assert name == operation.method_name.replace("_", "-")
        assert re.search(rf"^    {name}( |$)", out, re.MULTILINE), name
        assert _help.summary(operation.name, OPERATION_DOCS) in " ".join(out.split())
    assert "    demo " in out
    for command in ("enable-key-rotation", "get-key-rotation-status", "create-key", "list-keys"):
        assert command in out


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=lambda op: op.name)
def test_every_member_is_an_option_with_help_from_the_model(
    operation: Operation, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, _cli.command_name(operation.name), "--help")
    assert code == 0
    assert operation.documentation_url in out
    assert "--cli-input-json" in out
    for option in ("--region", "--endpoint-url", "--profile", "--output", "--debug", "--dry-run"):
        assert option in out
    flat = " ".join(out.split())
    # The description: the operation's documentation paragraph, then its URL on a line of its own.
    assert " ".join(OPERATION_DOCS[operation.name].split()) in flat
    assert f"\n{operation.documentation_url}\n" in out
    for name, shape in operation.input.members.items():
        option = expected_option(name)
        assert _cli.option_name(name) == option
        assert f"{option} " in out or f"{option}\n" in out or f"{option}," in out, option
        assert f"[{name}]" in flat
        doc = MEMBER_DOCS[operation.input.name, name]
        assert f"{doc} [{name}]" in flat, name  # the sentence, then the type information
        if shape.type == "boolean":
            assert f"--no-{option[2:]}" in out
        for value in shape.enum:
            assert value in flat
        if name in operation.input.required:
            assert f"[{name}] Required." in flat
    usage = out.split("\n\n")[0]
    for name in operation.input.required:
        assert expected_option(name) in usage


def _model_doc_start(operation: str, member: str | None = None, words: int = 6) -> str:
    """The first words of an operation's or an input member's documentation, straight from
    botocore's model (HTML tags dropped)."""
    model = botocore.session.get_session().get_service_model("kms").operation_model(operation)
    if member is None:
        documentation = model.documentation
    else:
        assert model.input_shape is not None
        documentation = model.input_shape.members[member].documentation
    text = html.unescape(re.sub(r"<[^>]+>", " ", documentation))
    return " ".join(text.split()[:words])


def _option_help_text(out: str, option: str) -> str:
    """The help of one option: from its line to the next option's (whitespace flattened)."""
    start = out.index(f"\n  {option} ")
    end = out.find("\n  --", start + 1)
    return " ".join(out[start : end if end != -1 else None].split())


def test_help_shows_the_models_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "enable-key-rotation", "--help")
    assert code == 0
    key_id = _model_doc_start("EnableKeyRotation", "KeyId")
    period = _model_doc_start("EnableKeyRotation", "RotationPeriodInDays")
    assert len(key_id.split()) == len(period.split()) == 6  # real phrases, not empty text
    assert key_id in _option_help_text(out, "--key-id")
    assert period in _option_help_text(out, "--rotation-period-in-days")
    # ... followed by what was there before: API name, required, type and limits.
    assert "[KeyId] Required. string (1-2048 chars)" in _option_help_text(out, "--key-id")
    assert "[RotationPeriodInDays] integer (90-2560)" in _option_help_text(
        out, "--rotation-period-in-days"
    )
    # The operation's documentation leads the page, then its URL.
    head = " ".join(out.split("\noptions:")[0].split())
    assert _model_doc_start("EnableKeyRotation") in head
    assert head.endswith(OPERATIONS["EnableKeyRotation"].documentation_url)


def test_help_documents_the_members_of_json_objects(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tag-resource", "--help")
    assert code == 0
    tags = _option_help_text(out, "--tags")
    assert f"Members: TagKey: {MEMBER_DOCS['Tag', 'TagKey']}" in tags
    assert f"TagValue: {MEMBER_DOCS['Tag', 'TagValue']}" in tags


def sample(shape: Shape) -> Any:
    """A valid value for ``shape``, as the wire (and JSON input) holds it."""
    kind = shape.type
    if kind == "string":
        return shape.enum[0] if shape.enum else "s" * max(shape.min or 0, 3)
    if kind in ("integer", "long"):
        return shape.min if shape.min is not None else 7
    if kind == "boolean":
        return True
    if kind == "blob":
        data = (b"\xfb\xff\x00" * 30)[: max(shape.min or 0, 3)]
        return base64.b64encode(data).decode()
    if kind == "timestamp":
        return 1893553445  # 2030-01-02T03:04:05Z
    if kind == "list":
        assert shape.member is not None
        if shape.member.enum:
            return list(shape.member.enum[:2])
        return [sample(shape.member), sample(shape.member)]
    if kind == "map":
        assert shape.value is not None
        return {"k": sample(shape.value)}
    assert kind == "structure"
    return {name: sample(member) for name, member in shape.members.items()}


def argv_for(name: str, shape: Shape, value: Any) -> list[str]:
    option = expected_option(name)
    kind = shape.type
    if kind == "boolean":
        return [option] if value else [f"--no-{option[2:]}"]
    if kind == "timestamp":
        return [option, "2030-01-02T03:04:05Z"]
    if kind == "list" and shape.member is not None and shape.member.type == "string":
        return [option, *value]
    if kind in ("list", "map", "structure"):
        return [option, json.dumps(value)]
    return [option, str(value)]


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=lambda op: op.name)
def test_every_option_is_typed_and_lands_in_the_body_in_command_line_order(
    operation: Operation, capsys: pytest.CaptureFixture[str]
) -> None:
    members = list(operation.input.members.items())[::-1]  # not the model's order
    expected = {name: sample(shape) for name, shape in members}
    argv = [arg for name, shape in members for arg in argv_for(name, shape, expected[name])]
    parsed = dry_run(capsys, _cli.command_name(operation.name), *argv)
    assert parsed.header("X-Amz-Target") == f"TrentService.{operation.name}"
    assert parsed.json() == expected
    assert list(parsed.json()) == [name for name, _ in members]
    # ...and it is byte for byte what the library builds for the same parameters.
    params = {
        name: base64.b64decode(value) if shape.type == "blob" else value
        for (name, shape), value in zip(members, expected.values(), strict=True)
    }
    for name, shape in members:
        if shape.type in ("structure", "list") and shape.has_special:
            params[name] = _values.from_json(shape, expected[name], name, _values.BASE64)
    assert parsed.body == client().build_request(operation.name, params).content


def test_boolean_flags_and_their_negations(capsys: pytest.CaptureFixture[str]) -> None:
    parsed = dry_run(
        capsys, "create-key", "--no-multi-region", "--bypass-policy-lockout-safety-check"
    )
    assert parsed.body == b'{"MultiRegion": false, "BypassPolicyLockoutSafetyCheck": true}'


def test_kms_dry_run_member_is_renamed_and_global_dry_run_sends_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _cli.option_name("DryRun") == "--kms-dry-run"
    assert _cli.option_name("DryRunModifiers") == "--dry-run-modifiers"
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route()
        parsed = dry_run(capsys, "encrypt", "--key-id", "k", "--plaintext", "aGk=", "--kms-dry-run")
        assert not route.called
    assert parsed.json() == {"KeyId": "k", "Plaintext": "aGk=", "DryRun": True}


# -- dry-run: the exact signed request -----------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "operation", "params", "endpoint"),
    [
        (
            ["enable-key-rotation", "--key-id", "1234abcd", "--rotation-period-in-days", "180"],
            "EnableKeyRotation",
            {"KeyId": "1234abcd", "RotationPeriodInDays": 180},
            None,
        ),
        (["list-keys"], "ListKeys", {}, None),
        (
            ["--endpoint-url", "http://127.0.0.1:4566/kms/", "describe-key", "--key-id", "a"],
            "DescribeKey",
            {"KeyId": "a"},
            "http://127.0.0.1:4566/kms/",
        ),
    ],
)
def test_dry_run_is_the_request_build_request_makes(
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    operation: str,
    params: dict[str, Any],
    endpoint: str | None,
) -> None:
    parsed = dry_run(capsys, *argv)
    # The command line sends through an httpx.Client of its own (its User-Agent says httpx).
    with httpx.Client() as http:
        expected = client(endpoint_url=endpoint, http_client=http).build_request(operation, params)

    assert parsed.method == expected.method == "POST"
    assert parsed.path == expected.url.raw_path.decode()
    names = [n for n, _ in parsed.headers]
    assert names[0] == "Host"
    assert names == [n.decode() for n, _ in expected.headers.raw]  # casing and order
    stable = [(n, v) for n, v in parsed.headers if n.lower() not in VOLATILE]
    assert stable == [
        (n.decode(), v.decode())
        for n, v in expected.headers.raw
        if n.decode().lower() not in VOLATILE
    ]
    assert parsed.body == expected.content
    assert parsed.header("Content-Length") == str(len(expected.content))

    # The signature shown is a valid one for these credentials at the time shown.
    authorization = parsed.header("Authorization")
    assert "Signature=" in authorization
    now = datetime.strptime(parsed.header("X-Amz-Date"), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    signer = trentclient.SigV4Auth(trentclient.Credentials(AK, SECRET), REGION, "kms")
    request = parsed.request()
    signer.sign_with_details(request, now=now)
    assert request.headers["Authorization"] == authorization
    other = trentclient.SigV4Auth(trentclient.Credentials(AK, "another-secret"), REGION, "kms")
    request = parsed.request()
    other.sign(request, now=now)
    assert request.headers["Authorization"] != authorization


def test_global_options_go_before_or_after_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = dry_run(capsys, "--region", "eu-west-1", "list-keys")
    capsys.readouterr()
    code, out, err = run(capsys, "list-keys", "--dry-run", "--region", "eu-west-1")
    assert code == 0, err
    after = Parsed(out)
    assert before.header("Host") == after.header("Host") == "kms.eu-west-1.amazonaws.com"
    assert "/eu-west-1/kms/" in after.header("Authorization")
    # After the command wins over before it.
    both = dry_run(capsys, "--region", "us-west-2", "list-keys", "--region", "ap-south-1")
    assert both.header("Host") == "kms.ap-south-1.amazonaws.com"


def test_dry_run_and_debug_never_show_the_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    logger = logging.getLogger("trentclient")
    level, handlers = logger.level, list(logger.handlers)
    code, out, err = run(
        capsys,
        "--debug",
        "encrypt",
        "--key-id",
        "k",
        "--plaintext",
        base64.b64encode(b"top secret plaintext").decode(),
        "--dry-run",
    )
    assert code == 0, err
    assert SECRET not in out + err
    assert "top secret plaintext" not in err
    assert TOKEN not in err  # the debug log masks the token (the request itself carries it)
    assert Parsed(out).header("X-Amz-Security-Token") == TOKEN
    assert "Signature=" in out
    assert "DEBUG" in err and "trentclient.cli" in err  # the logger was at DEBUG on stderr
    assert (logger.level, logger.handlers) == (level, handlers)  # and is put back


# -- --cli-input-json ----------------------------------------------------------------------


def test_cli_input_json_supplies_required_members_and_options_override(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    parsed = dry_run(
        capsys,
        "enable-key-rotation",
        "--cli-input-json",
        '{"RotationPeriodInDays": 90, "KeyId": "from-json"}',
        "--key-id",
        "from-option",
    )
    assert parsed.body == b'{"RotationPeriodInDays": 90, "KeyId": "from-option"}'

    path = tmp_path / "input.json"
    path.write_text('{"KeyId": "from-file"}\n')
    parsed = dry_run(
        capsys,
        "enable-key-rotation",
        "--rotation-period-in-days",
        "365",
        "--cli-input-json",
        f"file://{path}",
    )
    assert parsed.body == b'{"KeyId": "from-file", "RotationPeriodInDays": 365}'


def test_cli_input_json_blobs_are_base64(capsys: pytest.CaptureFixture[str]) -> None:
    parsed = dry_run(
        capsys,
        "encrypt",
        "--cli-input-json",
        '{"KeyId": "k", "Plaintext": "AAEC/w==", "EncryptionContext": {"a": "b"}}',
    )
    assert parsed.json() == {"KeyId": "k", "Plaintext": "AAEC/w==", "EncryptionContext": {"a": "b"}}


# -- values ----------------------------------------------------------------------------------


def test_blobs_base64_fileb_and_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    raw = bytes(range(256))
    (tmp_path / "raw.bin").write_bytes(raw)
    (tmp_path / "b64.txt").write_text(base64.encodebytes(raw).decode())  # wrapped lines
    expected = base64.b64encode(raw).decode()
    for value in (expected, f"fileb://{tmp_path / 'raw.bin'}", f"file://{tmp_path / 'b64.txt'}"):
        parsed = dry_run(capsys, "encrypt", "--key-id", "k", "--plaintext", value)
        assert parsed.json()["Plaintext"] == expected


def test_lists_of_strings_space_separated_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, tokens in [
        (["--grant-tokens", "a", "b", "c"], ["a", "b", "c"]),
        (["--grant-tokens", '["a", "b"]'], ["a", "b"]),
        (["--grant-tokens", "a"], ["a"]),
    ]:
        parsed = dry_run(capsys, "describe-key", "--key-id", "k", *argv)
        assert parsed.json() == {"KeyId": "k", "GrantTokens": tokens}
    parsed = dry_run(capsys, "untag-resource", "--key-id", "k", "--tag-keys", "x", "y")
    assert parsed.json() == {"KeyId": "k", "TagKeys": ["x", "y"]}


def test_json_structures_maps_and_file_strings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tags = [{"TagKey": "team", "TagValue": "kms"}]
    parsed = dry_run(capsys, "tag-resource", "--key-id", "k", "--tags", json.dumps(tags))
    assert parsed.json() == {"KeyId": "k", "Tags": tags}
    policy = tmp_path / "policy.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": []}')
    parsed = dry_run(capsys, "put-key-policy", "--key-id", "k", "--policy", f"file://{policy}")
    assert parsed.json()["Policy"] == policy.read_text()


@pytest.mark.parametrize(
    ("value", "epoch"),
    [
        ("2030-01-02T03:04:05Z", 1893553445),
        ("2030-01-02T03:04:05", 1893553445),
        ("2030-01-02T04:04:05+01:00", 1893553445),
        ("1893553445", 1893553445),
    ],
)
def test_timestamps_iso_8601_or_epoch(
    capsys: pytest.CaptureFixture[str], value: str, epoch: int
) -> None:
    parsed = dry_run(
        capsys,
        "import-key-material",
        "--key-id",
        "k",
        "--import-token",
        "AA==",
        "--encrypted-key-material",
        "AQ==",
        "--valid-to",
        value,
    )
    assert parsed.json()["ValidTo"] == epoch


# -- exit codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no-such-command"], "Invalid choice: 'no-such-command'"),
        (["enable-key-rotation"], "the following arguments are required: --key-id"),
        (
            ["enable-key-rotation", "--key-id", "k", "--rotation-period-in-days", "x"],
            "Error parsing parameter '--rotation-period-in-days': expected an integer",
        ),
        (["enable-key-rotation", "--key", "k"], "Unknown options: --key, k"),  # no abbreviations
        (["list-keys", "--output", "xml"], "Invalid choice, valid choices are: json | text"),
        (["encrypt", "--key-id", "k", "--plaintext", "not base64!"], "Invalid base64"),
        (
            ["encrypt", "--key-id", "k", "--plaintext", "fileb:///no/such/file"],
            "Error parsing parameter '--plaintext': Unable to load paramfile fileb:///no/such/file",
        ),
        (["decrypt", "--encryption-context", "{bad json"], "Invalid JSON"),
        (["list-keys", "--cli-input-json", "[1]"], "must be one JSON object"),
        (["list-keys", "--cli-input-json", "{nope"], "Invalid JSON"),
        (["encrypt", "--cli-input-json", '{"KeyId": "k", "Plaintext": "%%%"}'], "Invalid base64"),
        (
            [
                "import-key-material",
                *("--key-id", "k", "--import-token", "AA==", "--encrypted-key-material", "AA=="),
                *("--valid-to", "tomorrow"),
            ],
            "Invalid timestamp",
        ),
    ],
)
def test_bad_command_lines_exit_252(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv, "--dry-run")
    assert code == 252
    assert out == ""
    assert message in err


def test_no_command_prints_help_and_exits_252(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 252 and out == "" and "COMMAND" in err


def test_sensitive_values_are_not_echoed_in_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "encrypt", "--key-id", "k", "--plaintext", "SeNtInEl!!")
    assert code == 252 and "SeNtInEl" not in err


@pytest.mark.parametrize(
    ("argv", "operation", "params"),
    [
        (
            ["enable-key-rotation", "--key-id", "k", "--rotation-period-in-days", "3000"],
            "EnableKeyRotation",
            {"KeyId": "k", "RotationPeriodInDays": 3000},
        ),
        (
            ["list-keys", "--cli-input-json", '{"Bogus": 1}'],
            "ListKeys",
            {"Bogus": 1},
        ),
        (["create-alias", "--alias-name", "", "--target-key-id", "k"], "CreateAlias", None),
    ],
)
def test_parameter_validation_errors_exit_252_with_the_library_message(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    operation: str,
    params: dict[str, Any] | None,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")  # bad parameters are reported first
    code, out, err = run(capsys, *argv)
    assert code == 252 and out == ""
    assert err.startswith("\nParameter validation failed")
    if params is not None:
        with pytest.raises(trentclient.ParamValidationError) as info:
            client().build_request(operation, params)
        assert err == f"\n{info.value}\n"


def test_no_credentials_exits_253_and_a_dry_run_signs_with_fake_keys(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, out, err = run(capsys, "list-keys")
    assert (code, out) == (253, "")
    assert err.startswith("\nUnable to locate credentials. Give credentials with AWS_ACCESS_KEY_ID")
    code, out, err = run(capsys, "list-keys", "--dry-run")
    assert code == 0
    assert f"Credential={_run.FAKE_ACCESS_KEY}/" in out
    assert "no credentials found" in err and _run.FAKE_ACCESS_KEY in err


def test_no_region_exits_253_with_the_command_lines_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_REGION")
    code, out, err = run(capsys, "list-keys")
    assert code == 253 and out == ""
    assert err.startswith("\nYou must specify a region. Set a region with --region, AWS_REGION")
    assert "region_name" not in err


def test_transport_error_exits_255(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock:
        respx.post("https://kms.us-east-1.amazonaws.com/").mock(
            side_effect=httpx.ConnectError("refused")
        )
        code, out, err = run(capsys, "list-keys", "--no-paginate")
    assert code == 255 and out == ""
    assert "https://kms.us-east-1.amazonaws.com/" in err
    assert err.startswith("\n") and err.endswith("\n") and err.count("\n") == 2


def test_unparseable_answer_exits_255(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock:
        respx.post("https://kms.us-east-1.amazonaws.com/").mock(
            return_value=httpx.Response(200, content=b"<html>not json</html>")
        )
        code, out, err = run(capsys, "list-keys")
    assert code == 255 and out == "" and err


def test_service_error_exits_254_with_the_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    answer = httpx.Response(
        400,
        json={"__type": "com.amazonaws.kms#NotFoundException", "message": "Key 'k' does not exist"},
        headers={"x-amzn-RequestId": "req-1"},
    )
    with respx.mock:
        respx.post("https://kms.us-east-1.amazonaws.com/").mock(return_value=answer)
        code, out, err = run(capsys, "describe-key", "--key-id", "k")
    assert code == 254 and out == ""
    assert err == (
        "\nAn error occurred (NotFoundException) when calling the DescribeKey operation: "
        "Key 'k' does not exist\n"
    )


def test_unexpected_failures_exit_255_and_interrupts_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(_run, "_call", boom)
    assert run(capsys, "list-keys") == (255, "", "\nRuntimeError: boom\n")

    def interrupt(*args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(_run, "_call", interrupt)
    assert run(capsys, "list-keys") == (130, "\n", "")


# -- output ----------------------------------------------------------------------------------


def test_json_output_drops_metadata_and_renders_bytes_and_datetimes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = {
        "KeyId": "k",
        "Plaintext": base64.b64encode(b"\x00\xff").decode(),
        "CiphertextForRecipient": base64.b64encode(b"ab").decode(),
    }
    with respx.mock:
        respx.post("https://kms.us-east-1.amazonaws.com/").mock(
            return_value=httpx.Response(200, json=answer)
        )
        code, out, _ = run(capsys, "decrypt", "--ciphertext-blob", "AA==")
    assert code == 0
    assert json.loads(out) == answer
    assert out == json.dumps(answer, indent=4) + "\n"
    when = datetime(2030, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)
    described = {"KeyMetadata": {"KeyId": "k", "CreationDate": when}, "ResponseMetadata": {}}
    shape = OPERATIONS["DescribeKey"].output
    data = _output.plain(shape, described)
    assert data["KeyMetadata"]["CreationDate"] == when.astimezone().isoformat()
    assert _output.plain(shape, described, "wire")["KeyMetadata"]["CreationDate"] == (1893553445.25)
    assert _output.render("DescribeKey", {}, "json") == ""
    assert _output.render("DescribeKey", {}, "text") == ""
    assert _output.render("DescribeKey", [], "json") == "[]\n"


def test_text_output_is_aws_cli_like() -> None:
    listing = {
        "Keys": [{"KeyId": "1", "KeyArn": "arn:1"}, {"KeyId": "2", "KeyArn": "arn:2"}],
        "Truncated": False,
    }
    assert _cli.format_text(listing) == "False\nKEYS\tarn:1\t1\nKEYS\tarn:2\t2\n"
    described = {
        "KeyMetadata": {
            "KeyId": "k",
            "Enabled": True,
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegionConfiguration": {"MultiRegionKeyType": "PRIMARY"},
        }
    }
    assert _cli.format_text(described) == (
        "KEYMETADATA\tTrue\tk\n"
        "ENCRYPTIONALGORITHMS\tSYMMETRIC_DEFAULT\n"
        "MULTIREGIONCONFIGURATION\tPRIMARY\n"
    )
    assert _cli.format_text(
        {"Aliases": [{"AliasName": "a"}, {"AliasName": "b", "TargetKeyId": "t"}]}
    ) == ("ALIASES\ta\t\nALIASES\tb\tt\n")
    assert _cli.format_text(["a", "b"]) == "a\tb\n"


# -- against the local KMS (moto) ------------------------------------------------------------


@pytest.fixture
def moto_env(kms_server: LocalKMS, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", kms_server.credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", kms_server.credentials.secret_key)
    monkeypatch.setenv("AWS_REGION", kms_server.region)
    return ["--endpoint-url", kms_server.endpoint_url]


@pytest.mark.moto
def test_key_rotation_flow_against_moto(
    capsys: pytest.CaptureFixture[str], moto_env: list[str], kms_server: LocalKMS
) -> None:
    code, out, err = run(capsys, *moto_env, "create-key", "--description", "cli test")
    assert code == 0, err
    key_id = json.loads(out)["KeyMetadata"]["KeyId"]

    code, out, err = run(
        capsys,
        "enable-key-rotation",
        "--key-id",
        key_id,
        "--rotation-period-in-days",
        "180",
        *moto_env,
    )
    assert (code, out) == (0, ""), err

    code, out, err = run(capsys, *moto_env, "get-key-rotation-status", "--key-id", key_id)
    assert code == 0, err
    status = json.loads(out)
    assert status["KeyRotationEnabled"] is True
    assert "ResponseMetadata" not in status

    code, out, err = run(
        capsys,
        *moto_env,
        "--output",
        "text",
        "get-key-rotation-status",
        "--cli-input-json",
        json.dumps({"KeyId": key_id}),
    )
    assert code == 0, err
    assert "True" in out.split("\t") or "True\n" in out

    code, out, err = run(capsys, *moto_env, "--output", "text", "list-keys")
    assert code == 0, err
    assert any(
        line.startswith("KEYS\t") and line.endswith(f"\t{key_id}") for line in out.splitlines()
    )


@pytest.mark.moto
def test_not_found_exits_254_with_the_exact_error_line(
    capsys: pytest.CaptureFixture[str], moto_env: list[str], kms_server: LocalKMS
) -> None:
    missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    code, out, err = run(capsys, *moto_env, "describe-key", "--key-id", missing)
    assert code == 254 and out == ""
    with (
        trentclient.Client(
            kms_server.region,
            endpoint_url=kms_server.endpoint_url,
            aws_access_key_id=kms_server.credentials.access_key,
            aws_secret_access_key=kms_server.credentials.secret_key,
        ) as kms,
        pytest.raises(trentclient.NotFoundException) as info,
    ):
        kms.describe_key(KeyId=missing)
    assert err == f"\n{info.value}\n"
    assert err.startswith(
        "\nAn error occurred (NotFoundException) when calling the DescribeKey operation: "
    )


@pytest.mark.moto
def test_encrypt_decrypt_blobs_against_moto(
    capsys: pytest.CaptureFixture[str], moto_env: list[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, *moto_env, "create-key")
    assert code == 0, err
    key_id = json.loads(out)["KeyMetadata"]["KeyId"]
    secret = b"\x00binary\xffplaintext"
    (tmp_path / "plain.bin").write_bytes(secret)

    code, out, err = run(
        capsys,
        *moto_env,
        "encrypt",
        "--key-id",
        key_id,
        "--plaintext",
        f"fileb://{tmp_path / 'plain.bin'}",
    )
    assert code == 0, err
    blob = json.loads(out)["CiphertextBlob"]
    (tmp_path / "cipher.bin").write_bytes(base64.b64decode(blob))

    for value in (blob, f"fileb://{tmp_path / 'cipher.bin'}"):
        code, out, err = run(capsys, *moto_env, "decrypt", "--ciphertext-blob", value)
        assert code == 0, err
        assert base64.b64decode(json.loads(out)["Plaintext"]) == secret


# -- the command as a program ----------------------------------------------------------------


def test_demo_and_version_are_still_there(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "demo", "--help")[0] == 0
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"trentclient {trentclient.__version__}\n")


def test_only_the_chosen_command_is_built(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = _parser._build_operation

    def spy(parser: Any, *, operation: Operation) -> None:
        built.append(operation.name)
        real(parser, operation=operation)

    monkeypatch.setattr(_parser, "_build_operation", spy)
    dry_run(capsys, "list-keys")
    assert built == ["ListKeys"]
    built.clear()
    assert run(capsys, "--help")[0] == 0
    assert built == []


def test_the_documentation_is_loaded_only_for_help() -> None:
    """``_docs`` is for help pages (a command's, and the command list's one-line summaries):
    not ``import trentclient``, not a request."""
    code = (
        "import io, sys, contextlib\n"
        "import trentclient\n"
        "from trentclient.__main__ import main\n"
        "DOCS = 'trentclient._generated._docs'\n"
        "seen = [DOCS in sys.modules]\n"
        "def call(*argv):\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        try:\n"
        "            status = main(list(argv))\n"
        "        except SystemExit as exit:\n"
        "            status = exit.code\n"
        "    assert status in (0, None), (argv, status)\n"
        "    seen.append(DOCS in sys.modules)\n"
        "    return out.getvalue()\n"
        "assert 'TrentService.ListKeys' in call('list-keys', '--dry-run')\n"
        "call('enable-key-rotation', '--key-id', 'k', '--dry-run')\n"
        "call('--help')\n"
        "call('enable-key-rotation', '--help')\n"
        "print(seen)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=_env(),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[False, False, False, True, True]"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=AK,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONPATH=str(ROOT),
    )
    return env


def test_python_dash_m_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trentclient", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=_env(),
    )
    assert out.returncode == 0, out.stderr
    assert "enable-key-rotation" in out.stdout and "--dry-run" in out.stdout


def test_console_script_entry_point() -> None:
    """What the ``trentclient`` console script runs; and the script itself when installed."""
    stand_in = [
        sys.executable,
        "-c",
        "import sys; from trentclient.__main__ import main; sys.exit(main())",
    ]
    out = subprocess.run(
        [*stand_in, "list-keys", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=_env(),
    )
    assert out.returncode == 0, out.stderr
    assert Parsed(out.stdout).header("X-Amz-Target") == "TrentService.ListKeys"
    assert SECRET not in out.stdout + out.stderr
    bad = subprocess.run(
        [*stand_in, "nope"], capture_output=True, text=True, timeout=60, cwd=ROOT, env=_env()
    )
    assert bad.returncode == 252

    script = Path(sys.executable).parent / "trentclient"
    if not script.exists():
        pytest.skip(f"the console script is not installed ({script}); pip install -e . adds it")
    out = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, env=_env()
    )
    assert out.returncode == 0, out.stderr
    assert "enable-key-rotation" in out.stdout
