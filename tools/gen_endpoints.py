"""Generate ``trentclient/_generated/_endpoint_table.py`` from botocore's endpoint data.

botocore resolves a KMS endpoint by running a rules engine over two data files:
``partitions.json`` (which region belongs to which partition, and each partition's DNS
suffixes) and ``kms/2014-11-01/endpoint-rule-set-1.json``. trentclient does not ship a
rules engine: this generator evaluates the KMS ruleset once per partition and per
``(use_fips, use_dualstack)`` combination, with the region left as a placeholder, and writes
the outcomes (a URL template or an error message) as plain Python literals. Anything in the
ruleset that this symbolic evaluation cannot handle (a condition that looks at the region
itself, endpoint properties or headers, an unknown built-in parameter, ...) stops the
generator with an error, so a botocore upgrade can never silently produce a wrong table.

botocore also still runs its legacy resolver (``endpoints.json``) when it creates a client,
and that one refuses a FIPS or dual-stack variant that neither the region's KMS entry nor
the partition's defaults define (today: dual-stack in ``aws-iso-e`` and ``aws-iso-f``), even
where the ruleset has an endpoint. The table carries what is needed to refuse the same.

Usage::

    python tools/gen_endpoints.py          # writes trentclient/_generated/_endpoint_table.py

``render()`` returns the file texts without writing anything; importing this module has no
side effects (botocore is imported only when ``render()`` runs).
"""

from __future__ import annotations

import importlib
import json
import re
import string
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "TABLE_FILE",
    "Sources",
    "UnsupportedRuleset",
    "evaluate",
    "load_sources",
    "render",
    "render_table",
    "write",
]

#: The file this generator writes, relative to ``trentclient/_generated``.
TABLE_FILE = "_endpoint_table.py"

#: The placeholder the generated URL templates use for the region.
_REGION_FIELD = "{region}"

# botocore's EndpointRulesetResolver only treats a string as a template when this matches.
_TEMPLATE_RE = re.compile(r"\{[a-zA-Z#]+\}")
_GET_ATTR_RE = re.compile(r"(\w*)\[(\d+)\]")

_KNOWN_BUILTINS = {
    "AWS::Region": "Region",
    "AWS::UseFIPS": "UseFIPS",
    "AWS::UseDualStack": "UseDualStack",
    "SDK::Endpoint": "Endpoint",
}


class UnsupportedRuleset(Exception):
    """The KMS ruleset uses something the symbolic evaluation cannot turn into a table."""


class _Region:
    """Stands for the (unknown) region while the ruleset is evaluated."""

    def __repr__(self) -> str:
        return "<Region>"


_REGION = _Region()


