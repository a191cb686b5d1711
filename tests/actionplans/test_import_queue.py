"""Action-plan imports run on the project's job queue (`kotacerdas worker`): queued by the upload as a
`core.Job`, checked with progress on the Job row, written in the job's final transaction together with its
status, retried after a crash without writing twice."""
from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.actionplans import choices, excel, jobs, queries
from kotacerdas.actionplans.models import ActionItem, ImportJob
from kotacerdas.core.errors import InvalidInput
from kotacerdas.core.jobs import LEASE, job_progress, work
from kotacerdas.core.models import Job, JobStatus

from .conftest import snapshot

NEW = "Aksi baru lewat antrean"
FIXTURES = Path(__file__).parent / "fixtures"


def _edited_export(region, cycle, *titles: str) -> bytes:
    """The region's own export with new activities appended (empty code: new rows)."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(excel.export_plan(region, cycle, queries.plan_items(region.code, cycle))))
    ws = wb["Rencana Aksi"]
    header = [c.value for c in ws[1]]
    for title in titles or (NEW,):
        row = [c.value for c in ws[2]]
        row[header.index(excel.HEADERS["code"])] = None
        row[header.index(excel.HEADERS["title"])] = title
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def queued(actors, banyuasin, cycle, settings):
    settings.ACTIONPLAN_IMPORT_SYNC = False
    settings.JOBS_EAGER = False
    return jobs.start_import(actors.citra, banyuasin, cycle, _edited_export(banyuasin, cycle), "plan.xlsx")


def _events(action: str, upload: ImportJob) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(upload.pk)).count()


def test_the_upload_queues_a_job_and_the_worker_applies_it_once(queued, banyuasin, cycle, actors) -> None:
    assert queued.status == JobStatus.QUEUED and queued.job is not None
    core = queued.job
    assert core.kind == "kotacerdas.actionplans.jobs.import_task" and core.status == JobStatus.QUEUED
    assert core.params == {"import_job_id": queued.pk, "decimal": ""} and core.created_by == actors.citra
    assert not ActionItem.objects.filter(region=banyuasin, cycle=cycle, title=NEW).exists()
    # No worker is running: the page says so instead of a bar that never moves.
    body = actors.client(actors.citra).get(f"/wilayah/16.07/rencana-aksi/impor/{queued.pk}/").content.decode()
    assert "Tidak ada pekerja latar yang berjalan" in body and "hx-get" in body

    assert work(once=True) == 1
    done = ImportJob.objects.select_related("job").get(pk=queued.pk)
    assert done.status == JobStatus.DONE, done.report
    assert done.report["summary"]["created"] == 1
    assert ActionItem.objects.filter(region=banyuasin, cycle=cycle, title=NEW).count() == 1
    core.refresh_from_db()
    assert core.status == JobStatus.DONE and core.result["summary"]["created"] == 1 and core.error == ""
    assert _events("actionplans.import_done", queued) == 1
    assert work(once=True) == 0  # nothing left to do


def test_the_sync_setting_runs_the_job_at_once(actors, banyuasin, cycle, settings) -> None:
    settings.ACTIONPLAN_IMPORT_SYNC = True
    upload = jobs.start_import(actors.citra, banyuasin, cycle, _edited_export(banyuasin, cycle), "plan.xlsx")
    assert upload.status == JobStatus.DONE and upload.job is not None and upload.job.worker == "sync"
    assert ActionItem.objects.filter(region=banyuasin, cycle=cycle, title=NEW).count() == 1


class Killed(BaseException):
    """The worker process dying inside the job's final transaction."""


