"""Reading KPI files row by row: CSV (streamed line by line) and Excel .xlsx (openpyxl read-only).

Encodings — the decision: a CSV is read as UTF-8 (a byte-order mark is fine) unless the uploader
*declares* another encoding (e.g. ``windows-1252``, what older Excel writes with "CSV (Comma
delimited)"), which is then decoded exactly. An undeclared file that is not valid UTF-8 is refused
with the row, the offending byte and, when the byte makes sense in Windows-1252, the hint to
declare it. We do not guess silently: guessing wrong turns "Pângkalan" into "PÃ¢ngkalan" in the
database without anybody noticing, a loud refusal costs one click.

A problem that stops the reading (encoding, broken quoting, not an .xlsx) raises ``ImportAbort``
with the row it was found in.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kotacerdas.core.sheets import cell_text

from .validation import ImportAbort, Validated, row_error

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


def utf8_lines(fh: IO[bytes], counter: list[int], first: bool = True) -> Iterator[str]:
    """Physical lines decoded as strict UTF-8; ``counter[0]`` is the CSV record being read."""
    for raw in fh:
        if first:
            first = False
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise ImportAbort(row_error(1, "", "encoding", "berkas UTF-16 (\"Unicode Text\"); simpan sebagai "
                                                          "\"CSV UTF-8\""))
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start:exc.end + 1]
            raise ImportAbort(row_error(counter[0], "", "encoding", _CP1252_HINT.format(
                byte=" ".join(f"0x{b:02X}" for b in raw[exc.start:exc.end]), row=counter[0],
                hint=_cp1252_hint(bad)))) from None


def _declared_lines(fh: IO[bytes], encoding: str, counter: list[int]) -> Iterator[str]:
    text = io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")
    try:
        for line in text:
            yield line.removeprefix("\ufeff") if counter[0] <= 1 else line
    except UnicodeError as exc:  # UnicodeDecodeError, and utf-16's "stream does not start with BOM"
        reason = getattr(exc, "reason", str(exc))
        raise ImportAbort(row_error(counter[0], "", "encoding",
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
            raise ImportAbort(row_error(0, "", "encoding", f"pengodean {encoding!r} tidak dikenal")) from None
        if enc in ("utf-8", "utf-8-sig"):
            lines = utf8_lines(fh, counter)
        else:
            lines = _declared_lines(fh, enc, counter)
    else:
        enc = "utf-8"
        lines = utf8_lines(fh, counter)
    first = next(lines, None)
    if first is None:
        raise ImportAbort(row_error(1, "", "empty_file"))
    delimiter = _sniff_delimiter(first)
    return enc, delimiter, records(itertools.chain([first], lines), delimiter, counter, 1)


def records(lines: Iterator[str], delimiter: str, counter: list[int], first_row: int
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
            raise ImportAbort(row_error(row, "", "malformed", str(exc))) from None
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


def close_workbook(wb: Any) -> None:
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
        raise ImportAbort(row_error(0, "", "bad_file", f"bukan berkas Excel .xlsx yang sah ({type(exc).__name__})")) \
            from None
    wb._kotacerdas_file = fh
    if not wb.worksheets:
        close_workbook(wb)
        raise ImportAbort(row_error(0, "", "bad_file", "berkas Excel tanpa lembar kerja"))
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
            raise ImportAbort(row_error(0, "", "bad_file", f"isi lembar kerja rusak ({type(exc).__name__})")) from None

    return wb, gen(), merges


def column_letter(i: int) -> str:
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



def check_excel_header(header: list[Any], out: Validated) -> None:
    """An empty header cell between named ones is what a merged header leaves behind in the data:
    report it with its column letter. Trailing empty header cells are fine only if their column is
    empty too — checked row by row by the validator as ``extra_cells``."""
    last = max((i for i, h in enumerate(header) if cell_text(h)), default=-1)
    for i in range(last + 1):
        if not cell_text(header[i]):
            out.add(row_error(1, column_letter(i), "header_empty", f"sel {column_letter(i)}1"))
