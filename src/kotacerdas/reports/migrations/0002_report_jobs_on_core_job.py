"""Every report gets a `core.Job` holding its status, progress, error and timing (the next migration removes
the report's own copies of them).

A report without a Job gets one made from its own fields; a report that has a Job gives it its final status,
error and times where the Job lacks them (a report marked done or failed whose Job never got there). No row
is deleted. Reversing is a no-op: the Jobs stay (they are valid Jobs, and the reverse of the next migration
gives the report's own fields back only with their defaults)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

JOB_KIND = "kotacerdas.reports.actions.run_report_job"
STATUSES = {"queued", "running", "done", "failed"}
FINAL = {"done", "failed"}


def job_status(old: str) -> str:
    """The report's own status in the one enum (they share the values; anything else is taken for failed)."""
    return old if old in STATUSES else "failed"


def new_job(report: dict[str, Any]) -> dict[str, Any]:
    """The Job for a report that has none, from the report's own fields (by attname)."""
    status = job_status(report["status"])
    return {"kind": JOB_KIND, "params": {"report_job": report["id"]}, "status": status,
            "progress": report["progress"], "total": 100, "message": (report["step"] or "")[:300],
            "error": report["error"] or "", "attempts": 1 if status != "queued" else 0,
            "region_code": report["region_id"], "created_by_id": report["requested_by_id"],
            "created_at": report["created_at"], "started_at": report["started_at"],
            "finished_at": report["finished_at"],
            "result": {"report_job": report["id"], "size": report["size"], "pages": report["pages"],
                       "sha256": report["sha256"]} if status == "done" else {}}


def job_updates(report: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """What a report's existing Job takes from the report: its final status (and error, progress) when the
    report got there and the Job did not, and the times the Job lacks."""
    changes: dict[str, Any] = {}
    status = job_status(report["status"])
    if status in FINAL and job["status"] not in FINAL:
        changes["status"] = status
        if status == "done":
            changes["progress"] = job["total"] or 100
        if report["error"] and not job["error"]:
            changes["error"] = report["error"]
    for name in ("started_at", "finished_at"):
        if job[name] is None and report[name] is not None:
            changes[name] = report[name]
    return changes


REPORT_FIELDS = ("id", "status", "progress", "step", "error", "region_id", "requested_by_id", "created_at",
                 "started_at", "finished_at", "size", "pages", "sha256", "job_id")
JOB_FIELDS = ("id", "status", "total", "error", "started_at", "finished_at")


def forward(apps: Any, schema_editor: Any) -> None:
    ReportJob = apps.get_model("reports", "ReportJob")
    Job = apps.get_model("core", "Job")
    for report in ReportJob.objects.order_by("id").values(*REPORT_FIELDS).iterator():
        if report["job_id"] is None:
            job = Job.objects.create(**new_job(report))
            ReportJob.objects.filter(pk=report["id"]).update(job=job)
            continue
        current = Job.objects.filter(pk=report["job_id"]).values(*JOB_FIELDS).first()
        if current is not None:
            changes = job_updates(report, current)
            if changes:
                Job.objects.filter(pk=current["id"]).update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_job_heartbeat"),
        ("reports", "0001_initial"),
    ]

    operations = [
        # No real reverse: the Jobs made here stay (see the module's docstring).
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
