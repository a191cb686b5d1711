from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core import commandline as cli
from kotacerdas.evaluations.management.lookup import find_cycle


class Command(BaseCommand):
    help = ("Hitung ulang hasil semua pengajuan yang sudah dinilai dalam satu siklus, lalu susun peringkat "
            "(hasil terbit yang dibekukan tidak berubah) / Recompute the results of a cycle and re-rank "
            "(frozen results stay). Kode keluar / exit codes: 0 ok, 1 data error, 2 usage.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="tahun siklus / cycle year")
        parser.add_argument("--pack", help="kode paket / pack code")
        parser.add_argument("--as", dest="actor", help="email admin nasional / national admin's email")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.core.errors import ActionError
        from kotacerdas.evaluations.actions import do_recompute

        user = cli.actor(opts["actor"])
        cycle = find_cycle(opts["year"], opts["pack"])
        try:
            count = do_recompute(user, cycle)
        except ActionError as exc:
            raise cli.data_error(exc.message) from exc
        self.stdout.write(f"{count} hasil dihitung ulang / results recomputed ({cycle})")
