from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core.jobs import work


class Command(BaseCommand):
    help = ("Jalankan pekerja latar (impor, laporan, hitung ulang) / Run the background job worker. "
            "`kotacerdas serve` starts one for you.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="kerjakan yang ada lalu berhenti / drain and exit")
        parser.add_argument("--poll", type=float, default=1.0, help="detik antar-pemeriksaan / poll seconds")

    def handle(self, *args: Any, **opts: Any) -> None:
        n = work(once=opts["once"], poll=opts["poll"])
        self.stdout.write(f"Pekerjaan selesai: {n}")
