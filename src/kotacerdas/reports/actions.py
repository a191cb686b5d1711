"""Report jobs: request (checked and audited), built by the background worker (`kotacerdas worker`,
started by `kotacerdas serve`) with progress, stored as a file to download."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.errors import InvalidInput, NotAllowed
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from .choices import JobStatus, ReportFormat, ReportLanguage
from .models import ReportJob
from .rules import can_request_report

JOB_KIND = "kotacerdas.reports.actions.run_report_job"


@transaction.atomic
def do_request_report(actor: Any, region: Region, cycle: Cycle, fmt: str = ReportFormat.PDF,
                      language: str = ReportLanguage.ID) -> ReportJob:
    if not can_request_report.test(actor, region):
        raise NotAllowed(_("Anda tidak boleh membuat laporan wilayah ini"))
    if fmt not in ReportFormat.values:
        raise InvalidInput(_("Format %(fmt)r tidak dikenal (pdf, xlsx)") % {"fmt": fmt}, field="format")
    if language not in ReportLanguage.values:
        raise InvalidInput(_("Bahasa %(language)r tidak dikenal (id, en)") % {"language": language},
                           field="language")
    if region.level != "kabkota":
        raise InvalidInput(_("Laporan dibuat untuk kabupaten/kota"), field="region")
    from kotacerdas.core.jobs import enqueue

    user = actor if getattr(actor, "is_authenticated", False) else None
    report = ReportJob.objects.create(region=region, cycle=cycle, format=fmt, language=language,
                                      requested_by=user)
    job = enqueue(JOB_KIND, {"report_job": report.pk}, user=user, region_code=region.code, total=100)
    ReportJob.objects.filter(pk=report.pk).update(job=job)
    report.job = job
    record_event(actor, "reports.request", report, region_code=region.code, to_state=JobStatus.QUEUED,
                 data={"format": fmt, "language": language, "year": cycle.year})
    return report


def build(region: Region, cycle: Cycle, fmt: str, language: str = "id",
          progress: Any = None) -> tuple[bytes, int | None]:
    """The report file's bytes (and page count for a PDF) — used by jobs, the CLI and the API."""
    progress = progress or (lambda pct, step: None)
    if fmt == ReportFormat.PDF:
        from .pdf import render_pdf

        return render_pdf(region, cycle, language, progress)
    from . import xlsx

    progress(20, "xlsx")
    return xlsx.export_worksheet_for(region.code, cycle), None


def run_report_job(job: Any, report_job: int) -> dict[str, Any]:
    """The background job's body (core.jobs runs it in one transaction with the job's `done`)."""
    from kotacerdas.core.jobs import job_progress

    report = ReportJob.objects.select_related("region", "cycle").get(pk=report_job)
    started = timezone.now()
    data, pages = build(report.region, report.cycle, report.format, report.language,
                        lambda pct, step: job_progress(job, pct, 100, step))
    report.file.save(report.filename, ContentFile(data), save=False)
    digest = hashlib.sha256(data).hexdigest()
    ReportJob.objects.filter(pk=report.pk).update(
        file=report.file.name, size=len(data), sha256=digest, pages=pages, status=JobStatus.DONE, progress=100,
        step="selesai", started_at=started, finished_at=timezone.now())
    record_event(report.requested_by, "reports.done", report, region_code=report.region_id,
                 from_state=JobStatus.QUEUED, to_state=JobStatus.DONE, data={"size": len(data), "pages": pages})
    return {"report_job": report.pk, "size": len(data), "pages": pages, "sha256": digest}
