"""Report jobs: request (checked and audited), built by the background worker (`kotacerdas worker`,
started by `kotacerdas serve`) with progress, stored as a file to download."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.errors import InvalidInput, NotAllowed
from kotacerdas.core.jobs import enqueue, finishing, in_steps, job_progress
from kotacerdas.core.models import Job, JobStatus
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from .choices import STEP_DONE, STEP_XLSX, ReportFormat, ReportLanguage
from .models import ReportJob
from .rules import can_request_report

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)
JOB_KIND = "kotacerdas.reports.actions.run_report_job"
Progress = Callable[[int, str], None]


@transaction.atomic
def do_request_report(actor: User, region: Region, cycle: Cycle, fmt: str = ReportFormat.PDF,
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
    report = ReportJob.objects.create(region=region, cycle=cycle, format=fmt, language=language,
                                      requested_by=actor)
    report.job = enqueue(JOB_KIND, {"report_job": report.pk}, user=actor, region_code=region.code, total=100)
    report.save(update_fields=["job"])
    record_event(actor, "reports.request", report, region_code=region.code, to_state=JobStatus.QUEUED,
                 data={"format": fmt, "language": language, "year": cycle.year})
    return report


def build(region: Region, cycle: Cycle, fmt: str, language: str = "id",
          progress: Progress | None = None) -> tuple[bytes, int | None]:
    """The report file's bytes (and page count for a PDF) — used by jobs, the CLI and the API."""
    report_progress: Progress = progress or (lambda pct, step: None)
    if fmt == ReportFormat.PDF:
        from .pdf import render_pdf

        return render_pdf(region, cycle, language, report_progress)
    from . import xlsx

    report_progress(20, STEP_XLSX)
    return xlsx.export_worksheet_for(region.code, cycle), None


@in_steps
def run_report_job(job: Job, report_job: int) -> dict[str, Any]:
    """The background job: render the file outside any transaction, its progress written to the Job row as
    it goes; then store the file, its size and checksum and the audit event in the job's final transaction,
    together with the job's `done`. A render that fails writes nothing (the Job says failed, and why)."""
    report = ReportJob.objects.select_related("region", "cycle", "requested_by").get(pk=report_job)
    data, pages = build(report.region, report.cycle, report.format, report.language,
                        lambda pct, step: job_progress(job, pct, 100, step))
    digest = hashlib.sha256(data).hexdigest()
    stored: list[str] = []
    try:
        with finishing(job, JobStatus.DONE, {"report_job": report.pk, "size": len(data), "pages": pages,
                                             "sha256": digest}) as result:
            job_progress(job, 100, 100, STEP_DONE)  # stored with the final status
            report.file.save(report.filename, ContentFile(data), save=False)
            stored.append(report.file.name)
            ReportJob.objects.filter(pk=report.pk).update(file=report.file.name, size=len(data), sha256=digest,
                                                          pages=pages)
            record_event(report.requested_by, "reports.done", report, region_code=report.region_id,
                         from_state=JobStatus.QUEUED, to_state=JobStatus.DONE,
                         data={"size": len(data), "pages": pages})
    except BaseException:
        # The transaction that would have pointed at the file rolled back: no row names it, so it goes
        # (a file nothing refers to, not a record; local disk or object storage alike). A storage that
        # fails now must not hide why the transaction failed.
        for name in stored:
            try:
                report.file.storage.delete(name)
            except Exception:  # noqa: BLE001
                log.warning("report file %s left in storage after a rolled-back job", name, exc_info=True)
        raise
    return result
