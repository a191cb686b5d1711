"""A refused action speaks the person's language: the actions raise their messages through gettext, so with
English chosen (the language cookie) the web pages show the English refusal, and Indonesian otherwise."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from .conftest import client_for

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _text(response) -> str:
    """The page's text with tags dropped and entities that Django escapes put back."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return body.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


def test_a_refused_answer_is_explained_in_english(banyuasin_2024) -> None:
    url = f"/pengajuan/{banyuasin_2024.pk}/jawaban/output.kelembagaan.forum/"
    indonesian = _text(client_for("bupati@banyuasin.test").post(url, {"level": "4"}, **HTMX))
    assert "Hanya koordinator daerah yang mengisi jawaban" in indonesian
    english = _text(_english(client_for("bupati@banyuasin.test")).post(url, {"level": "4"}, **HTMX))
    assert "Only the regional coordinator can fill in answers" in english
    assert "Hanya koordinator daerah" not in english


def test_a_refused_action_plan_comment_is_explained_in_english(actors) -> None:
    from kotacerdas.actionplans.models import ActionItem

    item = ActionItem.objects.filter(region_id="16.07", archived_at__isnull=True).order_by("pk").first()
    assert item is not None
    url = f"/wilayah/16.07/rencana-aksi/{item.pk}/"
    indonesian = actors.client(actors.citra).post(url, {"do": "comment", "text": "  "})
    assert indonesian.status_code == 422 and "Komentar kosong" in _text(indonesian)
    english = _english(actors.client(actors.citra)).post(url, {"do": "comment", "text": "  "})
    assert english.status_code == 422
    assert "The comment is empty" in _text(english) and "Komentar kosong" not in _text(english)
    assert not item.comments.exists()


def test_a_refused_survey_response_is_explained_in_english(db) -> None:
    from django.utils import timezone

    from kotacerdas.surveys.choices import SurveyStatus
    from kotacerdas.surveys.models import Response, Survey

    survey = Survey.objects.get(region_id="16.07", cycle__year=2024)
    if survey.status != SurveyStatus.OPEN or not survey.in_window(timezone.now()):
        pytest.skip("the demo survey is not open for answers")
    service = survey.services.filter(programme__isnull=False).first()
    before = Response.objects.filter(survey=survey).count()
    data = {"service": str(service.pk), "kecamatan": "16.06.01", "age_band": "25-34", "gender": "P",
            "website": ""}  # a kecamatan of another kabupaten, no statement answered
    indonesian = client_for(None).post(f"/survei/{survey.token}/", data)
    assert indonesian.status_code == 422
    assert "Pilih kecamatan tempat tinggal Anda" in _text(indonesian)
    assert "Pernyataan 1 belum dijawab" in _text(indonesian)
    english = _english(client_for(None)).post(f"/survei/{survey.token}/", data)
    assert english.status_code == 422
    assert "Choose the district where you live" in _text(english)
    assert "Statement 1 has not been answered" in _text(english)
    assert "Pilih kecamatan" not in _text(english) and "belum dijawab" not in _text(english)
    assert Response.objects.filter(survey=survey).count() == before


def test_an_import_jobs_stored_phase_is_shown_in_the_active_language() -> None:
    from django.utils import translation

    from kotacerdas.actionplans.models import ImportJob
    from kotacerdas.core.models import Job

    def upload(phase: str) -> ImportJob:  # the phase is the import job's message
        return ImportJob(job=Job(message=phase))

    checking, saving = upload("Memeriksa baris"), upload("Menyimpan")
    with translation.override("en"):
        assert (checking.phase_label, saving.phase_label) == ("Checking rows", "Saving")
        assert upload("fase lain").phase_label == "fase lain"  # not a known phase: as stored
    with translation.override("id"):
        assert (checking.phase_label, saving.phase_label) == ("Memeriksa baris", "Menyimpan")
