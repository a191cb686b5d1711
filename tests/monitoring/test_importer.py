"""KPI value imports: every malformed file is refused as a whole with a row-level report; good files
are written once (idempotent by natural key), whatever their delimiter, encoding declaration or format."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from kotacerdas.core.errors import NotAllowed
from kotacerdas.core.models import JobStatus
from kotacerdas.monitoring import actions, importer
from kotacerdas.monitoring.lookup import build_lookup
from kotacerdas.monitoring.models import IngestJob, Kpi, KpiValue

from .conftest import FIXTURES

# file, extra import arguments, expected (row, column, code) — every error the report must contain.
MALFORMED: list[tuple[str, dict[str, Any], list[tuple[int, str, str]]]] = [
    ("unknown_kecamatan.csv", {}, [(3, "region", "unknown_region")]),
    ("kecamatan_of_other_region.csv", {}, [(3, "region", "region_outside")]),
    ("period_in_future.csv", {}, [(3, "period", "period_out_of_range")]),
    ("period_before_programme.csv", {}, [(3, "period", "period_out_of_range")]),
    ("bad_period.csv", {}, [(3, "period", "bad_period")]),
    ("negative_count.csv", {}, [(3, "value", "negative")]),
    ("fractional_count.csv", {}, [(3, "value", "not_whole")]),
    ("percent_over_100.csv", {}, [(2, "value", "out_of_range")]),
    ("thousands_separator.csv", {}, [(2, "value", "ambiguous_number")]),
    ("duplicate_natural_key.csv", {}, [(4, "kpi", "duplicate")]),
    ("missing_value_column.csv", {}, [(1, "value", "missing_column")]),
    ("missing_value_cell.csv", {}, [(3, "value", "required")]),
    ("unknown_kpi.csv", {}, [(3, "kpi", "unknown_kpi")]),
    ("unknown_programme.csv", {}, [(3, "programme", "unknown_programme")]),
    ("quarterly_kpi_given_month.csv", {}, [(2, "period", "period_quarterly")]),
    ("kecamatan_row_for_region_kpi.csv", {}, [(2, "region", "area_level")]),
    ("broken_quotes.csv", {}, [(3, "", "malformed")]),
    ("extra_cells.csv", {}, [(3, "kolom 7", "extra_cells")]),
    ("header_only.csv", {}, [(2, "", "no_rows")]),
    ("empty.csv", {}, [(1, "", "empty_file")]),
    ("windows1252_undeclared.csv", {}, [(3, "", "encoding")]),
    ("utf16_unicode_text.csv", {}, [(1, "", "encoding")]),
    ("merged_header.xlsx", {}, [(1, "A1:B1", "header_merged"), (1, "B", "header_empty")]),
    ("not_really.xlsx", {}, [(0, "", "bad_file")]),
    ("unknown_kecamatan.csv", {"year": 2023}, [(2, "period", "period_out_of_range"),
                                               (3, "period", "period_out_of_range")]),
    ("bad_period.csv", {"encoding": "windows-1252"}, [(3, "period", "bad_period")]),
]


def _import(actor: Any, region: Any, name: str, data: bytes | None = None, **kw: Any) -> IngestJob:
    if data is None:
        data = (FIXTURES / name).read_bytes()
    return actions.do_start_kpi_import(actor, region=region, upload=data, name=name, **kw)


def test_it_keeps_at_least_fifteen_malformed_fixtures() -> None:
    assert len({name for name, _, _ in MALFORMED}) >= 15
    assert all((FIXTURES / name).exists() for name, _, _ in MALFORMED)


@pytest.mark.parametrize(("name", "kwargs", "expected"), MALFORMED, ids=[f"{m[0]}{m[1] or ''}" for m in MALFORMED])
def test_it_refuses_a_malformed_file_with_a_row_level_report_and_writes_nothing(
        actors: Any, banyuasin: Any, name: str, kwargs: dict[str, Any], expected: list[tuple[int, str, str]]) -> None:
    before = KpiValue.objects.count()
    job = _import(actors.citra, banyuasin, name, **kwargs)
    assert job.status == JobStatus.FAILED, job.message
    got = {(e["row"], e["column"], e["code"]) for e in job.errors}
    for want in expected:
        assert want in got, (want, job.errors)
    assert all(e["message"] for e in job.errors)
    assert job.error_count == len(job.errors)
    assert KpiValue.objects.count() == before


def test_it_explains_a_windows_1252_file_and_reads_it_when_declared(actors: Any, banyuasin: Any) -> None:
    refused = _import(actors.citra, banyuasin, "windows1252_undeclared.csv")
    msg = refused.errors[0]["message"]
    assert "0xE2" in msg and "windows-1252" in msg and "Pângkalan"[1] in msg

    job = _import(actors.citra, banyuasin, "windows1252_undeclared.csv", encoding="windows-1252")
    assert job.status == JobStatus.DONE, job.errors
    assert (job.created_count, job.report["encoding"]) == (2, "cp1252")


def test_it_reports_every_problem_of_a_row_not_only_the_first(actors: Any, banyuasin: Any) -> None:
    data = b"programme,kpi,period,region,value\njam-kunci,dokumen-terbit,2022-13,16.07.99,-1\n"
    job = _import(actors.citra, banyuasin, "many.csv", data)
    assert {e["code"] for e in job.errors} == {"bad_period", "unknown_region", "negative"}


def test_it_imports_indonesian_headers_semicolons_and_decimal_commas(actors: Any, banyuasin: Any) -> None:
    data = (b"Program;Kode KPI;Periode;Kode Wilayah;Nilai;Target\n"
            b"jam-kunci;aduan-selesai;Januari 2022;16.07;87,5;90\n"
            b"jam-kunci;kepuasan;2022-Q1;;3,25;\n"
            b"SIMPADA (Sistem Informasi Pendapatan Daerah);pendapatan;2022-01;16.07;Rp 8150000000;\n")
    job = _import(actors.citra, banyuasin, "indonesia.csv", data)
    assert job.status == JobStatus.DONE, job.errors
    assert job.report["delimiter"] == ";"
    v = KpiValue.objects.get(kpi__code="aduan-selesai", period=dt.date(2022, 1, 1), area_id="16.07")
    assert (v.value, v.target) == (Decimal("87.5"), Decimal("90"))
    assert KpiValue.objects.get(kpi__code="kepuasan", period=dt.date(2022, 1, 1)).value == Decimal("3.25")
    assert KpiValue.objects.get(kpi__code="pendapatan", period=dt.date(2022, 1, 1)).value == 8_150_000_000


def test_it_is_idempotent_by_natural_key(actors: Any, banyuasin: Any) -> None:
    data = ("programme,kpi,period,region,value,target\n"
            + "".join(f"jam-kunci,dokumen-terbit,2022-{m:02d},16.07.{k:02d},{m * 10 + k},\n"
                      for m in range(1, 13) for k in range(1, 22))).encode()
    first = _import(actors.citra, banyuasin, "kec.csv", data)
    assert (first.created_count, first.updated_count, first.unchanged_count) == (252, 0, 0)
    count = KpiValue.objects.count()

    again = _import(actors.citra, banyuasin, "kec.csv", data)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 252)
    assert KpiValue.objects.count() == count

    changed = data.replace(b"2022-03,16.07.04,34,", b"2022-03,16.07.04,35,")
    third = _import(actors.citra, banyuasin, "kec.csv", changed)
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 251)
    assert KpiValue.objects.get(kpi__code="dokumen-terbit", period=dt.date(2022, 3, 1), area_id="16.07.04").value == 35


def test_it_follows_an_explicit_column_mapping(actors: Any, programmes: dict[str, Any], banyuasin: Any) -> None:
    data = b"Indikator Kinerja,Bulan Laporan,Jumlah,Sasaran\ndokumen-terbit,2022-05,1999,2500\n"
    mapping = {"kpi": "Indikator Kinerja", "period": "Bulan Laporan", "value": "Jumlah", "target": "Sasaran"}
    job = _import(actors.citra, banyuasin, "mapped.csv", data, programme=programmes["jam-kunci"], mapping=mapping)
    assert job.status == JobStatus.DONE, job.errors
    assert KpiValue.objects.get(kpi__code="dokumen-terbit", period=dt.date(2022, 5, 1), area_id="16.07").value == 1999

    wrong = _import(actors.citra, banyuasin, "mapped.csv", data, programme=programmes["jam-kunci"],
                    mapping={**mapping, "value": "Nilai"})
    assert [(e["row"], e["code"]) for e in wrong.errors] == [(1, "bad_mapping")]


def test_it_reads_excel_with_dates_and_numbers(actors: Any, banyuasin: Any) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Program", "KPI", "Periode", "Wilayah", "Nilai", "Target"])
    ws.append(["oss", "izin-didampingi", dt.datetime(2022, 4, 1), "16.07.05", 14, None])
    ws.append(["oss", "izin-didampingi", dt.datetime(2022, 4, 30), "16.07.06", 9.0, None])
    ws.append(["simpada", "wajib-pajak", 2022.0, "16.07", 35000, 40000])  # a yearly cell for a monthly KPI
    buf = io.BytesIO()
    wb.save(buf)
    job = _import(actors.citra, banyuasin, "nilai.xlsx", buf.getvalue())
    assert [(e["row"], e["code"]) for e in job.errors] == [(4, "period_monthly")]

    ws.delete_rows(4)
    buf = io.BytesIO()
    wb.save(buf)
    job = _import(actors.citra, banyuasin, "nilai.xlsx", buf.getvalue())
    assert job.status == JobStatus.DONE, job.errors
    assert job.file_format == "xlsx" and job.created_count == 2


def test_it_lets_an_operator_fill_only_the_kpis_of_their_own_unit(actors: Any, banyuasin: Any) -> None:
    data = (b"programme,kpi,period,value\njam-kunci,dokumen-terbit,2022-06,2000\n"
            b"oss,izin-didampingi,2022-06,150\n")
    job = _import(actors.oki, banyuasin, "mixed.csv", data)
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [(3, "kpi", "forbidden")]
    own = _import(actors.oki, banyuasin, "own.csv", data.split(b"\noss")[0] + b"\n")
    assert own.status == JobStatus.DONE

    coordinator = _import(actors.citra, banyuasin, "mixed.csv", data)
    assert coordinator.status == JobStatus.DONE


def test_it_refuses_people_without_a_programme_in_the_region(actors: Any, banyuasin: Any) -> None:
    for who in (actors.mira, actors.andi, actors.eka):
        with pytest.raises(NotAllowed):
            _import(who, banyuasin, "unknown_kecamatan.csv")


def test_it_records_the_import_in_the_audit_trail(actors: Any, banyuasin: Any) -> None:
    from kotacerdas.accounts.models import AuditEvent

    job = _import(actors.citra, banyuasin, "bad_period.csv")
    actions_logged = set(AuditEvent.objects.filter(object_type="monitoring.ingestjob", object_id=str(job.pk))
                         .values_list("action", flat=True))
    assert actions_logged == {"monitoring.start_import", "monitoring.import_rejected"}


def test_it_runs_large_imports_as_a_background_job_with_progress(actors: Any, banyuasin: Any, settings: Any,
                                                                  django_capture_on_commit_callbacks: Any) -> None:
    from kotacerdas.core.jobs import run_job
    from kotacerdas.monitoring import queries

    data = b"programme,kpi,period,region,value\njam-kunci,dokumen-terbit,2022-07,16.07,2000\n"
    job = _import(actors.citra, banyuasin, "later.csv", data, runner="worker")
    assert job.status == JobStatus.QUEUED
    assert queries.ingest_progress(job)["status"] == JobStatus.QUEUED
    assert job.job_id is not None
    core = run_job(job.job_id)
    assert core.status == "done", core.error
    job.refresh_from_db()
    assert (job.status, job.created_count, job.percent) == (JobStatus.DONE, 1, 100)


def _lookup(banyuasin: Any, actor: Any) -> importer.Lookup:
    return build_lookup(actor, banyuasin, today=dt.date(2025, 6, 15))


def test_it_streams_a_large_file_in_bounded_memory(actors: Any, banyuasin: Any, tmp_path: Any) -> None:
    path = tmp_path / "big.csv"
    kecs = [f"16.07.{k:02d}" for k in range(1, 22)]
    with path.open("w") as fh:
        fh.write("programme,kpi,period,region,value\n")
        n = 0
        for y in range(2021, 2025):
            for m in range(1, 13):
                for k in kecs:
                    for code in ("dokumen-terbit",):
                        fh.write(f"jam-kunci,{code},{y}-{m:02d},{k},{n % 997}\n")
                        n += 1
        # Desa rows multiply the file: ~4 years x 12 months x 300 desa.
        from kotacerdas.regions.models import Region

        desa = list(Region.objects.filter(parent__parent_id="16.07", level="desa").values_list("code", flat=True))
    kpi = Kpi.objects.get(programme__code="jam-kunci", code="dokumen-terbit")
    kpi.area_level = "desa"
    kpi.save()
    with path.open("a") as fh:
        for y in range(2021, 2025):
            for m in range(1, 13):
                for d in desa:
                    fh.write(f"jam-kunci,dokumen-terbit,{y}-{m:02d},{d},{n % 89}\n")
                    n += 1
    ticks: list[float] = []
    tracemalloc.start()
    out = importer.validate_file(path, _lookup(banyuasin, actors.citra), progress=lambda r, f: ticks.append(f))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    try:
        assert out.ok, out.errors[:3]
        assert out.rows == n > 15_000
        assert peak < 8 * 1024 * 1024  # the file is ~1 MB per 20k rows; memory must not grow with it
        assert ticks == sorted(ticks) and 0 < ticks[-1] <= 1
    finally:
        out.close()


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-03", ("month", dt.date(2024, 3, 1))), ("2024-3", ("month", dt.date(2024, 3, 1))),
    ("03/2024", ("month", dt.date(2024, 3, 1))), ("2024-03-31", ("month", dt.date(2024, 3, 1))),
    ("31/03/2024", ("month", dt.date(2024, 3, 1))), ("Maret 2024", ("month", dt.date(2024, 3, 1))),
    ("Agt 2024", ("month", dt.date(2024, 8, 1))), ("2024-Q2", ("quarter", dt.date(2024, 4, 1))),
    ("TW3 2024", ("quarter", dt.date(2024, 7, 1))), ("2024", ("year", dt.date(2024, 1, 1))),
    (2024, ("year", dt.date(2024, 1, 1))), (dt.datetime(2024, 5, 9), ("month", dt.date(2024, 5, 1))),
    ("2024-02-30", "bad_period"), ("2024-00", "bad_period"), ("Q5 2024", "bad_period"), ("kemarin", "bad_period"),
    (2024.5, "bad_period"), (True, "bad_period"),
])
def test_it_parses_the_periods_people_write(raw: Any, expected: Any) -> None:
    assert importer.parse_period(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("1234567", Decimal("1234567")), ("87,5", Decimal("87.5")), ("87.5", Decimal("87.5")),
    (" Rp 15000 ", Decimal("15000")), (12, Decimal(12)), (0.1, Decimal("0.1")),
    ("1.234.567", "ambiguous_number"), ("1,234.5", "ambiguous_number"), ("3.650", "ambiguous_number"),
    ("0.500", Decimal("0.5")), ("1234.567", Decimal("1234.567")), ("12e3", "bad_number"), ("", "bad_number"),
    (float("nan"), "bad_number"), ("9" * 17, "too_large"), (True, "bad_number"),
])
def test_it_parses_numbers_without_guessing_thousands_separators(raw: Any, expected: Any) -> None:
    assert importer.parse_number(raw) == expected


def _kec_rows(months: range, value: int = 0) -> bytes:
    return ("programme,kpi,period,region,value,target\n"
            + "".join(f"jam-kunci,dokumen-terbit,2022-{m:02d},16.07.{k:02d},{m * 10 + k + value},{'' if k % 2 else 500}\n"
                      for m in months for k in range(1, 22))).encode()


def test_a_first_import_is_copied_straight_in_with_every_column(actors: Any, banyuasin: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """New data goes in by the fast path (on PostgreSQL: one COPY into the values table) and carries the
    same source, job, timestamps and nulls as the staging path writes."""
    from kotacerdas.monitoring import writer

    used: list[int | None] = []
    real = writer._pg_copy_new
    monkeypatch.setattr(writer, "_pg_copy_new", lambda *a, **k: used.append(real(*a, **k)) or used[-1])  # type: ignore[func-returns-value]
    job = _import(actors.citra, banyuasin, "new.csv", _kec_rows(range(1, 4)))
    assert (job.status, job.created_count, job.updated_count, job.unchanged_count) == ("done", 63, 0, 0)
    rows = KpiValue.objects.filter(ingest_job_id=job.pk)
    assert rows.count() == 63
    v = rows.get(period=dt.date(2022, 2, 1), area_id="16.07.04")
    assert (v.value, v.target, v.source) == (24, Decimal(500), "upload")
    assert rows.get(period=dt.date(2022, 2, 1), area_id="16.07.05").target is None
    assert v.created_at == v.updated_at and v.created_at is not None
    from django.db import connection
    if connection.vendor == "postgresql":
        assert used == [63]

    # months 3-5 overlap the stored month 3: the stored values are seen, the staging path decides
    more = _import(actors.citra, banyuasin, "more.csv", _kec_rows(range(3, 6)))
    assert (more.created_count, more.updated_count, more.unchanged_count) == (42, 0, 21)
    if connection.vendor == "postgresql":
        assert used == [63, None]


def test_a_key_written_concurrently_sends_the_copy_back_to_the_staging_path(
        on_postgres: None, actors: Any, banyuasin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the cheap check and the COPY another import may write one of the keys: the COPY fails on
    the unique key, its savepoint is rolled back, and the staging path upserts instead."""
    from kotacerdas.monitoring import writer

    kpi = Kpi.objects.get(code="dokumen-terbit")
    KpiValue.objects.create(kpi=kpi, period=dt.date(2022, 1, 1), area_id="16.07.01", value=11)
    checks: list[bool] = []
    real = writer._spans_free

    def blind_once(*args: Any) -> bool:  # the first check ran before the other import's commit
        checks.append(real(*args))
        return len(checks) == 1 or checks[-1]

    monkeypatch.setattr(writer, "_spans_free", blind_once)
    job = _import(actors.citra, banyuasin, "race.csv", _kec_rows(range(1, 3)))
    assert checks == [False, False]  # the COPY's check, then the staging path's
    assert (job.status, job.created_count, job.updated_count, job.unchanged_count) == ("done", 41, 0, 1)
    assert KpiValue.objects.filter(kpi=kpi, period__year=2022).count() == 42
