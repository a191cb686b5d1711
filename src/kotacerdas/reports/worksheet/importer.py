"""Importing the evaluation worksheet: all or nothing, rows validated by :class:`.schema.WorksheetRow`,
changed rows saved through ``do_save_answer`` (see the package doc)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import ActionError, StaleEdit
from kotacerdas.core.rows import check_row
from kotacerdas.core.sheets import Unreadable, open_workbook
from kotacerdas.core.sheets import cell_text as _text
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.models import Answer, Evidence, Submission

from ..importreport import ImportFailed, ImportReport, RowError
from . import formulas as fx
from .layout import EDITABLE, META_SHEET, REQUIRED, TITLES, dimension_titles
from .schema import WorksheetRow

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class _Row:
    sheet: str
    row: int
    columns: dict[str, str]  # key -> column letter in this file
    data: WorksheetRow
    programme: Programme | None


def _read_rows(wb: Any, submission: Submission, report: ImportReport) -> list[_Row]:
    pack = queries.cycle_pack(submission.cycle)
    programmes = {p.code: p for p in Programme.objects.filter(region_id=submission.region_id)}
    shares = fx.shares(pack)
    titles = dimension_titles(pack)
    meta = wb[META_SHEET] if META_SHEET in wb.sheetnames else None
    if meta is not None:
        sub_id = meta["B7"].value
        if sub_id not in (None, "") and str(sub_id) != str(submission.pk):
            report.errors.append(RowError(META_SHEET, 7, "B", _(
                "Berkas ini milik pengajuan %(file)s, bukan %(submission)s (%(region)s %(year)s)") % {
                "file": sub_id, "submission": submission.pk, "region": submission.region_id,
                "year": submission.cycle.year}))
    missing = [t for t in titles if t not in wb.sheetnames]
    if missing:
        report.errors.append(RowError(missing[0], 1, "A", _("Lembar dimensi tidak ada: %(sheets)s")
                                      % {"sheets": ", ".join(missing)}))
    seen: dict[str, tuple[str, int]] = {}
    out: list[_Row] = []
    for title, dim in titles.items():
        if title not in wb.sheetnames:
            continue
        ws = wb[title]
        header = [_text(c.value) for c in ws[1]]
        by_title = {h: i for i, h in reversed(list(enumerate(header))) if h}
        found = {key: by_title[TITLES[key]] for key in TITLES if TITLES[key] in by_title}
        if any(key not in found for key in REQUIRED):
            report.errors.append(RowError(title, 1, "A", _("Judul kolom berubah; pakai berkas hasil ekspor")))
            continue
        letters = {key: get_column_letter(i + 1) for key, i in found.items()}
        indicators = {n.code: n for n in dim.indicators()}
        structure = {n.code for n in dim.walk() if not n.is_indicator}
        context = {"pack": pack, "dimension": dim, "indicators": indicators, "shares": shares,
                   "programmes": programmes, "columns": set(found)}
        fields = [k for k in found if k in WorksheetRow.model_fields]
        for r, values in enumerate(ws.iter_rows(min_row=2, max_col=max(found.values()) + 1, values_only=True),
                                   start=2):
            raw = {key: values[found[key]] if found[key] < len(values) else None for key in fields}
            code = _text(raw.get("code"))
            if code in structure:
                continue  # a group's or the dimension's own row: formulas and labels only, never read
            if not code and not any(_text(raw.get(k)) for k in EDITABLE):
                continue
            report.rows += 1
            row, problems = check_row(WorksheetRow, raw, context)
            for problem in problems:
                report.errors.append(RowError(title, r, letters.get(problem.field, letters["code"]), problem.message))
            if row is None:
                continue
            if row.code in seen:
                report.errors.append(RowError(title, r, letters["code"], _(
                    "Indikator %(code)s ganda (juga di %(sheet)s baris %(row)s)")
                    % {"code": row.code, "sheet": seen[row.code][0], "row": seen[row.code][1]}))
                continue
            seen[row.code] = (title, r)
            out.append(_Row(title, r, letters, row, programmes.get(row.programme) if row.programme else None))
    return out


def import_worksheet(actor: User, submission: Submission, source: bytes | IO[bytes], *,
                     dry_run: bool = False) -> ImportReport:
    """Validate the whole workbook, then save every changed row through `do_save_answer` in one
    transaction. Raises `ImportFailed` (nothing saved) when any row is wrong. Formulas are never read
    (the values are what the engine computes from the saved levels)."""
    report = ImportReport()
    try:
        wb = open_workbook(source, read_only=False)  # values only: a formula is never read
    except Unreadable as exc:
        report.errors.append(RowError("-", 0, "-", exc.message))
        raise ImportFailed(report) from exc
    rows = _read_rows(wb, submission, report)
    if report.errors:
        raise ImportFailed(report)
    answers = {a.indicator: a for a in Answer.objects.filter(submission=submission).select_related("programme")}
    names = {n.code: n.name for n in queries.cycle_pack(submission.cycle).indicators()}
    existing_links = set(Evidence.objects.filter(submission=submission, archived_at__isnull=True)
                         .exclude(url="").values_list("indicator", "url"))
    try:
        with transaction.atomic():
            for row in rows:
                _save_row(actor, submission, row, answers.get(row.data.code), names, existing_links, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _save_row(actor: User, submission: Submission, row: _Row, current: Answer | None, names: dict[str, str],
              existing_links: set[tuple[str, str]], report: ImportReport) -> None:
    data = row.data
    programme_id = row.programme.pk if row.programme else None
    same = (current is not None and current.level == data.level and current.justification == data.justification
            and current.programme_id == programme_id) or (
        current is None and data.level is None and not data.justification and row.programme is None)
    new_links = [u for u in data.evidence if (data.code, u) not in existing_links]
    if same and not new_links:
        report.unchanged += 1
        return
    change: dict[str, Any] = {}
    if not same:
        old_level = current.level if current is not None else None
        old_text = current.justification if current is not None else ""
        old_prog = current.programme_id if current is not None else None
        if old_level != data.level:
            change["level"] = [old_level, data.level]
        if old_text != data.justification:
            change["justification"] = [old_text, data.justification]
        if old_prog != programme_id:
            change["programme"] = [str(current.programme) if current and current.programme_id else None,
                                   str(row.programme) if row.programme else None]
    if new_links:
        change["links"] = [None, new_links]
    report.changes.append({"row": row.row, "sheet": row.sheet, "code": data.code,
                           "title": names.get(data.code, data.code),
                           "action": "create" if current is None else "update", "fields": change})
    try:
        if not same:
            actions.do_save_answer(actor, submission, data.code, data.level, data.justification,
                                   expected_version=data.version, programme=row.programme)
            report.changed += 1
        for url in new_links:
            actions.do_add_evidence_link(actor, submission, data.code, url, description="Impor lembar kerja")
            existing_links.add((data.code, url))
            report.links_added += 1
    except ActionError as exc:
        field_name = str(exc.context.get("field", "level"))
        if isinstance(exc, StaleEdit):
            field_name = "version"
        column = field_name if field_name in row.columns else ("evidence" if "url" in field_name else "level")
        report.errors.append(RowError(row.sheet, row.row, row.columns.get(column, "A"), exc.message))
        raise ImportFailed(report) from exc


class _DryRun(Exception):
    pass

