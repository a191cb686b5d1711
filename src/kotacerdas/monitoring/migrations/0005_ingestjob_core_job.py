"""IngestJob keeps only its own data and points at its `core.Job`, the one table of every background job's
status, progress and timing. Every existing import gets a Job (an upload still waiting for its column
mapping, "draft", stays without one); an import that already ran as a worker job is linked to that Job.
The columns that duplicated the Job go in 0006 (a separate migration: PostgreSQL refuses to alter a table
in the transaction that updated its deferred foreign keys)."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

KIND = "kotacerdas.monitoring.ingest.run_import"
KIND_EVENTS = {"arrow": "kotacerdas.monitoring.ingest.append_events",
               "synthetic": "kotacerdas.monitoring.ingest.generate_events"}
OLD_KIND = "kotacerdas.monitoring.actions.ingest_task"
# The old IngestStatus values onto core.JobStatus. "running" without a live worker job (a thread that the
# upgrade stopped) had written nothing (all-or-nothing): it waits for a worker again.
STATUS = {"queued": "queued", "running": "queued", "succeeded": "done", "failed": "failed"}


def job_fields(row: dict[str, Any]) -> dict[str, Any] | None:
    """The core.Job fields for one old IngestJob row (a dict of its columns), or None for a draft."""
    status = STATUS.get(row["status"])
    if status is None:
        return None
    finished = status in ("done", "failed")
    message = row.get("message") or ""
    return {
        "kind": KIND_EVENTS.get(row.get("file_format") or "", KIND) if row.get("kind") == "events" else KIND,
        "params": {"ingest_job_id": row["id"]}, "status": status,
        "progress": 100 if finished else 0, "total": 100,
        "message": "" if status == "failed" else message[:300],
        "error": message if status == "failed" else "",
        "attempts": 1 if finished else 0,
        "region_code": row.get("region_id") or "", "created_by_id": row.get("created_by_id"),
        "created_at": row["created_at"], "started_at": row.get("started_at") if finished else None,
        "finished_at": (row.get("finished_at") or row.get("started_at") or row["created_at"]) if finished else None,
    }


def fill_existing(job: Any, fields: dict[str, Any]) -> list[str]:
    """For an import that had a worker job already: copy the import's final status, message and timing
    onto the Job where the Job lacks them, and point it at the new job function. Returns the changed
    field names."""
    changed = ["kind", "params"]
    job.kind, job.params = fields["kind"], fields["params"]
    if fields["status"] in ("done", "failed") and job.status not in ("done", "failed"):
        job.status = fields["status"]
        changed.append("status")
        for name in ("finished_at", "error", "message"):
            if fields[name] and not getattr(job, name):
                setattr(job, name, fields[name])
                changed.append(name)
    if job.started_at is None and fields["started_at"]:
        job.started_at = fields["started_at"]
        changed.append("started_at")
    return changed


def link_jobs(apps: Any, schema_editor: Any) -> None:
    IngestJob = apps.get_model("monitoring", "IngestJob")
    Job = apps.get_model("core", "Job")
    for ingest in IngestJob.objects.filter(job__isnull=True).order_by("pk").iterator():
        row = {f.attname: getattr(ingest, f.attname) for f in ingest._meta.concrete_fields}
        fields = job_fields(row)
        if fields is None:
            continue
        core_id = (ingest.report or {}).get("core_job")
        job = Job.objects.filter(pk=core_id).first() if core_id else None
        if job is not None:
            job.save(update_fields=fill_existing(job, fields))
        else:
            job = Job.objects.create(**fields)
        IngestJob.objects.filter(pk=ingest.pk).update(job=job)
    # Queued worker jobs of the old function that no import points at any more (none expected).
    Job.objects.filter(kind=OLD_KIND).update(kind=KIND)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_job_heartbeat"),
        ("monitoring", "0004_import_preview"),
    ]

    operations = [
        migrations.AddField(
            model_name="ingestjob",
            name="job",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="core.job", verbose_name="pekerjaan latar"),
        ),
        # The reverse would have to rebuild the removed columns from the Jobs: not worth it, it is a no-op
        # (reversing past 0006 leaves the re-added columns at their defaults).
        migrations.RunPython(link_jobs, migrations.RunPython.noop),
    ]
