"""Numbers in the file's notation ("3.650" is 3650 in an Indonesian file, 3.65 in an English one), never
guessed: a file whose numbers read two ways and no chosen notation is refused, asking to choose. And
a period that does not fit the KPI's frequency says what to write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kotacerdas.core.errors import InvalidInput, NotAllowed
from kotacerdas.core.models import JobStatus
from kotacerdas.monitoring import actions, importer
from kotacerdas.monitoring.lookup import build_lookup
from kotacerdas.monitoring.models import KpiValue
from kotacerdas.monitoring.parsing import DECIMAL_COMMA, DECIMAL_POINT, detect_decimal, parse_number
from kotacerdas.monitoring.validation import localised_message


@pytest.mark.parametrize(("cells", "decimal", "must_choose"), [
    (["3.650", "12.500"], "", True),  # only numbers that read two ways: nothing tells
    (["3.650", "87,5"], DECIMAL_COMMA, False),  # 87,5 exists only with a decimal comma
    (["3.650", "1.234.567"], DECIMAL_COMMA, False),  # two thousands points: Indonesian
    (["3,650", "87.25"], DECIMAL_POINT, False),
    (["3.650", "1,234,567"], DECIMAL_POINT, False),
    (["87,5", "87.5", "3.650"], "", True),  # both ways at once: ask
    (["87,5", "87.5"], "", True),  # conflicting even without an ambiguous cell: ask
    (["1200", 3650, 3.65, None, "", "n/a"], "", False),  # nothing depends on the notation
    (["0.500"], DECIMAL_POINT, False),  # no thousands group starts with 0
])
def test_it_detects_the_notation_only_when_the_cells_tell(cells: list[Any], decimal: str, must_choose: bool) -> None:
    guess = detect_decimal(cells)
    assert (guess.decimal, guess.must_choose) == (decimal, must_choose)


@pytest.mark.parametrize(("raw", "decimal", "expected"), [
    ("3.650", DECIMAL_COMMA, Decimal(3650)), ("3.650", DECIMAL_POINT, Decimal("3.65")),
    ("3.650", "", "ambiguous_number"), ("1.234.567,25", DECIMAL_COMMA, Decimal("1234567.25")),
    ("1,234,567.25", DECIMAL_POINT, Decimal("1234567.25")), ("87.5", DECIMAL_COMMA, "bad_number_comma"),
    ("87,5", DECIMAL_POINT, "bad_number_point"), ("1.23.456", DECIMAL_COMMA, "bad_number_comma"),
    ("Rp 15.000", DECIMAL_COMMA, Decimal(15000)), (3650, DECIMAL_POINT, Decimal(3650)),
    (3.65, DECIMAL_COMMA, Decimal("3.65")),  # a number cell carries no notation
])
def test_it_reads_a_number_in_the_chosen_notation_only(raw: Any, decimal: str, expected: Any) -> None:
    assert parse_number(raw, decimal) == expected


def _csv(*values: str) -> bytes:
    return ("programme;kpi;period;region;value\n"
            + "".join(f"simpada;pendapatan;2022-{m:02d};16.07;{v}\n" for m, v in enumerate(values, start=1))).encode()


def test_an_ambiguous_file_without_a_chosen_notation_is_refused_asking_to_choose(actors: Any, banyuasin: Any) -> None:
    before = KpiValue.objects.count()
    job = actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=_csv("3.650", "12.500"), name="id.csv")
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [(2, "value", "ambiguous_number"),
                                                                       (3, "value", "ambiguous_number")]
    assert "pilih format angka" in job.errors[0]["message"] and "'3.650'" in job.errors[0]["message"]
    with translation.override("en"):
        assert "choose the file's number format" in localised_message(job.errors[0])
    assert KpiValue.objects.count() == before


def test_the_chosen_notation_reads_3650_as_three_thousand_six_hundred_and_fifty(
        actors: Any, banyuasin: Any, lookup_today: Any) -> None:
    path = lookup_today.tmp / "id.csv"
    path.write_bytes(_csv("3.650", "1.234.567", "87,5"))
    out = importer.validate_file(path, lookup_today.lookup, decimal=DECIMAL_COMMA)
    try:
        assert out.ok, out.errors
        assert out.spool is not None
        values = [Decimal(line.split("\t")[3]) for line in out.spool.read().splitlines()]
        assert sorted(values) == [Decimal("87.5"), Decimal(3650), Decimal(1234567)]
    finally:
        out.close()
    english = importer.validate_file(path, lookup_today.lookup, decimal=DECIMAL_POINT)
    assert [(e.row, e.code) for e in english.errors] == [(3, "bad_number_point"), (4, "bad_number_point")]


def test_a_month_for_a_quarterly_kpi_is_refused_with_the_format_to_write(actors: Any, banyuasin: Any) -> None:
    data = b"programme,kpi,period,value\njam-kunci,kepuasan,2022-02,3.1\njam-kunci,kepuasan,2022 Q5,3.1\n"
    job = actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=data, name="q.csv")
    errors = {e["code"]: e for e in job.errors}
    assert set(errors) == {"period_quarterly", "bad_period"}
    assert errors["period_quarterly"]["row"] == 2 and errors["period_quarterly"]["column"] == "period"
    message = errors["period_quarterly"]["message"]
    assert "2024-Q1" in message and "TW1 2024" in message and "'2022-02'" in message
    assert "2024-Q1" in errors["bad_period"]["message"]
    with translation.override("en"):
        assert localised_message(errors["period_quarterly"]).startswith("This KPI is quarterly: write its period "
                                                                        "as a quarter, e.g. 2024-Q1")


@pytest.fixture
def lookup_today(actors: Any, banyuasin: Any, tmp_path: Any) -> Any:
    class Env:
        lookup = build_lookup(actors.citra, banyuasin, today=dt.date(2025, 6, 15))
        tmp = tmp_path

    return Env


def test_the_api_upload_takes_the_number_format(actors: Any, banyuasin: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = actors.client(actors.citra)
    url = "/api/v1/regions/16.07/kpi-values/upload"
    refused = c.post(url, {"file": SimpleUploadedFile("id.csv", _csv("3.650")), "programme": "simpada"})
    assert refused.status_code == 422
    assert [e["code"] for e in refused.json()["job"]["errors"]] == ["ambiguous_number"]
    r = c.post(url, {"file": SimpleUploadedFile("id.csv", _csv("3.650")), "decimal": ","})
    assert r.status_code == 201, r.content
    assert KpiValue.objects.get(kpi__code="pendapatan", period=dt.date(2022, 1, 1), area_id="16.07").value == 3650
    bad = c.post(url, {"file": SimpleUploadedFile("id.csv", _csv("3.650")), "decimal": ";"})
    assert bad.status_code == 422 and bad.json()["field"] == "decimal"


def test_a_preview_run_by_the_worker_counts_and_writes_nothing(actors: Any, banyuasin: Any) -> None:
    from kotacerdas.core.jobs import run_job

    before = KpiValue.objects.count()
    job = actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=_csv("3.650", "87,5"), name="id.csv",
                                      decimal=",", dry_run=True, runner="worker")
    assert job.status == JobStatus.QUEUED
    assert job.job_id is not None
    core = run_job(job.job_id)
    assert core.status == "done", core.error
    job.refresh_from_db()
    assert (job.status, job.dry_run, job.created_count, job.total_rows) == (JobStatus.DONE, True, 2, 2)
    assert [r["value"] for r in job.report["sample"]] == ["3650", "87.5"]
    assert KpiValue.objects.count() == before
    applied = actions.do_apply_kpi_import(actors.citra, job, runner="sync")
    assert (applied.status, applied.dry_run, applied.created_count) == (JobStatus.DONE, False, 2)
    assert KpiValue.objects.count() == before + 2
    with pytest.raises(InvalidInput):  # applied once only
        actions.do_apply_kpi_import(actors.citra, job, runner="sync")
    with pytest.raises(NotAllowed):  # only its uploader continues an import
        actions.do_apply_kpi_import(actors.oki, job, runner="sync")
