"""Validating KPI rows: the messages, the report, what the validator knows about the world (``Lookup``)
and the row-by-row validator every path ends in.

The row-by-row validator (``RowValidator.row``) is the reference: the vectorised fast path
(``fastcsv``) only ever accepts rows, and hands every row it cannot prove valid to it, so the report
is the same whichever path read the file. Every problem is collected as (row, column, code, message),
rows numbered as a spreadsheet shows them (header = row 1); nothing is written when there is one.

Memory: a clean row becomes one short line in a temporary spool file on disk, and the only per-row
state kept in memory is a packed 64-bit natural key and its row number (16 bytes) for the duplicate
check, so 1 million rows need about 16 MB.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext, gettext_noop
from pydantic import ValidationError

from kotacerdas.core.jobs import localised
from kotacerdas.core.sheets import cell_text

from .parsing import norm_header, parse_number, parse_period
from .schemas import FIELD_COLUMN, KpiRow, Lookup, PeriodKey

CANONICAL = ("programme", "kpi", "period", "region", "value", "target")
REQUIRED = ("kpi", "period", "value")
MAX_REPORTED_ERRORS = 1000
NULL = "\\N"  # COPY text format

# Accepted header names (compared lower-case, "_"/"-" as spaces) when no explicit mapping is given.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "programme": ("programme", "program", "kode program", "program code", "inovasi"),
    "kpi": ("kpi", "kode kpi", "indikator", "kode indikator", "indicator"),
    "period": ("period", "periode", "bulan", "tanggal", "month"),
    "region": ("region", "wilayah", "kode wilayah", "kode kecamatan", "kecamatan", "kode desa", "desa",
               "area"),
    "value": ("value", "nilai", "realisasi", "jumlah", "capaian"),
    "target": ("target", "sasaran"),
}

# The fixed part of each message, marked for translation (stored in Indonesian; shown translated by
# localised_message). Details appended after ": " stay as recorded.
MESSAGES = {
    "empty_file": gettext_noop("Berkas kosong: tidak ada baris judul"),
    "no_rows": gettext_noop("Berkas tidak berisi baris data"),
    "missing_column": gettext_noop("Kolom wajib tidak ditemukan"),
    "header_empty": gettext_noop("Sel judul kosong padahal kolom berisi data (sel judul digabung/merged?)"),
    "header_merged": gettext_noop("Sel judul digabung (merged); beri setiap kolom satu judul di satu baris"),
    "header_duplicate": gettext_noop("Judul kolom ganda"),
    "bad_mapping": gettext_noop("Pemetaan kolom merujuk kolom yang tidak ada"),
    "encoding": gettext_noop("Pengodean teks bukan UTF-8"),
    "malformed": gettext_noop("Baris CSV rusak"),
    "bad_file": gettext_noop("Berkas tidak bisa dibaca"),
    "extra_cells": gettext_noop("Baris berisi lebih banyak sel daripada judul kolom"),
    "required": gettext_noop("Wajib diisi"),
    "unknown_programme": gettext_noop("Program tidak dikenal di wilayah ini"),
    "unknown_kpi": gettext_noop("KPI tidak dikenal untuk program ini"),
    "forbidden": gettext_noop("Anda tidak berhak mengisi KPI program ini"),
    "unknown_region": gettext_noop("Kode wilayah tidak dikenal"),
    "region_outside": gettext_noop("Wilayah berada di luar kabupaten/kota program"),
    "area_level": gettext_noop("KPI ini tidak dirinci sampai tingkat wilayah ini"),
    "bad_period": gettext_noop("Periode tidak terbaca (contoh: 2024-03, 2024-Q1, 2024)"),
    "period_monthly": gettext_noop("KPI ini bulanan: tulis periodenya sebagai bulan, mis. 2024-03 atau Maret 2024"),
    "period_quarterly": gettext_noop("KPI ini triwulanan: tulis periodenya sebagai triwulan, mis. 2024-Q1 atau TW1 "
                                     "2024 (atau bulan pertama triwulan: 2024-01, 2024-04, 2024-07, 2024-10)"),
    "period_yearly": gettext_noop("KPI ini tahunan: tulis periodenya sebagai tahun, mis. 2024 (atau 2024-01)"),
    "period_out_of_range": gettext_noop("Periode di luar rentang yang diizinkan"),
    "bad_number": gettext_noop("Bukan angka (tanpa pemisah ribuan, contoh 1234567 atau 87,5)"),
    "bad_number_comma": gettext_noop("Bukan angka dalam format Indonesia (contoh 1.234.567 atau 87,5)"),
    "bad_number_point": gettext_noop("Bukan angka dalam format Inggris (contoh 1,234,567 atau 87.5)"),
    "ambiguous_number": gettext_noop("Angka ini terbaca dua cara (3.650 = tiga ribu enam ratus lima puluh dalam "
                                     "format Indonesia, tiga koma enam lima dalam format Inggris); pilih format "
                                     "angka berkas saat mengunggah"),
    "negative": gettext_noop("Nilai negatif tidak diizinkan"),
    "not_whole": gettext_noop("KPI ini menghitung jumlah, nilainya harus bilangan bulat"),
    "out_of_range": gettext_noop("Persentase harus antara 0 dan 100"),
    "too_large": gettext_noop("Angka terlalu besar"),
    "duplicate": gettext_noop("Kunci (KPI, periode, wilayah) ganda dalam berkas"),
}

# A rejected upload's summary (IngestJob.message), stored in Indonesian; see localised_job_message.
REJECTED_ROWS = gettext_noop("%(n)d galat pada %(rows)d baris; tidak ada yang ditulis")
REJECTED_FILE = gettext_noop("Berkas ditolak; tidak ada yang ditulis")
CRASHED = gettext_noop("Kesalahan internal saat mengimpor; berkas tidak ditulis. Hubungi admin.")


def localised_job_message(message: str, error_count: int, rows: int) -> str:
    """An upload job's stored summary in the active language (as stored when it is free text)."""
    values = {"n": error_count, "rows": rows}
    if message == REJECTED_ROWS % values:
        return gettext(REJECTED_ROWS) % values
    if message in (REJECTED_FILE, CRASHED):
        return gettext(message)
    return localised(message)  # a job's declared message (core.jobs.job_message), or free text as stored


