"""One entry point for working on trentclient from a fresh clone, with only Python and pip.

    python3 tools/dev.py demo     # the key-rotation walk-through against a local KMS (moto)
    python3 tools/dev.py test     # the whole test suite
    python3 tools/dev.py lint     # ruff check, ruff format --check, mypy --strict, pyright
    python3 tools/dev.py generate # regenerate trentclient/_generated from botocore's model
    python3 tools/dev.py build    # sdist and wheel into dist/, twine check, README links
    python3 tools/dev.py docs     # the documentation site into site/ (--serve: 127.0.0.1:8000)
    python3 tools/dev.py bench    # benchmarks/RESULTS.md and chart.png (about 8 minutes)

Each command first makes ``.venv`` (if missing) and installs the project with its
development and documentation extras into it (again only when ``pyproject.toml`` changed),
so nothing is installed into the Python you run this with. ``bench`` uses its own
``.venv-bench`` holding only trentclient and the contenders (the ``bench`` extra), as a
service's deployment would: test tools change what ``import httpx`` loads (with click
installed it also imports its command line's dependencies). Extra arguments go to the tool
(``tools/dev.py test -k wire -x``, ``tools/dev.py bench --smoke``).

``test`` also runs the suite on other Pythons and against the built wheel:

    python3 tools/dev.py test --python 3.12 --python 3.13   # each in .venv-py3.12, ...
    python3 tools/dev.py build && python3 tools/dev.py test --wheel dist --python 3.11

``--python X.Y`` finds CPython X.Y as ``pythonX.Y`` on PATH, else through pyenv (its newest
X.Y.*), and fails when there is none. ``--wheel DIST`` installs the one wheel in DIST (not
editable) into each of those venvs and runs the suite against that installed package: the
checkout's ``trentclient/`` is never imported, even by ``python -c`` in the checkout
(``tests/test_package.py`` checks). ``--jobs N`` runs N Pythons at once (their output is
printed as each ends). Uses the standard library only.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("TRENTCLIENT_VENV", ROOT / ".venv"))
BENCH_VENV = Path(os.environ.get("TRENTCLIENT_BENCH_VENV", ROOT / ".venv-bench"))
#: The CPython versions trentclient supports; pyproject.toml's classifiers, the README and
#: docs/index.md say the same (tests/test_package.py checks), and CI runs the suite on each.
PYTHONS = ("3.11", "3.12", "3.13")
COMMANDS = ("demo", "test", "lint", "generate", "env", "bench", "build", "docs")


def _python(venv_dir: Path) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def _pip_install(python: Path, *args: str | Path) -> None:
    quiet = ["--quiet"] if os.environ.get("CI") else []
    if _run(python, "-m", "pip", "install", *quiet, *args) != 0:
        sys.exit(f"[dev] pip install {' '.join(str(a) for a in args)} failed")


def ensure_env(venv_dir: Path = VENV, extra: str = "dev,docs") -> Path:
    """Create the virtualenv and install ``.[extra]`` into it (editable) when needed."""
    python = _python(venv_dir)
    stamp = venv_dir / ".trentclient-installed"
    if not python.exists():
        print(f"[dev] creating {venv_dir}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(venv_dir)
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    wanted = hashlib.sha256(pyproject + extra.encode()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print(f"[dev] installing trentclient[{extra}] into {venv_dir.name}", flush=True)
        _pip_install(python, "--upgrade", "pip")
        _pip_install(python, "-e", f".[{extra}]")
        stamp.write_text(wanted)
    return python


# -- other Pythons, and the built wheel -----------------------------------------------------

_PROBE = "import platform, sys; print(platform.python_implementation(), '%d.%d' % sys.version_info[:2], sys.executable)"


def find_python(version: str) -> Path:
    """CPython ``version`` ("3.12"): ``python3.12`` on PATH, else pyenv's newest 3.12.x.

    Returns the interpreter's own executable (not a pyenv shim). Exits when there is none.
    """
    tried: list[str] = []
    candidates: list[tuple[list[str], dict[str, str]]] = []
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(([on_path], {}))
    pyenv = shutil.which("pyenv")
    if pyenv:
        listed = subprocess.run(
            [pyenv, "versions", "--bare"], capture_output=True, text=True, check=False
        ).stdout.split()
        pattern = re.compile(re.escape(version) + r"\.(\d+)")
        found = sorted((m for m in map(pattern.fullmatch, listed) if m), key=lambda m: -int(m[1]))
        for match in found:
            env = {"PYENV_VERSION": match[0]}
            candidates.append(([pyenv, "exec", f"python{version}"], env))
    for command, extra_env in candidates:
        label = " ".join(f"{k}={v}" for k, v in extra_env.items()) + " " + " ".join(command)
        tried.append(label.strip())
        probe = subprocess.run(
            [*command, "-c", _PROBE],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **extra_env},
        )
        parts = probe.stdout.split(maxsplit=2)
        if probe.returncode == 0 and parts[:2] == ["CPython", version]:
            return Path(parts[2].strip())
    sys.exit(
        f"[dev] CPython {version} not found (tried: {'; '.join(tried) or 'nothing'}): "
        f"put python{version} on PATH or install it with pyenv"
    )


#: Written into a wheel test venv's site-packages: there, a directory that holds a
#: ``trentclient/`` of its own (the checkout, which pytest's rootdir and ``pythonpath``,
#: ``python -c`` and ``python -m`` put first on ``sys.path``) never provides
#: ``trentclient``, so the installed package is imported; ``tests``, ``tools`` and
#: ``benchmarks`` still import from the checkout. A path hook, so that every finder that
#: walks ``sys.path`` (pytest's assertion rewriter too) sees the same.
_PREFER_INSTALLED = '''\
"""Written by tools/dev.py (test --wheel): trentclient comes from site-packages only."""

import importlib.machinery as _machinery
import os
import sys

_HERE = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
_LOADERS = [
    (_machinery.ExtensionFileLoader, _machinery.EXTENSION_SUFFIXES),
    (_machinery.SourceFileLoader, _machinery.SOURCE_SUFFIXES),
    (_machinery.SourcelessFileLoader, _machinery.BYTECODE_SUFFIXES),
]


class CheckoutFinder(_machinery.FileFinder):
    def find_spec(self, fullname, target=None):
        if fullname.partition(".")[0] == "trentclient":
            return None
        return super().find_spec(fullname, target)


def _hook(path):
    directory = path or os.getcwd()
    inside = os.path.join(directory, "trentclient", "__init__.py")
    if os.path.isfile(inside) and os.path.realpath(directory) != _HERE:
        return CheckoutFinder(path, *_LOADERS)
    raise ImportError("not a checkout")


sys.path_hooks.insert(0, _hook)
sys.path_importer_cache.clear()
'''


def _find_wheel(where: Path) -> Path:
    if where.is_file():
        return where.resolve()
    wheels = sorted(where.glob("trentclient-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"[dev] expected one trentclient wheel in {where}, found {len(wheels)}")
    return wheels[0].resolve()


def ensure_python_env(version: str, wheel: Path | None) -> Path:
    """``.venv-pyX.Y`` on CPython X.Y with ``[dev,docs]`` (the whole suite's needs):
    editable, or ``wheel`` installed."""
    venv_dir = ROOT / f".venv-py{version}"
    python = _python(venv_dir)
    mode = "wheel" if wheel else "editable"
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    wanted = hashlib.sha256(pyproject + mode.encode()).hexdigest()
    stamp = venv_dir / ".trentclient-installed"
    fresh = not stamp.exists() or stamp.read_text().strip() != wanted or not python.exists()
    if fresh:
        interpreter = find_python(version)
        print(f"[dev] creating {venv_dir.name} ({interpreter}, {mode})", flush=True)
        if _run(interpreter, "-m", "venv", "--clear", venv_dir) != 0:
            sys.exit(f"[dev] creating {venv_dir} failed")
        _pip_install(python, "--upgrade", "pip")
        if wheel is None:
            _pip_install(python, "-e", ".[dev,docs]")
        else:
            _pip_install(python, f"trentclient[dev,docs] @ {wheel.as_uri()}")
            purelib = subprocess.run(
                [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            Path(purelib, "_trentclient_prefer_installed.py").write_text(_PREFER_INSTALLED)
            Path(purelib, "_trentclient_prefer_installed.pth").write_text(
                "import _trentclient_prefer_installed\n"
            )
        stamp.write_text(wanted)
    elif wheel is not None:
        print(f"[dev] installing {wheel.name} into {venv_dir.name}", flush=True)
        _pip_install(python, "--force-reinstall", "--no-deps", wheel)
    return python


def _pytest_env(wheel: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if wheel is not None:
        env["TRENTCLIENT_TEST_INSTALLED"] = "1"
    return env


def test_pythons(versions: list[str], wheel: Path | None, jobs: int, args: list[str]) -> int:
    """The suite on each of ``versions``, ``jobs`` at a time; 0 when every run passed.

    With ``jobs`` > 1 each version runs as its own ``tools/dev.py test --python X.Y``
    (venv set-up included), its output kept and printed when it ends.
    """
    failed = []
    if jobs <= 1 or len(versions) == 1:
        for version in versions:
            python = ensure_python_env(version, wheel)
            print(f"[dev] tests on CPython {version} ({'wheel' if wheel else 'editable'})")
            if _run(python, "-m", "pytest", *args, env=_pytest_env(wheel)) != 0:
                failed.append(version)
        return _summary(versions, failed)
    logs = Path(tempfile.mkdtemp(prefix="trentclient-tests-"))
    waiting = list(versions)
    running: list[tuple[str, subprocess.Popen[bytes], Path, float]] = []
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                version = waiting.pop(0)
                log = logs / f"py{version}.log"
                command = [sys.executable, __file__, "test", "--python", version]
                if wheel is not None:
                    command += ["--wheel", str(wheel)]
                # One .pytest_cache for several runs at once would be written concurrently.
                command += ["-p", "no:cacheprovider", *args]
                with log.open("wb") as out:
                    process = subprocess.Popen(
                        command,
                        cwd=ROOT,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                print(f"[dev] CPython {version}: started (venv, then the suite)", flush=True)
                running.append((version, process, log, time.monotonic()))
            time.sleep(0.5)
            for entry in [entry for entry in running if entry[1].poll() is not None]:
                running.remove(entry)
                version, process, log, started = entry
                print(f"\n[dev] ==== CPython {version} ({time.monotonic() - started:.0f} s)")
                sys.stdout.flush()
                sys.stdout.buffer.write(log.read_bytes())
                sys.stdout.flush()
                if process.returncode != 0:
                    failed.append(version)
    finally:
        for _, process, _, _ in running:
            process.kill()
        shutil.rmtree(logs, ignore_errors=True)
    return _summary(versions, failed)


def _summary(versions: list[str], failed: list[str]) -> int:
    passed = [v for v in versions if v not in failed]
    print(f"[dev] suite passed on: {', '.join(passed) or 'none'}", end="")
    print(f"; FAILED on: {', '.join(failed)}" if failed else "", flush=True)
    return 1 if failed else 0


def _test_options(rest: list[str]) -> tuple[list[str], Path | None, int, list[str]]:
    """``--python X.Y`` (repeatable), ``--wheel DIST`` and ``--jobs N`` before pytest's own."""
    versions: list[str] = []
    wheel: Path | None = None
    jobs = 1
    while rest and rest[0] in ("--python", "--wheel", "--jobs"):
        if len(rest) < 2:
            sys.exit(f"[dev] {rest[0]} needs a value")
        option, value, rest = rest[0], rest[1], rest[2:]
        if option == "--python":
            versions.append(value)
        elif option == "--wheel":
            wheel = _find_wheel(ROOT / value)
        else:
            jobs = int(value)
    if wheel is not None and not versions:
        versions = [f"{sys.version_info[0]}.{sys.version_info[1]}"]
    return versions, wheel, jobs, rest


# -- the built artefacts --------------------------------------------------------------------

_LINK = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def readme_link_problems(readme: str, sdist_files: set[str]) -> list[str]:
    """What breaks when the README is rendered away from the repository (a package index):
    a relative image (it can never show there), or a relative link to a file that is not in
    the sdist. ``#anchors`` are fine; so are absolute URLs."""
    problems = []
    in_code = False
    for number, line in enumerate(readme.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if in_code:
            continue
        for bang, target in _LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#"):
                continue
            if bang:
                problems.append(f"README.md:{number}: relative image {target}")
            elif target.split("#")[0].rstrip("/") not in sdist_files:
                problems.append(f"README.md:{number}: {target} is not in the sdist")
    return problems


def build(python: Path) -> int:
    """sdist and wheel into ``dist/`` (``python -m build``), ``twine check``, README links."""
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    if _run(python, "-m", "build", "--outdir", dist, ".") != 0:
        return 1
    artefacts = sorted(dist.iterdir())
    if _run(python, "-m", "twine", "check", "--strict", *artefacts) != 0:
        return 1
    (sdist,) = (path for path in artefacts if path.name.endswith(".tar.gz"))
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    top = names[0].split("/")[0]
    files = {name.removeprefix(top + "/") for name in names}
    problems = readme_link_problems((ROOT / "README.md").read_text("utf-8"), files)
    for problem in problems:
        print(f"[dev] {problem}", file=sys.stderr)
    if problems:
        return 1
    for path in artefacts:
        print(f"[dev] built {path.relative_to(ROOT)}")
    return 0


# -- lint pieces ----------------------------------------------------------------------------


def verify_types(python: Path) -> int:
    """``pyright --verifytypes trentclient``: 100% of the public API's types known.

    pyright reads the search paths of the ``python`` on PATH (the venv's) and cannot follow
    setuptools' editable finder, hence PYTHONPATH. Unknowns inside httpx are not ours.
    """
    bin_dir = str(python.parent)
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
    }
    command = [python, "-m", "pyright", "--verifytypes", "trentclient", "--ignoreexternal"]
    print("[dev] " + " ".join(str(part) for part in command[1:]), flush=True)
    out = subprocess.run(
        [str(c) for c in command], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    score = re.search(r"Type completeness score: ([\d.]+%)", out.stdout)
    if out.returncode != 0 or score is None or score[1] != "100%":
        print(out.stdout + out.stderr)
        print(f"[dev] type completeness {score[1] if score else 'unknown'}, not 100%")
        return 1
    print(f"[dev] type completeness {score[1]}")
    return 0


def pyright_strict(python: Path) -> int:
    """``pyright -p tests/typing``: the typed usage file under pyright's strict mode (what
    Pylance users see), every ``# type: ignore`` in it needed (its ``pyrightconfig.json``).

    The README's and the documentation pages' snippets get the same check, and mypy's, in
    ``tests/test_typing.py``.
    """
    command = [python, "-m", "pyright", "--pythonpath", python, "-p", "tests/typing"]
    print("[dev] " + " ".join(str(part) for part in command[1:]), flush=True)
    return _run(*command)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "bench":
        return _run(ensure_env(BENCH_VENV, "bench"), "-m", "benchmarks", *rest)
    if command == "test":
        versions, wheel, jobs, rest = _test_options(rest)
        if versions:
            return test_pythons(versions, wheel, jobs, rest)
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
    if command == "build":
        return build(python)
    if command == "docs":
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # mkdocs-material's banner
        if rest[:1] == ["--serve"]:
            serve = ("serve", "--strict", "--dev-addr", "127.0.0.1:8000")
            return _run(python, "-m", "mkdocs", *serve, *rest[1:], env=env)
        return _run(python, "-m", "mkdocs", "build", "--strict", *rest, env=env)
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
    failed |= verify_types(python) != 0
    failed |= pyright_strict(python) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
