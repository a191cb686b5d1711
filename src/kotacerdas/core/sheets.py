"""Reading spreadsheets we import: one workbook/CSV reader and one cell-text rule for every importer.

Every importer (action plans, paper survey questionnaires, the programme catalogue, the evaluation
worksheet, KPI values) reads cells the same way:

* :func:`cell_text` is *the* text of a cell: empty for a blank cell, ``3`` (not ``3.0``) for a whole number
  Excel stored as a float, surrounding blanks removed, and the quote our writers put in front of text that
  a spreadsheet would run as a formula taken away again (:func:`kotacerdas.lib.cells.uncell`), so a file we
  exported reads back to the very same text. It is the only place that undoes that escape: readers here
  hand out the raw values (numbers and dates keep their type), and a value passes :func:`cell_text` once.
* :func:`open_workbook` opens an .xlsx (bytes, a path or a binary file) and turns whatever openpyxl raises
  for a file that is not a workbook into :class:`Unreadable`, with a message fit for the user.
* :func:`read_table` reads one sheet (or a UTF-8 CSV file) as a :class:`Table`: the header texts and the
  data rows numbered as a spreadsheet shows them (header = row 1); :meth:`Table.locate` finds the columns
  by their header titles and :meth:`Table.records` gives ``(row number, {key: raw value})`` for every row
  that is not blank.

Checking what a record holds is the job of a row schema (:mod:`kotacerdas.core.rows`).

No other kotacerdas app is imported here (``core`` is the ground floor); the only kotacerdas import is
the pure :mod:`kotacerdas.lib.cells`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from kotacerdas.lib.cells import uncell

__all__ = ["Table", "Unreadable", "cell_text", "is_blank", "open_workbook", "read_table", "sheet_rows", "table_of"]


def cell_text(value: Any) -> str:
    """The text of one cell as read from an .xlsx or CSV file (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(uncell(value)).strip()


def is_blank(values: Iterable[Any]) -> bool:
    """True when no cell of ``values`` holds any text."""
    return all(cell_text(v) == "" for v in values)


class Unreadable(Exception):
    """The file is not a workbook (or CSV) we can read; ``message`` says so in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def open_workbook(source: bytes | str | Path | IO[bytes], *, read_only: bool = True) -> Any:
    """The openpyxl workbook of ``source`` (values, not formulas). Raises :class:`Unreadable`.

    A path is opened as a file object: openpyxl refuses a path whose extension is not .xlsx. The caller
    closes a read-only workbook (``wb.close()``) when done; :func:`read_table` does that itself."""
    from openpyxl import load_workbook

    if isinstance(source, bytes):
        source = io.BytesIO(source)
    elif isinstance(source, str | Path):
        source = io.BytesIO(Path(source).read_bytes())
    try:
        return load_workbook(source, read_only=read_only, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a non-workbook
        raise Unreadable(_("Berkas bukan workbook Excel (.xlsx) yang valid")) from None


def sheet_rows(ws: Any, *, min_row: int = 1, max_row: int | None = None, max_col: int | None = None
               ) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, raw values)`` of a worksheet from ``min_row`` on."""
    for n, values in enumerate(ws.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col, values_only=True),
                               start=min_row):
        yield n, list(values)


@dataclass
class Table:
    """One sheet's header (as :func:`cell_text`) and its data rows ``(row number, raw values)``."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)

    def locate(self, columns: Mapping[str, str | Sequence[str]]) -> dict[str, int]:
        """``{key: column index}`` for every key whose header title (or one of its titles; compared
        case-insensitively) is in the header row; keys not found are left out. The first matching
        column wins."""
        by_title: dict[str, int] = {}
        for i, title in enumerate(self.header):
            if title:
                by_title.setdefault(title.casefold(), i)
        found: dict[str, int] = {}
        for key, titles in columns.items():
            for title in (titles,) if isinstance(titles, str) else titles:
                if title.casefold() in by_title:
                    found[key] = by_title[title.casefold()]
                    break
        return found

    def records(self, index: Mapping[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(row number, {key: raw value})`` for each row with some text in the located columns."""
        for n, values in self.rows:
            record = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
            if not is_blank(record.values()):
                yield n, record


def read_table(source: bytes | str | Path, *, sheet: str | None = None, first_data_sheet: bool = False,
               csv_name: str | None = None) -> Table:
    """The sheet named ``sheet`` (else the first one) of a workbook, or a CSV file when ``csv_name``
    (the file's name, used as the table's name) is given or ``source`` is a path ending in .csv.

    ``first_data_sheet``: skip a leading demo-watermark sheet (:func:`kotacerdas.core.provenance.first_data_sheet`).
    Raises :class:`Unreadable`."""
    if csv_name is None and isinstance(source, str | Path) and Path(source).suffix.lower() == ".csv":
        csv_name = Path(source).name
    if csv_name is not None:
        return _read_csv(source, csv_name)
    wb = open_workbook(source)
    try:
        if not wb.worksheets:
            raise Unreadable(_("Berkas Excel tanpa lembar kerja"))
        if sheet is not None and sheet in wb.sheetnames:
            ws = wb[sheet]
        elif first_data_sheet:
            from .provenance import first_data_sheet as data_sheet

            ws = data_sheet(wb)
        else:
            ws = wb.worksheets[0]
        table = table_of(ws)
    finally:
        wb.close()
    return table


def table_of(ws: Any) -> Table:
    """The :class:`Table` of an open worksheet: row 1 is the header. Raises :class:`Unreadable`."""
    rows = sheet_rows(ws)
    try:
        first = next(rows, None)
        table = Table(ws.title, [cell_text(v) for v in (first[1] if first else [])])
        table.rows = list(rows)
    except Exception:  # corrupt sheet XML surfaces while streaming rows
        raise Unreadable(_("Isi lembar kerja rusak")) from None
    return table


def _read_csv(source: bytes | str | Path, name: str) -> Table:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(_("Berkas CSV bukan UTF-8 (byte %(position)s)") % {"position": exc.start + 1}) from None
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise Unreadable(_("Berkas CSV rusak: %(error)s") % {"error": exc}) from None
    if not lines:
        return Table(name, [])
    return Table(name, [cell_text(v) for v in lines[0]], list(enumerate(lines[1:], start=2)))
