"""The public form: no login, Indonesian, window, rate limit, honeypot, one-time codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.surveys import actions
from kotacerdas.surveys.choices import Channel, SurveyStatus
from kotacerdas.surveys.models import AccessCode, Response, Survey


def _service(survey, sub: str = "governance.layanan_publik"):
    return survey.services.get(subdimension=sub)


def _answer(survey, **extra: str) -> dict[str, str]:
    service = _service(survey)
    data = {"service": str(service.pk), "kecamatan": "16.07.05", "age_band": "25-34", "gender": "P",
            "q_governance.layanan_publik.1": "4", "q_governance.layanan_publik.2": "5",
            "q_governance.layanan_publik.3": "3", "website": ""}
    data.update(extra)
    return data


def test_it_lets_anyone_choose_a_service_then_answer(survey) -> None:
    c = Client()
    first = c.get(f"/survei/{survey.token}/")
    assert first.status_code == 200
    body = first.content.decode()
    assert 'lang="id"' in body and "Layanan mana yang pernah Anda manfaatkan?" in body and "JAM KUNCI" in body
    form = c.get(f"/survei/{survey.token}/?layanan={_service(survey).pk}").content.decode()
    assert "Kecamatan tempat tinggal" in form and "Sangat setuju" in form and 'name="website"' in form
    assert 'name="viewport"' in form


def test_it_stores_a_valid_response_and_thanks_the_citizen(survey) -> None:
    before = Response.objects.filter(survey=survey).count()
    c = Client()
    r = c.post(f"/survei/{survey.token}/", _answer(survey, contact_name="Siti", contact_phone="0812 3456 7890"))
    assert r.status_code == 302 and r["Location"].endswith("/terima-kasih/")
    assert "Terima kasih" in c.get(r["Location"]).content.decode()
    resp = Response.objects.filter(survey=survey).latest("id")
    assert Response.objects.filter(survey=survey).count() == before + 1
    assert resp.channel == Channel.ONLINE and resp.contact_name == "Siti" and len(resp.ip_hash) == 32
    assert dict(resp.answers.values_list("item", "value")) == {
        "governance.layanan_publik.1": 4, "governance.layanan_publik.2": 5, "governance.layanan_publik.3": 3}
    assert AuditEvent.objects.filter(action="surveys.response", object_id=str(resp.pk)).exists()


def test_it_explains_missing_answers_without_storing(survey) -> None:
    before = Response.objects.count()
    data = _answer(survey)
    del data["q_governance.layanan_publik.2"]
    data["kecamatan"] = "16.06.01"  # a kecamatan of another kabupaten
    r = Client().post(f"/survei/{survey.token}/", data)
    assert r.status_code == 422
    body = r.content.decode()
    assert "Pernyataan 2 belum dijawab" in body and "Pilih kecamatan" in body
    assert Response.objects.count() == before


def test_it_silently_drops_bot_submissions_caught_by_the_honeypot(survey) -> None:
    before = Response.objects.count()
    r = Client().post(f"/survei/{survey.token}/", _answer(survey, website="http://spam.example"))
    assert r.status_code == 302 and r["Location"].endswith("/terima-kasih/")
    assert Response.objects.count() == before


def test_it_rate_limits_per_ip(survey, settings) -> None:
    settings.SURVEY_RATE_LIMIT = (3, 3600)
    c = Client(REMOTE_ADDR="10.1.2.3")
    codes = [c.post(f"/survei/{survey.token}/", _answer(survey)).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    other = Client(REMOTE_ADDR="10.9.9.9").post(f"/survei/{survey.token}/", _answer(survey))
    assert other.status_code == 302


def test_it_refuses_responses_outside_the_window(survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(hours=1))
    c = Client()
    assert "tidak sedang dibuka" in c.get(f"/survei/{survey.token}/").content.decode()
    before = Response.objects.count()
    assert c.post(f"/survei/{survey.token}/", _answer(survey)).status_code == 409
    Survey.objects.filter(pk=survey.pk).update(closes_at=None, status=SurveyStatus.CLOSED)
    assert c.post(f"/survei/{survey.token}/", _answer(survey)).status_code == 409
    assert Response.objects.count() == before


def test_it_hides_draft_surveys(actors, survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.DRAFT)
    assert Client().get(f"/survei/{survey.token}/").status_code == 404


def test_it_accepts_each_one_time_code_once(actors, survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(requires_code=True)
    survey.refresh_from_db()
    code = actions.do_generate_codes(actors.citra, survey, 2)[0]
    c = Client()
    assert "Kode undangan" in c.get(f"/survei/{survey.token}/?layanan={_service(survey).pk}").content.decode()
    assert c.post(f"/survei/{survey.token}/", _answer(survey, code="ZZZZZZZZ")).status_code == 422
    assert c.post(f"/survei/{survey.token}/", _answer(survey, code=code.lower())).status_code == 302
    again = c.post(f"/survei/{survey.token}/", _answer(survey, code=code))
    assert again.status_code == 422 and "sudah dipakai" in again.content.decode()
    assert AccessCode.objects.get(survey=survey, code=code).used_at is not None


def test_it_serves_a_qr_code_of_the_public_link_as_svg(survey) -> None:
    r = Client().get(f"/survei/{survey.token}/qr.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert r.content.startswith(b"<svg") and f"/survei/{survey.token}/".encode() in r.content


def test_it_shows_the_summary_to_the_public_only_once_published(actors, survey) -> None:
    assert Client().get(f"/survei/{survey.token}/hasil/").status_code == 404
    actions.do_publish_summary(actors.citra, survey)
    r = Client().get(f"/survei/{survey.token}/hasil/")
    assert r.status_code == 200 and "Smart Governance" in r.content.decode() and "±" in r.content.decode()
    assert "0812" not in r.content.decode()


@pytest.mark.parametrize("who", ["eka", "oki", "mira", "andi"])
def test_it_lets_only_the_coordinator_change_the_design(actors, survey, who: str) -> None:
    from kotacerdas.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        actions.do_close_survey(getattr(actors, who), survey)
    with pytest.raises(NotAllowed):
        actions.do_publish_summary(getattr(actors, who), survey)
