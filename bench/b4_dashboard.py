"""Benchmark 4 -- the region dashboard and the national ranking under load.

`kotacerdas serve` (gunicorn, 2 workers x 4 threads, as shipped) on 127.0.0.1 with the bench
PostgreSQL database: the Banyuasin demo plus the national dataset of benchmark 1 (514 regions scored;
if benchmark 1 did not run, it is seeded here).  50 virtual users (loadgen.py: keep-alive connections,
0.5-1.5 s think time) as the national admin.
  pages     each user alternates /wilayah/16.07/dasbor/ and /nasional/
  baseline  the same 50 users on /healthz (a database round trip), same server, same think time
Both runs bounded in time and requests; loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import django_setup, fmt_s
from bench.loadgen import run_load

SECONDS = {"quick": 30, "full": 90}
USERS = 50
PAGES = ["/wilayah/16.07/dasbor/", "/nasional/"]
BASELINE = ["/healthz"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def national_dataset() -> dict[str, Any]:
    """The 514-region cycle of benchmark 1, or a fresh one when that benchmark did not run."""
    from kotacerdas.evaluations.actions import recompute_cycle
    from kotacerdas.evaluations.models import Cycle, Result

    from . import b1_scoring as b1

    admin, assessors = b1._users()
    cycle = Cycle.objects.filter(year=b1.YEAR[514]).first()
    if cycle is None:
        cycle = b1.seed(514, admin, assessors)
        recompute_cycle(admin, cycle)
    return {"cycle": cycle.year, "results": Result.objects.filter(cycle=cycle).count()}


def session_cookie() -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from . import b1_scoring as b1

    admin, _ = b1._users()
    store = SessionStore()
    store[SESSION_KEY] = str(admin.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _get(url: str, cookie: str) -> tuple[int, int]:
    req = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 -- loopback URL built above
        return resp.status, len(resp.read())


def run(mode: str) -> dict[str, Any]:
    data = national_dataset()
    cookie = session_cookie()
    port = _free_port()
    exe = Path(sys.executable).with_name("kotacerdas")
    env = {**os.environ, "DB_CONN_MAX_AGE": "60"}
    server = subprocess.Popen([str(exe), "serve", "--port", str(port), "--no-worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):  # bounded wait for gunicorn to answer
            try:
                if _get(base + "/healthz", "")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not start")
        sizes = {}
        for path in PAGES:  # warm every worker's caches and check the pages render for the admin
            for _ in range(4):
                status, size = _get(base + path, cookie)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
            sizes[path] = size
        seconds = SECONDS[mode]
        limits = {"users": USERS, "seconds": seconds, "max_requests": USERS * seconds * 2}
        baseline = run_load("127.0.0.1", port, BASELINE, cookie=cookie, seed=1, **limits)  # type: ignore[arg-type]
        pages = run_load("127.0.0.1", port, PAGES, cookie=cookie, seed=2, **limits)  # type: ignore[arg-type]
        baseline2 = run_load("127.0.0.1", port, BASELINE, cookie=cookie, seed=3,  # drift check
                             **{**limits, "seconds": max(10, seconds // 3)})  # type: ignore[arg-type]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {"dataset": data, "sizes": sizes, "baseline": baseline, "pages": pages, "baseline_after": baseline2,
            **limits}


def summarise(out: dict[str, Any]) -> dict[str, Any]:
    b, p, b2 = out["baseline"], out["pages"], out["baseline_after"]
    base_p95 = max(b["p95"], b2["p95"])  # the less favourable of the two baseline runs
    rows = []
    for label, run_, path in (("baseline before", b, "/healthz"), ("baseline after", b2, "/healthz"),
                              ("pages", p, PAGES[0]), ("pages", p, PAGES[1])):
        s = run_["paths"].get(path, {})
        rows.append([label, path, str(s.get("n", 0)), str(s.get("errors", 0)), fmt_s(s.get("p50")),
                     fmt_s(s.get("p95")), fmt_s(s.get("p99")), f"{s.get('kb', 0):.0f} KB"])
    page_p95 = max(p["paths"][x]["p95"] for x in PAGES if x in p["paths"])
    return {
        "tables": [{"title": f"{out['users']} users for {out['seconds']} s each run, think time 0.5–1.5 s; "
                             f"national dataset: cycle {out['dataset']['cycle']}, {out['dataset']['results']} results",
                    "header": ["run", "path", "requests", "errors", "p50", "p95", "p99", "size"], "rows": rows}],
        "notes": [f"Throughput: baseline {b['rps']:.1f} req/s, pages {p['rps']:.1f} req/s; statuses "
                  f"{p['statuses']}"],
        "targets": [
            {"what": "worst page p95 ÷ /healthz p95 (same server, same load)", "value": page_p95 / base_p95,
             "target": "≤ 3", "ok": page_p95 / base_p95 <= 3},
            {"what": "errors under load (pages)", "value": p["errors"], "target": "0", "ok": p["errors"] == 0},
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["quick", "full"], default="quick")
    args = parser.parse_args()
    django_setup()
    out = run(args.mode)
    out["summary"] = summarise(out)
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
