"""The report page after "Unduh PDF": the job is queued in the background and the page says so, shows its
progress while it runs, offers the file when it is done and says plainly when it failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kotacerdas.core.models import Job, JobStatus
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region
from kotacerdas.reports.models import ReportJob

pytestmark = pytest.mark.django_db


def _start(actors, settings) -> ReportJob:  # type: ignore[no-untyped-def]
    settings.JOBS_EAGER = False
    cycle = Cycle.objects.get(year=2024)
    response = actors.client(actors.citra).post("/wilayah/16.07/laporan/buat/", {
        "cycle": cycle.pk, "format": "pdf", "language": "id"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content
    report = ReportJob.objects.get(region=Region.objects.get(code="16.07"))
    html = response.content.decode()
    assert "PDF sedang dibuat di latar belakang" in html and "<progress" in html
    assert f'hx-get="/laporan/{report.pk}/"' in html  # keeps polling
    return report


def test_it_says_the_pdf_is_being_made_and_shows_its_progress(actors, settings) -> None:  # type: ignore[no-untyped-def]
    report = _start(actors, settings)
    Job.objects.filter(pk=report.job_id).update(status=JobStatus.RUNNING, attempts=1, worker="w",
                                                lease_until=timezone.now() + dt.timedelta(minutes=5),
                                                progress=40, total=100, message="Menyusun pilar")
    from kotacerdas.core import jobs

    jobs.beat("w")
    html = actors.client(actors.citra).get(f"/laporan/{report.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="40"' in html and "Menyusun pilar" in html and "hx-get" in html


def test_it_says_when_the_pdf_failed(actors, settings) -> None:  # type: ignore[no-untyped-def]
    report = _start(actors, settings)
    Job.objects.filter(pk=report.job_id).update(status=JobStatus.FAILED, error="ValueError: tidak ada data")
    html = actors.client(actors.citra).get(f"/laporan/{report.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Berkas gagal dibuat" in html and "tidak ada data" in html
    assert "hx-get" not in html and "<progress" not in html and "download" not in html
