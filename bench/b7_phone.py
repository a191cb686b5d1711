"""Benchmark 7 -- a phone on weak mobile data (issue #19).

`kotacerdas serve` (gunicorn as shipped, no job worker) on 127.0.0.1 with the bench PostgreSQL database and
the Banyuasin demo.  Debian's Chromium (Playwright, never a downloaded browser) opens each page on a fresh
browser context (first visit, empty cache) with the DevTools protocol emulating a phone on weak mobile data:
  network   ~1.6 Mbit/s down, 750 kbit/s up, 150 ms latency  (Network.emulateNetworkConditions)
  CPU       4x slow-down                                       (Emulation.setCPUThrottlingRate)
  screen    390 x 844, device scale 3, touch
Measured per page, median of the repeats:
  bytes     every response's encodedDataLength (what crossed the wire: headers + compressed body), from
            Network.loadingFinished, until the network has been idle for 1 s
  LCP       the last largest-contentful-paint entry (PerformanceObserver, buffered) once the page is idle
Pages: the public portal, the public region page, the citizens' survey form (no login) and the region
dashboard (the Banyuasin coordinator, through a session made by the session engine).
Targets: survey form and public pages <= 150 KB and LCP <= 2.5 s; dashboard <= 600 KB and LCP <= 4 s.
The absolute LCP depends on the machine (the 4x CPU slow-down multiplies its speed); the bytes do not.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.b4_dashboard import session_cookie
from bench.common import bench_main, served

CHROMIUM = os.environ.get("KOTACERDAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
REPEATS = {"quick": 3, "full": 5}
DOWN_BPS = 1_600_000 / 8  # bytes per second
UP_BPS = 750_000 / 8
LATENCY_MS = 150
CPU_SLOWDOWN = 4
LCP_SCRIPT = """
window.__lcp = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) { window.__lcp = entry.startTime; }
}).observe({type: 'largest-contentful-paint', buffered: true});
"""


def _pages() -> list[dict[str, Any]]:
    from django.contrib.auth import get_user_model

    from kotacerdas.surveys.models import Survey

    survey = Survey.objects.filter(status="open", region_id="16.07").first() or Survey.objects.filter(
        status="open").first()
    if survey is None:
        raise RuntimeError("the demo has no open survey")
    coordinator = get_user_model().objects.get(username="koordinator@banyuasin.test")
    return [
        {"name": "public portal", "path": "/publik/", "kb": 150, "lcp": 2.5, "cookie": ""},
        {"name": "public region page", "path": "/publik/16.07/", "kb": 150, "lcp": 2.5, "cookie": ""},
        {"name": "survey form", "path": f"/survei/{survey.token}/", "kb": 150, "lcp": 2.5, "cookie": ""},
        {"name": "region dashboard (coordinator)", "path": "/wilayah/16.07/dasbor/", "kb": 600, "lcp": 4.0,
         "cookie": session_cookie(coordinator)},
    ]


def _visit(browser: Any, base: str, page_spec: dict[str, Any]) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True, locale="id-ID")
    if page_spec["cookie"]:
        name, value = page_spec["cookie"].split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": base}])
    context.add_init_script(LCP_SCRIPT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": LATENCY_MS,
                                                  "downloadThroughput": DOWN_BPS, "uploadThroughput": UP_BPS})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    sizes: dict[str, float] = {}
    urls: dict[str, str] = {}
    last_event = [time.monotonic()]
    pending: set[str] = set()

    def sent(e: dict[str, Any]) -> None:
        pending.add(e["requestId"])
        urls[e["requestId"]] = e["request"]["url"]
        last_event[0] = time.monotonic()

    def finished(e: dict[str, Any]) -> None:
        sizes[e["requestId"]] = e["encodedDataLength"]
        pending.discard(e["requestId"])
        last_event[0] = time.monotonic()

    def failed(e: dict[str, Any]) -> None:
        pending.discard(e["requestId"])
        last_event[0] = time.monotonic()

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", failed)
    response = page.goto(base + page_spec["path"], wait_until="load", timeout=120_000)
    if response is None or response.status != 200:
        raise RuntimeError(f"{page_spec['path']} answered {response.status if response else 'nothing'}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # network idle for 1 s (bounded)
        page.wait_for_timeout(100)
        if not pending and time.monotonic() - last_event[0] > 1.0:
            break
    lcp_ms = float(page.evaluate("window.__lcp"))
    context.close()
    total = sum(sizes.values())
    biggest = sorted(((sizes[r], urls.get(r, "?")) for r in sizes), reverse=True)[:3]
    return {"bytes": total, "requests": len(sizes), "lcp": lcp_ms / 1000,
            "biggest": [f"{u.replace(base, '')} {b / 1024:.0f} KB" for b, u in biggest]}


def run(mode: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    pages = _pages()
    out: dict[str, Any] = {"repeats": REPEATS[mode], "pages": []}
    with served("bench-phone", startup=120) as server:
        base = server.base
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for spec in pages:  # one unmeasured visit warms the server's caches, not the browser's
                    _visit(browser, base, spec)
                for spec in pages:
                    runs = [_visit(browser, base, spec) for _ in range(REPEATS[mode])]
                    out["pages"].append({
                        "name": spec["name"], "path": spec["path"].split("/survei/")[0] + (
                            "/survei/(token)/" if "/survei/" in spec["path"] else ""),
                        "kb_target": spec["kb"], "lcp_target": spec["lcp"],
                        "kb": statistics.median(r["bytes"] for r in runs) / 1024,
                        "lcp": statistics.median(r["lcp"] for r in runs),
                        "lcp_max": max(r["lcp"] for r in runs),
                        "requests": runs[0]["requests"], "biggest": runs[0]["biggest"]})
            finally:
                browser.close()
    return out


def summarise(out: dict[str, Any]) -> dict[str, Any]:
    rows, targets = [], []
    for pg in out["pages"]:
        rows.append([pg["name"], pg["path"], str(pg["requests"]), f"{pg['kb']:.0f} KB", f"≤ {pg['kb_target']} KB",
                     f"{pg['lcp']:.2f} s (max {pg['lcp_max']:.2f})", f"≤ {pg['lcp_target']} s",
                     "; ".join(pg["biggest"])])
        targets.append({"what": f"{pg['name']}: KB transferred, first visit", "value": round(pg["kb"], 1),
                        "target": f"≤ {pg['kb_target']}", "ok": pg["kb"] <= pg["kb_target"]})
        targets.append({"what": f"{pg['name']}: LCP (s), 1.6 Mbit/s, 150 ms, 4× CPU", "value": round(pg["lcp"], 2),
                        "target": f"≤ {pg['lcp_target']}", "ok": pg["lcp"] <= pg["lcp_target"]})
    return {
        "tables": [{"title": f"Phone (390 × 844) on weak mobile data: {DOWN_BPS * 8 / 1e6:.1f} Mbit/s down, "
                             f"{LATENCY_MS} ms latency, {CPU_SLOWDOWN}× CPU slow-down; first visit, empty cache; "
                             f"median of {out['repeats']} visits",
                    "header": ["page", "path", "requests", "transferred", "target", "LCP", "target",
                               "largest responses"],
                    "rows": rows}],
        "notes": ["Bytes are what crossed the wire (encodedDataLength: headers and compressed bodies).",
                  "LCP is the browser's own largest-contentful-paint entry; it scales with this machine's CPU."],
        "targets": targets,
    }


def main() -> None:
    bench_main(run, summarise)


if __name__ == "__main__":
    main()
