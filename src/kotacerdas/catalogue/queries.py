from __future__ import annotations

from django.db.models import QuerySet

from .models import Programme


def public_programmes(*, region: str | None = None, pillar: str | None = None, quick_win: bool | None = None,
                      status: str | None = None, q: str | None = None) -> QuerySet[Programme]:
    qs = Programme.objects.active().select_related("owner").order_by("region_id", "pillar__order", "title", "id")
    if region:
        qs = qs.filter(region_id=region)
    if pillar:
        qs = qs.filter(pillar_id=pillar)
    if quick_win is not None:
        qs = qs.filter(quick_win=quick_win)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs
