"""The generated types, as a user's type checker sees them.

``tests/typing/usage.py`` exercises the clients' typed methods, paginators, TypedDicts and
enums; lines that must be rejected carry ``# type: ignore[<code>]``. mypy runs on it with
``--strict --warn-unused-ignores`` and the repository's configuration, so the check fails both
when a valid line is rejected and when an invalid line stops being rejected. Lines
``reveal_type(x)  # reveal: <text>`` pin what mypy infers (the typed paginator and page types).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
USAGE = ROOT / "tests" / "typing" / "usage.py"
REVEAL = re.compile(r"^\s*reveal_type\(.*\)\s+# reveal: (?P<expected>.+)$")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (pip install -e '.[dev]')",
)


@pytest.fixture(scope="module")
def mypy_result(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """One mypy run over usage.py, shared by the tests below."""
    tmp_path = tmp_path_factory.mktemp("mypy")
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--strict",
        "--warn-unused-ignores",
        # Report errors in usage.py only: the package itself is checked on its own.
        "--follow-imports=silent",
        "--cache-dir",
        str(tmp_path / "mypy_cache"),
        "--no-error-summary",
        "--show-error-codes",
        str(USAGE.relative_to(ROOT)),
    ]
    env = {**os.environ, "MYPY_FORCE_COLOR": "0"}
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600, check=False
    )


def test_usage_type_checks(mypy_result: subprocess.CompletedProcess[str]) -> None:
    result = mypy_result
    assert result.returncode == 0, (
        f"mypy rejected tests/typing/usage.py (exit {result.returncode}):\n"
        f"{result.stdout}{result.stderr}"
    )


def test_revealed_types(mypy_result: subprocess.CompletedProcess[str]) -> None:
    """Each ``# reveal: <text>`` line: mypy's revealed type there contains ``<text>``, where
    ``...`` stands for anything."""
    revealed: dict[int, str] = {}
    for line in mypy_result.stdout.splitlines():
        match = re.match(r".*usage\.py:(\d+): note: Revealed type is \"(.*)\"$", line)
        if match:
            revealed[int(match[1])] = match[2]
    expected = {
        number: match["expected"].strip()
        for number, line in enumerate(USAGE.read_text().splitlines(), start=1)
        if (match := REVEAL.search(line))
    }
    assert len(expected) >= 6, "usage.py lost its reveal_type checks"
    assert set(revealed) == set(expected), "every reveal_type needs a '# reveal: <text>'"
    for number, text in expected.items():
        pattern = ".*".join(re.escape(part) for part in text.split("..."))
        assert re.search(pattern, revealed[number]), (
            f"usage.py:{number}: {revealed[number]!r} does not match {text!r}"
        )
