"""The shared spreadsheet reader and cell-text rule (core/sheets.py) every importer uses."""

from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from kotacerdas.core import sheets
from kotacerdas.core.sheets import Table, Unreadable, cell_text, read_table
from kotacerdas.lib import cells

SRC = Path(__file__).resolve().parents[2] / "src" / "kotacerdas"


def _xlsx(rows: list[list[object]], title: str = "Data") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for r in rows:
        cells.append(ws, r)
    return cells.workbook_bytes(wb)


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), ("", ""), ("  Disdukcapil \n", "Disdukcapil"), (3.0, "3"), (2.5, "2.5"), (7, "7"),
    ("'=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")"), ("''=1", "'=1"), ("'abc", "'abc"), (True, "True"),
])
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize("text", ["=1+1", "+62 811", "-5", "@SUM(A1)", "'quoted", "'=both", "plain", "\t=tab"])
def test_text_we_wrote_reads_back_exactly(text: str) -> None:
    table = read_table(_xlsx([["Nama"], [text]]))
    (_n, (value,)), = table.rows
    expected = text.strip()
    assert cell_text(value) == expected


def test_read_table_numbers_rows_as_a_spreadsheet_and_locates_columns() -> None:
    day = dt.date(2024, 3, 1)
    table = read_table(_xlsx([["Kode", " nama ", "Tanggal"], ["A", "x", day], [None, None, None], ["B", "", None]]))
    assert table.name == "Data" and table.header == ["Kode", "nama", "Tanggal"]
    index = table.locate({"code": "kode", "name": ("Nama program", "NAMA"), "missing": "Tidak ada"})
    assert index == {"code": 0, "name": 1}
    records = list(table.records(index))
    assert [n for n, _r in records] == [2, 4]  # the blank row 3 is skipped, numbering is the sheet's
    assert records[0][1] == {"code": "A", "name": "x"}
    assert read_table(_xlsx([["Tanggal"], [day]])).rows[0][1][0].date() == day  # raw values keep their type


def test_read_table_picks_the_named_sheet() -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.append(["other"])
    wb.create_sheet("Kuesioner").append(["Layanan"])
    out = io.BytesIO()
    wb.save(out)
    assert read_table(out.getvalue(), sheet="Kuesioner").header == ["Layanan"]
    assert read_table(out.getvalue(), sheet="Tidak ada").header == ["other"]


def test_csv_is_read_as_utf8_with_or_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "program.csv"
    path.write_bytes("\ufeffKode,Nama\nA,Pângkalan\n,\n".encode())
    table = read_table(path)
    assert table.name == "program.csv" and table.header == ["Kode", "Nama"]
    assert list(table.records(table.locate({"code": "Kode", "name": "Nama"}))) == [(2, {"code": "A", "name": "Pângkalan"})]
    path.write_bytes("Kode,Nama\nA,P\xe2ngkalan\n".encode("latin-1"))
    with pytest.raises(Unreadable, match="UTF-8"):
        read_table(path)


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message() -> None:
    with pytest.raises(Unreadable) as caught:
        read_table(b"Kegiatan;Status\nPelatihan;Selesai\n")
    assert "bukan workbook" in caught.value.message


def test_table_records_pad_short_rows() -> None:
    table = Table("t", ["a", "b"], [(2, ["x"])])
    assert list(table.records({"a": 0, "b": 1})) == [(2, {"a": "x", "b": None})]


def test_core_sheets_imports_no_other_app() -> None:
    tree = ast.parse((SRC / "core" / "sheets.py").read_text())
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    own = {n for n in names if n.startswith("kotacerdas.")}
    assert own <= {"kotacerdas.lib.cells"}, own
    assert sheets.__name__ == "kotacerdas.core.sheets"


def test_there_is_one_cell_text_helper() -> None:
    """The four importers once each had their own ``_text``; they use core.sheets.cell_text now."""
    copies = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        copies += [f"{path.relative_to(SRC)}:{n.lineno}" for n in ast.walk(tree)
                   if isinstance(n, ast.FunctionDef) and n.name == "_text"]
    assert copies == []
