"""Paper questionnaires in Excel: a template to fill in, and its parser (every row checked, errors name row
and column; the caller writes all rows or none)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from kotacerdas.core.sheets import cell_text
from kotacerdas.lib.cells import append as put_row
from kotacerdas.lib.cells import workbook_bytes

from .actions import ResponseInput, validate_response
from .choices import AgeBand, Gender
from .models import Survey, SurveyService
from .queries import active_services, kecamatan_of, survey_pack

SHEET = "Kuesioner"
PROFILE = [("paper_ref", "Nomor lembar"), ("date", "Tanggal isi"), ("kecamatan", "Kecamatan"),
           ("age_band", "Kelompok umur"), ("gender", "Jenis kelamin"), ("service", "Layanan")]


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


def _when(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                day = dt.datetime.strptime(cell_text(value), fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(_("Tanggal tidak valid: %(value)r (pakai format dd/mm/yyyy)") % {"value": cell_text(value)})
    # Paper sheets carry a day, not a time: count them at noon local time.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def parse_paper_workbook(survey: Survey, content: bytes
                         ) -> tuple[list[tuple[int, ResponseInput, SurveyService]], list[dict[str, Any]]]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a non-workbook
        return [], [{"row": 0, "column": "", "message": _("Berkas bukan workbook Excel (.xlsx) yang valid")}]
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [cell_text(h) for h in (next(it, None) or ())]
    pack = survey_pack(survey)
    item_codes = {i.code for i in pack.survey_items}
    errors: list[dict[str, Any]] = []
    col = {h.casefold(): i for i, h in enumerate(header) if h}
    for key, title in PROFILE:
        if title.casefold() not in col and key not in ("paper_ref", "date"):
            errors.append({"row": 1, "column": title, "message": _("Kolom wajib '%(title)s' tidak ada") % {"title": title}})
    unknown = [h for h in header if h and h.casefold() not in {t.casefold() for _, t in PROFILE}
               and h not in item_codes]
    for h in unknown:
        errors.append({"row": 1, "column": h, "message": _("Kolom/butir tidak dikenal: %(name)r") % {"name": h}})
    if errors:
        return [], errors
    kecamatan = {}
    for k in kecamatan_of(survey.region_id):
        kecamatan[k.code] = k.code
        kecamatan[k.name.casefold()] = k.code
    services: dict[str, SurveyService] = {}
    for s in active_services(survey):
        assert s.programme is not None
        for key in (s.programme.code, s.programme.title.casefold(), s.subdimension):
            services[key] = s
    ages = {**{v: v for v in AgeBand.values}, **{str(a.label).casefold(): a.value for a in AgeBand}}
    genders = {**{v.casefold(): v for v in Gender.values}, **{str(g.label).casefold(): g.value for g in Gender}}
    out: list[tuple[int, ResponseInput, SurveyService]] = []
    titles = dict(PROFILE)
    for r, raw in enumerate(it, start=2):
        cells = {h: (raw[i] if i < len(raw) else None) for h, i in col.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        row_errors: list[dict[str, Any]] = []

        def err(column: str, message: str, value: Any, _sink: list[dict[str, Any]] = row_errors,
                _row: int = r) -> None:
            _sink.append({"row": _row, "column": column, "message": message, "value": cell_text(value)})

        def get(key: str, _cells: dict[str, Any] = cells) -> Any:
            return _cells.get(titles[key].casefold())

        kec = kecamatan.get(cell_text(get("kecamatan")).casefold()) or kecamatan.get(cell_text(get("kecamatan")))
        if kec is None:
            err(titles["kecamatan"], _("Kecamatan tidak dikenal di %(region)s") % {"region": survey.region.name},
                get("kecamatan"))
        age = ages.get(cell_text(get("age_band")).casefold())
        if age is None:
            err(titles["age_band"], _("Kelompok umur tidak dikenal (17-24, 25-34, 35-44, 45-54, 55+)"), get("age_band"))
        gender = genders.get(cell_text(get("gender")).casefold())
        if gender is None:
            err(titles["gender"], _("Jenis kelamin: L, P atau X"), get("gender"))
        service = services.get(cell_text(get("service"))) or services.get(cell_text(get("service")).casefold())
        if service is None:
            err(titles["service"], _("Layanan tidak dikenal (pakai kode program, lihat lembar Petunjuk)"),
                get("service"))
        try:
            when = _when(get("date")) if "tanggal isi" in col else None
            if when is not None and not survey.in_window(when):
                err(titles["date"], _("Tanggal pengisian di luar jendela survei"), get("date"))
        except ValueError as exc:
            err(titles["date"], str(exc), get("date"))
            when = None
        answers: dict[str, int] = {}
        for code in item_codes:
            if code.casefold() not in col:
                continue
            value = cells.get(code.casefold())
            text = cell_text(value)
            if text == "":
                continue
            if not text.isdigit():
                err(code, _("Jawaban harus angka %(lo)s–%(hi)s") % {"lo": pack.survey_scale_min, "hi": pack.survey_scale_max},
                    value)
                continue
            answers[code] = int(text)
        if not row_errors and service is not None:
            data = ResponseInput(service=service.pk, kecamatan=str(kec), age_band=str(age), gender=str(gender),
                                 answers=answers, submitted_at=when, paper_ref=cell_text(get("paper_ref"))
                                 if titles["paper_ref"].casefold() in col else "")
            problems, _service = validate_response(survey, data)
            for name, message in problems.items():
                err(name if name in item_codes else titles.get(name, name), message,
                    answers.get(name, "") if name in item_codes else "")
            if not problems:
                out.append((r, data, service))
        errors.extend(row_errors)
    wb.close()
    return out, errors
