"""Exporting the evaluation worksheet (see the package doc)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kotacerdas.catalogue.models import Programme
from kotacerdas.catalogue.queries import built_from_demo
from kotacerdas.core.provenance import mark_workbook, region_label
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.choices import EvidenceKind
from kotacerdas.evaluations.models import Answer, Evidence, Submission
from kotacerdas.lib.cells import append as put_row
from kotacerdas.lib.cells import neutralise_workbook
from kotacerdas.scoring.packs import Pack

from . import formulas as fx
from .layout import (
    BOLD,
    COL,
    COLUMNS,
    DIMENSION_FILL,
    EDITABLE,
    GROUP_FILL,
    HEADER_FILL,
    INPUT_FILL,
    LOCKED_FILL,
    META_SHEET,
    PROGRAMME_SHEET,
    RULE_TEXT,
    SUMMARY_SHEET,
    dimension_titles,
    levels_text,
)


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



def export_worksheet_for(region_code: str, cycle: Any) -> bytes:
    sub = queries.stage_submission(cycle, region_code)
    if sub is None:
        raise LookupError(f"Wilayah {region_code} tidak punya pengajuan pada siklus {cycle.year}")
    return export_worksheet(sub)

