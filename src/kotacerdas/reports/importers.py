"""The registry behind `kotacerdas import KIND FILE`: each app exposes an importer under a name.

Built in: ``worksheet`` (the evaluation worksheet, see xlsx.py) and ``programmes`` (the catalogue,
in the same columns as `kotacerdas export programmes`). Action plans, KPIs, events and survey
responses plug in from their app's ``AppConfig.ready()``::

    from kotacerdas.reports.importers import Importer, register_importer
    register_importer(Importer("actionplans", "Rencana aksi (.xlsx)", run=my_import, needs_year=True))

An importer gets ``(actor, path, region, cycle, dry_run)`` and returns an object with ``ok``,
``to_dict()`` and ``errors`` (each with sheet/row/column/message), or raises `ImportFailed` with such a
report: imports are all-or-nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.catalogue.choices import ProgrammeStatus, Sector
from kotacerdas.catalogue.models import Programme, SubDimension, Unit
from kotacerdas.core import fieldguard
from kotacerdas.core.errors import ActionError, InvalidInput, NotAllowed
from kotacerdas.core.provenance import first_data_sheet, mark_workbook
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Cycle
from kotacerdas.lib.cells import append as put_row
from kotacerdas.lib.cells import uncell
from kotacerdas.regions.models import Region

from .xlsx import ImportFailed, ImportReport, RowError, import_worksheet


@dataclass
class Importer:
    name: str
    help: str
    run: Callable[..., Any]
    needs_year: bool = False
    formats: tuple[str, ...] = (".xlsx",)


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    IMPORTERS[importer.name] = importer


# --- worksheet ---------------------------------------------------------------------------------------

def _import_worksheet(actor: Any, path: Path, region: Region, cycle: Cycle | None, dry_run: bool) -> ImportReport:
    assert cycle is not None
    sub = queries.stage_submission(cycle, region.code)
    if sub is None:
        report = ImportReport()
        report.errors.append(RowError("-", 0, "-", _("%(region)s tidak punya pengajuan pada %(year)s")
                                      % {"region": region.code, "year": cycle.year}))
        raise ImportFailed(report)
    return import_worksheet(actor, sub, path.read_bytes(), dry_run=dry_run)


# --- programmes (catalogue) --------------------------------------------------------------------------

PROGRAMME_COLUMNS = ["code", "title", "unit", "subdimension", "sector", "start_year", "status", "quick_win",
                     "is_application", "url", "platform", "target_group", "description"]
PROGRAMME_HEADERS = {
    "code": "Kode", "title": "Nama program", "unit": "Unit pemilik", "subdimension": "Sub-dimensi (kode)",
    "sector": "Sektor", "start_year": "Tahun mulai", "status": "Status", "quick_win": "Quick Win",
    "is_application": "Aplikasi", "url": "Alamat aplikasi", "platform": "Platform",
    "target_group": "Kelompok sasaran", "description": "Deskripsi",
}
TRUE = {"ya", "y", "yes", "true", "1", "benar"}
FALSE = {"tidak", "t", "no", "false", "0", "salah", ""}


def export_programmes(region: Region) -> bytes:
    from openpyxl import Workbook

    from .xlsx import _header, _to_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "Program"
    _header(ws, [PROGRAMME_HEADERS[c] for c in PROGRAMME_COLUMNS],
            [18, 44, 24, 30, 14, 11, 11, 10, 9, 34, 14, 30, 60])
    demo = False
    for p in Programme.objects.active().filter(region=region).select_related("owner").order_by("pillar__order",
                                                                                              "title"):
        put_row(ws, [p.code, p.title, p.owner.short_name or p.owner.name, p.subdimension_id, p.sector, p.start_year,
                   p.status, "ya" if p.quick_win else "tidak", "ya" if p.is_application else "tidak", p.url,
                   p.platform, p.target_group, p.description])
        demo = demo or p.is_demo
    if demo:
        mark_workbook(wb)
    return _to_bytes(wb)


def _programme_rows(path: Path) -> tuple[str, list[tuple[int, dict[str, Any]]]]:
    by_header = {v.lower(): k for k, v in PROGRAMME_HEADERS.items()} | {k: k for k in PROGRAMME_COLUMNS}
    if path.suffix.lower() == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.reader(io.StringIO(text))
        rows = list(reader)
        sheet = path.name
    else:
        from openpyxl import load_workbook

        wb = load_workbook(path, data_only=True, read_only=True)
        ws = first_data_sheet(wb)
        sheet = ws.title
        rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    rows = [[uncell(v) for v in r] for r in rows]  # undo what lib/cells did on export
    if not rows:
        return sheet, []
    keys = [by_header.get(str(h).strip().lower(), "") for h in rows[0]]
    out = []
    for n, values in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        out.append((n, {k: v for k, v in zip(keys, values, strict=False) if k}))
    return sheet, out


def _import_programmes(actor: Any, path: Path, region: Region, cycle: Cycle | None,
                       dry_run: bool) -> ImportReport:
    """Validate every row, then create or update each programme through the catalogue's actions (their
    permission checks and audit events apply: an operator may import rows of their own unit only).
    All or nothing; an unchanged row — archived or not — is left alone and keeps its version."""
    from kotacerdas.catalogue import actions as catalogue
    from kotacerdas.catalogue.rules import can_add_programme

    if not can_add_programme.test(actor, region):
        raise NotAllowed(_("Hanya admin nasional, koordinator wilayah atau operator unit yang mengimpor katalog"))
    from openpyxl.utils import get_column_letter

    report = ImportReport()
    try:
        sheet, rows = _programme_rows(path)
    except Exception as exc:
        report.errors.append(RowError(path.name, 0, "-", _("Berkas tidak bisa dibaca: %(error)s") % {"error": exc}))
        raise ImportFailed(report) from exc
    column = {k: get_column_letter(i + 1) for i, k in enumerate(PROGRAMME_COLUMNS)}
    column["owner"] = column["unit"]
    column["pillar"] = column["subdimension"]
    units = {}
    for u in Unit.objects.active().filter(region=region):
        units[u.name.lower()] = u
        if u.short_name:
            units[u.short_name.lower()] = u
    subdims = {s.code: s for s in SubDimension.objects.all()}
    clean: list[tuple[int, str, dict[str, Any]]] = []
    seen: set[str] = set()
    for n, row in rows:
        report.rows += 1

        def err(key: str, message: str, n: int = n) -> None:
            report.errors.append(RowError(sheet, n, column.get(key, "A"), message))

        text = {k: str(row.get(k, "") or "").strip() for k in PROGRAMME_COLUMNS}
        if not text["code"]:
            err("code", _("Kode wajib diisi"))
            continue
        if text["code"] in seen:
            err("code", _("Kode %(code)r ganda dalam berkas") % {"code": text["code"]})
            continue
        seen.add(text["code"])
        if not text["title"]:
            err("title", _("Nama program wajib diisi"))
            continue
        unit = units.get(text["unit"].lower())
        if unit is None:
            err("unit", _("Unit %(unit)r tidak ada di wilayah %(region)s") % {"unit": text["unit"], "region": region.code})
            continue
        sub = subdims.get(text["subdimension"])
        if sub is None:
            err("subdimension", _("Sub-dimensi %(code)r tidak dikenal") % {"code": text["subdimension"]})
            continue
        sector = text["sector"] or Sector.PEMERINTAHAN
        if sector not in Sector.values:
            err("sector", _("Sektor %(value)r tidak dikenal (%(choices)s)") % {"value": sector, "choices": ", ".join(Sector.values)})
            continue
        status = text["status"] or ProgrammeStatus.RUNNING
        if status not in ProgrammeStatus.values:
            err("status", _("Status %(value)r tidak dikenal (%(choices)s)")
                % {"value": status, "choices": ", ".join(ProgrammeStatus.values)})
            continue
        try:
            year = int(float(text["start_year"]))
        except ValueError:
            err("start_year", _("Tahun mulai %(value)r bukan angka") % {"value": text["start_year"]})
            continue
        if not 1990 <= year <= timezone.now().year + 5:
            err("start_year", _("Tahun mulai %(year)s tidak masuk akal") % {"year": year})
            continue
        flags = {}
        for key in ("quick_win", "is_application"):
            value = text[key].lower()
            if value not in TRUE | FALSE:
                err(key, _("Isi 'ya' atau 'tidak', bukan %(value)r") % {"value": text[key]})
                break
            flags[key] = value in TRUE
        if len(flags) < 2:
            continue
        if text["url"] and not text["url"].startswith(("http://", "https://")):
            err("url", _("Alamat aplikasi harus diawali http:// atau https://"))
            continue
        try:  # the fields' own limits (length, no NUL): a row error, never a database error or a silent cut
            fieldguard.check_values(Programme, {k: text[k] for k in ("code", "title", "url", "platform",
                                                                      "target_group", "description")})
        except InvalidInput as exc:
            err(str(exc.context.get("field", "code")), exc.message)
            continue
        clean.append((n, text["code"], {
            "title": text["title"], "owner": unit.pk, "pillar": sub.pillar_id,
            "subdimension": sub.code, "sector": sector, "start_year": year, "status": status, **flags,
            "url": text["url"], "platform": text["platform"], "target_group": text["target_group"],
            "description": text["description"],
        }))
    if report.errors:
        raise ImportFailed(report)
    existing = {p.code: p for p in Programme.objects.filter(region=region).prefetch_related("kecamatan")}
    unit_names = {u.pk: str(u) for u in Unit.objects.filter(region=region)}

    def shown(name: str, value: Any) -> Any:
        return unit_names.get(value, value) if name == "owner" else value

    try:
        with transaction.atomic():
            for n, code, values in clean:
                current = existing.get(code)
                try:
                    if current is None:
                        catalogue.do_create_programme(actor, region, code, values, source="import")
                        report.changed += 1
                        report.changes.append({"row": n, "code": code, "title": values["title"], "action": "create",
                                               "fields": {}})
                        continue
                    before = catalogue.programme_values(current)
                    diff = {k: v for k, v in values.items() if before.get(k) != v}
                    if not diff:
                        report.unchanged += 1
                        continue
                    if current.archived_at is not None:
                        report.errors.append(RowError(sheet, n, column["code"], _(
                            "Program %(code)s sudah diarsipkan; pulihkan dulu di halaman katalog, atau hapus "
                            "barisnya dari berkas") % {"code": code}))
                        continue
                    catalogue.do_update_programme(actor, current, current.version, diff, source="import")
                    report.changed += 1
                    report.changes.append({"row": n, "code": code, "title": values["title"], "action": "update",
                                           "fields": {k: [shown(k, before.get(k)), shown(k, v)]
                                                      for k, v in diff.items() if k != "pillar"}})
                except ActionError as exc:
                    field_name = str(exc.context.get("field", "code"))
                    report.errors.append(RowError(sheet, n, column.get(field_name, column["code"]), exc.message))
            if report.errors:
                raise ImportFailed(report)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


class _Rollback(Exception):
    """Leaves the dry run's transaction without writing anything."""


register_importer(Importer("worksheet", "Lembar kerja evaluasi wilayah (.xlsx) / evaluation worksheet",
                           _import_worksheet, needs_year=True))
register_importer(Importer("programmes", "Katalog program (.xlsx/.csv) / programme catalogue",
                           _import_programmes, formats=(".xlsx", ".csv")))
