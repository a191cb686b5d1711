"""Reference data for the analytics: kecamatan/desa codes and (estimated) population.

Reads the CSV files shipped in ``kotacerdas/regions/data`` directly (no Django ORM) so that the
analytics can run in a plain Python process, a Spark driver, or a test without a database.

Only Kabupaten Banyuasin (Kemendagri 16.07) is shipped today; ``region_code`` is still a
parameter everywhere so that another kabupaten can be added by dropping its CSVs in.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "Desa",
    "Kecamatan",
    "desa_list",
    "kabupaten_population",
    "kecamatan_list",
    "kecamatan_population",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "regions" / "data"

# File-name prefix per kabupaten code; the region CSVs are named after the kabupaten, not its code.
_REGION_FILES = {"16.07": "banyuasin"}


@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str
    desa_count: int
    kelurahan_count: int
    lat: float
    lon: float
    population: int | None  # official figure when one is shipped, else None


@dataclass(frozen=True)
class Desa:
    code: str
    name: str
    type: str  # "desa" | "kelurahan"
    kecamatan_code: str


def _prefix(region_code: str) -> str:
    try:
        return _REGION_FILES[region_code]
    except KeyError:
        raise ValueError(f"no reference data shipped for region {region_code!r}") from None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=8)
def kecamatan_list(region_code: str = "16.07", data_dir: Path = DATA_DIR) -> tuple[Kecamatan, ...]:
    """All kecamatan of a kabupaten, ordered by code."""
    prefix = _prefix(region_code)
    main = {r["code"]: r for r in _read_csv(data_dir / f"{prefix}_kecamatan.csv")}
    ref = {r["kemendagri_code"]: r for r in _read_csv(data_dir / f"{prefix}_kecamatan_ref.csv")}
    out = []
    for code in sorted(main):
        row, r = main[code], ref[code]
        pop = row.get("population") or ""
        out.append(
            Kecamatan(
                code=code,
                name=row["name"],
                desa_count=int(r["desa_count"]),
                kelurahan_count=int(r["kelurahan_count"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                population=int(pop) if pop.strip() else None,
            )
        )
    return tuple(out)


@lru_cache(maxsize=8)
def desa_list(region_code: str = "16.07", data_dir: Path = DATA_DIR) -> tuple[Desa, ...]:
    """All desa and kelurahan of a kabupaten, ordered by code."""
    prefix = _prefix(region_code)
    rows = _read_csv(data_dir / f"{prefix}_desa.csv")
    return tuple(
        Desa(code=r["code"], name=r["name"], type=r["type"], kecamatan_code=r["kecamatan_code"])
        for r in sorted(rows, key=lambda r: r["code"])
    )


@lru_cache(maxsize=8)
def kabupaten_population(region_code: str = "16.07", data_dir: Path = DATA_DIR) -> int:
    """Total population of the kabupaten from ``wilayah_kabkota.csv`` (column ``penduduk``)."""
    for r in _read_csv(data_dir / "wilayah_kabkota.csv"):
        if r["kode"] == region_code:
            return int(r["penduduk"])
    raise ValueError(f"region {region_code!r} not in wilayah_kabkota.csv")


def kecamatan_population(
    region_code: str = "16.07", data_dir: Path = DATA_DIR
) -> dict[str, tuple[int, bool]]:
    """``{kecamatan_code: (population, is_estimate)}`` for every kecamatan of the kabupaten.

    Official per-kecamatan figures are shipped only for a few kecamatan (BPS mid-2024 for Betung
    and Rantau Bayur). For the others the population is an ESTIMATE: the kabupaten total minus
    the known kecamatan is distributed over the remaining kecamatan in proportion to their number
    of desa + kelurahan (Kepmendagri 2025). That proxy ignores density differences (urban
    Talang Kelapa is certainly under-estimated), so per-capita figures built on it must be shown
    with the ``is_estimate`` flag. Largest-remainder rounding keeps the sum equal to the total.
    """
    kecs = kecamatan_list(region_code, data_dir)
    total = kabupaten_population(region_code, data_dir)
    known = {k.code: k.population for k in kecs if k.population is not None}
    unknown = [k for k in kecs if k.population is None]
    rest = total - sum(v for v in known.values() if v is not None)
    units = sum(k.desa_count + k.kelurahan_count for k in unknown)
    if unknown and (rest <= 0 or units <= 0):
        raise ValueError("cannot estimate kecamatan population: no residual population or no desa")

    out: dict[str, tuple[int, bool]] = {c: (int(v), False) for c, v in known.items() if v is not None}
    if unknown:
        shares = [(k.code, rest * (k.desa_count + k.kelurahan_count) / units) for k in unknown]
        floors = {c: math.floor(s) for c, s in shares}
        left = rest - sum(floors.values())
        # Largest remainder, ties by code, so that the result is deterministic.
        for c, _ in sorted(shares, key=lambda cs: (-(cs[1] - math.floor(cs[1])), cs[0]))[:left]:
            floors[c] += 1
        out.update({c: (p, True) for c, p in floors.items()})
    return dict(sorted(out.items()))
