"""Which HTTP proxy the KMS endpoint is reached through, as botocore picks it.

``Config(proxies=...)`` wins when it is a non-empty mapping; it is botocore's form: the key
is the endpoint's scheme (``"https"``, or ``"http"`` for an ``http://`` endpoint), the
value a proxy URL (``"proxy:3128"`` means ``http://proxy:3128``). ``NO_PROXY`` does not apply
to it, as in botocore. Otherwise the environment's ``HTTPS_PROXY`` / ``HTTP_PROXY`` (either
case, lower case first) apply unless ``NO_PROXY`` lists the endpoint's host, through the
standard library's own rules (``urllib.request.getproxies`` and ``proxy_bypass``), which is
what botocore calls. As in botocore, ``ALL_PROXY`` and keys like ``"all"`` are not read. ``urllib.request`` is imported only when a
``*_proxy`` variable is set (or on macOS and Windows, where system settings may name one).

Pure: the environment is an argument.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["fix_proxy_url", "proxy_for", "select_proxy"]


def select_proxy(url: str, proxies: Mapping[str, str]) -> str | None:
    """botocore's ``ProxyConfiguration.proxy_url_for``: the proxy named for the URL's scheme
    (``"https"`` or ``"http"``); other keys (``"all"``, ``"https://host"``) are not read."""
    return proxies.get(urlsplit(url).scheme) or None


def fix_proxy_url(proxy_url: str) -> str:
    """botocore's ``_fix_proxy_url``: a URL without a scheme is an ``http://`` proxy."""
    if proxy_url.startswith(("http:", "https:")):
        return proxy_url
    if proxy_url.startswith("//"):
        return "http:" + proxy_url
    return "http://" + proxy_url


def _environment_proxies(url: str, environ: Mapping[str, str]) -> dict[str, str]:
    """botocore's ``get_environ_proxies``: ``getproxies()`` unless ``NO_PROXY`` bypasses."""
    names = [name for name in environ if name.lower().endswith("_proxy")]
    if not names and sys.platform not in ("darwin", "win32"):
        return {}
    import urllib.request  # ~5 ms; only when a proxy may be configured

    host = urlsplit(url).netloc
    if environ is _os_environ():  # the OS's rules (macOS and Windows settings too)
        proxies = urllib.request.getproxies()
        try:
            bypass = bool(urllib.request.proxy_bypass(host))
        except (TypeError, OSError):
            bypass = False
    else:  # an environment given by a test or a caller: read it, not os.environ
        proxies = _getproxies_from(environ)
        bypass = bool(urllib.request.proxy_bypass_environment(host, proxies))  # type: ignore[attr-defined]
    if bypass:
        return {}
    proxies.pop("no", None)
    return proxies


def _getproxies_from(environ: Mapping[str, str]) -> dict[str, str]:
    """``urllib.request.getproxies_environment`` over ``environ`` instead of ``os.environ``."""
    proxies: dict[str, str] = {}
    for name, value in environ.items():  # upper case first, so lower case wins below
        key = name.lower()
        if value and key.endswith("_proxy"):
            proxies[key[:-6]] = value
    if "REQUEST_METHOD" in environ:  # CGI: HTTP_PROXY may come from a request header
        proxies.pop("http", None)
    for name, value in environ.items():
        if name[-6:] == "_proxy":
            key = name.lower()
            if value:
                proxies[key[:-6]] = value
            else:
                proxies.pop(key[:-6], None)
    return proxies


def _os_environ() -> Mapping[str, str]:
    import os

    return os.environ


def proxy_for(
    url: str, proxies: Mapping[str, str] | None, environ: Mapping[str, str]
) -> str | None:
    """The proxy URL requests to ``url`` go through, or ``None`` for a direct connection."""
    if proxies:
        chosen = select_proxy(url, proxies)
    else:  # botocore: an empty or missing mapping means the environment's
        chosen = select_proxy(url, _environment_proxies(url, environ))
    return fix_proxy_url(chosen) if chosen else None
