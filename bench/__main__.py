"""``python -m bench --quick`` (make bench) / ``--full`` (make bench-full).

Creates a scratch PostgreSQL database (dropped at the end), loads regions and the demo, runs each
benchmark in its own process (so peak memory and Django settings do not leak between them), and
writes bench/RESULTS.md: the machine, every table and every target with its verdict.  The human
summary between the ``summary`` markers of RESULTS.md is kept as it is.

Absolute times on a shared 2-core machine are noise; every verdict is a ratio against a baseline
measured in the same run, legs interleaved, minimum of the repeats (median shown beside it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    bench_database,
    bench_env,
    kotacerdas,
    last_json,
    machine,
    run_measured,
    settle_database,
)

BENCHES = {
    1: ("bench.b1_scoring", "National scoring: 514 regions × 51 indicators × 5 assessors"),
    2: ("bench.b2_analytics", "Usage analytics: reach, coverage and Gini over service events"),
    3: ("bench.b3_import", "Import: KPI values from CSV into PostgreSQL"),
    4: ("bench.b4_dashboard", "Dashboard under load: 50 concurrent users on gunicorn + PostgreSQL"),
    5: ("bench.b5_pdf", "PDF report of one region"),
    6: ("bench.b6_national", "National administration: 514 participants from a file, assignments over 20 panels"),
    7: ("bench.b7_phone", "A phone on weak mobile data: bytes and Largest Contentful Paint"),
}
RESULTS = Path(__file__).with_name("RESULTS.md")
SUMMARY_START, SUMMARY_END = "<!-- summary:start -->", "<!-- summary:end -->"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", dest="mode", const="quick")
    mode.add_argument("--full", action="store_const", dest="mode", const="full")
    parser.add_argument("--only", default="", help="comma-separated benchmark numbers, e.g. 1,3")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database")
    parser.add_argument("--no-write", action="store_true", help="print, do not rewrite RESULTS.md")
    args = parser.parse_args(argv)
    run_mode = args.mode or "quick"
    selected = [int(x) for x in args.only.split(",") if x.strip()] or list(BENCHES)

    started = time.perf_counter()
    info = machine()
    print(f"bench {run_mode}: {info['cpu']}, {info['nproc']} cores, {info['ram']}, PostgreSQL {info['postgresql']}")
    results: dict[int, dict[str, Any]] = {}
    home = Path(tempfile.mkdtemp(prefix="kc-bench-"))
    with bench_database(f"kc_bench_{os.getpid()}", keep=args.keep_db) as url:
        env = bench_env(url, home)
        t0 = time.perf_counter()
        kotacerdas("migrate", "--no-input", "-v0", env=env)
        kotacerdas("loadregions", env=env)
        if {3, 4, 5, 7} & set(selected):
            kotacerdas("demo", env=env)
        setup = time.perf_counter() - t0
        print(f"  database ready in {setup:.0f} s")
        for n in selected:
            module, title = BENCHES[n]
            print(f"  [{n}] {title} ... (database settled in {settle_database(url)})", flush=True)
            t1 = time.perf_counter()
            proc = run_measured([sys.executable, "-m", module, "--mode", run_mode], env=env, timeout=3600)
            took = time.perf_counter() - t1
            if proc["rc"] != 0:
                results[n] = {"error": (proc["stderr"] or proc["stdout"])[-3000:], "seconds": took}
                print(f"      FAILED after {took:.0f} s:\n{proc['stderr'][-1500:]}")
                continue
            data = last_json(proc["stdout"])
            data["seconds"] = took
            data["process_peak_rss_mb"] = proc["rss_mb"]
            results[n] = data
            for t in data.get("summary", {}).get("targets", []):
                print(f"      {'ok  ' if t['ok'] else 'MISS'} {t['what']}: {_num(t['value'])} (target {t['target']})")
            print(f"      done in {took:.0f} s")
    total = time.perf_counter() - started
    text = render(run_mode, info, results, setup, total)
    partial = set(selected) != set(BENCHES)
    raw = home / f"results-{run_mode}.json"
    raw.write_text(json.dumps({"machine": info, "results": results}, default=str, indent=1))
    if args.no_write:
        print(text)
    else:
        if partial:
            merge_results(run_mode, info, results, setup)
        else:
            write_results(text)
        print(f"  wrote {RESULTS.relative_to(ROOT)} (raw figures: {raw}); total {total:.0f} s")
    missed = [t for r in results.values() for t in r.get("summary", {}).get("targets", []) if not t["ok"]]
    errors = [n for n, r in results.items() if "error" in r]
    if missed:
        print(f"  {len(missed)} target(s) missed: see RESULTS.md")
    return 1 if errors else 0


def _num(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def render(mode: str, info: dict[str, str], results: dict[int, dict[str, Any]], setup: float, total: float) -> str:
    lines = [f"## Generated by `python -m bench --{mode}` on {dt.datetime.now():%Y-%m-%d %H:%M}", ""]
    lines.append("| machine | |")
    lines.append("|---|---|")
    for k in ("cpu", "nproc", "ram", "os", "python", "postgresql", "django", "duckdb", "ibis", "numpy", "pandas",
              "pyarrow", "pyspark", "weasyprint", "gunicorn", "load_1min"):
        lines.append(f"| {k} | {info.get(k, '')} |")
    lines += ["", f"Setup (migrate, regions, demo on a scratch PostgreSQL database): {setup:.0f} s. "
              f"Whole run: {total:.0f} s.", ""]
    verdicts = []
    for n, (_, title) in BENCHES.items():
        if n not in results:
            continue
        r = results[n]
        lines += [f"### {n}. {title}", ""]
        if "error" in r:
            lines += ["**Did not run to the end:**", "", "```", r["error"].strip(), "```", ""]
            verdicts.append(f"| {n} | did not run | – | – | ✗ |")
            continue
        s = r.get("summary", {})
        for table in s.get("tables", []):
            lines += [f"**{table['title']}**", "", "| " + " | ".join(table["header"]) + " |",
                      "|" + "---|" * len(table["header"])]
            lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in table["rows"]]
            lines.append("")
        for note in s.get("notes", []):
            lines += [f"- {note}"]
        if s.get("notes"):
            lines.append("")
        lines.append(f"Benchmark process: {r['seconds']:.0f} s, peak RSS {r.get('process_peak_rss_mb') or 0:.0f} MB.")
        lines.append("")
        for t in s.get("targets", []):
            verdicts.append(f"| {n} | {t['what']} | {_num(t['value'])} | {t['target']} | {'✓' if t['ok'] else '✗'} |")
    lines = ["| # | target | measured | required | met |", "|---|---|---|---|---|", *verdicts, "", *lines]
    return "\n".join(lines) + "\n"


def _split_generated(text: str) -> tuple[list[str], dict[int, str]]:
    """The verdict rows and the per-benchmark sections of a generated RESULTS.md part."""
    head = text.split("\n## ", 1)[0].split("\n### ", 1)[0]  # the verdict table comes before any heading
    verdicts = [line for line in head.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    sections: dict[int, str] = {}
    parts = text.split("\n### ")
    for part in parts[1:]:
        number = part.split(".", 1)[0].strip()
        if number.isdigit():
            sections[int(number)] = "### " + part.rstrip() + "\n"
    return verdicts, sections


def merge_results(mode: str, info: dict[str, str], results: dict[int, dict[str, Any]], setup: float) -> None:
    """A run of some benchmarks (``--only``) replaces their verdicts and sections and keeps the others' as
    they were, each section saying which run it comes from."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    after_summary = old[old.index(SUMMARY_END) + len(SUMMARY_END):] if SUMMARY_END in old else ""
    old_verdicts, old_sections = _split_generated(after_summary)
    new_text = render(mode, info, results, setup, 0.0)
    new_verdicts, new_sections = _split_generated(new_text)
    stamp = (f"Run alone on {dt.datetime.now():%Y-%m-%d %H:%M} (`python -m bench --{mode} --only "
             f"{','.join(str(n) for n in sorted(results))}`; {info.get('cpu', '')}, {info.get('nproc', '')} cores, "
             f"{info.get('ram', '')}, PostgreSQL {info.get('postgresql', '')}, load_1min {info.get('load_1min', '')}; "
             f"setup {setup:.0f} s).")
    for n, section in new_sections.items():
        head, _, body = section.partition("\n\n")
        new_sections[n] = f"{head}\n\n{stamp}\n\n{body}"
    verdicts = [v for v in old_verdicts if int(v.split("|")[1]) not in results] + new_verdicts
    verdicts.sort(key=lambda v: int(v.split("|")[1]))
    sections = {**old_sections, **new_sections}
    head_end = after_summary.find("\n### ")
    run_head = after_summary[:head_end] if head_end >= 0 else ""
    run_head = "\n".join(line for line in run_head.splitlines() if line not in old_verdicts
                         and not line.startswith("| # | target") and line != "|---|---|---|---|---|").strip()
    generated = "\n".join(["| # | target | measured | required | met |", "|---|---|---|---|---|", *verdicts, "",
                           run_head, "", *(sections[n] for n in sorted(sections))])
    write_results(generated)


def write_results(generated: str) -> None:
    old = RESULTS.read_text() if RESULTS.exists() else ""
    if SUMMARY_START in old and SUMMARY_END in old:
        summary = old[old.index(SUMMARY_START): old.index(SUMMARY_END) + len(SUMMARY_END)]
    else:
        summary = f"{SUMMARY_START}\n(Human summary: what the figures mean, written after a run.)\n{SUMMARY_END}"
    head = ("# Benchmarks\n\n`make bench` (quick, a few minutes) and `make bench-full` regenerate everything "
            "below the summary. Verdicts are ratios against a baseline measured in the same run.\n\n")
    RESULTS.write_text(head + summary + "\n\n" + generated)


if __name__ == "__main__":
    sys.exit(main())

