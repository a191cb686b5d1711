from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Programme


def public_programmes(*, region: str | None = None) -> QuerySet[Programme]:
    """Active programmes (of one region), in list order; narrowed by catalogue.filters.ProgrammeFilterSet."""
    qs = Programme.objects.active().select_related("owner").order_by("region_id", "pillar__order", "title", "id")
    if region:
        qs = qs.filter(region_id=region)
    return qs


def demo_rows() -> tuple[bool, set[str]]:
    """The catalogue's part of `core.provenance.demo_state()`: whether demo programmes are loaded."""
    return Programme.objects.active().filter(is_demo=True).exists(), set()


def built_from_demo(region: Any, cycle: Any) -> bool:
    """Whether a report or export of this region and cycle shows demo rows: a demo cycle, or the region's
    demo catalogue."""
    return bool(cycle.is_demo) or Programme.objects.active().filter(region=region, is_demo=True).exists()