class _Outcome(Exception):
    """Raised by an error rule; carries the message template."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- symbolic ruleset evaluation ---------------------------------------------------------------


class _Evaluator:
    """Evaluates an endpoint ruleset for one partition, with the region as a placeholder.

    Mirrors ``botocore.endpoint_provider``'s semantics: rules are tried in order, a tree
    rule whose conditions hold returns its first sub-rule result, a condition fails when its
    function returns ``None`` or ``False``, ``assign`` binds a result in a scope that is
    copied for every rule.
    """

    def __init__(self, partition_output: Mapping[str, Any]) -> None:
        self._partition = dict(partition_output)

    # values

    def value(self, arg: Any, scope: dict[str, Any]) -> Any:
        if isinstance(arg, dict) and "fn" in arg:
            return self.call(arg, scope)
        if isinstance(arg, dict) and "ref" in arg:
            return scope.get(arg["ref"])
        if isinstance(arg, str) and _TEMPLATE_RE.search(arg):
            return self.template(arg, scope)
        if isinstance(arg, str):
            return _escape(arg)
        return arg

    def template(self, text: str, scope: dict[str, Any]) -> str:
        """Resolve a ruleset template into a ``str.format`` template over ``{region}``."""
        out: list[str] = []
        for literal, field, spec, conversion in string.Formatter().parse(text):
            out.append(_escape(literal))
            if field is None:
                continue
            if spec or conversion:
                raise UnsupportedRuleset(f"template field with a format spec: {text!r}")
            value: Any = scope
            for part in field.split("#"):
                if not isinstance(value, dict) or part not in value:
                    raise UnsupportedRuleset(f"template {text!r}: cannot resolve {field!r}")
                value = value[part]
            if value is _REGION:
                out.append(_REGION_FIELD)
            elif isinstance(value, str):
                out.append(_escape(value))
            else:
                raise UnsupportedRuleset(f"template {text!r}: {field!r} is not a string")
        return "".join(out)

    # functions

    def call(self, fn: Mapping[str, Any], scope: dict[str, Any]) -> Any:
        name = fn["fn"]
        argv = fn["argv"]
        if name == "isValidHostLabel" and argv and argv[0] == {"ref": "Region"}:
            # trentclient refuses, before any lookup, every region that botocore's
            # validate_region_name() refuses and the empty string; what is left is always a
            # valid host label (one label: no dots), so for the region this check holds.
            result: Any = True
        else:
            args = [self.value(arg, scope) for arg in argv]
            if any(arg is _REGION for arg in args) and name not in ("aws.partition", "isSet"):
                raise UnsupportedRuleset(f"condition depends on the region's value: {fn!r}")
            result = self._apply(name, args, fn)
        if "assign" in fn:
            if fn["assign"] in scope:
                raise UnsupportedRuleset(f"assignment to existing name {fn['assign']!r}")
            scope[fn["assign"]] = result
        return result

    def _apply(self, name: str, args: list[Any], fn: Mapping[str, Any]) -> Any:
        if name == "isSet":
            return args[0] is not None
        if name == "not":
            return not args[0]
        if name == "booleanEquals":
            return args[0] is args[1]
        if name == "stringEquals":
            if not all(isinstance(a, str) for a in args):
                raise UnsupportedRuleset(f"stringEquals on non-strings: {fn!r}")
            return args[0] == args[1]
        if name == "getAttr":
            return _get_attr(args[0], args[1])
        if name == "aws.partition":
            if args[0] is not _REGION:
                raise UnsupportedRuleset(f"aws.partition of something else than Region: {fn!r}")
            return dict(self._partition)
        raise UnsupportedRuleset(f"unsupported ruleset function {name!r}: {fn!r}")

    # rules

    def conditions_hold(self, rule: Mapping[str, Any], scope: dict[str, Any]) -> bool:
        for condition in rule.get("conditions", []):
            result = self.call(condition, scope)
            if result is None or result is False:
                return False
        return True

    def rule(self, rule: Mapping[str, Any], scope: dict[str, Any]) -> str | None:
        """The endpoint URL template a rule gives, ``None`` when it does not apply.

        An error rule that applies raises ``_Outcome``.
        """
        if not self.conditions_hold(rule, scope):
            return None
        kind = rule["type"]
        if kind == "tree":
            for sub in rule["rules"]:
                found = self.rule(sub, dict(scope))
                if found is not None:
                    return found
            return None
        if kind == "error":
            message = self.value(rule["error"], scope)
            if not isinstance(message, str):
                raise UnsupportedRuleset(f"error message is not a string: {rule!r}")
            raise _Outcome(message)
        if kind == "endpoint":
            endpoint = rule["endpoint"]
            if endpoint.get("properties") or endpoint.get("headers"):
                raise UnsupportedRuleset(
                    f"endpoint with properties or headers is not supported: {endpoint!r}"
                )
            url = self.value(endpoint["url"], scope)
            if not isinstance(url, str):
                raise UnsupportedRuleset(f"endpoint URL is not a string: {endpoint!r}")
            return url
        raise UnsupportedRuleset(f"unknown rule type {kind!r}")


def _get_attr(value: Any, path: str) -> Any:
    # Same walk as botocore's RuleSetStandardLibrary.get_attr.
    for part in path.split("."):
        match = _GET_ATTR_RE.search(part)
        if match is not None:
            name, index = match.group(1), int(match.group(2))
            if name:
                value = value.get(name)
            if value is None or index >= len(value):
                return None
            return value[index]
        value = value[part]
    return value


def _escape(text: str) -> str:
    """Escape literal text for ``str.format``."""
    return text.replace("{", "{{").replace("}", "}}")


def _initial_scope(
    ruleset: Mapping[str, Any], use_fips: bool, use_dualstack: bool
) -> dict[str, Any]:
    given = {"Region": _REGION, "UseFIPS": use_fips, "UseDualStack": use_dualstack}
    scope: dict[str, Any] = {}
    for name, spec in ruleset["parameters"].items():
        builtin = spec.get("builtIn")
        if builtin is not None and _KNOWN_BUILTINS.get(builtin) != name:
            raise UnsupportedRuleset(f"unknown built-in parameter {name!r} ({builtin})")
        if name in given:
            scope[name] = given[name]
        elif "default" in spec:
            scope[name] = spec["default"]
        elif spec.get("required"):
            raise UnsupportedRuleset(f"required parameter {name!r} has no default")
        else:
            scope[name] = None  # Endpoint: trentclient handles endpoint_url itself
    missing = {"Region", "UseFIPS", "UseDualStack"} - set(ruleset["parameters"])
    if missing:
        raise UnsupportedRuleset(f"ruleset lacks parameters {sorted(missing)}")
    return scope


def evaluate(
    ruleset: Mapping[str, Any],
    partition_output: Mapping[str, Any],
    use_fips: bool,
    use_dualstack: bool,
) -> tuple[str | None, str | None]:
    """``(url_template, None)`` or ``(None, error_message)`` for one partition and flags."""
    evaluator = _Evaluator(partition_output)
    scope = _initial_scope(ruleset, use_fips, use_dualstack)
    try:
        for rule in ruleset["rules"]:
            found = evaluator.rule(rule, dict(scope))
            if found is not None:
                return found, None
    except _Outcome as outcome:
        return None, outcome.message
    # botocore's EndpointProvider raises this when no rule matched.
    lines = [
        f"{key}: {_REGION_FIELD if value is _REGION else _escape(str(value))}"
        for key, value in scope.items()
    ]
    return None, "No endpoint found for parameters:\n" + "\n".join(lines)


# -- loading botocore's data ------------------------------------------------------------------


class Sources(NamedTuple):
    """The botocore data the table is made from."""

    version: str
    partitions: dict[str, Any]
    ruleset: dict[str, Any]
    endpoints: dict[str, Any]
    #: botocore.regions.EndpointResolver._UNSUPPORTED_DUALSTACK_PARTITIONS (code, not data)
    unsupported_dualstack: tuple[str, ...]


def load_sources() -> Sources:
    """Read the installed botocore's data (botocore is imported here, not at module import)."""
    botocore = importlib.import_module("botocore")
    loaders = importlib.import_module("botocore.loaders")
    regions = importlib.import_module("botocore.regions")
    loader = loaders.create_loader()
    return Sources(
        version=str(botocore.__version__),
        partitions=loader.load_data("partitions"),
        ruleset=loader.load_service_model("kms", "endpoint-rule-set-1", api_version="2014-11-01"),
        endpoints=loader.load_data("endpoints"),
        unsupported_dualstack=tuple(
            getattr(regions.EndpointResolver, "_UNSUPPORTED_DUALSTACK_PARTITIONS", ())
        ),
    )


