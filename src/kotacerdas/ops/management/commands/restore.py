from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core import commandline as cli


class Command(BaseCommand):
    help = ("Pulihkan arsip `kotacerdas backup` ke instalasi KOSONG (SQLite atau PostgreSQL): migrasi, periksa "
            "semua checksum, muat data dalam satu transaksi, salin berkas bukti / Restore a backup archive into "
            "an EMPTY install. Kode keluar / exit codes: 0 ok, 1 data error (rusak, tujuan tidak kosong), "
            "2 usage.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="arsip .tar.gz dari kotacerdas backup / backup archive")
        parser.add_argument("--verify-only", action="store_true",
                            help="periksa checksum arsip saja / only verify the archive's checksums")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.reports.backup import BackupError, read_archive, restore_backup

        path = Path(opts["archive"])
        if not path.is_file():
            raise cli.usage_error(f"Arsip {path} tidak ada / archive not found")
        try:
            if opts["verify_only"]:
                manifest, members = read_archive(path)
                self.stdout.write(f"{path}: {len(members)} anggota cocok dengan manifest / members verified "
                                  f"({manifest['created_at']})")
                return
            progress = cli.Progress("restore", stream=sys.stderr)
            report = restore_backup(path, progress)
            progress.close()
        except BackupError as exc:
            raise cli.data_error(str(exc)) from exc
        self.stdout.write(f"Dipulihkan / restored: {sum(report.counts.values())} baris / rows, "
                          f"{report.files} berkas / files")
