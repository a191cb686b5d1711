"""Background import of action-plan workbooks.

An ImportJob row holds the upload, the progress for the progress bar and the final report. `start_import`
stores the upload and queues `import_task` on the project's job queue (`core.jobs`, run by `kotacerdas
worker`, which `kotacerdas serve` starts). The worker runs the whole import in one transaction — check,
write, report and audit commit together or not at all — so a worker killed halfway leaves the previous
state, and the retry (once, by the queue) writes the result exactly once. While it runs, progress lives in
the shared cache (`live`) because the row's own updates are not visible before the commit.
`run_import_job` can also be called directly (tests, the demo, settings.ACTIONPLAN_IMPORT_SYNC); it then
writes progress to the row as it goes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.errors import InvalidInput, NotAllowed
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
CHECKING, SAVING = ImportJob.PHASES


def create_job(actor: Any, region: Region, cycle: Cycle, content: bytes, filename: str, *,
               is_demo: bool = False) -> ImportJob:
    if not perms.can_import.test(actor, region):
        raise NotAllowed(_("Anda tidak berhak mengimpor rencana aksi wilayah ini"))
    if not content:
        raise InvalidInput(_("Berkas kosong"), field="file")
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("Berkas lebih dari %(mb)d MB") % {"mb": MAX_BYTES // (1024 * 1024)}, field="file")
    job = ImportJob.objects.create(
        region=region, cycle=cycle, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        filename=filename[:200], content=content, sha256=hashlib.sha256(content).hexdigest(), is_demo=is_demo)
    record_event(actor, "actionplans.import_queued", job, region_code=region.code,
                 data={"filename": job.filename, "sha256": job.sha256})
    return job


def start_import(actor: Any, region: Region, cycle: Cycle, content: bytes, filename: str) -> ImportJob:
    """Store the upload and queue its import for the background worker (run at once when
    settings.ACTIONPLAN_IMPORT_SYNC is true, e.g. in tests)."""
    from kotacerdas.core.jobs import enqueue

    with transaction.atomic():
        job = create_job(actor, region, cycle, content, filename)
        if getattr(settings, "ACTIONPLAN_IMPORT_SYNC", False):
            return run_import_job(job.pk)
        core = enqueue("kotacerdas.actionplans.jobs.import_task", {"import_job_id": job.pk}, user=actor,
                       region_code=region.code)
        ImportJob.objects.filter(pk=job.pk).update(report={"core_job": core.pk})
    job.refresh_from_db()
    return job


def import_task(core_job: Any, import_job_id: int) -> dict[str, Any]:
    """The body run by `kotacerdas worker` inside one transaction; progress goes to the shared cache."""
    from kotacerdas.core.jobs import job_progress

    def progress(done: int, total: int) -> None:
        job_progress(core_job, done, total)

    job = run_import_job(import_job_id, on_progress=progress, progress_to_db=False)
    return {"import_job": job.pk, "status": job.status, "errors": job.report.get("error_count", 0),
            "summary": job.report.get("summary", {})}


def live(job: ImportJob) -> ImportJob:
    """The job as its progress bar should show it: while the worker runs it, progress and total come from
    the worker's heartbeat in the cache; a job whose worker gave up shows as failed. Changes the instance
    in memory only."""
    core_id = (job.report or {}).get("core_job")
    if job.finished or not core_id:
        return job
    from kotacerdas.core.jobs import live_progress
    from kotacerdas.core.models import Job
    from kotacerdas.core.models import JobStatus as CoreStatus

    core = Job.objects.filter(pk=core_id).first()
    if core is None:
        return job
    data = live_progress(core)
    if data["status"] == CoreStatus.RUNNING:
        job.status = JobStatus.RUNNING
        job.progress, job.total = int(data["progress"] or 0), int(data["total"] or 0)
    elif data["status"] == CoreStatus.FAILED:
        job.status = JobStatus.FAILED
        job.report = {"errors": [{"row": 0, "column": "", "value": "", "message": data["error"] or ""}],
                      "error_count": 1, "summary": {}}
    return job


def run_import_job(job_id: int, on_progress: Callable[[int, int], None] | None = None, *,
                   progress_to_db: bool = True) -> ImportJob:
    """Check the stored workbook row by row (writing progress to the row unless ``progress_to_db`` is
    false), then apply it all or nothing. The job ends `done` (report: counts) or `failed` (report: every
    error with row and column)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), phase=CHECKING)
    job = ImportJob.objects.select_related("region", "cycle", "created_by").get(pk=job_id)
    if not claimed:
        return job  # another worker has it, or it already ran
    step = [1]

    def progress(done: int, total: int) -> None:
        if done == 0:
            step[0] = max(1, total // PROGRESS_STEPS)
        if progress_to_db and (done == 0 or done == total or done % step[0] == 0):
            ImportJob.objects.filter(pk=job_id).update(progress=done, total=total)
        if on_progress:
            on_progress(done, total)

    try:
        content = bytes(job.content)
        plan = excel.build_plan(job.created_by, job.region, job.cycle, content, on_progress=progress)
        if plan.errors:
            return _finish(job, JobStatus.FAILED, {"errors": [e.as_dict() for e in plan.errors[:500]],
                                                   "error_count": len(plan.errors), "summary": plan.summary()})
        ImportJob.objects.filter(pk=job_id).update(phase=SAVING)
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
    """Run queued imports that have no job on the queue (uploaded before the queue existed)."""
    ran = 0
    for job_id, report in ImportJob.objects.filter(status=JobStatus.QUEUED).order_by("id").values_list("pk",
                                                                                                     "report"):
        if (report or {}).get("core_job"):
            continue
        run_import_job(job_id)
        ran += 1
    return ran