# -- rendering --------------------------------------------------------------------------------


def _lit(text: str) -> str:
    """A Python string literal for ``text``, double-quoted; raw when that reads better."""
    if (
        "\\" in text
        and '"' not in text
        and not text.endswith("\\")
        and text.isprintable()
        and text.isascii()
    ):
        return f'r"{text}"'
    return json.dumps(text, ensure_ascii=True)


_COMBOS = [(False, False), (False, True), (True, False), (True, True)]

_HEADER = """\
# Code generated by tools/gen_endpoints.py from botocore {version}. DO NOT EDIT.
\"\"\"KMS endpoint data: botocore's partitions and the KMS endpoint ruleset, pre-evaluated.

Read by ``trentclient/_endpoints.py``.

``PARTITIONS`` keeps the order of botocore's ``partitions.json``: a region belongs to the first
partition that lists it or whose ``region_regex`` matches it, else to the first partition.
``KMS_ENDPOINTS`` and ``KMS_ERRORS`` hold, for every ``(partition id, use_fips,
use_dualstack)``, what the KMS ruleset resolves to: a ``str.format`` template over
``{{region}}``, or an error message.

``LEGACY_PARTITIONS`` is what botocore's legacy resolver (``endpoints.json``) needs to decide
whether it refuses a FIPS or dual-stack variant; botocore runs it when it creates a client.
\"\"\"

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "BOTOCORE_VERSION",
    "KMS_ENDPOINTS",
    "KMS_ERRORS",
    "LEGACY_PARTITIONS",
    "PARTITIONS",
    "LegacyPartition",
    "Partition",
]

BOTOCORE_VERSION: Final = {version_literal}


class Partition(NamedTuple):
    \"\"\"One partition of ``partitions.json`` (its ``outputs``, flattened).\"\"\"

    id: str
    region_regex: str
    regions: frozenset[str]
    dns_suffix: str
    dual_stack_dns_suffix: str
    supports_fips: bool
    supports_dual_stack: bool
    implicit_global_region: str


class LegacyPartition(NamedTuple):
    \"\"\"One partition of ``endpoints.json``, as botocore's legacy resolver sees KMS in it.

    ``variants``: the ``(use_fips, use_dualstack)`` variants the KMS service or partition
    defaults define; ``endpoint_variants``: ``(name, use_fips, use_dualstack)`` for KMS
    endpoints that define a variant the defaults lack. ``skipped_for_dualstack``: botocore
    passes over this partition when dual-stack is on (and falls back to ``aws``).
    \"\"\"

    id: str
    region_regex: str | None
    regions: frozenset[str]
    kms_endpoints: frozenset[str]
    skipped_for_dualstack: bool
    variants: frozenset[tuple[bool, bool]]
    endpoint_variants: frozenset[tuple[str, bool, bool]]
"""


