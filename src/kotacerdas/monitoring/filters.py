"""The KPI value list's filters as a django-filter FilterSet (`GET /api/v1/kpis/{id}/values`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as df
from django.db.models import QuerySet

from kotacerdas.core.filtering import narrowed

from .models import KpiValue


class KpiValueFilterSet(df.FilterSet):
    """Values of one year (their period falls in it) and of one area (its code)."""

    year = df.NumberFilter(method="by_year")
    area = df.CharFilter(field_name="area_id")

    class Meta:
        model = KpiValue
        fields: list[str] = []

    def by_year(self, qs: QuerySet[KpiValue], name: str, value: Any) -> QuerySet[KpiValue]:
        year = int(value)
        return qs.filter(period__gte=dt.date(year, 1, 1), period__lt=dt.date(year + 1, 1, 1))


def kpi_values(queryset: QuerySet[KpiValue], params: Any) -> QuerySet[KpiValue]:
    """`queryset` narrowed by year and area; a value that does not fit is an error (InvalidInput)."""
    return narrowed(KpiValueFilterSet, queryset, params, strict=True)
