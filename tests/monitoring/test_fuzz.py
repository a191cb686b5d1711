"""Fuzzing the KPI importer: whatever bytes or cells arrive, the result is a clean report or a
success — never an unhandled exception, never a partial write."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kotacerdas.core.models import JobStatus
from kotacerdas.monitoring import actions, importer
from kotacerdas.monitoring.lookup import build_lookup
from kotacerdas.monitoring.models import KpiValue

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HEADER = "programme,kpi,period,region,value,target"
cell_text = st.one_of(
    st.sampled_from(["jam-kunci", "dokumen-terbit", "aduan-selesai", "kepuasan", "2024-03", "2024-Q1", "2024",
                     "16.07", "16.07.05", "16.07.05.2001", "16.06.01", "87,5", "-1", "1.234", "", " ", '"', "\r",
                     "Rp 1000", "9" * 30, "\x00", "\ufeff", "Maret 2024", "31/02/2024"]),
    st.text(max_size=20),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def _check(out: importer.Validated) -> None:
    try:
        assert out.ok or out.error_count > 0
        assert len(out.errors) == min(out.error_count, importer.MAX_REPORTED_ERRORS)
        for e in out.errors:
            assert isinstance(e.row, int) and e.code in importer.MESSAGES and e.message
        if out.ok:
            assert out.spool is not None
    finally:
        out.close()


def _file(data: bytes) -> Path:
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as fh:
        fh.write(data)
    return Path(fh.name)


def test_it_never_crashes_on_random_bytes(actors: Any, banyuasin: Any) -> None:
    lookup = build_lookup(actors.citra, banyuasin)

    @FUZZ
    @given(data=st.one_of(st.binary(max_size=400), st.binary(max_size=200).map(lambda b: HEADER.encode() + b"\n" + b),
                          st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)),
           encoding=st.sampled_from([None, "utf-8", "windows-1252", "latin-1", "utf-16"]))
    def run(data: bytes, encoding: str | None) -> None:
        path = _file(data)
        try:
            _check(importer.validate_file(path, lookup, encoding=encoding))
        finally:
            path.unlink()

    run()


def test_it_never_crashes_on_random_cells(actors: Any, banyuasin: Any) -> None:
    lookup = build_lookup(actors.citra, banyuasin)

    @FUZZ
    @given(rows=st.lists(st.lists(cell_text, min_size=0, max_size=8), max_size=12),
           delimiter=st.sampled_from([",", ";", "\t"]))
    def run(rows: list[list[str]], delimiter: str) -> None:
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delimiter)
        w.writerow(HEADER.split(","))
        w.writerows(rows)
        path = _file(buf.getvalue().encode("utf-8", "surrogatepass"))
        try:
            _check(importer.validate_file(path, lookup))
        finally:
            path.unlink()

    run()


def test_it_never_crashes_on_random_spreadsheet_values(actors: Any, banyuasin: Any) -> None:
    lookup = build_lookup(actors.citra, banyuasin)
    value = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), cell_text,
                      st.datetimes(min_value=dt.datetime(1, 1, 1)), st.dates(), st.times(), st.decimals())

    @FUZZ
    @given(rows=st.lists(st.lists(value, max_size=8), max_size=10))
    def run(rows: list[list[Any]]) -> None:
        out = importer.validate_rows(1, HEADER.split(","), enumerate(rows, start=2), lookup)
        _check(out)

    run()


def test_it_writes_all_or_nothing_through_the_whole_action(actors: Any, banyuasin: Any) -> None:
    valid = ["jam-kunci,dokumen-terbit,2022-0{m},16.07,{v}", "oss,izin-didampingi,2022-0{m},16.07.0{m},{v}"]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(lines=st.lists(st.one_of(
        st.tuples(st.sampled_from(valid), st.integers(1, 9), st.integers(0, 5000)).map(
            lambda t: t[0].format(m=t[1], v=t[2])),
        st.lists(cell_text, max_size=6).map(",".join)), max_size=8))
    def run(lines: list[str]) -> None:
        before = KpiValue.objects.count()
        data = ("programme,kpi,period,region,value\n" + "\n".join(lines)).encode("utf-8", "surrogatepass")
        job = actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=data, name="fuzz.csv")
        assert job.status in (JobStatus.DONE, JobStatus.FAILED)
        if job.status == JobStatus.FAILED:
            assert job.errors and KpiValue.objects.count() == before
        else:
            assert job.error_count == 0
            assert KpiValue.objects.count() == before + job.created_count

    run()
