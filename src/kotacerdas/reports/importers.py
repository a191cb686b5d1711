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

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from kotacerdas.catalogue.models import Programme, Unit
from kotacerdas.catalogue.rows import COLUMNS, HEADERS, ProgrammeLookups, ProgrammeRow
from kotacerdas.core.errors import ActionError, NotAllowed
from kotacerdas.core.provenance import mark_workbook
from kotacerdas.core.rows import Problem, check_row
from kotacerdas.core.sheets import Unreadable, cell_text, read_table
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Cycle
from kotacerdas.lib.cells import append as put_row
from kotacerdas.regions.models import Region

from .xlsx import ImportFailed, ImportReport, RowError, import_worksheet

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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

def _import_worksheet(actor: User, path: Path, region: Region, cycle: Cycle | None, dry_run: bool) -> ImportReport:
    assert cycle is not None
    sub = queries.stage_submission(cycle, region.code)
    if sub is None:
        report = ImportReport()
        report.errors.append(RowError("-", 0, "-", _("%(region)s tidak punya pengajuan pada %(year)s")
                                      % {"region": region.code, "year": cycle.year}))
        raise ImportFailed(report)
    return import_worksheet(actor, sub, path.read_bytes(), dry_run=dry_run)


# --- programmes (catalogue) --------------------------------------------------------------------------

PROGRAMME_COLUMNS = COLUMNS
PROGRAMME_HEADERS = HEADERS


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


def _check_programmes(path: Path, region: Region, report: ImportReport, decimal: str = ""
                      ) -> tuple[str, dict[str, str], list[tuple[int, str, dict[str, Any]]]]:
    """Read the file and check every row (:class:`~kotacerdas.catalogue.rows.ProgrammeRow`): the sheet's
    name, the column letter of each field and the clean rows ``(row, code, values)``. Raises
    ImportFailed with every problem of every row when any row is wrong. ``decimal``: how the file writes
    numbers as text ("," or "."), when known; otherwise a number that reads two ways is refused."""
    from openpyxl.utils import get_column_letter

    try:
        table = read_table(path, first_data_sheet=True)
    except (Unreadable, OSError) as exc:
        message = exc.message if isinstance(exc, Unreadable) else str(exc)
        report.errors.append(RowError(path.name, 0, "-", _("Berkas tidak bisa dibaca: %(error)s") % {"error": message}))
        raise ImportFailed(report) from exc
    sheet = table.name
    index = table.locate({k: (PROGRAMME_HEADERS[k], k) for k in PROGRAMME_COLUMNS})
    # Errors name the column where the file has it (else where an export puts it).
    column = {k: get_column_letter(index.get(k, i) + 1) for i, k in enumerate(PROGRAMME_COLUMNS)}
    column["owner"] = column["unit"]
    column["pillar"] = column["subdimension"]
    look = ProgrammeLookups(region)
    clean: list[tuple[int, str, dict[str, Any]]] = []
    seen: set[str] = set()
    for n, cells in table.records(index):
        report.rows += 1
        row, problems = check_row(ProgrammeRow, cells, {"lookups": look, "decimal": decimal})
        code = cell_text(cells.get("code"))
        if code and code in seen:
            problems.insert(0, Problem("code", _("Kode %(code)r ganda dalam berkas") % {"code": code}))
        seen.add(code)
        for name, message in problems:
            report.errors.append(RowError(sheet, n, column.get(name, "A"), message))
        if row is not None and not problems:
            clean.append((n, row.code, row.values()))
    if report.errors:
        raise ImportFailed(report)
    return sheet, column, clean


def _import_programmes(actor: User, path: Path, region: Region, cycle: Cycle | None,
                       dry_run: bool, decimal: str = "") -> ImportReport:
    """Validate every row, then create or update each programme through the catalogue's actions (their
    permission checks and audit events apply: an operator may import rows of their own unit only).
    All or nothing; an unchanged row — archived or not — is left alone and keeps its version."""
    from kotacerdas.catalogue import actions as catalogue
    from kotacerdas.catalogue.rules import can_add_programme

    if not can_add_programme.test(actor, region):
        raise NotAllowed(_("Hanya admin nasional, koordinator wilayah atau operator unit yang mengimpor katalog"))
    report = ImportReport()
    sheet, column, clean = _check_programmes(path, region, report, decimal)
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
