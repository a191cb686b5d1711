"""The action-plan page and API: who sees what."""

from __future__ import annotations

import pytest

from kotacerdas.actionplans.models import ActionItem


@pytest.mark.parametrize("who", ["citra", "oki", "eka", "andi", "alice"])
def test_it_shows_the_plan_to_region_members_assessors_and_admin(actors, who: str) -> None:
    from tests.base import assign_to_banyuasin

    assign_to_banyuasin(actors.andi)  # assessors read the plans of regions assigned to their panel
    r = actors.client(getattr(actors, who)).get("/wilayah/16.07/rencana-aksi/?tahun=2024")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Peningkatan kapasitas SDM" in body and "(93,33 + 100 + 100 + 50) / 4 = 85,83%" in body
    assert "Terlambat" in body


def test_it_hides_the_plan_from_other_regions_and_the_public(actors) -> None:
    assert actors.client(actors.mira).get("/wilayah/16.07/rencana-aksi/").status_code == 403
    assert actors.client(actors.ayu).get("/wilayah/16.07/rencana-aksi/").status_code == 403  # not assigned
    r = actors.client(None).get("/wilayah/16.07/rencana-aksi/")
    assert r.status_code == 302 and "next=/wilayah/16.07/rencana-aksi/" in r["Location"]  # to the login page


def test_it_filters_the_list(actors) -> None:
    client = actors.client(actors.citra)
    body = client.get("/wilayah/16.07/rencana-aksi/?tahun=2024&kategori=aplikasi").content.decode()
    assert "4 dari 16 kegiatan" in body
    body = client.get("/wilayah/16.07/rencana-aksi/?tahun=2024&terlambat=1").content.decode()
    overdue = sum(1 for i in ActionItem.objects.filter(region_id="16.07") if i.overdue)
    assert f"{overdue} dari 16 kegiatan" in body


def test_the_plan_api_narrows_its_items_with_the_pages_filters(actors) -> None:
    from kotacerdas.actionplans import filters, queries
    from kotacerdas.evaluations.models import Cycle

    client = actors.client(actors.citra)
    cycle = Cycle.objects.get(year=2024)
    whole = client.get("/api/v1/action-plans?region=16.07&year=2024").json()
    assert len(whole["items"]) == 16
    word = whole["items"][0]["title"].split()[0]
    status = whole["items"][0]["status"]
    cases = [("category=aplikasi", {"kategori": "aplikasi"}), ("overdue=true", {"terlambat": "1"}),
             (f"status={status}", {"status": status}), (f"q={word}", {"q": word}),
             (f"category=aplikasi&status={status}", {"kategori": "aplikasi", "status": status})]
    for query, page_params in cases:
        got = client.get(f"/api/v1/action-plans?region=16.07&year=2024&{query}").json()
        expected = sorted(i.code for i in filters.items(queries.plan_items("16.07", cycle), page_params))
        assert sorted(i["code"] for i in got["items"]) == expected, query
        assert len(expected) < 16, query
        assert expected or "&" in query, query
        assert got["overall"] == whole["overall"]  # the achievement stays the whole plan's
    owner = whole["items"][0]["owner_id"]
    mine = client.get(f"/api/v1/action-plans?region=16.07&year=2024&owner={owner}").json()["items"]
    assert mine and {i["owner_id"] for i in mine} == {owner}
    assert len(client.get("/api/v1/action-plans?region=16.07&year=2024&category=aplikasi").json()["items"]) == 4


@pytest.mark.parametrize(("query", "field"), [("status=selesai", "status"), ("owner=abc", "owner"),
                                               ("overdue=mungkin", "overdue")])
def test_the_plan_api_refuses_a_filter_value_naming_it(actors, query: str, field: str) -> None:
    r = actors.client(actors.citra).get(f"/api/v1/action-plans?region=16.07&year=2024&{query}")
    assert r.status_code == 422 and r.json()["field"] == field


