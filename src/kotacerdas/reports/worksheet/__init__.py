"""The evaluation worksheet of a region, as a Pemda officer fills it in: export and validated import.

One sheet per dimension with one row per indicator (its groups and the dimension itself as rows too):
the indicator's weight, the "Tingkat" (level) column with the rubric beside it, the officer's
justification, a related programme (a drop-down of the region's programme codes) and evidence links.
A "Nilai" column and the "Ringkasan" sheet compute every group, dimension and the index by formula from
the levels, as the scoring engine does (:mod:`.formulas`), so the score changes as the officer
types. Every sheet is protected without a password: the read-only columns (codes, names, weights,
rubric, Versi, formulas) are locked against slips, the input columns are not; anyone may lift the
protection (Review → Unprotect sheet), which is why the import checks the read-only columns itself and
never reads a formula.

Importing is all-or-nothing: every row is validated first against a declarative row schema
(:class:`WorksheetRow`) and errors name the sheet, row and column; only when the whole file is clean are
the changed rows saved, each through `evaluations.actions.do_save_answer` so permissions, locking,
stale-edit detection and the audit trail apply exactly as in the web form.
"""

from .export import export_worksheet, export_worksheet_for, pillar_rows
from .importer import import_worksheet
from .layout import (
    COL,
    COLUMNS,
    EDITABLE,
    META_SHEET,
    PROGRAMME_SHEET,
    SUMMARY_SHEET,
    TITLES,
    dimension_titles,
    levels_text,
)
from .schema import WorksheetRow

__all__ = ["COL", "COLUMNS", "EDITABLE", "META_SHEET", "PROGRAMME_SHEET", "SUMMARY_SHEET", "TITLES", "WorksheetRow",
           "dimension_titles", "export_worksheet", "export_worksheet_for", "import_worksheet", "levels_text",
           "pillar_rows"]
