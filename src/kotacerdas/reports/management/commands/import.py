from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core import commandline as cli
from kotacerdas.evaluations.management.lookup import find_cycle
from kotacerdas.regions.management.lookup import find_region


def _kinds() -> dict[str, Any]:
    from kotacerdas.reports.importers import IMPORTERS

    return IMPORTERS


class Command(BaseCommand):
    help = ("Impor berkas ke kotacerdas, semua-atau-tidak-sama-sekali, dengan laporan galat per lembar/baris/"
            "kolom / Import a file, all-or-nothing, with errors per sheet/row/column. Jenis / kinds: "
            "worksheet (lembar kerja evaluasi), programmes (katalog program); aplikasi lain menambah jenisnya "
            "sendiri. Contoh / example: kotacerdas import worksheet lembar.xlsx --region 16.07 --year 2024 "
            "--as koordinator@banyuasin.test. Kode keluar / exit codes: 0 ok, 1 data error, 2 usage.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="jenis impor / import kind: " + ", ".join(sorted(_kinds())))
        parser.add_argument("file", help="berkas .xlsx/.csv / input file")
        parser.add_argument("--region", required=True, help="kode wilayah / region code")
        parser.add_argument("--year", type=int, help="tahun siklus / cycle year (worksheet, …)")
        parser.add_argument("--pack", help="kode paket bila ada beberapa siklus setahun / pack code")
        parser.add_argument("--as", dest="actor", help="email pengguna yang bertindak / acting user's email "
                                                       "(atau KOTACERDAS_ACTOR)")
        parser.add_argument("--dry-run", action="store_true", help="periksa saja, jangan simpan / validate only")
        parser.add_argument("--json", action="store_true", help="laporan dalam JSON / report as JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.core.errors import ActionError
        from kotacerdas.reports.xlsx import ImportFailed

        importers = _kinds()
        importer = importers.get(opts["kind"])
        if importer is None:
            raise cli.usage_error(f"Jenis impor {opts['kind']!r} tidak dikenal / unknown kind; pilih / choose: "
                                  + ", ".join(sorted(importers)))
        path = Path(opts["file"])
        if not path.is_file():
            raise cli.usage_error(f"Berkas {path} tidak ada / file not found")
        if path.suffix.lower() not in importer.formats:
            raise cli.usage_error(f"{importer.name} menerima / accepts {', '.join(importer.formats)}")
        if importer.needs_year and not opts["year"]:
            raise cli.usage_error(f"--year wajib untuk {importer.name} / --year is required")
        user = cli.actor(opts["actor"])
        region = find_region(opts["region"])
        cycle = find_cycle(opts["year"], opts["pack"]) if opts["year"] else None
        try:
            report = importer.run(user, path, region, cycle, opts["dry_run"])
        except ImportFailed as exc:
            self._print(exc.report, opts["json"])
            raise cli.data_error(f"Impor dibatalkan, tidak ada yang disimpan: {len(exc.report.errors)} galat / "
                                 "import rejected, nothing saved") from exc
        except ActionError as exc:
            raise cli.data_error(exc.message) from exc
        self._print(report, opts["json"])

    def _print(self, report: Any, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
            return
        for e in report.errors:
            self.stderr.write(str(e))
        if report.ok:
            self.stdout.write(f"{report.rows} baris dibaca / rows read, {report.changed} diubah / changed, "
                              f"{report.unchanged} tetap / unchanged"
                              + (f", {report.links_added} tautan baru / links added" if report.links_added else ""))
