"""Bulk Excel: export a region's plan, edit offline, import it back (all or nothing, idempotent)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.actionplans import excel, jobs, queries
from kotacerdas.actionplans.choices import ActionStatus
from kotacerdas.actionplans.models import ActionItem, ImportJob
from kotacerdas.core.jobs import job_progress, run_job
from kotacerdas.core.models import Job, JobStatus

from .conftest import snapshot

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


def _export(region, cycle) -> bytes:
    return excel.export_plan(region, cycle, queries.plan_items(region.code, cycle))


def _import(actor, region, cycle, content: bytes, name: str = "plan.xlsx") -> ImportJob:
    return jobs.start_import(actor, region, cycle, content, name, run_now=True)


def _set(content: bytes, code: str, header: str, value: object) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Rencana Aksi"]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == code:
            row[headers.index(header)].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_it_exports_every_item_with_headers_and_dropdowns(actors, banyuasin, cycle) -> None:
    wb = load_workbook(io.BytesIO(_export(banyuasin, cycle)))
    ws = wb["Rencana Aksi"]
    assert [c.value for c in ws[1]][:3] == ["Kode", "Kegiatan", "Kategori"]
    codes = [r[0].value for r in ws.iter_rows(min_row=2)]
    assert codes == sorted(ActionItem.objects.filter(region=banyuasin, cycle=cycle).values_list("code", flat=True))
    assert wb["Info"]["B1"].value == "16.07"
    assert len(ws.data_validations.dataValidation) == 5
    assert wb["Daftar"].sheet_state == "hidden"


def test_it_reimports_an_unchanged_export_without_changing_anything(actors, banyuasin, cycle) -> None:
    before = snapshot()
    updates = AuditEvent.objects.filter(action="actionplans.update_item").count()
    job = _import(actors.citra, banyuasin, cycle, _export(banyuasin, cycle))
    assert job.status == JobStatus.DONE, job.report
    assert job.report["summary"] == {"rows": 16, "created": 0, "updated": 0, "unchanged": 16, "errors": 0}
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="actionplans.update_item").count() == updates


def test_the_achievement_column_as_exported_is_recomputed_and_a_typed_over_one_refused(
        actors, banyuasin, cycle) -> None:
    item = ActionItem.objects.get(region=banyuasin, cycle=cycle, code="RA-2024-008")
    exported = _export(banyuasin, cycle)
    # The status changes, the Capaian (%) cell stays as exported: the import recomputes it.
    job = _import(actors.citra, banyuasin, cycle, _set(exported, "RA-2024-008", "Status", "Selesai"))
    assert job.status == JobStatus.DONE, job.report
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE and item.percent == 100
    # A percent typed over (neither the exported nor the computed one) is refused, naming the column.
    before = snapshot()
    typed = _set(_export(banyuasin, cycle), "RA-2024-008", "Capaian (%)", 42)
    job = _import(actors.citra, banyuasin, cycle, typed)
    assert job.status == JobStatus.FAILED and snapshot() == before
    assert [(e["row"], e["column"]) for e in job.report["errors"]] == [(_row_of(typed, "RA-2024-008"), "Capaian (%)")]
    assert "dihitung otomatis" in job.report["errors"][0]["message"]


def test_it_applies_offline_edits_and_records_history(actors, banyuasin, cycle) -> None:
    item = ActionItem.objects.get(region=banyuasin, cycle=cycle, code="RA-2024-008")
    assert item.status == ActionStatus.NOT_STARTED
    content = _set(_export(banyuasin, cycle), "RA-2024-008", "Status", "Selesai")
    content = _set(content, "RA-2024-008", "Capaian (%)", None)
    job = _import(actors.citra, banyuasin, cycle, content)
    assert job.status == JobStatus.DONE, job.report
    assert job.report["summary"]["updated"] == 1
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE and item.version == 2
    event = AuditEvent.objects.filter(action="actionplans.update_item", object_id=str(item.pk)).first()
    assert event is not None and event.data["changes"]["status"] == ["not_started", "done"]
    assert event.data["source"] == "import"
    # The same file again is now a no-op: idempotent.
    again = _import(actors.citra, banyuasin, cycle, content)
    assert again.report["summary"]["updated"] == 0 and again.report["summary"]["unchanged"] == 16


def test_it_adds_new_rows_once_even_without_a_code(actors, banyuasin, cycle) -> None:
    rows = [excel.item_row(i, queries.category_names(cycle)) for i in queries.plan_items(banyuasin.code, cycle)]
    rows.append({"title": "Pelatihan admin media sosial OPD", "category": "Peningkatan kapasitas SDM",
                 "owner": "Disdukcapil", "status": "Belum mulai", "due_on": "15/12/2025"})
    content = excel.write_workbook(banyuasin, cycle, rows)
    first = _import(actors.citra, banyuasin, cycle, content)
    assert first.report["summary"]["created"] == 1, first.report
    new = ActionItem.objects.get(region=banyuasin, cycle=cycle, title="Pelatihan admin media sosial OPD")
    assert new.code == "RA-2024-017"
    second = _import(actors.citra, banyuasin, cycle, content)
    assert second.report["summary"]["created"] == 0
    assert ActionItem.objects.filter(title="Pelatihan admin media sosial OPD").count() == 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_refuses_a_malformed_file_naming_row_and_column_and_writes_nothing(
        actors, banyuasin, cycle, name: str) -> None:
    expected = EXPECTED[name]
    before = snapshot()
    job = _import(actors.citra, banyuasin, cycle, (FIXTURES / name).read_bytes(), name)
    assert job.status == JobStatus.FAILED
    errors = job.report["errors"]
    assert any(e["row"] == expected["row"] and e["column"] == expected["column"]
               and expected["contains"] in e["message"] for e in errors), errors
    assert snapshot() == before  # the valid row that changes RA-2024-008 was not written either


def test_it_refuses_a_row_edited_after_someone_else_changed_the_item(actors, banyuasin, cycle) -> None:
    from kotacerdas.actionplans import actions

    content = _export(banyuasin, cycle)
    item = ActionItem.objects.get(region=banyuasin, cycle=cycle, code="RA-2024-004")
    actions.do_update_item(actors.citra, item, item.version, {"status": ActionStatus.DONE})
    stale = _set(_set(content, "RA-2024-004", "Target", "34 puskesmas dan 3 RSUD"), "RA-2024-004", "Capaian (%)", None)
    job = _import(actors.citra, banyuasin, cycle, stale)
    assert job.status == JobStatus.FAILED
    assert job.report["errors"][0]["column"] == "Versi"
    assert "diubah orang lain" in job.report["errors"][0]["message"]


def test_it_lets_an_operator_import_only_their_units_rows(actors, banyuasin, cycle) -> None:
    content = _export(banyuasin, cycle)
    own = _set(content, "RA-2024-003", "Keterangan", "Dilaksanakan di 19 kecamatan")  # Disdukcapil
    job = _import(actors.oki, banyuasin, cycle, own)
    assert job.status == JobStatus.DONE, job.report
    other = _set(_export(banyuasin, cycle), "RA-2024-006", "Keterangan", "diubah")  # PUPR's item
    job = _import(actors.oki, banyuasin, cycle, other)
    assert job.status == JobStatus.FAILED
    assert job.report["errors"][0]["row"] == 7 and "milik unit lain" in job.report["errors"][0]["message"]


def test_it_writes_progress_to_the_job_while_checking_and_ends_with_a_report(
        actors, banyuasin, cycle, monkeypatch) -> None:
    """Progress is on the Job row (where every process reads it) before the final transaction; nothing of
    the plan is written until then."""
    monkeypatch.setattr("kotacerdas.core.jobs.PROGRESS_EVERY", 0.0)
    rows = [excel.item_row(i, queries.category_names(cycle)) for i in queries.plan_items(banyuasin.code, cycle)]
    big = rows + [{"title": f"Sosialisasi desa {n}", "category": "literasi", "owner": "Diskominfo dan Statistik",
                   "status": "Belum mulai"} for n in range(1, 185)]
    before = ActionItem.objects.filter(region=banyuasin, cycle=cycle).count()
    upload = jobs.start_import(actors.citra, banyuasin, cycle, excel.write_workbook(banyuasin, cycle, big),
                               "besar.xlsx", run_now=False)
    assert upload.job is not None
    seen: list[tuple[int, int, str, str, int]] = []
    build_plan = excel.build_plan

    def watched(*args, on_progress, **kwargs):  # type: ignore[no-untyped-def]
        def watch(done: int, total: int) -> None:
            on_progress(done, total)
            # Read what the polling page reads: the Job row in the database.
            stored = Job.objects.values_list("progress", "total", "status", "message").get(pk=upload.job_id)
            seen.append((*stored, ActionItem.objects.filter(region=banyuasin, cycle=cycle).count()))
        return build_plan(*args, on_progress=watch, **kwargs)

    monkeypatch.setattr(excel, "build_plan", watched)
    run_job(upload.job.pk)
    finished = ImportJob.objects.select_related("job").get(pk=upload.pk)
    assert finished.status == JobStatus.DONE and finished.report["summary"]["created"] == 184
    assert seen[0] == (0, 200, JobStatus.RUNNING, "Memeriksa baris", before)
    stored_progress = sorted({p for p, _t, _s, _m, _n in seen})
    assert len(stored_progress) > 10 and stored_progress[-1] == 200
    assert {n for *_rest, n in seen} == {before}  # checking wrote nothing of the plan
    assert finished.progress == finished.total == 200 and finished.percent == 100
    assert finished.started_at is not None and finished.finished_at is not None
    assert finished.job is not None and finished.job.result["summary"]["created"] == 184
    assert ActionItem.objects.filter(region=banyuasin, cycle=cycle).count() == before + 184


def test_it_runs_the_web_import_and_shows_progress_via_htmx(actors, banyuasin, cycle, settings) -> None:
    settings.ACTIONPLAN_IMPORT_SYNC = True
    client = actors.client(actors.citra)
    upload = io.BytesIO((FIXTURES / "unknown_unit.xlsx").read_bytes())
    upload.name = "unknown_unit.xlsx"
    r = client.post("/wilayah/16.07/rencana-aksi/impor/", {"file": upload, "tahun": 2024}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Impor dibatalkan" in body and "Dinas Antah Berantah" in body and "<progress" in body
    job = ImportJob.objects.latest("id")
    poll = client.get(f"/wilayah/16.07/rencana-aksi/impor/{job.pk}/")
    assert poll.status_code == 200 and "hx-get" not in poll.content.decode()  # finished: polling stops


def test_it_polls_while_a_job_is_still_running(actors, banyuasin, cycle) -> None:
    job = jobs.start_import(actors.citra, banyuasin, cycle, _export(banyuasin, cycle), "x.xlsx", run_now=False)
    assert job.job is not None
    Job.objects.filter(pk=job.job.pk).update(status=JobStatus.RUNNING, attempts=1)
    job.job.status = JobStatus.RUNNING
    job_progress(job.job, 5, 16, "Memeriksa baris")
    r = actors.client(actors.citra).get(f"/wilayah/16.07/rencana-aksi/impor/{job.pk}/")
    body = r.content.decode()
    assert 'hx-get="/wilayah/16.07/rencana-aksi/impor/' in body and 'value="31"' in body
    assert "5/16" in body and "(Memeriksa baris)" in body


def _row_of(content: bytes, code: str) -> int:
    ws = load_workbook(io.BytesIO(content))["Rencana Aksi"]
    return next(n for n, row in enumerate(ws.iter_rows(min_row=2), start=2) if row[0].value == code)


def test_a_number_typed_as_text_that_reads_two_ways_is_refused_naming_row_and_column(
        actors, banyuasin, cycle) -> None:
    before = snapshot()
    content = _set(_export(banyuasin, cycle), "RA-2024-012", "Target angka", "3.650")
    plan = excel.build_plan(actors.citra, banyuasin, cycle, content)
    assert [(e.row, e.column) for e in plan.errors] == [(_row_of(content, "RA-2024-012"), "Target angka")]
    assert "'3.650' ambigu" in plan.errors[0].message and "3650" in plan.errors[0].message
    job = _import(actors.citra, banyuasin, cycle, content)
    assert job.status == JobStatus.FAILED and snapshot() == before
    # Told the file's notation, the importer reads it: 3.650 is three thousand six hundred and fifty in Indonesian.
    plan = excel.build_plan(actors.citra, banyuasin, cycle, content, decimal=",")
    assert plan.errors == []
    assert next(r for r in plan.rows if r.code == "RA-2024-012").values["target_value"] == 3650


@pytest.mark.parametrize(("decimal", "expected"), [(",", "3650.00"), (".", "3.65")])
def test_the_upload_form_says_the_notation_and_the_job_reads_the_file_in_it(
        actors, banyuasin, cycle, settings, decimal, expected) -> None:
    from decimal import Decimal

    settings.ACTIONPLAN_IMPORT_SYNC = True
    content = _set(_export(banyuasin, cycle), "RA-2024-012", "Target angka", "3.650")
    client = actors.client(actors.citra)
    page = client.get(f"/wilayah/16.07/rencana-aksi/?tahun={cycle.year}").content.decode()
    assert 'name="decimal"' in page and "Tidak ditentukan" in page
    upload = io.BytesIO(content)
    upload.name = "plan.xlsx"
    client.post("/wilayah/16.07/rencana-aksi/impor/", {"file": upload, "decimal": decimal, "tahun": cycle.year})
    job = ImportJob.objects.select_related("job").latest("pk")
    assert job.status == JobStatus.DONE, job.report
    assert job.job is not None and job.job.params["decimal"] == decimal
    item = ActionItem.objects.get(region=banyuasin, cycle=cycle, code="RA-2024-012")
    assert item.target_value == Decimal(expected)
    event = AuditEvent.objects.get(action="actionplans.import_queued", object_id=str(job.pk))
    assert event.data["decimal"] == decimal


def test_the_upload_form_names_a_bad_notation(actors, banyuasin, cycle) -> None:
    upload = io.BytesIO(_export(banyuasin, cycle))
    upload.name = "plan.xlsx"
    before = ImportJob.objects.count()
    page = actors.client(actors.citra).post("/wilayah/16.07/rencana-aksi/impor/",
                                            {"file": upload, "decimal": ";", "tahun": cycle.year}, follow=True)
    body = page.content.decode()
    assert "Format angka yang diketik sebagai teks" in body and "Pilih berkas" not in body
    assert ImportJob.objects.count() == before


def test_an_unknown_notation_is_refused_before_anything_is_stored(actors, banyuasin, cycle) -> None:
    from kotacerdas.core.errors import InvalidInput

    before = ImportJob.objects.count()
    with pytest.raises(InvalidInput) as refused:
        jobs.start_import(actors.citra, banyuasin, cycle, _export(banyuasin, cycle), "plan.xlsx", decimal=";")
    assert refused.value.context["field"] == "decimal" and ImportJob.objects.count() == before


@pytest.mark.parametrize(("text", "expected"), [("3,65", "3.65"), ("3.650,5", "3650.50"),
                                                ("1.234.567", "1234567.00"), ("12.5", "12.50")])
def test_a_number_typed_as_text_that_reads_one_way_is_imported(actors, banyuasin, cycle, text, expected) -> None:
    from decimal import Decimal

    content = _set(_export(banyuasin, cycle), "RA-2024-012", "Target angka", text)
    plan = excel.build_plan(actors.citra, banyuasin, cycle, content)
    assert plan.errors == []
    assert next(r for r in plan.rows if r.code == "RA-2024-012").values["target_value"] == Decimal(expected)
