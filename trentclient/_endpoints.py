"""Where KMS requests go: endpoint resolution without a rules engine.

botocore resolves endpoints by running the service's endpoint ruleset over
``partitions.json``. ``tools/gen_endpoints.py`` evaluates the KMS ruleset ahead of time for
every partition and every ``(use_fips, use_dualstack)`` combination and writes the outcomes
to ``_generated/_endpoint_table.py``; this module only has to find the region's partition and
fill the region into a template. ``tests/test_endpoints.py`` checks the result against a real
botocore client for every region botocore knows.

What botocore does around the ruleset, and this module copies:

* The region must pass botocore's ``validate_region_name`` (letters, digits and hyphens, at
  most 63, no leading or trailing hyphen, not all digits). The empty string passes that check
  in botocore but then fails ("Invalid endpoint: https://kms..amazonaws.com"); here it is
  refused up front like the rest.
* FIPS pseudo-regions (``us-east-1-fips``, ``fips-us-east-1``): botocore removes every
  ``fips-`` and then every ``-fips`` from the name and turns FIPS on. :func:`normalize_region`
  does the same; sign requests with the region it returns.
* Partition matching: the first partition, in ``partitions.json`` order, that lists the
  region or whose ``regionRegex`` matches it; else the first partition (``aws``).
* botocore's legacy resolver (``endpoints.json``) still runs when a client is created, and
  refuses a FIPS or dual-stack variant that its data does not define for the region, even
  where the ruleset has an endpoint. Today that is dual-stack in ``aws-iso-e`` and
  ``aws-iso-f`` (while ``aws-iso`` and ``aws-iso-b`` get their ruleset dual-stack endpoints,
  because botocore's legacy lookup skips them and falls back to ``aws``). Refused here too.

Everything that resolves raises :class:`~trentclient._exceptions.EndpointResolutionError`
where botocore raises any error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from trentclient._exceptions import EndpointResolutionError

if TYPE_CHECKING:
    from trentclient._generated._endpoint_table import LegacyPartition, Partition

# The generated table is imported by the functions that read it, on the first endpoint
# resolved from a region: a client given endpoint_url never needs it.

__all__ = [
    "endpoint_url_from_env",
    "normalize_endpoint_url",
    "normalize_region",
    "partition_of",
    "resolve_endpoint",
]

_REGION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_HOST_CHARS = _REGION_CHARS | {"."}
_UNSAFE_URL_CHARS = frozenset("\t\r\n ")

#: Environment variables botocore reads for a KMS endpoint URL, in order.
ENDPOINT_URL_ENV_VARS = ("AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL")
IGNORE_ENDPOINT_URLS_ENV_VAR = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"


# -- regions ----------------------------------------------------------------------------------


def _is_host_label(text: str) -> bool:
    """One DNS label: 1 to 63 letters, digits or hyphens, no hyphen at either end."""
    return (
        0 < len(text) <= 63
        and text[0] != "-"
        and text[-1] != "-"
        and _REGION_CHARS.issuperset(text)
    )


def _check_region(region: str) -> None:
    # botocore.utils.validate_region_name, plus the empty string (refused later by botocore).
    if not isinstance(region, str) or not _is_host_label(region) or region.isdigit():
        raise EndpointResolutionError(
            f"Provided region_name {region!r} doesn't match a supported format."
        )


def normalize_region(region: str) -> tuple[str, bool]:
    """``(region, fips)``: the region with botocore's FIPS pseudo-region handling applied.

    ``"us-east-1-fips"`` and ``"fips-us-east-1"`` give ``("us-east-1", True)``; any other
    valid name gives ``(region, False)``. Invalid names raise ``EndpointResolutionError``.
    The returned region is the one requests are signed for.
    """
    _check_region(region)
    normalized = region.replace("fips-", "").replace("-fips", "")
    if normalized == region:
        return region, False
    if not _is_host_label(normalized):
        # e.g. "fips--x" -> "-x": botocore then builds an invalid endpoint URL and fails.
        raise EndpointResolutionError(
            f"Provided region_name {region!r} doesn't match a supported format "
            f"(without its FIPS marker it is {normalized!r})."
        )
    return normalized, True


@functools.cache
def _region_pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def _partition_for(region: str) -> Partition:
    # botocore.endpoint_provider.RuleSetStandardLibrary.aws_partition
    from trentclient._generated._endpoint_table import PARTITIONS

    for partition in PARTITIONS:
        if region in partition.regions or _region_pattern(partition.region_regex).match(region):
            return partition
    return PARTITIONS[0]


def _legacy_partition(region: str, use_dualstack: bool) -> tuple[LegacyPartition, str] | None:
    """The partition botocore's legacy resolver picks for KMS in ``region``, and the region's
    KMS endpoint name in it (``""`` when the partition has none of its own)."""
    # botocore.regions.EndpointResolver.construct_endpoint for "kms": the first partition
    # that lists the name for KMS, or lists or matches the region; else "aws", forced.
    from trentclient._generated._endpoint_table import LEGACY_PARTITIONS

    for partition in LEGACY_PARTITIONS:
        if use_dualstack and partition.skipped_for_dualstack:
            continue
        if region in partition.kms_endpoints:
            return partition, region
        if region in partition.regions or (
            partition.region_regex is not None
            and _region_pattern(partition.region_regex).match(region)
        ):
            return partition, ""
    for partition in LEGACY_PARTITIONS:
        if partition.id == "aws":
            return partition, region if region in partition.kms_endpoints else ""
    return None


def partition_of(region: str, *, use_dualstack: bool = False) -> str:
    """The partition botocore reports as ``client.meta.partition`` for ``region``.

    >>> partition_of("cn-north-1")
    'aws-cn'
    >>> partition_of("us-iso-east-1", use_dualstack=True)  # botocore falls back to aws
    'aws'

    botocore takes it from its legacy resolver, which also runs when ``endpoint_url`` is
    given; a FIPS pseudo-region counts as its real region. Invalid names raise
    ``EndpointResolutionError``.
    """
    found = _legacy_partition(normalize_region(region)[0], bool(use_dualstack))
    return "aws" if found is None else found[0].id


def _legacy_refusal(region: str, use_fips: bool, use_dualstack: bool) -> str | None:
    """botocore's EndpointVariantError message when its legacy resolver refuses, else None."""
    found = _legacy_partition(region, use_dualstack)
    if found is None:
        return None
    partition, endpoint = found
    if (use_fips, use_dualstack) in partition.variants or (
        endpoint,
        use_fips,
        use_dualstack,
    ) in partition.endpoint_variants:
        return None
    tags = ["dualstack"] * use_dualstack + ["fips"] * use_fips
    return (
        f"Unable to construct a modeled endpoint with the following variant(s) {tags}: "
        f"Endpoint does not exist for kms in region {region}"
    )


