"""Reports and web imports run on the one job table (core.Job): a report keeps only its own data and reads
its status through its Job; the job functions show their progress on the Job row while they work and write
only in their final transaction; old reports got a Job from the migration."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.catalogue.models import Programme
from kotacerdas.core import jobs
from kotacerdas.core.models import Job, JobStatus
from kotacerdas.evaluations.models import Cycle
from kotacerdas.regions.models import Region
from kotacerdas.reports import actions, webimport
from kotacerdas.reports.models import ReportJob

pytestmark = pytest.mark.django_db
REPORTS = Path(actions.__file__).resolve().parent
MOVED = {"status", "progress", "step", "error", "started_at", "finished_at"}
data_migration = importlib.import_module("kotacerdas.reports.migrations.0002_report_jobs_on_core_job")


def _request(actors: Any, settings: Any, fmt: str = "xlsx") -> ReportJob:
    settings.JOBS_EAGER = False
    return actions.do_request_report(actors.citra, Region.objects.get(code="16.07"), Cycle.objects.get(year=2024),
                                     fmt)


def test_the_reports_app_has_no_job_status_of_its_own() -> None:
    fields = {f.name for f in ReportJob._meta.get_fields()}
    assert not fields & MOVED and "job" in fields
    enums = []
    for path in REPORTS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        enums += re.findall(r"class (\w*(?:Status|State)\w*)\((?:models\.)?(?:TextChoices|IntegerChoices)",
                            path.read_text(encoding="utf-8"))
    assert enums == []
    from kotacerdas.reports import choices

    assert not hasattr(choices, "JobStatus")


def test_the_api_exposes_the_one_job_status() -> None:
    from kotacerdas.api.urls import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    status = schemas["ReportOut"]["properties"]["status"]
    ref = status.get("$ref") or status["allOf"][0]["$ref"]
    assert schemas[ref.rsplit("/", 1)[-1]]["enum"] == list(JobStatus.values)


def test_a_report_reads_its_state_through_its_job(actors, settings) -> None:  # type: ignore[no-untyped-def]
    report = _request(actors, settings)
    assert report.job is not None and report.job.kind == actions.JOB_KIND
    assert report.job.params == {"report_job": report.pk} and report.job.created_by == actors.citra
    started = timezone.now() - dt.timedelta(minutes=1)
    Job.objects.filter(pk=report.job_id).update(status=JobStatus.FAILED, error="ValueError: rusak",
                                                started_at=started, finished_at=timezone.now())
    again = ReportJob.objects.select_related("job").get(pk=report.pk)
    assert (again.status, again.error, again.percent, again.finished) == ("failed", "ValueError: rusak", 100, True)
    assert again.started_at == started and again.finished_at is not None
    assert again.state()["status"] == "failed"


def test_a_report_shows_its_progress_on_the_job_row_before_it_writes(actors, settings,  # type: ignore[no-untyped-def]
                                                                    monkeypatch) -> None:
    report = _request(actors, settings)
    assert report.job_id is not None
    seen: list[tuple[str, int, int, str, int, str]] = []
    real_build = actions.build

    def watched_build(region, cycle, fmt, language="id", progress=None):  # type: ignore[no-untyped-def]
        def hook(pct: int, step: str) -> None:
            assert progress is not None
            progress(pct, step)
            row = Job.objects.get(pk=report.job_id)  # what any other process reads now
            stored = ReportJob.objects.get(pk=report.pk)
            seen.append((row.status, row.progress, row.total, row.message, stored.size, stored.file.name))

        hook(5, "Menyiapkan data")
        return real_build(region, cycle, fmt, language, hook)

    monkeypatch.setattr(actions, "build", watched_build)
    job = jobs.run_job(report.job_id)
    assert seen[:2] == [("running", 5, 100, "Menyiapkan data", 0, ""), ("running", 20, 100, "Menyusun lembar kerja Excel", 0, "")]
    assert job.status == JobStatus.DONE and job.progress == 100 and job.message == "selesai"
    done = ReportJob.objects.get(pk=report.pk)
    assert done.size > 1000 and done.file.name and job.result["sha256"] == done.sha256
    assert AuditEvent.objects.filter(action="reports.done", object_id=str(report.pk)).count() == 1


def _broken_audit(*args: Any, **kwargs: Any) -> None:
    """The audit trail failing inside a report job's final transaction."""
    raise RuntimeError("jejak audit tidak tersedia")


