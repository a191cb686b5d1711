from __future__ import annotations

from django.db.models import Count

from .models import Region


def region_with_counts(code: str) -> Region | None:
    return (Region.objects.without_geometry().select_related("parent")
            .annotate(children_count=Count("children")).filter(code=code).first())


def children_of(code: str) -> list[Region]:
    return list(Region.objects.without_geometry().filter(parent_id=code)
                .annotate(children_count=Count("children")).order_by("code"))
