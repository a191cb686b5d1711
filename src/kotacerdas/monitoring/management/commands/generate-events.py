"""`kotacerdas generate-events --region 16.07 --events 10_000_000 [--seed N] [--year 2024]`:
synthetic service transactions (demo, load tests) appended as partitioned Parquet under EVENTS_ROOT."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotacerdas.core.errors import ActionError
from kotacerdas.regions.models import Region


class Command(BaseCommand):
    help = "Membuat transaksi layanan sintetis (Parquet terpartisi) untuk demo dan uji beban"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default="16.07", help="kode kabupaten/kota, mis. 16.07")
        parser.add_argument("--events", type=int, default=100_000, help="jumlah transaksi (10_000_000 boleh)")
        parser.add_argument("--year", type=int, default=2024)
        parser.add_argument("--seed", type=int, default=42, help="data yang sama untuk seed yang sama")
        parser.add_argument("--programmes", default="", help="kode program dipisah koma (bawaan: jam-kunci,oss,simpada)")
        parser.add_argument("--root", default="", help=f"folder data (bawaan: EVENTS_ROOT = {settings.EVENTS_ROOT})")
        parser.add_argument("--json", action="store_true", help="laporan sebagai JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.monitoring import actions

        region = Region.objects.filter(code=opts["region"], level="kabkota").first()
        if region is None:
            raise CommandError(f"Kabupaten/kota {opts['region']!r} tidak dikenal")
        progs = [p.strip() for p in opts["programmes"].split(",") if p.strip()] or None
        root = Path(opts["root"]).expanduser().resolve() if opts["root"] else None
        try:
            job = actions.generate_events(None, region, n_events=opts["events"], year=opts["year"],
                                          seed=opts["seed"], programmes=progs, root=root)
        except ActionError as exc:
            raise CommandError(exc.message) from None
        rep = job.report
        if opts["json"]:
            self.stdout.write(json.dumps({"job": job.pk, **rep}, indent=2))
            return
        rate = rep["written_rows"] / rep["seconds"] if rep["seconds"] else 0
        self.stdout.write(
            f"{rep['written_rows']:,} transaksi {rep['year']} ({', '.join(rep['programmes'])}) ditulis ke "
            f"{root or settings.EVENTS_ROOT} dalam {rep['seconds']:.1f} s ({rate:,.0f}/s); "
            f"{len(rep['written_by_partition'])} bulan, {rep['files']} berkas"
            + (f"; dikarantina {rep['quarantined_rows']}: {rep['quarantined_by_reason']}" if rep["quarantined_rows"]
               else ""))
