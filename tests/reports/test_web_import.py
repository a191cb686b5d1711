"""Importing the worksheet and the programme catalogue on the web (Wilayah → Laporan): upload, a dry run on
the job queue that shows row by row what would change, then apply."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.catalogue.models import Programme
from kotacerdas.core import jobs
from kotacerdas.core.models import Job
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Answer, Cycle
from kotacerdas.reports import xlsx

pytestmark = pytest.mark.django_db
CSV = ("Kode,Nama program,Unit pemilik,Sub-dimensi (kode),Sektor,Tahun mulai,Status,Quick Win,Aplikasi\n"
       "lapor-banjir,Lapor Banjir,BPBD,society.sistem_keamanan,sosial,2024,running,tidak,ya\n")


def _upload(client, kind: str, name: str, content: bytes, cycle: int | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, Any] = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    if cycle:
        data["cycle"] = cycle
    return client.post("/wilayah/16.07/laporan/impor/", data)


def _run(response) -> Job:
    found = re.search(r"/impor/(\d+)/", response["Location"])
    assert found is not None
    job_id = int(found.group(1))
    return jobs.run_job(job_id)


def test_it_previews_a_programme_import_row_by_row_then_applies_it(actors, settings) -> None:
    settings.JOBS_EAGER = False
    client = actors.client(actors.citra)
    page = client.get("/wilayah/16.07/laporan/")
    assert 'action="/wilayah/16.07/laporan/impor/"' in page.content.decode()
    response = _upload(client, "programmes", "program.csv", CSV.encode())
    assert response.status_code == 302
    waiting = client.get(response["Location"]).content.decode()
    assert "<progress" in waiting and "hx-trigger=\"every 1s\"" in waiting
    preview = _run(response)
    assert preview.result["ok"] and preview.result["dry_run"]
    html = client.get(response["Location"]).content.decode()
    assert "Lapor Banjir" in html and "akan berubah" in html and "Terapkan" in html
    assert not Programme.objects.filter(code="lapor-banjir").exists()  # a dry run writes nothing
    applied = client.post(response["Location"] + "terapkan/")
    assert applied.status_code == 302
    _run(applied)
    p = Programme.objects.get(region_id="16.07", code="lapor-banjir")
    assert AuditEvent.objects.get(action="catalogue.create_programme", object_id=str(p.pk)).actor == actors.citra
    assert "Impor diterapkan" in client.get(applied["Location"]).content.decode()
    again = client.post(response["Location"] + "terapkan/")  # applying twice is the same job
    assert again["Location"] == applied["Location"]


def test_it_previews_worksheet_changes_with_indicator_names_and_levels(actors, settings) -> None:
    settings.JOBS_EAGER = False
    cycle = Cycle.objects.get(year=2024)
    sub = queries.stage_submission(cycle, "16.07")
    assert sub is not None
    wb = load_workbook(io.BytesIO(xlsx.export_worksheet(sub)))
    ws = wb["Output"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "output.kelembagaan.forum")
    ws.cell(row=row, column=xlsx.COL["level"]).value = 4
    out = io.BytesIO()
    wb.save(out)
    client = actors.client(actors.citra)
    response = _upload(client, "worksheet", "lembar.xlsx", out.getvalue(), cycle.pk)
    preview = _run(response)
    assert preview.result["changes"] == [{"row": row, "sheet": "Output", "code": "output.kelembagaan.forum",
                                          "title": preview.result["changes"][0]["title"], "action": "update",
                                          "fields": {"level": [2, 4]}}]
    html = client.get(response["Location"]).content.decode()
    assert "Tingkat" in html and "<del>2</del> → 4" in html
    assert Answer.objects.get(submission=sub, indicator="output.kelembagaan.forum").level == 2
    _run(client.post(response["Location"] + "terapkan/"))
    assert Answer.objects.get(submission=sub, indicator="output.kelembagaan.forum").level == 4


def test_it_shows_every_wrong_row_and_saves_nothing(actors, settings) -> None:
    settings.JOBS_EAGER = False
    client = actors.client(actors.citra)
    bad = CSV + "salah,Program Salah,Dinas Antah,society.sistem_keamanan,sosial,2024,running,tidak,ya\n"
    response = _upload(client, "programmes", "program.csv", bad.encode())
    assert not _run(response).result["ok"]
    html = client.get(response["Location"]).content.decode()
    assert "Berkas ditolak" in html and "Dinas Antah" in html and "Terapkan" not in html
    assert client.post(response["Location"] + "terapkan/").status_code == 302
    assert not Job.objects.filter(params__preview=int(re.search(r"/impor/(\d+)/", response["Location"]).group(1))  # type: ignore[union-attr]
                                      ).exists()
    assert not Programme.objects.filter(code="lapor-banjir").exists()


def test_it_offers_the_import_only_to_those_who_may_import(actors, settings) -> None:
    settings.JOBS_EAGER = False
    bupati = actors.client(actors.eka)
    assert "laporan/impor/" not in bupati.get("/wilayah/16.07/laporan/").content.decode()
    response = _upload(bupati, "programmes", "program.csv", CSV.encode())
    assert response.status_code == 302 and "#impor" in response["Location"]
    assert not Job.objects.filter(kind="kotacerdas.reports.webimport.run").exists()
    citra = actors.client(actors.citra)
    job_url = _upload(citra, "programmes", "program.csv", CSV.encode())["Location"]
    assert bupati.get(job_url).status_code == 404  # somebody else's upload
    assert citra.get(job_url).status_code == 200


def test_it_tells_what_the_worksheet_offers_in_both_languages(actors, settings) -> None:  # type: ignore[no-untyped-def]
    client = actors.client(actors.citra)
    page = client.get("/wilayah/16.07/laporan/").content.decode()
    assert "skor dimensi dan indeks sementara ikut berubah saat Tingkat diisi" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/wilayah/16.07/laporan/").content.decode()
    assert "the running index change as levels are typed in" in page
