from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core import commandline as cli


class Command(BaseCommand):
    help = ("Pengguna: impor dari Excel/CSV (semua-atau-tidak, galat per baris), undang, nonaktifkan / People: "
            "import from Excel/CSV (all-or-nothing, row errors), invite, deactivate. Kolom / columns: email, nama, "
            "peran, wilayah, unit, kelas. Kode keluar / exit codes: 0 ok, 1 galat data / data error, 2 salah "
            "pemakaian / usage error.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="step", required=True)
        i = sub.add_parser("import", help="impor pengguna / import users")
        i.add_argument("file")
        i.add_argument("--dry-run", action="store_true", help="periksa saja / validate only")
        i.add_argument("--json", action="store_true", help="laporan JSON / JSON report")
        v = sub.add_parser("invite", help="undang satu pengguna / invite one person")
        v.add_argument("email")
        v.add_argument("--role", required=True,
                       choices=["national_admin", "assessor", "coordinator", "operator", "executive"])
        v.add_argument("--region")
        v.add_argument("--unit", help="id atau singkatan unit / unit id or short name")
        v.add_argument("--kelas", default="", choices=["", "A", "B", "AB"], help="pengalaman asesor / experience")
        v.add_argument("--name", default="")
        d = sub.add_parser("deactivate", help="nonaktifkan akun (tidak dihapus) / deactivate (never deleted)")
        d.add_argument("email")
        d.add_argument("--reason", default="")
        for p in (i, v, d):
            p.add_argument("--as", dest="actor", help="email pengguna yang bertindak / acting user's email")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.accounts import actions
        from kotacerdas.accounts.imports import UserImportFailed, import_users
        from kotacerdas.core.errors import ActionError

        user = cli.actor(opts["actor"])
        step = opts["step"]
        try:
            if step == "import":
                path = Path(opts["file"])
                if not path.is_file():
                    raise cli.usage_error(f"Berkas {path} tidak ada / file not found")
                try:
                    report = import_users(user, path.read_bytes(), path.name, dry_run=opts["dry_run"])
                except UserImportFailed as exc:
                    self._print(exc.report, opts["json"])
                    raise cli.data_error(f"Impor dibatalkan, tidak ada yang disimpan: {len(exc.report.errors)} galat / "
                                         "import rejected, nothing saved") from exc
                self._print(report, opts["json"])
            elif step == "invite":
                invited = actions.do_invite(user, opts["email"], role=opts["role"], region=opts["region"],
                                            unit=opts["unit"], experience=opts["kelas"], name=opts["name"])
                self.stdout.write(f"Diundang / invited: {invited.email}")
            elif step == "deactivate":
                target = cli.actor(opts["email"])
                actions.do_set_active(user, target, False, opts["reason"])
                self.stdout.write(f"Dinonaktifkan / deactivated: {target.email}")
        except ActionError as exc:
            raise cli.data_error(exc.message) from exc

    def _print(self, report: Any, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
            return
        for e in report.errors:
            self.stderr.write(str(e))
        if report.ok:
            self.stdout.write(f"{report.rows} baris dibaca / rows read, {report.created} diundang / invited")
