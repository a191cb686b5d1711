"""Demo monitoring data for Banyuasin: KPIs with targets for JAM KUNCI, OSS and SIMPADA, two years of
monthly values (2023–2024, some per kecamatan) loaded through the real importer, a year of synthetic
service transactions (2024) in EVENTS_ROOT, and the reach of the three programmes published.

All numbers are SYNTHETIC (flagged is_demo) — plausible orders of magnitude for a kabupaten of ~850,000
people, not Banyuasin's figures. Idempotent: KPIs by natural key, the value import by its file name,
events by the presence of the 2024 partition.
"""

from __future__ import annotations

import csv
import io
import os
import random
import time
from typing import IO, TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from kotacerdas.catalogue.models import Programme
from kotacerdas.core.models import JobStatus
from kotacerdas.regions.models import Region

from . import actions, backend
from .choices import (
    Aggregation,
    AreaLevel,
    Direction,
    EvidenceFor,
    Frequency,
    KpiSource,
    KpiUnit,
)
from .models import IngestJob, Kpi

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REGION = "16.07"
ACTOR = "koordinator@banyuasin.test"
VALUES_FILE = "demo-kpi-banyuasin-2023-2024.csv"
PROGRAMMES = ("jam-kunci", "oss", "simpada")
DEMO_EVENTS = int(os.environ.get("KOTACERDAS_DEMO_EVENTS", "150000"))

# (programme, code, name, unit, direction, target per period, aggregation, frequency, area level, evidence,
#  source detail, level of the 2023 monthly value, growth into 2024)
KPIS: list[tuple[Any, ...]] = [
    ("jam-kunci", "dokumen-terbit", "Dokumen kependudukan terbit", KpiUnit.DOKUMEN, Direction.HIGHER, 2600,
     Aggregation.SUM, Frequency.MONTHLY, AreaLevel.KECAMATAN, EvidenceFor.IMPACT, "SIAK Disdukcapil", 2300, 0.14),
    ("jam-kunci", "aduan-selesai", "Aduan layanan terselesaikan", KpiUnit.PERSEN, Direction.HIGHER, 90,
     Aggregation.MEAN, Frequency.MONTHLY, AreaLevel.REGION, EvidenceFor.OUTCOME, "SP4N-LAPOR! dan loket", 82, 0.07),
    ("jam-kunci", "kepuasan", "Indeks kepuasan masyarakat (skala 1–4)", KpiUnit.SKOR, Direction.HIGHER, 3.4,
     Aggregation.MEAN, Frequency.QUARTERLY, AreaLevel.REGION, EvidenceFor.IMPACT, "Survei kepuasan triwulanan",
     3.1, 0.05),
    ("oss", "izin-didampingi", "Izin usaha (NIB) yang didampingi", KpiUnit.IZIN, Direction.HIGHER, 220,
     Aggregation.SUM, Frequency.MONTHLY, AreaLevel.KECAMATAN, EvidenceFor.OUTCOME, "Rekap pendampingan DPMPTSP",
     170, 0.22),
    ("oss", "pengguna-aktif", "Pelaku usaha aktif memakai layanan", KpiUnit.PENGGUNA, Direction.HIGHER, 900,
     Aggregation.MEAN, Frequency.MONTHLY, AreaLevel.REGION, EvidenceFor.NONE, "Log layanan DPMPTSP", 650, 0.18),
    ("simpada", "pendapatan", "Pendapatan pajak daerah tercatat", KpiUnit.RUPIAH, Direction.HIGHER, 9_500_000_000,
     Aggregation.SUM, Frequency.MONTHLY, AreaLevel.REGION, EvidenceFor.IMPACT, "SIMPADA Bapenda", 8_200_000_000,
     0.09),
    ("simpada", "wajib-pajak", "Wajib pajak daerah terdaftar", KpiUnit.WAJIB_PAJAK, Direction.HIGHER, 42_000,
     Aggregation.LAST, Frequency.MONTHLY, AreaLevel.REGION, EvidenceFor.OUTCOME, "SIMPADA Bapenda", 36_000, 0.08),
    ("simpada", "transaksi-elektronik", "Transaksi pembayaran pajak elektronik", KpiUnit.TRANSAKSI,
     Direction.HIGHER, 6000, Aggregation.SUM, Frequency.MONTHLY, AreaLevel.REGION, EvidenceFor.NONE,
     "Bank Sumsel Babel (QRIS, VA)", 3800, 0.35),
]
SEASON = (0.85, 0.95, 1.0, 1.0, 1.0, 0.97, 1.0, 0.95, 1.0, 1.05, 1.1, 1.3)


