"""Excel: the evaluation worksheet round trip (through do_save_answer), validation, ranking and raw data."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.core.provenance import DEMO_SHEET
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Answer, Cycle, Result
from kotacerdas.reports import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission():
    return queries.stage_submission(Cycle.objects.get(year=2024), "16.07")


def _row_of(ws, code: str) -> int:
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == code:
            return r
    raise AssertionError(code)


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_exports_one_sheet_per_dimension_with_levels_and_evidence(submission) -> None:
    wb = load_workbook(io.BytesIO(xlsx.export_worksheet(submission)))
    pack = queries.cycle_pack(submission.cycle)
    # demo data: notice first; the running score, one sheet per dimension, the programme codes
    assert wb.sheetnames == [DEMO_SHEET, "Petunjuk", "Ringkasan", *[d.name for d in pack.dimensions], "Program"]
    ws = wb[pack.dimensions[1].name]  # Output
    r = _row_of(ws, "output.kebijakan.masterplan")
    assert ws.cell(row=r, column=xlsx.COL["level"]).value == 4
    assert "[berkas]" in ws.cell(row=r, column=xlsx.COL["evidence"]).value
    assert ws.cell(row=r, column=xlsx.COL["version"]).value >= 1


def test_it_round_trips_the_worksheet_through_do_save_answer(actors, submission) -> None:
    data = xlsx.export_worksheet(submission)
    unchanged = xlsx.import_worksheet(actors.citra, submission, data)
    assert unchanged.ok and unchanged.changed == 0 and unchanged.rows == 50  # one row per indicator of kominfo-2021 2021.2

    wb = load_workbook(io.BytesIO(data))
    ws = wb["Output"]
    r = _row_of(ws, "output.kelembagaan.forum")
    ws.cell(row=r, column=xlsx.COL["level"]).value = 3
    ws.cell(row=r, column=xlsx.COL["justification"]).value = "Forum rapat tiap triwulan sejak 2024."
    ws.cell(row=r, column=xlsx.COL["evidence"]).value = "https://banyuasinkab.go.id/forum-smart-city"
    before = AuditEvent.objects.filter(action="evaluations.save_answer").count()
    report = xlsx.import_worksheet(actors.citra, submission, _save(wb))
    assert report.ok and report.changed == 1 and report.links_added == 1
    answer = Answer.objects.get(submission=submission, indicator="output.kelembagaan.forum")
    assert answer.level == 3 and answer.justification.startswith("Forum rapat")
    assert AuditEvent.objects.filter(action="evaluations.save_answer").count() == before + 1

    # Exported again, the change is there: the file is the same format in both directions.
    again = load_workbook(io.BytesIO(xlsx.export_worksheet(submission)))["Output"]
    assert again.cell(row=_row_of(again, "output.kelembagaan.forum"), column=xlsx.COL["level"]).value == 3


def test_it_rejects_the_whole_file_and_names_sheet_row_and_column(actors, submission) -> None:
    wb = load_workbook(io.BytesIO(xlsx.export_worksheet(submission)))
    ws = wb["Output"]
    good = _row_of(ws, "output.kelembagaan.forum")
    bad = _row_of(ws, "output.anggaran.apbd")
    ws.cell(row=good, column=xlsx.COL["level"]).value = 4
    ws.cell(row=bad, column=xlsx.COL["level"]).value = 7
    impact = wb["Impact"]
    first = _row_of(impact, "impact.survei.layanan_publik")
    impact.cell(row=first, column=xlsx.COL["programme"]).value = "tidak-ada"
    with pytest.raises(xlsx.ImportFailed) as caught:
        xlsx.import_worksheet(actors.citra, submission, _save(wb))
    errors = {(e.sheet, e.row, e.column) for e in caught.value.report.errors}
    assert ("Output", bad, get_column_letter(xlsx.COL["level"])) in errors
    assert ("Impact", first, get_column_letter(xlsx.COL["programme"])) in errors
    assert Answer.objects.get(submission=submission, indicator="output.kelembagaan.forum").level == 2


def test_it_applies_permissions_and_stale_edits_per_row(actors, submission) -> None:
    from kotacerdas.evaluations.actions import do_save_answer

    data = xlsx.export_worksheet(submission)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Output"]
    r = _row_of(ws, "output.kelembagaan.forum")
    ws.cell(row=r, column=xlsx.COL["level"]).value = 1
    edited = _save(wb)
    with pytest.raises(xlsx.ImportFailed) as caught:
        xlsx.import_worksheet(actors.eka, submission, edited)  # the Bupati reads, never edits
    assert caught.value.report.errors[0].row == r
    # Someone changed the answer after the export: the import must not overwrite it silently.
    do_save_answer(actors.citra, submission, "output.kelembagaan.forum", 3, "diubah di web")
    with pytest.raises(xlsx.ImportFailed) as caught:
        xlsx.import_worksheet(actors.citra, submission, edited)
    assert "baru saja diubah" in caught.value.report.errors[0].message
    assert Answer.objects.get(submission=submission, indicator="output.kelembagaan.forum").level == 3


def test_it_refuses_a_file_that_is_not_a_workbook(actors, submission) -> None:
    with pytest.raises(xlsx.ImportFailed):
        xlsx.import_worksheet(actors.citra, submission, b"not a workbook")


def test_it_exports_the_national_ranking_in_rank_order() -> None:
    cycle = Cycle.objects.get(year=2023, pack_code="kominfo-2021")
    ws = load_workbook(io.BytesIO(xlsx.export_ranking(cycle)))["Peringkat"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == Result.objects.filter(cycle=cycle, is_published=True).count()
    ranks = [r[0] for r in rows]
    assert ranks == sorted(ranks) and ranks[0] == 1
    banyuasin = next(r for r in rows if r[1] == "16.07")
    assert banyuasin[5] == pytest.approx(2.87)


def test_it_exports_raw_data_with_answers() -> None:
    wb = load_workbook(io.BytesIO(xlsx.export_raw(Cycle.objects.get(year=2024))))
    assert wb.sheetnames == [DEMO_SHEET, "Hasil", "Pengajuan", "Jawaban", "Skor asesor", "Konsensus"]
    assert wb["Jawaban"].max_row > 100
    assert wb["Skor asesor"].max_row > 100