def render_table(sources: Sources) -> str:
    """The text of ``_endpoint_table.py`` for ``sources``."""
    lines = _HEADER.format(version=sources.version, version_literal=_lit(sources.version)).split(
        "\n"
    )
    lines += ["", "PARTITIONS: Final[tuple[Partition, ...]] = ("]
    endpoints: dict[tuple[str, bool, bool], str] = {}
    errors: dict[tuple[str, bool, bool], str] = {}
    seen: set[str] = set()
    for partition in sources.partitions["partitions"]:
        pid = partition["id"]
        if pid in seen:
            raise UnsupportedRuleset(f"partition {pid!r} listed twice in partitions.json")
        seen.add(pid)
        outputs = dict(partition["outputs"])
        outputs["name"] = pid  # as botocore's format_partition_output does
        lines += [
            "    Partition(",
            f"        id={_lit(pid)},",
            f"        region_regex={_lit(partition['regionRegex'])},",
            *_render_set("regions", partition["regions"]),
            f"        dns_suffix={_lit(outputs['dnsSuffix'])},",
            f"        dual_stack_dns_suffix={_lit(outputs['dualStackDnsSuffix'])},",
            f"        supports_fips={bool(outputs['supportsFIPS'])!r},",
            f"        supports_dual_stack={bool(outputs['supportsDualStack'])!r},",
            f"        implicit_global_region={_lit(outputs['implicitGlobalRegion'])},",
            "    ),",
        ]
        for use_fips, use_dualstack in _COMBOS:
            url, error = evaluate(sources.ruleset, outputs, use_fips, use_dualstack)
            key = (pid, use_fips, use_dualstack)
            if url is not None:
                _check_template(url)
                endpoints[key] = url
            else:
                assert error is not None
                _check_template(error)
                errors[key] = error
    lines += [")", ""]
    lines += [
        "#: ``(partition id, use_fips, use_dualstack)`` -> endpoint URL template.",
        *_render_dict("KMS_ENDPOINTS", endpoints),
        "",
        "#: ``(partition id, use_fips, use_dualstack)`` -> the ruleset's error message.",
        *_render_dict("KMS_ERRORS", errors),
        "",
        "#: In ``endpoints.json`` order, which the legacy lookup depends on.",
        "LEGACY_PARTITIONS: Final[tuple[LegacyPartition, ...]] = (",
        *_render_legacy(sources),
        ")",
        "",
    ]
    return "\n".join(lines)


