"""Excel interchange: the national ranking and the raw data of a cycle.

The evaluation worksheet of a region (export, validated import, its running score by formula) lives in
:mod:`.worksheet`; the import report every importer returns in :mod:`.importreport`. Both are
re-exported here, where callers have always found them.
"""

from __future__ import annotations

import json

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kotacerdas.core.provenance import mark_workbook
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Answer, Cycle, Result, Submission
from kotacerdas.lib.cells import append as put_row
from kotacerdas.lib.cells import workbook_bytes

from .importreport import ImportFailed, ImportReport, RowError
from .worksheet import (
    COL,
    COLUMNS,
    EDITABLE,
    META_SHEET,
    export_worksheet,
    export_worksheet_for,
    import_worksheet,
)

__all__ = ["COL", "COLUMNS", "EDITABLE", "META_SHEET", "ImportFailed", "ImportReport", "RowError", "export_raw",
           "export_ranking", "export_worksheet", "export_worksheet_for", "import_worksheet"]

HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
BOLD = Font(bold=True)


def _to_bytes(wb: Workbook) -> bytes:
    return workbook_bytes(wb)  # no text becomes a formula (lib/cells)


def _header(ws: Worksheet, headers: list[str], widths: list[int] | None = None) -> None:
    put_row(ws, headers)
    for i, _h in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        if widths:
            ws.column_dimensions[get_column_letter(i)].width = widths[i - 1]
    ws.freeze_panes = "A2"


# --- national ranking and raw data ---------------------------------------------------------------------

def _result_rows(cycle: Cycle, published_only: bool) -> list[Result]:
    qs = Result.objects.filter(cycle=cycle).select_related("region", "region__parent").defer("trace")
    if published_only:
        qs = qs.filter(is_published=True)
    return sorted(qs, key=lambda r: (r.rank is None, r.rank or 0, r.region_id))


def export_ranking(cycle: Cycle, *, published_only: bool = True) -> bytes:
    pack = queries.cycle_pack(cycle)
    classes = dict(cycle.participants.values_list("region_id", "region_class"))
    wb = Workbook()
    ws = wb.active
    ws.title = "Peringkat"
    dims = [d for d in pack.dimensions]
    headers = ["Peringkat", "Kode", "Kabupaten/Kota", "Provinsi", "Kelas", "Indeks", "Predikat", "Peningkatan",
               *[d.name for d in dims], *[p.name for p in pack.pillars], "Diterbitkan"]
    _header(ws, headers, [10, 9, 32, 26, 7, 9, 14, 12, *[12] * len(dims), *[14] * len(pack.pillars), 12])
    for r in _result_rows(cycle, published_only):
        put_row(ws, [
            r.rank, r.region_id, r.display_name, r.region.parent.name if r.region.parent else "",
            classes.get(r.region_id, ""), float(r.index), r.published_predicate.label or "",
            float(r.improvement) if r.improvement is not None else None,
            *[r.dimensions.get(d.code) for d in dims], *[(r.pillars or {}).get(p.code) for p in pack.pillars],
            "ya" if r.is_published else "belum",
        ])
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=8 + len(dims) + len(pack.pillars)):
        for cell in row:
            cell.number_format = "0.00"
    ws.auto_filter.ref = ws.dimensions
    if cycle.is_demo:
        mark_workbook(wb)
    return _to_bytes(wb)


def export_raw(cycle: Cycle) -> bytes:
    """Everything behind a cycle's results, for analysts: results with exact values, submissions,
    every answer and the consensus/assessor levels (national-admin data)."""
    from kotacerdas.evaluations.models import AssessmentScore, ConsensusScore

    wb = Workbook()
    ws = wb.active
    ws.title = "Hasil"
    _header(ws, ["Kode", "Wilayah", "Indeks", "Indeks (tanpa pembulatan)", "Rata-rata", "Predikat", "Peringkat",
                 "Indeks tahun lalu", "Peningkatan", "Dimensi (JSON)", "Pilar (JSON)", "Paket", "Sidik paket",
                 "Dihitung", "Diterbitkan"])
    for r in _result_rows(cycle, published_only=False):
        put_row(ws, [r.region_id, r.display_name, float(r.index), r.index_raw,
                   float(r.mean) if r.mean is not None else None, r.published_predicate.label or "", r.rank,
                   float(r.previous_index) if r.previous_index is not None else None,
                   float(r.improvement) if r.improvement is not None else None,
                   json.dumps(r.dimensions, ensure_ascii=False), json.dumps(r.pillars, ensure_ascii=False),
                   f"{r.pack_code}@{r.pack_version}", r.pack_digest,
                   timezone.localtime(r.computed_at).strftime("%Y-%m-%d %H:%M"), r.is_published])
    subs = wb.create_sheet("Pengajuan")
    _header(subs, ["ID", "Kode", "Tahap", "Status", "Dikirim", "Versi"])
    for s in Submission.objects.filter(cycle=cycle).order_by("region_id", "stage"):
        put_row(subs, [s.pk, s.region_id, s.stage, s.status,
                     timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M") if s.submitted_at else None,
                     s.version])
    ans = wb.create_sheet("Jawaban")
    _header(ans, ["ID pengajuan", "Kode", "Tahap", "Indikator", "Tingkat", "Skor diberikan", "Penjelasan"])
    for a in (Answer.objects.active().filter(submission__cycle=cycle).select_related("submission")
              .order_by("submission__region_id", "submission__stage", "indicator").iterator(chunk_size=2000)):
        put_row(ans, [a.submission_id, a.submission.region_id, a.submission.stage, a.indicator, a.level,
                    float(a.given_score) if a.given_score is not None else None, a.justification])
    sc = wb.create_sheet("Skor asesor")
    _header(sc, ["ID pengajuan", "Kode", "Asesor", "Indikator", "Tingkat"])
    for s in (AssessmentScore.objects.active().filter(assessment__submission__cycle=cycle)
              .select_related("assessment__submission").order_by("assessment__submission__region_id",
                                                                 "assessment__assessor_id", "indicator")
              .iterator(chunk_size=2000)):
        put_row(sc, [s.assessment.submission_id, s.assessment.submission.region_id, s.assessment.assessor_id,
                   s.indicator, s.level])
    cs = wb.create_sheet("Konsensus")
    _header(cs, ["ID pengajuan", "Kode", "Indikator", "Tingkat"])
    for c in ConsensusScore.objects.active().filter(submission__cycle=cycle).select_related("submission").order_by(
            "submission__region_id", "indicator"):
        put_row(cs, [c.submission_id, c.submission.region_id, c.indicator, c.level])
    if cycle.is_demo:
        mark_workbook(wb)
    return _to_bytes(wb)
