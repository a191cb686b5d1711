"""Bulk Excel for rencana aksi: export a region's plan and import the same workbook back after offline edits.

The import is checked completely before anything is written (every error names its row and column), then
applied all or nothing. Rows are matched by Kode (or, for new rows typed without a Kode, by kegiatan +
kategori + unit), so importing an unchanged file changes nothing. The Versi column carries the optimistic
lock: a row edited offline after someone else changed the item online is refused, not silently merged.
Rows deleted from the file delete nothing (nothing is ever hard-deleted; archive in the app).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kotacerdas.catalogue.models import Pillar, Programme, Unit
from kotacerdas.core.errors import ActionError
from kotacerdas.core.provenance import built_from_demo, mark_workbook
from kotacerdas.core.sheets import cell_text
from kotacerdas.evaluations.models import Cycle, Feedback
from kotacerdas.lib.cells import workbook_bytes, xlsx_cell
from kotacerdas.regions.models import Region

from . import actions, queries
from . import rules as perms
from .choices import ActionStatus, ProgressMode
from .models import ActionItem, progress

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
# How far a typed Capaian (%) may differ from the computed value (rounding in Excel) before it is refused.
PERCENT_TOLERANCE = Decimal("0.5")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


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


class _Lookups:
    def __init__(self, region: Region, cycle: Cycle) -> None:
        self.units: dict[str, int] = {}
        for u in Unit.objects.active().filter(region=region):
            for key in (u.name, u.short_name):
                if key:
                    self.units[key.strip().casefold()] = u.pk
        self.categories: dict[str, str] = {}
        for c in queries.categories(cycle):
            for key in (c.code, c.name, c.name_en or ""):
                if key:
                    self.categories[key.casefold()] = c.code
        self.statuses: dict[str, str] = {}
        self.modes: dict[str, str] = {}
        # Labels in either language are accepted: a workbook exported in English imports in Indonesian.
        for lang in ("id", "en"):
            with translation.override(lang):
                self.statuses.update({k.casefold(): s.value for s in ActionStatus for k in (s.value, str(s.label))})
                self.modes.update({k.casefold(): m.value for m in ProgressMode for k in (m.value, str(m.label))})
        self.pillars = {k.casefold(): p.code for p in Pillar.objects.all() for k in (p.code, p.name)}
        self.programmes = dict(Programme.objects.active().filter(region=region).values_list("code", "pk"))
        self.feedback = set(Feedback.objects.filter(submission__region=region).values_list("pk", flat=True))
        items = list(ActionItem.objects.active().filter(region=region, cycle=cycle))
        self.items = {i.code: i for i in items}
        self.by_natural = {(i.title.strip().casefold(), i.category, i.owner_id): i for i in items}


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"Tanggal tidak valid: {text!r} (pakai format dd/mm/yyyy)")


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("Bukan angka")
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = cell_text(value).replace(" ", "")
    if "," in text:  # Indonesian: 1.234,5
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"Bukan angka: {cell_text(value)!r}") from None
    if not number.is_finite():
        raise ValueError(f"Bukan angka: {cell_text(value)!r}")
    return number


def _read_rows(content: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError], dict[str, str]]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a non-workbook
        return [], [RowError(0, "", "Berkas bukan workbook Excel (.xlsx) yang valid")], {}
    info: dict[str, str] = {}
    if INFO_SHEET in wb.sheetnames:
        for row in wb[INFO_SHEET].iter_rows(min_row=1, max_row=10, max_col=2, values_only=True):
            if row and row[0]:
                info[cell_text(row[0])] = cell_text(row[1] if len(row) > 1 else "")
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, None) or ()
    by_header = {cell_text(h).casefold(): i for i, h in enumerate(header) if cell_text(h)}
    index: dict[str, int] = {}
    errors = []
    for col in COLUMNS:
        if col.header.casefold() in by_header:
            index[col.key] = by_header[col.header.casefold()]
        elif col.key in REQUIRED:
            errors.append(RowError(1, col.header, f"Kolom wajib '{col.header}' tidak ada di baris judul"))
    if errors:
        return [], errors, info
    out = []
    for r, raw in enumerate(rows_iter, start=2):
        values = {k: (raw[i] if i < len(raw) else None) for k, i in index.items()}
        if all(v is None or cell_text(v) == "" for v in values.values()):
            continue
        out.append((r, values))
    wb.close()
    return out, [], info


def build_plan(actor: Any, region: Region, cycle: Cycle, content: bytes,
               on_progress: Callable[[int, int], None] | None = None) -> ImportPlan:
    """Read and check every row; nothing is written. `on_progress(done, total)` is called as rows are checked."""
    plan = ImportPlan()
    raw_rows, errors, info = _read_rows(content)
    plan.errors.extend(errors)
    if info.get("Wilayah") and info["Wilayah"] != region.code:
        plan.errors.append(RowError(1, f"{INFO_SHEET}!B1", f"Berkas ini untuk wilayah {info['Wilayah']}, "
                                                           f"bukan {region.code}", info["Wilayah"]))
    if info.get("Tahun") and info["Tahun"] != str(cycle.year):
        plan.errors.append(RowError(3, f"{INFO_SHEET}!B3", f"Berkas ini untuk tahun {info['Tahun']}, "
                                                           f"bukan {cycle.year}", info["Tahun"]))
    if plan.errors:
        return plan
    look = _Lookups(region, cycle)
    is_coordinator = perms.can_manage_plan.test(actor, region)
    seen: dict[str, int] = {}
    total = len(raw_rows)
    if on_progress:
        on_progress(0, total)
    for done, (r, cells) in enumerate(raw_rows, start=1):
        _check_row(actor, r, cells, look, plan, seen, is_coordinator, cycle, region)
        if on_progress:
            on_progress(done, total)
    return plan


def _check_row(actor: Any, r: int, cells: Mapping[str, Any], look: _Lookups, plan: ImportPlan,
               seen: dict[str, int], is_coordinator: bool, cycle: Cycle, region: Region) -> None:
    errs: list[RowError] = []

    def err(key: str, message: str) -> None:
        errs.append(RowError(r, HEADERS[key], message, cell_text(cells.get(key))))

    def pick(key: str, table: Mapping[str, Any], what: str, required: bool = False) -> Any:
        text = cell_text(cells.get(key))
        if not text:
            if required:
                err(key, f"{HEADERS[key]} wajib diisi")
            return None
        found = table.get(text.casefold())
        if found is None:
            err(key, f"{what} tidak dikenal: {text!r}")
        return found

    values: dict[str, Any] = {"title": cell_text(cells.get("title")), "target": cell_text(cells.get("target")),
                              "measure_unit": cell_text(cells.get("measure_unit")),
                              "evidence_url": cell_text(cells.get("evidence_url")),
                              "description": cell_text(cells.get("description"))}
    if not values["title"]:
        err("title", "Kegiatan wajib diisi")
    values["category"] = pick("category", look.categories, "Kategori", required=True)
    values["owner"] = pick("owner", look.units, f"Unit di {region.name}", required=True)
    values["status"] = pick("status", look.statuses, "Status (pilih Belum mulai, Berjalan atau Selesai)",
                            required=True)
    values["progress_mode"] = pick("progress_mode", look.modes, "Cara hitung") or ProgressMode.STATUS
    values["pillar"] = pick("pillar", look.pillars, "Pilar")
    values["programme"] = pick("programme", look.programmes, "Kode program")
    rec = cell_text(cells.get("recommendation"))
    values["recommendation"] = None
    if rec:
        if not rec.isdigit() or int(rec) not in look.feedback:
            err("recommendation", f"Rekomendasi {rec!r} tidak ada untuk wilayah ini")
        else:
            values["recommendation"] = int(rec)
    for key in ("start_on", "due_on"):
        try:
            values[key] = _date(cells.get(key))
        except ValueError as exc:
            err(key, str(exc))
            values[key] = None
    for key in ("target_value", "realised_value"):
        try:
            number = _decimal(cells.get(key))
            values[key] = number.quantize(Decimal("0.01")) if number is not None else None
        except ValueError as exc:
            err(key, str(exc))
            values[key] = None
    try:
        typed_percent = _decimal(cells.get("percent"))
    except ValueError as exc:
        err("percent", str(exc))
        typed_percent = None
    version_text = cell_text(cells.get("version"))
    version = int(version_text) if version_text.isdigit() else None
    if version_text and version is None:
        err("version", f"Versi harus bilangan bulat: {version_text!r}")
    if typed_percent is not None and not (0 <= typed_percent <= 100):
        err("percent", f"Capaian (%) harus di antara 0 dan 100, bukan {cell_text(cells.get('percent'))}")
    elif typed_percent is not None and not errs:
        computed, formula = progress(values["progress_mode"], values["status"], values["target_value"],
                                     values["realised_value"])
        if abs(computed - typed_percent) > PERCENT_TOLERANCE:
            err("percent", f"Capaian (%) dihitung otomatis ({formula}); ubah Status atau Realisasi, "
                           "bukan kolom ini")
    if not errs:
        for key, message in actions.check_values(values, cycle=cycle, region_code=region.code).items():
            err(key, message)
    code = cell_text(cells.get("code"))
    if code:
        if code in seen:
            err("code", f"Kode {code} muncul dua kali (juga di baris {seen[code]})")
        seen[code] = r
    if errs:
        plan.errors.extend(errs)
        return
    item = look.items.get(code) if code else look.by_natural.get(
        (values["title"].casefold(), values["category"], values["owner"]))
    planned = PlannedRow(row=r, code=code, item=item, values=values, version=version)
    if item is None:
        if not is_coordinator:
            plan.errors.append(RowError(r, HEADERS["code"], "Hanya koordinator daerah yang menambah rencana aksi "
                                                            "baru", code))
            return
    else:
        before = actions.current_values(item)
        planned.changes = {k: v for k, v in values.items() if before.get(k) != v}
        if planned.changes:
            allowed = actions.allowed_fields(actor, item)
            refused = [k for k in planned.changes if k not in allowed]
            if not allowed:
                plan.errors.append(RowError(r, HEADERS["owner"], f"Rencana aksi {item.code} milik unit lain; "
                                                                 "Anda tidak boleh mengubahnya", str(item.owner)))
                return
            if refused:
                plan.errors.append(RowError(r, HEADERS[refused[0]],
                                            f"Anda tidak boleh mengubah kolom {HEADERS[refused[0]]}",
                                            cell_text(cells.get(refused[0]))))
                return
            if version is not None and version != item.version:
                plan.errors.append(RowError(
                    r, HEADERS["version"], f"Rencana aksi {item.code} sudah diubah orang lain sejak berkas "
                                           f"diekspor (versi {item.version}, berkas {version}); ekspor ulang",
                    version_text))
                return
    plan.rows.append(planned)


def apply_plan(actor: Any, region: Region, cycle: Cycle, plan: ImportPlan, *, is_demo: bool = False) -> None:
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
