"""Run every benchmark side by side and write ``benchmarks/RESULTS.md`` and a chart.

    python3 tools/dev.py bench           # the same, in .venv-bench (only the contenders installed)
    python -m benchmarks                 # full run (a few minutes), writes RESULTS.md + chart.png
    python -m benchmarks --smoke         # tiny counts, < 60 s: CI's check that it still works
    python benchmarks/run.py --rounds 9 --out /tmp/r.md --chart /tmp/c.png --json /tmp/r.json

The fake KMS runs in its own process on 127.0.0.1, and so does a fake STS for the IRSA
(web identity) cold start. Every measurement runs in a fresh
interpreter (imports and cold starts as ``python -c``, the rest in ``benchmarks.worker``),
and each round runs every contender once, in an order rotated from round to round, so
drifts in the machine's speed hit every contender alike. Each figure is the median over the
rounds, with the min-max spread. Contenders whose packages are missing are skipped and
reported as "not installed".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/run.py`: import the package from the root
    _root = str(Path(__file__).resolve().parent.parent)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
    sys.path.insert(0, _root)

from benchmarks import contenders as c
from benchmarks.fakekms import fake_kms, server_stats
from benchmarks.fakests import ACCESS_KEY_ID as STS_AK
from benchmarks.fakests import ROLE_ARN, fake_sts, web_identity_token

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
ASYNC_LEVELS = (1, 8, 64)
THREADS = 8  # sync clients: this many threads sharing one client


class Settings:
    def __init__(self, smoke: bool, rounds: int | None) -> None:
        self.smoke = smoke
        if smoke:
            self.rounds = rounds or 2
            self.cold_repeat = 1
            self.seq_calls, self.warmup, self.construct = 20, 5, 3
            self.thread_calls = 40
            self.async_calls = {"1": 16, "8": 32, "64": 128}
            self.sign_number, self.sign_repeat = 200, 3
            self.load_requests = 2000
            self.timeout = 60.0
        else:
            self.rounds = rounds or 7
            # Cold starts are cheap (~2.5 s for all of them) and noisy (±20% from one start
            # to the next on a shared VM): each round runs them this many times.
            self.cold_repeat = 5
            self.seq_calls, self.warmup, self.construct = 2000, 200, 50
            self.thread_calls = 4000
            self.async_calls = {"1": 1000, "8": 2000, "64": 3200}
            self.sign_number, self.sign_repeat = 20000, 5
            self.load_requests = 20000
            self.timeout = 900.0


# -- subprocess helpers ----------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment for every child: no AWS settings or files, bytecode caches on (the
    IRSA cold start adds its three variables to this, see ``irsa_env``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # caches are written once (warm-up), then read
    nowhere = str(ROOT / "benchmarks" / ".no-aws-files")
    env["AWS_CONFIG_FILE"] = nowhere + "/config"
    env["AWS_SHARED_CREDENTIALS_FILE"] = nowhere + "/credentials"
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PYTHONPATH"] = str(ROOT) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    return env


def irsa_env(env: dict[str, str], token_file: str, sts_url: str) -> dict[str, str]:
    """``env`` as an EKS pod with IRSA has it: a web identity token file and a role, no keys;
    STS is the fake one."""
    assert not any(k.startswith("AWS_ACCESS_KEY") or k == "AWS_PROFILE" for k in env)
    return dict(
        env,
        AWS_WEB_IDENTITY_TOKEN_FILE=token_file,
        AWS_ROLE_ARN=ROLE_ARN,
        AWS_ENDPOINT_URL_STS=sts_url,
    )


def run_child(
    args: Sequence[str], env: dict[str, str], timeout: float
) -> tuple[float, dict[str, Any]]:
    """Run ``python ARGS``; return its wall time and the JSON of its last output line."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
        raise RuntimeError(f"exit {proc.returncode}: " + " | ".join(tail))
    lines = proc.stdout.strip().splitlines()
    return wall, json.loads(lines[-1]) if lines else {}


