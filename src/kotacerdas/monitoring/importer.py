"""Streaming import of KPI values from CSV, Excel (.xlsx) or pushed rows: parse, validate row by row,
collect every error, spool the clean rows; ``writer.upsert_values`` then writes them in one transaction.

Why streaming: a national file can hold millions of rows. The file is read line by line (CSV) or
row by row (openpyxl read-only); a clean row becomes one short line in a temporary spool file on
disk, and the only per-row state kept in memory is a packed 64-bit natural key and its row
number (16 bytes) for the duplicate check, so 1 million rows need about 16 MB.

Speed: a UTF-8 CSV is read in blocks of a few MB; a block of plain lines (no quotes) is checked
column by column with Arrow (``fastcsv``), which only ever accepts rows; every row it cannot prove
valid is checked here, row by row, so the report is exactly what the row-by-row path gives (1M
rows: ~2 s instead of ~15 s). Excel files, pushed rows and declared non-UTF-8 encodings go row by row.

All-or-nothing: if any row has an error, nothing is written and the report lists every problem
as (row, column, code, message), rows numbered as a spreadsheet shows them (header = row 1).

Encodings — the decision: a CSV is read as UTF-8 (a byte-order mark is fine) unless the uploader
*declares* another encoding (e.g. ``windows-1252``, what older Excel writes with "CSV (Comma
delimited)"), which is then decoded exactly. An undeclared file that is not valid UTF-8 is refused
with the row, the offending byte and, when the byte makes sense in Windows-1252, the hint to
declare it. We do not guess silently: guessing wrong turns "Pângkalan" into "PÃ¢ngkalan" in the
database without anybody noticing, a loud refusal costs one click.

Numbers: digits with at most one decimal separator, "." or "," (``1234567``, ``87,5``). Thousands
separators are refused because "1.234" means 1234 in Indonesian and 1.234 in English spreadsheets.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import io
import itertools
import math
import re
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext, gettext_noop

from .choices import COUNT_UNITS, AreaLevel, Frequency, KpiUnit

__all__ = [
    "CANONICAL",
    "MAX_REPORTED_ERRORS",
    "ImportAbort",
    "KpiInfo",
    "Lookup",
    "RowError",
    "Validated",
    "parse_number",
    "parse_period",
    "validate_file",
    "validate_rows",
]

CANONICAL = ("programme", "kpi", "period", "region", "value", "target")
REQUIRED = ("kpi", "period", "value")
MAX_REPORTED_ERRORS = 1000
NULL = "\\N"  # COPY text format
MAX_DIGITS_BEFORE_POINT = 16  # DecimalField(max_digits=20, decimal_places=4)

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
    "period_frequency": gettext_noop("Periode tidak cocok dengan frekuensi KPI"),
    "period_out_of_range": gettext_noop("Periode di luar rentang yang diizinkan"),
    "bad_number": gettext_noop("Bukan angka (tanpa pemisah ribuan, contoh 1234567 atau 87,5)"),
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
    return message


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


def _err(row: int, column: str, code: str, detail: str = "") -> RowError:
    msg = MESSAGES[code] + (f": {detail}" if detail else "")
    return RowError(row, column, code, msg)


@dataclass(frozen=True)
class KpiInfo:
    id: int
    programme_id: int
    code: str
    frequency: str
    unit: str
    area_level: str
    allowed: bool


@dataclass
class Lookup:
    """What the validator needs to know about the world, loaded once per import by the caller.

    ``programmes`` maps lower-case programme code *and* title to the programme id; ``kpis`` maps
    (programme id, lower-case KPI code or name) to the KPI; ``areas`` maps every region code inside
    the kabupaten (itself, its kecamatan and desa) to its level; ``exists`` answers whether a code
    outside ``areas`` is a real region (to tell "unknown" from "outside")."""

    region_code: str
    programmes: dict[str, int]
    kpis: dict[tuple[int, str], KpiInfo]
    areas: dict[str, str]
    first_period: dt.date
    last_period: dt.date
    default_programme: int | None = None
    year: int | None = None
    exists: Callable[[str], bool] = lambda code: False
    programme_start: dict[int, dt.date] = field(default_factory=dict)


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


# --------------------------------------------------------------------------- cell parsers

_NUM_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_number(raw: Any) -> Decimal | str:
    """A non-empty cell as a Decimal, or an error code (``bad_number``/``too_large``)."""
    if isinstance(raw, bool):
        return "bad_number"
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            return "bad_number"
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            return "bad_number"
        value = raw
    elif isinstance(raw, str):
        s = raw.strip()
        if s[:2].lower() == "rp":  # "Rp 15000" in a Rupiah column: the unit is already known
            s = s[2:].lstrip(". ").strip()
        if len(s) > 64 or not _NUM_RE.match(s):
            return "bad_number"
        value = Decimal(s.replace(",", "."))
    else:
        return "bad_number"
    if value.adjusted() >= MAX_DIGITS_BEFORE_POINT:
        return "too_large"
    try:
        return value.quantize(Decimal("0.0001"))
    except InvalidOperation:
        return "too_large"


_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("januari", "january", "jan"), ("februari", "february", "feb", "pebruari"), ("maret", "march", "mar"),
            ("april", "apr"), ("mei", "may"), ("juni", "june", "jun"), ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "aug"), ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"), ("november", "nopember", "nov"),
            ("desember", "december", "des", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_P_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_P_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?$")
_P_MONTH_DMY = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_P_DAY_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_P_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*(?:q|tw)([1-4])$")
_P_QUARTER_FIRST = re.compile(r"^(?:q|tw)([1-4])\s*[-/ ]?\s*(\d{4})$")
_P_YEAR = re.compile(r"^(\d{4})$")
_P_NAMED = re.compile(r"^([a-z]+)[\s\-/.]+(\d{4})$")

Period = tuple[str, dt.date]  # ("month" | "quarter" | "year", first day)


def _month(y: int, m: int) -> Period | str:
    if not (1 <= m <= 12) or not (1900 <= y <= 2999):
        return "bad_period"
    return "month", dt.date(y, m, 1)


def parse_period(raw: Any) -> Period | str:
    """A period cell as (granularity, first day), or ``bad_period``. A full date stands for its month."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return _month(raw.year, raw.month)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return "bad_period"
    if isinstance(raw, float):
        if not raw.is_integer():
            return "bad_period"
        raw = int(raw)
    if isinstance(raw, int):
        return ("year", dt.date(raw, 1, 1)) if 1900 <= raw <= 2999 else "bad_period"
    s = raw.strip().lower()
    if len(s) > 40:
        return "bad_period"
    if m := _P_MONTH.match(s):
        return _month(int(m[1]), int(m[2]))
    if m := _P_DAY.match(s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _P_DAY_DMY.match(s):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    else:
        y = 0
    if y:
        if not (1 <= mo <= 12) or not (1 <= d <= calendar.monthrange(max(y, 1), mo)[1]):
            return "bad_period"
        return _month(y, mo)
    if m := _P_MONTH_DMY.match(s):
        return _month(int(m[2]), int(m[1]))
    if m := _P_QUARTER.match(s):
        y, q = int(m[1]), int(m[2])
    elif m := _P_QUARTER_FIRST.match(s):
        q, y = int(m[1]), int(m[2])
    else:
        q = 0
    if q:
        return ("quarter", dt.date(y, 3 * q - 2, 1)) if 1900 <= y <= 2999 else "bad_period"
    if m := _P_YEAR.match(s):
        y = int(m[1])
        return ("year", dt.date(y, 1, 1)) if 1900 <= y <= 2999 else "bad_period"
    if (m := _P_NAMED.match(s)) and m[1] in _MONTHS:
        return _month(int(m[2]), _MONTHS[m[1]])
    return "bad_period"


def _fits_frequency(period: Period, frequency: str) -> bool:
    kind, start = period
    if frequency == Frequency.MONTHLY:
        return kind == "month"
    if frequency == Frequency.QUARTERLY:
        return kind == "quarter" or (kind == "month" and start.month in (1, 4, 7, 10))
    return kind == "year" or (kind == "month" and start.month == 1)


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _norm_header(raw: Any) -> str:
    return " ".join(_text(raw).lstrip("\ufeff").lower().replace("_", " ").replace("-", " ").split())


_REGION_CODE = re.compile(r"^\d{2}(?:\.\d{2}){0,2}(?:\.\d{4})?$")
_LEVEL_RANK = {AreaLevel.REGION: 0, AreaLevel.KECAMATAN: 1, AreaLevel.DESA: 2}
_AREA_RANK = {"kabkota": 0, "region": 0, "kecamatan": 1, "desa": 2}


# --------------------------------------------------------------------------- row validation


def _resolve_columns(
    header_row: int, header: Sequence[Any], mapping: Mapping[str, str] | None, out: Validated
) -> dict[str, int] | None:
    names = [_norm_header(h) for h in header]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n and n in seen:
            out.add(_err(header_row, _text(header[i]), "header_duplicate", f"kolom {seen[n] + 1} dan {i + 1}"))
        seen.setdefault(n, i)
    cols: dict[str, int] = {}
    if mapping:
        for canon, name in mapping.items():
            if canon not in CANONICAL:
                out.add(_err(header_row, str(canon), "bad_mapping", f"{canon!r} bukan salah satu dari "
                                                                     f"{', '.join(CANONICAL)}"))
                continue
            key = _norm_header(name)
            if key not in seen:
                out.add(_err(header_row, str(name), "bad_mapping", f"{canon} → {name!r}"))
                continue
            cols[canon] = seen[key]
    for canon in CANONICAL:
        if canon in cols or (mapping and canon in mapping):
            continue
        for syn in SYNONYMS[canon]:
            if syn in seen and seen[syn] not in cols.values():
                cols[canon] = seen[syn]
                break
    for canon in REQUIRED:
        if canon not in cols and not (mapping and canon in mapping):
            out.add(_err(header_row, canon, "missing_column",
                         f"{canon} (judul yang dikenali: {', '.join(SYNONYMS[canon])})"))
    if out.error_count:
        return None
    return cols


class _Validator:
    def __init__(self, lookup: Lookup, cols: dict[str, int], header: Sequence[Any], out: Validated) -> None:
        self.lk = lookup
        self.cols = cols
        self.names = {c: _text(header[i]) or c for c, i in cols.items()}
        self.width = len(header)
        self.out = out
        self.period_cache: dict[Any, tuple[str, dt.date, str, int] | str] = {}
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

    def _cell(self, cells: Sequence[Any], canon: str) -> Any:
        i = self.cols.get(canon)
        if i is None or i >= len(cells):
            return None
        v = cells[i]
        if isinstance(v, str):
            v = v.strip()
            return v or None
        return v

    def _number(self, row: int, canon: str, raw: Any, kpi: KpiInfo | None) -> Decimal | None:
        if isinstance(raw, str):
            got = self.number_cache.get(raw)
            if got is None:
                got = parse_number(raw)
                if len(self.number_cache) < 100_000:
                    self.number_cache[raw] = got
        else:
            got = parse_number(raw)
        col = self.names[canon]
        if isinstance(got, str):
            self.out.add(_err(row, col, got, repr(_text(raw))[:60]))
            return None
        if got < 0:
            self.out.add(_err(row, col, "negative", str(got.normalize())))
            return None
        if kpi is not None:
            if kpi.unit in COUNT_UNITS and got != got.to_integral_value():
                self.out.add(_err(row, col, "not_whole", str(got.normalize())))
                return None
            if kpi.unit == KpiUnit.PERSEN and got > 100:
                self.out.add(_err(row, col, "out_of_range", str(got.normalize())))
                return None
        return got

    def _period(self, raw: Any) -> tuple[str, dt.date, str, int] | str:
        """(kind, first day, ISO date, month index) or an error code, cached per distinct cell."""
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
                got = (parsed[0], start, start.isoformat(), (start.year - 1900) * 12 + start.month - 1)
            if len(self.period_cache) < 100_000:
                self.period_cache[raw] = got
        return got

    def row(self, row: int, cells: Sequence[Any]) -> bool:
        """Validate one row; False if the row is blank (not counted)."""
        n = len(cells)
        raw_prog, raw_kpi, raw_period, raw_area, raw_value, raw_target = (
            (v.strip() or None if v.__class__ is str else v)
            for v in (cells[i] if 0 <= i < n else None for i in self.idx)
        )
        if raw_kpi is None and raw_period is None and raw_value is None and not any(
                _text(c) for c in cells):
            return False  # blank lines at the end of exports are noise, not data
        out, lk, names = self.out, self.lk, self.names
        out.rows += 1
        before = out.error_count
        if n > self.width and any(_text(c) for c in cells[self.width:]):
            out.add(_err(row, f"kolom {self.width + 1}", "extra_cells", f"{n} sel, {self.width} judul"))

        # programme -> KPI
        prog_id = lk.default_programme
        if raw_prog is not None:
            prog_id = lk.programmes.get(_text(raw_prog).lower())
            if prog_id is None:
                out.add(_err(row, names["programme"], "unknown_programme", repr(_text(raw_prog))[:80]))
        elif prog_id is None:
            out.add(_err(row, names.get("programme", "programme"), "required"))
        kpi: KpiInfo | None = None
        if raw_kpi is None:
            out.add(_err(row, names["kpi"], "required"))
        elif prog_id is not None:
            kpi = lk.kpis.get((prog_id, _text(raw_kpi).lower()))
            if kpi is None:
                out.add(_err(row, names["kpi"], "unknown_kpi", repr(_text(raw_kpi))[:80]))
            elif not kpi.allowed:
                out.add(_err(row, names["kpi"], "forbidden", kpi.code))

        # period
        period: tuple[str, dt.date, str, int] | None = None
        if raw_period is None:
            out.add(_err(row, names["period"], "required"))
        else:
            got = self._period(raw_period)
            col = names["period"]
            if isinstance(got, str):
                out.add(_err(row, col, got, repr(_text(raw_period))[:60]))
            else:
                start = got[1]
                first = max(lk.programme_start.get(prog_id or 0, lk.first_period), lk.first_period)
                if lk.year is not None and start.year != lk.year:
                    out.add(_err(row, col, "period_out_of_range", f"{start:%Y-%m} bukan tahun {lk.year}"))
                elif start < first or start > lk.last_period:
                    out.add(_err(row, col, "period_out_of_range",
                                 f"{start:%Y-%m} di luar {first:%Y-%m} s.d. {lk.last_period:%Y-%m}"))
                elif kpi is not None and not _fits_frequency((got[0], start), kpi.frequency):
                    out.add(_err(row, col, "period_frequency", f"{_text(raw_period)!r} untuk KPI {kpi.frequency}"))
                else:
                    period = got

        # area
        area = lk.region_code if raw_area is None else _text(raw_area)
        level = lk.areas.get(area)
        if level is None:
            code = self.unknown_cache.get(area)
            if code is None:
                code = "region_outside" if _REGION_CODE.match(area) and lk.exists(area) else "unknown_region"
                if len(self.unknown_cache) < 10_000:
                    self.unknown_cache[area] = code
            out.add(_err(row, names.get("region", "region"), code, repr(area)[:40]))
        elif kpi is not None and _AREA_RANK[level] > _LEVEL_RANK[kpi.area_level]:  # type: ignore[index]
            out.add(_err(row, names.get("region", "region"), "area_level",
                         f"{area} ({level}); KPI: {kpi.area_level}"))
            level = None

        # value, target
        value = None
        if raw_value is None:
            out.add(_err(row, names["value"], "required"))
        else:
            value = self._number(row, "value", raw_value, kpi)
        target = None if raw_target is None else self._number(row, "target", raw_target, kpi)

        if out.error_count != before or kpi is None or period is None or level is None or value is None:
            return True
        self.keys.append((kpi.id << 40) | (period[3] << 24) | self.area_index[area])
        self.key_rows.append(row)
        if out.error_count == 0:  # once an error is found nothing will be written: stop spooling
            self.write(f"{kpi.id}\t{period[2]}\t{area}\t{value}\t{NULL if target is None else target}\n")
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
            self.out.add(_err(row, self.names["kpi"], "duplicate", f"sama dengan baris {first}"))


def validate_rows(
    header_row: int,
    header: Sequence[Any],
    rows: Iterable[tuple[int, Sequence[Any]]],
    lookup: Lookup,
    *,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    out: Validated | None = None,
) -> Validated:
    """Validate ``rows`` (row number, cells) against ``lookup``; see the module docstring."""
    out = out or Validated()
    v = _start(header_row, header, lookup, mapping, out)
    if v is None:
        return out
    try:
        _check_rows(v, rows, progress)
    except ImportAbort as exc:
        out.add(exc.error)
    return _conclude(v, header_row)


def _start(header_row: int, header: Sequence[Any], lookup: Lookup, mapping: Mapping[str, str] | None,
           out: Validated) -> _Validator | None:
    cols = _resolve_columns(header_row, header, mapping, out)
    if cols is None:
        return None
    out.columns = {c: _text(header[i]) for c, i in cols.items()}
    return _Validator(lookup, cols, header, out)


def _check_rows(v: _Validator, rows: Iterable[tuple[int, Sequence[Any]]],
                progress: Callable[[int], None] | None, done: int = 0) -> None:
    check = v.row
    for n, (row, cells) in enumerate(rows, start=done + 1):
        check(row, cells)
        if progress is not None and n % 2000 == 0:
            progress(n)


def _conclude(v: _Validator, header_row: int) -> Validated:
    out = v.out
    v.finish()
    if out.rows == 0 and out.error_count == 0:
        out.add(_err(header_row + 1, "", "no_rows"))
    if out.error_count:
        out.errors.sort(key=lambda e: (e.row, e.column))
        out.close()
    elif out.spool is not None:
        out.spool.flush()
        out.spool.seek(0)
    return out


def _spans(sorted_keys: Any) -> list[tuple[int, dt.date, dt.date]]:
    """Per KPI, the first and last period of the sorted packed natural keys (see ``_Validator.row``):
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


# --------------------------------------------------------------------------- file readers

_CP1252_HINT = (
    "byte {byte} di baris {row} tidak sah dalam UTF-8{hint}. Simpan ulang sebagai \"CSV UTF-8\" atau pilih "
    "pengodean windows-1252 saat mengunggah"
)


def _cp1252_hint(chunk: bytes) -> str:
    try:
        text = chunk.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return f" (dalam Windows-1252 terbaca {text!r})"


def _sniff_delimiter(line: str) -> str:
    counts = {d: 0 for d in (",", ";", "\t", "|")}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _utf8_lines(fh: IO[bytes], counter: list[int], first: bool = True) -> Iterator[str]:
    """Physical lines decoded as strict UTF-8; ``counter[0]`` is the CSV record being read."""
    for raw in fh:
        if first:
            first = False
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise ImportAbort(_err(1, "", "encoding", "berkas UTF-16 (\"Unicode Text\"); simpan sebagai "
                                                          "\"CSV UTF-8\""))
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start:exc.end + 1]
            raise ImportAbort(_err(counter[0], "", "encoding", _CP1252_HINT.format(
                byte=" ".join(f"0x{b:02X}" for b in raw[exc.start:exc.end]), row=counter[0],
                hint=_cp1252_hint(bad)))) from None


def _declared_lines(fh: IO[bytes], encoding: str, counter: list[int]) -> Iterator[str]:
    text = io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")
    try:
        for line in text:
            yield line.removeprefix("\ufeff") if counter[0] <= 1 else line
    except UnicodeError as exc:  # UnicodeDecodeError, and utf-16's "stream does not start with BOM"
        reason = getattr(exc, "reason", str(exc))
        raise ImportAbort(_err(counter[0], "", "encoding",
                               f"berkas tidak sah sebagai {encoding} (sekitar baris {counter[0]}): {reason}")
                          ) from None
    finally:
        try:
            text.detach()  # leave the caller's file open for it to close
        except ValueError:
            pass


def csv_rows(fh: IO[bytes], encoding: str | None = None) -> tuple[str, str, Iterator[tuple[int, list[str]]]]:
    """(encoding used, delimiter, iterator of (row number, cells)); the header is row 1.

    Raises ImportAbort for a problem in the first line; later problems surface from the iterator.
    """
    counter = [1]
    if encoding:
        try:
            enc = codecs.lookup(encoding).name
        except LookupError:
            raise ImportAbort(_err(0, "", "encoding", f"pengodean {encoding!r} tidak dikenal")) from None
        if enc in ("utf-8", "utf-8-sig"):
            lines = _utf8_lines(fh, counter)
        else:
            lines = _declared_lines(fh, enc, counter)
    else:
        enc = "utf-8"
        lines = _utf8_lines(fh, counter)
    first = next(lines, None)
    if first is None:
        raise ImportAbort(_err(1, "", "empty_file"))
    delimiter = _sniff_delimiter(first)
    return enc, delimiter, _records(itertools.chain([first], lines), delimiter, counter, 1)


def _records(lines: Iterator[str], delimiter: str, counter: list[int], first_row: int
             ) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) from decoded lines; ``counter[0]`` follows the record being read."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    row = first_row - 1
    while True:
        row += 1
        counter[0] = row
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportAbort(_err(row, "", "malformed", str(exc))) from None
        yield row, cells


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')


def _header_merges(ws: Any, header_row: int) -> list[str]:
    """Merged ranges touching the header rows, read from the sheet XML (openpyxl's read-only mode,
    which we need to stream, does not expose merged cells). Scans the XML in chunks."""
    found: list[str] = []
    tail = b""
    src = ws._get_source()
    try:
        while chunk := src.read(1 << 20):
            buf = tail + chunk
            for m in _MERGE_RE.finditer(buf):
                if int(m[2]) <= header_row:
                    ref = f"{m[1].decode()}{m[2].decode()}" + (f":{m[3].decode()}{m[4].decode()}" if m[3] else "")
                    if ref not in found:
                        found.append(ref)
            tail = buf[-200:]
    finally:
        src.close()
    return found


def _close_workbook(wb: Any) -> None:
    try:
        wb.close()
    finally:
        wb._kotacerdas_file.close()


def xlsx_rows(path: str | Path) -> tuple[Any, Iterator[tuple[int, list[Any]]], list[str]]:
    """(workbook, iterator of (row number, cells) of the first sheet, merged header ranges)."""
    from openpyxl import load_workbook

    # A file object, not the path: openpyxl refuses a path whose extension is not .xlsx.
    fh = open(path, "rb")  # noqa: SIM115 - closed in _close_workbook
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt zip/XML can raise almost anything inside openpyxl
        fh.close()
        raise ImportAbort(_err(0, "", "bad_file", f"bukan berkas Excel .xlsx yang sah ({type(exc).__name__})")) \
            from None
    wb._kotacerdas_file = fh
    if not wb.worksheets:
        _close_workbook(wb)
        raise ImportAbort(_err(0, "", "bad_file", "berkas Excel tanpa lembar kerja"))
    ws = wb.worksheets[0]
    try:
        merges = _header_merges(ws, 1)
    except Exception:  # a sheet we cannot scan for merges will fail loudly when its rows are read
        merges = []

    def gen() -> Iterator[tuple[int, list[Any]]]:
        try:
            for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield i, list(values)
        except Exception as exc:  # corrupt sheet XML surfaces while streaming rows
            raise ImportAbort(_err(0, "", "bad_file", f"isi lembar kerja rusak ({type(exc).__name__})")) from None

    return wb, gen(), merges


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def sniff_format(path: str | Path, name: str = "") -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def validate_file(
    path: str | Path,
    lookup: Lookup,
    *,
    file_format: str = "",
    encoding: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> Validated:
    """Validate a CSV or .xlsx file; never raises on bad content, every problem is in the report."""
    out = Validated()
    file_format = file_format or sniff_format(path)
    size = max(Path(path).stat().st_size, 1)
    if file_format == "xlsx":
        try:
            wb, rows, merges = xlsx_rows(path)
        except ImportAbort as exc:
            out.add(exc.error)
            return out
        try:
            ws = wb.worksheets[0]
            total = max((ws.max_row or 1) - 1, 1)
            for ref in merges:
                out.add(_err(1, ref, "header_merged", ref))
            try:
                first = next(rows, None)
            except ImportAbort as exc:
                out.add(exc.error)
                return out
            if first is None:
                out.add(_err(1, "", "empty_file"))
                return out
            _, header = first
            header = list(header)
            while header and header[-1] is None:
                header.pop()
            _check_excel_header(header, out)
            if out.error_count:
                return out

            def tick(n: int) -> None:
                if progress is not None:
                    progress(n, min(n / total, 1.0))

            out.encoding = "xlsx"
            return validate_rows(1, header, rows, lookup, mapping=mapping, progress=tick, out=out)
        finally:
            _close_workbook(wb)

    with open(path, "rb") as fh:
        try:
            enc, delimiter, rows_csv = csv_rows(fh, encoding)
            first_row = next(rows_csv, None)
        except ImportAbort as exc:
            out.add(exc.error)
            return out
        if first_row is None:
            out.add(_err(1, "", "empty_file"))
            return out
        out.encoding, out.delimiter = enc, delimiter
        _, header = first_row
        if not any(h.strip() for h in header):
            out.add(_err(1, "", "empty_file", "baris judul kosong"))
            return out

        def tick_csv(n: int) -> None:
            if progress is not None:
                try:
                    pos = fh.tell()
                except (OSError, ValueError):
                    pos = 0
                progress(n, min(pos / size, 1.0))

        if enc not in ("utf-8", "utf-8-sig"):
            return validate_rows(1, header, rows_csv, lookup, mapping=mapping, progress=tick_csv, out=out)
        v = _start(1, header, lookup, mapping, out)
        if v is None:
            return out
        try:
            _check_csv_blocks(v, fh, delimiter, tick_csv)
        except ImportAbort as exc:
            out.add(exc.error)
        return _conclude(v, 1)


def _check_csv_blocks(v: _Validator, fh: IO[bytes], delimiter: str, progress: Callable[[int], None]) -> None:
    """The data rows of a UTF-8 CSV after its header: plain blocks through the vectorised checks of
    ``fastcsv``; from the first block that is not plain on, the streaming ``csv`` reader."""
    from . import fastcsv

    checker = fastcsv.BlockChecker(v, delimiter)
    row = 2  # the header is one record; a quoted multi-line header still leaves fh at record 2
    offset = fh.tell()
    pending = b""
    while True:
        data = fh.read(fastcsv.BLOCK)
        if data:
            buf = pending + data
            cut = buf.rfind(b"\n")
            if cut < 0:
                pending = buf
                continue
            block, pending = buf[:cut + 1], buf[cut + 1:]
        elif pending:
            block, pending = pending, b""
        else:
            return
        plain = fastcsv.plain_block(block)
        if plain is None:
            fh.seek(offset)
            counter = [row]
            _check_rows(v, _records(_utf8_lines(fh, counter, first=False), delimiter, counter, row), progress,
                        done=row - 2)
            return
        row += checker.block(row, plain)
        offset += len(block)
        progress(row - 2)


def _check_excel_header(header: list[Any], out: Validated) -> None:
    """An empty header cell between named ones is what a merged header leaves behind in the data:
    report it with its column letter. Trailing empty header cells are fine only if their column is
    empty too — checked row by row by the validator as ``extra_cells``."""
    last = max((i for i, h in enumerate(header) if _text(h)), default=-1)
    for i in range(last + 1):
        if not _text(header[i]):
            out.add(_err(1, _column_letter(i), "header_empty", f"sel {_column_letter(i)}1"))
