"""KPI imports are `core.Job`s: the import keeps its own data, the Job its status and progress; the job
checks with its progress on the Job row, then writes everything (or, refused, only its report) with its
final status; old imports are mapped onto Jobs by the migration."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.core.models import Job, JobStatus
from kotacerdas.monitoring import actions, importer, ingest
from kotacerdas.monitoring.models import IngestJob, KpiValue

migration = importlib.import_module("kotacerdas.monitoring.migrations.0005_ingestjob_core_job")
GOOD = b"programme,kpi,period,region,value\n" + b"".join(
    b"jam-kunci,dokumen-terbit,2022-%02d,16.07,%d\n" % (m, 1000 + m) for m in range(1, 13))
BAD = b"programme,kpi,period,region,value\njam-kunci,dokumen-terbit,2022-01,16.07,5\njam-kunci,dokumen-terbit,2022-13,16.07,7\n"


def _audit(ingest_job: IngestJob) -> set[str]:
    return set(AuditEvent.objects.filter(object_type="monitoring.ingestjob", object_id=str(ingest_job.pk))
               .values_list("action", flat=True))


def test_an_import_is_a_job_and_its_progress_is_on_the_job_row_before_it_writes(
        actors: Any, banyuasin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int, str]] = []  # (where, progress, message) as stored in the Job row
    real_progress, real_finishing = ingest.job_progress, ingest.finishing

    def progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
        real_progress(job, done, total, message)
        row = Job.objects.get(pk=job.pk)
        seen.append(("progress", row.progress, row.message))

    @contextmanager
    def finishing(job: Job, *args: Any, **kwargs: Any) -> Any:
        row = Job.objects.get(pk=job.pk)
        assert row.status == JobStatus.RUNNING and KpiValue.objects.count() == before  # nothing written yet
        seen.append(("finishing", row.progress, row.message))
        with real_finishing(job, *args, **kwargs) as result:
            yield result

    monkeypatch.setattr(ingest, "job_progress", progress)
    monkeypatch.setattr(ingest, "finishing", finishing)
    before = KpiValue.objects.count()
    done = actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=GOOD, name="good.csv", runner="sync")
    assert done.job is not None and done.job.kind == ingest.RUN_IMPORT
    assert done.job.params == {"ingest_job_id": done.pk}
    assert (done.status, done.created_count, done.total_rows, done.percent) == (JobStatus.DONE, 12, 12, 100)
    assert done.finished and done.finished_at is not None and done.started_at is not None
    assert "12 baris: 12 baru" in done.message
    # the checking step wrote its progress to the row ("N baris diperiksa") before anything was written
    checked = [s for s in seen if s[0] == "progress" and s[2].endswith("baris diperiksa")]
    assert checked and checked[-1][1] == ingest.CHECKED
    assert seen[-1] == ("finishing", ingest.CHECKED, "12 baris lolos pemeriksaan; menulis")
    assert _audit(done) == {"monitoring.start_import", "monitoring.import_kpi_values"}


def test_a_refused_file_leaves_only_the_failed_job_and_its_report(actors: Any, banyuasin: Any) -> None:
    before = (KpiValue.objects.count(), AuditEvent.objects.filter(action="monitoring.import_kpi_values").count())
    refused = actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=BAD, name="bad.csv", runner="sync")
    assert refused.job is not None
    refused.job.refresh_from_db()
    assert (refused.job.status, refused.job.error) == (JobStatus.FAILED, "1 galat pada 2 baris; tidak ada yang ditulis")
    assert refused.job.result == {"ingest_job": refused.pk, "rows": 2, "errors": 1}
    assert [(e["row"], e["code"]) for e in refused.errors] == [(3, "bad_period")]
    assert (refused.error_count, refused.created_count, refused.message) == (1, 0, refused.job.error)
    assert (KpiValue.objects.count(),
            AuditEvent.objects.filter(action="monitoring.import_kpi_values").count()) == before
    assert _audit(refused) == {"monitoring.start_import", "monitoring.import_rejected"}


def test_a_write_that_breaks_rolls_back_with_the_job_failed(actors: Any, banyuasin: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def half_write(spool: Any, **kwargs: Any) -> Any:
        KpiValue.objects.create(kpi_id=1, period=dt.date(2022, 1, 1), area_id="16.07", value=1)
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "upsert_values", half_write)
    before = KpiValue.objects.count()
    broken = actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=GOOD, name="good.csv", runner="sync")
    assert (broken.status, broken.message, broken.created_count) == (JobStatus.FAILED, importer.CRASHED, 0)
    assert KpiValue.objects.count() == before
    assert _audit(broken) == {"monitoring.start_import", "monitoring.import_crashed"}


def test_a_draft_is_an_import_without_a_job_until_it_is_previewed(actors: Any, banyuasin: Any) -> None:
    draft = actions.do_upload_kpi_file(actors.citra, region=banyuasin, upload=GOOD, name="good.csv")
    assert (draft.job, draft.status, draft.finished, draft.percent) == (None, "draft", False, 0)
    jobs = Job.objects.count()
    preview = actions.do_preview_kpi_import(actors.citra, draft, mapping={}, decimal=".", runner="worker")
    assert preview.pk == draft.pk and preview.status == JobStatus.QUEUED and Job.objects.count() == jobs + 1
    with pytest.raises(actions.InvalidInput):  # a draft gets one job
        actions.do_preview_kpi_import(actors.citra, draft, mapping={}, decimal=".", runner="worker")
    assert Job.objects.count() == jobs + 1


def test_events_pushed_and_generated_run_as_jobs(actors: Any, banyuasin: Any, settings: Any, tmp_path: Path) -> None:
    import pyarrow as pa

    settings.EVENTS_ROOT = tmp_path / "events"
    rows = {"ts": ["2024-05-02T09:15:00", "2024-05-02T09:16:00"], "programme": ["oss", "nope"],
            "kecamatan": ["16.07.05", "16.07.05"], "desa": [None, None], "channel": ["online", "loket"],
            "citizen": ["a1b2c3d4e5", "f6a7b8c9d0"]}
    table = pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})
    pushed = actions.do_append_events(actors.citra, banyuasin, table)
    assert pushed.job is not None and pushed.job.kind == ingest.APPEND_EVENTS
    assert (pushed.status, pushed.created_count, pushed.error_count) == (JobStatus.DONE, 1, 1)
    generated = actions.generate_events(None, banyuasin, n_events=200, year=2021, seed=3, root=tmp_path / "gen")
    assert generated.job is not None and generated.job.kind == ingest.GENERATE_EVENTS
    assert (generated.status, generated.created_count + generated.error_count) == (JobStatus.DONE, 200)


@pytest.mark.parametrize(("old", "new"), [("queued", "queued"), ("running", "queued"), ("succeeded", "done"),
                                          ("failed", "failed")])
def test_the_migration_maps_an_old_import_onto_a_job(old: str, new: str) -> None:
    t0 = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    row = {"id": 7, "status": old, "kind": "kpi_values", "file_format": "csv", "message": "3 galat pada 9 baris",
           "region_id": "16.07", "created_by_id": 5, "created_at": t0, "started_at": t0 + dt.timedelta(seconds=1),
           "finished_at": t0 + dt.timedelta(seconds=2)}
    fields = migration.job_fields(row)
    assert fields is not None
    assert (fields["kind"], fields["params"], fields["status"]) == (migration.KIND, {"ingest_job_id": 7}, new)
    assert (fields["region_code"], fields["created_by_id"], fields["created_at"]) == ("16.07", 5, t0)
    finished = new in ("done", "failed")
    assert fields["finished_at"] == (t0 + dt.timedelta(seconds=2) if finished else None)
    assert fields["error"] == ("3 galat pada 9 baris" if new == "failed" else "")
    assert fields["message"] == ("" if new == "failed" else "3 galat pada 9 baris")
    assert (fields["progress"], fields["total"]) == ((100, 100) if finished else (0, 100))
    # a job the import already had gets the import's final state where it lacks one
    had = Job(kind=migration.OLD_KIND, params={"ingest_job_id": 7}, status="running")
    changed = migration.fill_existing(had, fields)
    assert (had.kind, had.params, had.status) == (migration.KIND, {"ingest_job_id": 7}, new if finished else "running")
    assert ("status" in changed) is finished


def test_the_migration_leaves_a_draft_without_a_job_and_maps_events_to_their_function() -> None:
    t0 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert migration.job_fields({"id": 1, "status": "draft", "created_at": t0}) is None
    events = migration.job_fields({"id": 2, "status": "succeeded", "kind": "events", "file_format": "synthetic",
                                   "created_at": t0})
    assert events is not None and events["kind"] == ingest.GENERATE_EVENTS
    done = Job(kind=ingest.RUN_IMPORT, status="done", finished_at=t0, message="selesai")
    fields = migration.job_fields({"id": 3, "status": "failed", "message": "ditolak", "created_at": t0})
    assert fields is not None
    migration.fill_existing(done, fields)
    assert (done.status, done.message, done.error) == ("done", "selesai", "")  # a finished job keeps its own


def test_the_app_has_no_status_enum_of_its_own_and_the_import_no_job_columns() -> None:
    app = Path(actions.__file__).parent
    for path in app.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                assert "Status" not in node.name, f"{path.name} defines {node.name}"
    columns = {f.name for f in IngestJob._meta.get_fields()}
    assert not columns & {"status", "phase", "progress", "processed_rows", "message", "started_at", "finished_at"}
    assert "job" in columns


@pytest.mark.parametrize("runner", ["thread", "celery"])
def test_an_unknown_runner_is_refused_before_anything_is_stored(actors, banyuasin, runner) -> None:
    from django.core.exceptions import ImproperlyConfigured

    before = (IngestJob.objects.count(), Job.objects.count())
    with pytest.raises(ImproperlyConfigured, match="MONITORING_IMPORT_RUNNER"):
        actions.do_start_kpi_import(actors.citra, region=banyuasin, upload=GOOD, name="good.csv", runner=runner)
    assert (IngestJob.objects.count(), Job.objects.count()) == before
