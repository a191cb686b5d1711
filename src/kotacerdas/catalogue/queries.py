from __future__ import annotations

from django.db.models import QuerySet

from .models import Programme


def public_programmes(*, region: str | None = None) -> QuerySet[Programme]:
    """Active programmes (of one region), in list order; narrowed by catalogue.filters.ProgrammeFilterSet."""
    qs = Programme.objects.active().select_related("owner").order_by("region_id", "pillar__order", "title", "id")
    if region:
        qs = qs.filter(region_id=region)
    return qs
