"""The list of participating kab/kota as a file: one Kemendagri code a row (e.g. 16.07), optionally a
kelas (A/B) in the next column; a header row is allowed. Excel (.xlsx) or CSV/text."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from kotacerdas.accounts.imports import RowError, read_table

CODE = re.compile(r"^\d{2}\.\d{2}$")


def read_participants(data: bytes, filename: str) -> tuple[dict[str, str], list[RowError]]:
    """{code: kelas or ""} in file order, and the rows that are not a code (with their reason)."""
    table = read_table(data, filename)
    rows: dict[str, str] = {}
    errors: list[RowError] = []
    for n, cells in enumerate(table, start=1):
        cells = [c for c in cells] + ["", ""]
        code, klass = cells[0].strip(), cells[1].strip().upper()
        if not code and not klass:
            continue
        if n == 1 and not CODE.match(code):
            continue  # a header row
        if not CODE.match(code):
            errors.append(RowError(n, "A", _("Bukan kode kabupaten/kota Kemendagri (contoh 16.07): %(code)r")
                                   % {"code": code}))
            continue
        if klass.startswith("KELAS"):
            klass = klass[5:].strip()
        if klass not in ("", "A", "B"):
            errors.append(RowError(n, "B", _("Kelas harus A atau B")))
            continue
        if code in rows:
            errors.append(RowError(n, "A", _("Kode %(code)s muncul dua kali") % {"code": code}))
            continue
        rows[code] = klass
    if not rows and not errors:
        errors.append(RowError(1, "A", _("Berkas tidak berisi kode wilayah")))
    return rows, errors
