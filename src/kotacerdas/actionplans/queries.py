"""Read helpers for rencana aksi: the cycle of a year, an item list, and achievement with its formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.catalogue.models import Pillar
from kotacerdas.evaluations.models import Cycle
from kotacerdas.evaluations.queries import cycle_pack
from kotacerdas.scoring.packs import Category

from .choices import ActionStatus
from .models import ActionItem, fmt_num, fmt_plain

# Above this many items a formula lists the sum instead of every term, so it stays readable.
MAX_TERMS = 12


def plan_cycle(year: int) -> Cycle | None:
    """The cycle whose pack defines action-plan categories for `year` (the Smart City cycle, not SPBE)."""
    for cycle in Cycle.objects.filter(year=year).order_by("id"):
        if cycle_pack(cycle).action_plan_categories:
            return cycle
    return None


def plan_years() -> list[int]:
    return sorted({c.year for c in Cycle.objects.all() if cycle_pack(c).action_plan_categories}, reverse=True)


def categories(cycle: Cycle) -> tuple[Category, ...]:
    return cycle_pack(cycle).action_plan_categories


def category_names(cycle: Cycle) -> dict[str, str]:
    return {c.code: c.name for c in categories(cycle)}


def category_labels(cycle: Cycle) -> dict[str, str]:
    """Category names for the screen: the pack's English name when English is the active language."""
    en = (get_language() or "id").startswith("en")
    return {c.code: (c.name_en if en and c.name_en else c.name) for c in categories(cycle)}


def plan_items(region_code: str, cycle: Cycle) -> QuerySet[ActionItem]:
    """The region's active items of `cycle`, by code; the plan page narrows them with actionplans.filters."""
    return (ActionItem.objects.active().filter(region_id=region_code, cycle=cycle)
            .select_related("owner", "pillar", "programme", "programme__pillar", "recommendation")
            .order_by("code"))


@dataclass
class Achievement:
    """Mean % achieved of a group of items, with the formula that produced it."""

    key: str
    name: str
    percent: Decimal | None
    n: int
    formula: str
    done: int = 0
    overdue: int = 0
    codes: list[str] = field(default_factory=list)

    @property
    def percent_text(self) -> str:
        return "—" if self.percent is None else f"{fmt_num(self.percent)}%"


def _mean(percents: Sequence[Decimal]) -> tuple[Decimal | None, str]:
    if not percents:
        return None, _("belum ada rencana aksi")
    total = sum(percents, Decimal(0))
    mean = (total / len(percents)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if len(percents) <= MAX_TERMS:
        terms = " + ".join(fmt_plain(p) for p in percents)
        return mean, f"({terms}) / {len(percents)} = {fmt_num(mean)}%"
    return mean, _("Σ capaian %(total)s / %(n)d kegiatan = %(mean)s%%") % {
        "total": fmt_plain(total), "n": len(percents), "mean": fmt_num(mean)}


def _group(key: str, name: str, items: Iterable[ActionItem], today: dt.date) -> Achievement:
    rows = list(items)
    pct, formula = _mean([i.percent for i in rows])
    return Achievement(key=key, name=name, percent=pct, n=len(rows), formula=formula,
                       done=sum(1 for i in rows if i.status == ActionStatus.DONE),
                       overdue=sum(1 for i in rows if i.is_overdue(today)), codes=[i.code for i in rows])


def achievement_by_category(cycle: Cycle, items: Iterable[ActionItem],
                            today: dt.date | None = None) -> list[Achievement]:
    """Per pack category, in pack order: the plain mean of the items' % (each item weighs the same)."""
    today = today or timezone.localdate()
    rows = list(items)
    names = category_labels(cycle)
    return [_group(c.code, names[c.code], (i for i in rows if i.category == c.code), today) for c in categories(cycle)]


def achievement_by_pillar(items: Iterable[ActionItem], today: dt.date | None = None) -> list[Achievement]:
    """Per pillar (the item's own pillar, else its programme's); pillars without items are left out."""
    today = today or timezone.localdate()
    rows = list(items)
    out = []
    for p in Pillar.objects.all():
        members = [i for i in rows if i.effective_pillar_id == p.code]
        if members:
            out.append(_group(p.code, p.name, members, today))
    return out


def overall(items: Iterable[ActionItem], today: dt.date | None = None) -> Achievement:
    return _group("all", _("Seluruh rencana aksi"), items, today or timezone.localdate())


def history(item: ActionItem) -> QuerySet[AuditEvent]:
    return (AuditEvent.objects.filter(object_type="actionplans.actionitem", object_id=str(item.pk))
            .select_related("actor").order_by("-at", "-id"))


def plan_summary(region_code: str, cycle: Cycle) -> dict[str, Any]:
    items = list(plan_items(region_code, cycle))
    return {
        "items": items,
        "categories": achievement_by_category(cycle, items),
        "pillars": achievement_by_pillar(items),
        "overall": overall(items),
    }


def describe(event: AuditEvent) -> dict[str, Any]:
    """One history line in plain words ("Citra mengubah status: Belum mulai → Berjalan") instead of the
    audit code ("actionplans.update_item ( → in_progress)")."""
    from django import forms
    from django.utils.translation import get_language, gettext

    from kotacerdas.lib.formatting import format_plain

    from .choices import ActionStatus
    from .forms import ItemForm

    lang = get_language()
    actor = event.actor
    who = (actor.get_full_name() or actor.username) if actor is not None else gettext("sistem")
    statuses = {s.value: str(s.label) for s in ActionStatus}
    labels = {name: str(f.label) for name, f in ItemForm.base_fields.items()}
    numeric = {name for name, f in ItemForm.base_fields.items()
               if isinstance(f, forms.DecimalField | forms.FloatField | forms.IntegerField)}
    source = (event.data or {}).get("source")
    via = gettext(" lewat impor Excel") if source == "import" else (gettext(" lewat API") if source == "api" else "")
    details: list[str] = []
    if event.action == "actionplans.create_item":
        sentence = gettext("%(who)s menambahkan kegiatan ini%(via)s (status %(status)s)") % {
            "who": who, "via": via, "status": statuses.get(event.to_state, event.to_state)}
    elif event.action == "actionplans.update_item":
        changes = (event.data or {}).get("changes") or {}
        names = [labels.get(k, k) for k in changes]
        sentence = gettext("%(who)s mengubah %(fields)s%(via)s") % {
            "who": who, "fields": ", ".join(names) or gettext("kegiatan ini"), "via": via}
        for key, (old, new) in changes.items():
            if key == "status":
                old, new = statuses.get(old, old), statuses.get(new, new)
            # numbers as the reader writes them ("60,5", never "60.50" or an old trail's "6E+1")
            shown = [format_plain(v, lang, "—") if key in numeric else (v if v not in (None, "") else "—")
                     for v in (old, new)]
            details.append(f"{labels.get(key, key)}: {shown[0]} → {shown[1]}")
    elif event.action == "actionplans.archive_item":
        sentence = gettext("%(who)s mengarsipkan kegiatan ini") % {"who": who}
        if event.reason:
            details.append(gettext("Alasan: %(reason)s") % {"reason": event.reason})
    elif event.action == "actionplans.comment":
        sentence = gettext("%(who)s menulis komentar") % {"who": who}
    else:
        sentence = f"{who}: {event.action}"
    return {"at": event.at, "sentence": sentence, "details": details}
