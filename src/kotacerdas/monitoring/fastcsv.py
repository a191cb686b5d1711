"""The vectorised fast path of the CSV importer: whole blocks of rows checked column by column.

Why: checking 1 million rows one by one in Python costs ~15 s; the same checks done per column on
Arrow arrays (the distinct KPI/period/area codes of a block resolved once, numbers matched by a
regular expression) cost well under a second.

The rule that keeps the reports exact: this path only ever *accepts* rows. A row it cannot prove
valid — any doubt at all: a blank cell, "Rp 1000", a space around a number, an unknown code — goes
through the row-by-row validator of ``validation`` (``RowValidator.row``), which writes the error
messages exactly as before. Duplicates are checked for both kinds of row together at the end, on the
same packed keys.

A block is handed to Arrow's CSV parser only when it is *plain*: no quote character, no NUL, no
carriage return except in "\\r\\n", valid UTF-8, no line longer than the ``csv`` module's field limit,
no byte-order mark at its start (Arrow would drop it, the ``csv`` module keeps it in the cell).
For such text every CSV dialect splits a line the same way, and one line is one record, so row
numbers are line numbers. Anything else switches the rest of the file to the streaming ``csv``
reader (``readers``), which knows quoted multi-line cells and reports broken quoting.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .choices import COUNT_UNITS, KpiUnit
from .parsing import AREA_RANK, DECIMAL_COMMA, DECIMAL_POINT, LEVEL_RANK, fits_frequency
from .validation import ImportAbort, RowValidator, row_error

BLOCK = 1 << 20  # bytes of CSV per block: ~20k rows; larger blocks are no faster and hold more memory

# Numbers the fast path accepts: what parse_number accepts minus everything that needs a closer look
# (sign, "Rp", spaces, more than 4 decimals, which parse_number rounds half-even and PostgreSQL
# half-up, 17+ digits), per notation of the file (``parsing.DECIMAL_*``; "" = not chosen, where a
# number that reads differently in the two notations, "3.650", is left to the row path to refuse).
# ASCII digits only: Python's \d would also take Arabic-Indic digits.
_NUMBER = {
    "": r"^[0-9]{1,16}(?:[.,][0-9]{1,4})?$",
    DECIMAL_COMMA: r"^(?:[0-9]{1,16}|[1-9][0-9]{0,2}(?:\.[0-9]{3}){1,4})(?:,[0-9]{1,4})?$",
    DECIMAL_POINT: r"^(?:[0-9]{1,16}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,4})(?:\.[0-9]{1,4})?$",
}
_AMBIGUOUS = r"^[1-9][0-9]{0,2}[.,][0-9]{3}$"
_FRACTION = r"\.[0-9]*[1-9]"  # in the number with "." as its decimal point
NULL = "\\N"


def plain_block(data: bytes) -> bytes | None:
    """``data`` with "\\r\\n" made "\\n" if it is plain (see the module docstring), else None."""
    if b'"' in data or b"\x00" in data or data.startswith(codecs.BOM_UTF8):  # Arrow drops a leading BOM
        return None
    cr = data.count(b"\r")
    if cr:
        if cr != data.count(b"\r\n"):
            return None
        data = data.replace(b"\r\n", b"\n")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    longest = int(np.diff(ends, prepend=-1).max()) if len(ends) else 0
    longest = max(longest, len(data) - 1 - (int(ends[-1]) if len(ends) else -1))
    if longest > csv.field_size_limit():
        return None
    return data


def _encode(arr: pa.Array) -> tuple[np.ndarray, list[str]]:
    d = arr.dictionary_encode()
    return d.indices.to_numpy(zero_copy_only=False).astype(np.int64), d.dictionary.to_pylist()


class BlockChecker:
    """Checks plain blocks for one import, for the ``RowValidator`` it is given."""

    def __init__(self, v: RowValidator, delimiter: str) -> None:
        self.v = v
        self.delimiter = delimiter
        width = v.width
        self.names = [f"c{i}" for i in range(width)]
        self.read_options = pacsv.ReadOptions(column_names=self.names, use_threads=False)
        self.parse_options = pacsv.ParseOptions(delimiter=delimiter, quote_char=False, double_quote=False,
                                                escape_char=False, newlines_in_values=False,
                                                ignore_empty_lines=True)
        self.convert_options = pacsv.ConvertOptions(column_types={n: pa.string() for n in self.names},
                                                    strings_can_be_null=False, quoted_strings_can_be_null=False)

    def block(self, row0: int, data: bytes) -> int:
        """Validate the plain block ``data`` whose first line is record ``row0``; returns its line count."""
        view = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(view == 10)
        n = len(ends) + (0 if data.endswith(b"\n") else 1)
        if n == 0:
            return 0
        good: np.ndarray | None = None
        empty_line = data.startswith(b"\n") or bool(len(ends) > 1 and (np.diff(ends) == 1).any())
        if not empty_line:  # Arrow skips empty lines, which would shift the row numbers
            try:
                table = pacsv.read_csv(pa.py_buffer(data), read_options=self.read_options,
                                       parse_options=self.parse_options, convert_options=self.convert_options)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # a row with more or fewer cells than the header
                table = None
            if table is not None and table.num_rows == n:
                good = self._check(row0, table)
        if good is None:
            good = np.zeros(n, dtype=bool)
        if not good.all():
            self._by_row(row0, data, np.flatnonzero(~good).tolist())
        return n

    def _by_row(self, row0: int, data: bytes, which: Sequence[int]) -> None:
        lines = data.decode("utf-8").split("\n")
        check = self.v.row
        for i in which:
            row = row0 + int(i)
            try:  # the csv module itself, so a one-line record gets exactly the cells it always got
                cells = next(csv.reader([lines[i]], delimiter=self.delimiter, strict=True), [])
            except csv.Error as exc:
                raise ImportAbort(row_error(row, "", "malformed", str(exc))) from None
            check(row, cells)

    # ------------------------------------------------------------------ the vectorised checks

    def _column(self, table: pa.Table, canon: str) -> pa.Array | None:
        i = self.v.cols.get(canon)
        return None if i is None else table.column(i).combine_chunks()

    def _check(self, row0: int, table: pa.Table) -> np.ndarray:
        """Per row: True if the row is certainly valid (it is then keyed and spooled here)."""
        v, lk = self.v, self.v.lk
        n = table.num_rows

        # programme -> KPI: resolve each distinct (programme, KPI) pair once
        prog = self._column(table, "programme")
        if prog is None:
            p_codes, prog_ids = np.zeros(n, dtype=np.int64), [lk.default_programme]
        else:
            p_codes, p_vals = _encode(prog)
            prog_ids = [lk.programmes.get(s.lower()) if (s := p.strip()) else lk.default_programme
                        for p in p_vals]
        kpi_col = self._column(table, "kpi")
        assert kpi_col is not None  # a required column: resolve_columns refused the file otherwise
        k_codes, k_vals = _encode(kpi_col)
        nk = len(k_vals)
        pairs, pair_of = np.unique(p_codes * nk + k_codes, return_inverse=True)
        pair_of = pair_of.reshape(-1)
        kpis: list[Any] = []
        kpi_prog: list[int | None] = []
        for u in pairs.tolist():
            pid, raw = prog_ids[u // nk], k_vals[u % nk].strip().lower()
            kpi = lk.kpis.get((pid, raw)) if pid is not None and raw else None
            kpis.append(kpi if kpi is not None and kpi.allowed else None)
            kpi_prog.append(pid)
        kpi_rank = np.array([LEVEL_RANK[k.area_level] if k else -1 for k in kpis], dtype=np.int64)
        kpi_count = np.array([bool(k and k.unit in COUNT_UNITS) for k in kpis], dtype=bool)
        kpi_persen = np.array([bool(k and k.unit == KpiUnit.PERSEN) for k in kpis], dtype=bool)

        # period: each distinct (KPI, period) once
        per_col = self._column(table, "period")
        assert per_col is not None
        e_codes, e_vals = _encode(per_col)
        ne = len(e_vals)
        kp, kp_of = np.unique(pair_of * ne + e_codes, return_inverse=True)
        kp_of = kp_of.reshape(-1)
        kp_ok = np.zeros(len(kp), dtype=bool)
        kp_key = np.zeros(len(kp), dtype=np.int64)
        kp_text: list[str] = []
        for j, u in enumerate(kp.tolist()):
            kpi, raw = kpis[u // ne], e_vals[u % ne].strip()
            text = ""
            if kpi is not None and raw:
                got = v.period(raw)
                if not isinstance(got, str):
                    start = got[1]
                    first = max(lk.programme_start.get(kpi_prog[u // ne] or 0, lk.first_period), lk.first_period)
                    if ((lk.year is None or start.year == lk.year) and first <= start <= lk.last_period
                            and fits_frequency((got[0], start), kpi.frequency)):
                        kp_ok[j] = True
                        kp_key[j] = (kpi.id << 40) | (got[3] << 24)
                        text = f"{kpi.id}\t{got[2]}"
            kp_text.append(text)

        # area
        area_col = self._column(table, "region")
        if area_col is None:
            a_codes, a_vals = np.zeros(n, dtype=np.int64), [""]
        else:
            a_codes, a_vals = _encode(area_col)
        areas = [s.strip() or lk.region_code for s in a_vals]
        levels = [lk.areas.get(a) for a in areas]
        area_rank = np.array([AREA_RANK[lv] if lv else 99 for lv in levels], dtype=np.int64)
        area_idx = np.array([v.area_index[a] if lv else 0 for a, lv in zip(areas, levels, strict=True)],
                            dtype=np.int64)

        good = kp_ok[kp_of] & (area_rank[a_codes] <= kpi_rank[pair_of])

        # value (required) and target (optional)
        count, persen = kpi_count[pair_of], kpi_persen[pair_of]
        val_col = self._column(table, "value")
        assert val_col is not None
        ok, value = _numbers(val_col, count, persen, v.decimal, optional=False)
        good &= ok
        tgt_col = self._column(table, "target")
        if tgt_col is not None:
            ok, target = _numbers(tgt_col, count, persen, v.decimal, optional=True)
            good &= ok
        else:
            target = None

        if not good.any():
            return good
        sel = np.flatnonzero(good)
        keys = kp_key[kp_of[sel]] | area_idx[a_codes[sel]]
        v.keys.frombytes(keys.astype(np.int64).tobytes())
        v.key_rows.frombytes((sel + row0).astype(np.int64).tobytes())
        v.out.rows += len(sel)
        if v.out.error_count == 0:  # as in the row path: once an error is known nothing will be written
            take = pa.array(sel)
            parts = [pa.array(kp_text).take(pa.array(kp_of[sel])), pa.array(areas).take(pa.array(a_codes[sel])),
                     value.take(take), target.take(take) if target is not None else pa.repeat(NULL, len(sel))]
            v.write_bytes(_joined(pc.binary_join_element_wise(*parts, "\t")))
        return good


def _joined(lines: pa.Array) -> memoryview:
    """The lines of a string array as one block of text, each ended by a newline, without copying
    them into Python strings: the data buffer of the array holds them back to back."""
    ended = pc.binary_join_element_wise(lines, pa.scalar(""), "\n")
    if ended.type != pa.string():
        ended = ended.cast(pa.string())
    offsets = np.frombuffer(ended.buffers()[1], dtype=np.int32)[ended.offset:ended.offset + len(ended) + 1]
    return memoryview(ended.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def _numbers(col: pa.Array, count: np.ndarray, persen: np.ndarray, decimal: str, *,
             optional: bool) -> tuple[np.ndarray, pa.Array]:
    """(rows whose number is certainly valid, the numbers as spool text with "." as decimal point)."""
    fmt = pc.match_substring_regex(col, _NUMBER[decimal])
    if decimal == DECIMAL_COMMA:
        norm = pc.replace_substring(pc.replace_substring(col, ".", ""), ",", ".")
    elif decimal == DECIMAL_POINT:
        norm = pc.replace_substring(col, ",", "")
    else:
        fmt = pc.and_(fmt, pc.invert(pc.match_substring_regex(col, _AMBIGUOUS)))
        norm = pc.replace_substring(col, ",", ".")
    number = pc.cast(pc.if_else(fmt, norm, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    fraction = pc.match_substring_regex(norm, _FRACTION).to_numpy(zero_copy_only=False)
    ok = fmt.to_numpy(zero_copy_only=False) & ~(count & fraction) & ~(persen & (number > 100))
    if optional:
        empty = pc.equal(col, "")
        ok |= empty.to_numpy(zero_copy_only=False)
        norm = pc.if_else(empty, NULL, norm)
    return ok, norm
