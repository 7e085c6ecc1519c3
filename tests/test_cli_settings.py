"""The command line's settings an AWS CLI user relies on, each shown to take effect.

- ``--output yaml`` and ``--cli-input-yaml`` as AWS CLI v2 writes and reads YAML (v1 has
  neither: the expectations are v2's, from its source: ruamel.yaml's safe dumper in block
  style, a lone scalar as JSON, YAML 1.2);
- ``--cli-binary-format`` and the profile's ``cli_binary_format`` (v2 only, from its
  documentation: ``fileb://`` is always raw, ``file://`` follows the format, blobs come out
  base64 either way);
- the profile's ``cli_timestamp_format`` (``wire``; v1's ``none`` is the same, and the real
  AWS CLI v1 is the oracle for it);
- ``--no-verify-ssl``, ``--ca-bundle`` / ``AWS_CA_BUNDLE`` / the profile's ``ca_bundle``
  against a TLS endpoint on 127.0.0.1 with a certificate made here, with botocore's words
  for what fails (the real AWS CLI v1 prints the same);
- ``--cli-read-timeout`` / ``--cli-connect-timeout`` (0: none) against an endpoint that
  stalls;
- ``AWS_MAX_ATTEMPTS`` / ``AWS_RETRY_MODE`` and the profile's ``max_attempts``, counted on
  an endpoint that answers 500, with or without timeout options;
- ``--color``; output skeletons' timestamps; exit status 252, never 2, for command lines
  that cannot be parsed (AWS CLI v2's ``ArgParseException``).
"""

from __future__ import annotations

import base64
import http.server
import ipaddress
import json
import re
import socket
import ssl
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import trentclient
from trentclient.__main__ import main
from trentclient._cli import _output
from trentclient._localkms import LocalKMS

