"""The lists that were still filtered by hand in their views and routes now go through one FilterSet each
(accounts.filters, regions.filters, evaluations.filters, catalogue.filters, surveys.filters,
actionplans.filters): the web screen and the API give the same rows for the same choice, and a bad value
is a clear error in the API (422 naming the parameter) and ignored on a web page, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from kotacerdas.core.errors import InvalidInput
from kotacerdas.core.filtering import narrowed
from kotacerdas.evaluations.filters import ResultFilterSet
from kotacerdas.evaluations.models import Cycle, Result

from .conftest import client_for

pytestmark = pytest.mark.django_db
ADMIN = "admin@kotacerdas.test"
PEOPLE = "/nasional/kelola/orang/"


def _web_people(params: dict[str, str]) -> list[str]:
    page = client_for(ADMIN).get(PEOPLE, params)
    assert page.status_code == 200
    return [u.email for u in page.context["page"].object_list]


def _api_people(params: dict[str, str]) -> list[str]:
    r = client_for(ADMIN).get("/api/v1/users", params)
    assert r.status_code == 200, r.content
    return [u["email"] for u in r.json()]


@pytest.mark.parametrize(("web", "api", "expected"), [
    # "Banyuasin" is in the Musi Banyuasin coordinator's name, not in their email: both lists search names.
    ({"q": "Banyuasin", "peran": "coordinator"}, {"q": "Banyuasin", "role": "coordinator"},
     ["koordinator@banyuasin.test", "koordinator@muba.test"]),
    ({"peran": "assessor"}, {"role": "assessor"},
     ["asesor1@kotacerdas.test", "asesor2@kotacerdas.test", "asesor3@kotacerdas.test", "asesor4@kotacerdas.test"]),
    ({"q": "dukcapil"}, {"q": "dukcapil"}, ["operator.dukcapil@banyuasin.test"]),
])
def test_the_people_screen_and_the_api_filter_alike(db: Any, web: dict[str, str], api: dict[str, str],
                                                    expected: list[str]) -> None:
    assert _web_people(web) == _api_people(api) == expected


def test_a_bad_role_is_ignored_on_the_people_screen_and_refused_by_the_api(db: Any) -> None:
    everyone = _web_people({})
    assert len(everyone) > 1 and _web_people({"peran": "raja"}) == everyone
    r = client_for(ADMIN).get("/api/v1/users", {"role": "raja"})
    assert r.status_code == 422 and r.json()["code"] == "invalid" and r.json()["field"] == "role"


def _cycle_2024() -> Cycle:
    return Cycle.objects.get(year=2024, pack_code="kominfo-2021")


@pytest.mark.parametrize(("web", "api"), [({"provinsi": "16", "q": "Musi"}, {"province": "16", "q": "Musi"}),
                                          ({"provinsi": "16"}, {"province": "16"}),
                                          ({"q": "16.0"}, {"q": "16.0"})])
def test_the_cycle_and_schedule_screens_and_the_api_list_the_same_participants(
        db: Any, web: dict[str, str], api: dict[str, str]) -> None:
    cycle = _cycle_2024()
    admin = client_for(ADMIN)
    rows = admin.get(f"/api/v1/cycles/{cycle.year}/participants", api)
    assert rows.status_code == 200, rows.content
    codes = [p["region"] for p in rows.json()]
    everyone = [p["region"] for p in admin.get(f"/api/v1/cycles/{cycle.year}/participants").json()]
    assert codes and len(codes) < len(everyone)  # the filter narrowed the list
    assert all(c.startswith("16.") for c in codes)
    page = admin.get(f"/nasional/kelola/siklus/{cycle.pk}/", web)
    assert [p.region_id for p in page.context["parts"].object_list] == codes
    if "q" in web:  # the schedule screen searches its participants by the same FilterSet
        schedule = admin.get(f"/nasional/kelola/siklus/{cycle.pk}/jadwal/", {"q": web["q"]})
        everyone_there = admin.get(f"/api/v1/cycles/{cycle.year}/participants", {"q": web["q"]}).json()
        assert [r["part"].region_id for r in schedule.context["rows"]] == [p["region"] for p in everyone_there]


def test_a_bad_province_is_refused_by_the_participants_api(db: Any) -> None:
    r = client_for(ADMIN).get(f"/api/v1/cycles/{_cycle_2024().year}/participants", {"province": "enam belas"})
    assert r.status_code == 422 and r.json()["field"] == "province"


def test_the_results_api_and_the_ranking_page_agree_on_a_province(db: Any) -> None:
    """GET /api/v1/results (evaluations.filters.ResultFilterSet) and the public ranking list the same
    published results of a year and province."""
    page = client_for(None).get("/nasional/peringkat/", {"tahun": "2023", "provinsi": "16"})
    shown = {r.region_id for r in page.context["page"].object_list}
    api = client_for(None).get("/api/v1/results", {"year": "2023", "province": "16", "page_size": "500"}).json()
    assert shown and {r["region"] for r in api["items"]} == shown
    assert all(r["year"] == 2023 and r["is_published"] for r in api["items"])
    one = client_for(None).get("/api/v1/results", {"year": "2023", "region": "16.07"}).json()["items"]
    assert one and {r["region"] for r in one} == {"16.07"}


@pytest.mark.parametrize(("url", "params", "field"), [
    ("/api/v1/results", {"province": "1"}, "province"), ("/api/v1/results", {"year": "dua"}, "year"),
    ("/api/v1/submissions", {"year": "dua"}, "year"), ("/api/v1/units", {"kind": "kerajaan"}, "kind"),
    ("/api/v1/surveys", {"year": "1900"}, "year")])
def test_a_bad_filter_value_is_a_422_naming_the_parameter(db: Any, url: str, params: dict[str, str],
                                                          field: str) -> None:
    r = client_for(ADMIN).get(url, params)
    assert r.status_code == 422 and r.json()["code"] == "invalid" and r.json()["field"] == field, r.content


def test_a_value_the_filterset_refuses_is_an_error_in_strict_mode_and_dropped_otherwise(db: Any) -> None:
    results = Result.objects.filter(cycle__year=2023)
    with pytest.raises(InvalidInput) as caught:
        narrowed(ResultFilterSet, results, {"year": "dua", "province": "16"}, strict=True)
    assert caught.value.context["field"] == "year"
    lenient = narrowed(ResultFilterSet, results, {"year": "dua", "province": "16"})
    assert set(lenient) == set(results.filter(region__parent_id="16")) and lenient.count() < results.count()


def test_the_api_lists_are_still_narrowed(db: Any) -> None:
    admin = client_for(ADMIN)
    units = admin.get("/api/v1/units", {"region": "16.07", "kind": "opd", "page_size": "500"}).json()["items"]
    assert units and all(u["region"] == "16.07" and u["kind"] == "opd" for u in units)
    subs = admin.get("/api/v1/submissions", {"year": "2024", "region": "16.07"}).json()
    assert subs and all(s["year"] == 2024 and s["region"] == "16.07" for s in subs)
    surveys = admin.get("/api/v1/surveys", {"region": "16.07"}).json()
    assert surveys and all(s["region"] == "16.07" for s in surveys)
    from kotacerdas.monitoring.models import KpiValue

    some = KpiValue.objects.order_by("pk").first()
    assert some is not None
    url = f"/api/v1/kpis/{some.kpi_id}/values"
    values = admin.get(url, {"year": str(some.period.year), "area": some.area_id}).json()
    assert values and all(v["area"] == some.area_id and v["period"].startswith(str(some.period.year))
                          for v in values)
    assert len(values) == KpiValue.objects.filter(kpi_id=some.kpi_id, area_id=some.area_id,
                                                  period__year=some.period.year).count()
    assert admin.get(url, {"year": "dua"}).json()["field"] == "year"


def test_the_action_plan_ignores_a_unit_that_is_not_a_number(db: Any) -> None:
    c = client_for("koordinator@banyuasin.test")
    everything = c.get("/wilayah/16.07/rencana-aksi/", {"tahun": "2024"})
    bad = c.get("/wilayah/16.07/rencana-aksi/", {"tahun": "2024", "unit": "dinas"})
    assert bad.status_code == 200 and len(bad.context["items"]) == len(everything.context["items"]) > 0
    owner = everything.context["items"][0].owner_id
    mine = c.get("/wilayah/16.07/rencana-aksi/", {"tahun": "2024", "unit": str(owner)}).context["items"]
    assert mine and all(i.owner_id == owner for i in mine)
    assert len(mine) < len(everything.context["items"])
