"""A whole evaluation cycle driven only through the API: the national admin opens it, uploads the
participants, invites a coordinator and an assessor (who set their password from the invitation mail),
forms a panel, assigns by suggestion, schedules Tahap II; the coordinator fills and submits; the panel
scores, gives feedback, agrees and concludes; the admin finalises and publishes; the public API shows
the ranking; a correction makes a new version."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.evaluations.queries import indicator_codes
from kotacerdas.scoring.packs import get_pack

from .journey import REGIONS, YEAR, accept_invitation, ok

pytestmark = pytest.mark.django_db
DEMO_PASSWORD = "demo-kotacerdas-2024"


def _login(email: str) -> Client:
    c = Client()
    assert c.login(username=email, password=DEMO_PASSWORD)
    return c


def test_it_runs_a_whole_cycle_through_the_api() -> None:
    admin = _login("admin@kotacerdas.test")
    packs = ok(admin.get("/api/v1/packs"))
    kominfo = next(p for p in packs if p["code"] == "kominfo-2021")
    assert kominfo["status"] == "reconstructed"
    assert kominfo["name_en"] == get_pack("kominfo-2021", kominfo["version"]).name_en  # the English name, too
    cycle = ok(admin.post("/api/v1/cycles", {
        "year": YEAR, "pack_code": "kominfo-2021", "pack_version": kominfo["version"],
        "self_assessment_deadline": "2099-01-01T00:00:00+07:00", "assessment_starts": "2020-01-01T00:00:00+07:00",
        "assessment_ends": "2099-01-01T00:00:00+07:00", "tahap_2_on": "2031-08-01", "class_a_min_index": "3.5",
    }, content_type="application/json"), 201)
    cid = YEAR
    assert cycle["stage"] == "self_assessment" and cycle["pack_status"] == "reconstructed"

    bad = SimpleUploadedFile("peserta.csv", b"kode\n16.07\n99.99\n", content_type="text/csv")
    refused = admin.post(f"/api/v1/cycles/{cid}/participants/upload", {"file": bad})
    assert refused.status_code == 422 and "99.99" in refused.json()["detail"]
    assert ok(admin.get(f"/api/v1/cycles/{cid}/participants")) == []
    csv = ("kode,kelas\n" + "\n".join(f"{c},{'A' if c == '16.10' else 'B'}" for c in REGIONS)).encode()
    added = ok(admin.post(f"/api/v1/cycles/{cid}/participants/upload",
                          {"file": SimpleUploadedFile("peserta.csv", csv, content_type="text/csv")}))
    assert added == {"added": 3, "participants": 3}

    ok(admin.post("/api/v1/users/invitations", {"email": "koordinator.baru@banyuasin.test", "role": "coordinator",
                                                "region": "16.07", "name": "Koor Baru"},
                  content_type="application/json"), 201)
    ok(admin.post("/api/v1/users/invitations", {"email": "asesor.baru@kotacerdas.test", "role": "assessor",
                                                "experience": "AB", "name": "Asesor Baru"},
                  content_type="application/json"), 201)
    coordinator = accept_invitation("koordinator.baru@banyuasin.test")
    lead = accept_invitation("asesor.baru@kotacerdas.test", totp=True)
    # a coordinator may not open cycles nor invite an assessor
    assert coordinator.post("/api/v1/cycles", {"year": 2032, "pack_code": "kominfo-2021", "pack_version": "2021.1"},
                            content_type="application/json").status_code == 403
    assert coordinator.post("/api/v1/users/invitations", {"email": "x@y.id", "role": "assessor"},
                            content_type="application/json").status_code == 403

    panel = ok(admin.post(f"/api/v1/cycles/{cid}/panels", {
        "name": "Panel 2031 B", "region_class": "B", "lead": "asesor.baru@kotacerdas.test",
        "members": ["asesor1@kotacerdas.test", "asesor2@kotacerdas.test"]}, content_type="application/json"), 201)
    assert len(panel["members"]) == 3
    proposal = ok(admin.post(f"/api/v1/cycles/{cid}/assignments/suggest", {"apply": False},
                             content_type="application/json"))
    assert {a["region"] for a in proposal["assignments"]} == {"16.07", "16.06"} and "16.10" in proposal["unplaced"]
    applied = ok(admin.post(f"/api/v1/cycles/{cid}/assignments/suggest", {"apply": True},
                            content_type="application/json"))
    assert applied["load"] == {"Panel 2031 B": 2}
    load = ok(admin.get(f"/api/v1/cycles/{cid}/assessor-load"))
    assert {r["assessor"] for r in load} >= {"asesor.baru@kotacerdas.test"} and load[0]["regions"] == 2

    mail.outbox.clear()
    meeting = ok(admin.put(f"/api/v1/cycles/{cid}/meetings/16.07", {
        "date": "2031-08-01", "time": "09:00", "timezone": "WIB", "meeting_url": "https://zoom.us/j/123",
        "place": "Ruang rapat Bupati"}, content_type="application/json"))
    assert meeting["local"] == "01-08-2031 09:00 WIB"
    moved = {"date": "2031-08-02", "time": "10:00", "timezone": "WIB", "place": "Ruang rapat Bupati"}
    url = f"/api/v1/cycles/{cid}/meetings/16.07"
    assert admin.put(url, moved, content_type="application/json").status_code == 428  # which version did you see?
    assert admin.put(url, {**moved, "expected_version": 7}, content_type="application/json").status_code == 409
    assert ok(admin.put(url, moved, content_type="application/json", HTTP_IF_MATCH='"1"'))["version"] == 2
    invited = {to for m in mail.outbox for to in m.to}
    assert {"koordinator.baru@banyuasin.test", "asesor.baru@kotacerdas.test"} <= invited
    ics = next(m for m in mail.outbox if "01-08-2031" in m.body).attachments[0]
    assert ics[0] == "tahap-2-16.07.ics" and "DTSTART:20310801T020000Z" in ics[1]

    detail = ok(admin.get(f"/api/v1/cycles/{cid}/stage"))
    assert detail["next_stage"] == "tahap_1" and detail["next_stage_locks"]
    ok(admin.post(f"/api/v1/cycles/{cid}/advance", {"to_stage": "tahap_1"}, content_type="application/json"))

    sub_id = next(s["id"] for s in ok(coordinator.get("/api/v1/submissions", {"year": str(YEAR), "region": "16.07"}))
                  if s["stage"] == "tahap_1")
    codes = indicator_codes(get_pack("kominfo-2021", kominfo["version"]))
    for code in codes:
        ok(coordinator.put(f"/api/v1/submissions/{sub_id}/answers/{code}", {"level": 3, "justification": "ada"},
                           content_type="application/json"))
    assert ok(coordinator.post(f"/api/v1/submissions/{sub_id}/submit", {},
                               content_type="application/json"))["status"] == "submitted"
    ok(lead.post(f"/api/v1/submissions/{sub_id}/start-assessment", {}, content_type="application/json"))
    panel_clients = [lead, _login("asesor1@kotacerdas.test"), _login("asesor2@kotacerdas.test")]
    for i, c in enumerate(panel_clients):
        for code in codes:
            ok(c.put(f"/api/v1/submissions/{sub_id}/scores/{code}", {"level": 2 + (i == 0)},
                     content_type="application/json"))
        ok(c.post(f"/api/v1/submissions/{sub_id}/assessment/complete"))
    fb = ok(lead.post(f"/api/v1/submissions/{sub_id}/feedback", {
        "programme": "jam-kunci", "strengths": "Layanan cepat", "recommendation": "Integrasikan dengan SIAK"},
        content_type="application/json"), 201)
    assert fb["programme"] == "jam-kunci"
    ok(lead.put(f"/api/v1/submissions/{sub_id}/consensus", {"levels": {codes[0]: 4}},
                content_type="application/json"))
    assert ok(lead.post(f"/api/v1/submissions/{sub_id}/conclude", {},
                        content_type="application/json"))["status"] == "assessed"

    progress = ok(admin.get(f"/api/v1/cycles/{cid}/progress", {"status": "concluded"}))
    assert [r["region"] for r in progress] == ["16.07"]
    assert ok(admin.post(f"/api/v1/cycles/{cid}/reminders", {}, content_type="application/json"))["count"] >= 0
    assert ok(admin.post(f"/api/v1/cycles/{cid}/finalise", {}, content_type="application/json"))["count"] == 1
    preview = ok(admin.get(f"/api/v1/cycles/{cid}/publication-preview"))
    assert [(r["rank"], r["region"], r["new"]) for r in preview] == [(1, "16.07", True)]
    assert ok(Client().get("/api/v1/ranking", {"year": YEAR})) == []
    wrong = admin.post(f"/api/v1/cycles/{cid}/publish", {"confirm": "ya"}, content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["field"] == "confirm"
    assert ok(admin.post(f"/api/v1/cycles/{cid}/publish", {"confirm": f"TERBITKAN {YEAR}"},
                         content_type="application/json"))["count"] == 1

    ranking = ok(Client().get("/api/v1/ranking", {"year": YEAR}))
    assert [(r["rank"], r["region"]) for r in ranking] == [(1, "16.07")]
    before = ranking[0]["index"]
    fixed = ok(admin.post(f"/api/v1/submissions/{sub_id}/correction", {
        "levels": {codes[1]: 4}, "reason": "Bukti dukung terlewat saat konsensus"}, content_type="application/json"))
    assert fixed["version"] == 2 and fixed["index"] > before
    assert "Bukti dukung terlewat" in Client().get("/publik/16.07/", {"tahun": YEAR}).content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"evaluations.open_cycle", "accounts.invite", "evaluations.suggest_assignments",
            "evaluations.schedule_meeting", "evaluations.publish_cycle", "evaluations.correct_result"} <= actions
