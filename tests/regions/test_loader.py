from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kotacerdas.regions.loader import DATA_DIR, RegionDataError, load_regions, read_all
from kotacerdas.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_it_loads_every_level_with_kemendagri_codes() -> None:
    assert Region.objects.filter(level="provinsi").count() == 38
    assert Region.objects.filter(level="kabkota").count() == 514
    assert Region.objects.filter(level="kecamatan").count() == 7285
    assert Region.objects.filter(level="desa", parent__parent_id="16.07").count() == 313
    banyuasin = Region.objects.get(code="16.07")
    assert banyuasin.name == "Kabupaten Banyuasin"
    assert banyuasin.parent_id == "16"
    assert banyuasin.children.count() == 21
    assert banyuasin.population and banyuasin.population > 800_000


def test_it_keeps_geometry_for_banyuasin_and_every_kabkota() -> None:
    assert not Region.objects.filter(level="kabkota", geometry__isnull=True).exists()
    assert not Region.objects.filter(parent_id="16.07", geometry__isnull=True).exists()
    with_polygon = Region.objects.filter(level="desa", geometry__isnull=False).count()
    assert with_polygon == 305  # 8 new kelurahan have no polygon upstream (see SOURCES.md)


def test_it_changes_nothing_on_a_second_run() -> None:
    report = load_regions()
    assert report.changed == 0
    assert report.unchanged == 8150


def test_it_updates_only_what_changed(data_copy: Path) -> None:
    csv = data_copy / "wilayah_kabkota.csv"
    text = csv.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("16.07,"))
    fields = old.split(",")
    fields[4] = "900001"
    csv.write_text(text.replace(old, ",".join(fields)), encoding="utf-8")
    report = load_regions(data_copy)
    assert (report.created, report.updated) == (0, 1)
    assert Region.objects.get(code="16.07").population == 900001


@pytest.mark.parametrize(
    ("filename", "mutate", "message"),
    [
        ("wilayah_kabkota.csv", lambda t: t.replace("16.07,16,", "16.0x,16,", 1), "kode tidak sah"),
        ("wilayah_kabkota.csv", lambda t: t.replace(",888324,", ",-5,", 1), "negatif"),
        ("wilayah_kecamatan.csv", lambda t: t + "99.99.99,99.99,Nowhere\n", "induk 99.99"),
        ("wilayah_provinsi.csv", lambda t: t.replace("kode,nama", "code,nama", 1), "kolom hilang"),
        ("banyuasin_desa.geojson", lambda t: t[: len(t) // 2], "GeoJSON rusak"),
        ("banyuasin_desa.csv", lambda t: t.replace(",kelurahan,", ",dusun,", 1), "bukan desa/kelurahan"),
    ],
)
def test_it_refuses_corrupted_files_and_writes_nothing(data_copy: Path, filename, mutate, message) -> None:
    path = data_copy / filename
    path.write_text(mutate(path.read_text(encoding="utf-8")), encoding="utf-8")
    # make a valid change elsewhere too: it must not be written either
    kab = data_copy / "wilayah_provinsi.csv"
    kab.write_text(kab.read_text(encoding="utf-8").replace("Sumatera Selatan", "Sumsel"), encoding="utf-8")
    with pytest.raises(RegionDataError, match=message):
        load_regions(data_copy)
    assert Region.objects.get(code="16").name == "Sumatera Selatan"


def test_it_names_file_and_line_in_errors(data_copy: Path) -> None:
    path = data_copy / "wilayah_kabkota.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(lines[3].split(",")[4], "banyak", 1)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(RegionDataError) as err:
        read_all(data_copy)
    assert "wilayah_kabkota.csv baris 4, kolom penduduk" in str(err.value)


def test_it_reports_through_the_command(data_copy: Path) -> None:
    (data_copy / "wilayah_provinsi.csv").write_bytes(b"\xff\xfe garbage")
    with pytest.raises(CommandError, match="tidak ada yang berubah"):
        call_command("loadregions", data_dir=data_copy)
