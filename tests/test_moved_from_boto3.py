"""The boto3 suite in ``tests/moved_from_boto3`` runs against trentclient as it is (pytest
collects it with the rest), and against boto3 with only the lines in ``BOTO3_LINES`` put
back: the move is those lines and no other."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).parent / "moved_from_boto3" / "test_key_service.py"

#: Each line the move changed, and what it was under boto3 (the table of docs/boto3.md, and of
#: the README's summary, lists the same).
BOTO3_LINES = {
    "import trentclient": "import boto3",
    "from trentclient import ClientError, Config, ParamValidationError": (
        "from botocore.config import Config\n"
        "from botocore.exceptions import ClientError, ParamValidationError"
    ),
    "from trentclient.testing import ANY, Stubber": "from botocore.stub import ANY, Stubber",
    "    client = trentclient.Client(": '    client = boto3.client("kms",',
}


def boto3_form(text: str) -> str:
    lines = text.splitlines()
    for ours, theirs in BOTO3_LINES.items():
        assert lines.count(ours) == 1, f"{ours!r} should appear once in the suite"
        lines[lines.index(ours)] = theirs
    return "\n".join(lines) + "\n"


def test_only_the_listed_lines_mention_trentclient() -> None:
    text = SUITE.read_text()
    converted = boto3_form(text)
    code = [line for line in converted.splitlines() if not line.lstrip().startswith(("#", '"'))]
    assert not [line for line in code if "trentclient" in line and "tests/" not in line]


def test_the_same_suite_passes_on_boto3(tmp_path: Path) -> None:
    pytest.importorskip("boto3")
    boto3_suite = tmp_path / "test_key_service_boto3.py"
    boto3_suite.write_text(boto3_form(SUITE.read_text()))
    _run(boto3_suite)


def _run(path: Path) -> None:
    """Run one suite file in its own pytest, away from this suite's conftest and settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--rootdir",
            str(path.parent),
            "-c",
            os.devnull,
            "-W",
            "error",
            str(path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=path.parent,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