def _actor() -> Any:
    return get_user_model().objects.get(username=ACTOR)


def ensure_kpis(actor: User, out: IO[Any]) -> int:
    created = 0
    progs = {p.code: p for p in Programme.objects.filter(region_id=REGION, code__in=PROGRAMMES)}
    for order, row in enumerate(KPIS):
        prog_code, code, name, unit, direction, target, agg, freq, level, evidence, detail = row[:11]
        if Kpi.objects.filter(programme=progs[prog_code], code=code).exists():
            continue
        actions.do_create_kpi(actor, progs[prog_code], is_demo=True, code=code, name=name, unit=unit,
                              direction=direction, target=target, aggregation=agg, frequency=freq,
                              area_level=level, evidence_for=evidence, source=KpiSource.MANUAL,
                              source_detail=detail, order=order)
        created += 1
    return created


def values_csv() -> bytes:
    """The demo value file, in the format a Diskominfo officer would upload (Indonesian headers)."""
    rnd = random.Random(1607)
    kecs = list(Region.objects.filter(parent_id=REGION, level="kecamatan").order_by("code")
                .values_list("code", "population"))
    weights = [rnd.uniform(0.6, 1.4) * (p or 30_000) for _, p in kecs]
    total_w = sum(weights)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Program", "Kode KPI", "Periode", "Kode Wilayah", "Nilai", "Target"])
    for prog, code, _name, unit, _dir, target, _agg, freq, level, _ev, _src, base, growth in KPIS:
        for year in (2023, 2024):
            level_y = base * (1 + growth) ** (year - 2023)
            months = range(1, 13, 3) if freq == Frequency.QUARTERLY else range(1, 13)
            for m in months:
                if unit in (KpiUnit.PERSEN, KpiUnit.SKOR):
                    val = round(min(level_y * (1 + (m - 6) * 0.004) + rnd.uniform(-0.02, 0.02) * level_y,
                                    100 if unit == KpiUnit.PERSEN else 4), 2)
                elif unit == KpiUnit.WAJIB_PAJAK:
                    val = round(level_y * (1 + m * 0.006))  # a stock grows through the year
                else:
                    val = round(level_y * SEASON[m - 1] * rnd.uniform(0.93, 1.07))
                period = f"{year}-Q{(m + 2) // 3}" if freq == Frequency.QUARTERLY else f"{year}-{m:02d}"
                if level == AreaLevel.KECAMATAN and year == 2024:
                    # Per kecamatan, and the kabupaten row is their sum.
                    parts = [int(val * wt / total_w) for wt in weights]
                    parts[0] += int(val) - sum(parts)
                    for (kec, _), part in zip(kecs, parts, strict=True):
                        w.writerow([prog, code, period, kec, part, ""])
                w.writerow([prog, code, period, REGION, val, target])
    return buf.getvalue().encode("utf-8")


def load_values(actor: User, out: IO[Any]) -> IngestJob | None:
    done = IngestJob.objects.filter(is_demo=True, original_name=VALUES_FILE, job__status=JobStatus.DONE)
    if done.exists():
        return None
    region = Region.objects.get(code=REGION)
    job = actions.do_start_kpi_import(actor, region=region, upload=values_csv(), name=VALUES_FILE, runner="sync",
                                      is_demo=True)
    if job.status != JobStatus.DONE:
        raise RuntimeError(f"demo KPI import failed: {job.message} {job.errors[:3]}")
    return job


def load_events(out: IO[Any]) -> int:
    if DEMO_EVENTS <= 0 or backend.has_events(REGION, 2024):
        return 0
    rep = actions.generate_events(None, Region.objects.get(code=REGION), n_events=DEMO_EVENTS, year=2024,
                                  seed=2024, programmes=PROGRAMMES, is_demo=True)
    return int(rep.created_count)


def load_demo(out: IO[Any]) -> None:
    t0 = time.monotonic()
    actor = _actor()
    n_kpis = ensure_kpis(actor, out)
    job = load_values(actor, out)
    n_events = load_events(out)
    for prog in Programme.objects.filter(region_id=REGION, code__in=PROGRAMMES):
        actions.do_publish_reach(actor, prog, True, reason="demo")
    out.write(f"monitoring: {n_kpis} KPI, {job.created_count if job else 0} nilai KPI, {n_events} transaksi "
              f"({time.monotonic() - t0:.1f} s)\n")
