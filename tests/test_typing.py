"""The generated types, as a user's type checker sees them.

``tests/typing/usage.py`` exercises the clients' typed methods, paginators, TypedDicts and
enums; lines that must be rejected carry ``# type: ignore[<code>]``. mypy runs on it with
``--strict --warn-unused-ignores`` and the repository's configuration, so the check fails both
when a valid line is rejected and when an invalid line stops being rejected. Lines
``reveal_type(x)  # reveal: <text>`` pin what mypy infers (the typed paginator and page types).

pyright runs on it too, strict, with unnecessary ignores reported
(``tests/typing/pyrightconfig.json``): pyright is what Pylance users see, and it reports a
``NotRequired`` member read with ``[]`` where mypy does not. And the Python snippets of the
README and of every documentation page (``docs/``) must pass both checkers, strict: each becomes a module of its own, after a preamble that
defines the names it uses without defining them (``kms``, ``key_id``...), wrapped in an
``async def`` when it awaits at the top level (as in an asyncio REPL; its names are then
locals, so pyright's ``reportUnusedVariable`` is off for those modules only).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
USAGE = ROOT / "tests" / "typing" / "usage.py"
REVEAL = re.compile(r"^\s*reveal_type\(.*\)\s+# reveal: (?P<expected>.+)$")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (pip install -e '.[dev]')",
)
needs_pyright = pytest.mark.skipif(
    importlib.util.find_spec("pyright") is None,
    reason="pyright is not installed (pip install -e '.[dev]')",
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


# -- pyright ----------------------------------------------------------------------------------


def run_pyright(project: Path) -> subprocess.CompletedProcess[str]:
    """``pyright -p project`` with this interpreter's packages (the venv's)."""
    command = [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "-p", str(project)]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


@needs_pyright
def test_usage_passes_pyright_strict() -> None:
    result = run_pyright(USAGE.parent)
    assert result.returncode == 0, f"pyright rejected tests/typing:\n{result.stdout}{result.stderr}"
    assert "0 errors" in result.stdout


# -- the README's and the documentation pages' snippets ----------------------------------------

README = ROOT / "README.md"
DOCS = ROOT / "docs"
KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"

#: What a snippet may use without defining it: name -> the lines that define it. Imports
#: the snippet may also make itself are under private aliases, so they never clash.
PREAMBLE: dict[str, list[str]] = {
    "trentclient": ["import trentclient"],
    "httpx": ["import httpx"],
    "datetime": ["from datetime import datetime"],
    "UTC": ["from datetime import UTC"],
    "kms": ["import trentclient as _tc", 'kms = _tc.Client(region_name="us-east-1")'],
    "key": [f"key = {KEY!r}"],
    "key_id": [f"key_id = {KEY!r}"],
    "token": ['token = b"import token"'],
    "material": ['material = b"wrapped key material"'],
    "stub": [
        "import trentclient.testing as _testing",
        "stub = _testing.Stubber(_testing.stubbed_client())",
    ],
    "request": [
        "import httpx as _httpx",
        'request = _httpx.Request("POST", "https://kms.us-east-1.amazonaws.com/", content=b"{}")',
    ],
    "creds": ["import trentclient as _tc", 'creds = _tc.Credentials("AKID", "secret")'],
    "signed_at": [
        "import datetime as _dt",
        "signed_at = _dt.datetime(2015, 8, 30, 12, 36, tzinfo=_dt.UTC)",
    ],
}
_TOP_LEVEL_AWAIT = re.compile(r"^(await |async with |async for )", re.MULTILINE)


def snippet_sources() -> list[Path]:
    """The README and every page of the documentation site."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def python_snippets(source: Path) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block in ``source``."""
    snippets = []
    lines = source.read_text("utf-8").splitlines()
    start: int | None = None
    for number, line in enumerate(lines, start=1):
        if start is None and line.strip() == "```python":
            start = number
        elif start is not None and line.strip() == "```":
            snippets.append((start + 1, "\n".join(lines[start : number - 1]) + "\n"))
            start = None
    return snippets


