"""``EndpointURL``: the parts of the URL requests are POSTed to, as ``httpx.URL`` gives them.

Signing needs the request URL's host, port and path, and the aiohttp transport its text;
neither needs an ``httpx.URL``, whose module is most of the cost of importing httpx. So the
endpoint is parsed here, without httpx, when it has the plain form nearly every endpoint
has (an ASCII host name or IPv4 address, a decimal port, a path of characters that need no
escaping); any other form (an IPv6 literal, a path with ``%`` or non-ASCII characters) is
parsed by ``httpx.URL`` itself, and its parts kept. Either way the parts are those of
``httpx.URL(text)`` (a test compares them over many URLs).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["EndpointURL"]

# scheme://host[:port][/path]: a lower-case-able ASCII host name or IPv4 address, digits for
# the port, and a path of unreserved characters, sub-delimiters, ":", "@" and "/" (RFC 3986
# pchar without percent-escapes), which httpx leaves as they are. Checked with str methods
# (``s.strip(chars) == ""``: every character of s is one of chars), not a regex: compiling
# one cost more than a third of a millisecond of every cold start.
_LETTERS_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_HOST_CHARS = _LETTERS_DIGITS + ".-"
_PATH_CHARS = _LETTERS_DIGITS + "-._~!$&'()*+,;=:@/"
_DIGITS = "0123456789"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _plain_parts(url: str) -> tuple[str, str, str | None, str] | None:
    """``(scheme, host, port text or None, path)`` of a URL in the plain form, else None."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _DEFAULT_PORTS:
        return None
    slash = rest.find("/")
    authority, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    host, colon, port = authority.partition(":")
    if not host or host.strip(_HOST_CHARS) or path.strip(_PATH_CHARS):
        return None
    if not colon:
        return scheme, host, None, path
    if not port or port.strip(_DIGITS):
        return None
    return scheme, host, port, path


class EndpointURL:
    """``scheme``, ``raw_host``, ``port`` (``None`` for the scheme's default), ``raw_path``
    and the URL's text, named and valued as ``httpx.URL``'s; ``httpx_url`` is the
    ``httpx.URL`` itself, made on first use."""

    __slots__ = ("__dict__", "port", "raw_host", "raw_path", "scheme", "text")

    def __init__(self, url: str) -> None:
        parts = _plain_parts(url)
        port_text = parts[2] if parts is not None else None
        if parts is None or (port_text is not None and int(port_text) > 65535):
            import httpx

            parsed = httpx.URL(url)  # (raises httpx.InvalidURL for a port out of range)
            self.scheme: str = parsed.scheme
            self.raw_host: bytes = parsed.raw_host
            self.port: int | None = parsed.port
            self.raw_path: bytes = parsed.raw_path
            self.text: str = str(parsed)
            self.__dict__["httpx_url"] = parsed
            return
        scheme, host, _, path = parts
        port = int(port_text) if port_text is not None else None
        if port == _DEFAULT_PORTS[scheme]:
            port = None
        host = host.lower()
        self.scheme = scheme
        self.raw_host = host.encode("ascii")
        self.port = port
        self.raw_path = (path or "/").encode("ascii")  # (the text keeps an empty path)
        self.text = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"

    @cached_property
    def httpx_url(self) -> httpx.URL:
        import httpx

        return httpx.URL(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"EndpointURL({self.text!r})"
