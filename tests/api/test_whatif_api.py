"""GET /api/v1/submissions/{id}/whatif: the page's scenario as JSON, for the coordinator and the bupati only,
documented in the OpenAPI schema, saving nothing."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Answer, Submission
from kotacerdas.scoring.engine import score
from kotacerdas.scoring.whatif import cheapest_path

pytestmark = pytest.mark.django_db


def _client(username: str | None) -> Client:
    c = Client()
    if username:
        c.force_login(get_user_model().objects.get(username=username))
    return c


@pytest.fixture
def sub(db) -> Submission:  # type: ignore[no-untyped-def]
    return Submission.objects.select_related("cycle").get(region_id="16.07", cycle__year=2024, stage="tahap_2")


@pytest.mark.parametrize("who", ["koordinator@banyuasin.test", "bupati@banyuasin.test"])
def test_it_gives_the_engines_scenario_and_path(sub, who) -> None:  # type: ignore[no-untyped-def]
    pack = queries.cycle_pack(sub.cycle)
    saved = queries.self_answers(sub)
    previous = queries.previous_index(sub)
    sheet = {**saved, "output.kebijakan.masterplan": 1}
    events, answers = AuditEvent.objects.count(), list(Answer.objects.values_list("pk", "level", "version"))
    r = _client(who).get(f"/api/v1/submissions/{sub.pk}/whatif", {"level": ["output.kebijakan.masterplan:1"]})
    assert r.status_code == 200, r.content
    body = r.json()
    want = score(pack, sheet, previous=previous)
    assert D(body["scenario"]["index_raw"]) == want.index_raw and body["scenario"]["index"] == float(want.index)
    assert body["scenario"]["dimensions"] == {k: float(v) for k, v in want.dimensions.items() if v is not None}
    assert body["saved"]["index"] == float(score(pack, saved, previous=previous).index)
    assert body["scenario"]["predicate"] == {"label": None, "label_en": None, "status": pack.bands_status}
    path = cheapest_path(pack, sheet, previous=previous)
    assert body["cheapest_path"]["steps"] == path.steps and body["cheapest_path"]["exact"] is True
    assert [m["code"] for m in body["cheapest_path"]["moves"]] == [m.code for m in path.moves]
    assert "from" in body["cheapest_path"]["moves"][0]
    assert body["changes"] == ({"output.kebijakan.masterplan": 1} if saved.get("output.kebijakan.masterplan") != 1
                               else {})
    assert AuditEvent.objects.count() == events and list(Answer.objects.values_list("pk", "level", "version")) == answers


def test_it_refuses_others_and_bad_levels(sub) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/submissions/{sub.pk}/whatif"
    assert _client(None).get(url).status_code == 401
    assert _client("operator.dukcapil@banyuasin.test").get(url).status_code == 403
    assert _client("admin@kotacerdas.test").get(url).status_code == 403
    coordinator = _client("koordinator@banyuasin.test")
    for bad in ("output.kebijakan.masterplan:9", "bukan.kode:1", "output.kebijakan.masterplan"):
        r = coordinator.get(url, {"level": [bad]})
        assert r.status_code == 422 and r.json()["field"] == "level", bad


def test_it_is_in_the_openapi_schema() -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/submissions/{submission_id}/whatif"]["get"]
    assert set(op["responses"]) >= {"200", "401", "403", "404", "422"}
    assert any(p["name"] == "level" for p in op["parameters"])
