"""The survey list's filters as a django-filter FilterSet (`GET /api/v1/surveys`)."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet

from kotacerdas.core.filtering import narrowed

from .models import Survey


class SurveyFilterSet(df.FilterSet):
    """Surveys by region (its code) and the year of their cycle."""

    region = df.CharFilter(field_name="region_id")
    year = df.NumberFilter(field_name="cycle__year")

    class Meta:
        model = Survey
        fields: list[str] = []


def surveys(queryset: QuerySet[Survey], params: Any) -> QuerySet[Survey]:
    """`queryset` narrowed by region and year; a value that does not fit is an error (InvalidInput)."""
    return narrowed(SurveyFilterSet, queryset, params, strict=True)