@functools.lru_cache(maxsize=128)
def _resolve(region: str, use_fips: bool, use_dualstack: bool) -> str:
    from trentclient._generated._endpoint_table import KMS_ENDPOINTS, KMS_ERRORS

    region, pseudo_fips = normalize_region(region)
    use_fips = use_fips or pseudo_fips
    if use_fips or use_dualstack:
        refusal = _legacy_refusal(region, use_fips, use_dualstack)
        if refusal is not None:
            raise EndpointResolutionError(refusal)
    key = (_partition_for(region).id, use_fips, use_dualstack)
    template = KMS_ENDPOINTS.get(key)
    if template is None:
        raise EndpointResolutionError(KMS_ERRORS[key].format(region=region))
    return template.format(region=region)


def resolve_endpoint(region: str, *, use_fips: bool = False, use_dualstack: bool = False) -> str:
    """The KMS endpoint URL for ``region``, as botocore resolves it; no trailing slash.

    >>> resolve_endpoint("us-east-1")
    'https://kms.us-east-1.amazonaws.com'
    >>> resolve_endpoint("cn-north-1", use_fips=True)
    'https://kms-fips.cn-north-1.amazonaws.com.cn'
    >>> resolve_endpoint("eu-west-1", use_dualstack=True)
    'https://kms.eu-west-1.api.aws'

    Raises ``EndpointResolutionError`` for a region name botocore refuses and for a
    FIPS/dual-stack combination the region's partition does not support. FIPS
    pseudo-regions (``us-east-1-fips``) resolve to the FIPS endpoint as in botocore; use
    :func:`normalize_region` for the region to sign with.
    """
    return _resolve(region, bool(use_fips), bool(use_dualstack))


