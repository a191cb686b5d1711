"""Bulk invitation of people from an Excel or CSV sheet, all-or-nothing: every row is checked first
(email, role, region/unit, kelas experience, the actor's right to give that role there, duplicates) and
nothing is written when one row is wrong; the report names the row, the column and the reason.

Columns (a header row, any order; Indonesian or English names): email, nama/name, peran/role,
wilayah/region, unit, kelas/experience."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from .choices import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HEADERS = {
    "email": "email", "e-mail": "email", "surel": "email",
    "nama": "name", "name": "name",
    "peran": "role", "role": "role",
    "wilayah": "region", "region": "region", "kode wilayah": "region", "kabupaten/kota": "region",
    "unit": "unit", "unit kerja": "unit",
    "kelas": "experience", "experience": "experience", "pengalaman": "experience", "pengalaman kelas": "experience",
}
ROLE_WORDS = {
    "admin nasional": Role.NATIONAL_ADMIN, "national admin": Role.NATIONAL_ADMIN, "national_admin": Role.NATIONAL_ADMIN,
    "asesor": Role.ASSESSOR, "assessor": Role.ASSESSOR,
    "koordinator": Role.COORDINATOR, "koordinator daerah": Role.COORDINATOR, "coordinator": Role.COORDINATOR,
    "operator": Role.OPERATOR, "operator unit": Role.OPERATOR,
    "pimpinan": Role.EXECUTIVE, "pimpinan daerah": Role.EXECUTIVE, "executive": Role.EXECUTIVE,
}
COLUMN_LETTER = {"email": "A", "name": "B", "role": "C", "region": "D", "unit": "E", "experience": "F"}


@dataclass
class RowError:
    row: int
    column: str
    message: str
    forbidden: bool = False  # the actor may not give this role there (a refusal, not a typo)

    def __str__(self) -> str:
        return f"baris {self.row}, kolom {self.column}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class UserImportReport:
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def forbidden(self) -> bool:
        return any(e.forbidden for e in self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "created": self.created, "errors": [e.to_dict() for e in self.errors]}


class UserImportFailed(Exception):
    def __init__(self, report: UserImportReport) -> None:
        super().__init__("; ".join(str(e) for e in report.errors[:5]))
        self.report = report


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """Rows of cells as text from an .xlsx or a .csv (UTF-8, comma or semicolon)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 -- any unreadable workbook is the same user error
            raise ValueError(_("Berkas Excel tidak terbaca")) from exc
        ws = wb.worksheets[0]
        return [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
    if name.endswith((".csv", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(_("Berkas CSV harus UTF-8")) from exc
        delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    raise ValueError(_("Unggah berkas .xlsx atau .csv"))


def check_rows(actor: User, table: list[list[str]]) -> tuple[list[dict[str, Any]], UserImportReport]:
    from django.contrib.auth import get_user_model

    from kotacerdas.core.errors import ActionError

    from .actions import check_membership, may_grant

    report = UserImportReport()
    if not table:
        report.errors.append(RowError(1, "A", _("Berkas kosong")))
        return [], report
    header = [HEADERS.get(h.strip().lower(), "") for h in table[0]]
    if "email" not in header or "role" not in header:
        report.errors.append(RowError(1, "A", _("Baris judul harus memuat kolom email dan peran")))
        return [], report
    letters = {key: chr(ord("A") + i) for i, key in enumerate(header) if key}
    User = get_user_model()
    seen: set[str] = set()
    out = []
    for n, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        report.rows += 1
        row = {key: (cells[i] if i < len(cells) else "") for i, key in enumerate(header) if key}

        def err(key: str, message: str, n: int = n, forbidden: bool = False) -> None:
            report.errors.append(RowError(n, letters.get(key, COLUMN_LETTER.get(key, "A")), message, forbidden))

        email = row.get("email", "").strip().lower()
        role = ROLE_WORDS.get(row.get("role", "").strip().lower(), row.get("role", "").strip())
        if not email or "@" not in email:
            err("email", _("Alamat email tidak sah"))
            continue
        if email in seen:
            err("email", _("Email muncul dua kali dalam berkas"))
            continue
        seen.add(email)
        if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
            err("email", _("Sudah ada akun untuk email ini"))
            continue
        experience = row.get("experience", "").strip().upper().replace("/", "").replace(" ", "").replace("BA", "AB")
        try:
            code, unit = check_membership(role, row.get("region", "").strip() or None,
                                          row.get("unit", "").strip() or None, experience)
        except ActionError as exc:
            err(str(exc.context.get("field", "role")), exc.message)
            continue
        if not may_grant(actor, role, code):
            err("role", _("Anda tidak boleh memberi peran ini di wilayah ini"), forbidden=True)
            continue
        out.append({"email": email, "name": row.get("name", ""), "role": role, "region": code, "unit": unit,
                    "experience": experience})
    if not report.rows and not report.errors:
        report.errors.append(RowError(2, "A", _("Tidak ada baris data")))
    return out, report


def import_users(actor: User, data: bytes, filename: str, *, dry_run: bool = False) -> UserImportReport:
    """Invite everyone in the sheet, or nobody (UserImportFailed with the row errors)."""
    from .actions import do_invite, record_event

    try:
        table = read_table(data, filename)
    except ValueError as exc:
        raise UserImportFailed(UserImportReport(errors=[RowError(1, "A", str(exc))])) from exc
    rows, report = check_rows(actor, table)
    if not report.ok:
        raise UserImportFailed(report)
    if dry_run:
        return report
    with transaction.atomic():
        for row in rows:
            do_invite(actor, row["email"], role=row["role"], region=row["region"], unit=row["unit"],
                      experience=row["experience"], name=row["name"])
            report.created += 1
        record_event(actor, "accounts.import_users", object_type="accounts.user", object_id="bulk",
                     to_state=str(report.created), data={"file": filename[:200], "rows": report.rows})
    return report
