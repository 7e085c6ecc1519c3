"""The documentation site's sources: every public name has a place in the API reference, the
README (the short front page) links to every page and each page it links exists, the pages
hold their own text (none is cut from the README), and the include hook cuts sections as it
says.

The site itself is built by ``python3 tools/dev.py docs`` (``mkdocs build --strict``, in CI).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import trentclient

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _directives() -> set[str]:
    names: set[str] = set()
    for page in (DOCS / "reference").glob("*.md"):
        names.update(re.findall(r"^::: (\S+)", page.read_text(), re.MULTILINE))
    return names


def test_every_public_name_is_in_the_api_reference() -> None:
    directives = _directives()
    missing = [
        name
        for name in trentclient.__all__
        if f"trentclient.{name}" not in directives and name != "ClientError"
    ]
    assert missing == [], "add them to a page of docs/reference/"
    assert "`trentclient.ClientError`" in (DOCS / "reference" / "errors.md").read_text()
    # Whole modules, rendered with their __all__.
    for module in ("testing", "paginators", "enums", "type_defs"):
        assert f"trentclient.{module}" in directives, module


def test_readme_links_pages_that_exist_and_the_nav_has_them() -> None:
    readme = (ROOT / "README.md").read_text()
    linked = re.findall(r"\]\(docs/([^)#]+)", readme)
    assert linked, "the README links to no documentation page"
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in linked:
        assert (DOCS / page).is_file(), page
        assert re.search(rf"^\s*- (?:[^:\n]+: )?{re.escape(page)}$", nav, re.MULTILINE), page
    # Every page of the nav's first level, the API reference's index and the changelog
    # (linked as CHANGELOG.md, which the changelog page includes).
    nav_block = nav.partition("\nnav:\n")[2]
    top = re.findall(r"^  - (?:[^:\n]+: )?(\S+\.md)$", nav_block, re.MULTILINE)
    assert "index.md" in top and "cli.md" in top, top
    expected = {page for page in top if page != "changelog.md"} | {"reference/index.md"}
    assert expected - set(linked) == set(), "the README should link every page"
    assert "](CHANGELOG.md)" in readme


def test_the_pages_are_the_sources() -> None:
    """The README is a short front page: no page includes text from it, and it stays short."""
    for page in DOCS.rglob("*.md"):
        assert "include README.md" not in page.read_text(), page
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 150
    # The README's two commands (.ci/run runs the test one on every supported Python).
    assert "python3 tools/dev.py demo" in readme and "python3 tools/dev.py test" in readme


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> object:
    pytest.importorskip("mkdocs")
    from tools import docs_hooks

    (tmp_path / "page.md").write_text(
        "# Title\n\nintro\n\n## A\n\ntext [x](#b)\n\n```sh\n# not a heading\n```\n\n"
        "### Errors\n\na errors\n\n## B\n\n### Errors\n\nb errors\n"
    )
    monkeypatch.setattr(docs_hooks, "ROOT", tmp_path)
    return docs_hooks


def _cut(hooks: object, directive: str) -> str:
    spec = hooks._DIRECTIVE.match(directive)  # type: ignore[attr-defined]
    assert spec is not None
    include = hooks._parse(spec)  # type: ignore[attr-defined]
    hooks._cut(include)  # type: ignore[attr-defined]
    return str(include.text)


def test_include_cuts_sections_by_heading(hooks: object) -> None:
    text = _cut(hooks, '<!-- include page.md "A" level=1 -->')
    assert text.startswith("# A\n") and "## Errors\n\na errors" in text
    assert "# not a heading" in text and "## B" not in text and "b errors" not in text
    assert _cut(hooks, '<!-- include page.md "B > Errors" body -->') == "b errors\n"
    assert _cut(hooks, '<!-- include page.md "Title" shallow body -->') == "intro\n"
    assert _cut(hooks, '<!-- include page.md "Gone" optional -->') == ""
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match='2 heading "Errors"'):
        _cut(hooks, '<!-- include page.md "Errors" -->')
    with pytest.raises(PluginError, match='no heading "Gone"'):
        _cut(hooks, '<!-- include page.md "Gone" -->')
