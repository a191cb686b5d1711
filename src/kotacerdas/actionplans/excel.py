"""Bulk Excel for rencana aksi: export a region's plan and import the same workbook back after offline edits.

The import is checked completely before anything is written (every error names its row and column), then
applied all or nothing. Rows are matched by Kode (or, for new rows typed without a Kode, by kegiatan +
kategori + unit), so importing an unchanged file changes nothing. The Versi column carries the optimistic
lock: a row edited offline after someone else changed the item online is refused, not silently merged.
Rows deleted from the file delete nothing (nothing is ever hard-deleted; archive in the app).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kotacerdas.catalogue.models import Pillar, Unit
from kotacerdas.catalogue.queries import built_from_demo
from kotacerdas.core.errors import ActionError
from kotacerdas.core.provenance import mark_workbook
from kotacerdas.core.rows import check_row
from kotacerdas.core.sheets import Unreadable, cell_text, open_workbook, sheet_rows, table_of
from kotacerdas.evaluations.models import Cycle
from kotacerdas.lib.cells import workbook_bytes, xlsx_cell
from kotacerdas.regions.models import Region

from . import actions, queries
from . import rules as perms
from .choices import ActionStatus, ProgressMode
from .models import ActionItem
from .rows import Lookups, PlanRow

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SHEET = "Rencana Aksi"
INFO_SHEET = "Info"
LISTS_SHEET = "Daftar"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("code", "Kode", 13, "Kosongkan untuk kegiatan baru; kode dibuat otomatis."),
    Column("title", "Kegiatan", 40),
    Column("category", "Kategori", 30),
    Column("owner", "Unit pemilik", 24, "Singkatan atau nama unit kerja, mis. Disdukcapil."),
    Column("pillar", "Pilar", 18),
    Column("programme", "Kode program", 18, "Kode program di katalog, mis. jam-kunci."),
    Column("recommendation", "ID rekomendasi", 14, "Nomor umpan balik asesor (lihat aplikasi)."),
    Column("target", "Target", 28),
    Column("progress_mode", "Cara hitung", 20),
    Column("target_value", "Target angka", 12),
    Column("realised_value", "Realisasi", 12),
    Column("measure_unit", "Satuan", 12),
    Column("start_on", "Mulai", 12, "Tanggal, format dd/mm/yyyy."),
    Column("due_on", "Tenggat", 12, "Tanggal, format dd/mm/yyyy."),
    Column("status", "Status", 14),
    Column("percent", "Capaian (%)", 12,
           "Dihitung otomatis dari status atau realisasi/target; jangan diketik. Nilai yang berbeda ditolak."),
    Column("evidence_url", "Bukti (tautan)", 30),
    Column("description", "Keterangan", 30),
    Column("version", "Versi", 8, "Jangan diubah: menjaga agar perubahan orang lain tidak tertimpa."),
)
HEADERS = {c.key: c.header for c in COLUMNS}
REQUIRED = ("title", "category", "owner", "status")


# ----------------------------------------------------------------------------------------------- export

def item_row(item: ActionItem, category_names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "code": item.code, "title": item.title, "category": category_names.get(item.category, item.category),
        "owner": str(item.owner), "pillar": item.pillar.name if item.pillar else "",
        "programme": item.programme.code if item.programme else "",
        "recommendation": item.recommendation_id or "", "target": item.target,
        "progress_mode": str(ProgressMode(item.progress_mode).label),
        "target_value": item.target_value, "realised_value": item.realised_value,
        "measure_unit": item.measure_unit, "start_on": item.start_on, "due_on": item.due_on,
        "status": str(ActionStatus(item.status).label), "percent": item.percent,
        "evidence_url": item.evidence_url, "description": item.description, "version": item.version,
    }


def export_plan(region: Region, cycle: Cycle, items: Iterable[ActionItem]) -> bytes:
    names = queries.category_names(cycle)
    return write_workbook(region, cycle, [item_row(i, names) for i in items])


def write_workbook(region: Region, cycle: Cycle, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The plan workbook: one row per item (keys of COLUMNS; missing keys stay empty), an Info sheet
    naming region and year, and drop-down lists for the closed vocabularies."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    bold, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0B5CAD")
    computed_fill = PatternFill("solid", fgColor="E9ECEF")
    for idx, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=idx, value=col.header)
        cell.font, cell.fill = bold, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if col.note:
            cell.comment = Comment(col.note, "kotacerdas")
        ws.column_dimensions[get_column_letter(idx)].width = col.width
    ws.freeze_panes = "C2"
    for r, values in enumerate(rows, start=2):
        for c, col in enumerate(COLUMNS, start=1):
            value = values.get(col.key)
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            cell = ws.cell(row=r, column=c, value=None if value == "" else xlsx_cell(value))
            if col.key in ("start_on", "due_on"):
                cell.number_format = "DD/MM/YYYY"
            if col.key in ("percent", "version"):
                cell.fill = computed_fill
    _lists(wb, ws, region, cycle, max(len(rows) + 200, 500))
    info = wb.create_sheet(INFO_SHEET)
    for r, (k, v) in enumerate([
        ("Wilayah", region.code), ("Nama wilayah", region.name), ("Tahun", cycle.year),
        ("Paket rubrik", f"{cycle.pack_code}@{cycle.pack_version}"),
        ("Diekspor", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
        ("Petunjuk", "Ubah baris di lembar 'Rencana Aksi', lalu unggah berkas ini kembali. Semua baris diperiksa "
                     "dulu; bila ada kesalahan tidak ada yang disimpan. Kolom abu-abu dihitung otomatis. "
                     "Menghapus baris tidak menghapus rencana aksi (arsipkan di aplikasi)."),
    ], start=1):
        info.cell(row=r, column=1, value=k).font = Font(bold=True)
        info.cell(row=r, column=2, value=xlsx_cell(v))
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 90
    if built_from_demo(region, cycle):
        mark_workbook(wb)
    return workbook_bytes(wb)


def _lists(wb: Workbook, ws: Any, region: Region, cycle: Cycle, last_row: int) -> None:
    """Drop-down lists for the closed vocabularies, kept on a hidden sheet (lists longer than 255
    characters cannot be inline)."""
    lists = wb.create_sheet(LISTS_SHEET)
    vocab = {
        "category": list(queries.category_names(cycle).values()),
        "status": [str(s.label) for s in ActionStatus],
        "progress_mode": [str(m.label) for m in ProgressMode],
        "owner": [str(u) for u in Unit.objects.active().filter(region=region).order_by("name")],
        "pillar": [p.name for p in Pillar.objects.all()],
    }
    col_index = {c.key: i for i, c in enumerate(COLUMNS, start=1)}
    for n, (key, values) in enumerate(vocab.items(), start=1):
        letter = get_column_letter(n)
        lists.cell(row=1, column=n, value=HEADERS[key])
        for r, v in enumerate(values, start=2):
            lists.cell(row=r, column=n, value=xlsx_cell(v))
        dv = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=key == "pillar", showErrorMessage=True,
                            errorTitle="Nilai tidak dikenal", error=f"Pilih {HEADERS[key]} dari daftar")
        target = get_column_letter(col_index[key])
        dv.add(f"{target}2:{target}{last_row}")
        ws.add_data_validation(dv)
    lists.sheet_state = "hidden"


# ----------------------------------------------------------------------------------------------- import

@dataclass
class RowError:
    row: int
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "value": self.value}


@dataclass
class PlannedRow:
    row: int
    code: str
    item: ActionItem | None
    values: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)
    version: int | None = None

    @property
    def kind(self) -> str:
        if self.item is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        kinds = [r.kind for r in self.rows]
        return {"rows": len(self.rows), "created": kinds.count("create"), "updated": kinds.count("update"),
                "unchanged": kinds.count("unchanged"), "errors": len(self.errors)}


def _read_rows(content: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError], dict[str, str]]:
    try:
        wb = open_workbook(content)
    except Unreadable as exc:
        return [], [RowError(0, "", exc.message)], {}
    try:
        info: dict[str, str] = {}
        if INFO_SHEET in wb.sheetnames:
            for _n, row in sheet_rows(wb[INFO_SHEET], max_row=10, max_col=2):
                if row and row[0]:
                    info[cell_text(row[0])] = cell_text(row[1] if len(row) > 1 else "")
        table = table_of(wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0])
    except Unreadable as exc:
        return [], [RowError(0, "", exc.message)], {}
    finally:
        wb.close()
    index = table.locate(HEADERS)
    errors = [RowError(1, HEADERS[key], _("Kolom wajib '%(title)s' tidak ada di baris judul") % {"title": HEADERS[key]})
              for key in REQUIRED if key not in index]
    if errors:
        return [], errors, info
    return list(table.records(index)), [], info


def build_plan(actor: User, region: Region, cycle: Cycle, content: bytes,
               on_progress: Callable[[int, int], None] | None = None, *, decimal: str = "") -> ImportPlan:
    """Read and check every row; nothing is written. `on_progress(done, total)` is called as rows are checked.
    ``decimal``: how the file writes numbers as text ("," Indonesian, "." English), when the uploader
    said so; otherwise a number typed as text that reads two ways ("3.650") is refused, never guessed."""
    plan = ImportPlan()
    raw_rows, errors, info = _read_rows(content)
    plan.errors.extend(errors)
    if info.get("Wilayah") and info["Wilayah"] != region.code:
        plan.errors.append(RowError(1, f"{INFO_SHEET}!B1", _("Berkas ini untuk wilayah %(file)s, bukan %(region)s")
                                    % {"file": info["Wilayah"], "region": region.code}, info["Wilayah"]))
    if info.get("Tahun") and info["Tahun"] != str(cycle.year):
        plan.errors.append(RowError(3, f"{INFO_SHEET}!B3", _("Berkas ini untuk tahun %(file)s, bukan %(year)s")
                                    % {"file": info["Tahun"], "year": cycle.year}, info["Tahun"]))
    if plan.errors:
        return plan
    look = Lookups(region, cycle)
    is_coordinator = perms.can_manage_plan.test(actor, region)
    seen: dict[str, int] = {}
    total = len(raw_rows)
    if on_progress:
        on_progress(0, total)
    for done, (r, cells) in enumerate(raw_rows, start=1):
        _check_row(actor, r, cells, look, plan, seen, is_coordinator, decimal)
        if on_progress:
            on_progress(done, total)
    return plan


def _check_row(actor: User, r: int, cells: Mapping[str, Any], look: Lookups, plan: ImportPlan,
               seen: dict[str, int], is_coordinator: bool, decimal: str = "") -> None:
    checked, problems = check_row(PlanRow, cells, {"lookups": look, "decimal": decimal})
    errs = [RowError(r, HEADERS.get(p.field, p.field), p.message, cell_text(cells.get(p.field))) for p in problems]
    code = cell_text(cells.get("code"))
    if code:
        if code in seen:
            errs.append(RowError(r, HEADERS["code"], _("Kode %(code)s muncul dua kali (juga di baris %(row)s)")
                                 % {"code": code, "row": seen[code]}, code))
        seen[code] = r
    if errs or checked is None:
        plan.errors.extend(errs)
        return
    values, version, version_text = checked.values(), checked.version, cell_text(cells.get("version"))
    item = look.items.get(code) if code else look.by_natural.get(
        (values["title"].casefold(), values["category"], values["owner"]))
    planned = PlannedRow(row=r, code=code, item=item, values=values, version=version)
    if item is None:
        if not is_coordinator:
            plan.errors.append(RowError(r, HEADERS["code"], _("Hanya koordinator daerah yang menambah rencana aksi baru"), code))
            return
    else:
        before = actions.current_values(item)
        planned.changes = {k: v for k, v in values.items() if before.get(k) != v}
        if planned.changes:
            allowed = actions.allowed_fields(actor, item)
            refused = [k for k in planned.changes if k not in allowed]
            if not allowed:
                plan.errors.append(RowError(r, HEADERS["owner"], _("Rencana aksi %(code)s milik unit lain; Anda tidak boleh mengubahnya")
                                            % {"code": item.code}, str(item.owner)))
                return
            if refused:
                plan.errors.append(RowError(r, HEADERS[refused[0]],
                                            _("Anda tidak boleh mengubah kolom %(column)s") % {"column": HEADERS[refused[0]]},
                                            cell_text(cells.get(refused[0]))))
                return
            if version is not None and version != item.version:
                plan.errors.append(RowError(
                    r, HEADERS["version"], _("Rencana aksi %(code)s sudah diubah orang lain sejak berkas diekspor (versi %(version)s, "
                      "berkas %(file)s); ekspor ulang") % {"code": item.code, "version": item.version, "file": version},
                    version_text))
                return
    plan.rows.append(planned)


def apply_plan(actor: User, region: Region, cycle: Cycle, plan: ImportPlan, *, is_demo: bool = False) -> None:
    """Write a checked plan in one transaction: any refusal rolls everything back (re-raised as
    ImportRefused naming the row)."""
    if plan.errors:
        raise ValueError("apply_plan() needs a plan without errors")
    with transaction.atomic():
        for row in plan.rows:
            try:
                if row.kind == "create":
                    actions.do_create_item(actor, region, cycle, row.values, code=row.code, is_demo=is_demo,
                                           source="import")
                elif row.kind == "update" and row.item is not None:
                    fresh = ActionItem.objects.get(pk=row.item.pk)
                    version = row.version if row.version is not None else fresh.version
                    actions.do_update_item(actor, fresh, version, row.changes, source="import")
            except ActionError as exc:
                field_name = exc.context.get("field")
                column = HEADERS.get(str(field_name), "") if field_name else ""
                raise ImportRefused(RowError(row.row, column, exc.message)) from exc


class ImportRefused(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error