def _names(code: str) -> tuple[set[str], set[str]]:
    """The names ``code`` reads, and those it binds (assigns, imports, defines)."""
    try:
        tree = compile(
            code, "<snippet>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        )
    except SyntaxError:
        return set(), set()  # the type checkers will say where
    read: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
    return read, bound


def snippet_module(code: str) -> str:
    """The snippet as a module that type checkers can take on its own."""
    read, bound = _names(code)
    preamble: list[str] = []
    for name, lines in PREAMBLE.items():
        if name not in read or name in bound:
            continue
        preamble += [line for line in lines if line not in preamble]
    header = ["from __future__ import annotations", ""]
    if _TOP_LEVEL_AWAIT.search(code):
        # The pages show these at the top level (an asyncio REPL, a notebook): once wrapped
        # in a function, its names become locals, which pyright strict wants read again.
        header.insert(0, "# pyright: reportUnusedVariable=false")
        code = "async def snippet() -> None:\n" + textwrap.indent(code, "    ")
    return "\n".join([*header, *preamble, "", code])


def snippet_file_stem(source: Path) -> str:
    """``readme`` for the README, ``docs_<page>`` for ``docs/<page>.md``."""
    if source == README:
        return "readme"
    page = source.relative_to(DOCS).with_suffix("").as_posix()
    return "docs_" + re.sub(r"\W", "_", page)


@pytest.fixture(scope="module")
def snippet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each snippet as ``<stem>_line<N>.py``: ``readme_line12.py`` is the README's snippet at
    line 12, ``docs_testing_line9.py`` the one at line 9 of ``docs/testing.md``."""
    where = tmp_path_factory.mktemp("snippets")
    counts: dict[str, int] = {}
    for source in snippet_sources():
        stem = snippet_file_stem(source)
        for number, code in python_snippets(source):
            (where / f"{stem}_line{number}.py").write_text(snippet_module(code))
            counts[stem] = counts.get(stem, 0) + 1
    assert counts.get("readme", 0) >= 2, "the README lost its usage example?"
    assert sum(counts.values()) >= 12, f"the pages lost their Python snippets? {counts}"
    for page in ("index", "pagination", "errors", "configuration", "credentials", "testing"):
        assert counts.get(f"docs_{page}"), f"docs/{page}.md has no Python snippet?"
    config = {
        "include": ["."],
        "extraPaths": [str(ROOT)],
        "pythonVersion": "3.11",
        "typeCheckingMode": "strict",
    }
    (where / "pyrightconfig.json").write_text(json.dumps(config))
    return where


def test_snippet_modules() -> None:
    """The preamble defines only what a snippet uses and does not define itself."""
    module = snippet_module("for key in kms.list_keys()['Keys']:\n    print(key)\n")
    assert 'kms = _tc.Client(region_name="us-east-1")' in module
    assert "key = " not in module
    module = snippet_module(
        "async with trentclient.AsyncClient() as kms:\n    await kms.list_keys()\n"
    )
    assert "kms = " not in module
    assert "async def snippet() -> None:\n    async with" in module
    module = snippet_module("import httpx\nsigner.sign(request)  # kms.encrypt\n")
    assert module.count("import httpx\n") == 1
    assert "kms = " not in module


@needs_pyright
def test_readme_and_docs_snippets_pass_pyright_strict(snippet_dir: Path) -> None:
    result = run_pyright(snippet_dir)
    assert result.returncode == 0, (
        "pyright --strict rejected snippets (readme_line<N>.py: the README's snippet at line "
        f"N, docs_<page>_line<N>.py: docs/<page>.md's; after its preamble):\n{result.stdout}{result.stderr}"
    )


def test_readme_and_docs_snippets_pass_mypy_strict(snippet_dir: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--follow-imports=silent",
        "--no-error-summary",
        "--cache-dir",
        str(snippet_dir / ".mypy_cache"),
        *sorted(str(path) for path in snippet_dir.glob("*_line*.py")),
    ]
    env = {**os.environ, "MYPY_FORCE_COLOR": "0", "MYPYPATH": str(ROOT)}
    result = subprocess.run(
        command, cwd=snippet_dir, capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert result.returncode == 0, (
        "mypy --strict rejected snippets (readme_line<N>.py: the README's snippet at line N, "
        f"docs_<page>_line<N>.py: docs/<page>.md's; after its preamble):\n{result.stdout}{result.stderr}"
    )
