from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core import commandline as cli
from kotacerdas.evaluations.management.lookup import find_cycle
from kotacerdas.regions.management.lookup import find_region

KINDS = {
    "ranking": "YEAR — peringkat nasional (hasil terbit; --all untuk semua) / national ranking",
    "raw": "YEAR — data mentah siklus: hasil, pengajuan, jawaban, skor asesor / raw cycle data",
    "worksheet": "REGION YEAR — lembar kerja evaluasi wilayah / a region's evaluation worksheet",
    "programmes": "REGION — katalog program (format sama dengan impor) / programme catalogue",
}


class Command(BaseCommand):
    help = ("Ekspor data ke Excel / Export data to Excel: " + "; ".join(f"{k} {v}" for k, v in KINDS.items())
            + ". Kode keluar / exit codes: 0 ok, 1 data error, 2 usage.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="apa yang diekspor / what to export")
        parser.add_argument("args", nargs="*", help="REGION dan/atau YEAR sesuai jenis / region and/or year")
        parser.add_argument("-o", "--output", required=True, help="berkas .xlsx keluaran / output file")
        parser.add_argument("--all", action="store_true", help="ranking: sertakan hasil belum terbit / include "
                                                                "unpublished results")
        parser.add_argument("--pack", help="kode paket bila ada beberapa siklus setahun / pack code")

    def _year(self, value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise cli.usage_error(f"Tahun {value!r} bukan angka / year is not a number") from None

    def handle(self, *args: str, **opts: Any) -> None:
        from kotacerdas.reports import importers, xlsx

        kind = opts["kind"]
        expected = {"ranking": 1, "raw": 1, "worksheet": 2, "programmes": 1}[kind]
        if len(args) != expected:
            raise cli.usage_error(f"export {kind} {KINDS[kind].split(' — ')[0]}")
        if kind in ("ranking", "raw"):
            cycle = find_cycle(self._year(args[0]), opts["pack"])
            data = xlsx.export_ranking(cycle, published_only=not opts["all"]) if kind == "ranking" \
                else xlsx.export_raw(cycle)
        elif kind == "worksheet":
            region = find_region(args[0])
            cycle = find_cycle(self._year(args[1]), opts["pack"])
            try:
                data = xlsx.export_worksheet_for(region.code, cycle)
            except LookupError as exc:
                raise cli.data_error(str(exc)) from exc
        else:
            data = importers.export_programmes(find_region(args[0]))
        out = Path(opts["output"])
        out.write_bytes(data)
        self.stdout.write(f"{out} ({len(data):,} bita / bytes)")
