"""The action plan's item list filters as one django-filter FilterSet (the plan page
`/wilayah/<code>/rencana-aksi/`), under the page's Indonesian parameter names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils import timezone

from kotacerdas.core.filtering import narrowed

from .choices import ActionStatus
from .models import ActionItem


class ActionItemFilterSet(df.FilterSet):
    """kategori (category code), status, unit (the owner's id), pilar (the item's pillar, else its
    programme's), terlambat=1 (past due and not done), q (title contains)."""

    kategori = df.CharFilter(field_name="category")
    status = df.CharFilter(field_name="status")
    unit = df.CharFilter(method="by_owner")
    pilar = df.CharFilter(method="by_pillar")
    terlambat = df.CharFilter(method="by_overdue")
    q = df.CharFilter(field_name="title", lookup_expr="icontains")

    class Meta:
        model = ActionItem
        fields: list[str] = []

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def by_owner(self, qs: QuerySet[ActionItem], name: str, value: str) -> QuerySet[ActionItem]:
        return qs.filter(owner_id=int(value)) if value.isdigit() and int(value) else qs  # not an id: no narrowing

    def by_pillar(self, qs: QuerySet[ActionItem], name: str, value: str) -> QuerySet[ActionItem]:
        return qs.filter(Q(pillar_id=value) | Q(pillar__isnull=True, programme__pillar_id=value))

    def by_overdue(self, qs: QuerySet[ActionItem], name: str, value: str) -> QuerySet[ActionItem]:
        if value != "1":
            return qs
        return qs.filter(due_on__lt=self.today or timezone.localdate()).exclude(status=ActionStatus.DONE)


def items(queryset: QuerySet[ActionItem], params: Any, today: dt.date | None = None, *,
          strict: bool = False) -> QuerySet[ActionItem]:
    """`queryset` narrowed by the page's parameters; a value that does not fit (a unit that is not a
    number) is ignored, as the page always did, or refused naming the parameter (``strict``: the API)."""
    return narrowed(ActionItemFilterSet, queryset, params, strict=strict, today=today)


def chosen(params: Any) -> dict[str, Any]:
    """The choices as the page's form shows them again (unit as a number, overdue as a flag)."""
    owner = params.get("unit")
    return {"category": params.get("kategori") or None, "status": params.get("status") or None,
            "owner": int(owner) if owner and owner.isdigit() else None, "pillar": params.get("pilar") or None,
            "overdue": params.get("terlambat") == "1", "q": params.get("q") or None}