def localised_message(error: dict[str, Any]) -> str:
    """A stored row error's message with its fixed part in the active language."""
    base = MESSAGES.get(str(error.get("code", "")))
    message = str(error.get("message", ""))
    if base and message.startswith(base):
        return gettext(base) + message[len(base):]
    return message



@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


class ImportAbort(Exception):
    """The file cannot be read further (encoding, broken CSV, not an xlsx): reported, not raised on."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def row_error(row: int, column: str, code: str, detail: str = "") -> RowError:
    msg = MESSAGES[code] + (f": {detail}" if detail else "")
    return RowError(row, column, code, msg)



@dataclass
class Validated:
    """Outcome of validation: the report, and (when ``ok``) the spool of clean rows for the writer.

    Spool lines are ``kpi_id\\tperiod\\tarea\\tvalue\\ttarget`` with ``\\N`` for a missing target
    (PostgreSQL COPY text format, also parsed by the SQLite writer)."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    spool: IO[str] | None = None
    encoding: str = ""
    delimiter: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    decimal: str = ""
    # (KPI id, first period, last period) of the spooled rows, one per KPI: lets the writer see
    # cheaply whether any stored value can share a key with them.
    spans: list[tuple[int, dt.date, dt.date]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.rows > 0

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None



def resolve_columns(
    header_row: int, header: Sequence[Any], mapping: Mapping[str, str] | None, out: Validated
) -> dict[str, int] | None:
    """{column: header index}. ``mapping`` names the header of a column (``""``: the file has none);
    a column it does not name is found by its usual titles (``SYNONYMS``)."""
    names = [norm_header(h) for h in header]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n and n in seen:
            out.add(row_error(header_row, cell_text(header[i]), "header_duplicate",
                              f"kolom {seen[n] + 1} dan {i + 1}"))
        seen.setdefault(n, i)
    mapping = mapping or {}
    cols: dict[str, int] = {}
    for canon, name in mapping.items():
        if canon not in CANONICAL:
            out.add(row_error(header_row, str(canon), "bad_mapping",
                              f"{canon!r} bukan salah satu dari {', '.join(CANONICAL)}"))
            continue
        if not name:
            continue
        key = norm_header(name)
        if key not in seen:
            out.add(row_error(header_row, str(name), "bad_mapping", f"{canon} → {name!r}"))
            continue
        cols[canon] = seen[key]
    cols.update(auto_columns(header, taken=set(cols.values()), skip=set(mapping)))
    for canon in REQUIRED:
        if canon not in cols and not mapping.get(canon):
            out.add(row_error(header_row, canon, "missing_column",
                              f"{canon} (judul yang dikenali: {', '.join(SYNONYMS[canon])})"))
    if out.error_count:
        return None
    return cols


def auto_columns(header: Sequence[Any], taken: set[int] | None = None, skip: set[str] | None = None
                 ) -> dict[str, int]:
    """The columns found by their usual titles (``SYNONYMS``), each header used once; not those in
    ``skip``, nor the headers in ``taken``."""
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        seen.setdefault(norm_header(h), i)
    used = set(taken or ())
    cols: dict[str, int] = {}
    for canon in CANONICAL:
        if skip and canon in skip:
            continue
        for syn in SYNONYMS[canon]:
            if syn in seen and seen[syn] not in used:
                cols[canon] = seen[syn]
                used.add(seen[syn])
                break
    return cols


_validate = KpiRow.__pydantic_validator__.validate_python  # KpiRow.model_validate without its wrapper


class RowValidator:
    """Checks rows one by one against ``schemas.KpiRow`` and spools the clean ones; it is also the
    schema's validation context (``schemas.RowContext``): the lookup and the caches of parsed cells."""

    def __init__(self, lookup: Lookup, cols: dict[str, int], header: Sequence[Any], out: Validated,
                 decimal: str = "") -> None:
        self.lk = lookup
        self.cols = cols
        self.names = {c: cell_text(header[i]) or c for c, i in cols.items()}
        self.width = len(header)
        self.out = out
        self.decimal = decimal
        self.period_cache: dict[Any, PeriodKey | str] = {}
        self.number_cache: dict[str, Decimal | str] = {}
        self.area_index = {code: i for i, code in enumerate(sorted(lookup.areas))}
        self.unknown_cache: dict[str, str] = {}
        self.idx = tuple(cols.get(c, -1) for c in CANONICAL)
        self.keys = array("q")
        self.key_rows = array("q")
        self.out.spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="\n")
        self.write = self.out.spool.write

    def write_bytes(self, data: bytes | memoryview) -> None:
        """Append ready-made UTF-8 spool lines (the fast path's) past the text layer of the spool."""
        spool = self.out.spool
        assert spool is not None
        spool.flush()
        spool.buffer.write(data)  # type: ignore[attr-defined]

    def period(self, raw: Any) -> PeriodKey | str:
        """A period cell parsed (``PeriodKey``) or an error code, cached per distinct cell."""
        try:
            got = self.period_cache.get(raw)
        except TypeError:  # an unhashable oddity from a spreadsheet
            return "bad_period"
        if got is None:
            parsed = parse_period(raw)
            if isinstance(parsed, str):
                got = parsed
            else:
                start = parsed[1]
                got = PeriodKey(parsed[0], start, start.isoformat(), (start.year - 1900) * 12 + start.month - 1)
            if len(self.period_cache) < 100_000:
                self.period_cache[raw] = got
        return got

    def number(self, raw: Any) -> Decimal | str:
        """A number cell in the file's notation, or an error code; text cells cached."""
        if not isinstance(raw, str):
            return parse_number(raw, self.decimal)
        got = self.number_cache.get(raw)
        if got is None:
            got = parse_number(raw, self.decimal)
            if len(self.number_cache) < 100_000:
                self.number_cache[raw] = got
        return got

    def row(self, row: int, cells: Sequence[Any]) -> bool:
        """Validate one row against ``KpiRow``; False if the row is blank (not counted)."""
        n = len(cells)
        raw = [(v.strip() or None if v.__class__ is str else v)
               for v in (cells[i] if 0 <= i < n else None for i in self.idx)]
        if raw[1] is None and raw[2] is None and raw[4] is None and not any(cell_text(c) for c in cells):
            return False  # blank lines at the end of exports are noise, not data
        out = self.out
        out.rows += 1
        clean = True
        if n > self.width and any(cell_text(c) for c in cells[self.width:]):
            out.add(row_error(row, f"kolom {self.width + 1}", "extra_cells", f"{n} sel, {self.width} judul"))
            clean = False
        try:
            got = _validate({"programme": raw[0], "kpi": raw[1], "period": raw[2], "region": raw[3], "value": raw[4],
                             "target": raw[5], "permitted": True}, context=self)
        except ValidationError as exc:
            for e in exc.errors(include_url=False, include_input=False):
                field = str(e["loc"][0])
                canon = FIELD_COLUMN.get(field, field)
                detail = (e.get("ctx") or {}).get("detail", "")
                out.add(row_error(row, self.names.get(canon, canon), e["type"], detail))
            return True
        if not clean:
            return True
        kpi, period, area = got.kpi, got.period, got.region
        if kpi is None or period is None:  # cannot happen without an error; kept for the type checker
            return True
        self.keys.append((kpi.id << 40) | (period.month << 24) | self.area_index[area])
        self.key_rows.append(row)
        if out.error_count == 0:  # once an error is found nothing will be written: stop spooling
            target = got.target
            self.write(f"{kpi.id}\t{period.iso}\t{area}\t{got.value}\t{NULL if target is None else target}\n")
        return True

    def finish(self) -> None:
        """Duplicate natural keys: sort the packed keys once instead of keeping a set of tuples."""
        import numpy as np

        if not len(self.keys):
            return
        keys = np.frombuffer(self.keys, dtype=np.int64)
        rows = np.frombuffer(self.key_rows, dtype=np.int64)
        # By (key, row): the fast path keys a block's valid rows before the rows it left to ``row``.
        order = np.lexsort((rows, keys))
        sk = keys[order]
        self.out.spans = _spans(sk)
        dup = np.flatnonzero(sk[1:] == sk[:-1]) + 1
        if not len(dup):
            return
        # The first row of each run of equal keys, to say "same as row N".
        run_start = np.maximum.accumulate(np.where(np.r_[True, sk[1:] != sk[:-1]], np.arange(len(sk)), 0))
        found = sorted((int(rows[order[i]]), int(rows[order[run_start[i]]])) for i in dup)
        for row, first in found:
            self.out.add(row_error(row, self.names["kpi"], "duplicate", f"sama dengan baris {first}"))


