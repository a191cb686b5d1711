"""The assessor's screen: self-score beside theirs, autosave, feedback, agreement and consensus."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from kotacerdas.catalogue.models import Programme
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.models import AssessmentScore, ConsensusScore, Feedback

from .conftest import client_for, demo_user

pytestmark = pytest.mark.django_db
LEAD, MEMBER, FOURTH = "asesor1@kotacerdas.test", "asesor2@kotacerdas.test", "asesor4@kotacerdas.test"
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def test_it_shows_the_regions_level_beside_the_assessors_own(peer_under_assessment) -> None:
    body = client_for(MEMBER).get(f"/pengajuan/{peer_under_assessment.pk}/nilai/").content.decode()
    assert "Daerah (mandiri)" in body and "Skor Anda" in body
    assert "Kesepakatan antarasesor" not in body  # only the lead sees the panel's scores
    assert client_for("koordinator@banyuasin.test").get(
        f"/pengajuan/{peer_under_assessment.pk}/nilai/").status_code == 403


def test_it_autosaves_a_score_and_reports_a_stale_one(peer_under_assessment) -> None:
    c = client_for(FOURTH)
    url = f"/pengajuan/{peer_under_assessment.pk}/nilai/baseline.peningkatan_indeks/"
    body = c.post(url, {"level": "3", "note": "Naik.", "expected_version": "0"}, **HTMX).content.decode()
    assert "Tersimpan" in body and body.lstrip().startswith("<tr")
    stale = c.post(url, {"level": "1", "note": "Versi lama", "expected_version": "0"}, **HTMX).content.decode()
    assert "muat ulang" in stale and "Versi lama" in stale
    score = AssessmentScore.objects.get(assessment__assessor__username=FOURTH, indicator="baseline.peningkatan_indeks",
                                        assessment__submission=peer_under_assessment)
    assert score.level == 3


def test_it_saves_feedback_and_keeps_a_refused_draft(banyuasin_2024) -> None:
    coordinator, admin = demo_user("koordinator@banyuasin.test"), demo_user("admin@kotacerdas.test")
    for code in queries.completeness(banyuasin_2024).missing:
        actions.do_save_answer(coordinator, banyuasin_2024, code, 2)
    actions.do_submit(coordinator, banyuasin_2024)
    lead = client_for(LEAD)
    lead.post(f"/pengajuan/{banyuasin_2024.pk}/mulai/")
    banyuasin_2024.refresh_from_db()
    assert banyuasin_2024.status == "under_assessment"
    jam = Programme.objects.get(region_id="16.07", code="jam-kunci")
    c = client_for(FOURTH)
    empty = c.post(f"/pengajuan/{banyuasin_2024.pk}/umpan-balik/", {"programme": jam.pk}, follow=True).content.decode()
    assert "Isi minimal satu" in empty
    c.post(f"/pengajuan/{banyuasin_2024.pk}/umpan-balik/", {"programme": jam.pk, "strengths": "Jemput bola.",
                                                            "recommendation": "Perluas ke desa."})
    assert Feedback.objects.filter(submission=banyuasin_2024, programme=jam, assessor__username=FOURTH).exists()
    page = client_for("bupati@banyuasin.test").get("/wilayah/16.07/program/jam-kunci/").content.decode()
    assert "Perluas ke desa." in page
    assert admin is not None


def test_it_shows_the_lead_the_agreement_and_sets_consensus(peer_under_assessment) -> None:
    c = client_for(LEAD)
    body = c.get(f"/pengajuan/{peer_under_assessment.pk}/nilai/").content.decode()
    assert "Krippendorff" in body and "Tetapkan konsensus" in body
    c.post(f"/pengajuan/{peer_under_assessment.pk}/konsensus/", {"c-baseline.peningkatan_indeks": "2", "note": "rapat"})
    assert ConsensusScore.objects.get(submission=peer_under_assessment, indicator="baseline.peningkatan_indeks").level == 2
    assert demo_user(LEAD) is not None


def test_it_names_each_panel_member_in_the_panel_column(peer_under_assessment) -> None:
    body = client_for(LEAD).get(f"/pengajuan/{peer_under_assessment.pk}/nilai/").content.decode()
    sheets = queries.assessor_sheets(peer_under_assessment)
    names = [u.get_full_name() for u in get_user_model().objects.filter(pk__in=list(sheets))]
    assert names and all(f">{name}: " in body for name in names)
    assert ">Asesor: " not in body
