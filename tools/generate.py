"""Regenerate everything under ``trentclient/_generated/`` (the one command).

Usage, from the repository root::

    python -m tools.generate            # (re)write the generated files
    python -m tools.generate --check    # exit 1 and list the files that differ; write nothing
    python -m tools.generate --out DIR  # write (or --check) DIR instead of trentclient/_generated

``python tools/generate.py`` works too. The files come from the ``render()`` of every
generator module: ``tools/gen_model.py`` (operation table, errors, methods, TypedDicts, enums)
and ``tools/gen_endpoints.py`` (the endpoint table). A generator module that does not exist is
reported and skipped; a generator that fails stops everything, and nothing is written.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``tools`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

__all__ = ["DEFAULT_OUT", "GENERATOR_MODULES", "diff", "load_generators", "main", "render_all"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "trentclient" / "_generated"

#: Every generator; each exposes ``render() -> dict[str, str]`` (file name -> text).
GENERATOR_MODULES = ("tools.gen_model", "tools.gen_endpoints")


def load_generators() -> tuple[dict[str, Callable[[], dict[str, str]]], list[str]]:
    """The ``render`` function of each generator module, and the modules that don't exist."""
    renders: dict[str, Callable[[], dict[str, str]]] = {}
    missing: list[str] = []
    for name in GENERATOR_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the generator exists but one of its imports is missing
                raise
            missing.append(name)
            continue
        renders[name] = module.render
    return renders, missing


def render_all() -> tuple[dict[str, str], list[str]]:
    """Every generated file (name -> text), and the generator modules that were missing."""
    renders, missing = load_generators()
    files: dict[str, str] = {}
    owner: dict[str, str] = {}
    for module, render in renders.items():
        for filename, text in render().items():
            if filename in files:
                raise SystemExit(f"{module} and {owner[filename]} both generate {filename}")
            if not text.endswith("\n"):
                text += "\n"
            files[filename] = text
            owner[filename] = module
    return dict(sorted(files.items())), missing


def diff(files: dict[str, str], out: Path, *, complete: bool) -> list[str]:
    """Names of the files in ``out`` that differ from ``files``.

    With ``complete`` (every generator ran), ``*.py`` files in ``out`` that no generator
    produces are listed too, as stale.
    """
    changed = []
    for name, text in files.items():
        path = out / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            changed.append(name)
    if complete and out.is_dir():
        changed += sorted(
            f"{p.name} (stale: no generator writes it)"
            for p in out.glob("*.py")
            if p.name not in files
        )
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.generate", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 and list the files that differ; write nothing"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="directory to write (default: trentclient/_generated)",
    )
    args = parser.parse_args(argv)
    out: Path = args.out

    files, missing = render_all()
    for module in missing:
        print(f"warning: {module} does not exist; its files were not generated", file=sys.stderr)
    changed = diff(files, out, complete=not missing)

    if args.check:
        if changed:
            print(f"{out}: out of date; run python -m tools.generate:")
            for name in changed:
                print(f"  {name}")
            return 1
        print(f"{out}: {len(files)} generated files up to date")
        return 0

    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, text in files.items():
        path = out / name
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            written += 1
            print(f"wrote {path}")
    for name in changed:
        if name.endswith("(stale: no generator writes it)"):
            print(f"warning: {out / name}", file=sys.stderr)
    print(f"{len(files)} generated files, {written} rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
