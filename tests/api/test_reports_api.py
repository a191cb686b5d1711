"""Reports, worksheets and token management through the REST API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from kotacerdas.accounts.models import ApiToken
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Cycle

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_it_creates_lists_and_revokes_tokens(actors) -> None:
    c = actors.client(actors.citra)
    created = c.post("/api/v1/tokens", {"name": "Server Dukcapil", "scopes": ["read"]},
                     content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    raw = body["key"]
    assert raw.startswith("kc_") and body["scopes"] == ["read"]
    from django.test import Client

    api = Client()
    assert api.get("/api/v1/tokens", **_bearer(raw)).json()[0]["name"] == "Server Dukcapil"
    # A read token cannot write.
    refused = api.post("/api/v1/tokens", {"name": "x"}, content_type="application/json", **_bearer(raw))
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    # Someone else cannot revoke it; its owner can, and then it stops working.
    other = actors.client(actors.mira).post(f"/api/v1/tokens/{body['id']}/revoke", {},
                                            content_type="application/json")
    assert other.status_code == 404
    revoked = c.post(f"/api/v1/tokens/{body['id']}/revoke", {"reason": "ganti server"},
                     content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.get("/api/v1/tokens", **_bearer(raw)).status_code == 401
    assert ApiToken.objects.get(pk=body["id"]).revoked_at is not None
    bad = c.post("/api/v1/tokens", {"name": "x", "scopes": ["admin"]}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"].startswith("scopes")  # "scopes.0": the first element


def test_it_requests_a_report_and_reports_progress(actors) -> None:
    from kotacerdas.core.jobs import run_job
    from kotacerdas.reports.models import ReportJob

    c = actors.client(actors.citra)
    started = c.post("/api/v1/reports", {"region": "16.07", "year": 2024, "format": "xlsx"},
                     content_type="application/json")
    assert started.status_code == 202
    job = started.json()
    assert job["status"] == "queued" and job["download_url"] is None
    assert c.get(f"/api/v1/reports/{job['id']}/download").status_code == 409
    run_job(ReportJob.objects.get(pk=job["id"]).job_id)
    done = c.get(f"/api/v1/reports/{job['id']}").json()
    assert done["status"] == "done" and done["percent"] == 100
    download = c.get(done["download_url"])
    assert download.status_code == 200
    assert "Output" in load_workbook(io.BytesIO(download.content)).sheetnames
    # The coordinator of another region sees neither the job nor may request one for Banyuasin.
    mira = actors.client(actors.mira)
    assert mira.get(f"/api/v1/reports/{job['id']}").status_code == 404
    assert mira.post("/api/v1/reports", {"region": "16.07", "year": 2024}, content_type="application/json"
                     ).status_code == 403
    assert actors.client(None).post("/api/v1/reports", {"region": "16.07", "year": 2024},
                                    content_type="application/json").status_code == 401


def test_it_imports_a_worksheet_over_the_api_with_row_errors(actors) -> None:
    sub = queries.stage_submission(Cycle.objects.get(year=2024), "16.07")
    assert sub is not None
    c = actors.client(actors.citra)
    exported = c.get(f"/api/v1/worksheets/{sub.pk}.xlsx")
    assert exported.status_code == 200
    wb = load_workbook(io.BytesIO(exported.content))
    wb["Output"]["D4"] = 9  # the level of output.kebijakan.masterplan (row 2: the dimension, 3: its group)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "lembar.xlsx"
    response = c.post(f"/api/v1/worksheets/{sub.pk}", {"file": buf})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"sheet": "Output", "row": 4, "column": "D",
                                            "message": "Tingkat 9 di luar skala 0–4"}
    assert actors.client(actors.eka).post(f"/api/v1/worksheets/{sub.pk}", {"file": buf}).status_code == 403


def test_it_serves_units_cycles_results_feedback_and_assessments(actors) -> None:
    c = actors.client(actors.alice)
    units = c.get("/api/v1/units", {"region": "16.07"}).json()
    assert units["count"] >= 10 and any(u["short_name"] == "Disdukcapil" for u in units["items"])
    assert c.get("/api/v1/cycles/2024").json()["participants"] > 100
    result = c.get("/api/v1/results/16.07/2023").json()
    assert result["index"] == 2.87 and any(s["node"] == "index" for s in result["trace"])
    assert c.get("/api/v1/regions/16.07/programmes/jam-kunci").json()["quick_win"] is True
    sub = queries.stage_submission(Cycle.objects.get(year=2024), "16.07")
    assert sub is not None
    assert c.get("/api/v1/feedback", {"submission": sub.pk}).status_code == 200
    assert c.get("/api/v1/assessments", {"submission": sub.pk}).status_code == 200
    assert actors.client(actors.mira).get("/api/v1/feedback", {"submission": sub.pk}).status_code == 404
    assert actors.client(None).get("/api/v1/results/16.07/2023").status_code == 200


def test_an_api_refusal_is_indonesian_unless_the_language_cookie_says_english(actors) -> None:
    """The browser's Accept-Language is ignored (DefaultIndonesianLocaleMiddleware): a program calling the
    API gets Indonesian; only the language switch's cookie turns the refusal's detail English."""
    from django.conf import settings

    mira = actors.client(actors.mira)
    ask = {"path": "/api/v1/reports", "data": {"region": "16.07", "year": 2024}, "content_type": "application/json"}
    default = mira.post(**ask, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert default.status_code == 403
    assert default.json() == {"detail": "Anda tidak boleh membuat laporan wilayah ini", "code": "forbidden"}
    mira.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = mira.post(**ask)
    assert english.status_code == 403
    assert english.json() == {"detail": "You may not produce this region's report", "code": "forbidden"}
