"""Demo rencana aksi: Banyuasin's 2024 plan, written as an .xlsx and run once through the real importer
(the same path a coordinator's upload takes). Items in all four pack categories, in mixed states, some
overdue. Idempotent: a finished demo import for the region and year means there is nothing to do."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kotacerdas.core.models import JobStatus
from kotacerdas.regions.models import Region

from . import excel, jobs, queries
from .models import ImportJob

BANYUASIN = "16.07"
YEAR = 2024
B, J, S = "Belum mulai", "Berjalan", "Selesai"
ST, MS = "Berdasarkan status", "Target vs realisasi"
# (kategori, kegiatan, unit, pilar, program, target, cara hitung, target angka, realisasi, satuan,
#  mulai, tenggat (date or days from today), status)
ITEMS: list[tuple[Any, ...]] = [
    ("sdm", "Pelatihan literasi data bagi operator SPBE OPD", "Diskominfo dan Statistik", "Smart Governance",
     "satu-data", "120 ASN terlatih", MS, 120, 112, "orang", dt.date(2024, 2, 1), dt.date(2024, 11, 30), J),
    ("sdm", "Sertifikasi keamanan informasi tim CSIRT daerah", "Diskominfo dan Statistik", "Smart Governance",
     "", "6 personel tersertifikasi", MS, 6, 6, "orang", dt.date(2024, 3, 1), dt.date(2024, 9, 30), S),
    ("sdm", "Bimbingan teknis petugas jemput bola JAM KUNCI di kecamatan", "Disdukcapil", "", "jam-kunci",
     "42 petugas kecamatan", ST, None, None, "", dt.date(2024, 4, 1), dt.date(2024, 8, 31), S),
    ("sdm", "Pelatihan tenaga kesehatan untuk aplikasi antrean puskesmas", "Dinkes", "", "antrean-puskesmas",
     "34 puskesmas", ST, None, None, "", dt.date(2024, 6, 1), 40, J),
    ("infrastruktur", "Perluasan jaringan fiber optik ke kantor kecamatan", "Diskominfo dan Statistik",
     "Smart Governance", "", "21 kecamatan terhubung", MS, 21, 17, "kecamatan", dt.date(2024, 1, 15),
     dt.date(2024, 12, 31), J),
    ("infrastruktur", "Pemasangan PJU tenaga surya di jalan poros desa", "PUPR", "", "pju-surya",
     "300 titik", MS, 300, 300, "titik", dt.date(2024, 3, 1), dt.date(2024, 10, 31), S),
    ("infrastruktur", "Penambahan CCTV lalu lintas di simpang Pangkalan Balai", "Dishub", "", "cctv-lalin",
     "12 kamera", ST, None, None, "", dt.date(2024, 7, 1), 25, J),
    ("infrastruktur", "Sensor tinggi muka air untuk peringatan dini banjir", "BPBD", "", "early-warning-banjir",
     "8 sensor", ST, None, None, "", dt.date(2024, 9, 1), dt.date(2024, 12, 15), B),
    ("aplikasi", "Integrasi JAM KUNCI dengan layanan OSS", "Disdukcapil", "", "jam-kunci",
     "Integrasi berjalan", ST, None, None, "", dt.date(2024, 2, 1), dt.date(2024, 7, 31), S),
    ("aplikasi", "Modul pembayaran nontunai pajak daerah di SIMPADA", "Bapenda", "", "simpada",
     "Modul QRIS aktif", ST, None, None, "", dt.date(2024, 3, 1), dt.date(2024, 9, 30), S),
    ("aplikasi", "Dasbor Satu Data Banyuasin untuk pimpinan", "Diskominfo dan Statistik", "", "satu-data",
     "40 indikator tersaji", MS, 40, 31, "indikator", dt.date(2024, 5, 1), 60, J),
    ("aplikasi", "Aplikasi pelaporan bank sampah", "DLH", "", "bank-sampah",
     "Aplikasi diluncurkan", ST, None, None, "", dt.date(2024, 8, 1), dt.date(2024, 12, 20), B),
    ("literasi", "Sosialisasi Smart City di 21 kecamatan", "Diskominfo dan Statistik", "Smart Society",
     "literasi-digital", "21 kecamatan", MS, 21, 19, "kecamatan", dt.date(2024, 2, 1), dt.date(2024, 11, 30), J),
    ("literasi", "Gerakan literasi digital pelajar SMP", "Disdik", "", "sekolah-digital",
     "40 sekolah", MS, 40, 40, "sekolah", dt.date(2024, 1, 10), dt.date(2024, 6, 30), S),
    ("literasi", "Kampanye wisata digital Taman Nasional Sembilang", "Disbudpar", "", "wisata-sembilang",
     "Konten 12 bulan", ST, None, None, "", dt.date(2024, 4, 1), 90, J),
    ("literasi", "Forum warga tentang layanan pengaduan LAPOR", "Diskominfo dan Statistik", "", "lapor-banyuasin",
     "4 forum", ST, None, None, "", dt.date(2024, 10, 1), dt.date(2024, 12, 10), B),
]


def demo_rows(today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for n, (cat, title, unit, pillar, prog, target, mode, tval, real, satuan, start, due, status) in enumerate(
            ITEMS, start=1):
        rows.append({
            "code": f"RA-{YEAR}-{n:03d}", "title": title, "category": cat, "owner": unit, "pillar": pillar,
            "programme": prog, "target": target, "progress_mode": mode, "target_value": tval,
            "realised_value": real, "measure_unit": satuan, "start_on": start,
            "due_on": today + dt.timedelta(days=due) if isinstance(due, int) else due, "status": status,
            "evidence_url": f"https://banyuasinkab.go.id/smartcity/rencana-aksi/{YEAR}/{n}" if status == S else "",
        })
    return rows


def load_demo(out: IO[Any]) -> None:
    cycle = queries.plan_cycle(YEAR)
    region = Region.objects.filter(code=BANYUASIN).first()
    if cycle is None or region is None:
        out.write("Demo rencana aksi dilewati: siklus 2024 belum ada\n")
        return
    if ImportJob.objects.filter(region=region, cycle=cycle, is_demo=True, job__status=JobStatus.DONE).exists():
        return
    coordinator = get_user_model().objects.get(username="koordinator@banyuasin.test")
    content = excel.write_workbook(region, cycle, demo_rows(timezone.localdate()))
    job = jobs.start_import(coordinator, region, cycle, content, "rencana-aksi-banyuasin-2024.xlsx", is_demo=True,
                            run_now=True)
    if job.status != JobStatus.DONE:
        raise RuntimeError(f"Demo rencana aksi gagal diimpor: {job.report}")
    out.write(f"Demo rencana aksi {YEAR}: {job.report['summary']['created']} kegiatan diimpor dari Excel\n")
