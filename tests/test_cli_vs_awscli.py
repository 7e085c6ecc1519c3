"""The command line against the real AWS CLI (v1, ``awscli`` from PyPI), both pointed at
the test suite's moto server through a small paging front.

Each row of ``CASES`` runs one command line in both tools, in-process, and compares
stdout, stderr and the exit status. Where AWS CLI v1 and v2 differ, trentclient follows
v2 and the row says so:

==========================  ==========  =====  =========================================
what                        AWS CLI v1  v2     trentclient (and what is compared)
==========================  ==========  =====  =========================================
an error answer from KMS    255         254    254; the same stderr
argparse errors (unknown    2 or 255    252    252; the same "Unknown options: ...",
option, missing argument,                      "maybe you meant" or "the following
invalid choice)                                arguments are required" line
bad parameter value,        255         252    252; the same "Error parsing parameter"
paramfile, --query                             line (or "Bad value for --query")
parameter validation        255         252    252; the same "Invalid ... for parameter"
no region / credentials     255         253    253; the message starts with botocore's
                                               sentence, then says how to set one here
timestamps                  none        iso    iso8601 (v1 runs with
                                         8601   cli_timestamp_format = iso8601)
==========================  ==========  =====  =========================================

moto ignores ``Limit`` and ``Marker`` for most list operations, so the front pages every
paginated operation itself, as KMS does (3 items a page unless ``Limit`` says otherwise,
an opaque ``NextMarker``, ``Truncated``), re-signing what it forwards to moto.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import trentclient
from trentclient.__main__ import main
from trentclient._auth import SigV4Auth
from trentclient._generated._shapes import OPERATIONS
from trentclient._localkms import LocalKMS

clidriver = pytest.importorskip("awscli.clidriver")

pytestmark = pytest.mark.moto

PAGE = 3
_PAGED = {op.name: op.paginator for op in OPERATIONS.values() if op.paginator is not None}


class PagingFront:
    """A KMS endpoint on 127.0.0.1 that pages list answers as KMS does and forwards the
    rest to moto unchanged (re-signed: the client signed for the front's host)."""

    def __init__(self, server: LocalKMS) -> None:
        self.moto = server
        self.http = httpx.Client(timeout=30)
        self.auth = SigV4Auth(server.credentials, server.region, "kms")
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, headers, content = front.answer(self.headers.get("X-Amz-Target", ""), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, target: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        operation = target.rpartition(".")[2]
        paginator = _PAGED.get(operation)
        limit, start = PAGE, 0
        if paginator is not None:
            params = json.loads(body or b"{}")
            limit = int(params.pop(paginator.limit_key, PAGE) or PAGE)
            marker = params.pop(paginator.input_token, None)
            start = int(marker.removeprefix("front-")) if marker else 0
            body = json.dumps(params).encode()
        response = self.http.post(
            self.moto.endpoint_url + "/",
            content=body,
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
            auth=self.auth,
        )
        headers = {
            name: response.headers[name]
            for name in ("Content-Type", "x-amzn-RequestId")
            if name in response.headers
        }
        if paginator is None or response.status_code != 200:
            return response.status_code, headers, response.content
        data = response.json()
        items = data.get(paginator.result_key[0], [])
        data[paginator.result_key[0]] = items[start : start + limit]
        more = start + limit < len(items)
        data.pop(paginator.output_token, None)
        if more:
            data[paginator.output_token] = f"front-{start + limit}"
        if paginator.more_results:
            data[paginator.more_results] = more
        return 200, headers, json.dumps(data).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.http.close()


@pytest.fixture(scope="module")
def front(kms_server: LocalKMS) -> Iterator[PagingFront]:
    front = PagingFront(kms_server)
    yield front
    front.close()


@pytest.fixture(scope="module")
def keys(kms_server: LocalKMS) -> dict[str, str]:
    """Keys with tags, aliases and grants of this module's own, made once."""
    creds = kms_server.credentials
    with trentclient.Client(
        kms_server.region,
        endpoint_url=kms_server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
    ) as kms:
        ids = []
        for i in range(5):
            key = kms.create_key(
                Description=f"cli-diff {i} (café)",
                Tags=[
                    {"TagKey": "team", "TagValue": f"t{i}"},
                    {"TagKey": "env", "TagValue": "dev"},
                ],
            )["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=f"alias/cli-diff-{key[:8]}", TargetKeyId=key)
            ids.append(key)
        kms.enable_key_rotation(KeyId=ids[0], RotationPeriodInDays=180)
        for i in range(4):
            kms.create_grant(
                KeyId=ids[0],
                GranteePrincipal=f"arn:aws:iam::123456789012:role/r{i}",
                Operations=["Encrypt", "Decrypt"],
            )
    return {"K": ids[0], "K2": ids[1]}


@pytest.fixture
def env(kms_server: LocalKMS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    config = tmp_path / "config"
    config.write_text("[default]\ncli_timestamp_format = iso8601\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", kms_server.credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", kms_server.credentials.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", kms_server.region)
    monkeypatch.setenv("AWS_PAGER", "")
    # awscli sets AWS_DATA_PATH (its own models) on import; the suite's clean env drops it.
    monkeypatch.setenv("AWS_DATA_PATH", str(Path(clidriver.__file__).parent / "data"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plain.txt").write_bytes(b"hello, kms")
    return {"dir": tmp_path}


def run_ours(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    try:
        code: Any = main(argv)
    except SystemExit as exit:
        code = 0 if exit.code is None else exit.code
    out, err = capsys.readouterr()
    return int(code), out, err


def run_aws(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    try:
        code: Any = clidriver.create_clidriver().main(["kms", *argv])
    except SystemExit as exit:
        code = 0 if exit.code is None else exit.code
    out, err = capsys.readouterr()
    return int(code), out, err


#: (id, command line; K and K2 stand for the module's keys), and for rows where v1 and v2
#: differ: (v1's status, trentclient's status, a line both must print on stderr).
SAME: list[tuple[str, list[str]]] = [
    ("describe-json", ["describe-key", "--key-id", "K"]),
    ("describe-text", ["describe-key", "--key-id", "K", "--output", "text"]),
    ("describe-table", ["describe-key", "--key-id", "K", "--output", "table"]),
    (
        "describe-query-text",
        ["describe-key", "--key-id", "K", "--query", "KeyMetadata.KeyId", "--output", "text"],
    ),
    (
        "describe-query-list",
        ["describe-key", "--key-id", "K", "--query", "KeyMetadata.[KeyId,Enabled,Description]"],
    ),
    (
        "describe-query-hash",
        [
            "describe-key",
            "--key-id",
            "K",
            "--query",
            "KeyMetadata.{id: KeyId, spec: KeySpec}",
            "--output",
            "table",
        ],
    ),
    (
        "cli-input-json",
        ["describe-key", "--cli-input-json", '{"KeyId": "K"}', "--query", "KeyMetadata.KeyState"],
    ),
    ("list-keys-json", ["list-keys"]),
    ("list-keys-text", ["list-keys", "--output", "text"]),
    ("list-keys-table", ["list-keys", "--output", "table"]),
    ("list-keys-page-size", ["list-keys", "--page-size", "2"]),
    ("list-keys-max-items", ["list-keys", "--max-items", "4"]),
    (
        "list-keys-max-items-text",
        ["list-keys", "--max-items", "4", "--page-size", "3", "--output", "text"],
    ),
    (
        "list-keys-max-items-query-text",
        ["list-keys", "--max-items", "2", "--query", "Keys[].KeyId", "--output", "text"],
    ),
    ("list-keys-no-paginate", ["list-keys", "--no-paginate"]),
    ("list-keys-no-paginate-text", ["list-keys", "--no-paginate", "--output", "text"]),
    ("list-keys-manual-limit", ["list-keys", "--limit", "2"]),
    ("list-keys-query-per-page-text", ["list-keys", "--query", "Keys[].KeyId", "--output", "text"]),
    ("list-keys-query-length", ["list-keys", "--query", "length(Keys)"]),
    (
        "list-aliases-filter",
        [
            "list-aliases",
            "--query",
            "Aliases[?starts_with(AliasName, 'alias/cli-diff')].AliasName | sort(@)",
        ],
    ),
    ("list-resource-tags", ["list-resource-tags", "--key-id", "K"]),
    ("list-resource-tags-table", ["list-resource-tags", "--key-id", "K", "--output", "table"]),
    (
        "list-resource-tags-text",
        ["list-resource-tags", "--key-id", "K", "--output", "text", "--limit", "1"],
    ),
    (
        "list-grants-text",
        [
            "list-grants",
            "--key-id",
            "K",
            "--output",
            "text",
            "--query",
            "Grants[].[GranteePrincipal,Operations]",
        ],
    ),
    (
        "list-grants-table",
        [
            "list-grants",
            "--key-id",
            "K",
            "--output",
            "table",
            "--query",
            "Grants[].{P: GranteePrincipal, O: Operations}",
        ],
    ),
    ("list-key-policies", ["list-key-policies", "--key-id", "K"]),
    ("rotation-status", ["get-key-rotation-status", "--key-id", "K"]),
    ("rotation-status-table", ["get-key-rotation-status", "--key-id", "K", "--output", "table"]),
    (
        "encrypt-fileb",
        [
            "encrypt",
            "--key-id",
            "K",
            "--plaintext",
            "fileb://plain.txt",
            "--query",
            "[KeyId, EncryptionAlgorithm]",
            "--output",
            "text",
        ],
    ),
    (
        "encrypt-context-shorthand",
        [
            "encrypt",
            "--key-id",
            "K",
            "--plaintext",
            "fileb://plain.txt",
            "--encryption-context",
            "purpose=test,team=a",
            "--query",
            "KeyId",
        ],
    ),
    (
        "create-key-shorthand-tags",
        [
            "create-key",
            "--description",
            "made by both",
            "--tags",
            "TagKey=a,TagValue=b",
            "TagKey=c,TagValue=d",
            "--query",
            "KeyMetadata.[Description,KeyState,KeyUsage]",
            "--output",
            "text",
        ],
    ),
    ("tag-resource-shorthand", ["tag-resource", "--key-id", "K2", "--tags", "TagKey=x,TagValue=y"]),
    (
        "tags-after-tagging",
        ["list-resource-tags", "--key-id", "K2", "--query", "Tags[?TagKey=='x']"],
    ),
    ("skeleton-input", ["describe-key", "--generate-cli-skeleton"]),
    (
        "skeleton-output",
        ["list-key-policies", "--key-id", "K", "--generate-cli-skeleton", "output"],
    ),
    (
        "skeleton-output-text",
        [
            "list-key-policies",
            "--key-id",
            "K",
            "--generate-cli-skeleton",
            "output",
            "--output",
            "text",
        ],
    ),
    ("no-paginate-with-max-items", ["list-keys", "--no-paginate", "--max-items", "2"]),
    # a sample answer's timestamps are datetime(1970, 1, 1): isoformat in JSON, str() else
    # (list-grants: the AWS CLI checks its sample answer against the model, and most
    # operations' samples fail that, describe-key's included; trentclient prints them all)
    (
        "skeleton-timestamps-json",
        ["list-grants", "--key-id", "K", "--generate-cli-skeleton", "output"],
    ),
    (
        "skeleton-timestamps-text",
        ["list-grants", "--key-id", "K", "--generate-cli-skeleton", "output", "--output", "text"],
    ),
    (
        "skeleton-timestamps-table",
        ["list-grants", "--key-id", "K", "--generate-cli-skeleton", "output", "--output", "table"],
    ),
]

DIFFERENT: list[tuple[str, list[str], int, int, str]] = [
    (
        "unknown-option",
        ["describe-key", "--key-id", "K", "--bogus"],
        255,
        252,
        "Unknown options: --bogus",
    ),
    (
        "missing-required",
        ["describe-key"],
        2,
        252,
        "the following arguments are required: --key-id",
    ),
    ("mistyped-command", ["list-kyes"], 2, 252, "  * list-keys"),
    (
        "paramfile-missing",
        ["put-key-policy", "--key-id", "K", "--policy", "file://nope.json"],
        255,
        252,
        "Error parsing parameter '--policy': Unable to load paramfile file://nope.json: [Errno 2] No such file or directory: 'nope.json'",
    ),
    (
        "bad-json",
        [
            "encrypt",
            "--key-id",
            "K",
            "--plaintext",
            "fileb://plain.txt",
            "--encryption-context",
            "{bad",
        ],
        255,
        252,
        "Error parsing parameter '--encryption-context': Invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    ),
    (
        "bad-shorthand",
        ["create-key", "--tags", "TagKey"],
        255,
        252,
        "Error parsing parameter '--tags': Expected: '=', received: 'EOF' for input:",
    ),
    (
        "validation",
        ["describe-key", "--key-id", ""],
        255,
        252,
        "Invalid length for parameter KeyId, value: 0, valid min length: 1\n",
    ),
    # A service error: v1 exits 255, v2 254; the message is the same, to the byte.
    (
        "not-found",
        ["describe-key", "--key-id", "alias/no-such-alias-anywhere"],
        255,
        254,
        "\nAn error occurred (NotFoundException) when calling the DescribeKey operation: Alias arn:aws:kms:us-east-1:123456789012:alias/no-such-alias-anywhere is not found.\n",
    ),
    (
        "not-found-text",
        [
            "get-key-rotation-status",
            "--key-id",
            "11111111-2222-3333-4444-555555555555",
            "--output",
            "text",
        ],
        255,
        254,
        "\nAn error occurred (NotFoundException) when calling the GetKeyRotationStatus operation: ",
    ),
    ("bad-query", ["list-keys", "--query", "Keys[?"], 255, 252, "Bad value for --query Keys[?"),
]


def _fill(argv: list[str], keys: dict[str, str]) -> list[str]:
    out = []
    for arg in argv:
        for name in ("K2", "K"):
            arg = arg.replace(f'"{name}"', f'"{keys[name]}"')
        out.append(keys.get(arg, arg))
    return out


@pytest.mark.parametrize(("argv"), [argv for _, argv in SAME], ids=[name for name, _ in SAME])
def test_same_output_as_the_aws_cli(
    argv: list[str],
    front: PagingFront,
    keys: dict[str, str],
    env: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = ["--endpoint-url", front.url, *_fill(argv, keys)]
    theirs = run_aws(capsys, line)
    ours = run_ours(capsys, line)
    assert ours == theirs


@pytest.mark.parametrize(
    ("argv", "v1_status", "status", "line"),
    [row[1:] for row in DIFFERENT],
    ids=[row[0] for row in DIFFERENT],
)
def test_errors_where_v1_and_v2_differ(
    argv: list[str],
    v1_status: int,
    status: int,
    line: str,
    front: PagingFront,
    keys: dict[str, str],
    env: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    command = ["--endpoint-url", front.url, *_fill(argv, keys)]
    theirs = run_aws(capsys, command)
    ours = run_ours(capsys, command)
    assert theirs[0] == v1_status and line in theirs[2], theirs
    assert ours[0] == status and line in ours[2], ours
    assert ours[1] == theirs[1] == ""
    if status == 254:  # the service's own message: the same stderr
        assert ours[2] == theirs[2]


def test_a_token_from_one_tool_resumes_in_the_other(
    front: PagingFront,
    keys: dict[str, str],
    env: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = ["--endpoint-url", front.url, "list-keys", "--max-items", "4", "--page-size", "3"]
    theirs, ours = run_aws(capsys, first), run_ours(capsys, first)
    assert ours == theirs and ours[0] == 0
    token = json.loads(ours[1])["NextToken"]
    rest = ["--endpoint-url", front.url, "list-keys", "--starting-token", token, "--max-items", "3"]
    theirs, ours = run_aws(capsys, rest), run_ours(capsys, rest)
    assert ours == theirs and ours[0] == 0
    assert json.loads(ours[1])["Keys"]


@pytest.mark.parametrize("variable", ["region", "credentials"])
def test_missing_configuration_is_253_where_v1_says_255(
    variable: str,
    front: PagingFront,
    env: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if variable == "region":
        monkeypatch.delenv("AWS_DEFAULT_REGION")
        sentence = "You must specify a region."
    else:
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
        sentence = "Unable to locate credentials"
    argv = ["--endpoint-url", front.url, "list-keys"]
    theirs, ours = run_aws(capsys, argv), run_ours(capsys, argv)
    assert theirs[0] == 255 and sentence in theirs[2]
    assert ours[0] == 253 and ours[2].startswith("\n" + sentence)
    assert "aws configure" not in ours[2]
