"""Action-plan imports run on the project's job queue (`kotacerdas worker`): queued by the upload, run in
one transaction by the worker, progress from the worker's heartbeat, retried after a crash without writing
twice."""
from __future__ import annotations

import pytest
from django.db import transaction

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.actionplans import excel, jobs, queries
from kotacerdas.actionplans.choices import JobStatus
from kotacerdas.actionplans.models import ActionItem, ImportJob
from kotacerdas.core.jobs import job_progress, work
from kotacerdas.core.models import Job
from kotacerdas.core.models import JobStatus as CoreStatus

NEW = "Aksi baru lewat antrean"


def _edited_export(region, cycle) -> bytes:
    """The region's own export with one new activity appended (empty code: a new row)."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(excel.export_plan(region, cycle, queries.plan_items(region.code, cycle))))
    ws = wb["Rencana Aksi"]
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    row[header.index(excel.HEADERS["code"])] = None
    row[header.index(excel.HEADERS["title"])] = NEW
    ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def queued(actors, banyuasin, cycle, settings):
    settings.ACTIONPLAN_IMPORT_SYNC = False
    settings.JOBS_EAGER = False
    return jobs.start_import(actors.citra, banyuasin, cycle, _edited_export(banyuasin, cycle), "plan.xlsx")


def test_the_upload_queues_a_job_and_the_worker_applies_it_once(queued, banyuasin, cycle) -> None:
    assert queued.status == JobStatus.QUEUED
    core = Job.objects.get(pk=queued.report["core_job"])
    assert core.kind == "kotacerdas.actionplans.jobs.import_task" and core.status == CoreStatus.QUEUED
    assert not ActionItem.objects.filter(region=banyuasin, cycle=cycle, title=NEW).exists()

    assert work(once=True) == 1
    done = ImportJob.objects.get(pk=queued.pk)
    assert done.status == JobStatus.DONE, done.report
    assert done.report["summary"]["created"] == 1
    assert ActionItem.objects.filter(region=banyuasin, cycle=cycle, title=NEW).count() == 1
    core.refresh_from_db()
    assert core.status == CoreStatus.DONE and core.result["summary"]["created"] == 1
    assert AuditEvent.objects.filter(action="actionplans.import_done", object_id=str(queued.pk)).count() == 1
    assert work(once=True) == 0  # nothing left to do


def test_a_crash_midway_leaves_the_previous_state_and_the_retry_writes_once(queued, banyuasin, cycle) -> None:
    core = Job.objects.get(pk=queued.report["core_job"])
    before = ActionItem.objects.filter(region=banyuasin, cycle=cycle).count()

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():  # the worker's transaction, then the process dies
        jobs.import_task(core, queued.pk)
        assert ActionItem.objects.filter(title=NEW).exists()
        raise Crash
    assert ActionItem.objects.filter(region=banyuasin, cycle=cycle).count() == before
    assert ImportJob.objects.get(pk=queued.pk).status == JobStatus.QUEUED

    assert work(once=True) == 1
    assert ActionItem.objects.filter(region=banyuasin, cycle=cycle).count() == before + 1
    assert AuditEvent.objects.filter(action="actionplans.import_done", object_id=str(queued.pk)).count() == 1


def test_the_progress_bar_follows_the_worker_heartbeat(queued, actors) -> None:
    core = Job.objects.get(pk=queued.report["core_job"])
    Job.objects.filter(pk=core.pk).update(status=CoreStatus.RUNNING)
    job_progress(core, 5, 16)
    body = actors.client(actors.citra).get(f"/wilayah/16.07/rencana-aksi/impor/{queued.pk}/").content.decode()
    assert 'value="31"' in body and "5/16" in body and "hx-get" in body  # still polling

    Job.objects.filter(pk=core.pk).update(status=CoreStatus.FAILED, error="Pekerja berhenti di tengah jalan")
    body = actors.client(actors.citra).get(f"/wilayah/16.07/rencana-aksi/impor/{queued.pk}/").content.decode()
    assert "Pekerja berhenti di tengah jalan" in body and "hx-get" not in body
