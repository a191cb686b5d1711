"""Text that goes into a spreadsheet or CSV cell, and back.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and tab or
carriage return can smuggle one in), so text a citizen typed into the public survey form —
``=HYPERLINK("http://evil", "klik")`` — would become a live formula in the coordinator's export
(OWASP "CSV injection"). openpyxl even stores such a string as a formula itself. Every writer of an
.xlsx or .csv file passes its values through :func:`cell` (:func:`append` and :func:`xlsx_cell` for openpyxl, then
:func:`workbook_bytes` as a net before saving), which puts a single quote in front of such
text (and of text that already starts with a quote, so the mark is never ambiguous); every importer
passes what it reads through :func:`uncell`, which takes exactly that quote away again, so a file we
wrote reads back to the very same text. Numbers, dates and booleans are left alone: a negative number
stored as a number is not a formula. Characters XML cannot hold (C0 controls other than tab, line feed
and carriage return) are dropped from .xlsx text, so an export never fails on them.

Pure functions, no Django import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["TRIGGERS", "cell", "neutralise_workbook", "row", "uncell", "workbook_bytes", "xlsx_cell", "xlsx_row"]

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell(value: Any) -> Any:
    """A value made safe for a spreadsheet/CSV cell: text starting with a trigger (or a quote) gets a
    leading quote; anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith((*TRIGGERS, QUOTE)):
        return QUOTE + value
    return value


def uncell(value: Any) -> Any:
    """The inverse of :func:`cell` for what an importer reads: one leading quote in front of a trigger
    or of another quote is taken away; everything else is returned unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == QUOTE and value[1:].startswith((*TRIGGERS, QUOTE)):
        return value[1:]
    return value


# Excel's own limit for the text of one cell; longer text makes a file Excel refuses to open.
XLSX_CELL_MAX = 32_767


def xlsx_cell(value: Any) -> Any:
    """:func:`cell` for openpyxl: also drops the characters an .xlsx file cannot hold and cuts text at
    Excel's 32,767 characters per cell (no field we store is that long; only old data could be)."""
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub("", value)
        safe = cell(value)
        return safe[:XLSX_CELL_MAX] if isinstance(safe, str) else safe
    return cell(value)


def row(values: Iterable[Any]) -> list[Any]:
    """A CSV row, each value through :func:`cell`."""
    return [cell(v) for v in values]


def xlsx_row(values: Iterable[Any]) -> list[Any]:
    """A worksheet row (for ``ws.append``), each value through :func:`xlsx_cell`."""
    return [xlsx_cell(v) for v in values]


def neutralise_workbook(wb: Any) -> Any:
    """The pass each writer makes before saving, so no column can be forgotten: a cell still holding a
    formula or text with a trigger at its start (one written without :func:`append`/:func:`xlsx_cell`)
    is made safe text. Text already starting with the quote was escaped when written and stays as it is
    (escaping it again would not read back)."""
    for ws in wb.worksheets:
        for line in ws.iter_rows():
            for c in line:
                value = c.value
                if isinstance(value, str) and (c.data_type == "f" or value.startswith(TRIGGERS)):
                    c.value = xlsx_cell(value)
                    c.data_type = "s"
    return wb


def workbook_bytes(wb: Any) -> bytes:
    """The .xlsx bytes of a workbook, neutralised first (:func:`neutralise_workbook`)."""
    import io

    neutralise_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def append(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append`` with every value through :func:`xlsx_cell` first: openpyxl refuses a control
    character at assignment, before any later pass could clean it."""
    ws.append(xlsx_row(values))