def test_a_failed_report_writes_nothing_but_the_failed_job(actors, settings,  # type: ignore[no-untyped-def]
                                                           monkeypatch) -> None:
    report = _request(actors, settings)
    assert report.job_id is not None

    saved: list[str] = []
    real_save = ReportJob.file.field.storage.save

    def watched_save(name, content, *args, **kwargs):  # type: ignore[no-untyped-def]
        saved.append(real_save(name, content, *args, **kwargs))
        return saved[-1]

    # The failure comes after the file was stored and its row updated, inside the final transaction: all of
    # it goes, the file in storage too.
    monkeypatch.setattr(actions, "record_event", _broken_audit)
    monkeypatch.setattr(ReportJob.file.field.storage, "save", watched_save)
    job = jobs.run_job(report.job_id)
    assert len(saved) == 1 and not ReportJob.file.field.storage.exists(saved[0])
    assert job.status == JobStatus.FAILED and "jejak audit tidak tersedia" in job.error
    stored = ReportJob.objects.get(pk=report.pk)
    assert (stored.size, stored.sha256, stored.pages, stored.file.name) == (0, "", None, "")
    assert stored.status == "failed" and stored.state()["status"] == "failed"
    page = actors.client(actors.citra).get(f"/laporan/{report.pk}/unduh/")
    assert page.status_code == 404


def test_a_storage_that_fails_while_cleaning_up_does_not_hide_the_reason(actors, settings,  # type: ignore[no-untyped-def]
                                                                         monkeypatch) -> None:
    report = _request(actors, settings)
    assert report.job_id is not None

    def storage_down(name: str) -> None:
        raise OSError("penyimpanan tidak terjangkau")

    monkeypatch.setattr(actions, "record_event", _broken_audit)
    monkeypatch.setattr(ReportJob.file.field.storage, "delete", storage_down)
    job = jobs.run_job(report.job_id)
    assert job.status == JobStatus.FAILED and "jejak audit tidak tersedia" in job.error
    assert "penyimpanan" not in job.error


def test_a_report_that_cannot_be_rendered_fails_with_the_reason(actors, settings,  # type: ignore[no-untyped-def]
                                                                monkeypatch) -> None:
    report = _request(actors, settings)
    assert report.job_id is not None

    def unrenderable(region, cycle, fmt, language="id", progress=None):  # type: ignore[no-untyped-def]
        assert progress is not None
        progress(30, "Menyusun pilar")
        raise LookupError("tidak ada hasil 2024")

    monkeypatch.setattr(actions, "build", unrenderable)
    job = jobs.run_job(report.job_id)
    assert job.status == JobStatus.FAILED and "tidak ada hasil 2024" in job.error and job.progress == 30
    assert not AuditEvent.objects.filter(action="reports.done", object_id=str(report.pk)).exists()
    assert ReportJob.objects.get(pk=report.pk).size == 0


# --- web imports ------------------------------------------------------------------------------------

CSV = ("Kode,Nama program,Unit pemilik,Sub-dimensi (kode),Sektor,Tahun mulai,Status,Quick Win,Aplikasi\n"
       "lapor-banjir,Lapor Banjir,BPBD,society.sistem_keamanan,sosial,2024,running,tidak,ya\n")


def _preview(actors: Any, settings: Any) -> Job:
    settings.JOBS_EAGER = False
    return webimport.start(actors.citra, Region.objects.get(code="16.07"), "programmes", None, "program.csv",
                           CSV.encode())