REGION = "us-east-1"
ALIASES = b'{"Aliases": [], "Truncated": false}'


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Credentials, a region, one attempt (no test waits for retries unless it asks), and a
    config file of the test's own; returns that file's path."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDCLISETTINGS")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "settings-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_PAGER", "")
    config = tmp_path / "config"
    config.write_text("[default]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.chdir(tmp_path)
    return config


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code: Any = main(list(argv))
    except SystemExit as exit:
        code = 0 if exit.code is None else exit.code
    out, err = capsys.readouterr()
    return int(code), out, err


def run_aws(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str
) -> tuple[int, str, str]:
    """The same command line through the real AWS CLI v1, in-process."""
    clidriver = pytest.importorskip("awscli.clidriver")
    monkeypatch.setenv("AWS_DATA_PATH", str(Path(clidriver.__file__).parent / "data"))
    try:
        with warnings.catch_warnings():  # urllib3's for --no-verify-ssl: not compared
            warnings.simplefilter("ignore")
            code: Any = clidriver.create_clidriver().main(["kms", *argv])
    except SystemExit as exit:
        code = 0 if exit.code is None else exit.code
    out, err = capsys.readouterr()
    return int(code), out, err


def body(out: str) -> Any:
    """The JSON body of a ``--dry-run``'s request."""
    return json.loads(out.partition("\n\n")[2])


# -- a local endpoint ------------------------------------------------------------------------


class Endpoint:
    """An HTTP(S) server on 127.0.0.1 that answers every request alike: after ``stall``
    seconds (cut short by ``close``), with ``status`` and ``content``; it counts requests."""

    def __init__(
        self,
        status: int = 200,
        content: bytes = ALIASES,
        stall: float = 0.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.requests = 0
        self.released = threading.Event()
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                endpoint.requests += 1
                if stall:
                    endpoint.released.wait(stall)
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-RequestId", f"req-{endpoint.requests}")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that timed out and left: not the test's business

        self.server = Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without their back-off (both tools'), so counting them takes no time."""
    monkeypatch.setattr(trentclient.Client, "_sleep", staticmethod(lambda seconds: None))
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


# -- --output yaml -----------------------------------------------------------------------------


def test_yaml_is_aws_cli_v2s_block_style_sorted_yaml_1_2() -> None:
    """v2 dumps with ruamel.yaml's safe dumper, default_flow_style off: keys sorted at every
    level, lists in block style at the key's indentation, YAML 1.2 quoting (``on``, ``yes``
    and ``1:30`` are plain strings, ``1e3`` and ``0123`` numbers that need quotes), a value
    too long for 80 columns on the next line, multi-line strings double-quoted."""
    data = {
        "KeyMetadata": {
            "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
            "Arn": "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "CreationDate": "2024-01-02T03:04:05.123000+00:00",
            "Enabled": True,
            "Description": "",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
        "Tags": [
            {"TagValue": "yes", "TagKey": "on"},
            {"TagValue": "1:30", "TagKey": "at"},
            {"TagValue": "1e3", "TagKey": "n"},
            {"TagValue": "0123", "TagKey": "z"},
        ],
        "Policy": '{\n  "Version" : "2012-10-17"\n}',
        "Grants": [],
    }
    assert _output.render("DescribeKey", data, "yaml") == (
        "Grants: []\n"
        "KeyMetadata:\n"
        "  Arn: \n"
        "    arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n"
        "  CreationDate: '2024-01-02T03:04:05.123000+00:00'\n"
        "  Description: ''\n"
        "  Enabled: true\n"
        "  EncryptionAlgorithms:\n"
        "  - SYMMETRIC_DEFAULT\n"
        "  KeyId: 1234abcd-12ab-34cd-56ef-1234567890ab\n"
        "  MultiRegion: false\n"
        'Policy: "{\\n  \\"Version\\" : \\"2012-10-17\\"\\n}"\n'
        "Tags:\n"
        "- TagKey: on\n"
        "  TagValue: yes\n"
        "- TagKey: at\n"
        "  TagValue: 1:30\n"
        "- TagKey: n\n"
        "  TagValue: '1e3'\n"
        "- TagKey: z\n"
        "  TagValue: '0123'\n"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [("abc", '"abc"\n'), ("héllo", '"héllo"\n'), (True, "true\n"), (None, "null\n"), (3, "3\n")],
)
def test_yaml_prints_a_lone_scalar_as_json_as_v2_does(value: Any, text: str) -> None:
    """v2's YAMLDumper JSON-dumps scalars: YAML would end the document with ``...``."""
    assert _output.render("DescribeKey", value, "yaml") == text


def test_yaml_prints_nothing_for_an_empty_answer() -> None:
    assert _output.render("TagResource", {}, "yaml") == ""
    assert _output.render("ListAliases", [], "yaml") == "[]\n"


def test_yaml_without_ruamel_says_how_to_get_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ruamel.yaml", None)
    argv = ["list-aliases", "--generate-cli-skeleton", "output", "--output", "yaml"]
    code, out, err = run(capsys, *argv)
    assert code == 252 and out == ""
    assert "pip install 'trentclient[cli]'" in err and "ruamel.yaml" in err


@pytest.mark.moto
def test_yaml_output_of_real_answers_and_queries(
    capsys: pytest.CaptureFixture[str], kms_server: LocalKMS, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ruamel.yaml import YAML

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", kms_server.credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", kms_server.credentials.secret_key)
    moto = ["--endpoint-url", kms_server.endpoint_url]
    code, out, err = run(capsys, *moto, "create-key", "--tags", "TagKey=on,TagValue=yes")
    assert code == 0, err
    key_id = json.loads(out)["KeyMetadata"]["KeyId"]

    code, yaml_out, err = run(capsys, *moto, "describe-key", "--key-id", key_id, "--output", "yaml")
    assert code == 0, err
    code, json_out, _ = run(capsys, *moto, "describe-key", "--key-id", key_id)
    loaded = YAML(typ="safe", pure=True).load(yaml_out)
    assert loaded == json.loads(json_out)  # the same answer...
    keys = re.findall(r"^  (\w+):", yaml_out, re.MULTILINE)
    assert keys == sorted(keys) and "KeyId" in keys  # ... its keys sorted, as v2 sorts them

    code, out, _ = run(capsys, *moto, "list-resource-tags", "--key-id", key_id, "--output", "yaml")
    assert code == 0 and "Tags:\n- TagKey: on\n  TagValue: yes\n" in out
    for query, text in [
        ("KeyMetadata.KeyId", f'"{key_id}"\n'),
        ("KeyMetadata.Enabled", "true\n"),
        ("KeyMetadata.NoSuchMember", "null\n"),
        ("KeyMetadata.[KeyId]", f"- {key_id}\n"),
    ]:
        argv = ["describe-key", "--key-id", key_id, "--query", query, "--output", "yaml"]
        assert run(capsys, *moto, *argv) == (0, text, "")


def test_cli_input_yaml_is_read_as_yaml_1_2(capsys: pytest.CaptureFixture[str]) -> None:
    """v2 reads --cli-input-yaml with ruamel.yaml (YAML 1.2): ``yes`` is a string there,
    so a boolean member refuses it; ``true`` is a boolean."""
    argv = ["create-key", "--dry-run", "--cli-input-yaml"]
    code, out, err = run(capsys, *argv, "BypassPolicyLockoutSafetyCheck: yes")
    assert code == 252 and out == ""
    assert "Invalid type for parameter BypassPolicyLockoutSafetyCheck, value: 'yes'" in err
    assert "valid types: bool" in err
    code, out, err = run(capsys, *argv, "BypassPolicyLockoutSafetyCheck: true\nTags: []")
    assert code == 0, err
    assert body(out) == {"BypassPolicyLockoutSafetyCheck": True, "Tags": []}


# -- skeletons' timestamps -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "line"),
    [
        ("json", '"CreationDate": "1970-01-01T00:00:00",'),
        ("text", "\t1970-01-01 00:00:00\t"),
        ("table", "  1970-01-01 00:00:00 "),
        ("yaml", "  CreationDate: 1970-01-01 00:00:00\n"),
    ],
)
def test_output_skeleton_timestamps_print_as_the_aws_cli_prints_a_datetime(
    capsys: pytest.CaptureFixture[str], output: str, line: str
) -> None:
    """The AWS CLI's sample answer holds ``datetime(1970, 1, 1)``: JSON prints isoformat,
    text and table ``str()``, YAML a timestamp (``test_cli_vs_awscli`` checks json, text
    and table against v1)."""
    argv = ["describe-key", "--key-id", "k", "--generate-cli-skeleton", "output"]
    code, out, err = run(capsys, *argv, "--output", output)
    assert code == 0, err
    assert line in out
    assert ("1970-01-01T00:00:00" in out) == (output == "json")


def test_input_skeleton_timestamps_are_iso_8601(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import-key-material", "--generate-cli-skeleton")
    assert code == 0 and json.loads(out)["ValidTo"] == "1970-01-01T00:00:00"


# -- --cli-binary-format -----------------------------------------------------------------------


def test_binary_format_base64_is_the_default_and_raw_sends_the_texts_bytes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hello = base64.b64encode(b"hello").decode()
    encrypt = ["encrypt", "--key-id", "k", "--dry-run"]
    raw = ["--cli-binary-format", "raw-in-base64-out"]
    (tmp_path / "text.txt").write_text("hello")
    (tmp_path / "b64.txt").write_text(hello)
    (tmp_path / "raw.bin").write_bytes(b"\x00\xff")
    cases = [
        ([*encrypt, "--plaintext", hello], hello),
        ([*encrypt, *raw, "--plaintext", "hello"], hello),
        ([*encrypt, *raw, "--plaintext", hello], base64.b64encode(hello.encode()).decode()),
        # file:// is the file's text, read by the format; fileb:// its bytes, always
        ([*encrypt, "--plaintext", "file://b64.txt"], hello),
        ([*encrypt, *raw, "--plaintext", "file://text.txt"], hello),
        ([*encrypt, "--plaintext", "fileb://raw.bin"], "AP8="),
        ([*encrypt, *raw, "--plaintext", "fileb://raw.bin"], "AP8="),
        # blobs in --cli-input-json follow the format too
        (
            [
                "encrypt",
                "--dry-run",
                "--cli-input-json",
                f'{{"KeyId": "k", "Plaintext": "{hello}"}}',
            ],
            hello,
        ),
        (
            [
                "encrypt",
                "--dry-run",
                *raw,
                "--cli-input-json",
                '{"KeyId": "k", "Plaintext": "hello"}',
            ],
            hello,
        ),
    ]
    for argv, sent in cases:
        code, out, err = run(capsys, *argv)
        assert code == 0, (argv, err)
        assert body(out)["Plaintext"] == sent, argv

    code, out, err = run(capsys, *encrypt, "--plaintext", "hello")  # not base64
    assert code == 252 and out == "" and "Invalid base64" in err and "raw-in-base64-out" in err


def test_profile_cli_binary_format_and_the_option_over_it(
    capsys: pytest.CaptureFixture[str], aws_env: Path
) -> None:
    aws_env.write_text("[default]\ncli_binary_format = raw-in-base64-out\n")
    encrypt = ["encrypt", "--key-id", "k", "--plaintext", "hello", "--dry-run"]
    code, out, err = run(capsys, *encrypt)
    assert code == 0, err
    assert body(out)["Plaintext"] == base64.b64encode(b"hello").decode()
    code, out, err = run(capsys, *encrypt, "--cli-binary-format", "base64")
    assert code == 252 and "Invalid base64" in err

    aws_env.write_text("[default]\ncli_binary_format = raw\n")
    code, out, err = run(capsys, *encrypt)
    assert code == 253 and out == ""
    assert "Unknown cli_binary_format value: raw" in err


@pytest.mark.moto
def test_blobs_come_out_base64_in_either_format(
    capsys: pytest.CaptureFixture[str], kms_server: LocalKMS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", kms_server.credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", kms_server.credentials.secret_key)
    moto = ["--endpoint-url", kms_server.endpoint_url]
    code, out, err = run(capsys, *moto, "create-key", "--query", "KeyMetadata.KeyId")
    assert code == 0, err
    key_id = json.loads(out)
    raw = ["--cli-binary-format", "raw-in-base64-out"]
    encrypt = ["encrypt", "--key-id", key_id, "--query", "CiphertextBlob", "--output", "text"]
    code, blob, err = run(capsys, *moto, *raw, *encrypt, "--plaintext", "hello")
    assert code == 0, err
    Path("cipher.bin").write_bytes(base64.b64decode(blob.strip(), validate=True))  # base64 text out
    for options in ([], raw):
        decrypt = ["decrypt", "--ciphertext-blob", "fileb://cipher.bin", "--query", "Plaintext"]
        code, out, err = run(capsys, *moto, *options, *decrypt, "--output", "text")
        assert (code, out) == (0, "aGVsbG8=\n"), err


# -- cli_timestamp_format ----------------------------------------------------------------------


@pytest.mark.moto
def test_profile_timestamp_format_wire_is_v1s_none(
    capsys: pytest.CaptureFixture[str],
    kms_server: LocalKMS,
    monkeypatch: pytest.MonkeyPatch,
    aws_env: Path,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", kms_server.credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", kms_server.credentials.secret_key)
    moto = ["--endpoint-url", kms_server.endpoint_url]
    code, out, err = run(capsys, *moto, "create-key", "--query", "KeyMetadata.KeyId")
    assert code == 0, err
    describe = [*moto, "describe-key", "--key-id", json.loads(out)]

    code, out, err = run(capsys, *describe)  # iso8601, v2's default
    assert code == 0, err
    iso = json.loads(out)["KeyMetadata"]["CreationDate"]
    assert isinstance(iso, str) and datetime.fromisoformat(iso).tzinfo is not None

    aws_env.write_text("[default]\ncli_timestamp_format = none\n")
    theirs = run_aws(capsys, monkeypatch, *describe)
    assert theirs[0] == 0, theirs
    assert run(capsys, *describe) == theirs  # v1's name for it: the number as KMS sent it
    aws_env.write_text("[default]\ncli_timestamp_format = wire\n")
    code, out, _ = run(capsys, *describe)
    assert out == theirs[1]
    wire = json.loads(out)["KeyMetadata"]["CreationDate"]
    assert isinstance(wire, float) and datetime.fromtimestamp(wire, UTC) == datetime.fromisoformat(
        iso
    )

    aws_env.write_text("[default]\ncli_timestamp_format = epoch\n")
    assert run(capsys, *describe) == (
        253,
        "",
        '\nUnknown cli_timestamp_format value: epoch, valid values are "wire" or "iso8601"\n',
    )


# -- TLS: --no-verify-ssl, --ca-bundle, AWS_CA_BUNDLE, the profile's ca_bundle ----------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), and its key."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "trentclient test endpoint")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_endpoint(certificate: tuple[Path, Path]) -> Iterator[Endpoint]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = Endpoint(tls=context)
    yield server
    server.close()


def test_tls_is_verified_and_no_verify_ssl_turns_it_off(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tls_endpoint: Endpoint
) -> None:
    argv = ["--endpoint-url", tls_endpoint.url, "list-aliases"]
    code, out, err = run(capsys, *argv)
    assert code == 255 and out == ""
    assert err.startswith(
        f"\nSSL validation failed for {tls_endpoint.url}/ [SSL: CERTIFICATE_VERIFY"
    )
    theirs = run_aws(capsys, monkeypatch, *argv)
    assert theirs == (code, out, err)  # botocore's words, the same status in v1 and v2

    assert run(capsys, *argv, "--no-verify-ssl") == (0, '{\n    "Aliases": []\n}\n', "")
    assert run_aws(capsys, monkeypatch, *argv, "--no-verify-ssl")[:2] == (
        0,
        '{\n    "Aliases": []\n}\n',
    )
    assert tls_endpoint.requests == 2


def test_ca_bundle_from_the_option_the_environment_or_the_profile(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tls_endpoint: Endpoint,
    certificate: tuple[Path, Path],
    aws_env: Path,
) -> None:
    argv = ["--endpoint-url", tls_endpoint.url, "list-aliases", "--query", "Aliases"]
    cert = str(certificate[0])
    assert run(capsys, *argv, "--ca-bundle", cert) == (0, "[]\n", "")
    monkeypatch.setenv("AWS_CA_BUNDLE", cert)
    assert run(capsys, *argv) == (0, "[]\n", "")
    monkeypatch.delenv("AWS_CA_BUNDLE")
    aws_env.write_text(f"[default]\nca_bundle = {cert}\n")
    assert run(capsys, *argv) == (0, "[]\n", "")
    assert tls_endpoint.requests == 3
    # the option wins over the profile: a bundle without this certificate fails
    other = Path(ssl.get_default_verify_paths().openssl_cafile)
    if other.is_file():
        code, _, err = run(capsys, *argv, "--ca-bundle", str(other))
        assert code == 255 and "CERTIFICATE_VERIFY_FAILED" in err


def test_missing_ca_bundle_fails_the_https_request_in_botocores_words(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tls_endpoint: Endpoint,
    endpoint: Endpoint,
) -> None:
    argv = ["--endpoint-url", tls_endpoint.url, "list-aliases", "--ca-bundle", "nope.pem"]
    expected = (
        255,
        "",
        f"\nSSL validation failed for {tls_endpoint.url}/ [Errno 2] No such file or directory\n",
    )
    assert run(capsys, *argv) == expected
    assert run_aws(capsys, monkeypatch, *argv) == expected
    # plain HTTP reads no CA bundle, in either tool
    argv = ["--endpoint-url", endpoint.url, "list-aliases", "--ca-bundle", "nope.pem"]
    assert run(capsys, *argv) == (0, '{\n    "Aliases": []\n}\n', "")
    assert run_aws(capsys, monkeypatch, *argv) == (0, '{\n    "Aliases": []\n}\n', "")


# -- --cli-read-timeout, --cli-connect-timeout -----------------------------------------------


def test_read_timeout_cuts_a_stalled_answer_and_0_waits(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stalled = Endpoint(stall=1.5)
    try:
        argv = ["--endpoint-url", stalled.url, "list-aliases", "--query", "Aliases"]
        code, out, err = run(capsys, *argv, "--cli-read-timeout", "1")
        assert code == 255 and out == ""  # not the answer that comes after 1.5 s
        assert err.startswith(f'\nRead timeout on endpoint URL: "{stalled.url}/"')
        # 0 is no timeout (the AWS CLI's None): the 1.5 s answer arrives
        assert run(capsys, *argv, "--cli-read-timeout", "0") == (0, "[]\n", "")
    finally:
        stalled.close()


@pytest.mark.parametrize(
    ("options", "connect", "read"),
    [
        ([], 60.0, 60.0),
        (["--cli-read-timeout", "7"], 60.0, 7.0),
        (["--cli-connect-timeout", "3"], 3.0, 60.0),
        (["--cli-read-timeout", "0"], 60.0, None),
        (["--cli-connect-timeout", "0", "--cli-read-timeout", "5"], None, 5.0),
    ],
)
def test_timeouts_reach_the_request(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    endpoint: Endpoint,
    options: list[str],
    connect: float | None,
    read: float | None,
) -> None:
    """What httpx is told for each request: the options' seconds, 60 unset, None for 0."""
    seen: list[dict[str, Any]] = []
    send = httpx.HTTPTransport.handle_request

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.extensions["timeout"]))
        return send(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    argv = ["--endpoint-url", endpoint.url, "list-aliases", "--query", "Aliases", *options]
    assert run(capsys, *argv) == (0, "[]\n", "")
    assert [(t["connect"], t["read"]) for t in seen] == [(connect, read)]


def test_connect_timeout_gives_up_on_an_endpoint_that_never_accepts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A listening socket whose backlog is full: the kernel drops the next SYN, so the
    connection is never made (Linux). --cli-connect-timeout 1 gives up after a second."""
    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):  # fill the backlog
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.1)
        probe = socket.socket()
        probe.settimeout(0.3)
        try:
            probe.connect(("127.0.0.1", port))
            pytest.skip("this kernel accepts past the backlog")
        except TimeoutError:
            pass  # the SYN was dropped: what the test needs
        except OSError as error:  # refused (tcp_abort_on_overflow), say
            pytest.skip(f"this kernel does not drop the SYN: {error}")
        finally:
            probe.close()
        url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        code, out, err = run(
            capsys, "--endpoint-url", url, "list-aliases", "--cli-connect-timeout", "1"
        )
        assert time.monotonic() - started < 3
        assert code == 255 and out == ""
        assert err.startswith(f'\nConnect timeout on endpoint URL: "{url}/"')
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


# -- AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, the profile's max_attempts ------------------------------

INTERNAL = b'{"__type": "KMSInternalException", "message": "boom"}'


@pytest.mark.parametrize(
    ("env", "profile", "options", "attempts"),
    [
        ({}, "", [], 3),  # AWS CLI v2's default: standard mode, 3 attempts
        ({"AWS_RETRY_MODE": "adaptive"}, "", [], 3),
        ({"AWS_MAX_ATTEMPTS": "2"}, "", [], 2),
        ({"AWS_MAX_ATTEMPTS": "2"}, "", ["--cli-read-timeout", "30"], 2),
        ({"AWS_MAX_ATTEMPTS": "2"}, "", ["--cli-read-timeout", "0"], 2),
        ({"AWS_MAX_ATTEMPTS": "4"}, "", ["--no-verify-ssl"], 4),
        ({}, "max_attempts = 4\n", [], 4),
        ({}, "max_attempts = 4\n", ["--cli-connect-timeout", "5"], 4),
        ({"AWS_MAX_ATTEMPTS": "1"}, "max_attempts = 4\n", [], 1),  # the environment first
    ],
)
def test_retries_come_from_the_environment_and_profile(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    aws_env: Path,
    no_sleep: None,
    env: dict[str, str],
    profile: str,
    options: list[str],
    attempts: int,
) -> None:
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    aws_env.write_text("[default]\n" + profile)
    failing = Endpoint(status=500, content=INTERNAL)
    try:
        argv = ["--endpoint-url", failing.url, "list-aliases", *options]
        code, out, err = run(capsys, *argv)
        assert failing.requests == attempts
        assert code == 254 and out == ""
        assert err == (  # botocore's words, retries or not
            "\nAn error occurred (KMSInternalException) when calling the ListAliases "
            f"operation (reached max retries: {attempts - 1}): boom\n"
        )
        if "AWS_RETRY_MODE" not in env:  # v1 defaults to legacy: say standard to compare
            monkeypatch.setenv("AWS_RETRY_MODE", "standard")
        failing.requests = 0
        theirs = run_aws(capsys, monkeypatch, *argv)
        assert failing.requests == attempts
        assert theirs[0] == 255 and theirs[2] == err  # v1's status for a service error
    finally:
        failing.close()


# -- --color -----------------------------------------------------------------------------------


ONE_ALIAS = json.dumps(
    {
        "Aliases": [
            {
                "AliasName": "alias/app",
                "AliasArn": "arn:aws:kms:us-east-1:111122223333:alias/app",
                "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
            }
        ],
        "Truncated": False,
    }
).encode()


def test_color_on_off_auto(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = Endpoint(content=ONE_ALIAS)
    argv = ["--endpoint-url", endpoint.url, "list-aliases", "--output", "table"]
    code, plain_table, _ = run(capsys, *argv)
    assert code == 0 and "\x1b[" not in plain_table and "ListAliases" in plain_table
    assert run(capsys, *argv, "--color", "off")[1] == plain_table
    assert run(capsys, *argv, "--color", "auto")[1] == plain_table  # stdout is no terminal
    code, colored, _ = run(capsys, *argv, "--color", "on")
    assert code == 0 and "\x1b[1m\x1b[34m" in colored and colored != plain_table
    # the AWS CLI's colours on the same cells; its colorama (autoreset) also writes a no-op
    # reset after each write, which trentclient leaves out
    theirs = run_aws(capsys, monkeypatch, *argv, "--color", "on")
    endpoint.close()
    colorama = pytest.importorskip("colorama")
    colorama.deinit()  # v1 wrapped sys.stdout
    assert theirs[0] == 0 and "\x1b[1m\x1b[34m" in theirs[1]
    reset = "\x1b[0m"
    assert theirs[1].replace(reset, "") == colored.replace(reset, "")


# -- exit statuses: 252 where v1 says 2 ----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["list-kyes"],
        ["describe-key"],
        ["describe-key", "--key-id"],
        ["describe-key", "--key-id", "k", "--bogus"],
        ["list-keys", "--output", "xml"],
        ["list-keys", "--limit", "many"],
        ["list-keys", "--cli-read-timeout", "soon"],
    ],
    ids=[
        "no-command",
        "unknown-command",
        "missing-required",
        "missing-value",
        "unknown-option",
        "invalid-choice",
        "not-a-number",
        "global-not-a-number",
    ],
)
def test_unparseable_command_lines_exit_252_never_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """AWS CLI v2 raises its ArgParseException for every argparse error and exits 252
    (PARAM_VALIDATION_ERROR_RC); its 1 and 2 are for ``aws s3`` transfers only."""
    code, out, err = run(capsys, *argv, "--dry-run")
    assert code == 252 and out == "" and err
