"""The vectorised CSV path must be invisible: for any file, the same report (row, column, code and
message, in the same order) and the same rows to write as the row-by-row path it speeds up."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kotacerdas.core.models import JobStatus
from kotacerdas.monitoring import actions, fastcsv, importer
from kotacerdas.monitoring.lookup import build_lookup
from kotacerdas.monitoring.models import KpiValue

HEADER = ["programme", "kpi", "period", "region", "value", "target"]
GOOD = [
    ["jam-kunci", "dokumen-terbit", "2022-{m:02d}", "16.07", "{v}", ""],
    ["jam-kunci", "dokumen-terbit", "2022-{m:02d}", "", "{v}", "{v}"],
    ["oss", "izin-didampingi", "2022-{m:02d}", "16.07.0{k}", "{v}", ""],
    ["jam-kunci", "aduan-selesai", "2022-{m:02d}", "16.07", "{v}.5", "90"],
]
cell = st.sampled_from(["jam-kunci", "JAM-KUNCI ", "oss", "dokumen-terbit", "aduan-selesai", "izin-didampingi",
                        "kepuasan", "2022-03", "2022-Q1", " 2022-04", "Maret 2022", "2031-01", "16.07", "16.07.05",
                        "16.07.05.2001", "16.06.01", "16.99", "", " ", "87,5", "87.25", "100", "100.0001", "-1",
                        "1.234", "1.23456", "Rp 1000", "9" * 17, "0009", "١٢", "12 ", "\ufeff7", "3.650", "3,650",
                        "0.500", "1.234.567", "1,234,567", "1.234,5", "1,234.5", "12.345.678.901.234.567", "99,000",
                        "\ufeffjam-kunci"])


def _row(rnd: Any, i: int) -> list[str]:
    template = GOOD[i % len(GOOD)]
    v = rnd.randint(0, 99) if template[1] == "aduan-selesai" else rnd.randint(0, 5000)
    return [c.format(m=1 + i // len(GOOD) % 12, k=1 + i % 9, v=v) for c in template]


def _write(tmp: Path, rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n", raw: str = "") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(HEADER)
    w.writerows(rows)
    path = Path(tempfile.mkstemp(suffix=".csv", dir=tmp)[1])
    path.write_bytes((buf.getvalue() + raw).encode("utf-8", "surrogatepass"))
    return path


def _spooled(out: importer.Validated) -> list[tuple[Any, ...]]:
    if out.spool is None:
        return []
    out.spool.seek(0)
    got = []
    for line in out.spool.read().splitlines():
        kpi, period, area, value, target = line.split("\t")
        got.append((int(kpi), period, area, Decimal(value), None if target == "\\N" else Decimal(target)))
    return sorted(got)


def _both(path: Path, lookup: importer.Lookup, monkeypatch: pytest.MonkeyPatch, block: int = 64,
          decimal: str = "") -> tuple[importer.Validated, importer.Validated]:
    """(fast path in blocks of ``block`` bytes, row-by-row path) over the same file."""
    with monkeypatch.context() as m:
        m.setattr(fastcsv, "BLOCK", block)
        fast = importer.validate_file(path, lookup, decimal=decimal)
    with monkeypatch.context() as m:
        m.setattr(fastcsv, "plain_block", lambda data: None)  # every block "not plain": the csv module reads all
        slow = importer.validate_file(path, lookup, decimal=decimal)
    return fast, slow


def _assert_same(fast: importer.Validated, slow: importer.Validated) -> None:
    try:
        assert fast.errors == slow.errors
        assert (fast.error_count, fast.rows, fast.ok) == (slow.error_count, slow.rows, slow.ok)
        if fast.ok:
            assert _spooled(fast) == _spooled(slow)
    finally:
        fast.close()
        slow.close()


@pytest.fixture
def lookup(actors: Any, banyuasin: Any) -> importer.Lookup:
    return build_lookup(actors.citra, banyuasin, today=dt.date(2025, 6, 15))


def test_it_checks_a_clean_file_in_blocks_and_spools_what_the_row_path_spools(
        lookup: importer.Lookup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    rnd = random.Random(7)
    # The first two templates share their key (an empty region is the kabupaten): keep one of each key.
    rows = list({(r[0], r[1], r[2], r[3] or "16.07"): r for r in (_row(rnd, i) for i in range(48))}.values())
    calls: list[int] = []
    real = fastcsv.BlockChecker._check

    def spy(self: Any, row0: int, table: Any) -> Any:
        good = real(self, row0, table)
        calls.append(int(good.sum()))
        return good

    monkeypatch.setattr(fastcsv.BlockChecker, "_check", spy)
    for newline in ("\n", "\r\n"):
        fast, slow = _both(_write(tmp_path, rows, newline=newline), lookup, monkeypatch, block=256)
        assert fast.ok and fast.rows == len(rows)
        _assert_same(fast, slow)
    assert len(calls) > 4 and sum(calls) == 2 * len(rows)  # really checked in blocks, every row accepted there


def test_it_reports_errors_exactly_as_the_row_path_across_blocks(
        lookup: importer.Lookup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        ["jam-kunci", "dokumen-terbit", "2022-01", "16.07", "10", ""],
        ["jam-kunci", "dokumen-terbit", "2022-02", "16.07", "-3", ""],
        ["jam-kunci", "dokumen-terbit", "2022-03", "16.07", "Rp 1000", "12 "],  # valid, but only row by row
        ["jam-kunci", "aduan-selesai", "2022-01", "16.07", "101", ""],
        ["jam-kunci", "dokumen-terbit", "2022-04", "16.07", "1,5", ""],
        ["jam-kunci", "dokumen-terbit", "2022-05", "16.99", "4", ""],
        ["jam-kunci", "dokumen-terbit", "2022-01", "16.07", "11", ""],  # duplicate of the first row
        ["jam-kunci", "dokumen-terbit", "2022-06", "16.07", "4", "", "extra"],
        [],
        ["jam-kunci", "dokumen-terbit", "2031-01", "16.07", "4", ""],
    ]
    fast, slow = _both(_write(tmp_path, rows), lookup, monkeypatch, block=128)
    got = {(e.row, e.column, e.code) for e in fast.errors}
    assert {(3, "value", "negative"), (5, "value", "out_of_range"), (6, "value", "not_whole"),
            (7, "region", "unknown_region"), (8, "kpi", "duplicate"), (9, "kolom 7", "extra_cells"),
            (11, "period", "period_out_of_range")} <= got
    assert not any(e.row == 4 for e in fast.errors)
    dup = next(e for e in fast.errors if e.code == "duplicate")
    assert dup.message.endswith("sama dengan baris 2")
    _assert_same(fast, slow)


def test_it_hands_the_rest_of_the_file_to_the_csv_reader_at_the_first_quoted_cell(
        lookup: importer.Lookup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["jam-kunci", "dokumen-terbit", f"2022-{m:02d}", "16.07", str(m), ""] for m in range(1, 13)]
    rows[8][4] = "9\nx"  # a quoted two-line cell: rows after it are numbered by record, not by line
    rows[10][2] = "bulan?"
    fast, slow = _both(_write(tmp_path, rows), lookup, monkeypatch, block=96)
    assert {(e.row, e.code) for e in fast.errors} == {(10, "bad_number"), (12, "bad_period")}
    _assert_same(fast, slow)
    broken = _write(tmp_path, rows[:3], raw='jam-kunci,dokumen-terbit,2022-05,16.07,"7"x,\n')
    fast, slow = _both(broken, lookup, monkeypatch, block=64)
    assert [(e.row, e.code) for e in fast.errors] == [(5, "malformed")]
    _assert_same(fast, slow)


def test_it_reports_bad_utf8_in_a_later_block_with_its_row(
        lookup: importer.Lookup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["jam-kunci", "dokumen-terbit", f"2022-{m:02d}", "16.07", str(m), ""] for m in range(1, 10)]
    path = _write(tmp_path, rows)
    path.write_bytes(path.read_bytes() + b"jam-kunci,dokumen-terbit,2022-10,P\xe2ngkalan,1,\n")
    fast, slow = _both(path, lookup, monkeypatch, block=64)
    assert [(e.row, e.code) for e in fast.errors] == [(11, "encoding")]
    _assert_same(fast, slow)


def test_it_leaves_a_block_that_starts_with_a_byte_order_mark_to_the_csv_reader(
        lookup: importer.Lookup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["jam-kunci", "dokumen-terbit", f"2022-{m:02d}", "16.07", str(m), ""] for m in range(1, 5)]
    rows[2][0] = "\ufeffjam-kunci"  # pasted from another file: not the programme code
    line = len(",".join(rows[0]).encode()) + 1
    fast, slow = _both(_write(tmp_path, rows), lookup, monkeypatch, block=2 * line)  # row 4 starts a block
    assert [(e.row, e.code) for e in fast.errors] == [(4, "unknown_programme")]
    _assert_same(fast, slow)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.one_of(st.lists(cell, min_size=5, max_size=7), st.lists(cell, max_size=4)), max_size=14),
       delimiter=st.sampled_from([",", ";", "\t"]), newline=st.sampled_from(["\n", "\r\n"]),
       block=st.sampled_from([32, 100, 1 << 20]), tail=st.sampled_from(["", "\n", "\n\n", ",,,\n"]),
       decimal=st.sampled_from(["", ",", "."]))
def test_it_gives_the_same_report_as_the_row_path_whatever_the_cells(
        lookup: importer.Lookup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[list[str]],
        delimiter: str, newline: str, block: int, tail: str, decimal: str) -> None:
    path = _write(tmp_path, rows, delimiter=delimiter, newline=newline, raw=tail.replace(",", delimiter))
    try:
        fast, slow = _both(path, lookup, monkeypatch, block=block, decimal=decimal)
        _assert_same(fast, slow)
    finally:
        path.unlink()


@pytest.mark.parametrize(("decimal", "values"), [
    (",", {"3.650": 3650, "1.234.567": 1234567, "87,5": Decimal("87.5"), "12": 12, "1.234,5": Decimal("1234.5")}),
    (".", {"3.650": Decimal("3.65"), "1,234,567": 1234567, "87.5": Decimal("87.5"), "1,234.5": Decimal("1234.5")}),
])
def test_it_reads_numbers_in_the_chosen_notation_in_blocks_as_row_by_row(
        lookup: importer.Lookup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, decimal: str,
        values: dict[str, Any]) -> None:
    rows = [["simpada", "pendapatan", f"2022-{i + 1:02d}", "16.07", t, ""] for i, t in enumerate(values)]
    calls: list[int] = []
    real = fastcsv.BlockChecker._check

    def spy(self: Any, row0: int, table: Any) -> Any:
        good = real(self, row0, table)
        calls.append(int(good.sum()))
        return good

    monkeypatch.setattr(fastcsv.BlockChecker, "_check", spy)
    fast, slow = _both(_write(tmp_path, rows, delimiter=";"), lookup, monkeypatch, block=1 << 20, decimal=decimal)
    try:
        assert fast.ok, fast.errors
        assert sum(calls) == len(rows)  # every row accepted by the vectorised checks
        assert sorted(v for *_, v, _t in _spooled(fast)) == sorted(Decimal(v) for v in values.values())
        assert _spooled(fast) == _spooled(slow)
    finally:
        fast.close()
        slow.close()


def test_it_leaves_a_number_that_reads_two_ways_to_the_row_path_when_no_notation_is_chosen(
        lookup: importer.Lookup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["simpada", "pendapatan", f"2022-{m:02d}", "16.07", v, ""]
            for m, v in ((1, "3.650"), (2, "87,5"), (3, "1.234.567"), (4, "0.500"))]
    fast, slow = _both(_write(tmp_path, rows), lookup, monkeypatch)
    assert [(e.row, e.column, e.code) for e in fast.errors] == [(2, "value", "ambiguous_number"),
                                                               (4, "value", "ambiguous_number")]
    assert "pilih format angka" in fast.errors[0].message
    _assert_same(fast, slow)


def test_it_counts_new_changed_and_unchanged_rows_on_every_import(actors: Any, banyuasin: Any) -> None:
    lines = [f"jam-kunci,dokumen-terbit,2022-{m:02d},16.07,{m}" for m in range(1, 7)]

    def run(body: list[str]) -> Any:
        data = ("programme,kpi,period,region,value\n" + "\n".join(body) + "\n").encode()
        job = actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=data, name="v.csv")
        assert job.status == JobStatus.DONE, job.errors
        return job.created_count, job.updated_count, job.unchanged_count

    before = KpiValue.objects.count()
    assert run(lines[:4]) == (4, 0, 0)
    assert run(lines[:4]) == (0, 0, 4)
    changed = [*lines[:2], "jam-kunci,dokumen-terbit,2022-03,16.07,33", *lines[3:]]
    assert run(changed) == (2, 1, 3)
    assert KpiValue.objects.count() == before + 6
    assert KpiValue.objects.get(kpi__code="dokumen-terbit", kpi__programme__code="jam-kunci",
                                period=dt.date(2022, 3, 1), area_id="16.07").value == Decimal("33")
