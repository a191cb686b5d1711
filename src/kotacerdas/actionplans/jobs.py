"""Background import of action-plan workbooks.

There is no job system in the project yet, so an ImportJob row is the queue entry, the progress bar's
source and the report. `start_import` stores the upload and runs it in a daemon thread (the web page polls
the row with htmx); `kotacerdas actionplan_jobs` runs jobs left queued, e.g. after a restart. Progress is
written with plain UPDATEs outside any transaction so that the polling request sees it while the check
runs; the final write happens in one transaction, all or nothing.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from kotacerdas.accounts.actions import record_event
from kotacerdas.evaluations.errors import InvalidInput, NotAllowed
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from . import excel
from . import rules as perms
from .choices import JobStatus
from .models import ImportJob

log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024
# Write progress about this many times per file: often enough for a smooth bar, rarely enough to be cheap.
PROGRESS_STEPS = 50


def create_job(actor: Any, region: Region, cycle: Cycle, content: bytes, filename: str, *,
               is_demo: bool = False) -> ImportJob:
    if not perms.can_import.test(actor, region):
        raise NotAllowed("Anda tidak berhak mengimpor rencana aksi wilayah ini")
    if not content:
        raise InvalidInput("Berkas kosong", field="file")
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"Berkas lebih dari {MAX_BYTES // (1024 * 1024)} MB", field="file")
    job = ImportJob.objects.create(
        region=region, cycle=cycle, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        filename=filename[:200], content=content, sha256=hashlib.sha256(content).hexdigest(), is_demo=is_demo)
    record_event(actor, "actionplans.import_queued", job, region_code=region.code,
                 data={"filename": job.filename, "sha256": job.sha256})
    return job


def start_import(actor: Any, region: Region, cycle: Cycle, content: bytes, filename: str) -> ImportJob:
    """Queue an import and start it in a background thread (synchronously when
    settings.ACTIONPLAN_IMPORT_SYNC is true, e.g. in tests)."""
    job = create_job(actor, region, cycle, content, filename)
    if getattr(settings, "ACTIONPLAN_IMPORT_SYNC", False):
        job = run_import_job(job.pk)
    else:
        threading.Thread(target=_thread_main, args=(job.pk,), name=f"actionplan-import-{job.pk}",
                         daemon=True).start()
    return job


def _thread_main(job_id: int) -> None:
    close_old_connections()
    try:
        run_import_job(job_id)
    finally:
        connection.close()


def run_import_job(job_id: int, on_progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """Check the stored workbook row by row (writing progress), then apply it all or nothing. The job ends
    `done` (report: counts) or `failed` (report: every error with row and column)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), phase="Memeriksa baris")
    job = ImportJob.objects.select_related("region", "cycle", "created_by").get(pk=job_id)
    if not claimed:
        return job  # another worker has it, or it already ran
    step = [1]

    def progress(done: int, total: int) -> None:
        if done == 0:
            step[0] = max(1, total // PROGRESS_STEPS)
        if done == 0 or done == total or done % step[0] == 0:
            ImportJob.objects.filter(pk=job_id).update(progress=done, total=total)
        if on_progress:
            on_progress(done, total)

    try:
        content = bytes(job.content)
        plan = excel.build_plan(job.created_by, job.region, job.cycle, content, on_progress=progress)
        if plan.errors:
            return _finish(job, JobStatus.FAILED, {"errors": [e.as_dict() for e in plan.errors[:500]],
                                                   "error_count": len(plan.errors), "summary": plan.summary()})
        ImportJob.objects.filter(pk=job_id).update(phase="Menyimpan")
        excel.apply_plan(job.created_by, job.region, job.cycle, plan, is_demo=job.is_demo)
        return _finish(job, JobStatus.DONE, {"errors": [], "error_count": 0, "summary": plan.summary()})
    except excel.ImportRefused as exc:
        return _finish(job, JobStatus.FAILED, {"errors": [exc.error.as_dict()], "error_count": 1, "summary": {}})
    except Exception as exc:  # the report must say something; the log keeps the traceback
        log.exception("action-plan import %s failed", job_id)
        return _finish(job, JobStatus.FAILED, {
            "errors": [{"row": 0, "column": "", "message": f"Kesalahan tak terduga: {exc}", "value": ""}],
            "error_count": 1, "summary": {}})


def _finish(job: ImportJob, status: str, report: dict[str, Any]) -> ImportJob:
    summary = report.get("summary") or {}
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, report=report, finished_at=timezone.now(), phase="",
        **({"progress": summary["rows"], "total": summary["rows"]} if "rows" in summary and
           status == JobStatus.DONE else {}))
    job.refresh_from_db()
    record_event(job.created_by, f"actionplans.import_{status}", job, region_code=job.region_id,
                 to_state=status, data={"summary": summary, "errors": report.get("error_count", 0),
                                        "filename": job.filename})
    return job


def run_pending() -> int:
    ran = 0
    for job_id in ImportJob.objects.filter(status=JobStatus.QUEUED).order_by("id").values_list("pk", flat=True):
        run_import_job(job_id)
        ran += 1
    return ran
