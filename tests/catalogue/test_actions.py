"""Catalogue changes go through catalogue.actions: who may do what, the audit trail, versions, and the
importer and Django admin using the same actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.catalogue import actions
from kotacerdas.catalogue.models import Programme, Unit
from kotacerdas.core.errors import InvalidInput, NotAllowed, StaleEdit
from kotacerdas.regions.models import Region

pytestmark = pytest.mark.django_db


def _values(unit: Unit, **extra: object) -> dict[str, object]:
    return {"title": "Lapor Banjir", "owner": unit.pk, "subdimension": "society.sistem_keamanan",
            "sector": "sosial", "start_year": 2024, **extra}


@pytest.fixture
def banyuasin() -> Region:
    return Region.objects.get(code="16.07")


@pytest.fixture
def units() -> dict[str, Unit]:
    return {u.short_name: u for u in Unit.objects.filter(region_id="16.07")}


def test_it_lets_the_coordinator_add_a_programme_for_any_unit_with_an_audit_event(actors, banyuasin, units) -> None:
    p = actions.do_create_programme(actors.citra, banyuasin, "lapor-banjir", _values(units["BPBD"]))
    assert (p.owner.short_name, p.pillar_id, p.version) == ("BPBD", "society", 1)
    event = AuditEvent.objects.get(action="catalogue.create_programme", object_id=str(p.pk))
    assert event.actor == actors.citra and event.region_code == "16.07" and event.data["code"] == "lapor-banjir"


def test_it_lets_an_operator_add_only_programmes_of_their_own_unit(actors, banyuasin, units) -> None:
    own = actions.do_create_programme(actors.oki, banyuasin, "ktp-keliling", _values(units["Disdukcapil"]))
    assert own.owner.short_name == "Disdukcapil"
    with pytest.raises(NotAllowed):
        actions.do_create_programme(actors.oki, banyuasin, "lapor-banjir", _values(units["BPBD"]))
    assert not Programme.objects.filter(code="lapor-banjir").exists()


def test_it_refuses_the_executive_the_public_and_other_regions(actors, banyuasin, units) -> None:
    from django.contrib.auth.models import AnonymousUser

    p = Programme.objects.get(region_id="16.07", code="jam-kunci")
    # No caller hands these actions an anonymous user (the pages and the admin require a login, so the actor is
    # typed User); should one slip through, it is refused all the same.
    anonymous: Any = AnonymousUser()
    for who in (actors.eka, actors.mira, anonymous, actors.andi):
        with pytest.raises(NotAllowed):
            actions.do_create_programme(who, banyuasin, "x-1", _values(units["BPBD"]))
        with pytest.raises(NotAllowed):
            actions.do_update_programme(who, p, p.version, {"title": "Baru"})
        with pytest.raises(NotAllowed):
            actions.do_archive_programme(who, p)
        with pytest.raises(NotAllowed):
            actions.do_create_unit(who, banyuasin, {"name": "Dinas Baru"})
    p.refresh_from_db()
    assert p.archived_at is None and p.title != "Baru"


def test_it_keeps_an_operator_to_their_own_units_programmes(actors, units) -> None:
    jam = Programme.objects.get(region_id="16.07", code="jam-kunci")  # Disdukcapil
    oss = Programme.objects.get(region_id="16.07", code="oss")  # DPMPTSP
    jam = actions.do_update_programme(actors.oki, jam, jam.version, {"platform": "web, Android"})
    assert jam.platform == "web, Android"
    with pytest.raises(NotAllowed):
        actions.do_update_programme(actors.oki, oss, oss.version, {"platform": "web"})
    with pytest.raises(NotAllowed):  # nor hand their programme to another unit
        actions.do_update_programme(actors.oki, jam, jam.version, {"owner": units["BPBD"].pk})
    with pytest.raises(NotAllowed):
        actions.do_archive_programme(actors.oki, oss)
    with pytest.raises(NotAllowed):  # units are the coordinator's
        actions.do_update_unit(actors.oki, units["Disdukcapil"], {"short_name": "Dukcapil"})


def test_it_records_what_changed_and_refuses_a_stale_edit(actors) -> None:
    p = Programme.objects.get(region_id="16.07", code="jam-kunci")
    seen = p.version
    p = actions.do_update_programme(actors.citra, p, seen, {"title": "JAM KUNCI 2", "status": "stopped"})
    assert p.version == seen + 1
    event = AuditEvent.objects.filter(action="catalogue.update_programme", object_id=str(p.pk)).first()
    assert event is not None and event.data["changes"]["title"][1] == "JAM KUNCI 2"
    assert (event.from_state, event.to_state) == ("running", "stopped")
    with pytest.raises(StaleEdit):
        actions.do_update_programme(actors.citra, Programme.objects.get(pk=p.pk), seen, {"title": "lama"})
    same = actions.do_update_programme(actors.citra, p, p.version, {"title": "JAM KUNCI 2"})
    assert same.version == p.version  # nothing changed: no version spent


def test_it_validates_programme_values(actors, banyuasin, units) -> None:
    muba_unit = Unit.objects.filter(region_id="16.06").first() or Unit.objects.create(region_id="16.06", name="X")
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("Bad Code", {}, "code"), ("jam-kunci", {}, "code"),
        ("ok-1", {"owner": muba_unit.pk}, "owner"), ("ok-1", {"title": ""}, "title"),
        ("ok-1", {"subdimension": "nope"}, "subdimension"), ("ok-1", {"start_year": 1900}, "start_year"),
        ("ok-1", {"url": "ftp://x"}, "url"), ("ok-1", {"area_scope": "listed"}, "kecamatan"),
        ("ok-1", {"kecamatan": ["16.06.01"], "area_scope": "listed"}, "kecamatan"),
    ]
    for code, extra, field in cases:
        with pytest.raises(InvalidInput) as refused:
            actions.do_create_programme(actors.citra, banyuasin, code, _values(units["BPBD"], **extra))
        assert refused.value.context["field"] == field, (code, extra)
    kec = list(Region.objects.filter(parent_id="16.07").values_list("code", flat=True)[:2])
    p = actions.do_create_programme(actors.citra, banyuasin, "ok-1",
                                    _values(units["BPBD"], area_scope="listed", kecamatan=kec))
    assert sorted(p.kecamatan.values_list("code", flat=True)) == sorted(kec)


def test_it_archives_and_restores_programmes_and_archives_only_empty_units(actors, banyuasin) -> None:
    p = Programme.objects.get(region_id="16.07", code="jam-kunci")
    with pytest.raises(InvalidInput):  # Disdukcapil still owns programmes
        actions.do_archive_unit(actors.citra, p.owner)
    p = actions.do_archive_programme(actors.oki, p, "diganti aplikasi baru")
    assert p.archived_at is not None
    assert AuditEvent.objects.filter(action="catalogue.archive_programme", object_id=str(p.pk),
                                     reason="diganti aplikasi baru").exists()
    with pytest.raises(InvalidInput):
        actions.do_update_programme(actors.citra, p, p.version, {"title": "x"})
    p = actions.do_restore_programme(actors.citra, p)
    assert p.archived_at is None
    unit = actions.do_create_unit(actors.citra, banyuasin, {"name": "Dinas Arsip Baru", "short_name": "DAB"})
    with pytest.raises(InvalidInput):
        actions.do_create_unit(actors.citra, banyuasin, {"name": "dinas arsip baru"})
    unit = actions.do_update_unit(actors.citra, unit, {"short_name": "Arsip"})
    unit = actions.do_archive_unit(actors.citra, unit)
    assert unit.archived_at is not None
    assert set(AuditEvent.objects.filter(object_type="catalogue.unit", object_id=str(unit.pk))
               .values_list("action", flat=True)) == {"catalogue.create_unit", "catalogue.update_unit",
                                                       "catalogue.archive_unit"}


CSV_HEAD = "Kode,Nama program,Unit pemilik,Sub-dimensi (kode),Sektor,Tahun mulai,Status,Quick Win,Aplikasi\n"


def _import(actor, path: Path, dry_run: bool = False):
    from kotacerdas.reports.importers import IMPORTERS

    return IMPORTERS["programmes"].run(actor, path, Region.objects.get(code="16.07"), None, dry_run)


def test_it_imports_programmes_through_the_catalogue_actions(actors, tmp_path: Path) -> None:
    path = tmp_path / "program.csv"
    path.write_text(CSV_HEAD + "lapor-banjir,Lapor Banjir,BPBD,society.sistem_keamanan,sosial,2024,running,tidak,ya\n",
                    encoding="utf-8")
    preview = _import(actors.citra, path, dry_run=True)
    assert preview.changes == [{"row": 2, "code": "lapor-banjir", "title": "Lapor Banjir", "action": "create",
                                "fields": {}}]
    assert not Programme.objects.filter(code="lapor-banjir").exists()
    _import(actors.citra, path)
    p = Programme.objects.get(region_id="16.07", code="lapor-banjir")
    assert AuditEvent.objects.filter(action="catalogue.create_programme", object_id=str(p.pk),
                                     data__source="import").exists()
    path.write_text(CSV_HEAD + "lapor-banjir,Lapor Banjir Cepat,BPBD,society.sistem_keamanan,sosial,2024,running,"
                    "tidak,ya\n", encoding="utf-8")
    report = _import(actors.citra, path, dry_run=True)
    assert report.changes[0]["fields"] == {"title": ["Lapor Banjir", "Lapor Banjir Cepat"]}


def test_it_leaves_an_unchanged_archived_programme_alone_on_reimport(actors, tmp_path: Path) -> None:
    from kotacerdas.reports.importers import export_programmes

    path = tmp_path / "program.xlsx"
    path.write_bytes(export_programmes(Region.objects.get(code="16.07")))
    p = actions.do_archive_programme(actors.citra, Programme.objects.get(region_id="16.07", code="jam-kunci"))
    version = p.version
    for _ in range(2):
        report = _import(actors.citra, path)
        assert report.changed == 0 and report.unchanged == report.rows
    p.refresh_from_db()
    assert p.version == version and p.archived_at is not None


def test_it_refuses_an_operators_import_rows_of_other_units_all_or_nothing(actors, tmp_path: Path) -> None:
    from kotacerdas.reports.xlsx import ImportFailed

    path = tmp_path / "program.csv"
    path.write_text(CSV_HEAD
                    + "ktp-keliling,KTP Keliling,Disdukcapil,governance.layanan_publik,pemerintahan,2024,running,tidak,tidak\n"
                    + "lapor-banjir,Lapor Banjir,BPBD,society.sistem_keamanan,sosial,2024,running,tidak,ya\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        _import(actors.oki, path)
    assert [(e.row, e.column) for e in failed.value.report.errors] == [(3, "C")]
    assert not Programme.objects.filter(code__in=["ktp-keliling", "lapor-banjir"]).exists()
    with pytest.raises(NotAllowed):
        _import(actors.eka, path)


def test_it_saves_admin_edits_through_the_actions(actors, client) -> None:
    from django.contrib.auth import get_user_model

    from tests.base import _with_totp

    root = _with_totp(get_user_model().objects.create_superuser("root@test.id", "root@test.id", "x-long-pw-1"))
    client.force_login(root)
    p = Programme.objects.get(region_id="16.07", code="jam-kunci")
    page = client.get(f"/admin/catalogue/programme/{p.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data["kecamatan"] = [k.pk for k in data.get("kecamatan", [])]
    data["pillar"], data["title"] = p.pillar_id, "JAM KUNCI (admin)"
    response = client.post(f"/admin/catalogue/programme/{p.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    p.refresh_from_db()
    assert p.title == "JAM KUNCI (admin)"
    event = AuditEvent.objects.get(action="catalogue.update_programme", object_id=str(p.pk))
    assert event.actor == root and event.data["source"] == "admin"
    response = client.post("/admin/catalogue/programme/", {"action": "archive", "_selected_action": [p.pk]})
    p.refresh_from_db()
    assert p.archived_at is not None
    assert AuditEvent.objects.filter(action="catalogue.archive_programme", object_id=str(p.pk)).exists()


def test_a_start_year_that_reads_two_ways_is_refused_naming_row_and_column(actors, tmp_path: Path) -> None:
    """"2.024" is 2024 in Indonesian notation, 2.024 in English: refused unless the file's notation is known."""
    from kotacerdas.reports.importers import IMPORTERS
    from kotacerdas.reports.xlsx import ImportFailed

    path = tmp_path / "program.csv"
    path.write_text(CSV_HEAD + 'lapor-banjir,Lapor Banjir,BPBD,society.sistem_keamanan,sosial,"2.024",running,'
                    "tidak,ya\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        _import(actors.citra, path, dry_run=True)
    assert [(e.row, e.column) for e in failed.value.report.errors] == [(2, "F")]
    assert "'2.024' ambigu" in failed.value.report.errors[0].message
    report = IMPORTERS["programmes"].run(actors.citra, path, Region.objects.get(code="16.07"), None, True,
                                        decimal=",")
    assert report.errors == [] and report.changes[0]["code"] == "lapor-banjir"


@pytest.mark.parametrize("year", ["2024.5", "abc"])
def test_a_start_year_that_is_no_whole_number_is_refused(actors, tmp_path: Path, year: str) -> None:
    from kotacerdas.reports.xlsx import ImportFailed

    path = tmp_path / "program.csv"
    path.write_text(CSV_HEAD + f"lapor-banjir,Lapor Banjir,BPBD,society.sistem_keamanan,sosial,{year},running,"
                    "tidak,ya\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        _import(actors.citra, path, dry_run=True)
    assert [(e.row, e.column, e.message) for e in failed.value.report.errors] == [
        (2, "F", f"Tahun mulai {year!r} bukan angka")]
