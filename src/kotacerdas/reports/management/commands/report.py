from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core import commandline as cli
from kotacerdas.evaluations.management.lookup import find_cycle
from kotacerdas.regions.management.lookup import find_region


class Command(BaseCommand):
    help = ("Buat Laporan Hasil Evaluasi (PDF) atau lembar kerja (Excel) satu wilayah / Build a region's "
            "evaluation report (PDF) or worksheet (Excel). Contoh / example: "
            "kotacerdas report 16.07 2024 --format pdf -o laporan.pdf. "
            "Dari web, laporan dibuat oleh `kotacerdas worker` / from the web, reports are built by the worker. "
            "Kode keluar / exit codes: 0 ok, 1 data error, 2 usage.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("region", nargs="?", help="kode wilayah Kemendagri / region code, mis. 16.07")
        parser.add_argument("year", nargs="?", type=int, help="tahun siklus / cycle year, mis. 2024")
        parser.add_argument("--format", choices=("pdf", "xlsx"), default="pdf", help="pdf (laporan) | xlsx "
                            "(lembar kerja) / report or worksheet")
        parser.add_argument("-o", "--output", help="berkas keluaran / output file (default: nama baku)")
        parser.add_argument("--lang", choices=("id", "en"), default="id",
                            help="bahasa laporan / report language (id, en)")
        parser.add_argument("--pack", help="kode paket bila ada beberapa siklus setahun / pack code")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["region"] or not opts["year"]:
            raise cli.usage_error("REGION dan YEAR wajib / REGION and YEAR are required")
        region = find_region(opts["region"])
        if region.level != "kabkota":
            raise cli.data_error(f"{region.code} bukan kabupaten/kota / not a regency or city")
        cycle = find_cycle(opts["year"], opts["pack"])
        from kotacerdas.reports.actions import build

        progress = cli.Progress(f"{region.code} {cycle.year} {opts['format']}", stream=sys.stderr)
        try:
            data, pages = build(region, cycle, opts["format"], opts["lang"], progress)
        except LookupError as exc:
            raise cli.data_error(str(exc)) from exc
        progress.close()
        suffix = "" if opts["lang"] == "id" else "-en"
        name = "laporan-hasil-evaluasi" if opts["format"] == "pdf" else "lembar-kerja-evaluasi"
        out = Path(opts["output"] or f"{name}-{region.code}-{cycle.year}{suffix}.{opts['format']}")
        out.write_bytes(data)
        detail = f", {pages} halaman / pages" if pages else ""
        self.stdout.write(f"{out} ({len(data):,} bita / bytes{detail})")
