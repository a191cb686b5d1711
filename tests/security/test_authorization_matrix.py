"""Every role × every page (and the evaluation actions' rules) × own/other region: allowed or denied.

Actors (tests/base.py + budi): anon (public); alice national admin; andi (panel lead) and ayu, assessors
assigned to Banyuasin; budi, an assessor not assigned; arif, an assessor who lives in Banyuasin (conflict
of interest: he may read his own region as a member but never score it); citra coordinator, oki operator
(Disdukcapil) and eka executive of Banyuasin; mira, coordinator of another region (Musi Banyuasin).
A new page must be added to EXPECT (or to EXEMPT with a reason), so nothing is left unchecked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kotacerdas.core.errors import InvalidInput, NotAllowed
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations import rules as perms

pytestmark = pytest.mark.django_db

ROLES = ["anon", "alice", "andi", "ayu", "budi", "arif", "citra", "oki", "eka", "mira"]
ALL = set(ROLES)
REGION = {"alice", "andi", "ayu", "arif", "citra", "oki", "eka"}  # admin, assigned assessors, own region
ASSESS = {"alice", "andi", "ayu"}
NATIONAL = {"alice", "andi", "ayu", "budi", "arif"}

# route name -> roles that may GET it (everyone else: login redirect, 403 or 404)
EXPECT: dict[str, set[str]] = {
    "healthz": ALL, "web:home": ALL, "web:programmes": ALL, "web:programme": ALL, "web:region_map": ALL,
    "web:region_map_data": ALL, "web:national_map": ALL, "web:national_map_data": ALL, "web:portal": ALL,
    "web:public_region": ALL, "web:surveys:public_form": ALL, "web:surveys:public_thanks": ALL,
    "web:surveys:public_qr": ALL,
    "web:dashboard": REGION, "web:submission": REGION, "web:reports": REGION,
    "web:actionplans:plan": REGION, "web:actionplans:export": REGION, "web:actionplans:item": REGION,
    "web:surveys:manage": REGION, "web:surveys:export": REGION, "web:surveys:public_summary": REGION,
    "web:assess": ASSESS,
    "web:national": NATIONAL,
    "web:national_ranking": ALL,
    "web:admin_home": {"alice"}, "web:admin_people": {"alice"}, "web:admin_cycle": {"alice"},
    "web:admin_panels": {"alice"}, "web:admin_schedule": {"alice"}, "web:admin_progress": {"alice"},
    "web:admin_publish": {"alice"}, "web:region_people": {"alice", "citra"},
    "web:actionplans:new": {"citra"},
    "monitoring:upload": {"alice", "citra", "oki"},
    "web:surveys:paper": {"citra", "oki"}, "web:surveys:paper_template": {"citra", "oki"},
    # catalogue editing: jam-kunci belongs to oki's unit (Disdukcapil); units are the coordinator's
    "web:programme_new": {"alice", "citra", "oki"}, "web:programme_edit": {"alice", "citra", "oki"},
    "web:units": {"alice", "citra", "oki"}, "web:unit_edit": {"alice", "citra"},
    # IID self-assessment: the region's members (arif lives there) and the admin; no panel is assigned to
    # the IID cycle, so the Smart City panel's assessors see nothing of it
    "web:iid": {"alice", "arif", "citra", "oki", "eka"},
    # what-if (nothing saved): the region's coordinator and its bupati only
    "web:whatif": {"citra", "eka"},
}
# POST-only endpoints: the gate in front of the action. Denied roles must be stopped before the action
# (login redirect / 403 / 404); allowed roles reach the action, whose own rules are tested below.
POST_GATE: dict[str, set[str]] = {
    name: REGION for name in (
        "web:save_answer", "web:evidence_file", "web:evidence_link", "web:submit", "web:save_score",
        "web:complete_assessment", "web:consensus", "web:start_assessment", "web:return_submission",
        "web:conclude", "web:actionplans:import", "web:report_import", "web:apply_survey_level")
}
EXEMPT = {
    "web:login": "redirect to allauth's login page", "web:logout": "redirect to allauth's logout page",
    "web:geojson": "public boundary files (tested in tests/web)",
    "web:evidence_archive": "needs an evidence id; tested below (unit scope, executive)",
    "web:feedback": "needs a programme form; tested in tests/web and e2e",
    "web:report_start": "POST with a format; tested in tests/reports",
    "web:report_job": "needs a report job; tested in tests/reports",
    "web:report_download": "needs a report job; tested in tests/reports",
    "web:actionplans:import_status": "needs an import job; tested in tests/actionplans",
    "monitoring:job": "needs an import job; tested in tests/monitoring/test_upload_page.py",
    "monitoring:columns": "needs the uploader's draft job; tested in tests/monitoring/test_upload_page.py",
    "monitoring:apply": "POST on the uploader's preview; tested in tests/monitoring/test_upload_page.py",
    "monitoring:template": "needs a format (xlsx/csv); same gate as monitoring:upload, tested in "
                           "tests/monitoring/test_upload_page.py",
    "web:report_import_job": "needs an import job; tested in tests/reports/test_web_import.py",
    "web:report_import_apply": "needs an import job; tested in tests/reports/test_web_import.py",
    "web:programme_archive": "a write: every actor in test_it_lets_only_the_right_people_change_the_catalogue",
    "web:programme_restore": "a write: every actor in test_it_lets_only_the_right_people_change_the_catalogue",
}


def _routes():
    def walk(patterns, prefix="", ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                n = (ns + ":" if ns else "") + p.namespace if p.namespace else ns
                yield from walk(p.url_patterns, prefix + str(p.pattern), n)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), (ns + ":" if ns else "") + (p.name or "")

    for path, name in walk(get_resolver().url_patterns):
        if path.startswith(("admin/", "akun/", "api/", "static/", "i18n/", "^")):
            continue
        yield path, name


def _url(path: str, name: str, matrix) -> str:
    values = {"pk": str(matrix.sub.pk), "code": "16.07", "programme": "jam-kunci", "evidence_id": "0",
              "job_id": "0", "token": matrix.kwargs["survey"]["token"], "name": "banyuasin_kecamatan"}
    if name.startswith("web:actionplans"):
        values["pk"] = str(matrix.kwargs["item"]["pk"])
    if name.startswith("web:surveys"):
        values["pk"] = str(matrix.kwargs["survey"]["pk"])
    if name == "web:unit_edit":
        values["pk"] = str(matrix.kwargs["unit"]["pk"])
    if name.startswith("web:admin_"):
        values["pk"] = str(matrix.sub.cycle_id)
    if name in ("web:save_answer", "web:save_score", "web:evidence_file", "web:evidence_link",
                "web:apply_survey_level"):
        values["code"] = "output.kebijakan.masterplan"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(str(m.group(1)), "x"), path)


def _allowed(response) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    if response.status_code in (301, 302):
        return "/akun/login" not in response["Location"] and "/masuk/" not in response["Location"]
    return True


def test_it_has_an_expectation_for_every_page() -> None:
    names = {name for _, name in _routes()}
    unknown = names - set(EXPECT) - set(POST_GATE) - set(EXEMPT)
    assert not unknown, f"pages without an authorization expectation: {sorted(unknown)}"


def test_it_lets_each_role_open_exactly_its_pages(matrix) -> None:
    wrong = []
    for path, name in _routes():
        expected = EXPECT.get(name)
        gate = POST_GATE.get(name)
        if expected is None and gate is None:
            continue
        url = _url(path, name, matrix)
        for role in ROLES:
            client = Client()
            if matrix.users[role] is not None:
                client.force_login(matrix.users[role])
            response = client.get(url) if expected is not None else client.post(url, {})
            allowed = _allowed(response)
            want = role in (expected if expected is not None else gate)  # type: ignore[operator]
            if allowed != want:
                wrong.append(f"{name} {url} {role}: got {response.status_code}, want {'allow' if want else 'deny'}")
    assert not wrong, "\n".join(wrong)


RULES = {
    # rule -> roles for which it holds on Banyuasin's submission in the open assessment window
    "view_submission": ({"alice", "andi", "ayu", "arif", "citra", "oki", "eka"}, perms.can_view_submission),
    "edit_answers": ({"citra"}, perms.can_edit_answers),
    "add_evidence": ({"citra", "oki"}, perms.can_add_evidence),
    "submit": ({"citra"}, perms.can_submit),
    "return": ({"alice", "andi"}, perms.can_return),
    "score": ({"andi", "ayu"}, perms.can_score),
    "set_consensus": ({"andi"}, perms.can_set_consensus),
    "conclude": ({"alice", "andi"}, perms.can_conclude),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_it_applies_each_evaluation_rule_to_each_role(matrix, rule: str) -> None:
    expected, predicate = RULES[rule]
    got = {role for role, user in matrix.users.items() if user is not None and predicate.test(user, matrix.sub)}
    assert got == expected


def test_it_keeps_other_regions_out_of_every_action(matrix, actors) -> None:
    from kotacerdas.core.errors import ActionError

    code = "output.kebijakan.masterplan"
    attempts = [
        lambda u: actions.do_save_answer(u, matrix.sub, code, 2),
        lambda u: actions.do_add_evidence_link(u, matrix.sub, code, "https://contoh.go.id"),
        lambda u: actions.do_submit(u, matrix.sub),
        lambda u: actions.do_return(u, matrix.sub, {code: "x"}),
        lambda u: actions.do_start_assessment(u, matrix.sub),
        lambda u: actions.do_finalise(u, matrix.sub),
        lambda u: actions.do_publish(u, matrix.sub.cycle),
    ]
    for user in (actors.mira, matrix.users["budi"], actors.eka):
        for attempt in attempts:
            with pytest.raises(ActionError):
                attempt(user)
    assert not matrix.sub.answers.exists() and not matrix.sub.evidence.exists()


@pytest.mark.parametrize(("url", "anon_status"), [
    ("/api/v1/submissions", 401), ("/api/v1/action-plans?region=16.07&year=2024", 401),
    ("/api/v1/tokens", 401), ("/api/v1/assessments", 401), ("/api/v1/feedback", 401),
])
def test_it_asks_the_public_to_log_in_for_private_api(url: str, anon_status: int) -> None:
    assert Client().get(url).status_code == anon_status


def test_it_never_shows_unpublished_results_to_the_public(matrix, actors) -> None:
    from kotacerdas.scoring import engine

    # an unpublished result of the 2030 test cycle

    pack = queries.cycle_pack(matrix.sub.cycle)
    actions.store_result(actors.alice, matrix.sub.cycle, "16.07", engine.score(pack, answers={}), pack)
    public = Client().get("/api/v1/results", {"year": 2030}).json()
    assert public["count"] == 0
    admin = Client()
    admin.force_login(actors.alice)
    assert admin.get("/api/v1/results", {"year": 2030}).json()["count"] == 1
    assert "2030" not in Client().get("/publik/16.07/").content.decode()
    mira = Client()
    mira.force_login(actors.mira)
    assert mira.get("/api/v1/results", {"year": 2030}).json()["count"] == 0


def _catalogue_writes(matrix):
    """Each catalogue write on the web: (name, url, form data, did it happen?)."""
    from kotacerdas.catalogue.models import Programme, Unit

    dukcapil, bpbd = matrix.kwargs["unit"]["pk"], Unit.objects.get(region_id="16.07", short_name="BPBD").pk
    jam = Programme.objects.get(region_id="16.07", code="jam-kunci")
    base = {"title": "Program Uji", "subdimension": "society.sistem_keamanan", "sector": "sosial",
            "start_year": "2024", "status": "running", "area_scope": "whole"}
    edit = {**base, "title": "JAM KUNCI diubah", "owner": str(dukcapil), "subdimension": jam.subdimension_id,
            "version": str(jam.version)}
    return [
        ("create programme of own unit", "/wilayah/16.07/program/baru/",
         {**base, "code": "uji-dukcapil", "owner": str(dukcapil)},
         lambda: Programme.objects.filter(code="uji-dukcapil").exists()),
        ("create programme of another unit", "/wilayah/16.07/program/baru/",
         {**base, "code": "uji-bpbd", "owner": str(bpbd)}, lambda: Programme.objects.filter(code="uji-bpbd").exists()),
        ("edit programme", "/wilayah/16.07/program/jam-kunci/ubah/", edit,
         lambda: Programme.objects.get(pk=jam.pk).title == "JAM KUNCI diubah"),
        ("edit another unit's programme", "/wilayah/16.07/program/oss/ubah/",
         {**base, "title": "OSS diubah", "owner": str(Programme.objects.get(region_id="16.07", code="oss").owner_id),
          "version": str(Programme.objects.get(region_id="16.07", code="oss").version)},
         lambda: Programme.objects.get(region_id="16.07", code="oss").title == "OSS diubah"),
        ("archive programme", "/wilayah/16.07/program/jam-kunci/arsipkan/", {"reason": "uji"},
         lambda: Programme.objects.get(pk=jam.pk).archived_at is not None),
        ("create unit", "/wilayah/16.07/unit/", {"name": "Dinas Uji", "kind": "opd"},
         lambda: Unit.objects.filter(name="Dinas Uji").exists()),
        ("edit unit", f"/wilayah/16.07/unit/{dukcapil}/", {"name": "Dinas Dukcapil", "short_name": "Dukcapil",
                                                           "kind": "opd"},
         lambda: Unit.objects.get(pk=dukcapil).short_name == "Dukcapil"),
        ("archive unit", f"/wilayah/16.07/unit/{bpbd}/", {"do": "archive"},
         lambda: Unit.objects.get(pk=bpbd).archived_at is not None),
    ]


CATALOGUE_WRITES = {
    "create programme of own unit": {"alice", "citra", "oki"},
    "create programme of another unit": {"alice", "citra"},
    "edit programme": {"alice", "citra", "oki"},
    "edit another unit's programme": {"alice", "citra"},
    "archive programme": {"alice", "citra", "oki"},
    "create unit": {"alice", "citra"},
    "edit unit": {"alice", "citra"},
    "archive unit": set(),  # BPBD still owns programmes: refused for everyone, never a 500
}


def test_it_lets_only_the_right_people_change_the_catalogue(matrix) -> None:
    from django.db import transaction

    from kotacerdas.catalogue.models import Programme

    wrong = []
    for name, url, data, happened in _catalogue_writes(matrix):
        for role in ROLES:
            client = Client()
            if matrix.users[role] is not None:
                client.force_login(matrix.users[role])
            with transaction.atomic():
                response = client.post(url, data)
                done = happened()
                transaction.set_rollback(True)
            want = role in CATALOGUE_WRITES[name]
            if done != want or response.status_code >= 500:
                wrong.append(f"{name} {role}: got {response.status_code}, done={done}, want {want}")
            if not want and matrix.users[role] is None and "/akun/login" not in response.get("Location", ""):
                wrong.append(f"{name} anon: not sent to the login page ({response.status_code})")
    # restoring: archived jam-kunci back by each actor
    jam = Programme.objects.get(region_id="16.07", code="jam-kunci")
    for role in ROLES:
        client = Client()
        if matrix.users[role] is not None:
            client.force_login(matrix.users[role])
        with transaction.atomic():
            Programme.objects.filter(pk=jam.pk).update(archived_at="2024-01-01T00:00:00Z")
            response = client.post("/wilayah/16.07/program/jam-kunci/pulihkan/", {})
            done = Programme.objects.get(pk=jam.pk).archived_at is None
            transaction.set_rollback(True)
        if done != (role in {"alice", "citra", "oki"}) or response.status_code >= 500:
            wrong.append(f"restore programme {role}: got {response.status_code}, done={done}")
    assert not wrong, "\n".join(wrong)


# --- national administration API: every route x every actor ---------------------------------------------
ADMIN = {"alice"}
COORDINATORS = {"alice", "citra", "mira"}  # admins, and coordinators for their own region's people


def _national_routes(matrix, actors):
    """(method, url, body builder (role -> body), roles allowed). Bodies are refused by the action's own
    checks for the allowed roles where possible (422/409), so the matrix changes little."""
    from kotacerdas.accounts.models import Membership

    sub = matrix.sub.pk
    eka_membership = Membership.objects.get(user=actors.eka).pk
    y = "/api/v1/cycles/2030"
    return [
        ("get", "/api/v1/packs", None, ADMIN),
        ("post", "/api/v1/cycles", lambda r: {"year": 2030, "pack_code": "kominfo-2021", "pack_version": "2021.1"},
         ADMIN),
        ("get", f"{y}/stage", None, ADMIN),
        ("post", f"{y}/advance", lambda r: {"to_stage": "published"}, ADMIN),
        ("get", f"{y}/participants", None, ADMIN),
        ("post", f"{y}/participants", lambda r: {"regions": {"99.99": "B"}}, ADMIN),
        ("upload", f"{y}/participants/upload", lambda r: b"kode\n99.99\n", ADMIN),
        ("get", f"{y}/panels", None, ADMIN),
        ("post", f"{y}/panels", lambda r: {"name": "X", "region_class": "B", "lead": "andi@test.id", "members": []},
         ADMIN),
        ("post", f"{y}/assignments", lambda r: {"panel": "Panel uji", "region": "16.07"}, ADMIN),
        ("post", f"{y}/assignments/suggest", lambda r: {"apply": False}, ADMIN),
        ("get", f"{y}/assessor-load", None, ADMIN),
        ("get", f"{y}/meetings", None, ADMIN),
        ("put", f"{y}/meetings/16.07", lambda r: {"date": "2030-09-01", "time": "09:00", "timezone": "WIB"}, ADMIN),
        ("get", f"{y}/progress", None, ADMIN),
        ("post", f"{y}/reminders", lambda r: {"regions": []}, ADMIN),
        ("post", f"{y}/finalise", lambda r: {}, ADMIN),
        ("get", f"{y}/publication-preview", None, ADMIN),
        ("post", f"{y}/publish", lambda r: {"confirm": "bukan"}, ADMIN),
        ("post", f"/api/v1/submissions/{sub}/reopen", lambda r: {"reason": "uji"}, ADMIN),
        ("post", f"/api/v1/submissions/{sub}/correction", lambda r: {"levels": {"x": 1}, "reason": "uji"}, ADMIN),
        ("get", "/api/v1/users", None, COORDINATORS),
        ("post", "/api/v1/users/invitations",
         lambda r: {"email": f"{r}-bupati@test.id", "role": "executive", "region": "16.07"}, {"alice", "citra"}),
        ("upload", "/api/v1/users/import",
         lambda r: f"email,peran,wilayah\n{r}-op@test.id,pimpinan,16.07\n".encode(), {"alice", "citra"}),
        ("post", f"/api/v1/users/{actors.oki.pk}/memberships", lambda r: {"role": "executive", "region": "16.07"},
         {"alice", "citra"}),
        ("post", f"/api/v1/memberships/{eka_membership}/revoke", lambda r: {"reason": "uji"}, {"alice", "citra"}),
        ("post", f"/api/v1/users/{actors.oki.pk}/active", lambda r: {"active": True}, ADMIN),
    ]


def test_it_lets_only_the_right_roles_use_the_national_administration_api(matrix, actors) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    wrong = []
    for method, url, body, allowed in _national_routes(matrix, actors):
        for role in ROLES:
            client = Client()
            if matrix.users[role] is not None:
                client.force_login(matrix.users[role])
            if method == "get":
                response = client.get(url)
            elif method == "upload":
                response = client.post(url, {"file": SimpleUploadedFile("f.csv", body(role), "text/csv")})
            else:
                response = getattr(client, method)(url, body(role), content_type="application/json")
            denied = response.status_code in (401, 403, 404)
            if denied == (role in allowed):
                wrong.append(f"{method.upper()} {url} {role}: got {response.status_code} "
                             f"{response.content[:120]!r}, want {'allow' if role in allowed else 'deny'}")
    assert not wrong, "\n".join(wrong)


ADMIN_PAGES = ["web:admin_home", "web:admin_people", "web:admin_cycle", "web:admin_panels", "web:admin_schedule",
               "web:admin_progress", "web:admin_publish"]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_it_refuses_every_national_administration_form_to_everyone_but_the_admin(matrix, name: str) -> None:
    from django.urls import reverse

    from kotacerdas.accounts.models import AuditEvent

    url = reverse(name, args=[] if name in ("web:admin_home", "web:admin_people") else [matrix.sub.cycle_id])
    before = AuditEvent.objects.count()
    for role in ROLES:
        if role == "alice":
            continue
        client = Client()
        if matrix.users[role] is not None:
            client.force_login(matrix.users[role])
        for action in ("invite", "advance", "add", "form", "apply", "remind", "reopen", "finalise", "publish", ""):
            response = client.post(url, {"action": action, "year": "2040", "pack": "kominfo-2021@2021.1",
                                         "email": f"{role}@baru.id", "role": "executive", "region": "16.07",
                                         "to_stage": "published", "confirm": "TERBITKAN 2030", "date": "2030-09-01",
                                         "time": "09:00", "place": "x"})
            assert not _allowed(response), f"{name} {action} {role}: {response.status_code}"
    assert AuditEvent.objects.count() == before

# --- unit scope: an operator writes only what their own unit owns -----------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
CODE = "output.kebijakan.masterplan"


def _other_units_evidence(matrix, actors):
    """Evidence the coordinator filed: one under DPMPTSP's OSS (oki's unit is Disdukcapil), one under no
    programme at all (the coordinator's own)."""
    oss = matrix.sub.region.programmes.get(code="oss")
    foreign = actions.do_add_evidence_link(actors.citra, matrix.sub, CODE, "https://oss.contoh.go.id", programme=oss)
    unowned = actions.do_add_evidence_link(actors.citra, matrix.sub, CODE, "https://perbup.contoh.go.id")
    return oss, foreign, unowned


def test_it_keeps_a_unit_operator_to_own_unit_in_every_evidence_action(matrix, actors) -> None:
    oss, foreign, unowned = _other_units_evidence(matrix, actors)
    jam = matrix.sub.region.programmes.get(code="jam-kunci")  # oki's unit (Disdukcapil)
    refused = [
        lambda: actions.do_archive_evidence(actors.oki, foreign),
        lambda: actions.do_archive_evidence(actors.oki, unowned),
        lambda: actions.do_add_evidence_link(actors.oki, matrix.sub, CODE, "https://x.contoh.go.id"),
        lambda: actions.do_add_evidence_link(actors.oki, matrix.sub, CODE, "https://x.contoh.go.id", programme=oss),
        lambda: actions.do_add_evidence_file(actors.oki, matrix.sub, CODE, PDF, "a.pdf"),
        lambda: actions.do_add_evidence_file(actors.oki, matrix.sub, CODE, PDF, "a.pdf", programme=oss),
        lambda: actions.do_save_answer(actors.oki, matrix.sub, CODE, 2),
    ]
    for attempt in refused:
        with pytest.raises(NotAllowed):
            attempt()
    foreign.refresh_from_db()
    unowned.refresh_from_db()
    assert foreign.archived_at is None and unowned.archived_at is None
    own = actions.do_add_evidence_link(actors.oki, matrix.sub, CODE, "https://jam.contoh.go.id", programme=jam)
    assert actions.do_archive_evidence(actors.oki, own).archived_at is not None
    # the coordinator may archive anything of the region
    assert actions.do_archive_evidence(actors.citra, foreign).archived_at is not None


def test_it_refuses_a_programme_of_another_region_as_evidence_target(matrix, actors) -> None:
    from kotacerdas.catalogue.models import Programme, Unit

    elsewhere = Programme.objects.get(region_id="16.07", code="jam-kunci")
    elsewhere.pk, elsewhere.region_id = None, "16.06"
    elsewhere.owner = Unit.objects.create(region_id="16.06", name="Disdukcapil Muba")
    elsewhere.save()
    with pytest.raises(InvalidInput):
        actions.do_add_evidence_link(actors.citra, matrix.sub, CODE, "https://x.contoh.go.id", programme=elsewhere)


@pytest.mark.parametrize("role", ["oki", "mira", "eka", "budi"])
def test_it_refuses_the_web_evidence_writes_of_another_unit(matrix, actors, role) -> None:
    oss, foreign, unowned = _other_units_evidence(matrix, actors)
    client = Client()
    client.force_login(matrix.users[role])
    before = matrix.sub.evidence.count()
    for ev in (foreign, unowned):
        hx: tuple[dict[str, Any], ...] = ({}, {"HTTP_HX_REQUEST": "true"})
        for headers in hx:
            response = client.post(f"/pengajuan/{matrix.sub.pk}/bukti/{ev.pk}/arsip/", **headers)
            assert response.status_code in (302, 403, 404), response.status_code
            assert "tersimpan" not in response.content.decode()
            ev.refresh_from_db()
            assert ev.archived_at is None
    for data in ({"url": "https://x.contoh.go.id"}, {"url": "https://x.contoh.go.id", "programme": oss.pk}):
        response = client.post(f"/pengajuan/{matrix.sub.pk}/bukti/{CODE}/tautan/", data, HTTP_HX_REQUEST="true")
        assert response.status_code in (403, 404)
        assert "Bukti dukung tersimpan" not in response.content.decode()
    assert matrix.sub.evidence.count() == before


def test_it_says_archived_not_saved_after_archiving(matrix, actors) -> None:
    ev = actions.do_add_evidence_link(actors.citra, matrix.sub, CODE, "https://perbup.contoh.go.id")
    client = Client()
    client.force_login(actors.citra)
    body = client.post(f"/pengajuan/{matrix.sub.pk}/bukti/{ev.pk}/arsip/", HTTP_HX_REQUEST="true").content.decode()
    assert "Bukti dukung diarsipkan" in body and "Bukti dukung tersimpan" not in body


def test_it_keeps_the_api_link_route_to_own_unit(matrix, actors) -> None:
    client = Client()
    client.force_login(actors.oki)
    url = f"/api/v1/submissions/{matrix.sub.pk}/links/{CODE}"
    for body in ({"url": "https://x.contoh.go.id"}, {"url": "https://x.contoh.go.id", "programme": "oss"}):
        assert client.post(url, body, content_type="application/json").status_code == 403
    ok = client.post(url, {"url": "https://jam.contoh.go.id", "programme": "jam-kunci"},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    upload = client.post(f"/api/v1/submissions/{matrix.sub.pk}/evidence/{CODE}",
                         {"file": _pdf_upload(), "programme": "oss"})
    assert upload.status_code == 403
    upload = client.post(f"/api/v1/submissions/{matrix.sub.pk}/evidence/{CODE}",
                         {"file": _pdf_upload(), "programme": "jam-kunci"})
    assert upload.status_code == 201, upload.content
    assert matrix.sub.evidence.count() == 2


def _pdf_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")


def test_it_applies_one_unit_rule_to_programmes_kpis_and_action_items(actors) -> None:
    from kotacerdas.accounts.rules import can_write_for_unit
    from kotacerdas.actionplans.models import ActionItem
    from kotacerdas.catalogue.models import Programme
    from kotacerdas.monitoring.models import Kpi

    own = [Programme.objects.get(region_id="16.07", code="jam-kunci"),
           Kpi.objects.filter(programme__region_id="16.07", programme__code="jam-kunci").first(),
           ActionItem.objects.filter(region_id="16.07", owner__short_name="Disdukcapil").first()]
    other = [Programme.objects.get(region_id="16.07", code="oss"),
             Kpi.objects.filter(programme__region_id="16.07", programme__code="oss").first(),
             ActionItem.objects.filter(region_id="16.07").exclude(owner__short_name="Disdukcapil").first()]
    for obj in own:
        assert can_write_for_unit.test(actors.oki, obj), obj
        assert can_write_for_unit.test(actors.citra, obj), obj
    for obj in other:
        assert not can_write_for_unit.test(actors.oki, obj), obj
        assert can_write_for_unit.test(actors.citra, obj), obj
    for obj in own + other:
        for user in (actors.eka, actors.mira, actors.andi):
            assert not can_write_for_unit.test(user, obj), (user, obj)


# --- the executive only reads --------------------------------------------------------------------------

# Permissions that only read; every other registered permission is a write and must refuse the executive.
READ_PERMS = {"catalogue.view_programme_private", "regions.view_dashboard", "evaluations.view_submission",
              "actionplans.view_plan", "surveys.view_survey", "surveys.view_personal",
              "monitoring.view_monitoring", "reports.view_reports"}


def test_it_refuses_every_write_permission_to_the_executive(matrix, actors) -> None:
    import rules as django_rules

    from kotacerdas.actionplans.models import ActionItem
    from kotacerdas.catalogue.models import Programme
    from kotacerdas.monitoring.models import Kpi
    from kotacerdas.surveys.models import Survey

    region = matrix.sub.region
    programme = Programme.objects.get(region_id="16.07", code="jam-kunci")
    objects = {  # per app, the objects its permissions are asked about
        "evaluations": [matrix.sub], "reports": [region], "regions": [region], "catalogue": [region, programme],
        "monitoring": [programme, Kpi.objects.filter(programme=programme).first()],
        "actionplans": [region, ActionItem.objects.filter(region_id="16.07").first()],
        "surveys": [region, Survey.objects.filter(region_id="16.07").first()], "accounts": [None],
    }
    names = sorted(django_rules.permissions.permissions)
    writes = [n for n in names if n not in READ_PERMS]
    assert len(writes) >= 15  # the registry is really read
    granted = [(n, o) for n in writes for o in objects[n.split(".")[0]]
               if django_rules.permissions.permissions[n].test(actors.eka, o)]
    assert not granted, granted
    # … and the reads still hold for her own region
    assert django_rules.permissions.permissions["regions.view_dashboard"].test(actors.eka, region)
    assert django_rules.permissions.permissions["reports.view_reports"].test(actors.eka, region)


def _api_writes(matrix, actors):
    """Every write operation of the API with a body that passes validation, so the refusal tested is
    the permission's, not the schema's."""
    from kotacerdas.actionplans.models import ActionItem
    from kotacerdas.monitoring.models import Kpi

    sub = matrix.sub.pk
    item = ActionItem.objects.filter(region_id="16.07").first()
    kpi = Kpi.objects.filter(programme__region_id="16.07").first()
    prog = kpi.programme
    return {
        ("put", "/api/v1/submissions/{submission_id}/answers/{indicator}"):
            (f"/api/v1/submissions/{sub}/answers/{CODE}", {"level": 2, "justification": "x", "expected_version": 0}),
        ("post", "/api/v1/submissions/{submission_id}/evidence/{indicator}"):
            (f"/api/v1/submissions/{sub}/evidence/{CODE}", "file"),
        ("post", "/api/v1/submissions/{submission_id}/links/{indicator}"):
            (f"/api/v1/submissions/{sub}/links/{CODE}", {"url": "https://x.contoh.go.id"}),
        **{("post", f"/api/v1/submissions/{{submission_id}}/{step}"): (f"/api/v1/submissions/{sub}/{step}",
                                                                        {"reason": "x"})
           for step in ("submit", "return", "start-assessment", "conclude", "finalise")},
        ("post", "/api/v1/submissions/{submission_id}/assessment/complete"):
            (f"/api/v1/submissions/{sub}/assessment/complete", {}),
        ("put", "/api/v1/submissions/{submission_id}/consensus"):
            (f"/api/v1/submissions/{sub}/consensus", {"levels": {CODE: 2}, "note": "x"}),
        ("put", "/api/v1/submissions/{submission_id}/scores/{indicator}"):
            (f"/api/v1/submissions/{sub}/scores/{CODE}", {"level": 2}),
        ("post", "/api/v1/submissions/{submission_id}/feedback"):
            (f"/api/v1/submissions/{sub}/feedback", {"programme": prog.code, "strengths": "x"}),
        ("patch", "/api/v1/action-plans/items/{item_id}"):
            (f"/api/v1/action-plans/items/{item.pk}", {"expected_version": item.version, "status": "done"}),
        ("post", "/api/v1/programmes/{programme_id}/kpis"):
            (f"/api/v1/programmes/{prog.pk}/kpis", {"code": "baru", "name": "Baru", "unit": "orang"}),
        ("patch", "/api/v1/kpis/{kpi_id}"): (f"/api/v1/kpis/{kpi.pk}", {"name": "Ganti"}),
        ("post", "/api/v1/kpis/{kpi_id}/values"):
            (f"/api/v1/kpis/{kpi.pk}/values", {"values": [{"period": "2024-01", "value": 1}]}),
        ("post", "/api/v1/regions/{code}/kpi-values"):
            ("/api/v1/regions/16.07/kpi-values", {"values": [{"programme": prog.code, "kpi": kpi.code,
                                                              "period": "2024-01", "value": 1}]}),
        ("post", "/api/v1/regions/{code}/kpi-values/upload"): ("/api/v1/regions/16.07/kpi-values/upload", "csv"),
        ("post", "/api/v1/regions/{code}/events"): ("/api/v1/regions/16.07/events", {"events": []}),
        ("post", "/api/v1/reports"): ("/api/v1/reports", {"region": "16.07", "year": matrix.sub.cycle.year}),
        ("post", "/api/v1/worksheets/{submission_id}"): (f"/api/v1/worksheets/{sub}", "xlsx"),
    }


def _spec_path(spec, method, url):
    """(method, path template) of the spec operation a concrete URL calls."""
    import re as _re

    method = "post" if method == "upload" else method
    for path, ops in spec["paths"].items():
        if method in ops and _re.fullmatch(_re.sub(r"\{[^}]+\}", "[^/]+", path), url):
            return (method, path)
    return (method, url)


# Writes on the executive's own account, not on the region: allowed, and limited by their own rules.
OWN_ACCOUNT_WRITES = {("post", "/api/v1/tokens"), ("post", "/api/v1/tokens/{token_id}/revoke")}


def test_it_refuses_every_api_write_to_the_executive(matrix, actors) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kotacerdas.accounts.models import AuditEvent
    from kotacerdas.api.urls import api

    spec = api.get_openapi_schema()
    operations = {(m, p) for p, ops in spec["paths"].items() for m in ops if m in ("post", "put", "patch", "delete")}
    writes = _api_writes(matrix, actors)
    # national administration: every route x every actor (the executive among them) in its own test above
    national = {_spec_path(spec, method, url) for method, url, _body, _allowed in _national_routes(matrix, actors)
                if method != "get"}
    assert operations - set(writes) - OWN_ACCOUNT_WRITES - national == set(), "a write route without an executive test"
    client = Client()
    client.force_login(actors.eka)
    wrong = []
    for (method, _path), (url, body) in sorted(writes.items()):
        if body in ("file", "csv", "xlsx"):
            payload = {"pdf": ("a.pdf", PDF), "csv": ("a.csv", b"kpi,periode,nilai\n"),
                       "xlsx": ("a.xlsx", b"PK\x03\x04")}["pdf" if body == "file" else body]
            response = client.post(url, {"file": SimpleUploadedFile(*payload)})
        else:
            response = getattr(client, method)(url, body, content_type="application/json")
        if response.status_code not in (401, 403, 404):
            wrong.append(f"{method.upper()} {url}: {response.status_code} {response.content[:200]!r}")
    assert not wrong, "\n".join(wrong)
    assert not AuditEvent.objects.filter(actor=actors.eka).exists()


def test_it_lets_the_executive_hold_only_a_read_token(actors) -> None:
    client = Client()
    client.force_login(actors.eka)
    assert client.post("/api/v1/tokens", {"name": "baca", "scopes": ["read"]},
                       content_type="application/json").status_code == 201
    assert client.post("/api/v1/tokens", {"name": "tulis", "scopes": ["read", "write"]},
                       content_type="application/json").status_code == 403


def test_it_refuses_every_web_write_to_the_executive(matrix, actors) -> None:
    from kotacerdas.accounts.models import AuditEvent
    from kotacerdas.actionplans.models import ActionComment

    ev = actions.do_add_evidence_link(actors.citra, matrix.sub, CODE, "https://perbup.contoh.go.id")
    item, survey = matrix.kwargs["item"]["pk"], matrix.kwargs["survey"]["pk"]
    jam = matrix.sub.region.programmes.get(code="jam-kunci")
    sub = matrix.sub.pk
    posts = [
        (f"/pengajuan/{sub}/jawaban/{CODE}/", {"level": 2, "justification": "x", "expected_version": 0}),
        (f"/pengajuan/{sub}/bukti/{CODE}/tautan/", {"url": "https://x.contoh.go.id", "programme": jam.pk}),
        (f"/pengajuan/{sub}/bukti/{ev.pk}/arsip/", {}),
        (f"/pengajuan/{sub}/kirim/", {}),
        (f"/pengajuan/{sub}/nilai/{CODE}/", {"level": 2}),
        (f"/pengajuan/{sub}/selesai/", {}),
        (f"/pengajuan/{sub}/umpan-balik/", {"programme": jam.pk, "strengths": "x"}),
        (f"/pengajuan/{sub}/konsensus/", {}),
        (f"/pengajuan/{sub}/mulai/", {}),
        (f"/pengajuan/{sub}/kembalikan/", {}),
        (f"/pengajuan/{sub}/tutup/", {}),
        ("/wilayah/16.07/laporan/buat/", {"cycle": matrix.sub.cycle.pk, "format": "pdf"}),
        (f"/wilayah/16.07/rencana-aksi/{item}/", {"do": "comment", "text": "komentar bupati"}),
        (f"/wilayah/16.07/rencana-aksi/{item}/", {"do": "archive"}),
        ("/wilayah/16.07/rencana-aksi/baru/", {"title": "x"}),
        ("/wilayah/16.07/survei/", {"do": "create"}),
        (f"/survei/kelola/{survey}/kertas/", {}),
        ("/wilayah/16.07/kpi/impor/", {}),
        (f"/pengajuan/{sub}/jawaban/{CODE}/survei/", {}),
        ("/wilayah/16.07/laporan/impor/", {"kind": "programmes", "cycle": matrix.sub.cycle.pk,
                                           "file": _pdf_upload()}),
        ("/wilayah/16.07/program/jam-kunci/arsipkan/", {"reason": "x"}),
        ("/wilayah/16.07/program/baru/", {"code": "uji-bupati", "title": "x"}),
        ("/wilayah/16.07/unit/", {"name": "Dinas Bupati", "kind": "opd"}),
    ]
    client = Client()
    client.force_login(actors.eka)
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code < 500, (url, response.status_code)
    assert not AuditEvent.objects.filter(actor=actors.eka).exists()
    assert not ActionComment.objects.filter(author=actors.eka).exists()
    ev.refresh_from_db()
    assert ev.archived_at is None
