from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_describes_banyuasin(client: Client) -> None:
    r = client.get("/api/v1/regions/16.07")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "Kabupaten Banyuasin"
    assert body["level"] == "kabkota"
    assert body["parent"] == {"code": "16", "name": "Sumatera Selatan", "level": "provinsi"}
    assert body["children_count"] == 21


def test_it_lists_children(client: Client) -> None:
    r = client.get("/api/v1/regions/16.07/children")
    assert r.status_code == 200
    codes = [k["code"] for k in r.json()]
    assert len(codes) == 21 and codes[0] == "16.07.01" and codes == sorted(codes)
    assert sum(k["children_count"] for k in r.json()) == 313


@pytest.mark.parametrize("url", ["/api/v1/regions/99.99", "/api/v1/regions/99.99/children"])
def test_it_names_an_unknown_code(client: Client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert "99.99" in r.json()["detail"]
    assert r.json()["code"] == "not_found"


def test_it_filters_and_paginates_programmes(client: Client) -> None:
    r = client.get("/api/v1/programmes", {"region": "16.07", "pillar": "governance", "quick_win": "true"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["code"] for i in items] == ["jam-kunci"]
    all_ = client.get("/api/v1/programmes", {"region": "16.07", "page": "1"}).json()
    assert all_["count"] >= 30 and len(all_["items"]) <= 50


@pytest.mark.parametrize(("query", "field"), [
    ({"pillar": "smart"}, "pillar"), ({"quick_win": "maybe"}, "quick_win"), ({"region": "77.77"}, "region"),
    ({"status": "dead"}, "status"), ({"page": "x"}, "page"),
])
def test_it_names_the_invalid_filter(client: Client, query: dict[str, str], field: str) -> None:
    r = client.get("/api/v1/programmes", query)
    assert r.status_code == 422
    assert r.json()["field"] == field


def test_it_publishes_an_openapi_document(client: Client) -> None:
    doc = json.loads(client.get("/api/v1/openapi.json").content)
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/regions/{code}" in doc["paths"]
    assert "/api/v1/programmes" in doc["paths"]


def test_it_reports_health_with_the_database(client: Client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["database"]["status"] == "ok"


def test_it_answers_503_when_the_database_is_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    def boom(*a, **k):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", boom)
    assert client.get("/healthz").status_code == 503
    r = client.get("/api/v1/regions/16.07")
    assert r.status_code == 503 and r.json()["code"] == "db_unavailable"


@pytest.mark.parametrize("url", ["/api/v1/programmes?q=a%00b", "/api/v1/regions/16%0007", "/wilayah/16.07/program/?q=%00"])
def test_it_refuses_nul_characters_cleanly(client: Client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 400
    assert b"NUL" in r.content