def validate_rows(
    header_row: int,
    header: Sequence[Any],
    rows: Iterable[tuple[int, Sequence[Any]]],
    lookup: Lookup,
    *,
    mapping: Mapping[str, str] | None = None,
    decimal: str = "",
    progress: Callable[[int], None] | None = None,
    out: Validated | None = None,
) -> Validated:
    """Validate ``rows`` (row number, cells) against ``lookup``; see the module docstring. ``decimal``:
    the notation of number text (``parsing.DECIMAL_COMMA``/``DECIMAL_POINT``, ``""`` = not chosen)."""
    out = out or Validated()
    v = start(header_row, header, lookup, mapping, out, decimal)
    if v is None:
        return out
    try:
        check_rows(v, rows, progress)
    except ImportAbort as exc:
        out.add(exc.error)
    return conclude(v, header_row)


def start(header_row: int, header: Sequence[Any], lookup: Lookup, mapping: Mapping[str, str] | None,
          out: Validated, decimal: str = "") -> RowValidator | None:
    cols = resolve_columns(header_row, header, mapping, out)
    if cols is None:
        return None
    out.columns = {c: cell_text(header[i]) for c, i in cols.items()}
    out.decimal = decimal
    return RowValidator(lookup, cols, header, out, decimal)


def check_rows(v: RowValidator, rows: Iterable[tuple[int, Sequence[Any]]],
               progress: Callable[[int], None] | None, done: int = 0) -> None:
    check = v.row
    for n, (row, cells) in enumerate(rows, start=done + 1):
        check(row, cells)
        if progress is not None and n % 2000 == 0:
            progress(n)


def conclude(v: RowValidator, header_row: int) -> Validated:
    out = v.out
    v.finish()
    if out.rows == 0 and out.error_count == 0:
        out.add(row_error(header_row + 1, "", "no_rows"))
    if out.error_count:
        out.errors.sort(key=lambda e: (e.row, e.column))
        out.close()
    elif out.spool is not None:
        out.spool.flush()
        out.spool.seek(0)
    return out


def _spans(sorted_keys: Any) -> list[tuple[int, dt.date, dt.date]]:
    """Per KPI, the first and last period of the sorted packed natural keys (see ``RowValidator.row``):
    the KPI is the top of the key and the month below it, so each KPI is one run, in month order."""
    import numpy as np

    kpi = sorted_keys >> 40
    first = np.flatnonzero(np.r_[True, kpi[1:] != kpi[:-1]])
    last = np.r_[first[1:] - 1, len(kpi) - 1]
    del kpi

    def day(key: int) -> dt.date:
        m = (key >> 24) & 0xFFFF
        return dt.date(1900 + m // 12, m % 12 + 1, 1)

    return [(int(sorted_keys[a]) >> 40, day(int(sorted_keys[a])), day(int(sorted_keys[b])))
            for a, b in zip(first, last, strict=True)]
