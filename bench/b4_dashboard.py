"""Benchmark 4 -- the region dashboard and the national ranking under load.

`kotacerdas serve` (gunicorn, 2 workers x 4 threads, as shipped) on 127.0.0.1 with the bench
PostgreSQL database: the Banyuasin demo plus the national dataset of benchmark 1 (514 regions scored;
if benchmark 1 did not run, it is seeded here).  50 virtual users (loadgen.py: keep-alive connections,
0.5-1.5 s think time) as the national admin.
  pages     each user alternates /wilayah/16.07/dasbor/ and /nasional/
  baseline  the same 50 users on /healthz (a database round trip), same server, same think time
  + writes  (issue #20) the same pages while coordinators write, users dealt in sixes: 4 read the two pages as
            the national admin, 1 is a coordinator (dashboard, self-assessment screen, autosave: a write), 1
            asks /healthz, the baseline of this run measured in the same seconds
  journeys  (issue #9) 50 users for 60 s in both modes over the main journeys, dealt to five personas:
            the public (portal, region page, survey form, catalogue search/filter, programme page, map
            page, map GeoJSON and data), the national admin (dashboard, ranking with filters), the
            coordinator (dashboard, self-assessment screen, autosave of an answer with its optimistic-lock
            version: a write), an assessor (assessment screen, dashboard) and an API client (token reads).
            Sessions are made up front through the session engine (no password hashing under load);
            the admin and the assessor have TOTP set up, as accounts.middleware requires.
All runs bounded in time and requests; loopback only.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from typing import Any

from bench.common import bench_main, fmt_s, served
from bench.loadgen import Persona, Req, run_journeys, run_load

SECONDS = {"quick": 30, "full": 90}
JOURNEY_SECONDS = 60  # issue #9: 60 s in both modes
USERS = 50
PAGES = ["/wilayah/16.07/dasbor/", "/nasional/"]
BASELINE = ["/healthz"]


def national_dataset() -> dict[str, Any]:
    """The 514-region cycle of benchmark 1, or a fresh one when that benchmark did not run."""
    from kotacerdas.evaluations.models import Cycle, Result
    from kotacerdas.evaluations.recompute import recompute_cycle

    from . import b1_scoring as b1

    admin, assessors = b1._users()
    cycle = Cycle.objects.filter(year=b1.YEAR[514]).first()
    if cycle is None:
        cycle = b1.seed(514, admin, assessors)
        recompute_cycle(admin, cycle)
    return {"cycle": cycle.year, "results": Result.objects.filter(cycle=cycle).count()}


def session_cookie(user: Any = None) -> str:
    """A logged-in session made through the session engine (what a login would leave behind)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from . import b1_scoring as b1

    if user is None:
        user, _ = b1._users()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def journeys() -> tuple[list[Persona], dict[str, Any], Any]:
    """The five personas of issue #9 on the demo data (Banyuasin, 16.07) and the national dataset."""
    import re

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.middleware.csrf import _get_new_csrf_string

    from kotacerdas.accounts.actions import do_create_token
    from kotacerdas.catalogue.models import Pillar, Programme
    from kotacerdas.evaluations import queries
    from kotacerdas.evaluations.models import Answer, Assignment, Cycle, Submission
    from kotacerdas.ops.demo import ensure_demo_totp
    from kotacerdas.surveys.models import Survey

    from . import b1_scoring as b1

    users = get_user_model().objects
    admin, _ = b1._users()
    coordinator = users.get(username="koordinator@banyuasin.test")
    assessor = users.get(username="asesor1@kotacerdas.test")
    ensure_demo_totp(assessor, "KOTACERDASDEMOTOTPSECRETAAAAAAAA")
    cycle = Cycle.objects.filter(participants__region_id="16.07").order_by("-year").first()
    sub = queries.stage_submission(cycle, "16.07") if cycle else None
    if sub is None:
        raise RuntimeError("the demo has no running Banyuasin submission")
    sub.cycle = cycle
    assigned = set(Assignment.objects.filter(panel__members=assessor, active=True).values_list("region_id", flat=True))
    peer = (Submission.objects.filter(status="under_assessment", region_id__in=assigned).order_by("region_id").first()
            or Submission.objects.filter(region_id__in=assigned).order_by("region_id").first())
    if peer is None:
        raise RuntimeError("the demo assessor has no assigned submission")
    survey = Survey.objects.filter(status="open", region_id="16.07").first() or Survey.objects.filter(
        status="open").first()
    programme = Programme.objects.active().filter(region_id="16.07").order_by("code").first()
    pillar = Pillar.objects.order_by("order").first()
    year = Cycle.objects.filter(results__isnull=False).order_by("-year").values_list("year", flat=True).first()
    _token, raw = do_create_token(coordinator, coordinator, "bench journeys", ["read"])
    # The coordinator's writers: one indicator each (no two writers race for one optimistic lock).
    codes = queries.indicator_codes(queries.cycle_pack(cycle))
    versions = dict(Answer.objects.filter(submission=sub).values_list("indicator", "version"))

    def refresh_versions() -> None:  # before each run: the previous run's autosaves moved the versions on
        versions.update(Answer.objects.filter(submission=sub).values_list("indicator", "version"))
    csrf = _get_new_csrf_string()
    htmx = f"HX-Request: true\r\nX-CSRFToken: {csrf}\r\nContent-Type: application/x-www-form-urlencoded\r\n"

    def writer_state(n: int) -> dict[str, Any]:
        code = codes[n % len(codes)]
        return {"code": code, "version": versions.get(code, 0), "n": 0}

    def autosave_body(state: dict[str, Any]) -> bytes:
        state["n"] += 1
        level = 1 + state["n"] % 3
        return (f"level={level}&justification=Uji+beban+{state['n']}&expected_version={state['version']}").encode()

    version_re = re.compile(rb'name="expected_version" value="(\d+)"')

    def autosaved(state: dict[str, Any], status: int, body: bytes) -> bool:
        found = version_re.search(body)
        if found is None or b"Tersimpan" not in body:
            return False
        state["version"] = int(found.group(1))
        return True

    def autosave(state_path: str) -> Req:
        return Req(state_path, label=f"POST /pengajuan/{sub.pk}/jawaban/(indikator)/ (autosave)", method="POST",
                   headers=htmx, body=autosave_body, check=autosaved)

    def cookie(user: Any) -> str:
        return f"Cookie: {session_cookie(user)}; {settings.CSRF_COOKIE_NAME}={csrf}\r\n"

    respond: list[Req | str] = []
    if survey is not None:  # a citizen answers the impact survey (public form, no login)
        from urllib.parse import urlencode

        from kotacerdas.regions.models import Region
        from kotacerdas.surveys import queries as sq

        service = sq.active_services(survey).order_by("pk").first()
        items = sq.items_by_subdimension(sq.survey_pack(survey)).get(service.subdimension, []) if service else []
        kecamatan = list(Region.objects.filter(parent_id=survey.region_id).order_by("code")
                         .values_list("code", flat=True))
        if service is not None and items and kecamatan:
            def survey_body(state: dict[str, Any]) -> bytes:
                state["answers"] = state.get("answers", 0) + 1
                n = state["answers"]
                fields = {"service": service.pk, "kecamatan": kecamatan[n % len(kecamatan)], "age_band": "25-34",
                          "gender": "P" if n % 2 else "L", "website": "",
                          **{f"q_{item.code}": 1 + (n + i) % 5 for i, item in enumerate(items)}}
                return urlencode(fields).encode()

            form = ("Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Cookie: {settings.CSRF_COOKIE_NAME}={csrf}\r\nX-CSRFToken: {csrf}\r\n")
            respond = [Req(f"/survei/{survey.token}/", label="POST /survei/(token)/ (citizen answers)", method="POST",
                           headers=form, body=survey_body, expect=302)]
    public = ["/publik/", "/publik/16.07/", "/wilayah/16.07/program/?q=a",
              f"/wilayah/16.07/program/?pilar={pillar.code if pillar else ''}&status=running",
              "/wilayah/16.07/peta/", "/geo/banyuasin-kecamatan.geojson"]
    if survey is not None:
        public.insert(2, f"/survei/{survey.token}/")
    if programme is not None:
        public += [f"/wilayah/16.07/program/{programme.code}/", f"/wilayah/16.07/peta/data.json?metrik={programme.code}"]
    personas = [
        Persona("public", [*public, *respond]),
        Persona("national admin", ["/wilayah/16.07/dasbor/", "/nasional/", "/nasional/?provinsi=16",
                                   f"/nasional/?tahun={year}&kelas=B&q=kab", "/nasional/peta/data.json?provinsi=16"],
                headers=cookie(admin)),
        Persona("coordinator", ["/wilayah/16.07/dasbor/", f"/pengajuan/{sub.pk}/", "WRITE"],
                headers=cookie(coordinator), state=writer_state),
        Persona("assessor", [f"/pengajuan/{peer.pk}/nilai/", f"/wilayah/{peer.region_id}/dasbor/"],
                headers=cookie(assessor)),
        Persona("API client", ["/api/v1/results?region=16.07", "/api/v1/programmes?region=16.07",
                               f"/api/v1/ranking?year={year}", "/api/v1/submissions", "/api/v1/regions/16.07",
                               "/api/v1/cycles"],
                headers=f"Authorization: Bearer {raw}\r\n"),
    ]
    for p in personas:  # the write step needs the persona's own state: one indicator per virtual user
        p.steps = [autosave(f"/pengajuan/{sub.pk}/jawaban/{{code}}/") if s == "WRITE" else s
                   for s in p.steps]
    info = {"submission": sub.pk, "assessor_submission": peer.pk, "survey": bool(survey), "year": year}
    return personas, info, refresh_versions


