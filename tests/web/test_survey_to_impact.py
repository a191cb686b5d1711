"""Survey results reach the Impact indicators: the self-assessment shows the survey's suggested level (with
its margin of error and sample) and applies it through the audited answer action; the readiness forecast
says how incomplete it is instead of counting unanswered indicators as a silent 0."""

from __future__ import annotations

from typing import Any

import pytest

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Answer

from .conftest import client_for

pytestmark = pytest.mark.django_db
COORDINATOR = "koordinator@banyuasin.test"
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _unanswered_survey_indicator(sub):
    suggestions = queries.survey_suggestions(sub)
    answered = set(queries.self_answers(sub))
    code = next(c for c in sorted(suggestions) if c not in answered)
    return code, suggestions[code]


def test_it_shows_the_surveys_suggested_level_next_to_the_indicator(banyuasin_2024) -> None:
    code, suggestion = _unanswered_survey_indicator(banyuasin_2024)
    body = client_for(COORDINATOR).get(f"/pengajuan/{banyuasin_2024.pk}/").content.decode()
    card = body[body.index(f'id="i-{code.replace(".", "-").replace("_", "-")}"'):]
    card = card[:card.index("</article>")]
    assert "Saran dari survei dampak" in card and f"tingkat {suggestion.level}" in card
    assert f"{suggestion.n} responden, ketentuan {suggestion.required}" in card
    assert ("MoE" in card) == (suggestion.moe is not None)
    assert f"Terapkan tingkat {suggestion.level}" in card
    assert "Saran dari survei dampak" not in client_for(COORDINATOR).get(
        f"/pengajuan/{banyuasin_2024.pk}/").content.decode().split('id="i-output-kebijakan-masterplan"')[1][:3000]


def test_it_applies_the_suggested_level_through_the_audited_answer_action(banyuasin_2024) -> None:
    code, suggestion = _unanswered_survey_indicator(banyuasin_2024)
    response = client_for(COORDINATOR).post(f"/pengajuan/{banyuasin_2024.pk}/jawaban/{code}/survei/",
                                            {"level": "4", "expected_version": "0"}, **HTMX)
    assert response.status_code == 200 and "Jawaban sama dengan saran survei" in response.content.decode()
    answer = Answer.objects.get(submission=banyuasin_2024, indicator=code)
    assert answer.level == suggestion.level  # the server's suggestion, not the posted level
    assert "survei dampak 2024" in answer.justification
    event = AuditEvent.objects.filter(action="evaluations.save_answer", object_id=str(answer.pk)).first()
    assert event is not None and event.data == {"indicator": code, "source": "survey"}
    refused = client_for("bupati@banyuasin.test").post(
        f"/pengajuan/{banyuasin_2024.pk}/jawaban/{code}/survei/", {"expected_version": "1"}, **HTMX)
    assert "Hanya koordinator daerah" in refused.content.decode()


def test_it_tells_an_incomplete_forecast_apart_and_projects_it_with_the_survey(banyuasin_2024) -> None:
    detail = queries.forecast_detail(banyuasin_2024)
    pack = queries.cycle_pack(banyuasin_2024.cycle)
    total = sum(1 for _ in pack.indicators())
    answered = len(set(queries.self_answers(banyuasin_2024)) & {n.code for n in pack.indicators()})
    assert (detail.total, detail.answered) == (total, answered) and answered < total
    assert not detail.complete and detail.improvement is None
    assert detail.projected is not None and detail.projected.index > detail.score.index
    body = client_for(COORDINATOR).get("/wilayah/16.07/dasbor/").content.decode()
    assert "Belum lengkap" in body and f"{total - answered} dari {total} indikator belum dijawab" in body
    assert "Proyeksi bila" in body and "saran survei dampak" in body


def test_it_shows_no_fall_on_the_report_cover_while_the_forecast_is_incomplete(banyuasin_2024) -> None:
    from kotacerdas.regions.models import Region
    from kotacerdas.reports import sections

    data = sections.collect(Region.objects.get(code="16.07"), banyuasin_2024.cycle)
    assert data.score is not None and data.score.is_forecast
    assert data.score.incomplete and data.score.improvement is None
    pack = queries.cycle_pack(banyuasin_2024.cycle)
    codes = {n.code for n in pack.indicators()}
    assert (data.score.answered, data.score.total) == (len(set(queries.self_answers(banyuasin_2024)) & codes),
                                                       len(codes))