def machine_busy_s() -> float | None:
    """CPU seconds all of the machine's cores spent busy since boot (Linux), else None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    ticks = [int(x) for x in fields[1:9]]  # user nice system idle iowait irq softirq steal
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds of this process and of the children it has waited for."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class ForeignLoad:
    """How much of the machine other work used during a round: all busy CPU time minus
    ours (this process, the children it waited for, the fake KMS and the fake STS)."""

    def __init__(self, *urls: str) -> None:
        self.urls = urls
        self._start: tuple[float, float | None, float, float] | None = None

    def _sample(self) -> tuple[float, float | None, float, float]:
        server = sum(float(server_stats(url)["cpu_seconds"]) for url in self.urls)
        return time.perf_counter(), machine_busy_s(), own_cpu_s(), server

    def start(self) -> None:
        self._start = self._sample()

    def stop(self) -> float | None:
        """The share (0-1) of all cores' time used by other work since ``start``."""
        if self._start is None:
            return None
        w0, b0, o0, s0 = self._start
        w1, b1, o1, s1 = self._sample()
        if b0 is None or b1 is None or w1 <= w0:
            return None
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        foreign = (b1 - b0) - (o1 - o0) - (s1 - s0)
        return max(0.0, foreign / ((w1 - w0) * (cores or 1)))


_PRELUDE = (
    "import time, json, os, sys\n"
    "URL = os.environ.get('BENCH_URL', '')\n"
    "_P = json.loads(os.environ.get('BENCH_PRESIGNED', '{}') or '{}')\n"
    "PRESIGNED = {'body': _P.get('body', '').encode('latin-1'),"
    " 'headers': [tuple(h) for h in _P.get('headers', [])]}\n"
    f"REGION, AK, SK = {c.REGION!r}, {c.AK!r}, {c.SK!r}\n"
    f"PARAMS = {c.PARAMS!r}\n"
    f"STS_AK = {STS_AK!r}\n"
)


def import_script(statement: str) -> str:
    return (
        _PRELUDE + "t0 = time.perf_counter()\n" + statement + "\n"
        "t1 = time.perf_counter()\n"
        "print(json.dumps({'in_process_s': t1 - t0}))\n"
    )


def cold_script(contender: c.Contender | None) -> str:
    parts = (
        ("pass", "pass", "pass", "pass")
        if contender is None
        else (
            contender.cold_import,
            contender.cold_construct,
            contender.cold_call,
            contender.cold_check or "pass",
        )
    )
    return (
        _PRELUDE + "t0 = time.perf_counter()\n" + parts[0] + "\n"
        "t1 = time.perf_counter()\n" + parts[1] + "\n"
        "t2 = time.perf_counter()\n" + parts[2] + "\n"
        "t3 = time.perf_counter()\n"
        "botocore_imported = 'botocore' in sys.modules\n" + parts[3] + "\n" + _RSS + ""
        "print(json.dumps({'import_s': t1 - t0, 'construct_s': t2 - t1, 'call_s': t3 - t2,"
        " 'in_process_s': t3 - t0, 'botocore_imported': botocore_imported, 'rss_kb': rss_kb}))\n"
    )


#: The resident set now (Linux: ``/proc/self/statm``), else the peak (``ru_maxrss``), in KiB.
_RSS = (
    "try:\n"
    "    with open('/proc/self/statm') as _f:\n"
    "        rss_kb = int(_f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') // 1024\n"
    "except OSError:\n"
    "    import resource\n"
    "    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    rss_kb //= 1024 if sys.platform == 'darwin' else 1\n"
)


def sts_counts(url: str) -> dict[str, int]:
    stats = server_stats(url)
    return {k: int(stats[k]) for k in ("requests", "web_identity", "signed", "rejected")}


def run_irsa_child(
    contender: c.Contender, env: dict[str, str], sts_url: str, timeout: float
) -> tuple[float, dict[str, Any]]:
    """One IRSA cold start; checks that it sent the fake STS exactly one unsigned
    ``AssumeRoleWithWebIdentity`` (else ``RuntimeError``)."""
    before = sts_counts(sts_url)
    wall, out = run_child(["-c", cold_script(contender)], env, timeout)
    after = sts_counts(sts_url)
    sent = {k: after[k] - before[k] for k in after}
    if sent != {"requests": 1, "web_identity": 1, "signed": 0, "rejected": 0}:
        raise RuntimeError(
            f"expected one unsigned AssumeRoleWithWebIdentity, the fake STS saw {sent}"
        )
    return wall, dict(out, sts_requests=sent["requests"])


def rotated(items: Sequence[Any], shift: int) -> list[Any]:
    if not items:
        return []
    k = shift % len(items)
    return list(items[k:]) + list(items[:k])


# -- the run ---------------------------------------------------------------------------------


