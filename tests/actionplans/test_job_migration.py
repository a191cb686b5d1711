"""The data migration that gives every action-plan upload its `core.Job` (0003_importjob_job): old rows
map onto the one job table (status, progress, phase, report, timing), uploads the queue knew keep their
job, and nothing is deleted."""
from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.utils import timezone

from kotacerdas.actionplans.models import ImportJob
from kotacerdas.core.jobs import claim, live_progress
from kotacerdas.core.models import Job, JobStatus

migration = importlib.import_module("kotacerdas.actionplans.migrations.0003_importjob_job")
KIND = "kotacerdas.actionplans.jobs.import_task"
T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


def _row(pk: int, status: str, **kw: Any) -> dict[str, Any]:
    row = {"id": pk, "region_id": "16.07", "created_by_id": None, "status": status, "phase": "", "progress": 0,
           "total": 0, "report": {}, "created_at": T0, "started_at": None, "finished_at": None}
    return {**row, **kw}


def test_a_finished_upload_maps_to_a_finished_job_with_its_report() -> None:
    report = {"errors": [], "error_count": 0, "summary": {"rows": 16, "created": 2}}
    done = migration.job_fields(_row(7, "done", progress=16, total=16, report=report,
                                     started_at=T0, finished_at=T0 + dt.timedelta(seconds=3)))
    assert done["kind"] == KIND and done["params"] == {"import_job_id": 7} and done["status"] == "done"
    assert (done["progress"], done["total"], done["result"], done["error"]) == (16, 16, report, "")
    assert done["finished_at"] == T0 + dt.timedelta(seconds=3) and done["region_code"] == "16.07"

    refused = {"errors": [{"row": 4, "column": "Unit", "message": "x", "value": "y"}] * 3, "error_count": 3}
    failed = migration.job_fields(_row(8, "failed", report=refused, started_at=T0))
    assert failed["status"] == "failed" and failed["result"] == refused
    assert failed["error"] == "3 kesalahan; tidak ada yang disimpan" and failed["finished_at"] == T0
    assert migration.job_fields(_row(9, "succeeded"))["status"] == "done"
    assert migration.job_fields(_row(10, "lost"))["status"] == "failed"  # never left hanging


def test_a_queued_upload_gets_a_queued_job_and_a_dead_run_is_retried_once() -> None:
    queued = migration.job_fields(_row(11, "queued", report={"core_job": None}))
    assert queued["status"] == "queued" and queued["attempts"] == 0 and queued["result"] == {}
    running = migration.job_fields(_row(12, "running", phase="Memeriksa baris", progress=5, total=16,
                                        started_at=T0))
    assert running["status"] == "running" and running["attempts"] == 1 and running["lease_until"] == T0
    assert running["message"] == "Memeriksa baris" and (running["progress"], running["total"]) == (5, 16)


def test_an_upload_the_queue_knew_completes_its_job_where_the_job_lacks_it() -> None:
    job = {"pk": 1, "status": "queued", "started_at": None, "finished_at": None, "result": {}, "error": "",
           "progress": 0, "total": 0}
    report = {"errors": [], "error_count": 0, "summary": {"rows": 3}}
    updates = migration.completion(job, _row(5, "done", report=report, progress=3, total=3, started_at=T0,
                                             finished_at=T0))
    assert updates == {"status": "done", "started_at": T0, "finished_at": T0, "result": report, "total": 3,
                       "progress": 3}
    # The job's own final state wins.
    failed = {**job, "status": "failed", "error": "Pekerja berhenti", "finished_at": T0, "started_at": T0}
    assert migration.completion(failed, _row(5, "queued", report={"core_job": 1})) == {}


@pytest.mark.django_db
def test_it_links_every_upload_to_a_job_and_strips_the_queue_bookkeeping(actors, cycle) -> None:
    def upload(name: str) -> ImportJob:
        return ImportJob.objects.create(region_id="16.07", cycle=cycle, filename=name, content=b"x", sha256="0")

    known = Job.objects.create(kind=KIND, params={}, status=JobStatus.QUEUED)
    via_report, via_params, fresh = upload("a.xlsx"), upload("b.xlsx"), upload("c.xlsx")
    by_params = Job.objects.create(kind=KIND, params={"import_job_id": via_params.pk}, status=JobStatus.DONE,
                                   result={"summary": {"rows": 1}}, finished_at=T0, started_at=T0)
    jobs_before = Job.objects.count()

    migration.link(Job, ImportJob, _row(via_report.pk, "queued", report={"core_job": known.pk}), {})
    migration.link(Job, ImportJob, _row(via_params.pk, "done", report={"summary": {"rows": 1}}),
                   {via_params.pk: by_params.pk})
    migration.link(Job, ImportJob, _row(fresh.pk, "running", started_at=timezone.now() - dt.timedelta(hours=1),
                                        progress=2, total=9, phase="Memeriksa baris"), {})

    assert Job.objects.count() == jobs_before + 1  # only the upload the queue never knew gets a new job
    via_report.refresh_from_db()
    via_params.refresh_from_db()
    fresh.refresh_from_db()
    assert via_report.job_id == known.pk and via_report.report == {}
    assert via_params.job is not None and via_params.job.pk == by_params.pk and via_params.job.status == JobStatus.DONE
    assert fresh.job is not None and fresh.job.params == {"import_job_id": fresh.pk}
    # The run its dead process left "running" is shown waiting, and a worker takes it over.
    assert live_progress(fresh.job)["status"] == JobStatus.QUEUED and fresh.phase == "Memeriksa baris"
    Job.objects.exclude(pk=fresh.job_id).filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.DONE)
    taken = claim("test-worker")
    assert taken is not None and taken.pk == fresh.job_id and taken.attempts == 2
