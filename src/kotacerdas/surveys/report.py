"""The impact-survey section of the *Laporan Hasil Evaluasi* (plugged into reports.sections)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from . import queries
from .models import Survey


def survey_section(data: Any) -> dict[str, Any] | None:
    survey = Survey.objects.filter(region=data.region, cycle=data.cycle).first()
    if survey is None:
        return None
    res = queries.results(survey)
    if not res.total:
        return None

    def table(caption: str, stats: list[Any]) -> dict[str, Any]:
        return {"caption": caption,
                "headers": [_("Kelompok"), "n", _("Rerata (1–5)"), _("Margin 95%"), _("Skala Impact")],
                "rows": [[s.name, s.n, s.mean_text, s.moe_text, s.impact_text] for s in stats]}

    return {
        "intro": _("%(n)s responden. Rerata Likert dikonversi linier ke skala dimensi Impact.") % {"n": res.total},
        "tables": [table(_("Per pilar"), res.pillars), table(_("Per sub-dimensi"), res.subdimensions)],
        "charts": [], "notes": [],
    }
