"""List filtering is one django-filter FilterSet per list, shared by the web and the API: the programme
list (catalogue.filters) and the national progress list (evaluations.filters) give the web and the API the
same rows for the same choice."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kotacerdas.catalogue.models import Programme
from kotacerdas.evaluations.models import Cycle

from .conftest import client_for

pytestmark = pytest.mark.django_db
LIST = "/wilayah/16.07/program/"


def _web_codes(html: str) -> set[str]:
    return set(re.findall(r'href="/wilayah/16\.07/program/([a-z0-9-]+)/"', html)) - {"baru"}  # not the "add" link


def _api_codes(params: dict[str, Any]) -> set[str]:
    r = client_for(None).get("/api/v1/programmes", {"region": "16.07", "page_size": 500, **params})
    assert r.status_code == 200, r.content
    return {p["code"] for p in r.json()["items"]}


def test_choosing_a_pillar_after_a_subdimension_lists_that_pillars_programmes(db: Any) -> None:
    """Reproduced in Chromium: with a Smart Governance sub-dimension chosen, switching the pillar to Smart
    Economy listed 0 programmes (the old sub-dimension still applied), so the chosen pillar showed nothing."""
    economy = set(Programme.objects.active().filter(region_id="16.07", pillar_id="economy").values_list("code",
                                                                                                          flat=True))
    assert economy
    c = client_for("koordinator@banyuasin.test")
    html = c.get(LIST, {"sub": "governance.layanan_publik", "pilar": "economy"}).content.decode()
    assert _web_codes(html) == economy
    # the sub-dimension drop-down now offers only the chosen pillar's sub-dimensions, none selected
    select = html.split('id="f-sub"', 1)[1].split("</select>", 1)[0]
    assert "economy." in select and "governance." not in select and "selected" not in select
    # through htmx the drop-down is swapped too (out of band), so the form shows what applies
    part = c.get(LIST, {"sub": "governance.layanan_publik", "pilar": "economy"}, HTTP_HX_REQUEST="true")
    assert 'hx-swap-oob="true"' in part.content.decode() and _web_codes(part.content.decode()) == economy


@pytest.mark.parametrize(("web", "api"), [
    ({"pilar": "economy"}, {"pillar": "economy"}),
    ({"pilar": "governance", "sub": "governance.layanan_publik"},
     {"pillar": "governance", "subdimension": "governance.layanan_publik"}),
    ({"qw": "1"}, {"quick_win": "true"}),
    ({"qw": "0", "status": "running"}, {"quick_win": "false", "status": "running"}),
    ({"q": "kunci"}, {"q": "kunci"}),
])
def test_the_web_list_and_the_api_filter_programmes_alike(db: Any, web: dict[str, str], api: dict[str, str]) -> None:
    html = client_for(None).get(LIST, web).content.decode()
    assert _web_codes(html) == _api_codes(api)
    assert _api_codes(api) != _api_codes({})  # the filter narrowed something


def test_the_unit_filter_is_shared_too(db: Any) -> None:
    unit = Programme.objects.active().filter(region_id="16.07").values_list("owner_id", flat=True).first()
    html = client_for(None).get(LIST, {"unit": str(unit)}).content.decode()
    assert _web_codes(html) == _api_codes({"unit": unit}) == set(
        Programme.objects.active().filter(region_id="16.07", owner_id=unit).values_list("code", flat=True))


@pytest.mark.parametrize("params", [{"status": "draft"}, {"status": "concluded", "provinsi": "16"},
                                    {"status": "submitted"}, {"provinsi": "16"}])
def test_the_progress_screen_and_the_api_filter_alike(db: Any, params: dict[str, str]) -> None:
    cycle = Cycle.objects.filter(year=2024, pack_code="kominfo-2021").order_by("-pk").first()
    assert cycle is not None
    admin = client_for("admin@kotacerdas.test")
    page = admin.get(f"/nasional/kelola/siklus/{cycle.pk}/kemajuan/", params)
    assert page.status_code == 200
    shown = int(re.search(r"<p>(\d+) wilayah</p>", page.content.decode()).group(1))  # type: ignore[union-attr]
    api = {"status": params.get("status"), "province": params.get("provinsi")}
    rows = admin.get(f"/api/v1/cycles/{cycle.year}/progress", {k: v for k, v in api.items() if v}).json()
    assert shown == len(rows)
    if "provinsi" in params:
        assert all(r["province"] == "16" for r in rows)


@pytest.mark.parametrize(("web", "api"), [({"provinsi": "16"}, {"province": "16"}),
                                          ({"kelas": "A"}, {"region_class": "A"}),
                                          ({"provinsi": "16", "kelas": "B"}, {"province": "16", "region_class": "B"})])
def test_the_ranking_page_and_the_api_filter_alike(db: Any, web: dict[str, str], api: dict[str, str]) -> None:
    """The national ranking (a read model in evaluations.national) is narrowed by one FilterSet for the web
    ranking, the national dashboard, the map and GET /api/v1/ranking."""
    year = "2023"
    page = client_for(None).get("/nasional/peringkat/", {"tahun": year, "urut": "peringkat", **web})
    assert page.status_code == 200
    shown = re.findall(r'<th scope="row"[^>]*><a href="/publik/([0-9.]+)/"', page.content.decode())
    rows = client_for("admin@kotacerdas.test").get("/api/v1/ranking", {"year": year, **api}).json()
    assert rows and len(rows) < 241  # the filter narrowed the list
    assert shown == [r["region"] for r in rows][:50]  # the web list's first page
    if "province" in api:
        assert all(r["province"] == "16" for r in rows)


def test_the_national_api_module_stays_small() -> None:
    from pathlib import Path

    import kotacerdas.api.national as module

    assert len(Path(module.__file__).read_text().splitlines()) < 600
