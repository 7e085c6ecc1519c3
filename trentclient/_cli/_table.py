"""``--output table``: the AWS CLI's boxed tables, cell for cell.

The layout is the AWS CLI's, built without the model: the command's operation name is the
title; an object's scalar members (sorted by name) are one row under a header of their
names, or a ``name | value`` row when there is only one; lists of objects are one row each;
nested objects and lists are sections below, indented by one ``|`` per level. Columns
share the width of the widest section; when that is wider than the terminal (80 columns
when stdout is no terminal), every one-row section is turned on its side (one
``header | value`` row per column) to make it narrower.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["format_table"]

_BRIGHT_BLUE = ("\x1b[1m\x1b[34m", "\x1b[0m")
_DIM_YELLOW = ("\x1b[2m\x1b[33m", "\x1b[0m")


def _width(text: Any) -> int:
    """Columns a text takes: wide and ambiguous East Asian characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in str(text))


class _Section:
    __slots__ = ("columns", "headers", "indent", "rows", "title", "widths")

    def __init__(self, title: str = "", indent: int = 0) -> None:
        self.title = title
        self.indent = indent
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.widths: list[int] = []  # the widest cell of each column, headers included
        self.columns: int | None = None  # fixed by the first header or row

    def _widen(self, cells: list[str]) -> None:
        if not self.widths:
            self.widths = [_width(cell) for cell in cells]
            return
        for i, cell in enumerate(cells):
            self.widths[i] = max(self.widths[i], _width(cell))

    def set_headers(self, headers: list[str]) -> None:
        self._widen(headers)
        if self.columns is None:
            self.columns = len(headers)
        self.headers = headers

    def add_row(self, cells: Iterable[Any]) -> None:
        row = [str(cell) for cell in cells]
        if self.columns is None:
            self.columns = len(row)
        if len(row) != self.columns:
            raise ValueError(f"Row should have {self.columns} elements, instead it has {len(row)}")
        self.rows.append(row)
        self._widen(row)

    def column_widths(self, total: int) -> list[int]:
        """Each column's width (4 columns of padding each), scaled to add up to ``total``."""
        natural = [w + 4 for w in self.widths]
        if not natural:
            return natural
        factor = total / float(sum(natural))
        scaled = [round(factor * w) for w in natural]
        excess = sum(scaled) - total
        while excess:
            order = range(len(scaled)) if excess > 0 else reversed(range(len(scaled)))
            for i in order:
                step = 1 if excess > 0 else -1
                scaled[i] -= step
                excess -= step
                if not excess:
                    break
        return scaled

    def outer_width(self) -> int:
        cells = sum(w + 4 for w in self.widths) + 2 + 2 * self.indent
        return max(_width(self.title) + 2 + 2 * self.indent, cells)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (list, dict))


def _split_keys(item: dict[str, Any]) -> tuple[list[str], list[str]]:
    """An object's keys with scalar values, and the others, each sorted."""
    scalars = sorted(key for key, value in item.items() if _is_scalar(value))
    nested = sorted(key for key, value in item.items() if not _is_scalar(value))
    return scalars, nested


class _Builder:
    def __init__(self) -> None:
        self.sections: list[_Section] = []
        self.current: _Section | None = None

    def section(self, title: str, indent: int) -> None:
        self.current = _Section(title, indent)
        self.sections.append(self.current)

    def row(self, cells: Iterable[Any]) -> None:
        if self.current is None:  # a bare list at the top: rows of an untitled section
            self.section("", 0)
        assert self.current is not None
        self.current.add_row(cells)

    def headers(self, headers: list[str]) -> None:
        if self.current is None:
            self.section("", 0)
        assert self.current is not None
        self.current.set_headers(headers)

    def add(self, title: str | None, value: Any, indent: int = 0) -> bool:
        if not value:
            return False
        if title is not None:
            self.section(title, indent)
        if isinstance(value, list):
            if isinstance(value[0], dict):
                self._objects(value, indent, title)
            else:
                for item in value:
                    if _is_scalar(item):
                        self.row([item])
                    elif all(_is_scalar(cell) for cell in item):
                        self.row(item)  # an object here gives its keys, as the AWS CLI's
                    else:
                        self.add(None, item)
        if isinstance(value, dict):
            self._object(value, indent)
        return True

    def _object(self, item: dict[str, Any], indent: int) -> None:
        scalars, nested = _split_keys(item)
        if len(scalars) == 1:
            self.row([scalars[0], item[scalars[0]]])
        elif scalars:
            self.headers(scalars)
            self.row([item[key] for key in scalars])
        for key in nested:
            self.add(key, item[key], indent + 1)

    def _objects(self, items: list[Any], indent: int, title: str | None) -> None:
        scalar_keys: set[str] = set()
        nested_keys: set[str] = set()
        for item in items:
            scalars, nested = _split_keys(item)
            scalar_keys.update(scalars)
            nested_keys.update(nested)
        headers, nested = sorted(scalar_keys), sorted(nested_keys)
        self.headers(headers)
        for i, item in enumerate(items):
            if i and nested:
                self.section(title or "", indent)
                self.headers(headers)
            self.row([item.get(key, "") for key in headers])
            for key in nested:
                if key in item:
                    self.add(key, item[key], indent + 1)


