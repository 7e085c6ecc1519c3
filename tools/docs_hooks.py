"""mkdocs hooks (mkdocs.yml ``hooks:``): pages include text kept in other files.

The pages in ``docs/`` are the documentation's sources (the README is a short front page
that links to them). What has its own file elsewhere is included rather than copied:
``<!-- include CHANGELOG.md level=1 -->`` (the changelog page), ``benchmarks/RESULTS.md``
(the performance page), and a section of another page (``<!-- include docs/credentials.md
"Errors" body level=2 -->``: the credential errors on the errors page too), so the copies
never drift.

A directive on a line of its own gets the file, or that section of it (its heading and
everything under it, down to the next heading of the same or a higher level), its headings
moved so the section's own is at ``level``. ``A > B`` is heading ``B`` inside section ``A``
(for names used twice). Flags: ``shallow`` (stop at the first subheading), ``body`` (drop
the section's own heading), ``optional`` (a missing section includes nothing instead of
failing the build).

Links in the included text are made to work on the site: ``#anchor`` to the page that now
holds that heading, a link to an included file to its page, ``benchmarks/chart.png`` to the
copy this hook adds to the site, ``docs/PAGE.md`` to that page. Anything else relative fails the build, like a missing
section: ``mkdocs build --strict`` then reports no broken link.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown.extensions.toc import slugify
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
#: Repository files the site carries as they are: repository path -> site path.
ASSETS = {"benchmarks/chart.png": "assets/chart.png"}
#: Repository links with no file of their own on the site -> the page that covers them.
LINKS = {"benchmarks/": "performance.md"}

_DIRECTIVE = re.compile(
    r'^<!-- include (?P<file>[\w./-]+)(?: "(?P<section>[^"]+)")?(?P<flags>(?: [\w=]+)*) -->$',
    re.MULTILINE,
)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_LINK = re.compile(r"(\]\()(<?)([^)\s>]+)(>?)")


@dataclass
class _Include:
    file: str
    section: str | None
    level: int = 1
    shallow: bool = False
    body: bool = False
    optional: bool = False
    text: str = ""
    slugs: list[str] = field(default_factory=list)


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """``(line index, level, text)`` of each heading outside fenced code."""
    found = []
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            found.append((index, len(match[1]), match[2]))
    return found


def _slug(text: str) -> str:
    return str(slugify(re.sub(r"`([^`]*)`", r"\1", text), "-"))


def _parse(spec: re.Match[str]) -> _Include:
    include = _Include(spec["file"], spec["section"])
    for flag in spec["flags"].split():
        name, _, value = flag.partition("=")
        if name == "level":
            include.level = int(value)
        elif name in ("shallow", "body", "optional"):
            setattr(include, name, True)
        else:
            raise PluginError(f"include: unknown flag {flag!r} in {spec[0]!r}")
    return include


def _cut(include: _Include) -> None:
    """Fill ``include.text`` (headings moved to ``level``) and ``include.slugs``."""
    lines = (ROOT / include.file).read_text("utf-8").splitlines()
    headings = _headings(lines)
    start, end, top = 0, len(lines), min((level for _, level, _ in headings), default=1)
    if include.section is not None:
        start, end, top = -1, len(lines), 0
        window = headings
        for name in (part.strip() for part in include.section.split(">")):
            matches = [h for h in window if h[2] == name and start <= h[0] < end]
            if len(matches) != 1:
                if include.optional and not matches:
                    return
                found = "no" if not matches else f"{len(matches)}"
                raise PluginError(
                    f'include: {found} heading "{name}" in {include.file} ({include.section!r})'
                )
            start, top, _ = matches[0]
            end = next((i for i, level, _ in headings if i > start and level <= top), len(lines))
            if include.shallow:
                end = next((i for i, _, _ in headings if start < i < end), end)
    shift = include.level - top
    out = []
    inside = {index: level for index, level, _ in headings}
    for index in range(start, end):
        line = lines[index]
        if index in inside:
            if include.body and index == start and include.section is not None:
                continue
            level = inside[index] + shift
            if not 1 <= level <= 6:
                raise PluginError(f"include: {include.file}:{index + 1} moves to level {level}")
            line = "#" * level + line[inside[index] :]
            include.slugs.append(_slug(_HEADING.match(line)[2]))  # type: ignore[index]
        out.append(line)
    include.text = "\n".join(out).strip("\n") + "\n"


class _Site:
    """Every page's includes, read before any page is rendered."""

    def __init__(self) -> None:
        self.includes: dict[str, list[_Include]] = {}

    def page_of_slug(self, slug: str) -> str | None:
        """The page holding heading ``slug``: where it tops an include (the page's subject,
        as ``Errors`` of "Use > Errors"), else the first page that has it at all."""
        tops = [p for p, incs in self.includes.items() for i in incs if i.slugs[:1] == [slug]]
        pages = [p for p, incs in self.includes.items() for i in incs if slug in i.slugs]
        return (tops or pages or [None])[0]

    def page_of_file(self, path: str) -> str | None:
        for page, incs in self.includes.items():
            for inc in incs:
                if inc.file == path and inc.section is None:
                    return page + (f"#{inc.slugs[0]}" if inc.slugs else "")
        return None


_site = _Site()


def on_files(files: Files, config: Any) -> Files:
    _site.includes.clear()
    for file in files.documentation_pages():
        source = Path(file.abs_src_path or "").read_text("utf-8")
        incs = [_parse(spec) for spec in _DIRECTIVE.finditer(source)]
        for inc in incs:
            _cut(inc)
        _site.includes[file.src_uri] = incs
    for repo_path, site_path in ASSETS.items():
        files.append(File.generated(config, site_path, abs_src_path=str(ROOT / repo_path)))
    return files


def _relative(page: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def _fix_links(page: str, include: _Include) -> str:
    base = posixpath.dirname(include.file)

    def fix(match: re.Match[str]) -> str:
        target = match[3]
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            return match[0]
        if target.startswith("#"):
            if target[1:] in include.slugs or any(
                target[1:] in other.slugs for other in _site.includes[page]
            ):
                return match[0]
            where = _site.page_of_slug(target[1:])
            if where is None:
                raise PluginError(f"include: {include.file} links to {target}: on no page")
            new = _relative(page, where) + target
        else:
            path, _, anchor = target.partition("#")
            repo = posixpath.normpath(posixpath.join(base, path)) + (
                "/" if path.endswith("/") else ""
            )
            if repo in ASSETS:
                new = _relative(page, ASSETS[repo])
            elif repo in LINKS:
                new = _relative(page, LINKS[repo])
            elif repo.startswith("docs/") and repo[5:] in _site.includes:
                new = _relative(page, repo[5:]) + (f"#{anchor}" if anchor else "")
            elif (where := _site.page_of_file(repo)) is not None:
                new = (
                    _relative(page, where.split("#")[0]) + "#" + (anchor or where.partition("#")[2])
                )
            else:
                raise PluginError(f"include: {include.file} links to {target}: not on the site")
            new = new.rstrip("#")
        return f"{match[1]}{match[2]}{new}{match[4]}"

    return _LINK.sub(fix, include.text)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    incs = iter(_site.includes.get(page.file.src_uri, []))

    def replace(_spec: re.Match[str]) -> str:
        return _fix_links(page.file.src_uri, next(incs))

    return _DIRECTIVE.sub(replace, markdown)
