"""The AWS CLI's shorthand syntax for structures, maps and lists of structures.

::

    --tags TagKey=a,TagValue=b TagKey=c,TagValue=d     one structure per word
    --encryption-context purpose=test,team=x           a map
    --x Name=n,Values=a,b,c                            a list value (``Values``)
    --x Outer={Inner=[1,2],Other='quoted, with comma'} nested structures and lists
    --x Policy@=file://policy.json                     a value read from a file

The grammar is the AWS CLI's: ``key=value`` pairs separated by commas; a value is a word,
a comma-separated list of words, ``[...]`` (an explicit list), ``{...}`` (a nested
structure) or a quoted string (``'...'`` or ``"..."``, with ``\\'`` / ``\\"`` inside);
``\\,`` is a literal comma. Parsing is purely syntactic and gives strings; ``coerce``
then applies the model as the AWS CLI does: integers, floats and booleans from their
text, a single value where the model wants a list becomes a one-item list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trentclient._model import Shape

__all__ = ["ShorthandError", "coerce", "parse_shorthand", "wants_shorthand"]

_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.#/:")
#: Characters that cannot start a bare word, and those that end the first / later words of a
#: comma-separated value (the later ones also end at ``=``: ``a=b,c=d`` is two pairs).
_NO_START = frozenset("\"',=[{")
_FIRST_ENDS = frozenset("\"',]}")
_LATER_ENDS = frozenset("\"',=")


class ShorthandError(ValueError):
    """A value the shorthand grammar refuses; the message points at the place."""


def _where(text: str, index: int) -> str:
    """The input with a caret under ``index`` (on the caret's own line of the input)."""
    before = text[:index]
    column = index - (before.rindex("\n") + 1 if "\n" in before else 0)
    line_end = text.find("\n", index)
    head, tail = (text, "") if line_end < 0 else (text[:line_end], text[line_end:])
    return f"{head}\n{' ' * column}^{tail}"


class _Syntax(ShorthandError):
    def __init__(self, text: str, expected: str, actual: str, index: int) -> None:
        super().__init__(
            f"Expected: '{expected}', received: '{actual}' for input:\n{_where(text, index)}"
        )


def wants_shorthand(shape: Shape, value: str | list[str]) -> bool:
    """Whether an option's value is shorthand: a structure, map, or list of those, whose
    (first) value does not look like JSON."""
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, str) and first.strip().startswith(("[", "{")):
        return False
    if shape.type == "list":
        return shape.member is not None and shape.member.type in ("structure", "list", "map")
    return shape.type in ("structure", "map")