def _centered(text: str, width: int, left: str, right: str, length: int) -> str:
    start = width // 2 - length // 2 - 1
    used = len(left) + start + length
    return left + " " * start + text + " " * (width - len(right) - used) + right


def _left(text: str, width: int, left: str, right: str, length: int) -> str:
    padding = 2 if width - (length + 2 + len(left) + len(right)) >= 0 else 0
    used = len(left) + padding + length
    return left + " " * padding + text + " " * (width - used - len(right)) + right


def _rule(widths: list[int]) -> str:
    return (
        "".join(
            ("+" + "-" * (w - 2) + "+") if i == 0 else ("-" * (w - 1) + "+")
            for i, w in enumerate(widths)
        )
        + "\n"
    )


def _on_its_side(sections: list[_Section]) -> None:
    for i, section in enumerate(sections):
        if len(section.rows) == 1 and section.headers:
            turned = _Section(section.title, section.indent)
            for header, cell in zip(section.headers, section.rows[0], strict=False):
                turned.add_row([header, cell])
            sections[i] = turned


def _render(
    sections: list[_Section],
    terminal_width: int,
    cell: Callable[[str], str],
    edge: Callable[[str], str],
) -> str:
    widest = max(section.outer_width() for section in sections)
    if widest > terminal_width:
        _on_its_side(sections)
        widest = max(section.outer_width() for section in sections)
    out = ["-" * widest + "\n"]
    for section in sections:
        margin = edge("|") * section.indent

        def line(text: str, margin: str = margin) -> None:
            out.append(margin + text[:-1] + margin + "\n")

        width = widest - 2 * section.indent
        if section.title:
            line(_centered(section.title, width, "|", "|", _width(section.title)) + "\n")
            if not section.headers and not section.rows:
                line("+" + "-" * (width - 2) + "+\n")
        if section.headers:
            widths = section.column_widths(width)
            titles = "".join(
                _centered(h, w, "|" if i == 0 else "", "|", _width(h))
                for i, (w, h) in enumerate(zip(widths, section.headers, strict=False))
            )
            line(_rule(widths))
            line(titles + "\n")
        if section.rows:
            widths = section.column_widths(width)
            if not widths:
                continue
            line(_rule(widths))
            for row in section.rows:
                line(
                    "".join(
                        _left(cell(c), w, "|" if i == 0 else "", "|", _width(c))
                        for i, (w, c) in enumerate(zip(widths, row, strict=False))
                    )
                    + "\n"
                )
            line(_rule(widths))
    return "".join(out)


def format_table(title: str, data: Any, *, terminal_width: int = 80, color: bool = False) -> str:
    """``data`` (a response, after ``--query``) as the AWS CLI's table titled ``title``;
    ``""`` when there is nothing to show. ``color``: ANSI colours, as ``--color on``."""
    builder = _Builder()
    if not builder.add(title, data) or not builder.sections:
        return ""

    def plain(text: str) -> str:
        return text

    def paint(colors: tuple[str, str]) -> Callable[[str], str]:
        return lambda text: colors[0] + text + colors[1]

    cell = paint(_BRIGHT_BLUE) if color else plain
    edge = paint(_DIM_YELLOW) if color else plain
    return _render(builder.sections, terminal_width, cell, edge)
