"""What free text may hold and how long it may be: NUL and lone surrogates are refused with 422 on every
JSON route (never a 500 from the database or the UTF-8 encoder), every text field has a limit enforced
the same way through the web, the API and the importers, and the PDF report stays bounded whatever is
already stored."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from kotacerdas.core.errors import InvalidInput
from kotacerdas.evaluations import actions
from kotacerdas.lib import text as limits

from .test_authorization_matrix import CODE, OWN_ACCOUNT_WRITES, _api_writes, _national_routes, _spec_path

pytestmark = pytest.mark.django_db

BAD = {"nul": "a\x00b", "surrogate": "a\ud800b", "long": "x" * (limits.JSON_STRING_MAX + 1)}


def _json_writes(matrix, actors):
    """(method, url, body) of every JSON write route of the served spec, with a valid body."""
    from kotacerdas.api.urls import api

    spec = api.get_openapi_schema()
    json_ops = {(m, p) for p, ops in spec["paths"].items() for m, o in ops.items()
                if m in ("post", "put", "patch") and "application/json" in o.get("requestBody", {}).get("content", {})}
    writes = _api_writes(matrix, actors)
    writes[("post", "/api/v1/tokens")] = ("/api/v1/tokens", {"name": "uji"})
    writes[("post", "/api/v1/tokens/{token_id}/revoke")] = ("/api/v1/tokens/999999/revoke", {"reason": "x"})
    for method, url, body, _allowed in _national_routes(matrix, actors):
        if method in ("post", "put", "patch"):
            key = _spec_path(spec, method, url)
            writes.setdefault(key, (url, body("alice")))
    missing = json_ops - set(writes)
    assert not missing, f"JSON routes without a body in this test: {missing}"
    assert json_ops <= set(writes) | OWN_ACCOUNT_WRITES
    return [(m, *writes[(m, p)]) for m, p in sorted(json_ops)]


def _poison(body, value):
    """The body with a string field set to `value` (an extra one when the body has none)."""
    body = json.loads(json.dumps(body))
    for key, v in body.items():
        if isinstance(v, str):
            body[key] = value
            return body
        if isinstance(v, list) and v and isinstance(v[0], dict):
            first = next((k for k, x in v[0].items() if isinstance(x, str)), None)
            if first:
                v[0][first] = value
                return body
    body["catatan"] = value
    return body


@pytest.mark.parametrize("kind", sorted(BAD))
def test_it_refuses_bad_text_on_every_json_route_with_422(matrix, actors, kind) -> None:
    client = Client()
    client.force_login(actors.alice)  # signed in and allowed to call everything: the refusal is the text's
    wrong = []
    for method, url, body in _json_writes(matrix, actors):
        poisoned = json.dumps(_poison(body, BAD[kind]))  # ensure_ascii: "\u0000" / "\ud800" as JSON escapes
        response = getattr(client, method)(url, poisoned, content_type="application/json")
        if response.status_code != 422 or response.json().get("code") != "invalid":
            wrong.append(f"{method.upper()} {url}: {response.status_code} {response.content[:160]!r}")
    assert not wrong, "\n".join(wrong)


def test_it_refuses_a_nul_in_a_query_string_and_a_form(matrix, actors) -> None:
    client = Client()
    client.force_login(actors.citra)
    assert client.get("/api/v1/submissions", {"region": "16.07\x00"}).status_code in (400, 422)
    response = client.post(f"/pengajuan/{matrix.sub.pk}/jawaban/{CODE}/", {"level": 2, "justification": "a\x00b"})
    assert response.status_code == 400
    assert not matrix.sub.answers.exists()


def test_it_refuses_a_huge_justification_and_feedback_through_the_api(matrix, actors) -> None:
    from kotacerdas.catalogue.models import Programme

    citra = Client()
    citra.force_login(actors.citra)
    r = citra.put(f"/api/v1/submissions/{matrix.sub.pk}/answers/{CODE}",
                  {"level": 2, "justification": "j" * 9_000_000}, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "justification"
    ok = citra.put(f"/api/v1/submissions/{matrix.sub.pk}/answers/{CODE}",
                   {"level": 2, "justification": "j" * limits.LONG_TEXT}, content_type="application/json")
    assert ok.status_code == 200, ok.content[:200]
    andi = Client()
    andi.force_login(actors.andi)
    jam = Programme.objects.get(region_id="16.07", code="jam-kunci")
    r = andi.post(f"/api/v1/submissions/{matrix.sub.pk}/feedback",
                  {"programme": jam.code, "strengths": "k" * 2_000_000}, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "strengths"


def test_it_enforces_each_fields_limit_in_the_actions(matrix, actors) -> None:
    """The same limits hold below the API (web forms, importers) and on both databases: a refusal, not
    a database error (PostgreSQL refuses an over-long varchar; SQLite would store it)."""
    from kotacerdas.actionplans.actions import do_comment
    from kotacerdas.actionplans.models import ActionItem

    with pytest.raises(InvalidInput):
        actions.do_save_answer(actors.citra, matrix.sub, CODE, 2, "j" * (limits.LONG_TEXT + 1))
    with pytest.raises(InvalidInput):
        actions.do_add_evidence_link(actors.citra, matrix.sub, CODE, "https://x.contoh.go.id", description="d" * 301)
    with pytest.raises(InvalidInput):
        actions.do_save_answer(actors.citra, matrix.sub, CODE, 2, "a\ud800b")
    item = ActionItem.objects.filter(region_id="16.07").first()
    assert item is not None
    with pytest.raises(InvalidInput):
        do_comment(actors.citra, item, "k" * (limits.COMMENT + 1))
    assert not matrix.sub.answers.exists() and not matrix.sub.evidence.exists()


def test_it_gives_every_text_field_a_limit() -> None:
    from django.apps import apps
    from django.db import models

    # Written by the system, never typed by a person: their own size is bounded by the code.
    system = {"core.job.error", "monitoring.ingestjob.message"}
    unbounded = [f"{m._meta.label_lower}.{f.name}" for m in apps.get_models() if m.__module__.startswith("kotacerdas.")
                 for f in m._meta.concrete_fields if isinstance(f, models.TextField) and not f.max_length]
    assert sorted(set(unbounded) - system) == []


def test_it_keeps_the_pdf_report_small_whatever_feedback_is_stored(actors) -> None:
    from pypdf import PdfReader

    from kotacerdas.catalogue.models import Programme
    from kotacerdas.evaluations.models import Cycle, Feedback, Submission
    from kotacerdas.regions.models import Region
    from kotacerdas.reports import pdf

    cycle = Cycle.objects.get(year=2024)
    sub = Submission.objects.filter(cycle=cycle, region_id="16.07").order_by("-pk").first()
    fb = Feedback.objects.create(submission=sub, programme=Programme.objects.get(region_id="16.07", code="jam-kunci"),
                                 assessor=actors.andi, strengths="singkat")
    # data already in the database before the limits existed: 2 MB in one feedback, bypassing every check
    Feedback.objects.filter(pk=fb.pk).update(strengths="Kekuatan yang sangat panjang. " * 70_000,
                                             recommendation="Rekomendasi panjang. " * 100_000)
    data, pages = pdf.render_pdf(Region.objects.get(code="16.07"), cycle, "id")
    assert pages <= 40 and len(data) < pdf.MAX_BYTES
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "dipotong" in text
