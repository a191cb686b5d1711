"""Region list filters as a django-filter FilterSet: free text (a name, or the start of a Kemendagri code)
and province. Rows that belong to a region (a cycle's participants, say) reuse it through `region_path`,
so a region and a row about a region are narrowed by the same rules."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet

from kotacerdas.core.filtering import narrowed

from .models import Region


class RegionFilterSet(df.FilterSet):
    """`q`: name contains / code starts with; `provinsi` (the web's name) or `province` (the API's): the
    province's two-digit code, the region's parent."""

    region_path = ""  # "" for regions themselves, "region__" for rows with a `region`

    q = df.CharFilter(method="by_text")
    provinsi = df.CharFilter(method="by_province")
    province = df.CharFilter(method="by_province")

    class Meta:
        model = Region
        fields: list[str] = []

    def by_text(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        q, path = value.strip(), self.region_path
        return qs.filter(Q(**{f"{path}name__icontains": q}) | Q(**{f"{path}code__startswith": q})) if q else qs

    def by_province(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(**{f"{self.region_path}parent_id": value})


def regions(queryset: QuerySet[Region], params: Any) -> QuerySet[Region]:
    """`queryset` narrowed by the request's parameters (q, provinsi/province)."""
    return narrowed(RegionFilterSet, queryset, params)
