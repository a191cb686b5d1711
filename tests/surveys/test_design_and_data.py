"""Survey design, paper responses (form and Excel), exports with and without personal data, the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import InvalidInput, InvalidTransition, NotAllowed
from kotacerdas.surveys import actions
from kotacerdas.surveys.actions import ResponseInput, WindowClosed
from kotacerdas.surveys.choices import Channel, SurveyStatus
from kotacerdas.surveys.excel import paper_template
from kotacerdas.surveys.models import Response, Survey


def test_it_creates_a_survey_with_one_slot_per_subdimension_from_the_pack(actors, survey) -> None:
    from kotacerdas.evaluations.models import Cycle

    cycle2023 = Cycle.objects.get(year=2023, pack_code="kominfo-2021")
    s = actions.do_create_survey(actors.citra, survey.region, cycle2023)
    assert s.status == SurveyStatus.DRAFT and s.target_per_pillar == 50
    assert s.services.count() == 18 and not s.services.filter(programme__isnull=False).exists()
    with pytest.raises(InvalidInput, match="Pilih minimal satu program"):
        actions.do_open_survey(actors.citra, s)
    jam = Programme.objects.get(region_id="16.07", code="jam-kunci")
    with pytest.raises(InvalidInput, match="bukan bagian dari sub-dimensi"):
        actions.do_choose_programme(actors.citra, s, "living.kesehatan", jam)
    actions.do_choose_programme(actors.citra, s, "governance.layanan_publik", jam)
    assert actions.do_open_survey(actors.citra, s).status == SurveyStatus.OPEN
    with pytest.raises(NotAllowed):
        actions.do_create_survey(actors.mira, survey.region, cycle2023)


def test_it_will_not_swap_a_programme_that_already_has_answers(actors, survey) -> None:
    oss = Programme.objects.get(region_id="16.07", code="oss")
    with pytest.raises(InvalidTransition, match="sudah punya tanggapan"):
        actions.do_choose_programme(actors.citra, survey, "governance.layanan_publik", oss)


def test_it_changes_settings_with_optimistic_locking(actors, survey) -> None:
    from kotacerdas.core.errors import StaleEdit

    v = survey.version
    actions.do_update_survey(actors.citra, survey, v, {"target_per_pillar": 60})
    assert survey.target_per_pillar == 60
    with pytest.raises(StaleEdit):
        actions.do_update_survey(actors.citra, Survey.objects.get(pk=survey.pk), v, {"target_per_pillar": 70})


def _paper(survey, **kw) -> ResponseInput:
    service = survey.services.get(subdimension="living.kesehatan")
    data = {"service": service.pk, "kecamatan": "16.07.11", "age_band": "45-54", "gender": "L",
            "answers": {"living.kesehatan.1": 4, "living.kesehatan.2": 4, "living.kesehatan.3": 5},
            "submitted_at": timezone.now() - dt.timedelta(days=2), "paper_ref": "LK-001"}
    data.update(kw)
    return ResponseInput(**data)


def test_it_lets_staff_enter_paper_questionnaires_inside_the_window(actors, survey) -> None:
    r = actions.do_enter_paper_response(actors.oki, survey, _paper(survey))
    assert r.channel == Channel.PAPER and r.entered_by == actors.oki and r.paper_ref == "LK-001"
    with pytest.raises(WindowClosed):
        actions.do_enter_paper_response(actors.citra, survey, _paper(survey, submitted_at=timezone.now()
                                                                              - dt.timedelta(days=400)))
    with pytest.raises(NotAllowed):
        actions.do_enter_paper_response(actors.eka, survey, _paper(survey))


def errors_of(error: Any) -> Any:
    return error.context["errors"]


def _paper_book(survey, rows: list[list[Any]]) -> bytes:
    wb = load_workbook(io.BytesIO(paper_template(survey)))
    ws = wb["Kuesioner"]
    headers = [c.value for c in ws[1]]
    for values in rows:
        row = [None] * len(headers)
        for key, value in zip(["Nomor lembar", "Tanggal isi", "Kecamatan", "Kelompok umur", "Jenis kelamin",
                               "Layanan"], values[:6], strict=True):
            row[headers.index(key)] = value
        for code, v in values[6].items():
            row[headers.index(code)] = v
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_it_imports_paper_questionnaires_from_excel_all_or_nothing(actors, survey) -> None:
    today = timezone.localdate()
    good: list[Any] = ["K-1", today, "Betung", "25-34", "P", "psc-119" if False else "antrean-puskesmas",
            {"living.kesehatan.1": 5, "living.kesehatan.2": 4, "living.kesehatan.3": 4}]
    bad: list[Any] = ["K-2", today, "Kecamatan Fiktif", "25-34", "X", "antrean-puskesmas",
           {"living.kesehatan.1": 9, "living.kesehatan.2": 4, "living.kesehatan.3": 4}]
    before = Response.objects.count()
    with pytest.raises(InvalidInput) as exc:
        actions.do_import_paper(actors.citra, survey, _paper_book(survey, [good, bad]))
    errors = errors_of(exc.value)
    assert {(e["row"], e["column"]) for e in errors} >= {(3, "Kecamatan")}
    assert Response.objects.count() == before
    bad[2] = "Rantau Bayur"
    with pytest.raises(InvalidInput) as exc:
        actions.do_import_paper(actors.citra, survey, _paper_book(survey, [good, bad]))
    assert errors_of(exc.value)[0]["row"] == 3
    assert errors_of(exc.value)[0]["column"] == "living.kesehatan.1"
    bad[6]["living.kesehatan.1"] = 2  # type: ignore[index]
    assert actions.do_import_paper(actors.citra, survey, _paper_book(survey, [good, bad])) == 2
    assert Response.objects.count() == before + 2
    assert Response.objects.filter(channel=Channel.IMPORT, kecamatan__name="Rantau Bayur").exists()


def test_a_paper_row_reports_every_wrong_cell_by_column_in_the_users_language(actors, survey) -> None:
    from django.utils import translation

    row: list[Any] = ["K-9", "31/02/2024", "Kecamatan Fiktif", "99+", "Q", "antrean-puskesmas",
           {"living.kesehatan.1": "lima", "living.kesehatan.2": 4, "living.kesehatan.3": 4}]
    with pytest.raises(InvalidInput) as exc:
        actions.do_import_paper(actors.citra, survey, _paper_book(survey, [row]))
    found = {e["column"]: (e["row"], e["message"], e["value"]) for e in errors_of(exc.value)}
    assert set(found) == {"Tanggal isi", "Kecamatan", "Kelompok umur", "Jenis kelamin", "living.kesehatan.1"}
    assert found["Tanggal isi"] == (2, "Tanggal tidak valid: '31/02/2024' (pakai format dd/mm/yyyy)", "31/02/2024")
    assert found["living.kesehatan.1"][1:] == ("Jawaban harus angka 1–5", "lima")
    assert all(r == 2 for r, _m, _v in found.values())
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        actions.do_import_paper(actors.citra, survey, _paper_book(survey, [row]))
    english = {e["column"]: e["message"] for e in errors_of(exc.value)}
    assert english["Tanggal isi"].startswith("Invalid date") and "Value error" not in " ".join(english.values())


def test_it_rejects_a_paper_file_with_unknown_columns(actors, survey) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Kecamatan", "Kelompok umur", "Jenis kelamin", "Layanan", "pertanyaan_lain"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InvalidInput) as exc:
        actions.do_import_paper(actors.citra, survey, out.getvalue())
    assert errors_of(exc.value)[0]["column"] == "pertanyaan_lain"


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_exports_raw_responses_without_personal_data_by_default(actors, survey) -> None:
    actions.do_enter_paper_response(actors.citra, survey, _paper(survey, contact_name="Budi", contact_phone="0811"))
    r = actors.client(actors.eka).get(f"/survei/kelola/{survey.pk}/unduh/?format=csv")
    assert r.status_code == 200
    rows = _csv(r.content)
    assert len(rows) == Response.objects.filter(survey=survey).count()
    assert "nama" not in rows[0] and "telepon" not in rows[0] and "living.kesehatan.1" in rows[0]
    assert "Budi" not in r.content.decode("utf-8-sig")
    assert actors.client(actors.eka).get(f"/survei/kelola/{survey.pk}/unduh/?format=csv&pribadi=1").status_code == 403
    assert actors.client(actors.oki).get(f"/survei/kelola/{survey.pk}/unduh/?pribadi=1").status_code == 403
    assert actors.client(None).get(f"/survei/kelola/{survey.pk}/unduh/").status_code == 302


def test_it_logs_every_access_to_personal_data(actors, survey) -> None:
    actions.do_enter_paper_response(actors.citra, survey, _paper(survey, contact_name="Budi", contact_phone="0811"))
    r = actors.client(actors.citra).get(f"/survei/kelola/{survey.pk}/unduh/?format=xlsx&pribadi=1")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content))["Tanggapan"]
    assert "nama" in [c.value for c in ws[1]] and any(c.value == "Budi" for row in ws.iter_rows() for c in row)
    event = AuditEvent.objects.filter(action="surveys.view_personal_data").latest("at")
    assert event.actor == actors.citra and event.data["personal"] is True and event.object_id == str(survey.pk)


def test_it_lists_surveys_in_the_public_api_with_counts_per_pillar(actors, survey) -> None:
    r = actors.client(None).get("/api/v1/surveys?region=16.07&year=2024")
    assert r.status_code == 200
    [s] = r.json()
    assert s["status"] == "open" and s["accepting_responses"] is True
    assert s["link"].endswith(f"/survei/{survey.token}/")
    counts = {p["pillar"]: (p["respondents"], p["target"]) for p in s["respondents_per_pillar"]}
    assert counts["governance"] == (61, 50) and counts["branding"] == (129, 150)
    assert s["respondents"] == Response.objects.filter(survey=survey).count()
    assert s["summary_published"] is False and s["summary_link"] is None


def test_it_hides_draft_surveys_from_the_public_api(actors, survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.DRAFT)
    assert actors.client(None).get("/api/v1/surveys?region=16.07").json() == []
    assert actors.client(actors.mira).get("/api/v1/surveys?region=16.07").json() == []
    assert len(actors.client(actors.eka).get("/api/v1/surveys?region=16.07").json()) == 1


def test_it_serves_impact_evidence_to_people_who_may_see_the_survey(actors, survey) -> None:
    r = actors.client(actors.citra).get("/api/v1/surveys/impact-evidence?region=16.07&year=2024")
    assert r.status_code == 200 and len(r.json()) == 18
    assert {"suggested_level", "formula", "margin_of_error"} <= set(r.json()[0])
    assert actors.client(actors.mira).get("/api/v1/surveys/impact-evidence?region=16.07&year=2024").status_code == 403
    assert actors.client(None).get("/api/v1/surveys/impact-evidence?region=16.07&year=2024").status_code == 401


@pytest.mark.parametrize(("who", "status"), [("citra", 200), ("oki", 200), ("eka", 200), ("andi", 200),
                                               ("mira", 403)])
def test_it_shows_the_design_and_progress_page_by_role(actors, survey, who: str, status: int) -> None:
    from tests.base import assign_to_banyuasin

    assign_to_banyuasin(actors.andi)  # assessors see the surveys of regions assigned to their panel
    r = actors.client(getattr(actors, who)).get("/wilayah/16.07/survei/?tahun=2024")
    assert r.status_code == status
    if status == 200:
        body = r.content.decode()
        assert "Kemajuan per pilar" in body and "<svg" in body and "kurang sampel" in body
        assert ('name="do" value="close"' in body) == (who == "citra")
        assert ("data pribadi" in body) == (who == "citra")
