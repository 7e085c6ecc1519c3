"""One entry point for working on trentclient from a fresh clone, with only Python and pip.

    python3 tools/dev.py demo     # the key-rotation walk-through against a local KMS (moto)
    python3 tools/dev.py test     # the whole test suite
    python3 tools/dev.py lint     # ruff check, ruff format --check, mypy --strict
    python3 tools/dev.py generate # regenerate trentclient/_generated from botocore's model

Each command first makes ``.venv`` (if missing) and installs the project with its
development extras into it (again only when ``pyproject.toml`` changed), so nothing is
installed into the Python you run this with. Extra arguments go to the tool
(``tools/dev.py test -k wire -x``). Uses the standard library only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("TRENTCLIENT_VENV", ROOT / ".venv"))
STAMP = VENV / ".trentclient-installed"


def _python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _run(*args: str | Path) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT)


def ensure_env() -> Path:
    """Create the virtualenv and install ``.[dev]`` into it when needed."""
    python = _python()
    if not python.exists():
        print(f"[dev] creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("[dev] installing trentclient[dev] into the virtualenv", flush=True)
        quiet = ["--quiet"] if os.environ.get("CI") else []
        steps = [
            [python, "-m", "pip", "install", *quiet, "--upgrade", "pip"],
            [python, "-m", "pip", "install", *quiet, "-e", ".[dev]"],
        ]
        for step in steps:
            if _run(*step) != 0:
                sys.exit("[dev] installing the development environment failed")
        STAMP.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "lint", "generate", "env"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    python = ensure_env()
    if command == "env":
        print(python)
        return 0
    if command == "demo":
        return _run(python, "-m", "trentclient", "demo", *rest)
    if command == "test":
        return _run(python, "-m", "pytest", *rest)
    if command == "generate":
        return _run(python, "-m", "tools.generate", *rest)
    # lint
    checks = [
        (python, "-m", "ruff", "check", "."),
        (python, "-m", "ruff", "format", "--check", "."),
        (python, "-m", "mypy", "--strict", "trentclient"),
    ]
    failed = 0
    for check in checks:
        print("[dev] " + " ".join(str(part) for part in check[1:]), flush=True)
        failed |= _run(*check) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
