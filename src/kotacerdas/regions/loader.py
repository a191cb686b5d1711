"""Load the bundled Kemendagri region lists and boundaries into the database.

Everything is read and validated first, then written in one transaction, so a corrupted file
changes nothing. Running it twice changes nothing the second time (rows are compared first).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from .choices import LEVEL_BY_PARTS, Kind, Level
from .models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
FIELDS = ["level", "kind", "parent_id", "name", "population", "population_year", "area_km2", "bps_code",
          "lat", "lon", "geometry"]


class RegionDataError(Exception):
    """A data file is unreadable or inconsistent; names the file, line and field."""


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.created + self.updated


def _rows(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise RegionDataError(f"{path.name}: kolom hilang / missing columns: {', '.join(missing)}")
            return [(i, row) for i, row in enumerate(reader, start=2)]
    except UnicodeDecodeError as exc:
        raise RegionDataError(f"{path.name}: bukan UTF-8 / not UTF-8 ({exc})") from exc
    except FileNotFoundError as exc:
        raise RegionDataError(f"{path.name}: berkas tidak ada / file missing") from exc


def _int(path: Path, line: int, name: str, value: str) -> int | None:
    if not value.strip():
        return None
    try:
        number = int(value)
    except ValueError:
        raise RegionDataError(f"{path.name} baris {line}, kolom {name}: bukan bilangan bulat: {value!r}") from None
    if number < 0:
        raise RegionDataError(f"{path.name} baris {line}, kolom {name}: negatif: {value!r}")
    return number


def _dec(path: Path, line: int, name: str, value: str) -> Decimal | None:
    if not value.strip():
        return None
    try:
        return Decimal(value).quantize(Decimal("0.001"))
    except InvalidOperation:
        raise RegionDataError(f"{path.name} baris {line}, kolom {name}: bukan angka: {value!r}") from None


def _float(path: Path, line: int, name: str, value: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise RegionDataError(f"{path.name} baris {line}, kolom {name}: bukan angka: {value!r}") from None


def _check_code(path: Path, line: int, code: str, parts: int) -> None:
    pieces = code.split(".")
    if len(pieces) != parts or not all(p.isdigit() for p in pieces):
        raise RegionDataError(f"{path.name} baris {line}, kolom kode: kode tidak sah untuk tingkat ini: {code!r}")


def _geometries(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegionDataError(f"{path.name}: GeoJSON rusak / corrupted GeoJSON: {exc}") from exc
    if doc.get("type") != "FeatureCollection":
        raise RegionDataError(f"{path.name}: bukan FeatureCollection")
    out: dict[str, Any] = {}
    for i, feature in enumerate(doc.get("features", [])):
        code = (feature.get("properties") or {}).get("kode")
        geom = feature.get("geometry")
        if not code or not geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise RegionDataError(f"{path.name}: fitur #{i} tanpa kode atau geometri poligon")
        out[code] = geom
    return out


def read_all(data_dir: Path = DATA_DIR) -> dict[str, dict[str, Any]]:
    """Read and validate every file; returns code -> field values. Raises RegionDataError."""
    regions: dict[str, dict[str, Any]] = {}

    def put(code: str, path: Path, line: int, values: dict[str, Any]) -> None:
        if code in regions:
            raise RegionDataError(f"{path.name} baris {line}: kode ganda / duplicate code {code}")
        parent = ".".join(code.split(".")[:-1]) or None
        if parent and parent not in regions:
            raise RegionDataError(f"{path.name} baris {line}: induk {parent} untuk {code} tidak dikenal")
        base: dict[str, Any] = {f: None for f in FIELDS}
        base.update(bps_code="", parent_id=parent, level=LEVEL_BY_PARTS[len(code.split("."))])
        base.update(values)
        regions[code] = base

    p = data_dir / "wilayah_provinsi.csv"
    for line, row in _rows(p, ["kode", "nama", "penduduk", "luas_km2"]):
        _check_code(p, line, row["kode"], 1)
        put(row["kode"], p, line, {"kind": Kind.PROVINSI, "name": row["nama"],
                                   "population": _int(p, line, "penduduk", row["penduduk"]),
                                   "area_km2": _dec(p, line, "luas_km2", row["luas_km2"])})
    p = data_dir / "wilayah_kabkota.csv"
    for line, row in _rows(p, ["kode", "kode_provinsi", "nama", "jenis", "penduduk", "luas_km2"]):
        _check_code(p, line, row["kode"], 2)
        if row["jenis"] not in (Kind.KABUPATEN, Kind.KOTA):
            raise RegionDataError(f"{p.name} baris {line}, kolom jenis: {row['jenis']!r} bukan kabupaten/kota")
        put(row["kode"], p, line, {"kind": row["jenis"], "name": row["nama"],
                                   "population": _int(p, line, "penduduk", row["penduduk"]),
                                   "area_km2": _dec(p, line, "luas_km2", row["luas_km2"])})
    p = data_dir / "wilayah_kecamatan.csv"
    for line, row in _rows(p, ["kode", "kode_kabkota", "nama"]):
        _check_code(p, line, row["kode"], 3)
        put(row["kode"], p, line, {"kind": Kind.KECAMATAN, "name": row["nama"]})
    p = data_dir / "banyuasin_kecamatan.csv"
    for line, row in _rows(p, ["code", "name", "population", "population_year", "area_km2", "lat", "lon"]):
        if row["code"] not in regions:
            raise RegionDataError(f"{p.name} baris {line}: kecamatan {row['code']} tidak ada di daftar nasional")
        regions[row["code"]].update(
            population=_int(p, line, "population", row["population"]),
            population_year=_int(p, line, "population_year", row["population_year"]),
            area_km2=_dec(p, line, "area_km2", row["area_km2"]),
            lat=_float(p, line, "lat", row["lat"]), lon=_float(p, line, "lon", row["lon"]))
    p = data_dir / "banyuasin_kecamatan_ref.csv"
    for _line, row in _rows(p, ["kemendagri_code", "bps_code"]):
        if row["kemendagri_code"] in regions:
            regions[row["kemendagri_code"]]["bps_code"] = row["bps_code"]
    p = data_dir / "banyuasin_desa.csv"
    for line, row in _rows(p, ["code", "name", "type", "kecamatan_code", "lat", "lon"]):
        _check_code(p, line, row["code"], 4)
        if row["type"] not in (Kind.DESA, Kind.KELURAHAN):
            raise RegionDataError(f"{p.name} baris {line}, kolom type: {row['type']!r} bukan desa/kelurahan")
        put(row["code"], p, line, {"kind": row["type"], "name": row["name"],
                                   "lat": _float(p, line, "lat", row["lat"]),
                                   "lon": _float(p, line, "lon", row["lon"])})
    for name in ("indonesia_kabkota.geojson", "banyuasin_kecamatan.geojson", "banyuasin_desa.geojson"):
        for code, geom in _geometries(data_dir / name).items():
            if code not in regions:
                raise RegionDataError(f"{name}: kode {code} tidak ada di daftar wilayah")
            regions[code]["geometry"] = geom
    return regions


def _same(obj: Region, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        current = getattr(obj, name)
        if isinstance(current, Decimal) or isinstance(value, Decimal):
            if (current is None) != (value is None) or (current is not None and Decimal(current) != Decimal(value)):
                return False
        elif current != value:
            return False
    return True


def load_regions(data_dir: Path = DATA_DIR) -> LoadReport:
    data = read_all(data_dir)
    report = LoadReport()
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.all()}
        to_create: list[Region] = []
        to_update: list[Region] = []
        # Parents before children: codes sort that way because a parent code is a prefix.
        for code in sorted(data, key=lambda c: (c.count("."), c)):
            values = data[code]
            level = values["level"]
            report.by_level[level] = report.by_level.get(level, 0) + 1
            obj = existing.get(code)
            if obj is None:
                to_create.append(Region(code=code, **values))
            elif _same(obj, values):
                report.unchanged += 1
            else:
                for name, value in values.items():
                    setattr(obj, name, value)
                to_update.append(obj)
        for level in (Level.PROVINSI, Level.KABKOTA, Level.KECAMATAN, Level.DESA):
            Region.objects.bulk_create([r for r in to_create if r.level == level], batch_size=500)
        if to_update:
            Region.objects.bulk_update(to_update, FIELDS, batch_size=200)
        report.created = len(to_create)
        report.updated = len(to_update)
    return report