class _Parser:
    def __init__(self, text: str, load: Callable[[str], str | None]) -> None:
        self.text = text
        self.i = 0
        self.load = load
        self.from_file = False

    # -- characters -----------------------------------------------------------------------

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def eof(self) -> bool:
        return self.i >= len(self.text)

    def skip_space(self) -> None:
        while not self.eof() and self.text[self.i].isspace():
            self.i += 1

    def expect(self, char: str, *, space: bool = False) -> None:
        if space:
            self.skip_space()
        if self.eof():
            raise _Syntax(self.text, char, "EOF", self.i)
        if self.text[self.i] != char:
            raise _Syntax(self.text, char, self.text[self.i], self.i)
        self.i += 1
        if space:
            self.skip_space()

    def optional(self, char: str) -> bool:
        save = self.i
        self.skip_space()
        if self.peek() == char:
            self.i += 1
            self.skip_space()
            return True
        self.i = save
        return False

    # -- grammar --------------------------------------------------------------------------

    def parameter(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        start = 0
        while True:
            key, value = self.pair()
            if key in result:
                raise ShorthandError(
                    f'Second instance of key "{key}" encountered for input:\n'
                    f"{_where(self.text, start + 1 if start else 0)}\n"
                    'This is often because there is a preceding "," instead of a space.'
                )
            result[key] = value
            start = self.i
            if self.eof():
                return result
            self.expect(",", space=True)

    def key(self) -> str:
        start = self.i
        while not self.eof() and self.text[self.i] in _KEY_CHARS:
            self.i += 1
        return self.text[start : self.i]

    def pair(self) -> tuple[str, Any]:
        key = self.key()
        self.from_file = self.optional("@")
        self.expect("=", space=True)
        return key, self.values()

    def values(self) -> Any:
        if self.eof():
            return ""
        if self.peek() == "[":
            return self.explicit_list()
        if self.peek() == "{":
            return self.hash_literal()
        return self.csv()

    def csv(self) -> Any:
        first = self.first()
        self.skip_space()
        if self.eof() or self.peek() != ",":
            return first
        self.expect(",", space=True)
        items = [first]
        while True:
            try:
                item = self.later()
                self.skip_space()
                if self.eof():
                    items.append(item)
                    break
                self.expect(",", space=True)
                items.append(item)
            except _Syntax:
                # ``a=1,2,b=3``: the word after the last comma was the next key.
                if self.eof():
                    raise
                while self.i > 0 and self.text[self.i] != ",":
                    self.i -= 1
                break
        return items if len(items) > 1 else first

    def explicit_list(self) -> list[Any]:
        self.expect("[", space=True)
        items: list[Any] = []
        while self.peek() != "]":
            items.append(self.explicit_value())
            self.skip_space()
            if self.peek() != "]":
                self.expect(",")
                self.skip_space()
        self.expect("]")
        return items

    def hash_literal(self) -> dict[str, Any]:
        self.expect("{", space=True)
        result: dict[str, Any] = {}
        while self.peek() != "}":
            key = self.key()
            self.from_file = self.optional("@")
            self.expect("=", space=True)
            value = self.explicit_value()
            self.skip_space()
            if self.peek() != "}":
                self.expect(",")
                self.skip_space()
            result[key] = value
        self.expect("}")
        return result

    def explicit_value(self) -> Any:
        if self.peek() == "[":
            return self.explicit_list()
        if self.peek() == "{":
            return self.hash_literal()
        return self.first()

    def first(self) -> str:
        if self.peek() in ("'", '"'):
            return self.quoted()
        word = self.word(_FIRST_ENDS, required=False)
        return self.resolve(word)

    def later(self) -> str:
        if self.peek() in ("'", '"'):
            return self.quoted()
        return self.resolve(self.word(_LATER_ENDS, required=True))

    def word(self, ends: frozenset[str], *, required: bool) -> str:
        text, start = self.text, self.i
        i = start
        out: list[str] = []
        while i < len(text):
            char = text[i]
            if char == "\\" and text.startswith("\\,", i):
                out.append(",")
                i += 2
                continue
            if i == start:
                if char in _NO_START or char <= " ":
                    break
            elif char in ends or (char < " " and not char.isspace()):
                break
            out.append(char)
            i += 1
        if i == start:
            if required:
                raise _Syntax(text, "<second>", "<none>", start)
            return ""
        self.i = i
        return "".join(out).rstrip()

    def quoted(self) -> str:
        quote, text, start = self.peek(), self.text, self.i
        i = start + 1
        while i < len(text):
            if text[i] == "\\" and text.startswith("\\" + quote, i):
                i += 2
                continue
            if text[i] == quote:
                break
            i += 1
        else:
            name = "singled quoted" if quote == "'" else "double quoted"
            raise _Syntax(text, f"<{name}>", "<none>", start)
        self.i = i + 1
        inner = text[start + 1 : i].replace("\\" + quote, quote).replace("\\\\", "\\")
        return self.resolve(inner)

    def resolve(self, value: str) -> str:
        if self.from_file:
            loaded = self.load(value)
            if loaded is not None:
                return loaded
        return value


def parse_shorthand(text: str, load: Callable[[str], str | None]) -> dict[str, Any]:
    """One shorthand word (``A=b,C=d``) as a dict of strings, lists and dicts.

    ``load(value)`` reads a ``key@=file://...`` value (None: not a file reference).
    Raises ``ShorthandError``.
    """
    return _Parser(text, load).parameter()


def coerce(shape: Shape, value: Any) -> Any:
    """Parsed shorthand typed by the model, as the AWS CLI does it: numbers and booleans
    from their text, a lone value where a list belongs wrapped in a list."""
    kind = shape.type
    if kind == "structure":
        if isinstance(value, dict):
            for name, member in shape.members.items():
                if name in value:
                    value[name] = coerce(member, value[name])
        return value
    if kind == "list":
        if not isinstance(value, list):
            value = [value]
        if shape.member is not None:
            value = [coerce(shape.member, item) for item in value]
        return value
    if kind == "map":
        if isinstance(value, dict) and shape.value is not None:
            return {key: coerce(shape.value, item) for key, item in value.items()}
        return value
    if not isinstance(value, str):
        return value
    try:
        if kind in ("integer", "long"):
            return int(value)
        if kind in ("float", "double"):
            return float(value)
    except ValueError:
        return value  # the library reports the wrong type with the parameter's path
    if kind == "boolean":
        lowered = value.lower()
        return True if lowered == "true" else False if lowered == "false" else value
    return value
