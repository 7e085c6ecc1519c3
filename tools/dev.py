"""One entry point for working on trentclient from a fresh clone, with only Python and pip.

    python3 tools/dev.py demo     # the key-rotation walk-through against a local KMS (moto)
    python3 tools/dev.py test     # the whole test suite
    python3 tools/dev.py lint     # ruff check, ruff format --check, mypy --strict
    python3 tools/dev.py generate # regenerate trentclient/_generated from botocore's model
    python3 tools/dev.py bench    # benchmarks/RESULTS.md and chart.png (about 8 minutes)

Each command first makes ``.venv`` (if missing) and installs the project with its
development extras into it (again only when ``pyproject.toml`` changed), so nothing is
installed into the Python you run this with. ``bench`` uses its own ``.venv-bench`` holding
only trentclient and the contenders (the ``bench`` extra), as a service's deployment would:
test tools change what ``import httpx`` loads (with click installed it also imports its
command line's dependencies). Extra arguments go to the tool (``tools/dev.py test -k wire
-x``, ``tools/dev.py bench --smoke``). Uses the standard library only.
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
BENCH_VENV = Path(os.environ.get("TRENTCLIENT_BENCH_VENV", ROOT / ".venv-bench"))


def _python(venv_dir: Path) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def _run(*args: str | Path) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT)


def ensure_env(venv_dir: Path = VENV, extra: str = "dev") -> Path:
    """Create the virtualenv and install ``.[extra]`` into it when needed."""
    python = _python(venv_dir)
    stamp = venv_dir / ".trentclient-installed"
    if not python.exists():
        print(f"[dev] creating {venv_dir}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(venv_dir)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print(f"[dev] installing trentclient[{extra}] into {venv_dir.name}", flush=True)
        quiet = ["--quiet"] if os.environ.get("CI") else []
        steps = [
            [python, "-m", "pip", "install", *quiet, "--upgrade", "pip"],
            [python, "-m", "pip", "install", *quiet, "-e", f".[{extra}]"],
        ]
        for step in steps:
            if _run(*step) != 0:
                sys.exit("[dev] installing the development environment failed")
        stamp.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "lint", "generate", "env", "bench"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "bench":
        return _run(ensure_env(BENCH_VENV, "bench"), "-m", "benchmarks", *rest)
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