def test_an_import_shows_its_progress_on_the_job_row_while_it_checks(actors, settings,  # type: ignore[no-untyped-def]
                                                                     monkeypatch) -> None:
    importer = webimport.IMPORTERS["programmes"]
    real_run = importer.run
    seen: list[tuple[str, int, int, str, bool]] = []

    def watched(actor, path, region, cycle, dry_run):  # type: ignore[no-untyped-def]
        row = Job.objects.get(pk=job.pk)
        seen.append((row.status, row.progress, row.total, row.message, dry_run))
        return real_run(actor, path, region, cycle, dry_run)

    monkeypatch.setattr(importer, "run", watched)
    job = _preview(actors, settings)
    preview = jobs.run_job(job.pk)
    assert seen == [("running", 2, 3, "memeriksa baris", True)]
    assert preview.status == JobStatus.DONE and preview.result["ok"] and preview.message == "pemeriksaan selesai"
    job = webimport.apply(actors.citra, preview)
    applied = jobs.run_job(job.pk)
    assert seen[1] == ("running", 2, 3, "menyimpan perubahan", False)
    assert applied.status == JobStatus.DONE and applied.result["changed"] == 1
    assert Programme.objects.filter(region_id="16.07", code="lapor-banjir").exists()


def test_an_import_refused_while_applying_keeps_nothing(actors, settings,  # type: ignore[no-untyped-def]
                                                        monkeypatch) -> None:
    from kotacerdas.reports.xlsx import ImportFailed, ImportReport, RowError

    preview = jobs.run_job(_preview(actors, settings).pk)
    assert preview.status == JobStatus.DONE
    importer = webimport.IMPORTERS["programmes"]
    real_run = importer.run

    def writes_then_refuses(actor, path, region, cycle, dry_run):  # type: ignore[no-untyped-def]
        real_run(actor, path, region, cycle, dry_run)  # creates the programme (and its audit event)
        assert Programme.objects.filter(code="lapor-banjir").exists()
        report = ImportReport()
        report.errors.append(RowError("program.csv", 2, "A", "Kode sudah dipakai"))
        raise ImportFailed(report)

    monkeypatch.setattr(importer, "run", writes_then_refuses)
    applied = jobs.run_job(webimport.apply(actors.citra, preview).pk)
    assert applied.status == JobStatus.FAILED and applied.error.startswith("Berkas ditolak: 1")
    assert applied.result["errors"] == [{"sheet": "program.csv", "row": 2, "column": "A",
                                         "message": "Kode sudah dipakai"}]
    assert not Programme.objects.filter(code="lapor-banjir").exists()
    assert not AuditEvent.objects.filter(action="catalogue.create_programme").exists()
    region = Region.objects.get(code="16.07")
    html = actors.client(actors.citra).get(f"/wilayah/{region.code}/laporan/impor/{applied.pk}/").content.decode()
    assert "Berkas ditolak" in html and "Kode sudah dipakai" in html


