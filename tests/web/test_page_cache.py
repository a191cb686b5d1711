"""The cached bodies of the region dashboard and the national ranking (web.pagecache): new data shows
at once, each language and each visibility class has its own body, and permission checks still run."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils.translation import override

from kotacerdas.accounts.actions import record_event
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Assignment, Cycle, Panel, Result
from kotacerdas.regions.models import Region
from kotacerdas.web import pagecache
from kotacerdas.web.sections import signature

from .conftest import client_for, demo_user

pytestmark = pytest.mark.django_db
DASHBOARD = "/wilayah/16.07/dasbor/"
COORDINATOR = "koordinator@banyuasin.test"
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _get(username: str | None, path: str = DASHBOARD, **extra: Any) -> str:
    response = client_for(username).get(path, **extra)
    assert response.status_code == 200, (username, path, response.status_code)
    return response.content.decode()


def test_it_serves_the_cached_body_until_an_audited_change(banyuasin_2024) -> None:
    assert "Kabupaten Banyuasin" in _get("admin@kotacerdas.test")
    # A write that bypasses the actions (no audit event) is not seen: the body really is cached ...
    Region.objects.filter(code="16.07").update(name="Banyuasin Uji Cache")
    assert "Banyuasin Uji Cache" not in _get("admin@kotacerdas.test")
    # ... and any audited action makes a new data version.
    record_event(demo_user("admin@kotacerdas.test"), "test.touch", object_type="test", object_id="1")
    assert "Banyuasin Uji Cache" in _get("admin@kotacerdas.test")


def test_a_saved_answer_shows_on_the_dashboard_at_once(banyuasin_2024) -> None:
    before = queries.completeness(banyuasin_2024)
    body = _get(COORDINATOR)
    assert f"{before.answered}/{before.total} indikator terjawab" in body
    response = client_for(COORDINATOR).post(
        f"/pengajuan/{banyuasin_2024.pk}/jawaban/{before.missing[0]}/",
        {"level": "2", "justification": "Ada SK.", "expected_version": "0"}, **HTMX)
    assert response.status_code == 200 and "Tersimpan" in response.content.decode()
    body = _get(COORDINATOR)
    assert f"{before.answered + 1}/{before.total} indikator terjawab" in body
    assert f"{before.answered}/{before.total} indikator" not in body


def test_an_autosave_flushes_only_its_own_regions_pages(banyuasin_2024) -> None:
    national, muba, banyuasin = (pagecache.data_version(), pagecache.data_version("16.06"),
                                 pagecache.data_version("16.07"))
    code = queries.completeness(banyuasin_2024).missing[0]
    response = client_for(COORDINATOR).post(f"/pengajuan/{banyuasin_2024.pk}/jawaban/{code}/",
                                            {"level": "3", "expected_version": "0"}, **HTMX)
    assert "Tersimpan" in response.content.decode()
    assert pagecache.data_version("16.07") != banyuasin
    assert (pagecache.data_version(), pagecache.data_version("16.06")) == (national, muba)
    # Any other action, here a result of Musi Banyuasin, is a new version for every page.
    record_event(None, "evaluations.compute_result", object_type="evaluations.result", object_id="0",
                 region_code="16.06")
    assert pagecache.data_version() != national and pagecache.data_version("16.06") != muba
    assert pagecache.data_version("16.07") != banyuasin


def test_a_recomputed_index_shows_on_the_ranking_at_once(banyuasin_2024) -> None:
    result = Result.objects.get(region_id="16.07", cycle__year=2023)
    assert "3,91" not in _get("admin@kotacerdas.test", "/nasional/?tahun=2023&provinsi=16")
    Result.objects.filter(pk=result.pk).update(index="3.91")
    record_event(None, "evaluations.compute_result", result, region_code="16.07")
    assert "3,91" in _get("admin@kotacerdas.test", "/nasional/?tahun=2023&provinsi=16")


def test_each_language_has_its_own_body() -> None:
    client = client_for("admin@kotacerdas.test")
    first = client.get(DASHBOARD).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(DASHBOARD).content.decode()
    del client.cookies["django_language"]
    again = client.get(DASHBOARD).content.decode()
    assert "Indeks terkini" in first and "Indeks terkini" in again
    assert "Current index" in english and "Indeks terkini" not in english


def _ranked(body: str) -> int:
    return len(re.findall(r'<th scope="row" data-label="[^"]*"><a href="/wilayah/', body))


def test_each_filter_has_its_own_ranking_body() -> None:
    everything = _get("admin@kotacerdas.test", "/nasional/?tahun=2023")
    sumsel = _get("admin@kotacerdas.test", "/nasional/?tahun=2023&provinsi=16")
    banyuasin = _get("admin@kotacerdas.test", "/nasional/?tahun=2023&provinsi=16&q=banyuasin")
    assert _ranked(everything) > _ranked(sumsel) > _ranked(banyuasin) == 1
    assert _ranked(_get("admin@kotacerdas.test", "/nasional/?tahun=2023")) == _ranked(everything)


def test_a_viewer_who_may_only_read_never_gets_the_coordinators_body() -> None:
    assert "Lanjutkan penilaian mandiri" in _get(COORDINATOR)
    body = _get("bupati@banyuasin.test")
    assert "Lanjutkan penilaian mandiri" not in body and "Lihat pengajuan" in body
    assert "Lanjutkan penilaian mandiri" in _get(COORDINATOR)


def test_an_assessor_of_an_earlier_cycle_never_gets_the_running_submission_built_for_an_admin() -> None:
    """Assigned to Banyuasin only in an earlier cycle: may open the dashboard, may not see the
    running submission (evaluations.rules.can_view_submission), whoever looked before."""
    from django.contrib.auth import get_user_model

    from kotacerdas.accounts.models import Membership

    old = get_user_model().objects.create(username="asesor-lama@kotacerdas.test", email="asesor-lama@kotacerdas.test")
    Membership.objects.create(user=old, role="assessor")
    panel = Panel.objects.create(cycle=Cycle.objects.get(year=2023, pack_code="kominfo-2021"), name="Panel lama", region_class="B", lead=old)
    panel.members.add(old)
    Assignment.objects.create(cycle=panel.cycle, panel=panel, region_id="16.07", active=True)
    from kotacerdas.ops.demo import ensure_demo_totp

    ensure_demo_totp(old, "JBSWY3DPEHPK3PXP")
    assert 'id="bagian-submission"' in _get("admin@kotacerdas.test")
    assert 'id="bagian-submission"' in _get("asesor1@kotacerdas.test")  # assigned in the running cycle
    assert 'id="bagian-submission"' not in _get("asesor-lama@kotacerdas.test")
    assert 'id="bagian-submission"' in _get("admin@kotacerdas.test")


def test_permission_is_checked_before_a_cached_body_is_served() -> None:
    _get("admin@kotacerdas.test")
    _get("admin@kotacerdas.test", "/nasional/")
    assert client_for("koordinator@muba.test").get(DASHBOARD).status_code == 403
    assert client_for(COORDINATOR).get("/nasional/").status_code == 403
    assert client_for(None).get("/nasional/").status_code == 302  # to the login page
    assert client_for(None).get(DASHBOARD).status_code in (302, 403)


def test_a_cached_body_holds_no_csrf_token_and_no_name_of_the_viewer() -> None:
    client = client_for(COORDINATOR)
    page = client.get(DASHBOARD).content.decode()
    assert "csrfmiddlewaretoken" in page  # the logout and language forms of base.html, per request
    user = demo_user(COORDINATOR)
    with override("id"):
        key = pagecache.make_key("dashboard", pagecache.data_version("16.07"), pagecache.region_viewer(user, "16.07"),
                                 "16.07", signature("dashboard"))
        body = pagecache.cache().get(key)
    assert body is not None and "bagian-submission" in body["html"]
    assert "csrfmiddlewaretoken" not in body["html"] and client.cookies["csrftoken"].value not in body["html"]
    assert user.get_full_name() and user.get_full_name() not in body["html"]
