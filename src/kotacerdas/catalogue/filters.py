"""The programme list's filters as one django-filter FilterSet, shared by the web list
(`/wilayah/<code>/program/`) and `GET /api/v1/programmes`: the same parameters narrow the same query.
The unit list of `GET /api/v1/units` is narrowed here too."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet

from kotacerdas.core.filtering import narrowed

from .choices import ProgrammeStatus, UnitKind
from .models import Pillar, Programme, SubDimension, Unit


class ProgrammeFilterSet(df.FilterSet):
    region = df.CharFilter(field_name="region_id")
    pillar = df.ModelChoiceFilter(field_name="pillar", queryset=Pillar.objects.all(), to_field_name="code")
    subdimension = df.ModelChoiceFilter(field_name="subdimension", queryset=SubDimension.objects.all(),
                                        to_field_name="code", method="by_subdimension")
    unit = df.ModelChoiceFilter(field_name="owner", queryset=Unit.objects.all())
    status = df.ChoiceFilter(choices=ProgrammeStatus.choices)
    quick_win = df.BooleanFilter()
    q = df.CharFilter(field_name="title", lookup_expr="icontains")

    class Meta:
        model = Programme
        fields: list[str] = []

    def by_subdimension(self, qs: QuerySet[Programme], name: str, value: Any) -> QuerySet[Programme]:
        # A sub-dimension belongs to one pillar: beside a chosen pillar only its own sub-dimensions narrow
        # the list (one left over from another pillar is dropped, never an empty list that hides the pillar).
        chosen = self.form.cleaned_data.get("pillar")
        if chosen is not None and value.pillar_id != chosen.code:
            return qs
        return qs.filter(subdimension=value)


# The web list's Indonesian parameter names -> the FilterSet's (the API's) names.
WEB_PARAMS = {"pilar": "pillar", "sub": "subdimension", "unit": "unit", "status": "status", "qw": "quick_win",
              "q": "q"}


def from_web(params: Any) -> dict[str, str]:
    """The FilterSet's data from the web list's query string (qw=1/0 -> quick_win=true/false)."""
    data = {WEB_PARAMS[k]: str(params.get(k, "")).strip() for k in WEB_PARAMS if params.get(k)}
    if "quick_win" in data:
        data["quick_win"] = {"1": "true", "0": "false"}.get(data["quick_win"], "")
    return data


def programmes(queryset: QuerySet[Programme], data: dict[str, Any]) -> QuerySet[Programme]:
    """`queryset` narrowed by `data`; an invalid value (an unknown pillar or unit) is ignored, not an error."""
    return narrowed(ProgrammeFilterSet, queryset, data)


class UnitFilterSet(df.FilterSet):
    """Units by region (its code) and kind."""

    region = df.CharFilter(field_name="region_id")
    kind = df.ChoiceFilter(choices=UnitKind.choices)

    class Meta:
        model = Unit
        fields: list[str] = []


def units(queryset: QuerySet[Unit], data: dict[str, Any]) -> QuerySet[Unit]:
    """`queryset` narrowed by region and kind; a value that does not fit is an error (InvalidInput)."""
    return narrowed(UnitFilterSet, queryset, data, strict=True)