def test_a_crash_in_the_final_transaction_leaves_the_previous_state_and_the_retry_writes_once(
        queued, banyuasin, cycle, monkeypatch) -> None:
    assert queued.job is not None
    core = queued.job
    before = snapshot()
    count = ActionItem.objects.filter(region=banyuasin, cycle=cycle).count()
    now = timezone.now()
    Job.objects.filter(pk=core.pk).update(status=JobStatus.RUNNING, attempts=1, worker="elsewhere:1",
                                          started_at=now, lease_until=now + LEASE)
    core.refresh_from_db()

    def die(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Killed

    monkeypatch.setattr(jobs, "record_event", die)
    with pytest.raises(Killed):
        jobs.import_task(core, queued.pk)
    monkeypatch.undo()
    assert snapshot() == before  # the plan's writes rolled back with the final transaction
    stored = ImportJob.objects.select_related("job").get(pk=queued.pk)
    assert stored.report == {} and stored.job is not None
    assert stored.job.status == JobStatus.RUNNING and stored.job.progress == stored.job.total == 17  # seen

    # The worker is gone: its lease and heartbeat run out, another worker retries once.
    past = timezone.now() - LEASE - dt.timedelta(seconds=5)
    Job.objects.filter(pk=core.pk).update(lease_until=past, heartbeat_at=past)
    assert work(once=True) == 1
    assert ActionItem.objects.filter(region=banyuasin, cycle=cycle).count() == count + 1
    assert _events("actionplans.import_done", queued) == 1
    assert Job.objects.get(pk=core.pk).attempts == 2


def test_the_progress_bar_follows_the_job_row(queued, actors) -> None:
    assert queued.job is not None
    core = queued.job
    Job.objects.filter(pk=core.pk).update(status=JobStatus.RUNNING, attempts=1)
    core.status = JobStatus.RUNNING
    job_progress(core, 5, 16)
    body = actors.client(actors.citra).get(f"/wilayah/16.07/rencana-aksi/impor/{queued.pk}/").content.decode()
    assert 'value="31"' in body and "5/16" in body and "hx-get" in body  # still polling

    Job.objects.filter(pk=core.pk).update(status=JobStatus.FAILED, error="Pekerja berhenti di tengah jalan")
    body = actors.client(actors.citra).get(f"/wilayah/16.07/rencana-aksi/impor/{queued.pk}/").content.decode()
    assert "Pekerja berhenti di tengah jalan" in body and "hx-get" not in body


def test_a_refused_file_leaves_only_the_failed_job_its_report_and_audit(actors, banyuasin, cycle) -> None:
    before = snapshot()
    events = AuditEvent.objects.count()
    upload = jobs.start_import(actors.citra, banyuasin, cycle, (FIXTURES / "unknown_unit.xlsx").read_bytes(),
                               "unknown_unit.xlsx", run_now=True)
    assert snapshot() == before
    assert upload.status == JobStatus.FAILED and upload.job is not None
    assert upload.job.result == upload.report and upload.report["error_count"] >= 1
    assert upload.job.error.endswith("kesalahan; tidak ada yang disimpan")
    assert any("Dinas Antah Berantah" in e["value"] for e in upload.errors)
    # Only the upload's own events: queued, then failed (with the failed status).
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)[events:]) == [
        "actionplans.import_queued", "actionplans.import_failed"]


def test_a_refusal_while_writing_rolls_back_the_rows_already_written(
        actors, banyuasin, cycle, monkeypatch) -> None:
    """Two new rows pass the check; writing the second is refused: the first is not kept either, and the
    job ends failed naming the row, its audit event committed with the failed status."""
    before = snapshot()
    create = excel.actions.do_create_item
    calls = []

    def second_refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("code"))
        if len(calls) == 2:
            raise InvalidInput("Judul sudah dipakai", field="title")
        return create(*args, **kwargs)

    monkeypatch.setattr(excel.actions, "do_create_item", second_refused)
    upload = jobs.start_import(actors.citra, banyuasin, cycle,
                               _edited_export(banyuasin, cycle, "Aksi pertama", "Aksi kedua"), "plan.xlsx",
                               run_now=True)
    assert len(calls) == 2
    assert snapshot() == before
    assert upload.status == JobStatus.FAILED
    assert upload.errors == [{"row": 19, "column": excel.HEADERS["title"], "message": "Judul sudah dipakai",
                              "value": ""}]
    assert not AuditEvent.objects.filter(action="actionplans.create_item", data__source="import",
                                         at__gte=upload.created_at).exists()
    assert _events("actionplans.import_failed", upload) == 1 and _events("actionplans.import_done", upload) == 0


def test_the_app_has_no_job_status_of_its_own() -> None:
    """Status, progress and timing are the Job's: the upload has no such columns, the app no status enum."""
    for name in ("status", "phase", "progress", "total", "started_at", "finished_at"):
        with pytest.raises(FieldDoesNotExist):
            ImportJob._meta.get_field(name)
    assert ImportJob._meta.get_field("job").related_model is Job
    assert not hasattr(choices, "JobStatus")
    source = inspect.getsource(choices)
    assert '"queued"' not in source and '"running"' not in source
    assert not hasattr(jobs, "run_pending") and not hasattr(jobs, "run_import_job")
