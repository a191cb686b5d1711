"""The monitoring API: public reach of published programmes, KPIs and values for the people who own
them, values and raw events pushed by other systems with a write token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kotacerdas.accounts.actions import do_create_token
from kotacerdas.monitoring.models import Kpi, KpiValue

pytestmark = pytest.mark.django_db


def _token(user: Any, scopes: list[str]) -> dict[str, Any]:
    _, raw = do_create_token(user, user, "sistem", scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client: Client, url: str, body: Any, **headers: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_it_shows_the_public_the_reach_of_a_published_programme(db: Any, client: Client, programmes: Any,
                                                               with_events: Any) -> None:
    r = client.get(f"/api/v1/programmes/{programmes['jam-kunci'].pk}/reach?year=2024")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["has_data"] and body["programme_code"] == "jam-kunci" and body["year"] == 2024
    assert len(body["kecamatan"]) == 21
    assert 0 < body["gini"] < 1
    assert sum(k["transactions"] for k in body["kecamatan"]) == body["transactions"] > 0
    names = {k["code"]: k["name"] for k in body["kecamatan"]}
    assert names["16.07.03"] == "Banyuasin III"
    # The generator's coastal kecamatan are the designed laggards.
    assert {"16.07.02", "16.07.13", "16.07.20"} & set(body["lagging"])


def test_it_keeps_the_reach_of_an_unpublished_programme_inside_the_region(actors: Any, programmes: Any,
                                                                         with_events: Any) -> None:
    url = f"/api/v1/programmes/{programmes['ppid-online'].pk}/reach?year=2024"
    assert Client().get(url).status_code == 403
    assert actors.client(actors.mira).get(url).status_code == 403
    for who in (actors.citra, actors.eka, actors.alice):
        r = actors.client(who).get(url)
        assert r.status_code == 200 and r.json()["has_data"] is False and len(r.json()["kecamatan"]) == 21


def test_it_validates_the_year(client: Client, programmes: Any) -> None:
    r = client.get(f"/api/v1/programmes/{programmes['jam-kunci'].pk}/reach")
    assert r.status_code == 422 and r.json()["field"] == "year"
    assert client.get("/api/v1/programmes/999999/reach?year=2024").status_code == 404


def test_it_lists_kpis_and_their_values(client: Client, programmes: Any) -> None:
    r = client.get(f"/api/v1/programmes/{programmes['simpada'].pk}/kpis")
    assert r.status_code == 200
    codes = [k["code"] for k in r.json()]
    assert {"pendapatan", "wajib-pajak"} <= set(codes)
    pendapatan = next(k for k in r.json() if k["code"] == "pendapatan")
    assert pendapatan["unit"] == "rupiah" and pendapatan["target"] > 0
    values = client.get(f"/api/v1/kpis/{pendapatan['id']}/values?year=2024").json()
    assert len(values) == 12 and values[0]["period"] == "2024-01-01" and values[0]["target"] > 0
    series = client.get(f"/api/v1/programmes/{programmes['simpada'].pk}/kpi-series").json()
    assert next(s for s in series if s["code"] == "pendapatan")["points"][-1]["period"] == "2024-12"


def test_it_lets_the_owning_operator_create_a_kpi_but_not_others(actors: Any, programmes: Any) -> None:
    body = {"code": "akta-lahir", "name": "Akta kelahiran terbit", "unit": "dokumen", "target": 400}
    url = f"/api/v1/programmes/{programmes['jam-kunci'].pk}/kpis"
    assert Client().post(url, json.dumps(body), content_type="application/json").status_code == 401
    r = _post(actors.client(actors.oki), url, body)
    assert r.status_code == 201, r.content
    assert r.json()["target"] == 400.0
    assert _post(actors.client(actors.oki), url, body).json()["code"] == "invalid"  # same code twice
    other = f"/api/v1/programmes/{programmes['oss'].pk}/kpis"
    assert _post(actors.client(actors.oki), other, {**body, "code": "x"}).status_code == 403
    assert _post(actors.client(actors.mira), url, {**body, "code": "y"}).status_code == 403
    assert _post(actors.client(actors.citra), other, {**body, "code": "z", "unit": "izin"}).status_code == 201
    bad = _post(actors.client(actors.alice), url, {**body, "code": "w", "unit": "kilogram"})
    assert bad.status_code == 422 and bad.json()["field"] == "unit"


def _patch(client: Client, url: str, body: Any, **headers: Any) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json", **headers)


def test_it_updates_a_kpi_definition(actors: Any) -> None:
    kpi = Kpi.objects.get(programme__code="jam-kunci", code="dokumen-terbit")
    r = _patch(actors.client(actors.oki), f"/api/v1/kpis/{kpi.pk}", {"target": 2700, "expected_version": kpi.version})
    assert r.status_code == 200 and r.json()["target"] == 2700.0 and r.json()["version"] == kpi.version + 1


def test_a_kpi_change_needs_the_version_its_author_saw(actors: Any) -> None:
    """Two people editing one KPI definition: no silent overwrite (428 without a version, 409 with an old
    one, both with the current definition), the version by body or If-Match."""
    kpi = Kpi.objects.get(programme__code="jam-kunci", code="dokumen-terbit")
    url, seen = f"/api/v1/kpis/{kpi.pk}", kpi.version
    oki, citra = actors.client(actors.oki), actors.client(actors.citra)
    missing = _patch(oki, url, {"target": 2600})
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    assert missing.json()["context"]["current"]["version"] == seen
    assert Kpi.objects.get(pk=kpi.pk).target == kpi.target  # nothing written

    first = _patch(citra, url, {"target": 2800, "expected_version": seen})
    assert first.status_code == 200 and first.json()["version"] == seen + 1
    stale = _patch(oki, url, {"name": "Dokumen terbit (lama)", "expected_version": seen})
    assert stale.status_code == 409
    assert stale.json()["context"]["current"]["target"] == 2800.0
    assert stale.json()["context"]["current"]["version"] == seen + 1
    assert Kpi.objects.get(pk=kpi.pk).name == kpi.name

    by_header = _patch(oki, url, {"name": "Dokumen kependudukan terbit"}, HTTP_IF_MATCH=f'"{seen + 1}"')
    assert by_header.status_code == 200 and by_header.json()["version"] == seen + 2
    stored = Kpi.objects.get(pk=kpi.pk)
    assert (stored.name, stored.target, stored.version) == ("Dokumen kependudukan terbit", 2800, seen + 2)
    # permission is judged before the version: another region's coordinator gets 403, not 428
    assert _patch(actors.client(actors.mira), url, {"target": 1}).status_code == 403


def test_the_spec_documents_the_kpi_lock() -> None:
    from kotacerdas.api.urls import api

    op = api.get_openapi_schema()["paths"]["/api/v1/kpis/{kpi_id}"]["patch"]
    assert {"409", "428"} <= set(op["responses"])
    body = op["requestBody"]["content"]["application/json"]["schema"]
    ref = body["$ref"].rsplit("/", 1)[-1]
    props = api.get_openapi_schema()["components"]["schemas"][ref]["properties"]
    assert "expected_version" in props and "428" in props["expected_version"]["description"]


def test_it_accepts_values_pushed_with_a_write_token_all_or_nothing(actors: Any) -> None:
    kpi = Kpi.objects.get(programme__code="jam-kunci", code="dokumen-terbit")
    url = f"/api/v1/kpis/{kpi.pk}/values"
    good = {"values": [{"period": "2022-01", "value": 2000, "target": 2500},
                       {"period": "2022-01", "region": "16.07.05", "value": "140"}]}
    reader = _token(actors.oki, ["read"])
    refused = _post(Client(), url, good, **reader)
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"  # read scope cannot write

    writer = _token(actors.oki, ["read", "write"])
    r = _post(Client(), url, good, **writer)
    assert r.status_code == 201, r.content
    assert (r.json()["created"], r.json()["status"]) == (2, "done")

    bad = {"values": [{"period": "2022-02", "value": 10}, {"period": "2022-02", "region": "16.07.77", "value": -3}]}
    before = KpiValue.objects.count()
    r = _post(Client(), url, bad, **writer)
    assert r.status_code == 422
    errors = {(e["row"], e["column"], e["code"]) for e in r.json()["job"]["errors"]}
    assert errors == {(2, "region", "unknown_region"), (2, "value", "negative")}
    assert KpiValue.objects.count() == before

    again = _post(Client(), url, good, **writer).json()
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_it_accepts_values_for_many_kpis_of_a_region(actors: Any) -> None:
    rows = [{"programme": "simpada", "kpi": "pendapatan", "period": "2022-03", "value": 8e9},
            {"programme": "oss", "kpi": "izin-didampingi", "period": "2022-03", "region": "16.07.10", "value": 12}]
    r = _post(Client(), "/api/v1/regions/16.07/kpi-values", {"values": rows}, **_token(actors.citra, ["write"]))
    assert r.status_code == 201, r.content
    r = _post(Client(), "/api/v1/regions/16.07/kpi-values", {"values": rows}, **_token(actors.oki, ["write"]))
    assert r.status_code == 422
    assert {e["code"] for e in r.json()["job"]["errors"]} == {"forbidden"}


def test_it_imports_an_uploaded_file_and_reports_the_job(actors: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = actors.client(actors.citra)
    data = b"KPI;Periode;Nilai\ndokumen-terbit;2022-04;2050\n"
    r = c.post("/api/v1/regions/16.07/kpi-values/upload",
               {"file": SimpleUploadedFile("nilai.csv", data), "programme": "JAM KUNCI"})
    assert r.status_code == 201, r.content
    job = r.json()
    assert (job["status"], job["created"], job["progress"]) == ("done", 1, 100)
    assert c.get(f"/api/v1/ingest-jobs/{job['id']}").json()["created"] == 1
    assert actors.client(actors.mira).get(f"/api/v1/ingest-jobs/{job['id']}").status_code == 404

    r = c.post("/api/v1/regions/16.07/kpi-values/upload",
               {"file": SimpleUploadedFile("nilai.csv", data), "programme": "jam-kunci", "mapping": "[1]"})
    assert r.status_code == 422 and r.json()["field"] == "mapping"
    r = c.post("/api/v1/regions/16.07/kpi-values/upload",
               {"file": SimpleUploadedFile("nilai.csv", data.replace(b"2022-04", b"2022-14"))})
    assert r.status_code == 422
    # No programme column and none chosen: the report says so, next to the bad period.
    assert {(e["row"], e["column"], e["code"]) for e in r.json()["job"]["errors"]} == {
        (2, "programme", "required"), (2, "Periode", "bad_period")}


def test_it_quarantines_pushed_events_it_cannot_place(actors: Any, settings: Any, tmp_path: Any) -> None:
    import pyarrow.parquet as pq

    settings.EVENTS_ROOT = tmp_path / "events"
    ok = {"ts": "2024-05-02T09:15:00", "programme": "oss", "kecamatan": "16.07.05", "desa": None,
          "channel": "online", "citizen": "a1b2c3d4e5"}
    events = [ok, {**ok, "programme": "ojek-online"}, {**ok, "kecamatan": "16.06.01"},
              {**ok, "citizen": "1607010101900001"}, {**ok, "ts": "2099-01-01T00:00:00"}]
    r = _post(Client(), "/api/v1/regions/16.07/events", {"events": events}, **_token(actors.citra, ["write"]))
    assert r.status_code == 201, r.content
    rep = r.json()
    assert rep["report"]["written_rows"] == 1 and rep["report"]["quarantined_rows"] == 4
    assert rep["report"]["quarantined_by_reason"] == {"unknown_programme": 1, "unknown_kecamatan": 1,
                                                      "citizen_looks_like_nik": 1, "ts_out_of_period": 1}
    q = pq.read_table(settings.EVENTS_ROOT / rep["report"]["quarantine_file"]).to_pylist()
    assert sorted(row["reason"] for row in q) == sorted(rep["report"]["quarantined_by_reason"])
    assert all(row["citizen"] != "1607010101900001" for row in q)  # a NIK is never kept

    # An operator may push only the programmes of their own unit: OSS is DPMPTSP's, not Dukcapil's.
    r = _post(Client(), "/api/v1/regions/16.07/events", {"events": [ok]}, **_token(actors.oki, ["write"]))
    assert r.json()["report"]["quarantined_by_reason"] == {"unknown_programme": 1}
    r = _post(Client(), "/api/v1/regions/16.07/events", {"events": [ok]}, **_token(actors.mira, ["write"]))
    assert r.status_code == 403


def test_it_gives_the_evaluation_improvement_evidence(client: Client) -> None:
    rows = client.get("/api/v1/regions/16.07/improvement-evidence?year=2024").json()
    docs = next(r for r in rows if r["kpi"] == "dokumen-terbit")
    assert docs["programme"] == "jam-kunci" and docs["evidence_for"] == "impact"
    assert docs["compared_periods"] == 12 and docs["growth"] > 0 and docs["improved"] is True


@pytest.mark.parametrize("url", ["/api/v1/openapi.json"])
def test_it_documents_the_endpoints(client: Client, url: str) -> None:
    paths = client.get(url).json()["paths"]
    for p in ("/api/v1/programmes/{programme_id}/reach", "/api/v1/kpis/{kpi_id}/values",
              "/api/v1/regions/{code}/events", "/api/v1/ingest-jobs/{job_id}"):
        assert p in paths


def test_the_spec_lists_the_job_statuses_of_an_import() -> None:
    from kotacerdas.api.urls import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    status = schemas["JobOut"]["properties"]["status"]
    ref = status.get("$ref") or status["allOf"][0]["$ref"]
    assert schemas[ref.rsplit("/", 1)[-1]]["enum"] == ["draft", "queued", "running", "done", "failed"]
