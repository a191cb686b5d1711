"""The action-plan section of the *Laporan Hasil Evaluasi* (plugged into reports.sections)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from . import queries


def action_plan_section(data: Any) -> dict[str, Any] | None:
    summary = queries.plan_summary(data.region.code, data.cycle)
    if not summary["items"]:
        return None
    rows = [[a.name, a.n, a.done, a.overdue, a.percent_text, a.formula] for a in summary["categories"]]
    total = summary["overall"]
    return {
        "intro": _("Capaian rencana aksi %(year)s per kategori; persentase menurut status (Belum mulai 0, "
                   "Berjalan 50, Selesai 100) atau realisasi terhadap target.") % {"year": data.cycle.year},
        "tables": [{"caption": _("Capaian per kategori"),
                    "headers": [_("Kategori"), _("Kegiatan"), _("Selesai"), _("Terlambat"), _("Capaian"),
                                _("Rumus")],
                    "rows": rows + [[_("Keseluruhan"), total.n, total.done, total.overdue, total.percent_text,
                                     total.formula]]}],
        "charts": [], "notes": [],
    }
