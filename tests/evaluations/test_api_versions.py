"""Lost updates through the API: an update of an existing answer, score or action-plan item must name the
version the client saw (body `expected_version` or `If-Match`); without it 428, with an old one 409, both with
the current value; creating a new one needs no version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kotacerdas.accounts.actions import do_create_token
from kotacerdas.actionplans.models import ActionItem
from kotacerdas.evaluations import actions
from kotacerdas.evaluations.models import Answer, AssessmentScore, ConsensusScore

from .conftest import fill

pytestmark = pytest.mark.django_db


def _api(user: Any) -> Client:
    _token, raw = do_create_token(user, user, "uji versi", ["read", "write"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _put(c: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return c.put(url, json.dumps(body), content_type="application/json", headers=headers)


def test_it_requires_the_version_to_change_an_existing_answer(world, actors) -> None:
    c, code = _api(actors.citra), world.indicators[0]
    url = f"/api/v1/submissions/{world.sub.pk}/answers/{code}"
    created = _put(c, url, {"level": 2, "justification": "pertama"})
    assert created.status_code == 200 and created.json()["version"] == 1  # new: no version needed

    missing = _put(c, url, {"level": 4, "justification": "menimpa tanpa melihat"})
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    assert missing.json()["context"]["current"] == {"indicator": code, "level": 2, "justification": "pertama",
                                                    "version": 1}
    ok = _put(c, url, {"level": 3, "justification": "kedua", "expected_version": 1})
    assert ok.status_code == 200 and ok.json()["version"] == 2

    stale = _put(c, url, {"level": 4, "justification": "dari tab lama", "expected_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert stale.json()["context"]["current"]["justification"] == "kedua"
    assert stale.json()["context"]["current"]["version"] == 2

    by_header = _put(c, url, {"level": 4, "justification": "lewat If-Match"}, **{"If-Match": '"2"'})
    assert by_header.status_code == 200 and by_header.json()["version"] == 3
    assert _put(c, url, {"level": 1}, **{"If-Match": '"2"'}).status_code == 409
    assert _put(c, url, {"level": 1, "expected_version": 2}, **{"If-Match": '"3"'}).status_code == 422
    assert _put(c, url, {"level": 1}, **{"If-Match": "*"}).status_code == 422
    answer = Answer.objects.get(submission=world.sub, indicator=code)
    assert (answer.level, answer.justification, answer.version) == (4, "lewat If-Match", 3)


def test_it_checks_permission_before_asking_for_a_version(world, actors) -> None:
    code = world.indicators[0]
    actions.do_save_answer(actors.citra, world.sub, code, 2, "pertama")
    eka = Client()
    eka.force_login(actors.eka)  # a read-only role gets no write token; the session may try
    r = _put(eka, f"/api/v1/submissions/{world.sub.pk}/answers/{code}", {"level": 4})
    assert r.status_code == 403  # the executive may not write at all: not "send a version"


def test_it_requires_the_version_to_change_an_existing_score(world, actors) -> None:
    fill(actors.citra, world.sub, world.indicators)
    actions.do_submit(actors.citra, world.sub)
    world.sub.refresh_from_db()
    actions.do_start_assessment(actors.alice, world.sub)
    c, code = _api(actors.ayu), world.indicators[0]
    url = f"/api/v1/submissions/{world.sub.pk}/scores/{code}"
    assert _put(c, url, {"level": 2, "note": "awal"}).json()["version"] == 1
    missing = _put(c, url, {"level": 4})
    assert missing.status_code == 428 and missing.json()["context"]["current"]["note"] == "awal"
    assert _put(c, url, {"level": 3, "expected_version": 1}).json()["version"] == 2
    stale = _put(c, url, {"level": 4, "expected_version": 1})
    assert stale.status_code == 409 and stale.json()["context"]["current"]["level"] == 3
    assert AssessmentScore.objects.get(assessment__submission=world.sub, assessment__assessor=actors.ayu,
                                       indicator=code).level == 3


def test_it_requires_the_version_to_change_the_consensus(world, actors) -> None:
    fill(actors.citra, world.sub, world.indicators)
    actions.do_submit(actors.citra, world.sub)
    world.sub.refresh_from_db()
    actions.do_start_assessment(actors.alice, world.sub)
    c, code = _api(actors.andi), world.indicators[0]  # the panel lead
    url = f"/api/v1/submissions/{world.sub.pk}/consensus"
    first = _put(c, url, {"levels": {code: 2}})
    assert first.status_code == 200 and first.json() == {"changed": 1, "version": 1}
    missing = _put(c, url, {"levels": {code: 4}})
    assert missing.status_code == 428 and missing.json()["context"]["current"] == {"version": 1, "levels": {code: 2}}
    assert _put(c, url, {"levels": {code: 3}, "expected_version": 1}).json() == {"changed": 1, "version": 2}
    stale = _put(c, url, {"levels": {code: 4}, "expected_version": 1})
    assert stale.status_code == 409 and stale.json()["context"]["current"]["levels"] == {code: 3}
    assert ConsensusScore.objects.get(submission=world.sub, indicator=code).level == 3
    assert _put(c, url, {"levels": {code: 4}}, **{"If-Match": '"2"'}).json()["version"] == 3
    assert ConsensusScore.objects.get(submission=world.sub, indicator=code).level == 4


def test_it_requires_the_version_to_report_progress_on_a_plan_item(actors) -> None:
    item = ActionItem.objects.get(region_id="16.07", code="RA-2024-009")
    c = _api(actors.oki)
    url = f"/api/v1/action-plans/items/{item.pk}"

    def patch(body: dict[str, Any], **headers: str) -> Any:
        return c.patch(url, json.dumps(body), content_type="application/json", headers=headers)

    missing = patch({"status": "in_progress"})
    assert missing.status_code == 428 and missing.json()["context"]["current"]["version"] == item.version
    assert patch({"status": "in_progress"}, **{"If-Match": f'"{item.version}"'}).status_code == 200
    stale = patch({"status": "done", "expected_version": item.version})
    assert stale.status_code == 409 and stale.json()["context"]["current"]["status"] == "in_progress"


def test_it_refuses_a_web_save_without_a_version_over_an_existing_answer(world, actors) -> None:
    code = world.indicators[0]
    actions.do_save_answer(actors.citra, world.sub, code, 2, "pertama")
    c = actors.client(actors.citra)
    c.post(f"/pengajuan/{world.sub.pk}/jawaban/{code}/", {"level": "4", "justification": "tanpa versi"},
           HTTP_HX_REQUEST="true")
    answer = Answer.objects.get(submission=world.sub, indicator=code)
    assert (answer.level, answer.justification) == (2, "pertama")
