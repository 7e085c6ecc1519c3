"""Summaries, the Markdown report and the chart, from the raw measurements of ``run.py``."""

# The report is for people: it writes typographic signs (times, en dash, minus) on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import datetime as _dt
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.contenders import CONTENDERS

__all__ = ["TARGETS", "machine_info", "markdown", "summarize", "write_chart"]

ROOT = Path(__file__).resolve().parent.parent
TC, TCA = "trentclient.Client", "trentclient.AsyncClient"
LEVELS = ("1", "8", "64")
PACKAGES = (
    "httpx",
    "httpcore",
    "anyio",
    "h11",
    "attrs",
    "boto3",
    "botocore",
    "aiobotocore",
    "aiohttp",
    "httpx-aiohttp",
    "matplotlib",
)


# -- statistics ------------------------------------------------------------------------------


def stat(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def _paired_minus(values: Sequence[float], base: Sequence[float]) -> list[float]:
    return [v - b for v, b in zip(values, base, strict=False)]


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    """Medians and spreads of everything measured, keyed like the report's tables."""
    s: dict[str, Any] = {
        "import": {},
        "cold": {},
        "cold_irsa": {},
        "construct": {},
        "seq": {},
        "async": {},
    }
    base = results["import"].get("(baseline)", [])
    for label, walls in results["import"].items():
        if label == "(baseline)":
            continue
        s["import"][label] = {
            "ms": stat([v * 1e3 for v in _paired_minus(walls, base)]),
            "in_process_ms": stat([v * 1e3 for v in results["import_in_process"][label]]),
        }
    base = results["cold"].get("(baseline)", [])  # the same `pass` script for both
    for kind in ("cold", "cold_irsa"):
        for label, walls in results.get(kind, {}).items():
            if label == "(baseline)":
                continue
            parts = results[f"{kind}_parts"][label]
            s[kind][label] = {
                "ms": stat([v * 1e3 for v in _paired_minus(walls, base)]),
                "import_ms": stat([p["import_s"] * 1e3 for p in parts]),
                "construct_ms": stat([p["construct_s"] * 1e3 for p in parts]),
                "call_ms": stat([p["call_s"] * 1e3 for p in parts]),
                "in_process_ms": stat([p["in_process_s"] * 1e3 for p in parts]),
                "botocore_imported": any(p.get("botocore_imported") for p in parts),
                "sts_requests": sorted({p["sts_requests"] for p in parts if "sts_requests" in p}),
            }
    for name, rounds in results["clients"].items():
        built = [r["construct"] for r in rounds if "construct" in r]
        if built:
            s["construct"][name] = {
                "first_ms": stat([b["first_s"] * 1e3 for b in built]),
                "repeat_us": stat([b["repeat_s"] * 1e6 for b in built]),
            }
        seq = [r["sequential"] for r in rounds if "sequential" in r]
        if seq:
            s["seq"][name] = {
                "wall_us": stat([q["wall_us_per_call"] for q in seq]),
                "cpu_us": stat([q["cpu_us_per_call"] for q in seq]),
                "server_busy": max(q["server_busy"] for q in seq),
            }
        runs = [r["async"] for r in rounds if "async" in r]
        if runs:
            s["async"][name] = {
                level: {
                    "rps": stat([run[level]["calls_per_s"] for run in runs if level in run]),
                    "cpu_us": stat([run[level]["cpu_us_per_call"] for run in runs if level in run]),
                    "server_busy": max(run[level]["server_busy"] for run in runs if level in run),
                }
                for level in LEVELS
                if any(level in run for run in runs)
            }
    for name, rounds in results["clients"].items():
        threaded = [r["threads"] for r in rounds if "threads" in r]
        if threaded:
            s.setdefault("threads", {})[name] = {
                "rps": stat([q["calls_per_s"] for q in threaded]),
                "cpu_us": stat([q["cpu_us_per_call"] for q in threaded]),
                "server_busy": max(q["server_busy"] for q in threaded),
            }
    base_rss = [p.get("rss_kb") for p in results["cold_parts"].get("(baseline)", [])]
    for label, parts in results["cold_parts"].items():
        if label == "(baseline)":
            continue
        rss = [p.get("rss_kb") for p in parts]
        pairs = [(v, b) for v, b in zip(rss, base_rss, strict=False) if v and b]
        if pairs:
            s.setdefault("rss", {})[label] = {
                "mb": stat([(v - b) / 1024 for v, b in pairs]),
                "total_mb": stat([v / 1024 for v, _ in pairs]),
            }
    s["sizes"] = results.get("sizes") or {}
    s["signing"] = {name: stat(values) for name, values in results["signing"].items()}
    server: dict[str, Any] = {}
    for depth in (1, 16):
        loads = [x for x in results["server"] if x["depth"] == depth]
        if loads:
            server[str(depth)] = {
                "rps": stat([x["rps"] for x in loads]),
                "cpu_us": stat([x["server_cpu_us_per_request"] for x in loads]),
                "busy": max(x["server_busy"] for x in loads),
            }
    s["server"] = server
    s["targets"] = _targets(s, results)
    return s


def _pick(s: dict[str, Any], path: Sequence[str]) -> dict[str, float] | None:
    node: Any = s
    for key in path:
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return None
        node = node[key]
    return node  # type: ignore[no-any-return]


def _raw_pairs(results: dict[str, Any], target: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Per-round values of a ratio's two sides (paired by round), for the ratio's spread."""
    kind = target["kind"]
    if kind in ("import", "cold", "cold_irsa"):
        kind_b = target.get("kind_b", kind)
        base = results["import" if kind == "import" else "cold"].get("(baseline)", [])
        a = _paired_minus(results.get(kind, {}).get(target["a"], []), base)
        b = _paired_minus(results.get(kind_b, {}).get(target["b"], []), base)
        return a, b
    if kind == "seq_cpu":
        a = [r["sequential"]["cpu_us_per_call"] for r in results["clients"].get(target["a"], [])]
        b = [r["sequential"]["cpu_us_per_call"] for r in results["clients"].get(target["b"], [])]
        return a, b
    if kind in ("async1", "async64"):
        level = kind.removeprefix("async")
        a = [r["async"][level]["calls_per_s"] for r in results["clients"].get(target["a"], [])]
        b = [r["async"][level]["calls_per_s"] for r in results["clients"].get(target["b"], [])]
        return a, b
    return [], []


TARGETS: list[dict[str, Any]] = [
    {
        "text": "import trentclient ≤ 0.7 × import boto3",
        "kind": "import",
        "a": "trentclient",
        "b": "boto3",
        "path": ("import", "{}", "ms"),
        "op": "le",
        "limit": 0.7,
    },
    {
        "text": "import trentclient ≤ 1.25 × import httpx",
        "kind": "import",
        "a": "trentclient",
        "b": "httpx",
        "path": ("import", "{}", "ms"),
        "op": "le",
        "limit": 1.25,
    },
    {
        "text": "import + construct + first call ≤ 0.4 × boto3",
        "kind": "cold",
        "a": TC,
        "b": "boto3",
        "path": ("cold", "{}", "ms"),
        "op": "le",
        "limit": 0.4,
    },
    {
        "text": "IRSA (web identity): import + construct + first call ≤ 0.4 × boto3 (IRSA)",
        "kind": "cold_irsa",
        "a": TC,
        "b": "boto3",
        "path": ("cold_irsa", "{}", "ms"),
        "op": "le",
        "limit": 0.4,
    },
    {
        "text": "IRSA cold start ≤ 1.10 × static-key cold start (trentclient.Client)",
        "kind": "cold_irsa",
        "kind_b": "cold",
        "a": TC,
        "b": TC,
        "path": ("cold_irsa", "{}", "ms"),
        "path_b": ("cold", "{}", "ms"),
        "op": "le",
        "limit": 1.10,
    },
    # Issue 14's targets (they replace the looser ones of the first benchmarks issue).
    {
        "text": "AsyncClient: import + construct + first call ≤ 0.45 × aiobotocore",
        "kind": "cold",
        "a": TCA,
        "b": "aiobotocore",
        "path": ("cold", "{}", "ms"),
        "op": "le",
        "limit": 0.45,
    },
    {
        "text": "sequential CPU per call ≤ 0.45 × boto3",
        "kind": "seq_cpu",
        "a": TC,
        "b": "boto3",
        "path": ("seq", "{}", "cpu_us"),
        "op": "le",
        "limit": 0.45,
    },
    {
        "text": "sequential CPU per call ≤ 0.80 × raw httpx (pre-signed)",
        "kind": "seq_cpu",
        "a": TC,
        "b": "raw httpx (sync)",
        "path": ("seq", "{}", "cpu_us"),
        "op": "le",
        "limit": 0.80,
    },
    {
        "text": "async, 64 in flight: throughput ≥ 3.0 × aiobotocore",
        "kind": "async64",
        "a": TCA,
        "b": "aiobotocore",
        "path": ("async", "{}", "64", "rps"),
        "op": "ge",
        "limit": 3.0,
    },
    {
        "text": "async, 64 in flight: throughput ≥ 0.60 × raw aiohttp (pre-signed)",
        "kind": "async64",
        "a": TCA,
        "b": "raw aiohttp",
        "path": ("async", "{}", "64", "rps"),
        "op": "ge",
        "limit": 0.60,
    },
    {
        "text": "async, 1 in flight: throughput ≥ 1.8 × aiobotocore",
        "kind": "async1",
        "a": TCA,
        "b": "aiobotocore",
        "path": ("async", "{}", "1", "rps"),
        "op": "ge",
        "limit": 1.8,
    },
    {
        "text": "signing one request (SigV4Auth.sign) ≤ 15 µs",
        "kind": "absolute",
        "a": "trentclient SigV4Auth.sign",
        "path": ("signing", "{}"),
        "op": "le",
        "limit": 15.0,
    },
    {
        "text": "build_request (validate + serialize + sign) ≤ 30 µs",
        "kind": "absolute",
        "a": "trentclient build_request (validate+serialize+build+sign)",
        "path": ("signing", "{}"),
        "op": "le",
        "limit": 30.0,
    },
]


def _targets(s: dict[str, Any], results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for t in TARGETS:
        path_a = [p.format(t["a"]) for p in t["path"]]
        a = _pick(s, path_a)
        row: dict[str, Any] = {"text": t["text"], "limit": t["limit"], "op": t["op"]}
        if t["kind"] == "absolute":
            if a is None:
                row["status"] = "n/a"
            else:
                row["value"] = a["median"]
                row["spread"] = (a["min"], a["max"])
                ok = a["median"] <= t["limit"] if t["op"] == "le" else a["median"] >= t["limit"]
                row["status"] = "pass" if ok else "fail"
            rows.append(row)
            continue
        b = _pick(s, [p.format(t["b"]) for p in t.get("path_b", t["path"])])
        if a is None or b is None or not b["median"]:
            row["status"] = "n/a"
            rows.append(row)
            continue
        ratio = a["median"] / b["median"]
        ra, rb = _raw_pairs(results, t)
        per_round = [x / y for x, y in zip(ra, rb, strict=False) if y]
        row.update(
            value=ratio,
            a=a["median"],
            b=b["median"],
            spread=(min(per_round), max(per_round)) if per_round else None,
        )
        ok = ratio <= t["limit"] if t["op"] == "le" else ratio >= t["limit"]
        row["status"] = "pass" if ok else "fail"
        rows.append(row)
    return rows


# -- machine ---------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    # `import httpx` also imports its command line's dependencies when click is installed
    # (test tools bring it): that changes every httpx-based figure, so the report says so.
    import importlib.util

    extras = [n for n in ("click", "pygments", "rich") if importlib.util.find_spec(n) is not None]
    distributions = len({d.metadata["Name"] for d in metadata.distributions()})
    commit = ""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "trentclient"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        if commit and dirty:
            commit += " (trentclient/ has uncommitted changes)"
    except (OSError, subprocess.SubprocessError):
        pass
    from trentclient import __version__

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory": mem,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "trentclient": __version__,
        "commit": commit,
        "packages": versions,
        "httpx_cli_deps": extras,
        "distributions": distributions,
        "venv": os.path.basename(sys.prefix),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# -- Markdown --------------------------------------------------------------------------------


def _environment_line(m: dict[str, Any]) -> str:
    if "distributions" not in m:  # results from before this was recorded
        return "- Environment: not recorded"
    where = f"- Environment: `{m['venv']}`, {m['distributions']} distributions installed; "
    deps = m.get("httpx_cli_deps") or []
    if deps:
        return where + (
            f"{', '.join(deps)} installed, so `import httpx` also imports its command line's "
            "dependencies (about 10 ms on every httpx-based figure; `python3 tools/dev.py bench` "
            "runs in a venv without them)"
        )
    return where + "no click/pygments/rich, as in a service's deployment (`tools/dev.py bench`)"


def _fmt(x: float) -> str:
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _cell(st: dict[str, float] | None) -> str:
    if st is None:
        return "–"
    if st["n"] == 1:
        return _fmt(st["median"])
    return f"{_fmt(st['median'])} ({_fmt(st['min'])}–{_fmt(st['max'])})"


def _ratio(a: dict[str, float] | None, b: dict[str, float] | None) -> str:
    if a is None or b is None or not b["median"]:
        return "–"
    return f"{a['median'] / b['median']:.2f}×"


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def markdown(
    results: dict[str, Any], s: dict[str, Any], chart_path: str, chart_note: str | None
) -> str:
    m = results["machine"]
    st = results["settings"]
    lines: list[str] = ["# trentclient benchmarks", ""]
    if st["smoke"]:
        lines += [
            "> **Smoke run** (tiny iteration counts): these numbers only show that the harness "
            "works. Run `python3 tools/dev.py bench` for real figures.",
            "",
        ]
    lines += [
        "Produced by `python3 tools/dev.py bench` (`python -m benchmarks` in `.venv-bench`; see "
        "`benchmarks/run.py`). Every figure is the "
        f"median of {st['rounds']} runs, with the min–max over those runs in parentheses; in "
        "each run every contender is measured once, in a rotated order"
        + (
            f" (the cold starts {st['cold_repeat']} times: their figures are over "
            f"{st['rounds'] * st['cold_repeat']} starts)"
            if st.get("cold_repeat", 1) > 1
            else ""
        )
        + ". Ratios are "
        "trentclient's median ÷ the other's median; for the targets the min–max of the "
        "per-run (paired) ratios is shown too.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['memory']} RAM",
        f"- OS: {m['os']}",
        f"- Python: {m['python']}",
        f"- trentclient {m['trentclient']}" + (f" at {m['commit']}" if m["commit"] else ""),
        "- Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        _environment_line(m),
        f"- Date: {m['date']}; the whole run took {results['elapsed_s']:.0f} s",
    ]
    loads = results.get("loadavg") or []
    foreign = results.get("foreign_load") or []
    if loads:
        lines.append(
            f"- Load average (1 min) at each round's start and at the end: "
            f"{min(loads):.2f}–{max(loads):.2f} on {m['usable_cores']} usable cores"
        )
    if foreign:
        lines.append(
            "- Other work on the machine (all busy CPU minus this harness's processes and the "
            f"fake KMS and STS, per round): {min(foreign):.0%}–{max(foreign):.0%} of all cores"
        )
    busy = (
        max(foreign) > 0.10
        if foreign
        else bool(loads) and max(loads) > 0.75 * max(1, m["usable_cores"] or 1) + 1
    )
    if busy:
        lines += [
            "",
            "> **The machine was busy with other work during this run**: absolute figures "
            "are inflated and spreads wide; the ratios (contenders interleaved in every "
            "round) suffer less.",
        ]
    lines += ["", "## Targets", ""]
    rows = []
    for t in s["targets"]:
        mark = {"pass": "✅", "fail": "❌"}.get(t["status"], "n/a")
        limit = ("≤ " if t["op"] == "le" else "≥ ") + (
            f"{t['limit']} µs" if "µs" in t["text"] and "×" not in t["text"] else f"{t['limit']}×"
        )
        if "value" not in t:
            rows.append([t["text"], "–", limit, "–", mark])
            continue
        if "µs" in t["text"] and "×" not in t["text"]:
            measured = f"{t['value']:.1f} µs"
        else:
            measured = f"{t['value']:.3f}× ({_fmt(t['a'])} vs {_fmt(t['b'])})"
        spread = t.get("spread")
        spread_text = (
            "–"
            if spread is None
            else (
                f"{spread[0]:.1f}–{spread[1]:.1f} µs"
                if "×" not in limit
                else f"{spread[0]:.2f}–{spread[1]:.2f}×"
            )
        )
        rows.append([t["text"], measured, limit, spread_text, mark])
    lines += _table(["target", "measured (median)", "limit", "per-run spread", ""], rows)
    lines += [
        "",
        f"![trentclient vs boto3, aiobotocore, httpx and aiohttp]({Path(chart_path).name})"
        if chart_note is None
        else f"_Chart: {chart_note}._",
        "",
    ]

    # Import.
    lines += [
        "## Import time (fresh interpreter)",
        "",
        'Wall time of `python -c "import X"` minus the same script without the import, in ms; '
        "bytecode caches warm (see Method). In-process: `perf_counter` around the import alone.",
        "",
    ]
    tc = s["import"].get("trentclient", {}).get("ms")
    rows = [
        [
            f"`import {label}`" if label != "aiobotocore" else "`import aiobotocore.session`",
            _cell(v["ms"]),
            _cell(v["in_process_ms"]),
            _ratio(tc, v["ms"]),
        ]
        for label, v in s["import"].items()
    ]
    lines += _table(["import", "ms (wall − baseline)", "ms in-process", "trentclient ÷ this"], rows)

    # Cold start.
    lines += [
        "",
        "## Import + construct + first call (fresh interpreter)",
        "",
        "Wall time of a fresh `python -c` that imports, builds one client and makes one "
        "`EnableKeyRotation` call, minus the same script doing nothing, in ms; then the three "
        "parts timed in-process. The raw contenders send pre-signed bytes. aiobotocore's client "
        "and aiohttp's session are made inside the running loop, so their construction is "
        "counted in the first call.",
        "",
    ]
    tc = s["cold"].get(TC, {}).get("ms")
    rows = [
        [
            name,
            _cell(v["ms"]),
            _cell(v["import_ms"]),
            _cell(v["construct_ms"]),
            _cell(v["call_ms"]),
            _ratio(tc, v["ms"]),
        ]
        for name, v in s["cold"].items()
    ]
    lines += _table(
        [
            "contender",
            "ms (wall − baseline)",
            "import ms",
            "construct ms",
            "first call ms",
            "trentclient.Client ÷ this",
        ],
        rows,
    )

    # Cold start on the IRSA path.
    lines += [
        "",
        "## IRSA (EKS web identity): import + construct + first call (fresh interpreter)",
        "",
        "The same measurement with no keys given: the child's environment is an EKS pod's "
        "with IRSA (`AWS_WEB_IDENTITY_TOKEN_FILE` naming a ~1 KB JWT in a temporary "
        "directory, `AWS_ROLE_ARN`, no `AWS_ACCESS_KEY_ID`) plus `AWS_ENDPOINT_URL_STS` "
        "pointing at a fake STS on 127.0.0.1, so the first call first sends STS "
        "`AssumeRoleWithWebIdentity` (unsigned, form body, an XML answer with credentials an "
        "hour ahead), then signs `EnableKeyRotation` with those credentials. Run in the same "
        "rounds and rotation as the static-key figures above, minus the same baseline. After "
        "the timed parts each child asserts it signed with the fake STS's access key (and, for "
        "trentclient, that `botocore` is not in `sys.modules`); the harness checks that the "
        "fake STS saw exactly one unsigned `AssumeRoleWithWebIdentity` per start.",
        "",
    ]
    tc_irsa = s["cold_irsa"].get(TC, {}).get("ms")
    rows = []
    for name, v in s["cold_irsa"].items():
        static = s["cold"].get(name, {}).get("ms")
        requests = v.get("sts_requests") or []
        rows.append(
            [
                name,
                _cell(v["ms"]),
                _cell(v["import_ms"]),
                _cell(v["construct_ms"]),
                _cell(v["call_ms"]),
                _ratio(v["ms"], static),
                _ratio(tc_irsa, v["ms"]),
                "–".join(str(n) for n in requests) if requests else "–",
                "yes" if v.get("botocore_imported") else "no",
            ]
        )
    lines += _table(
        [
            "contender",
            "ms (wall − baseline)",
            "import ms",
            "construct ms",
            "first call ms (STS + KMS)",
            "÷ its static-key cold start",
            "trentclient.Client ÷ this",
            "STS requests per start",
            "botocore imported",
        ],
        rows,
    )

    # Memory.
    lines += [
        "",
        "## Memory after import + construct + first call (fresh interpreter)",
        "",
        "Resident set size (`/proc/self/statm`) at the end of each cold start above, minus "
        "the bare interpreter's (the baseline script, same round), in MB; then the whole RSS.",
        "",
    ]
    rss = s.get("rss", {})
    tc = rss.get(TC, {}).get("mb")
    rows = [
        [name, _cell(v["mb"]), _cell(v["total_mb"]), _ratio(tc, v["mb"])] for name, v in rss.items()
    ]
    lines += _table(
        ["contender", "MB above a bare interpreter", "RSS MB", "trentclient.Client ÷ this"],
        rows,
    )

    # Installed size.
    lines += [
        "",
        "## Installed size (dependency closure)",
        "",
        "The distribution and everything its requirements pull in, as installed here "
        "(`benchmarks/sizes.py`: each `RECORD`'s files, bytecode caches left out; the "
        "checkout's editable trentclient: its package directory), in MB.",
        "",
    ]
    sizes = s.get("sizes", {})
    tc_size = (sizes.get("trentclient") or {}).get("bytes")
    rows = []
    for label, v in sizes.items():
        if v is None:
            rows.append([label, "not installed", "–", "–", "–"])
            continue
        packages = ", ".join(
            f"{name} {size / 1e6:.2f}"
            for name, size in sorted(v["packages"].items(), key=lambda kv: -kv[1])
        )
        ratio = f"{tc_size / v['bytes']:.2f}×" if tc_size and v["bytes"] else "–"
        rows.append([label, f"{v['bytes'] / 1e6:.1f}", str(len(v["packages"])), ratio, packages])
    lines += _table(
        ["closure", "MB", "distributions", "trentclient ÷ this", "MB each"],
        rows,
    )

    # Construction.
    lines += [
        "",
        "## Client construction after import",
        "",
        "In a process that has imported the library: the first construction (lazy loading "
        "included: boto3 reads its JSON models here), then the median of "
        f"{st['construct']} more. Closing the client is included. aiobotocore and aiohttp: "
        "entering and leaving `async with`.",
        "",
    ]
    tc = s["construct"].get(TC, {}).get("repeat_us")
    rows = [
        [name, _cell(v["first_ms"]), _cell(v["repeat_us"]), _ratio(tc, v["repeat_us"])]
        for name, v in s["construct"].items()
    ]
    lines += _table(["contender", "first, ms", "again, µs", "trentclient.Client ÷ this"], rows)

    # Sequential.
    lines += [
        "",
        "## Sequential `EnableKeyRotation` (sync)",
        "",
        f"{st['seq_calls']} calls one after another on one keep-alive connection, after a "
        "warm-up. CPU is this process's `process_time` (the fake KMS's CPU is not counted).",
        "",
    ]
    tc_seq = s["seq"].get(TC, {})
    rows = [
        [
            name,
            _cell(v["wall_us"]),
            _cell(v["cpu_us"]),
            f"{1e6 / v['wall_us']['median']:,.0f}",
            _ratio(tc_seq.get("cpu_us"), v["cpu_us"]),
            f"{v['server_busy']:.0%}",
        ]
        for name, v in s["seq"].items()
    ]
    lines += _table(
        [
            "contender",
            "wall µs/call",
            "CPU µs/call",
            "calls/s",
            "CPU: trentclient ÷ this",
            "fake KMS busy (max)",
        ],
        rows,
    )

    # Threads.
    threads = st.get("threads", 8)
    lines += [
        "",
        f"## Sync throughput, {threads} threads sharing one client",
        "",
        f"{st.get('thread_calls', 0)} calls split over {threads} threads calling one shared "
        "client in a loop, after a warm-up call in each; every client keeps its default pool "
        "(trentclient and boto3: 10 connections; raw httpx: 100). CPU is this process's.",
        "",
    ]
    shared = s.get("threads", {})
    tc_threads = shared.get(TC, {})
    rows = [
        [
            name,
            _cell(v["rps"]),
            _cell(v["cpu_us"]),
            _ratio(v["rps"], tc_threads.get("rps")),
            _ratio(tc_threads.get("cpu_us"), v["cpu_us"]),
            f"{v['server_busy']:.0%}",
        ]
        for name, v in shared.items()
    ]
    lines += _table(
        [
            "contender",
            "calls/s",
            "CPU µs/call",
            "calls/s: this ÷ trentclient",
            "CPU: trentclient ÷ this",
            "fake KMS busy (max)",
        ],
        rows,
    )

    # Async.
    lines += [
        "",
        "## Async throughput (calls in flight)",
        "",
        "Calls per second with 1, 8 and 64 coroutines each calling in a loop "
        f"({', '.join(f'{v} calls at {k}' for k, v in st['async_calls'].items())}); every "
        "client's pool is sized to the concurrency. Rows marked *experiment* are "
        "`trentclient.AsyncClient(http_client=httpx.AsyncClient(transport=...))` over aiohttp.",
        "",
    ]
    tca = s["async"].get(TCA, {})
    rows = []
    experiments = {x.name for x in CONTENDERS if x.experiment}
    for name, v in s["async"].items():
        label = name + (" *(experiment)*" if name in experiments else "")
        rows.append(
            [label]
            + [_cell(v.get(level, {}).get("rps")) for level in LEVELS]
            + [_cell(v.get("1", {}).get("cpu_us")), _cell(v.get("64", {}).get("cpu_us"))]
            + [_ratio(tca.get("64", {}).get("rps"), v.get("64", {}).get("rps"))]
            + [f"{v['64']['server_busy']:.0%}" if "64" in v else "–"]
        )
    lines += _table(
        [
            "contender",
            "calls/s @1",
            "calls/s @8",
            "calls/s @64",
            "CPU µs/call @1",
            "CPU µs/call @64",
            "@64: trentclient.AsyncClient ÷ this",
            "fake KMS busy @64 (max)",
        ],
        rows,
    )

    # Signing.
    lines += [
        "",
        "## Signing alone",
        "",
        "µs per request (timeit, median of the runs' medians): one `EnableKeyRotation` POST with "
        "the same headers and body for both signers, the clock read each time.",
        "",
    ]
    boto = s["signing"].get("botocore SigV4Auth.add_auth")
    rows = [[f"`{name}`", _cell(v), _ratio(v, boto)] for name, v in s["signing"].items()]
    lines += _table(["signer", "µs per request", "÷ botocore add_auth"], rows)

    # Server.
    lines += [
        "",
        "## The fake KMS's own ceiling",
        "",
        "A raw-socket client (no HTTP library) over 64 keep-alive connections, one request in "
        "flight per connection, then 16 pipelined; the server's CPU per request is its own "
        "`process_time` (from `GET /__stats`). The client side is Python too, so the rate is a "
        "floor of the server's ceiling; the CPU per request gives the ceiling of one core.",
        "",
    ]
    rows = []
    for depth, v in s["server"].items():
        rows.append(
            [
                f"64 connections, {depth} in flight each",
                _cell(v["rps"]),
                _cell(v["cpu_us"]),
                f"{1e6 / v['cpu_us']['median']:,.0f}",
                f"{v['busy']:.0%}",
            ]
        )
    lines += _table(
        [
            "load",
            "requests/s",
            "server CPU µs/request",
            "one-core ceiling, req/s",
            "server busy (max)",
        ],
        rows,
    )
    lines += [
        "",
        'The "fake KMS busy" columns above show how much of one core the server used during '
        "each contender's run: well below 100% means the client, not the server, was the limit.",
    ]

    # Missing / errors.
    if results["missing"]:
        lines += ["", "## Not installed (skipped)", ""]
        lines += [f"- {name}: needs {', '.join(mods)}" for name, mods in results["missing"].items()]
    if results["errors"]:
        lines += ["", "## Errors", ""]
        lines += [f"- {key}: `{text}`" for key, text in results["errors"].items()]

    passes = st.get("cold_repeat", 1)
    lines += [
        "",
        "## Method",
        "",
        "- The fake KMS (`benchmarks/fakekms.py`) is an `asyncio.Protocol` HTTP/1.1 server in its "
        "own process on 127.0.0.1 (free port, keep-alive, pipelining), answering every POST with "
        "`200`, `Content-Type: application/x-amz-json-1.1`, an `x-amzn-RequestId` and `{}`. It "
        "exits when its parent does, on SIGTERM, or after a time limit.",
        "- Every measurement runs in a fresh interpreter: imports and cold starts as `python -c`, "
        "the rest in `python -m benchmarks.worker`, one process per contender per round.",
        "- Bytecode caches: this environment may set `PYTHONDONTWRITEBYTECODE=1`; the harness "
        "removes it for its children and runs every import and cold-start script once before "
        "the first round, so the `.pyc` files of everything imported exist before timing.",
        "- No AWS settings leak in: children get no `AWS_*` variables except empty config and "
        "credentials file paths and `AWS_EC2_METADATA_DISABLED=true`; credentials are explicit, "
        "except on the IRSA path, whose children also get `AWS_WEB_IDENTITY_TOKEN_FILE`, "
        "`AWS_ROLE_ARN` and `AWS_ENDPOINT_URL_STS`.",
        "- The fake STS (`benchmarks/fakests.py`) is an asyncio HTTP/1.1 server in its own "
        "process on 127.0.0.1 with the same lifetime rules, answering a form-encoded "
        "`AssumeRoleWithWebIdentity` with STS's XML (`Credentials` with a ~1 KB session token "
        "and an `Expiration` an hour ahead, `AssumedRoleUser`, `ResponseMetadata`), anything "
        "else with STS's `ErrorResponse`; it counts what it answered (`GET /__stats`).",
        "- Call: `enable_key_rotation(KeyId=..., RotationPeriodInDays=180)`. boto3 and aiobotocore "
        "keep their default retry settings. The raw httpx and aiohttp contenders resend the "
        "bytes of one request signed once by `trentclient.SigV4Auth` (no signing per call).",
        f"- Settings: {st['rounds']} rounds ({passes} cold-start "
        f"pass{'es' if passes != 1 else ''} in each), {st['seq_calls']} sequential calls, "
        f"{st.get('thread_calls', 0)} calls over {st.get('threads', 8)} threads, "
        f"{st['async_calls']} async calls per level, {st['construct']} constructions, "
        f"{st['sign_number']} signatures per timing.",
        "",
    ]
    return "\n".join(lines)


# -- chart -----------------------------------------------------------------------------------


def write_chart(s: dict[str, Any], path: str) -> str | None:
    """Draw the chart; return None, or a note saying why there is none."""
    try:
        import matplotlib
    except ImportError:
        return "not drawn: matplotlib is not installed"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def color(name: str) -> str:
        if "trentclient" in name and (" + " in name or "build_request" in name):
            return "#8fb8de"
        if "trentclient" in name:
            return "#3d7cc9" if "(IRSA)" in name else "#1f5fa8"
        if "boto" in name:
            return "#f0ae62" if "(IRSA)" in name else "#e08a2c"
        return "#9a9a9a"

    def bars(
        ax: Any,
        title: str,
        unit: str,
        items: list[tuple[str, dict[str, float] | None]],
        log: bool = False,
    ) -> None:
        items = [(n, v) for n, v in items if v is not None]
        if not items:
            ax.set_visible(False)
            return
        names = [n for n, _ in items]
        med = [v["median"] for _, v in items]
        lo = [v["median"] - v["min"] for _, v in items]
        hi = [v["max"] - v["median"] for _, v in items]
        ypos = list(range(len(items)))[::-1]
        ax.barh(
            ypos,
            med,
            xerr=[lo, hi],
            color=[color(n) for n in names],
            capsize=2,
            error_kw={"elinewidth": 0.8},
        )
        ax.set_yticks(ypos, names, fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(unit, fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        if log:
            ax.set_xscale("log")
        for y, (_, v) in zip(ypos, items, strict=True):
            ax.text(v["max"], y, f"  {_fmt(v['median'])}", va="center", fontsize=7)
        ax.margins(x=0.25)

    fig, axes = plt.subplots(2, 3, figsize=(16, 8.5))
    bars(
        axes[0][0],
        "import time (lower is better)",
        "ms",
        [(f"import {k}", v["ms"]) for k, v in s["import"].items()],
    )
    cold_items: list[tuple[str, dict[str, float] | None]] = []
    for k, v in s["cold"].items():
        cold_items.append((k, v["ms"]))
        if k in s.get("cold_irsa", {}):
            cold_items.append((f"{k} (IRSA)", s["cold_irsa"][k]["ms"]))
    cold_items += [
        (f"{k} (IRSA)", v["ms"]) for k, v in s.get("cold_irsa", {}).items() if k not in s["cold"]
    ]
    bars(
        axes[0][1],
        "import + construct + first call, static keys / IRSA (lower is better)",
        "ms",
        cold_items,
    )
    bars(
        axes[0][2],
        "sequential calls: CPU per call (lower is better)",
        "µs",
        [(k, v["cpu_us"]) for k, v in s["seq"].items()],
    )
    ax = axes[1][0]
    names = list(s["async"])
    if names:
        width = 0.27
        ypos = list(range(len(names)))[::-1]
        shades = {"1": 0.45, "8": 0.7, "64": 1.0}
        for i, level in enumerate(LEVELS):
            vals = [
                s["async"][n].get(level, {}).get("rps") or {"median": 0, "min": 0, "max": 0}
                for n in names
            ]
            ax.barh(
                [y + (1 - i) * width for y in ypos],
                [v["median"] for v in vals],
                height=width,
                xerr=[
                    [v["median"] - v["min"] for v in vals],
                    [v["max"] - v["median"] for v in vals],
                ],
                color=[color(n) for n in names],
                alpha=shades[level],
                capsize=1.5,
                error_kw={"elinewidth": 0.6},
                label=f"{level} in flight",
            )
        ax.set_yticks(ypos, [n.replace(" + ", "\n+ ") for n in names], fontsize=7)
        ax.set_title("async calls/s at 1 / 8 / 64 in flight (higher is better)", fontsize=10)
        ax.set_xlabel("calls/s", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.legend(fontsize=7, loc="lower right")
    else:
        ax.set_visible(False)
    bars(
        axes[1][1],
        "signing one request (lower is better)",
        "µs",
        [
            (k.replace(" (validate+serialize+build+sign)", "\n(validate+serialize+build+sign)"), v)
            for k, v in s["signing"].items()
        ],
    )
    bars(
        axes[1][2],
        "client construction after import, repeated (log scale)",
        "µs",
        [(k, v["repeat_us"]) for k, v in s["construct"].items()],
        log=True,
    )
    fig.suptitle(
        "trentclient vs boto3 / aiobotocore / raw httpx / raw aiohttp — fake KMS (and STS, "
        "for IRSA) on 127.0.0.1; median, whiskers min–max",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