def _survey_responses() -> int:
    from kotacerdas.surveys.models import Response

    return Response.objects.count()


def _get(url: str, cookie: str = "", headers: str = "") -> tuple[int, int]:
    extra = dict(line.split(": ", 1) for line in headers.split("\r\n") if ": " in line)
    if cookie:
        extra["Cookie"] = cookie
    req = urllib.request.Request(url, headers=extra)
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 -- loopback URL built above
        return resp.status, len(resp.read())


def run(mode: str) -> dict[str, Any]:
    data = national_dataset()
    cookie = session_cookie()
    personas, journey_info, refresh_versions = journeys()
    coordinator = next(p for p in personas if p.name == "coordinator")
    # Issue #20: the same pages while coordinators write. 50 users: 4 of every 5 read the two pages as the
    # national admin, 1 of every 5 is a coordinator (dashboard, self-assessment screen, autosave: a write).
    readers = Persona("reader", PAGES, headers=f"Cookie: {cookie}\r\n")
    # Its own baseline inside the same run (1 user in 6 only asks /healthz): the ratio then compares times
    # measured in the same seconds, whatever else the machine was doing.
    probe = Persona("healthz", BASELINE, headers=f"Cookie: {cookie}\r\n")
    writes_mix = [readers, readers, readers, readers, coordinator, probe]
    # All virtual citizens come from 127.0.0.1: lift the per-IP survey limit (20/hour) for this server only.
    env = {**os.environ, "DB_CONN_MAX_AGE": "60", "SURVEY_RATE_LIMIT": "1000000"}
    with served("bench-server", env) as server:
        port, base = server.port, server.base
        sizes = {}
        for path in PAGES:  # warm every worker's caches and check the pages render for the admin
            for _ in range(4):
                status, size = _get(base + path, cookie)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
            sizes[path] = size
        failed = []
        for persona in personas:  # every read of every journey answers 200 before any run
            for step in persona.steps:
                if isinstance(step, str):
                    try:
                        status, _ = _get(base + step, headers=persona.headers)
                    except urllib.error.HTTPError as exc:
                        status = exc.code
                    if status != 200:
                        failed.append(f"{persona.name}: {step} answered {status}")
        if failed:
            raise RuntimeError("; ".join(failed))
        seconds = SECONDS[mode]
        limits = {"users": USERS, "seconds": seconds, "max_requests": USERS * seconds * 2}
        baseline = run_load("127.0.0.1", port, BASELINE, cookie=cookie, seed=1, **limits)  # type: ignore[arg-type]
        pages = run_load("127.0.0.1", port, PAGES, cookie=cookie, seed=2, **limits)  # type: ignore[arg-type]
        baseline2 = run_load("127.0.0.1", port, BASELINE, cookie=cookie, seed=3,  # drift check
                             **{**limits, "seconds": max(10, seconds // 3)})  # type: ignore[arg-type]
        refresh_versions()
        mixed = run_journeys("127.0.0.1", port, writes_mix, users=USERS, seconds=seconds,
                             max_requests=USERS * seconds * 2, seed=5)
        refresh_versions()
        responses_before = _survey_responses()
        journey = run_journeys("127.0.0.1", port, personas, users=USERS, seconds=JOURNEY_SECONDS,
                               max_requests=USERS * JOURNEY_SECONDS * 2, seed=4)
        # every survey POST that was answered with the redirect to the thank-you page stored one response
        posted = sum(v.get("n", 0) for k, v in journey["paths"].items() if "citizen answers" in k)
        journey["survey_posts_ok"], journey["survey_rows_written"] = posted, _survey_responses() - responses_before
    if pages["errors"] or journey["errors"]:
        text = server.log.read_text(errors="replace")
        print(f"server log ({server.log}), last traceback:\n" + text[text.rfind("Traceback"):][-6000:], file=sys.stderr)
    return {"dataset": data, "sizes": sizes, "baseline": baseline, "pages": pages, "baseline_after": baseline2,
            "journeys": journey, "journey_info": journey_info, "writes_mix": mixed,
            "personas": {p.name: len(p.steps) for p in personas}, **limits}


def summarise(out: dict[str, Any]) -> dict[str, Any]:
    b, p, b2, j = out["baseline"], out["pages"], out["baseline_after"], out["journeys"]
    base_p95 = max(b["p95"], b2["p95"])  # the less favourable of the two baseline runs
    rows = []
    for label, run_, path in (("baseline before", b, "/healthz"), ("baseline after", b2, "/healthz"),
                              ("pages", p, PAGES[0]), ("pages", p, PAGES[1])):
        s = run_["paths"].get(path, {})
        rows.append([label, path, str(s.get("n", 0)), str(s.get("errors", 0)), fmt_s(s.get("p50")),
                     fmt_s(s.get("p95")), fmt_s(s.get("p99")), f"{s.get('kb', 0):.0f} KB",
                     f"{s['p95'] / base_p95:.1f}×" if s.get("p95") else "–"])
    page_p95 = max(p["paths"][x]["p95"] for x in PAGES if x in p["paths"])
    m = out["writes_mix"]
    for path in PAGES:
        s = m["paths"].get(path, {})
        in_run = m["paths"].get(BASELINE[0], {}).get("p95") or base_p95
        rows.append(["pages + writes", path, str(s.get("n", 0)), str(s.get("errors", 0)), fmt_s(s.get("p50")),
                      fmt_s(s.get("p95")), fmt_s(s.get("p99")), f"{s.get('kb', 0):.0f} KB",
                      f"{s['p95'] / in_run:.1f}× (same-run /healthz)" if s.get("p95") else "–"])
    writes = {k: v for k, v in m["paths"].items() if k not in PAGES and k not in BASELINE}
    s = m["paths"].get(BASELINE[0], {})
    rows.append(["pages + writes", BASELINE[0] + " (same run)", str(s.get("n", 0)), str(s.get("errors", 0)),
                 fmt_s(s.get("p50")), fmt_s(s.get("p95")), fmt_s(s.get("p99")), f"{s.get('kb', 0):.0f} KB", "1.0×"])
    for path, s in sorted(writes.items()):
        rows.append(["pages + writes", path.replace("|", "\\|"), str(s.get("n", 0)), str(s.get("errors", 0)),
                     fmt_s(s.get("p50")), fmt_s(s.get("p95")), fmt_s(s.get("p99")), f"{s.get('kb', 0):.0f} KB", "–"])
    mixed_p95 = max(m["paths"][x]["p95"] for x in PAGES if x in m["paths"])
    mixed_base = m["paths"].get(BASELINE[0], {}).get("p95") or base_p95
    saved = sum(s.get("n", 0) - s.get("errors", 0) for k, s in m["paths"].items() if "autosave" in k)
    jrows = []
    for path, s in sorted(j["paths"].items()):
        jrows.append([path.replace("|", "\\|"), str(s.get("n", 0)), str(s.get("errors", 0)), fmt_s(s.get("p50")),
                      fmt_s(s.get("p95")), fmt_s(s.get("p99")), f"{s.get('kb', 0):.0f} KB"])
    personas = ", ".join(f"{name} ({n} steps)" for name, n in out["personas"].items())
    return {
        "tables": [{"title": f"{out['users']} users for {out['seconds']} s each run, think time 0.5–1.5 s; "
                             f"national dataset: cycle {out['dataset']['cycle']}, {out['dataset']['results']} results",
                    "header": ["run", "path", "requests", "errors", "p50", "p95", "p99", "size", "p95 ÷ /healthz p95"],
                    "rows": rows},
                   {"title": f"Journeys (issue #9): {USERS} users for {j['seconds']:.0f} s, think time 0.5–1.5 s, "
                             f"dealt round-robin to: {personas}",
                    "header": ["path", "requests", "errors", "p50", "p95", "p99", "size"], "rows": jrows}],
        "notes": [f"Throughput: baseline {b['rps']:.1f} req/s, pages {p['rps']:.1f} req/s; statuses "
                  f"{p['statuses']}",
                  f"Pages + writes (issue #20): {USERS} users dealt in sixes: 4 read the two pages, 1 is a coordinator "
                  f"(dashboard, self-assessment screen, autosave with its optimistic-lock version), 1 asks /healthz "
                  f"(the baseline measured in the same seconds); "
                  f"{m['rps']:.1f} req/s, statuses {m['statuses']}, {saved} autosaves stored",
                  f"Journeys: {j['requests']} requests, {j['rps']:.1f} req/s, statuses {j['statuses']} "
                  f"(299 = an autosave answered 200 without saving, 298 = a 200 where a redirect was expected; "
                  f"both counted as errors), p95 over all {fmt_s(j['p95'])}",
                  f"Citizens' survey answers: {j.get('survey_posts_ok', 0)} POSTs answered with the thank-you "
                  f"redirect, {j.get('survey_rows_written', 0)} responses stored"],
        "targets": [
            {"what": "worst page p95 ÷ /healthz p95 (same server, same load)", "value": page_p95 / base_p95,
             "target": "≤ 3", "ok": page_p95 / base_p95 <= 3},
            {"what": "errors under load (pages)", "value": p["errors"], "target": "0", "ok": p["errors"] == 0},
            {"what": "with coordinators writing: worst page p95 ÷ /healthz p95 of the same run",
             "value": mixed_p95 / mixed_base, "target": "≤ 3", "ok": mixed_p95 / mixed_base <= 3},
            {"what": "with coordinators writing: errors (pages and autosaves)", "value": m["errors"], "target": "0",
             "ok": m["errors"] == 0},
            {"what": "with coordinators writing: autosaves stored", "value": saved, "target": "> 0", "ok": saved > 0},
            {"what": f"errors in the journeys run ({USERS} users, {JOURNEY_SECONDS} s, with writes)",
             "value": j["errors"], "target": "0", "ok": j["errors"] == 0},
            {"what": "journeys: survey answers accepted = responses stored", "value":
             f"{j.get('survey_posts_ok', 0)}/{j.get('survey_rows_written', 0)}", "target": "equal, > 0",
             "ok": 0 < j.get("survey_posts_ok", 0) == j.get("survey_rows_written", 0)},
        ],
    }


def main() -> None:
    bench_main(run, summarise)


if __name__ == "__main__":
    main()
