"""Background import of action-plan workbooks.

An ImportJob row holds the upload and its final report; its status, progress and phase are those of its
background job (`core.Job`). `start_import` stores the upload and queues `import_task` on the project's
job queue (`core.jobs`, run by `kotacerdas worker`, which `kotacerdas serve` starts), or runs it at once
through `run_job` (settings.ACTIONPLAN_IMPORT_SYNC, the demo).

`import_task` runs in steps: it checks every row outside any transaction, writing its progress to the Job
row as it goes (any web process sees it), then writes the plan, the report and the audit event together
with the job's final status in one transaction (`finishing`): a refused file ends failed with its
row/column report and nothing else written; a worker killed before that commit leaves the previous state,
and the retry (once, by the queue) writes the result exactly once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.choices import NumberFormat
from kotacerdas.core.errors import InvalidInput, NotAllowed
from kotacerdas.core.jobs import LeaseLost, enqueue, finishing, in_steps, job_progress, run_job
from kotacerdas.core.models import Job, JobStatus
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region

from . import excel
from . import rules as perms
from .models import ImportJob

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024
KIND = "kotacerdas.actionplans.jobs.import_task"
CHECKING, SAVING = ImportJob.PHASES


def create_job(actor: User, region: Region, cycle: Cycle, content: bytes, filename: str, *,
               is_demo: bool = False, decimal: str = "") -> ImportJob:
    """Store the upload and queue its job (call inside a transaction: both commit together). ``decimal``:
    the notation of numbers typed as text ("," Indonesian, "." English), when the uploader said it."""
    if not perms.can_import.test(actor, region):
        raise NotAllowed(_("Anda tidak berhak mengimpor rencana aksi wilayah ini"))
    if not content:
        raise InvalidInput(_("Berkas kosong"), field="file")
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("Berkas lebih dari %(mb)d MB") % {"mb": MAX_BYTES // (1024 * 1024)}, field="file")
    if decimal not in NumberFormat.values:
        raise InvalidInput(_("Format angka tidak dikenal"), field="decimal")
    upload = ImportJob.objects.create(
        region=region, cycle=cycle, created_by=actor if actor.is_authenticated else None,
        filename=filename[:200], content=content, sha256=hashlib.sha256(content).hexdigest(), is_demo=is_demo)
    upload.job = enqueue(KIND, {"import_job_id": upload.pk, "decimal": decimal}, user=actor, region_code=region.code)
    ImportJob.objects.filter(pk=upload.pk).update(job=upload.job)
    record_event(actor, "actionplans.import_queued", upload, region_code=region.code,
                 data={"filename": upload.filename, "sha256": upload.sha256, "job": upload.job.pk,
                       "decimal": decimal})
    return upload


def start_import(actor: User, region: Region, cycle: Cycle, content: bytes, filename: str, *,
                 is_demo: bool = False, run_now: bool | None = None, decimal: str = "") -> ImportJob:
    """Store the upload and queue its import for the background worker. With ``run_now`` (default:
    settings.ACTIONPLAN_IMPORT_SYNC) the job is run at once, here, through `core.jobs.run_job`."""
    with transaction.atomic():
        upload = create_job(actor, region, cycle, content, filename, is_demo=is_demo, decimal=decimal)
    if getattr(settings, "ACTIONPLAN_IMPORT_SYNC", False) if run_now is None else run_now:
        assert upload.job is not None
        run_job(upload.job.pk, worker="sync")
    return ImportJob.objects.select_related("job").get(pk=upload.pk)


@in_steps
def import_task(job: Job, import_job_id: int, decimal: str = "") -> dict[str, Any]:
    """The job: check the stored workbook row by row outside any transaction (progress on the Job row),
    then apply it all or nothing in the job's final transaction. Ends done (report: counts) or failed
    (report: every error with row and column)."""
    upload = ImportJob.objects.select_related("region", "cycle", "created_by").get(pk=import_job_id)

    def progress(done: int, total: int) -> None:
        if done == 0:
            job_progress(job, 0, total, CHECKING)
        else:
            job_progress(job, done, total)

    actor = upload.created_by
    if actor is None:  # an upload always has its uploader; a row without one cannot be checked for rights
        return _finish(job, upload, JobStatus.FAILED, {
            "errors": [{"row": 0, "column": "", "message": _("Pengunggah berkas tidak diketahui"), "value": ""}],
            "error_count": 1, "summary": {}})
    try:
        plan = excel.build_plan(actor, upload.region, upload.cycle, bytes(upload.content),
                                on_progress=progress, decimal=decimal)
        if plan.errors:
            return _finish(job, upload, JobStatus.FAILED, {
                "errors": [e.as_dict() for e in plan.errors[:500]], "error_count": len(plan.errors),
                "summary": plan.summary()})
        rows = plan.summary()["rows"]
        job_progress(job, rows, rows, SAVING)
        report = {"errors": [], "error_count": 0, "summary": plan.summary()}
        try:
            return _finish(job, upload, JobStatus.DONE, report,
                           apply=lambda: excel.apply_plan(actor, upload.region, upload.cycle, plan,
                                                          is_demo=upload.is_demo))
        except excel.ImportRefused as exc:  # rolled back with the block: nothing of the plan is written
            return _finish(job, upload, JobStatus.FAILED, {"errors": [exc.error.as_dict()], "error_count": 1,
                                                           "summary": {}})
    except LeaseLost:
        raise
    except Exception as exc:  # the report must say something; the log keeps the traceback
        log.exception("action-plan import %s failed", import_job_id)
        return _finish(job, upload, JobStatus.FAILED, {
            "errors": [{"row": 0, "column": "", "message": f"Kesalahan tak terduga: {exc}", "value": ""}],
            "error_count": 1, "summary": {}})


def _finish(job: Job, upload: ImportJob, status: str, report: dict[str, Any],
            apply: Callable[[], None] | None = None) -> dict[str, Any]:
    """The job's final transaction: the plan's writes (``apply``), the report and the audit event commit
    together with the job's final status."""
    count = int(report.get("error_count") or 0)
    error = "" if status == JobStatus.DONE else f"{count} kesalahan; tidak ada yang disimpan"
    with finishing(job, status, report, error=error) as result:
        if apply is not None:
            apply()
        ImportJob.objects.filter(pk=upload.pk).update(report=report)
        record_event(upload.created_by, f"actionplans.import_{status}", upload, region_code=upload.region_id,
                     to_state=status, data={"summary": report.get("summary") or {}, "errors": count,
                                            "filename": upload.filename, "job": job.pk})
    return result
