"""The evaluation worksheet of a region, as a Pemda officer fills it in: export and validated import.

One sheet per dimension with one row per indicator (its groups and the dimension itself as rows too):
the indicator's weight, the "Tingkat" (level) column with the rubric beside it, the officer's
justification, a related programme (a drop-down of the region's programme codes) and evidence links.
A "Nilai" column and the "Ringkasan" sheet compute every group, dimension and the index by formula from
the levels, as the scoring engine does (:mod:`.worksheet_formulas`), so the score changes as the officer
types. Every sheet is protected without a password: the read-only columns (codes, names, weights,
rubric, Versi, formulas) are locked against slips, the input columns are not; anyone may lift the
protection (Review → Unprotect sheet), which is why the import checks the read-only columns itself and
never reads a formula.

Importing is all-or-nothing: every row is validated first against a declarative row schema
(:class:`WorksheetRow`) and errors name the sheet, row and column; only when the whole file is clean are
the changed rows saved, each through `evaluations.actions.do_save_answer` so permissions, locking,
stale-edit detection and the audit trail apply exactly as in the web form.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import ActionError, StaleEdit
from kotacerdas.core.provenance import DEMO_SHEET, built_from_demo, mark_workbook, region_label
from kotacerdas.core.sheets import cell_text as _text
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations.choices import EvidenceKind
from kotacerdas.evaluations.models import Answer, Evidence, Submission
from kotacerdas.lib.cells import append as put_row
from kotacerdas.lib.cells import neutralise_workbook
from kotacerdas.scoring.packs import Node, Pack

from . import worksheet_formulas as fx
from .importreport import ImportFailed, ImportReport, RowError

HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFFBE6")
GROUP_FILL = PatternFill("solid", fgColor="E8EEF5")
DIMENSION_FILL = PatternFill("solid", fgColor="C9DAEC")
BOLD = Font(bold=True)
META_SHEET = "Petunjuk"
SUMMARY_SHEET = "Ringkasan"
PROGRAMME_SHEET = "Program"
# Column order of a dimension sheet; the header text is what people see (and what the import finds the
# columns by), the key what the import reads.
COLUMNS: list[tuple[str, str, int]] = [
    ("code", "Kode indikator", 30),
    ("name", "Indikator", 44),
    ("weight", "Bobot (% indeks)", 10),
    ("level", "Tingkat", 9),
    ("levels", "Deskripsi tingkat (rujukan)", 60),
    ("justification", "Penjelasan / catatan", 44),
    ("programme", "Program terkait (kode)", 18),
    ("evidence", "Bukti dukung (satu tautan per baris)", 40),
    ("version", "Versi", 7),
    ("value", "Nilai (rumus)", 11),
]
COL = {key: i + 1 for i, (key, _h, _w) in enumerate(COLUMNS)}
TITLES = {key: title for key, title, _w in COLUMNS}
EDITABLE = ("level", "justification", "programme", "evidence")
REQUIRED = ("code", "level", "justification", "programme", "evidence", "version")
READ_ONLY_REFERENCE = ("name", "weight", "levels")  # checked when the file has them (older files do not)
RULE_TEXT = {
    "weighted_mean": "Rata-rata berbobot dari baris di bawahnya",
    "mean": "Rata-rata dari baris di bawahnya",
    "max": "Nilai tertinggi dari baris di bawahnya",
    "min": "Nilai terendah dari baris di bawahnya",
}
RESERVED = (META_SHEET, SUMMARY_SHEET, PROGRAMME_SHEET, DEMO_SHEET)


def _sheet_title(name: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique.
    clean = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Dimensi"
    title, n = clean, 2
    while title.lower() in used:
        title = f"{clean[:28]} {n}"
        n += 1
    used.add(title.lower())
    return title


def dimension_titles(pack: Pack) -> dict[str, Node]:
    """Sheet title -> dimension, the same on export and import."""
    used = {t.lower() for t in RESERVED}
    return {_sheet_title(dim.name, used): dim for dim in pack.dimensions}


def levels_text(node: Node) -> str:
    return "\n".join(f"{lvl}: {text}" for lvl, text in node.levels)


def _same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "\n".join(line.strip() for line in s.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    return norm(a) == norm(b)


# --- export ------------------------------------------------------------------------------------------

def _style_header(ws: Worksheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 32


def _fit_height(ws: Worksheet, r: int) -> None:
    """Give row ``r`` the height its wrapped text needs (spreadsheet programs keep the stored height)."""
    lines = 1
    for cell in ws[r]:
        if not isinstance(cell.value, str) or not (cell.alignment and cell.alignment.wrap_text):
            continue
        width = ws.column_dimensions[cell.column_letter].width or 10
        per_line = max(int(width * 1.1), 8)
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in cell.value.split("\n")))
    if lines > 1:
        ws.row_dimensions[r].height = min(15 * lines, 400)


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, all columns on one page width, the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"


def _protect(ws: Worksheet) -> None:
    """Protect the sheet without a password: a guard against slips, not a lock (see the module doc).
    Filtering, resizing columns and rows stay allowed."""
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _programmes_for(submission: Submission, answers: dict[str, Answer]) -> list[Programme]:
    referenced = {a.programme_id for a in answers.values() if a.programme_id}
    qs = Programme.objects.filter(region_id=submission.region_id).select_related("owner", "pillar")
    return sorted((p for p in qs if p.archived_at is None or p.pk in referenced),
                  key=lambda p: (p.pillar.order if p.pillar else 0, p.code))


def export_worksheet(submission: Submission) -> bytes:
    cycle = submission.cycle
    pack = queries.cycle_pack(cycle)
    with_formulas = fx.supported(pack)
    answers = {a.indicator: a for a in Answer.objects.filter(submission=submission).select_related("programme")}
    evidence: dict[str, list[str]] = {}
    for e in Evidence.objects.filter(submission=submission, archived_at__isnull=True).order_by("id"):
        line = e.url if e.kind != EvidenceKind.FILE else f"[berkas] {e.original_name} ({e.sha256[:12]})"
        evidence.setdefault(e.indicator, []).append(line)
    programmes = _programmes_for(submission, answers)

    wb = Workbook()
    meta = wb.active
    meta.title = META_SHEET
    _write_meta(meta, submission, pack, with_formulas)
    if built_from_demo(submission.region, cycle):
        mark_workbook(wb)
    summary = wb.create_sheet(SUMMARY_SHEET)
    share = fx.shares(pack)
    scale = f"{pack.scale_min}–{pack.scale_max}"
    layouts: list[fx.SheetLayout] = []
    formulas: dict[str, dict[str, str]] = {}
    for title, dim in dimension_titles(pack).items():
        ws = wb.create_sheet(title)
        layout = fx.lay_out(title, dim)
        layouts.append(layout)
        put_row(ws, [h for _k, h, _w in COLUMNS])
        _style_header(ws, [w for _k, _h, w in COLUMNS])
        level_check = DataValidation(
            type="whole", operator="between", formula1=str(pack.scale_min), formula2=str(pack.scale_max),
            allow_blank=True, showErrorMessage=True, showInputMessage=True, errorTitle="Tingkat",
            error=f"Tingkat {scale} (bilangan bulat); deskripsi tiap tingkat ada di kolom sebelah kanan.",
            promptTitle="Tingkat", prompt=f"Isi {scale}; lihat deskripsi tingkat di kolom sebelah kanan.")
        ws.add_data_validation(level_check)
        programme_check = None
        if programmes:
            programme_check = DataValidation(
                type="list", formula1=f"{fx.quote_sheet(PROGRAMME_SHEET)}!$A$2:$A${len(programmes) + 1}",
                allow_blank=True, showErrorMessage=True, errorTitle="Program",
                error="Pilih kode dari daftar (lembar Program): program katalog wilayah ini.")
            ws.add_data_validation(programme_check)
        for node in layout.nodes:
            r = layout.row[node.code]
            weight = share.get(node.code)
            if node.is_indicator:
                a = answers.get(node.code)
                put_row(ws, [node.code, node.name, float(weight) if weight is not None else None,
                             a.level if a else None, levels_text(node), a.justification if a else "",
                             a.programme.code if a and a.programme else "",
                             "\n".join(evidence.get(node.code, [])), a.version if a else 0, None])
                level_check.add(f"{get_column_letter(COL['level'])}{r}")
                if programme_check is not None:
                    programme_check.add(f"{get_column_letter(COL['programme'])}{r}")
                for key, _h, _w in COLUMNS:
                    cell = ws.cell(row=r, column=COL[key])
                    if key in EDITABLE:
                        cell.protection = Protection(locked=False)
                        cell.fill = INPUT_FILL
                    else:
                        cell.fill = LOCKED_FILL
                    if key in ("name", "levels", "justification", "evidence"):
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                    else:
                        centred = key in ("level", "version")
                        cell.alignment = Alignment(vertical="top", horizontal="center" if centred else None)
            else:
                label = f"SKOR DIMENSI · {node.name}" if node.kind == "dimension" else node.name
                put_row(ws, [node.code, label, float(weight) if weight is not None else None, None,
                             RULE_TEXT.get(node.rule or "mean", ""), None, None, None, None, None])
                fill = DIMENSION_FILL if node.kind == "dimension" else GROUP_FILL
                for i in range(1, len(COLUMNS) + 1):
                    cell = ws.cell(row=r, column=i)
                    cell.fill = fill
                    cell.font = BOLD
                    cell.alignment = Alignment(wrap_text=i in (COL["name"], COL["levels"]), vertical="top")
            _fit_height(ws, r)
            ws.cell(row=r, column=COL["weight"]).number_format = "0.0%"
            ws.cell(row=r, column=COL["value"]).number_format = "0.00##"
        ws.freeze_panes = "C3"
        _print_setup(ws)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{layout.last_row}"
        if with_formulas:
            sheet_formulas = fx.sheet_formulas(pack, layout)
            dim_value = layout.value(dim.code)
            sheet_formulas[f"{get_column_letter(COL['level'])}{fx.DIMENSION_ROW}"] = fx.shown(pack, dim_value)
            formulas[title] = sheet_formulas
            ws.cell(row=fx.DIMENSION_ROW, column=COL["level"]).number_format = "0.00"
            ws.cell(row=fx.DIMENSION_ROW, column=COL["level"]).font = Font(bold=True, size=12)
            ws.cell(row=fx.DIMENSION_ROW, column=COL["level"]).alignment = Alignment(horizontal="center")
    index_cell = _write_summary(summary, pack, layouts, share, with_formulas, formulas)
    if with_formulas:
        # The running index on every dimension sheet too, beside the dimension's own score; the label is
        # in the number format, so the formula stays a bare reference.
        for layout in layouts:
            where = f"{get_column_letter(COL['justification'])}{fx.DIMENSION_ROW}"
            formulas[layout.title][where] = f"={fx.quote_sheet(SUMMARY_SHEET)}!{index_cell}"
            cell = wb[layout.title][where]
            cell.number_format = '"Indeks sementara (semua dimensi): "0.00'
            cell.font = Font(bold=True, size=12)
    _write_programmes(wb.create_sheet(PROGRAMME_SHEET), programmes)

    # Everything a person typed is made safe first; only then go in the formulas we built ourselves
    # from the pack's structure, each checked to hold nothing but references, numbers and a few functions.
    neutralise_workbook(wb)
    for title, cells in formulas.items():
        ws = wb[title]
        for coordinate, formula in cells.items():
            ws[coordinate] = fx.check_formula(formula, wb.sheetnames)
    for ws in wb.worksheets:
        _protect(ws)
    wb.calculation.fullCalcOnLoad = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_meta(meta: Worksheet, submission: Submission, pack: Pack, with_formulas: bool) -> None:
    cycle = submission.cycle
    rows: list[tuple[Any, Any]] = [
        ("Lembar kerja evaluasi Smart City", ""),
        ("Wilayah", f"{submission.region_id} {region_label(submission.region)}"),
        ("Tahun", cycle.year),
        ("Tahap", submission.get_stage_display()),
        ("Status", submission.get_status_display()),
        ("Paket rubrik", f"{pack.code}@{pack.version}"),
        ("ID pengajuan", submission.pk),  # B7: the import checks it belongs to the submission
        ("Diekspor", timezone.localtime().strftime("%d-%m-%Y %H:%M")),
        ("Skala tingkat", f"{pack.scale_min}–{pack.scale_max}"),
        ("", ""),
        ("Cara mengisi", "Isi kolom Tingkat (berlatar kuning; deskripsi tiap tingkat ada di kolom sebelahnya), "
                         "Penjelasan, Program terkait (pilih kode dari daftar) dan tautan Bukti dukung pada tiap "
                         "lembar dimensi. Unggah kembali berkas ini: semua baris diperiksa dulu; bila ada satu "
                         "kesalahan, tidak ada yang disimpan."),
        ("", "Berkas bukti (PDF, gambar) diunggah lewat aplikasi; di sini hanya tercantum namanya."),
        ("Kolom terkunci", "Kode, nama indikator, bobot, deskripsi tingkat, Versi dan kolom rumus dikunci dengan "
                           "proteksi lembar tanpa kata sandi, hanya agar tidak terubah tanpa sengaja (Tinjau → "
                           "Buka proteksi lembar membukanya). Saat impor kolom itu tetap diperiksa: berkas dengan "
                           "kode, bobot atau deskripsi yang diubah ditolak dengan nama baris dan kolomnya."),
    ]
    if with_formulas:
        policy = {"zero": f"Tingkat yang kosong dihitung {pack.scale_min} (nilai terendah skala).",
                  "renormalise": "Tingkat yang kosong tidak dihitung; bobot indikator lain dibagi ulang.",
                  "refuse": "Skor baru muncul setelah semua indikator di bawahnya terisi."}
        rows.append(("Skor berjalan", "Kolom Nilai tiap lembar dan lembar Ringkasan menghitung skor kelompok, "
                                      "dimensi dan indeks dengan rumus dari kolom Tingkat, sama seperti aplikasi: "
                                      f"{policy.get(pack.missing_policy, '')} Skor dimensi dan indeks dibulatkan "
                                      f"{pack.decimals} desimal; indeks dihitung dari skor dimensi sebelum "
                                      "dibulatkan. Bobot menunjukkan porsi indikator dalam indeks bila semua "
                                      "terisi. Rumus tidak dibaca saat impor: aplikasi menghitung ulang sendiri."))
    else:
        rows.append(("Skor berjalan", "Paket rubrik ini menilai per inovasi atau menjumlah; skornya dihitung "
                                      "di aplikasi, tidak di lembar ini."))
    for row in rows:
        put_row(meta, list(row))
    meta["A1"].font = Font(bold=True, size=13)
    meta.column_dimensions["A"].width = 18
    meta.column_dimensions["B"].width = 100
    for r in range(2, len(rows) + 1):
        meta.cell(row=r, column=1).font = BOLD
        meta.cell(row=r, column=1).alignment = Alignment(vertical="top")
        meta.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        _fit_height(meta, r)
    _print_setup(meta)


def _write_summary(ws: Worksheet, pack: Pack, layouts: list[fx.SheetLayout], share: dict[str, Decimal | None],
                   with_formulas: bool, formulas: dict[str, dict[str, str]]) -> str:
    """The dimensions and the index; returns the coordinate of the rounded index."""
    headers = ["Kode", "Dimensi", "Bobot", "Terisi", "Indikator", "Skor tanpa pembulatan", "Skor"]
    put_row(ws, headers)
    _style_header(ws, [26, 34, 9, 9, 10, 14, 10])
    cells: dict[str, str] = {}
    raw: list[str] = []
    counts: list[str] = []
    total = 0
    for i, layout in enumerate(layouts, start=2):
        dim = layout.dimension
        n = sum(1 for _ in dim.indicators())
        total += n
        weight = share.get(dim.code)
        put_row(ws, [dim.code, dim.name, float(weight) if weight is not None else None, None, n, None, None])
        ws.cell(row=i, column=3).number_format = "0.0%"
        cells[f"D{i}"] = f"=COUNT({layout.levels(dim.code, sheet=True)})"
        cells[f"F{i}"] = f"={layout.value(dim.code, sheet=True, absolute=True)}"
        cells[f"G{i}"] = fx.shown(pack, f"F{i}")
        raw.append(f"F{i}")
        counts.append(f"D{i}")
    index_row = len(layouts) + 2
    put_row(ws, ["index", "INDEKS", 1.0, None, total, None, None])
    put_row(ws, ["mean", "Rata-rata lima dimensi" if len(layouts) == 5 else "Rata-rata dimensi",
                 None, None, total, None, None])
    ws.cell(row=index_row, column=3).number_format = "0.0%"
    cells[f"D{index_row}"] = "=" + "+".join(counts) if counts else "=0"
    cells[f"F{index_row}"] = fx.index_formula(pack, raw, counts, total)
    cells[f"G{index_row}"] = fx.shown(pack, f"F{index_row}")
    cells[f"D{index_row + 1}"] = cells[f"D{index_row}"]
    cells[f"F{index_row + 1}"] = fx.mean_formula(pack, raw, counts, total)
    cells[f"G{index_row + 1}"] = fx.shown(pack, f"F{index_row + 1}")
    for r in range(2, index_row + 2):
        ws.cell(row=r, column=6).number_format = "0.0000"
        ws.cell(row=r, column=7).number_format = "0.00"
    for r in (index_row, index_row + 1):
        for c in range(1, 8):
            ws.cell(row=r, column=c).font = BOLD
            ws.cell(row=r, column=c).fill = DIMENSION_FILL
    if pack.pillars:
        _write_pillars(ws, pack, layouts, total, counts, cells)
    put_row(ws, [])
    put_row(ws, ["", "Dihitung dengan rumus dari kolom Tingkat tiap lembar dimensi (lihat Petunjuk); hasil "
                     "resmi tetap yang dihitung aplikasi."])
    ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=7)
    ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[ws.max_row].height = 32
    ws.freeze_panes = "A2"
    _print_setup(ws)
    if with_formulas:
        formulas[ws.title] = cells
    return f"$G${index_row}"


def pillar_rows(pack: Pack) -> dict[str, int]:
    """Row of each pillar index on the summary sheet: after the dimensions, the index, the mean, a blank
    row and a header row."""
    first = len(pack.dimensions) + 6
    return {p.code: first + i for i, p in enumerate(pack.pillars)}


def _write_pillars(ws: Worksheet, pack: Pack, layouts: list[fx.SheetLayout], total: int, counts: list[str],
                   cells: dict[str, str]) -> None:
    """Pillar indices as the engine reports them: the plain mean of the levels of the indicators tagged
    with the pillar (an empty level under the ``zero`` policy counts as the scale minimum)."""
    put_row(ws, [])
    put_row(ws, ["Kode", "Indeks pilar (rata-rata tingkat indikator berlabel pilar)", None, "Terisi", "Indikator",
                 "Skor tanpa pembulatan", "Skor"])
    header = ws.max_row
    for c in range(1, 8):
        ws.cell(row=header, column=c).font = BOLD
        ws.cell(row=header, column=c).fill = HEADER_FILL
        ws.cell(row=header, column=c).alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[header].height = 32
    where = {n.code: layout for layout in layouts for n in layout.nodes if n.is_indicator}
    rows = pillar_rows(pack)
    for pillar in pack.pillars:
        tagged = [n for n in pack.indicators() if n.pillar == pillar.code]
        r = rows[pillar.code]
        put_row(ws, [pillar.code, pillar.name, None, None, len(tagged), None, None])
        assert ws.max_row == r
        ws.cell(row=r, column=6).number_format = "0.0000"
        ws.cell(row=r, column=7).number_format = "0.00"
        if not tagged:
            continue
        values = [where[n.code].value(n.code, sheet=True, absolute=True) for n in tagged]
        levels = ",".join(f"{fx.quote_sheet(where[n.code].title)}!${fx.LEVEL_COLUMN}${where[n.code].row[n.code]}"
                          for n in tagged)
        cells[f"D{r}"] = f"=COUNT({levels})"
        body = fx.combine("mean", values, [None] * len(values))
        if pack.missing_policy == "refuse":
            body = f'IF(({"+".join(counts)})<{total},"",{body})'
        cells[f"F{r}"] = "=" + body
        cells[f"G{r}"] = fx.shown(pack, f"F{r}")


def _write_programmes(ws: Worksheet, programmes: list[Programme]) -> None:
    put_row(ws, ["Kode", "Nama program", "Pilar", "Unit pemilik", "Status"])
    _style_header(ws, [20, 50, 20, 30, 14])
    for p in programmes:
        status = "diarsipkan" if p.archived_at is not None else p.get_status_display()
        put_row(ws, [p.code, p.title, p.pillar.name if p.pillar else "", str(p.owner) if p.owner_id else "",
                     status])
    ws.freeze_panes = "A2"


# --- import: one declarative row schema --------------------------------------------------------------

def _ctx(info: ValidationInfo) -> dict[str, Any]:
    if not isinstance(info.context, dict):
        raise TypeError("WorksheetRow is validated with a context (see its docstring)")
    return info.context


def _fail(message: str) -> PydanticCustomError:
    # The message is context, never the template: text from the file may hold braces.
    return PydanticCustomError("worksheet", "{message}", {"message": message})


class WorksheetRow(BaseModel):
    """One indicator row of a dimension sheet, as read from the file. Validation needs the context
    ``{"pack", "dimension", "indicators" (code -> Node), "shares", "programmes" (code -> Programme)}``.

    The reference columns (name, weight, rubric) are optional — files exported before they existed have
    none — but when present they must be as exported: they explain the score and are locked."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str | None = None
    weight: float | None = None
    levels: str | None = None
    level: int | None = None
    justification: str = ""
    programme: str = ""
    evidence: tuple[str, ...] = ()
    version: int = 0

    @staticmethod
    def _node(info: ValidationInfo) -> Node | None:
        code = info.data.get("code")
        return None if code is None else _ctx(info)["indicators"].get(code)

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any, info: ValidationInfo) -> str:
        code = _text(value)
        if code not in _ctx(info)["indicators"]:
            raise _fail(_("Kode indikator %(code)r tidak ada pada dimensi %(dimension)s")
                        % {"code": code, "dimension": _ctx(info)["dimension"].name})
        return code

    @field_validator("name", "levels", mode="before")
    @classmethod
    def _reference_text(cls, value: Any, info: ValidationInfo) -> str:
        text, node = _text(value), cls._node(info)
        if node is not None:
            expected = node.name if info.field_name == "name" else levels_text(node)
            if not _same_text(text, expected):
                raise _fail(_("Kolom %(column)s hanya rujukan dan dikunci; isinya diubah. Pakai berkas hasil "
                              "ekspor (atau kembalikan isinya)") % {"column": TITLES[str(info.field_name)]})
        return text

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, value: Any, info: ValidationInfo) -> float | None:
        node = cls._node(info)
        if node is None:
            return None
        expected = _ctx(info)["shares"].get(node.code)
        try:
            given = None if _text(value) == "" else float(_text(value).replace(",", "."))
        except ValueError:
            given = float("nan")
        same = (given is None and expected is None) or (
            given is not None and expected is not None and abs(given - float(expected)) < 1e-9)
        if not same:
            raise _fail(_("Bobot hanya rujukan dan dikunci: mengubahnya tidak mengubah skor (berkas %(file)s, "
                          "paket %(pack)s). Kembalikan isinya atau ekspor ulang")
                        % {"file": _text(value) or "-",
                           "pack": "-" if expected is None else f"{number_format(expected * 100, 1)} %"})
        return given

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any, info: ValidationInfo) -> int | None:
        if _text(value) == "":
            return None
        pack: Pack = _ctx(info)["pack"]
        try:
            as_float = float(_text(value).replace(",", "."))
        except ValueError:
            raise _fail(_("Tingkat %(value)r bukan angka") % {"value": value}) from None
        if not as_float.is_integer():
            raise _fail(_("Tingkat %(value)r harus bilangan bulat") % {"value": value})
        level = int(as_float)
        if not pack.scale_min <= level <= pack.scale_max:
            raise _fail(_("Tingkat %(level)s di luar skala %(min)s–%(max)s")
                        % {"level": level, "min": pack.scale_min, "max": pack.scale_max})
        return level

    @field_validator("justification", mode="before")
    @classmethod
    def _justification(cls, value: Any) -> str:
        return _text(value)

    @field_validator("programme", mode="before")
    @classmethod
    def _programme(cls, value: Any, info: ValidationInfo) -> str:
        code = _text(value)
        if code and code not in _ctx(info)["programmes"]:
            raise _fail(_("Program %(code)r tidak ada di katalog wilayah ini") % {"code": code})
        return code

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence(cls, value: Any) -> tuple[str, ...]:
        links = []
        for line in _text(value).splitlines():
            line = line.strip()
            if not line or line.startswith("[berkas]"):
                continue
            if not line.startswith(("http://", "https://")):
                raise _fail(_("Tautan bukti harus diawali http:// atau https:// (%(value)r)") % {"value": line[:40]})
            links.append(line)
        return tuple(links)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> int:
        text = _text(value)
        try:
            version = int(float(text)) if text else 0
        except ValueError:
            version = -1
        if version < 0 or (text and not float(text).is_integer()):
            raise _fail(_("Versi %(value)r bukan bilangan bulat; kolom ini dikunci, kembalikan isinya")
                        % {"value": value})
        return version


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
                   "programmes": programmes}
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
            try:
                row = WorksheetRow.model_validate(raw, context=context)
            except ValidationError as exc:
                for e in exc.errors():
                    key = str(e["loc"][0]) if e["loc"] else "code"
                    report.errors.append(RowError(title, r, letters.get(key, "A"), e["msg"]))
                continue
            if row.code in seen:
                report.errors.append(RowError(title, r, letters["code"], _(
                    "Indikator %(code)s ganda (juga di %(sheet)s baris %(row)s)")
                    % {"code": row.code, "sheet": seen[row.code][0], "row": seen[row.code][1]}))
                continue
            seen[row.code] = (title, r)
            out.append(_Row(title, r, letters, row, programmes.get(row.programme) if row.programme else None))
    return out


def import_worksheet(actor: Any, submission: Submission, source: bytes | IO[bytes], *,
                     dry_run: bool = False) -> ImportReport:
    """Validate the whole workbook, then save every changed row through `do_save_answer` in one
    transaction. Raises `ImportFailed` (nothing saved) when any row is wrong. Formulas are never read
    (the values are what the engine computes from the saved levels)."""
    report = ImportReport()
    try:
        wb = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        report.errors.append(RowError("-", 0, "-", _("Bukan berkas Excel (.xlsx) yang bisa dibaca: %(error)s") % {"error": exc}))
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


def _save_row(actor: Any, submission: Submission, row: _Row, current: Answer | None, names: dict[str, str],
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


def export_worksheet_for(region_code: str, cycle: Any) -> bytes:
    sub = queries.stage_submission(cycle, region_code)
    if sub is None:
        raise LookupError(f"Wilayah {region_code} tidak punya pengajuan pada siklus {cycle.year}")
    return export_worksheet(sub)
