"""Paper questionnaires in Excel: a template to fill in, and its parser (every row checked, errors name row
and column; the caller writes all rows or none)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from kotacerdas.core.rows import check_row
from kotacerdas.core.sheets import Unreadable, cell_text, read_table
from kotacerdas.lib.cells import append as put_row
from kotacerdas.lib.cells import workbook_bytes

from .choices import AgeBand
from .models import Survey, SurveyService
from .queries import active_services, survey_pack
from .validation import PROFILE, PaperLookups, PaperRow, ResponseInput

SHEET = "Kuesioner"


def paper_template(survey: Survey) -> bytes:
    pack = survey_pack(survey)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    headers = [h for _, h in PROFILE] + [i.code for i in pack.survey_items]
    put_row(ws, headers)
    fill = PatternFill("solid", fgColor="0B5CAD")
    for c, cell in enumerate(ws[1], start=1):
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), fill
        if c > len(PROFILE):
            cell.comment = Comment(pack.survey_items[c - len(PROFILE) - 1].text, "kotacerdas")
    help_ws = wb.create_sheet("Petunjuk")
    put_row(help_ws, ["Isi satu baris per lembar kuesioner. Jawab hanya butir milik layanan yang dipilih (1–5)."])
    put_row(help_ws, ["Layanan", "kode program", "sub-dimensi"])
    for s in active_services(survey):
        assert s.programme is not None
        put_row(help_ws, [s.programme.title, s.programme.code, s.subdimension])
    put_row(help_ws, [])
    put_row(help_ws, ["Kelompok umur"] + list(AgeBand.values))
    put_row(help_ws, ["Jenis kelamin", "L", "P", "X (tidak ingin menyebutkan)"])
    return workbook_bytes(wb)


def parse_paper_workbook(survey: Survey, content: bytes
                         ) -> tuple[list[tuple[int, ResponseInput, SurveyService]], list[dict[str, Any]]]:
    """Every row of a filled-in template checked (:class:`~.validation.PaperRow`): the clean rows, and
    every problem as {row, column, message, value}. The caller writes all rows or none."""
    try:
        table = read_table(content, sheet=SHEET)
    except Unreadable as exc:
        return [], [{"row": 0, "column": "", "message": exc.message}]
    look = PaperLookups(survey)
    item_codes = {i.code for i in look.pack.survey_items}
    titles = dict(PROFILE)
    errors: list[dict[str, Any]] = []
    profile = table.locate(titles)
    for key, title in PROFILE:
        if key not in profile and key not in ("paper_ref", "date"):
            errors.append({"row": 1, "column": title, "message": _("Kolom wajib '%(title)s' tidak ada") % {"title": title}})
    known = {t.casefold() for t in titles.values()}
    for h in table.header:
        if h and h.casefold() not in known and h not in item_codes:
            errors.append({"row": 1, "column": h, "message": _("Kolom/butir tidak dikenal: %(name)r") % {"name": h}})
    if errors:
        return [], errors
    answers = table.locate({code: code for code in item_codes})
    out: list[tuple[int, ResponseInput, SurveyService]] = []
    for r, cells in table.records({**profile, **{f"answers.{c}": i for c, i in answers.items()}}):
        record: dict[str, Any] = {k: v for k, v in cells.items() if not k.startswith("answers.")}
        record["answers"] = {k.removeprefix("answers."): v for k, v in cells.items() if k.startswith("answers.")}
        row, problems = check_row(PaperRow, record, {"lookups": look})
        for field, message in problems:
            if field in item_codes:
                errors.append({"row": r, "column": field, "message": message, "value": cell_text(record["answers"].get(field))})
            else:
                errors.append({"row": r, "column": titles.get(field, field), "message": message,
                               "value": cell_text(record.get(field))})
        if row is not None and row.service is not None:
            out.append((r, row.response(), row.service))
    return out, errors
