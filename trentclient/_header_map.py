"""An answer's headers as ``httpx.Headers`` gives them, for the direct sends of
``Client`` (over httpcore) and ``AsyncClient`` (over aiohttp), which read answers without
an ``httpx.Response``."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["header_map"]


def header_map(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """``dict(httpx.Headers(raw).items())``, without the ``httpx.Headers``: lower-case
    names, repeated ones joined with ``", "``, ASCII (else httpx's fallback)."""
    out: dict[str, str] = {}
    try:
        for name, value in raw:
            key = name.decode("ascii").lower()
            text = value.decode("ascii")
            if key in out:
                out[key] += ", " + text
            else:
                out[key] = text
    except UnicodeDecodeError:  # httpx's fallback: UTF-8, else Latin-1, for all of them
        import httpx

        return dict(httpx.Headers(list(raw)).items())
    return out