def _variant_combos(variants: list[Mapping[str, Any]]) -> set[tuple[bool, bool]]:
    """``(fips, dualstack)`` for each variant botocore could pick for those two options."""
    combos = set()
    for variant in variants:
        tags = set(variant["tags"])
        if tags and tags <= {"fips", "dualstack"}:
            combos.add(("fips" in tags, "dualstack" in tags))
    return combos


def _render_legacy(sources: Sources) -> list[str]:
    # Mirrors botocore.regions.EndpointResolver.construct_endpoint for service "kms".
    lines: list[str] = []
    seen: set[str] = set()
    for partition in sources.endpoints["partitions"]:
        pid = partition["partition"]
        if pid in seen:
            raise UnsupportedRuleset(f"partition {pid!r} listed twice in endpoints.json")
        seen.add(pid)
        kms = partition["services"].get("kms", {"endpoints": {}})
        if "partitionEndpoint" in kms or "isRegionalized" in kms:
            raise UnsupportedRuleset(f"KMS in {pid!r} has a partition endpoint: not supported")
        defaults = _variant_combos(kms.get("defaults", {}).get("variants", []))
        defaults |= _variant_combos(partition.get("defaults", {}).get("variants", []))
        own = {
            (name, fips, dualstack)
            for name, entry in kms["endpoints"].items()
            for fips, dualstack in _variant_combos(entry.get("variants", []))
            if (fips, dualstack) not in defaults
        }
        regex = partition.get("regionRegex")
        lines += [
            "    LegacyPartition(",
            f"        id={_lit(pid)},",
            f"        region_regex={'None' if regex is None else _lit(regex)},",
            *_render_set("regions", partition["regions"]),
            *_render_set("kms_endpoints", kms["endpoints"]),
            f"        skipped_for_dualstack={pid in sources.unsupported_dualstack!r},",
            f"        variants=frozenset({{{', '.join(map(repr, sorted(defaults)))}}}),"
            if defaults
            else "        variants=frozenset(),",
            *_render_set("endpoint_variants", own, literal=repr),
            "    ),",
        ]
    return lines


def _render_set(name: str, items: Any, literal: Any = None) -> list[str]:
    """``name=frozenset({...}),`` one item a line, sorted; ``frozenset()`` when empty."""
    if not items:
        return [f"        {name}=frozenset(),"]
    render_item = literal or _lit
    return [
        f"        {name}=frozenset(",
        "            {",
        *(f"                {render_item(item)}," for item in sorted(items)),
        "            }",
        "        ),",
    ]


def _render_dict(name: str, entries: Mapping[tuple[str, bool, bool], str]) -> list[str]:
    head = f"{name}: Final[dict[tuple[str, bool, bool], str]] = {{"
    if not entries:
        return [head + "}"]
    body = [f"    {_key(key)}: {_lit(value)}," for key, value in sorted(entries.items())]
    return [head, *body, "}"]


def _key(key: tuple[str, bool, bool]) -> str:
    return f"({_lit(key[0])}, {key[1]!r}, {key[2]!r})"


def _check_template(template: str) -> None:
    """The runtime does ``template.format(region=...)``: make sure that is all it needs."""
    fields = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    if not fields <= {"region"}:
        raise UnsupportedRuleset(f"template has unexpected fields {sorted(fields)}: {template!r}")


def render() -> dict[str, str]:
    """``{path relative to trentclient/_generated: file text}`` for the endpoint table."""
    return {TABLE_FILE: render_table(load_sources())}


def _iter_targets(root: Path) -> Iterator[tuple[Path, str]]:
    for name, text in sorted(render().items()):
        yield root / "trentclient" / "_generated" / name, text


def write(root: Path | None = None) -> list[Path]:
    """Write the rendered files under ``root`` (the repository; default: this checkout)."""
    base = root if root is not None else Path(__file__).resolve().parent.parent
    written = []
    for path, text in _iter_targets(base):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main() -> int:
    for path in write():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