# -- configured endpoint URLs -----------------------------------------------------------------


def endpoint_url_from_env(environ: Mapping[str, str]) -> str | None:
    """The endpoint URL configured in the environment, or ``None``.

    As botocore: ``AWS_ENDPOINT_URL_KMS``, then ``AWS_ENDPOINT_URL``; an empty value counts
    as unset; ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`` (any case) ignores both. (botocore
    also reads ``endpoint_url`` from the shared config file; that is not handled here.) The
    value is returned as found: pass it to :func:`normalize_endpoint_url`.
    """
    if environ.get(IGNORE_ENDPOINT_URLS_ENV_VAR, "").lower() == "true":
        return None
    for name in ENDPOINT_URL_ENV_VARS:
        value = environ.get(name)
        if value:
            return value
    return None


def _bad_url(url: str, why: str) -> EndpointResolutionError:
    return EndpointResolutionError(f"Invalid endpoint_url {url!r}: {why}")


def _is_valid_hostname(host: str) -> bool:
    # botocore.utils.is_valid_endpoint_url: dot-separated host labels, 255 characters at most,
    # one trailing dot allowed.
    if not host or len(host) > 255 or not _HOST_CHARS.issuperset(host):
        return False
    if host.endswith("."):
        host = host[:-1]
    return all(_is_host_label(label) for label in host.split("."))


def normalize_endpoint_url(url: str) -> str:
    """Check a user-given endpoint URL and return it, a bare trailing ``/`` dropped.

    Accepted: ``http`` or ``https`` (any case; returned lower-case), a host name (letters,
    digits, hyphens, dots: botocore's own check) or an IPv4 or bracketed IPv6 address, an
    optional port, an optional path. Refused, with ``EndpointResolutionError``: no scheme or
    another scheme (``localhost:4566``, ``ftp://...``), no host, a bad port, user info
    (``user:pass@host``: it would fight SigV4 for the ``Authorization`` header), whitespace
    or control characters, a query or a fragment. botocore accepts some of these (it keeps a
    query and a fragment in the URL, and only fails on other schemes or bad ports when it
    sends), but none of them gives a working KMS endpoint.

    The path is kept exactly, as botocore keeps it: ``http://proxy/kms`` sends to ``/kms``
    and ``http://proxy/kms/`` to ``/kms/``. Only a path of just ``/`` is dropped, so
    ``http://127.0.0.1:5000/`` gives ``http://127.0.0.1:5000``, the shape of
    :func:`resolve_endpoint`; requests to a URL without a path go to ``/``
    (see :func:`request_url`).
    """
    if not isinstance(url, str):
        raise EndpointResolutionError(f"endpoint_url must be a string, not {type(url).__name__}")
    if any(char in _UNSAFE_URL_CHARS or not char.isprintable() for char in url):
        raise _bad_url(url, "it contains whitespace or control characters")
    if "?" in url or "#" in url:
        raise _bad_url(url, "a query string or fragment is not allowed")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _bad_url(url, str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not url[len(scheme) :].startswith("://"):
        raise _bad_url(url, "it must start with http:// or https:// (e.g. http://localhost:4566)")
    if "@" in parts.netloc:
        raise _bad_url(url, "user info (user:password@) is not allowed")
    host = parts.hostname
    if not host:
        raise _bad_url(url, "it has no host")
    if parts.netloc.startswith("["):
        import ipaddress  # only for bracketed hosts: keeps the module's import cheap

        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise _bad_url(url, f"{host!r} is not a valid IPv6 address") from None
    elif not _is_valid_hostname(host):
        raise _bad_url(url, f"{host!r} is not a valid host name")
    if port is None and parts.netloc.endswith(":"):
        raise _bad_url(url, "the port is empty")
    path = "" if parts.path == "/" else parts.path
    return f"{scheme}://{parts.netloc}{path}"


def request_url(endpoint_url: str) -> str:
    """The URL requests are POSTed to: the endpoint, with ``/`` as the path when it has none."""
    return endpoint_url if urlsplit(endpoint_url).path else endpoint_url + "/"
