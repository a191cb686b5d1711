"""Streaming import of KPI values from CSV, Excel (.xlsx) or pushed rows: read, validate row by row,
collect every error, spool the clean rows; ``writer.upsert_values`` then writes them in one transaction.

The pieces, by responsibility:

* ``parsing`` — one cell: numbers, periods, header titles (pure);
* ``readers`` — files: CSV line by line (declared encodings, broken quoting), .xlsx read-only;
* ``validation`` — the messages and report, the ``Lookup`` of the world, the row-by-row validator;
* ``fastcsv`` — the vectorised fast path for plain UTF-8 CSV blocks;
* this module — ``validate_file``, which picks the path for a file, and the public names.

Why streaming: a national file can hold millions of rows. The file is read line by line (CSV) or
row by row (openpyxl read-only); see ``validation`` for the memory bound.

Speed: a UTF-8 CSV is read in blocks of a few MB; a block of plain lines (no quotes) is checked
column by column with Arrow (``fastcsv``), which only ever accepts rows; every row it cannot prove
valid is checked row by row, so the report is exactly what the row-by-row path gives (1M
rows: ~2 s instead of ~15 s). Excel files, pushed rows and declared non-UTF-8 encodings go row by row.

All-or-nothing: if any row has an error, nothing is written and the report lists every problem
as (row, column, code, message), rows numbered as a spreadsheet shows them (header = row 1).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kotacerdas.core.sheets import cell_text

from .parsing import DecimalGuess, detect_decimal, norm_header, parse_number, parse_period
from .readers import (
    check_excel_header,
    close_workbook,
    csv_rows,
    records,
    sniff_format,
    utf8_lines,
    xlsx_rows,
)
from .schemas import KpiInfo, Lookup
from .validation import (
    CANONICAL,
    CRASHED,
    MAX_REPORTED_ERRORS,
    MESSAGES,
    REJECTED_FILE,
    REJECTED_ROWS,
    ImportAbort,
    RowError,
    RowValidator,
    Validated,
    auto_columns,
    check_rows,
    conclude,
    localised_job_message,
    localised_message,
    row_error,
    start,
    validate_rows,
)

__all__ = [
    "CANONICAL",
    "CRASHED",
    "MAX_REPORTED_ERRORS",
    "MESSAGES",
    "REJECTED_FILE",
    "REJECTED_ROWS",
    "ImportAbort",
    "KpiInfo",
    "Lookup",
    "RowError",
    "Validated",
    "localised_job_message",
    "localised_message",
    "parse_number",
    "parse_period",
    "Sketch",
    "sketch_file",
    "sniff_format",
    "validate_file",
    "validate_rows",
]


def validate_file(
    path: str | Path,
    lookup: Lookup,
    *,
    file_format: str = "",
    encoding: str | None = None,
    mapping: Mapping[str, str] | None = None,
    decimal: str = "",
    progress: Callable[[int, float], None] | None = None,
) -> Validated:
    """Validate a CSV or .xlsx file; never raises on bad content, every problem is in the report.
    ``decimal``: the notation of numbers written as text (``parsing.DECIMAL_COMMA``/``DECIMAL_POINT``;
    ``""`` = not chosen: text that reads differently in the two notations is refused)."""
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
                out.add(row_error(1, ref, "header_merged", ref))
            try:
                first = next(rows, None)
            except ImportAbort as exc:
                out.add(exc.error)
                return out
            if first is None:
                out.add(row_error(1, "", "empty_file"))
                return out
            _, header = first
            header = list(header)
            while header and header[-1] is None:
                header.pop()
            check_excel_header(header, out)
            if out.error_count:
                return out

            def tick(n: int) -> None:
                if progress is not None:
                    progress(n, min(n / total, 1.0))

            out.encoding = "xlsx"
            return validate_rows(1, header, rows, lookup, mapping=mapping, decimal=decimal, progress=tick, out=out)
        finally:
            close_workbook(wb)

    with open(path, "rb") as fh:
        try:
            enc, delimiter, rows_csv = csv_rows(fh, encoding)
            first_row = next(rows_csv, None)
        except ImportAbort as exc:
            out.add(exc.error)
            return out
        if first_row is None:
            out.add(row_error(1, "", "empty_file"))
            return out
        out.encoding, out.delimiter = enc, delimiter
        _, header = first_row
        if not any(h.strip() for h in header):
            out.add(row_error(1, "", "empty_file", "baris judul kosong"))
            return out

        def tick_csv(n: int) -> None:
            if progress is not None:
                try:
                    pos = fh.tell()
                except (OSError, ValueError):
                    pos = 0
                progress(n, min(pos / size, 1.0))

        if enc not in ("utf-8", "utf-8-sig"):
            return validate_rows(1, header, rows_csv, lookup, mapping=mapping, decimal=decimal, progress=tick_csv,
                                out=out)
        v = start(1, header, lookup, mapping, out, decimal)
        if v is None:
            return out
        try:
            _check_csv_blocks(v, fh, delimiter, tick_csv)
        except ImportAbort as exc:
            out.add(exc.error)
        return conclude(v, 1)


def _check_csv_blocks(v: RowValidator, fh: IO[bytes], delimiter: str, progress: Callable[[int], None]) -> None:
    """The data rows of a UTF-8 CSV after its header: plain blocks through the vectorised checks of
    ``fastcsv``; from the first block that is not plain on, the streaming ``csv`` reader."""
    from . import fastcsv  # numpy/pyarrow: loaded on the first CSV import, not with the web app

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
            check_rows(v, records(utf8_lines(fh, counter, first=False), delimiter, counter, row), progress,
                       done=row - 2)
            return
        row += checker.block(row, plain)
        offset += len(block)
        progress(row - 2)


@dataclass
class Sketch:
    """What the column-mapping form shows of an uploaded file: its header titles, its first rows, the
    columns found by their usual titles, and the notation its value/target cells show."""

    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    guess: DecimalGuess = field(default_factory=DecimalGuess)
    scanned: int = 0
    error: str = ""


def sketch_file(path: str | Path, *, file_format: str = "", encoding: str | None = None,
                mapping: Mapping[str, str] | None = None, limit: int = 100_000, show: int = 5) -> Sketch:
    """Read the header and up to ``limit`` data rows of a file (never raises on bad content: a file
    that cannot be read gives ``error``). ``mapping`` as for ``validate_file`` picks the value and
    target columns whose cells tell the notation; without it, the columns found by their titles (and
    while no value column is known, every column that is not a code or period column)."""
    out = Sketch()
    file_format = file_format or sniff_format(path)
    wb: Any = None
    fh: IO[bytes] | None = None
    try:
        rows: Iterator[tuple[int, list[Any]]]
        if file_format == "xlsx":
            wb, rows, _merges = xlsx_rows(path)
        else:
            fh = open(path, "rb")  # noqa: SIM115 - closed below
            _enc, _delimiter, rows = csv_rows(fh, encoding)
        first = next(rows, None)
        if first is None:
            out.error = localised_message({"code": "empty_file", "message": MESSAGES["empty_file"]})
            return out
        header = list(first[1])
        while header and header[-1] is None:
            header.pop()
        out.headers = [cell_text(h) for h in header]
        out.columns = auto_columns(header)
        by_title = {norm_header(h): i for i, h in reversed(list(enumerate(header)))}
        chosen: dict[str, int | None] = {}
        for canon in CANONICAL:
            if mapping is not None and canon in mapping:
                chosen[canon] = by_title.get(norm_header(mapping[canon])) if mapping[canon] else None
            else:
                chosen[canon] = out.columns.get(canon)
        numeric = [i for c in ("value", "target") if (i := chosen[c]) is not None]
        if chosen["value"] is None:  # the value column is not known yet: any column that is not a code
            codes = {i for c in ("programme", "kpi", "period", "region") if (i := chosen[c]) is not None}
            numeric = [i for i in range(len(header)) if i not in codes]
        cells: list[Any] = []
        for _n, values in itertools.islice(rows, limit):
            out.scanned += 1
            if len(out.rows) < show:
                out.rows.append([cell_text(v) for v in values[:len(header)]])
            cells.extend(values[i] for i in numeric if i < len(values))
        out.guess = detect_decimal(cells)
    except ImportAbort as exc:
        out.error = localised_message(exc.error.as_dict())
    finally:
        if wb is not None:
            close_workbook(wb)
        if fh is not None:
            fh.close()
    return out