def measure(settings: Settings, log: Any) -> dict[str, Any]:
    env = child_env()
    t_start = time.perf_counter()
    results: dict[str, Any] = {
        "settings": {
            "smoke": settings.smoke,
            "rounds": settings.rounds,
            "cold_repeat": settings.cold_repeat,
            "seq_calls": settings.seq_calls,
            "thread_calls": settings.thread_calls,
            "threads": THREADS,
            "async_calls": settings.async_calls,
            "construct": settings.construct,
            "sign_number": settings.sign_number,
        },
        "missing": {},
        "errors": {},
        "import": {},
        "import_in_process": {},
        "cold": {},
        "cold_parts": {},
        "cold_irsa": {},
        "cold_irsa_parts": {},
        "clients": {},
        "signing": {},
        "server": [],
        "loadavg": [],
        "foreign_load": [],
        "sizes": {},
    }
    missing = results["missing"]
    errors = results["errors"]

    imports = []
    for label, stmt, needs in c.IMPORTS:
        lacking = c.missing_modules(needs)
        if lacking:
            missing[f"import {label}"] = lacking
        else:
            imports.append((label, stmt))
    colds = []
    for contender in c.CONTENDERS:
        if contender.experiment:
            continue
        lacking = c.missing_modules(contender.needs)
        if lacking:
            missing[contender.name] = lacking
        else:
            colds.append(contender)
    irsa = []
    for contender in c.IRSA:
        lacking = c.missing_modules(contender.needs)
        if lacking:
            missing[f"{contender.name} (IRSA)"] = lacking
        else:
            irsa.append(contender)
    clients = []
    for contender in c.CONTENDERS:
        lacking = c.missing_modules(contender.needs)
        if lacking:
            missing[contender.name] = lacking
        else:
            clients.append(contender)
    has_botocore = not c.missing_modules(("botocore",))
    from benchmarks.sizes import closures

    results["sizes"] = closures()  # nothing timed: once per run

    max_seconds = 600 if settings.smoke else 3600
    with (
        fake_kms(max_seconds=max_seconds) as (url, _pid),
        fake_sts(max_seconds=max_seconds) as (sts_url, _sts_pid),
        tempfile.TemporaryDirectory(prefix="trentclient-bench-irsa-") as token_dir,
    ):
        log(f"fake KMS at {url}, fake STS at {sts_url}")
        pre = c.presigned(url)
        env = dict(env, BENCH_URL=url, BENCH_PRESIGNED=json.dumps(pre))
        token_file = Path(token_dir) / "token"
        token_file.write_text(web_identity_token(), "ascii")  # as a projected token: no newline
        ienv = irsa_env(env, str(token_file), sts_url)

        # Warm-up: write the bytecode caches every script needs, so no round pays for them.
        log("warm-up: one run of every import and cold-start script (writes .pyc caches)")
        for _, stmt in imports:
            run_child(["-c", import_script(stmt)], env, settings.timeout)
        for contender in colds:
            try:
                run_child(["-c", cold_script(contender)], env, settings.timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                errors[f"cold {contender.name}"] = str(exc)
        for contender in irsa:
            try:
                run_irsa_child(contender, ienv, sts_url, settings.timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                errors[f"cold IRSA {contender.name}"] = str(exc)
        run_child(
            [
                "-m",
                "benchmarks.worker",
                json.dumps({"task": "signing", "url": url, "number": 10, "repeat": 1}),
            ],
            env,
            settings.timeout,
        )

        for rnd in range(settings.rounds):
            results["loadavg"].append(os.getloadavg()[0])
            log(f"round {rnd + 1}/{settings.rounds} (load average {results['loadavg'][-1]:.2f})")
            foreign = ForeignLoad(url, sts_url)
            foreign.start()
            # The fake KMS's own ceiling: raw sockets, 64 connections, no HTTP library.
            for depth in (1, 16):
                try:
                    _, load = run_child(
                        [
                            "-m",
                            "benchmarks.fakekms",
                            "--load",
                            url,
                            "--connections",
                            "64",
                            "--requests",
                            str(settings.load_requests),
                            "--depth",
                            str(depth),
                        ],
                        env,
                        settings.timeout,
                    )
                    results["server"].append(dict(load, depth=depth))
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    errors["fake KMS load"] = str(exc)

            # Import time: wall of `python -c "import X"` minus the same script without it.
            jobs: list[tuple[str, str | None]] = [("(baseline)", "pass"), *imports]
            for label, stmt in rotated(jobs, rnd):
                wall, out = run_child(["-c", import_script(stmt or "pass")], env, settings.timeout)
                results["import"].setdefault(label, []).append(wall)
                results["import_in_process"].setdefault(label, []).append(out["in_process_s"])

            # Import + construct + first call: static keys, and IRSA (web identity through
            # the fake STS), interleaved in one rotation so both see the same machine;
            # ``cold_repeat`` passes, each with the baseline, so the starts pair up in order.
            cold_jobs: list[tuple[str, c.Contender | None]] = [
                ("cold", None),
                *(("cold", x) for x in colds),
                *(("cold_irsa", x) for x in irsa),
            ]
            passes = [
                job
                for rep in range(settings.cold_repeat)
                for job in rotated(cold_jobs, rnd * settings.cold_repeat + rep)
            ]
            for kind, contender in passes:
                label = "(baseline)" if contender is None else contender.name
                try:
                    if kind == "cold_irsa":
                        assert contender is not None
                        wall, out = run_irsa_child(contender, ienv, sts_url, settings.timeout)
                    else:
                        wall, out = run_child(["-c", cold_script(contender)], env, settings.timeout)
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    errors[f"cold {'IRSA ' if kind == 'cold_irsa' else ''}{label}"] = str(exc)
                    continue
                results[kind].setdefault(label, []).append(wall)
                results[f"{kind}_parts"].setdefault(label, []).append(out)

            # Construction, sequential calls, calls in flight: one fresh worker per contender.
            for contender in rotated(clients, rnd):
                spec = {
                    "task": "client",
                    "kind": contender.kind,
                    "contender": contender.name,
                    "url": url,
                    "presigned": pre,
                    "construct": 0 if contender.experiment else settings.construct,
                    "warmup": settings.warmup,
                    "seq_calls": settings.seq_calls,
                    "thread_calls": settings.thread_calls,
                    "threads": THREADS,
                    "async_levels": settings.async_calls,
                }
                try:
                    _, out = run_child(
                        ["-m", "benchmarks.worker", json.dumps(spec)], env, settings.timeout
                    )
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    errors[contender.name] = str(exc)
                    log(f"  {contender.name}: ERROR {exc}")
                    continue
                results["clients"].setdefault(contender.name, []).append(out)

            # Signing alone.
            spec = {
                "task": "signing",
                "url": url,
                "number": settings.sign_number,
                "repeat": settings.sign_repeat,
            }
            try:
                _, out = run_child(
                    ["-m", "benchmarks.worker", json.dumps(spec)], env, settings.timeout
                )
                for name, value in out["signing"].items():
                    results["signing"].setdefault(name, []).append(value["us"])
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                errors["signing"] = str(exc)
            share = foreign.stop()
            if share is not None:
                results["foreign_load"].append(share)
                log(f"  other work used {share:.0%} of the machine during this round")
    if not has_botocore:
        missing["botocore SigV4Auth.add_auth"] = ["botocore"]
    results["loadavg"].append(os.getloadavg()[0])
    results["elapsed_s"] = time.perf_counter() - t_start
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="trentclient vs boto3, aiobotocore, raw httpx and raw aiohttp, side by side.",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny counts: checks that it works")
    parser.add_argument("--rounds", type=int, default=None, help="runs per figure (7; smoke 2)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--chart", default=str(ROOT / "benchmarks" / "chart.png"))
    parser.add_argument("--json", default=None, help="also write the raw measurements here")
    parser.add_argument(
        "--from-json", default=None, help="re-render the report and chart from a --json file"
    )
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--require-all",
        action="store_true",
        help="exit 2 when a contender is not installed or the chart cannot be drawn "
        "(CI's check that the whole harness works)",
    )
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")

    def log(text: str) -> None:
        if not args.quiet:
            print(f"[bench] {text}", file=sys.stderr, flush=True)

    from benchmarks import report

    if args.from_json:
        results = json.loads(Path(args.from_json).read_text("utf-8"))
    else:
        settings = Settings(args.smoke, args.rounds)
        log(f"{'smoke' if settings.smoke else 'full'} run, {settings.rounds} rounds")
        results = measure(settings, log)
        results["machine"] = report.machine_info()
    summary = report.summarize(results)
    chart_note = report.write_chart(summary, args.chart)
    Path(args.out).write_text(report.markdown(results, summary, args.chart, chart_note), "utf-8")
    log(f"wrote {args.out}" + (f" and {args.chart}" if chart_note is None else f" ({chart_note})"))
    if args.json and not args.from_json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str), "utf-8")
    for key, text in results["errors"].items():
        log(f"ERROR {key}: {text}")
    log(f"done in {results['elapsed_s']:.0f} s")
    if results["errors"]:
        return 1
    if args.require_all:
        lacking = [
            f"{name}: not installed ({', '.join(needs)})"
            for name, needs in results["missing"].items()
        ]
        if chart_note is not None:
            lacking.append(f"chart: {chart_note}")
        for text in lacking:  # printed even with --quiet: it is why the run failed
            print(f"[bench] MISSING {text}", file=sys.stderr, flush=True)
        if lacking:
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
