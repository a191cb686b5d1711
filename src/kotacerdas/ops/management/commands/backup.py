from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core import commandline as cli


class Command(BaseCommand):
    help = ("Cadangkan basis data (semua aplikasi) dan berkas bukti dukung ke satu arsip .tar.gz dengan "
            "manifest checksum SHA-256 / Back up the database (all apps) and evidence files into one archive "
            "with a checksum manifest; restorable into an empty SQLite or PostgreSQL install with "
            "`kotacerdas restore`. Kode keluar / exit codes: 0 ok, 1 data error, 2 usage.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="arsip keluaran / output archive (.tar.gz)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.reports.backup import create_backup

        out = Path(opts["output"])
        if not out.parent.is_dir():
            raise cli.usage_error(f"Folder {out.parent} tidak ada / directory does not exist")
        progress = cli.Progress("backup", stream=sys.stderr)
        manifest = create_backup(out, progress)
        progress.close()
        rows = sum(manifest["counts"].values())
        files = len(manifest["members"]) - 1
        self.stdout.write(f"{out}: {rows} baris / rows, {files} berkas / files"
                          + (f", {len(manifest['missing_files'])} berkas hilang / missing files"
                             if manifest["missing_files"] else ""))
        if manifest["missing_files"]:
            for name in manifest["missing_files"]:
                self.stderr.write(f"hilang / missing: {name}")
            raise cli.data_error("Sebagian berkas yang dirujuk basis data tidak ada / referenced files missing")
