"""The KPI import on the web: upload → map the columns and choose the number format (pre-selected from
the file) → preview (checked and counted, nothing written) → apply; and the template to start from."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kotacerdas.monitoring.models import IngestJob, KpiValue

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
URL = "/wilayah/16.07/kpi/impor/"


def _upload(client: Any, name: str, content: bytes, **extra: Any) -> Any:
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra}
    return client.post(URL, data)


def _selected(body: str, field: str) -> str:
    select = re.search(rf'<select id="col-{field}".*?</select>', body, re.S)
    assert select is not None, field
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return chosen.group(1) if chosen else ""


def _checked_decimal(body: str) -> str:
    found = re.search(r'name="decimal" value="([^"]*)" checked', body)
    return found.group(1) if found else ""


ID_FILE = (b"Program;Indikator;Bulan;Kecamatan;Realisasi;Catatan\n"
           b"jam-kunci;dokumen-terbit;2022-01;16.07.01;3.650;a\n"
           b"jam-kunci;dokumen-terbit;2022-02;16.07.01;12.500;b\n")


def test_it_maps_the_columns_asks_for_the_format_previews_then_applies(actors: Any) -> None:
    client = actors.client(actors.citra)
    before = KpiValue.objects.count()
    r = _upload(client, "id.csv", ID_FILE)
    assert r.status_code == 302 and r["Location"].endswith("/kolom/")
    page = client.get(r["Location"]).content.decode()
    # headers detected and pre-selected by their titles; target has no column
    assert [_selected(page, f) for f in ("programme", "kpi", "period", "region", "value", "target")] == [
        "Program", "Indikator", "Bulan", "Kecamatan", "Realisasi", ""]
    assert "Catatan" in page
    # only numbers like 3.650: nothing tells the format, so nothing is pre-chosen and the form says why
    assert _checked_decimal(page) == ""
    assert "3.650" in page and "pilih format angka berkas" in page

    post = {f"col-{f}": h for f, h in (("programme", "Program"), ("kpi", "Indikator"), ("period", "Bulan"),
                                       ("region", "Kecamatan"), ("value", "Realisasi"), ("target", ""))}
    refused = client.post(r["Location"], post)
    assert refused.status_code == 200 and "pilih format angka berkas" in refused.content.decode()
    job = IngestJob.objects.latest("pk")
    assert job.status == "draft"  # nothing checked, nothing written

    preview = client.post(r["Location"], {**post, "decimal": ","})
    assert preview.status_code == 302
    body = client.get(preview["Location"]).content.decode()
    assert "2 baris lolos pemeriksaan" in body and "2 baru" in body and "Belum ada yang disimpan" in body
    assert ">3.650<" in body and ">12.500<" in body  # 3650 shown in Indonesian notation
    assert KpiValue.objects.count() == before
    previewed = IngestJob.objects.get(pk=int(preview["Location"].rstrip("/").split("/")[-1]))
    assert (previewed.dry_run, previewed.decimal, previewed.mapping["value"]) == (True, ",", "Realisasi")

    applied = client.post(f"{URL}{previewed.pk}/terapkan/")
    assert applied.status_code == 302
    done = client.get(applied["Location"]).content.decode()
    assert "Selesai: 2 baru, 0 diubah, 0 tetap." in done
    v = KpiValue.objects.get(kpi__code="dokumen-terbit", period=dt.date(2022, 1, 1), area_id="16.07.01")
    assert v.value == Decimal(3650)
    assert KpiValue.objects.count() == before + 2
    # a preview is applied once
    assert client.post(f"{URL}{previewed.pk}/terapkan/").status_code == 409
    assert KpiValue.objects.count() == before + 2


def test_the_format_is_preselected_when_the_cells_tell_it(actors: Any) -> None:
    client = actors.client(actors.citra)
    data = ID_FILE + b"jam-kunci;dokumen-terbit;2022-03;16.07.01;1.234.567;c\n"
    page = client.get(_upload(client, "id.csv", data)["Location"]).content.decode()
    assert _checked_decimal(page) == ","
    assert "format Indonesia" in page


def test_it_reports_row_errors_on_the_preview_and_writes_nothing(actors: Any) -> None:
    client = actors.client(actors.citra)
    before = KpiValue.objects.count()
    r = _upload(client, "bad.csv", (FIXTURES / "unknown_kecamatan.csv").read_bytes())
    preview = client.post(r["Location"], {"col-programme": "programme", "col-kpi": "kpi", "col-period": "period",
                                          "col-region": "region", "col-value": "value", "col-target": "target",
                                          "decimal": ","})
    body = client.get(preview["Location"]).content.decode()
    assert "16.07.99" in body and '<td data-label="Baris">3</td>' in body
    assert "Terapkan" not in body and "Ubah kolom atau format angka" in body
    assert KpiValue.objects.count() == before
    assert IngestJob.objects.latest("pk").status == "failed"


def test_the_quarterly_period_error_on_the_page_says_what_to_write(actors: Any) -> None:
    client = actors.client(actors.citra)
    data = b"programme,kpi,period,value\njam-kunci,kepuasan,2022-02,3\n"
    r = _upload(client, "q.csv", data)
    preview = client.post(r["Location"], {"col-programme": "programme", "col-kpi": "kpi", "col-period": "period",
                                          "col-value": "value", "decimal": "."})
    body = client.get(preview["Location"]).content.decode()
    assert "KPI ini triwulanan" in body and "2024-Q1" in body
    client.cookies["django_language"] = "en"
    english = client.get(preview["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This KPI is quarterly: write its period as a quarter, e.g. 2024-Q1" in english


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_the_expected_headers_and_an_example_that_imports(actors: Any, fmt: str) -> None:
    client = actors.client(actors.citra)
    r = client.get(f"{URL}templat.{fmt}")
    assert r.status_code == 200 and f'templat-nilai-kpi-16.07.{fmt}' in r["Content-Disposition"]
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    else:
        rows = [line.split(";") for line in r.content.decode("utf-8-sig").splitlines()]
    assert list(rows[0]) == ["Program", "Kode KPI", "Periode", "Kode Wilayah", "Nilai", "Target"]
    assert len(rows) == 2
    # the template round-trips: every column recognised by its title, the example row passes the checks
    page = client.get(_upload(client, f"templat.{fmt}", r.content)["Location"]).content.decode()
    mapping = {f: _selected(page, f) for f in ("programme", "kpi", "period", "region", "value", "target")}
    assert mapping == {"programme": "Program", "kpi": "Kode KPI", "period": "Periode", "region": "Kode Wilayah",
                       "value": "Nilai", "target": "Target"}
    preview = client.post(page and _columns_url(), {**{f"col-{k}": v for k, v in mapping.items()},
                                                    "decimal": _checked_decimal(page) or ","})
    job = IngestJob.objects.get(pk=int(preview["Location"].rstrip("/").split("/")[-1]))
    assert job.status == "done", job.errors
    assert client.get(f"{URL}templat.pdf").status_code == 404


def _columns_url() -> str:
    return f"{URL}{IngestJob.objects.filter(job__isnull=True).latest('pk').pk}/kolom/"


def test_it_keeps_other_regions_readers_and_other_uploaders_out(actors: Any) -> None:
    assert actors.client(actors.mira).get(URL).status_code == 404
    assert actors.client(actors.eka).get(URL).status_code == 404
    assert actors.client(actors.eka).get(f"{URL}templat.csv").status_code == 404
    assert actors.client(None).get(URL).status_code == 302
    r = _upload(actors.client(actors.citra), "id.csv", ID_FILE)
    # the operator may import here, but not continue the coordinator's upload
    assert actors.client(actors.oki).get(r["Location"]).status_code == 404
    assert actors.client(actors.oki).post(r["Location"], {"decimal": ","}).status_code == 404
