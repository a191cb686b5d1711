"""Who sees which page; the public sees nothing unpublished."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kotacerdas.evaluations.models import Cycle, Result

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/publik/", "/publik/16.07/", "/nasional/peta/", "/wilayah/16.07/program/",
                                 "/wilayah/16.07/program/jam-kunci/", "/wilayah/16.07/peta/",
                                 "/nasional/peta/data.json?provinsi=16"])
def test_it_serves_public_pages_without_login(url: str) -> None:
    assert client_for(None).get(url).status_code == 200


@pytest.mark.parametrize("url", ["/wilayah/16.07/dasbor/", "/nasional/"])
def test_it_sends_the_public_to_login_or_refuses(url: str) -> None:
    response = client_for(None).get(url)
    assert response.status_code in (302, 403)


def test_it_routes_each_role_from_the_home_page(banyuasin_2024) -> None:
    coordinator = client_for("koordinator@banyuasin.test").get("/").content.decode()
    assert "/wilayah/16.07/dasbor/" in coordinator and f"/pengajuan/{banyuasin_2024.pk}/" in coordinator
    assessor = client_for("asesor1@kotacerdas.test").get("/").content.decode()
    assert "Wilayah yang ditugaskan" in assessor and "/nilai/" in assessor
    admin = client_for("admin@kotacerdas.test").get("/").content.decode()
    assert "/nasional/" in admin
    public = client_for(None).get("/").content.decode()
    assert "/publik/" in public and "Pekerjaan Anda" not in public


def test_it_shows_the_region_dashboard_to_its_executive_but_not_to_another_region() -> None:
    body = client_for("bupati@banyuasin.test").get("/wilayah/16.07/dasbor/").content.decode()
    assert "Indeks terkini" in body and "2,87" in body and "Rumus" in body
    assert "Prakiraan indeks" in body  # readiness forecast of the running submission
    assert client_for("koordinator@muba.test").get("/wilayah/16.07/dasbor/").status_code == 403


def test_it_shows_the_formula_of_the_index_from_the_stored_trace() -> None:
    body = client_for("admin@kotacerdas.test").get("/wilayah/16.07/dasbor/").content.decode()
    # the engine's formula, written with the reader's decimal comma
    assert "0,10×3 + 0,20×3 + 0,30×2,90 + 0,20×2,80 + 0,20×2,70 = 2,87" in body


def test_it_keeps_the_national_view_for_admins_and_assessors() -> None:
    assert client_for("admin@kotacerdas.test").get("/nasional/").status_code == 200
    assert client_for("asesor2@kotacerdas.test").get("/nasional/?provinsi=16&kelas=B&q=banyu").status_code == 200
    assert client_for("koordinator@banyuasin.test").get("/nasional/").status_code == 403


def test_it_filters_the_ranking_by_province_and_name() -> None:
    body = client_for("admin@kotacerdas.test").get("/nasional/?tahun=2023&provinsi=16&q=banyuasin").content.decode()
    assert "Kabupaten Banyuasin" in body and "Kota Bandung" not in body


def test_it_never_shows_unpublished_results_on_the_public_portal() -> None:
    cycle = Cycle.objects.get(year=2023, pack_code="kominfo-2021")
    Result.objects.filter(cycle=cycle, region_id="16.07").update(is_published=False)
    portal = client_for(None).get("/publik/?q=banyuasin").content.decode()
    assert "Tidak ditemukan." in portal  # the search finds no published Banyuasin result
    region = client_for(None).get("/publik/16.07/").content.decode()
    assert "2,87" not in region
    data = client_for(None).get("/nasional/peta/data.json?tahun=2023&provinsi=16").json()
    assert "16.07" not in data["results"]


def test_it_shows_an_unpublished_result_to_the_region_itself() -> None:
    cycle = Cycle.objects.get(year=2023, pack_code="kominfo-2021")
    Result.objects.filter(cycle=cycle, region_id="16.07").update(is_published=False, index=Decimal("2.87"))
    body = client_for("bupati@banyuasin.test").get("/wilayah/16.07/dasbor/").content.decode()
    assert "belum diterbitkan" in body


def test_it_filters_the_catalogue_by_pillar_status_and_quick_win() -> None:
    c = client_for(None)
    qw = c.get("/wilayah/16.07/program/?qw=1").content.decode()
    assert "JAM KUNCI" in qw and "Bank Sampah Digital" in qw
    gov = c.get("/wilayah/16.07/program/?pilar=environment&qw=1").content.decode()
    assert "Bank Sampah Digital" in gov and "JAM KUNCI" not in gov
    partial = c.get("/wilayah/16.07/program/?q=jam", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "JAM KUNCI" in partial


def test_it_hides_feedback_and_evidence_of_a_programme_from_the_public() -> None:
    public = client_for(None).get("/wilayah/16.07/program/jam-kunci/").content.decode()
    assert "Umpan balik asesor" not in public
    member = client_for("bupati@banyuasin.test").get("/wilayah/16.07/program/jam-kunci/").content.decode()
    assert "Umpan balik asesor" in member and "Bukti dukung terkait" in member


def test_the_reach_map_opens_on_a_programme_with_data_from_an_earlier_year() -> None:
    """Events of a year that is neither this year nor last still colour the map; the page opens on the
    programme that has them instead of a grey map."""
    from kotacerdas.monitoring import actions as mon_actions
    from kotacerdas.regions.models import Region

    mon_actions.generate_events(None, Region.objects.get(code="16.07"), n_events=3000, year=2021, seed=7,
                                programmes=["oss"], is_demo=True)
    page = client_for(None).get("/wilayah/16.07/peta/").content.decode()
    assert '<option value="oss" selected>' in page
    data = client_for(None).get("/wilayah/16.07/peta/data.json?metrik=oss").json()
    assert "2021" in data["source"] and len(data["values"]) == 21
    assert client_for(None).get("/wilayah/16.07/peta/data.json?metrik=jam-kunci").json()["values"] == {}