def test_a_refused_check_fails_with_its_rows(actors, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JOBS_EAGER = False
    bad = CSV + "salah,Program Salah,Dinas Antah,society.sistem_keamanan,sosial,2024,running,tidak,ya\n"
    job = webimport.start(actors.citra, Region.objects.get(code="16.07"), "programmes", None, "program.csv",
                          bad.encode())
    checked = jobs.run_job(job.pk)
    assert checked.status == JobStatus.FAILED and checked.error.startswith("Berkas ditolak")
    assert not checked.result["ok"] and checked.result["errors"][0]["row"] == 3
    with pytest.raises(Exception, match="Periksa berkas"):
        webimport.apply(actors.citra, checked)


# --- the data migration -----------------------------------------------------------------------------

def _old(**fields: Any) -> dict[str, Any]:
    at = timezone.now()
    row = {"id": 7, "status": "done", "progress": 100, "step": "selesai", "error": "", "region_id": "16.07",
           "requested_by_id": 3, "created_at": at - dt.timedelta(minutes=5), "started_at": at - dt.timedelta(minutes=4),
           "finished_at": at, "size": 1234, "pages": 9, "sha256": "ab" * 32, "job_id": None}
    return {**row, **fields}


def test_the_migration_makes_a_job_for_a_report_without_one() -> None:
    old = _old()
    job = data_migration.new_job(old)
    assert job["kind"] == actions.JOB_KIND and job["params"] == {"report_job": 7}
    assert (job["status"], job["progress"], job["total"], job["message"]) == ("done", 100, 100, "selesai")
    assert (job["created_at"], job["started_at"], job["finished_at"]) == (old["created_at"], old["started_at"],
                                                                         old["finished_at"])
    assert job["created_by_id"] == 3 and job["region_code"] == "16.07" and job["result"]["size"] == 1234
    failed = data_migration.new_job(_old(status="failed", progress=40, error="ValueError: x", step="pdf"))
    assert (failed["status"], failed["error"], failed["progress"], failed["result"]) == ("failed", "ValueError: x",
                                                                                          40, {})
    queued = data_migration.new_job(_old(status="queued", progress=0, started_at=None, finished_at=None))
    assert queued["status"] == "queued" and queued["attempts"] == 0 and queued["finished_at"] is None
    assert data_migration.new_job(_old(status="succeeded"))["status"] == "failed"  # unknown: not done


def test_the_migration_completes_a_job_that_lacks_the_reports_end() -> None:
    old = _old(status="failed", error="OSError: disk penuh", job_id=5)
    behind = {"id": 5, "status": "running", "total": 100, "error": "", "started_at": None, "finished_at": None}
    assert data_migration.job_updates(old, behind) == {
        "status": "failed", "error": "OSError: disk penuh", "started_at": old["started_at"],
        "finished_at": old["finished_at"]}
    ended = {"id": 5, "status": "done", "total": 100, "error": "", "started_at": old["started_at"],
             "finished_at": old["finished_at"]}
    assert data_migration.job_updates(_old(job_id=5), ended) == {}
    # The Job is the truth when it got further than the report's copy.
    assert data_migration.job_updates(_old(status="running", job_id=5), ended) == {}


def test_the_migration_gives_old_reports_a_job_on_postgres(on_postgres, actors) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    with connection.cursor() as cursor:  # DDL after inserts in one transaction (the test's)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0001_initial")])
    executor.loader.build_graph()
    nodes = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "reports"] + [("reports", "0001_initial")]
    old = executor.loader.project_state(nodes).apps
    OldReport, OldJob = old.get_model("reports", "ReportJob"), old.get_model("core", "Job")  # noqa: N806
    cycle_id = Cycle.objects.get(year=2024).pk
    at = timezone.now()
    done = OldReport.objects.create(region_id="16.07", cycle_id=cycle_id, format="xlsx", status="done",
                                    progress=100, step="selesai", size=99, requested_by_id=actors.citra.pk,
                                    started_at=at, finished_at=at)
    queued = OldReport.objects.create(region_id="16.07", cycle_id=cycle_id, format="pdf")
    behind_job = OldJob.objects.create(kind=actions.JOB_KIND, status="running", total=100)
    failed = OldReport.objects.create(region_id="16.07", cycle_id=cycle_id, format="pdf", status="failed",
                                      error="ValueError: x", job=behind_job, finished_at=at)
    jobs_before = Job.objects.count()

    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0003_report_job_fields_on_core_job")])

    assert Job.objects.count() == jobs_before + 2  # one each for the two reports without a job
    made = ReportJob.objects.select_related("job").get(pk=done.pk)
    assert made.job is not None and made.job.params == {"report_job": done.pk}
    assert (made.status, made.step, made.finished_at, made.job.created_by_id) == ("done", "selesai", at,
                                                                                  actors.citra.pk)
    assert ReportJob.objects.get(pk=queued.pk).status == "queued"
    completed = ReportJob.objects.select_related("job").get(pk=failed.pk)
    assert completed.job_id == behind_job.pk
    assert (completed.status, completed.error, completed.finished_at) == ("failed", "ValueError: x", at)
