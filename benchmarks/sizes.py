"""The installed size of each contender's dependency closure, from the installed metadata.

A closure is the distribution and every distribution its requirements pull in, walked
through ``importlib.metadata`` (an extra's requirements only for the extras asked for;
environment markers evaluated with ``packaging`` when it is installed, else a requirement
counts when its distribution is installed). A distribution's size is the bytes of the
files its ``RECORD`` lists, bytecode caches (``__pycache__``, ``.pyc``) left out, since
they depend on which Python versions have run it; an editable install (the checkout's
trentclient) counts the files of its package directories instead, as a wheel would
install them. Nothing is timed: this runs once per benchmark run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["CLOSURES", "closure", "closures", "distribution_size"]

#: (label, distribution, extras) of the closures the report shows.
CLOSURES: list[tuple[str, str, tuple[str, ...]]] = [
    ("trentclient", "trentclient", ()),
    ("trentclient[aiohttp]", "trentclient", ("aiohttp",)),
    ("boto3", "boto3", ()),
    ("aiobotocore", "aiobotocore", ()),
]

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(text: str, extras: Iterable[str]) -> tuple[str, tuple[str, ...]] | None:
    """``(name, its extras)`` of a requirement that applies here with ``extras``, or None."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pragma: no cover - packaging comes with matplotlib in .venv-bench
        match = _NAME.match(text)
        if match is None:
            return None
        marker = text.partition(";")[2]
        wanted = set(extras)
        if "extra" in marker and not any(f'"{e}"' in marker or f"'{e}'" in marker for e in wanted):
            return None
        inner = tuple(x.strip() for x in (match.group(2) or "[]")[1:-1].split(",") if x.strip())
        return match.group(1), inner
    requirement = Requirement(text)
    if requirement.marker is not None:
        chosen = list(extras) or [""]
        if not any(requirement.marker.evaluate({"extra": extra}) for extra in chosen):
            return None
    return requirement.name, tuple(sorted(requirement.extras))


def _is_editable(dist: metadata.Distribution) -> bool:
    text = dist.read_text("direct_url.json") or ""
    return '"editable": true' in text.replace("'", '"')


def _editable_size(dist: metadata.Distribution) -> int:
    """The files of an editable install's top-level packages, without bytecode caches."""
    names = (dist.read_text("top_level.txt") or "").split() or [
        _canonical(dist.metadata["Name"]).replace("-", "_")
    ]
    total = 0
    for name in names:
        spec_root = _package_dir(name)
        if spec_root is None:
            continue
        for path in spec_root.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                total += path.stat().st_size
    return total


def _package_dir(name: str) -> Path | None:
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def distribution_size(dist: metadata.Distribution) -> int:
    """Bytes of the installed files of ``dist`` (see the module doc)."""
    if _is_editable(dist):
        return _editable_size(dist)
    total = 0
    for file in dist.files or ():
        if "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        try:
            total += Path(str(file.locate())).stat().st_size
        except OSError:
            continue
    return total


def closure(name: str, extras: tuple[str, ...] = ()) -> dict[str, int] | None:
    """``{distribution: bytes}`` of ``name[extras]`` and everything it requires, or None
    when ``name`` is not installed. Requirements that are not installed are left out."""
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    sizes: dict[str, int] = {}
    todo: list[tuple[str, tuple[str, ...]]] = [(name, extras)]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while todo:
        item, wanted = todo.pop()
        key = (_canonical(item), wanted)
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(item)
        except metadata.PackageNotFoundError:
            continue
        label = dist.metadata["Name"]
        if label not in sizes:
            sizes[label] = distribution_size(dist)
        for text in dist.requires or ():
            found = _requirement(text, wanted)
            if found is not None:
                todo.append(found)
    return sizes


def closures() -> dict[str, Any]:
    """Every closure of ``CLOSURES``: ``{label: {"bytes": n, "packages": {name: bytes}}}``,
    or ``{label: None}`` when its distribution is not installed."""
    out: dict[str, Any] = {}
    for label, name, extras in CLOSURES:
        sizes = closure(name, extras)
        out[label] = (
            None
            if sizes is None
            else {"bytes": sum(sizes.values()), "packages": dict(sorted(sizes.items()))}
        )
    return out
