"""Every action-plan upload points at its background job (`core.Job`), the one table for job status.

Adds `ImportJob.job`, then gives every upload without one a Job: the one the queue already had for it
(found through the upload's `report["core_job"]` or the job's `params["import_job_id"]`), completed with
the upload's final status, report and timestamps where the Job lacks them; otherwise a new Job carrying
the upload's status, progress, phase and timing. A queued upload gets a queued Job (a worker runs it); one
left "running" by a process that died gets a running Job whose lease has run out, which a worker retries
once, as any job whose worker died. The next migration then drops the upload's own status fields.
"""

from typing import Any

from django.db import migrations, models

KIND = "kotacerdas.actionplans.jobs.import_task"
FINAL = ("done", "failed")
# The upload's statuses were already the job table's (queued, running, done, failed); anything else is
# taken for a failure rather than left hanging.
STATUSES = {"queued": "queued", "running": "running", "done": "done", "failed": "failed",
            "succeeded": "done"}
OLD_FIELDS = ("id", "region_id", "created_by_id", "status", "phase", "progress", "total", "report",
              "created_at", "started_at", "finished_at")


def clean_report(report: Any) -> dict[str, Any]:
    """The upload's report without the queue's bookkeeping (`core_job`, now the `job` field)."""
    return {k: v for k, v in (report or {}).items() if k != "core_job"} if isinstance(report, dict) else {}


def failure_text(report: dict[str, Any]) -> str:
    count = int(report.get("error_count") or len(report.get("errors") or []) or 0)
    return f"{count} kesalahan; tidak ada yang disimpan" if count else "Impor gagal"


def job_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The core.Job (as field values) of an upload that had none, from the upload's old columns."""
    status = STATUSES.get(row["status"], "failed")
    report = clean_report(row["report"])
    fields: dict[str, Any] = {
        "kind": KIND, "params": {"import_job_id": row["id"]}, "status": status,
        "progress": row["progress"] or 0, "total": row["total"] or 0, "message": (row["phase"] or "")[:300],
        "region_code": row["region_id"] or "", "created_by_id": row["created_by_id"],
        "created_at": row["created_at"], "started_at": row["started_at"], "finished_at": row["finished_at"],
        "attempts": 0, "result": {}, "error": ""}
    if status in FINAL:
        fields.update(attempts=1, result=report,
                      finished_at=row["finished_at"] or row["started_at"] or row["created_at"])
        if status == "failed":
            fields["error"] = failure_text(report)
    elif status == "running":
        # Its process is gone (migrations run with the site stopped): an expired lease lets a worker
        # take it over, with the one retry left.
        fields.update(attempts=1, lease_until=row["started_at"] or row["created_at"],
                      started_at=row["started_at"] or row["created_at"])
    return fields


def completion(job: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """For an upload that had a Job already: the upload's final status, report and timestamps that the Job
    lacks (the Job's own values win where it has them)."""
    updates: dict[str, Any] = {}
    status = STATUSES.get(row["status"], "")
    report = clean_report(row["report"])
    if status in FINAL and job["status"] not in FINAL:
        updates["status"] = status
    final = updates.get("status", job["status"])
    if job["started_at"] is None and row["started_at"] is not None:
        updates["started_at"] = row["started_at"]
    if final in FINAL:
        if job["finished_at"] is None:
            updates["finished_at"] = row["finished_at"] or row["started_at"] or row["created_at"]
        if not job["result"] and report:
            updates["result"] = report
        if final == "failed" and not job["error"]:
            updates["error"] = failure_text(report)
    if not job["total"] and row["total"]:
        updates.update(total=row["total"], progress=max(job["progress"] or 0, row["progress"] or 0))
    return updates


def link(Job: Any, ImportJob: Any, row: dict[str, Any], by_upload: dict[int, int]) -> int:
    """Give one upload (its old columns as `row`) its Job; returns the Job's id."""
    core_id = (row["report"] or {}).get("core_job") if isinstance(row["report"], dict) else None
    core_id = core_id or by_upload.get(row["id"])
    job = Job.objects.filter(pk=core_id).values(
        "pk", "status", "started_at", "finished_at", "result", "error", "progress", "total").first() \
        if core_id else None
    if job is None:
        job_id = Job.objects.create(**job_fields(row)).pk
    else:
        job_id = job["pk"]
        updates = completion(job, row)
        if updates:
            Job.objects.filter(pk=job_id).update(**updates)
    ImportJob.objects.filter(pk=row["id"]).update(job_id=job_id, report=clean_report(row["report"]))
    return int(job_id)


def forward(apps: Any, schema_editor: Any) -> None:
    ImportJob = apps.get_model("actionplans", "ImportJob")
    Job = apps.get_model("core", "Job")
    by_upload: dict[int, int] = {}
    for pk, params in Job.objects.filter(kind=KIND).order_by("pk").values_list("pk", "params"):
        if isinstance(params, dict) and str(params.get("import_job_id", "")).isdigit():
            by_upload[int(params["import_job_id"])] = pk  # the newest wins
    for row in ImportJob.objects.filter(job__isnull=True).order_by("pk").values(*OLD_FIELDS):
        link(Job, ImportJob, row, by_upload)


def backward(apps: Any, schema_editor: Any) -> None:
    """Copies each Job's status, progress, phase and timing back onto its upload (the columns the next
    migration's reverse has added back); a queued upload's report names its job again, as before."""
    ImportJob = apps.get_model("actionplans", "ImportJob")
    for upload in ImportJob.objects.filter(job__isnull=False).select_related("job"):
        job = upload.job
        report = dict(upload.report or {})
        if job.status == "queued":
            report["core_job"] = job.pk
        ImportJob.objects.filter(pk=upload.pk).update(
            status=job.status, progress=job.progress, total=job.total, phase=(job.message or "")[:40],
            started_at=job.started_at, finished_at=job.finished_at, report=report)


class Migration(migrations.Migration):

    dependencies = [
        ("actionplans", "0002_text_limits"),
        ("core", "0004_job_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="job",
            field=models.ForeignKey(blank=True, null=True, on_delete=models.PROTECT, related_name="+",
                                    to="core.job", verbose_name="pekerjaan latar"),
        ),
        migrations.RunPython(forward, backward),
    ]