def test_it_offers_edit_forms_by_role(actors) -> None:
    item = ActionItem.objects.get(region_id="16.07", code="RA-2024-003")
    url = f"/wilayah/16.07/rencana-aksi/{item.pk}/"
    coordinator = actors.client(actors.citra).get(url).content.decode()
    operator = actors.client(actors.oki).get(url).content.decode()
    executive = actors.client(actors.eka).get(url).content.decode()
    assert 'name="owner"' in coordinator and 'name="status"' in coordinator
    assert 'name="status"' in operator and 'name="owner"' not in operator
    assert 'name="status"' not in executive and "Komentar" in executive


def test_it_downloads_the_plan_as_xlsx(actors) -> None:
    r = actors.client(actors.eka).get("/wilayah/16.07/rencana-aksi/ekspor.xlsx?tahun=2024")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "rencana-aksi-16.07-2024" in r["Content-Disposition"]


def test_it_serves_the_plan_api_with_achievement_per_category(actors) -> None:
    r = actors.client(actors.eka).get("/api/v1/action-plans?region=16.07&year=2024")
    assert r.status_code == 200
    data = r.json()
    assert [c["code"] for c in data["categories"]] == ["sdm", "infrastruktur", "aplikasi", "literasi"]
    assert data["categories"][0]["percent"] == 85.83 and "85,83%" in data["categories"][0]["formula"]
    assert len(data["items"]) == 16 and {"percent_formula", "overdue", "version"} <= set(data["items"][0])


def test_it_guards_the_plan_api(actors) -> None:
    assert actors.client(None).get("/api/v1/action-plans?region=16.07&year=2024").status_code == 401
    r = actors.client(actors.mira).get("/api/v1/action-plans?region=16.07&year=2024")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert actors.client(actors.citra).get("/api/v1/action-plans?region=16.07&year=1999").status_code == 422
    assert actors.client(actors.citra).get("/api/v1/action-plans?region=99.99&year=2024").status_code == 404


def test_it_refuses_a_stale_progress_report_over_the_api(actors) -> None:
    item = ActionItem.objects.get(region_id="16.07", code="RA-2024-009")
    client = actors.client(actors.oki)
    ok = client.patch(f"/api/v1/action-plans/items/{item.pk}", {"expected_version": item.version,
                                                                  "status": "in_progress"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == item.version + 1
    stale = client.patch(f"/api/v1/action-plans/items/{item.pk}", {"expected_version": item.version,
                                                                     "status": "not_started"},
                         content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    other = ActionItem.objects.get(region_id="16.07", code="RA-2024-006")
    refused = client.patch(f"/api/v1/action-plans/items/{other.pk}", {"expected_version": other.version,
                                                                       "status": "done"},
                           content_type="application/json")
    assert refused.status_code == 403


def test_it_tells_the_items_history_in_sentences(actors) -> None:
    from kotacerdas.actionplans import actions

    item = ActionItem.objects.filter(region_id="16.07", archived_at__isnull=True, status="not_started").first()
    if item is None:
        item = ActionItem.objects.filter(region_id="16.07", archived_at__isnull=True).first()
        assert item is not None
        item = actions.do_update_item(actors.citra, item, item.version, {"status": "not_started"})
    actions.do_update_item(actors.citra, item, item.version, {"status": "in_progress"})
    body = actors.client(actors.citra).get(f"/wilayah/16.07/rencana-aksi/{item.pk}/").content.decode()
    history = body[body.index('class="history"'):]
    history = history[:history.index("</ul>")]
    assert "citra mengubah Status" in history and "Status: Belum mulai → Berjalan" in history
    assert "actionplans.update_item" not in history and "in_progress" not in history


def test_it_says_why_the_recommendation_list_is_empty(actors) -> None:
    from kotacerdas.evaluations.models import Feedback

    assert not Feedback.objects.filter(submission__region_id="16.07").exclude(recommendation="").exists()
    body = actors.client(actors.citra).get("/wilayah/16.07/rencana-aksi/baru/?tahun=2024").content.decode()
    select = body[body.index('name="recommendation"'):]
    select = select[:select.index("</select>")]
    assert "belum ada rekomendasi asesor untuk wilayah ini" in select and " disabled" in body[
        body.index('name="recommendation"') - 200:body.index('name="recommendation"') + 200]
    assert "setelah panel asesor menulis umpan balik" in body
