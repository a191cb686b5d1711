"""Benchmark 5 -- one region's full PDF report against rendering the same region's dashboard.

  pdf        reports.actions.build(region, cycle, "pdf"): data, sections, matplotlib SVG charts,
             choropleth, WeasyPrint layout and PDF bytes (what the background job does)
  dashboard  GET /wilayah/16.07/dasbor/ through Django's test client as the national admin (the
             whole request: middleware, queries, sections, template), rendered **cold**: every configured
             Django cache (page bodies, what-if results, ...) is cleared before each call, outside the
             timing, so the baseline is the cost of building the page, not of reading a cached copy
Every cache is cleared before each PDF call too (the report keeps no cache of its own; this keeps
it that way for the measurement). Same process, interleaved, min of repeats.
"""

from __future__ import annotations

from typing import Any

from bench.common import Timing, bench_main, fmt_s, measure

ROUNDS = {"quick": 5, "full": 9}  # min of the repeats; the shared box steals up to a third of the CPU
REGION = "16.07"


def run(mode: str) -> dict[str, Any]:
    from django.test import Client

    from kotacerdas.evaluations.models import Cycle, Result
    from kotacerdas.regions.models import Region
    from kotacerdas.reports.actions import build

    from . import b1_scoring as b1

    admin, _ = b1._users()
    region = Region.objects.get(code=REGION)
    # The region's latest evaluated cycle (the demo's), the one its dashboard shows first.
    result = Result.objects.filter(region=region).select_related("cycle").order_by("-cycle__year").first()
    cycle = result.cycle if result else Cycle.objects.order_by("-year").first()
    client = Client()
    client.force_login(admin)
    info: dict[str, Any] = {}

    def pdf() -> None:
        data, pages = build(region, cycle, "pdf")
        info["pdf_kb"], info["pages"] = len(data) / 1024, pages

    def dashboard() -> None:
        resp = client.get(f"/wilayah/{REGION}/dasbor/")
        assert resp.status_code == 200, resp.status_code
        info["html_kb"] = len(resp.content) / 1024

    timings = cold_interleaved({"pdf": pdf, "dashboard": dashboard}, ROUNDS[mode], REGION)
    return {"timings": {k: v.as_dict() for k, v in timings.items()}, "info": info, "cycle": cycle.year}


def clear_caches() -> None:
    """Empty every configured Django cache (file, local memory, ...), so the next call renders cold."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        cache.clear()


def cold_interleaved(legs: dict[str, Any], rounds: int, size: str) -> dict[str, Timing]:
    """Like common.interleaved (one warm-up call each, then A B A B ...), with every cache cleared
    before each timed call, outside the timing."""
    out = {name: Timing(name, size) for name in legs}
    for fn in legs.values():
        fn()
    for _ in range(rounds):
        for name, fn in legs.items():
            clear_caches()
            wall, cpu, _value = measure(fn)
            out[name].times.append(wall)
            out[name].cpu.append(cpu)
    return out


def summarise(out: dict[str, Any]) -> dict[str, Any]:
    t, i = out["timings"], out["info"]
    ratio = t["pdf"]["min"] / t["dashboard"]["min"]
    rows = [["PDF report (WeasyPrint)", fmt_s(t["pdf"]["min"]), fmt_s(t["pdf"]["median"]),
             f"{i.get('pages')} pages, {i.get('pdf_kb', 0):.0f} KB"],
            ["dashboard HTML (full request, caches cleared)", fmt_s(t["dashboard"]["min"]), fmt_s(t["dashboard"]["median"]),
             f"{i.get('html_kb', 0):.0f} KB"]]
    return {
        "tables": [{"title": f"Kabupaten Banyuasin ({REGION}), cycle {out['cycle']}",
                    "header": ["leg", "min", "median", "output"], "rows": rows}],
        "notes": ["Both legs cold: every configured Django cache is cleared before each timed call (outside "
                  "the timing), so neither leg reads a cached page, section, what-if result or chart."],
        "targets": [{"what": "PDF report ÷ dashboard HTML (cold)", "value": ratio, "target": "≤ 10", "ok": ratio <= 10}],
    }


def main() -> None:
    bench_main(run, summarise)


if __name__ == "__main__":
    main()
