"""The generated types, as a user's type checker sees them.

``tests/typing/usage.py`` exercises the typed methods, TypedDicts and enums; lines that must
be rejected carry ``# type: ignore[<code>]``. mypy runs on it with ``--strict
--warn-unused-ignores`` and the repository's configuration, so the check fails both when a
valid line is rejected and when an invalid line stops being rejected.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
USAGE = ROOT / "tests" / "typing" / "usage.py"


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (pip install -e '.[dev]')",
)
def test_usage_type_checks(tmp_path: Path) -> None:
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
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert result.returncode == 0, (
        f"mypy rejected tests/typing/usage.py (exit {result.returncode}):\n"
        f"{result.stdout}{result.stderr}"
    )
