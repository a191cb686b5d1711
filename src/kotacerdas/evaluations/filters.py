"""List filters of the evaluation lists as django-filter FilterSets, shared by the web screens and the API
(the same parameters narrow the same query in both): a cycle's participants (the cycle and schedule screens,
`GET /api/v1/cycles/{year}/participants`), its progress, and the results (`GET /api/v1/results`)."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from kotacerdas.core.filtering import narrowed
from kotacerdas.regions.filters import RegionFilterSet

from .choices import STAGE_ORDER
from .models import Assignment, Participation, Result, Submission
from .queries import PROGRESS_GROUPS, progress


def with_current_status(participations: QuerySet[Participation]) -> QuerySet[Participation]:
    """Each participation with the status of its current-stage submission (the latest stage it has)."""
    rank = Case(*[When(stage=s, then=Value(i)) for i, s in enumerate(STAGE_ORDER)], default=Value(-1),
                output_field=IntegerField())
    latest = (Submission.objects.filter(cycle=OuterRef("cycle"), region=OuterRef("region"))
              .annotate(stage_rank=rank).order_by("-stage_rank", "-pk").values("status")[:1])
    return participations.annotate(current_status=Subquery(latest))


class ProgressFilterSet(df.FilterSet):
    """Participants of one cycle on the national progress screen and `GET /api/v1/cycles/{year}/progress`:
    status (a group such as `submitted`, or one status), province (two digits), panel name, free text."""

    status = df.CharFilter(method="by_status")
    provinsi = df.CharFilter(method="by_province")
    province = df.CharFilter(method="by_province")
    panel = df.CharFilter(method="by_panel")
    q = df.CharFilter(method="by_text")

    class Meta:
        model = Participation
        fields: list[str] = []

    def by_status(self, qs: QuerySet[Participation], name: str, value: str) -> QuerySet[Participation]:
        wanted = PROGRESS_GROUPS.get(value, (value,))
        return with_current_status(qs).filter(current_status__in=wanted)  # type: ignore[misc]

    def by_province(self, qs: QuerySet[Participation], name: str, value: str) -> QuerySet[Participation]:
        return qs.filter(region__code__startswith=value.strip() + ".")

    def by_panel(self, qs: QuerySet[Participation], name: str, value: str) -> QuerySet[Participation]:
        regions = Assignment.objects.filter(cycle=OuterRef("cycle"), active=True, panel__name=value).values("region_id")
        return qs.filter(region_id__in=Subquery(regions))

    def by_text(self, qs: QuerySet[Participation], name: str, value: str) -> QuerySet[Participation]:
        q = value.strip()
        return qs.filter(Q(region__name__icontains=q) | Q(region__code__startswith=q)) if q else qs


def progress_rows(cycle: Any, params: Any) -> tuple[list[dict[str, Any]], ProgressFilterSet]:
    """The progress rows of `cycle` narrowed by the request's parameters (web or API)."""
    fs = ProgressFilterSet(params, queryset=Participation.objects.filter(cycle=cycle))
    return progress(cycle, participations=fs.qs), fs


class ParticipationFilterSet(RegionFilterSet):
    """A cycle's participants by their region: free text (name or code start) and province
    (`provinsi` on the web, `province` in the API)."""

    region_path = "region__"

    class Meta:
        model = Participation
        fields: list[str] = []


def participants(queryset: QuerySet[Participation], params: Any) -> QuerySet[Participation]:
    """`queryset` narrowed by the request's parameters (q, provinsi/province)."""
    return narrowed(ParticipationFilterSet, queryset, params)


class ResultFilterSet(df.FilterSet):
    """Results by region (its code), year and province (two digits)."""

    region = df.CharFilter(field_name="region_id")
    year = df.NumberFilter(field_name="cycle__year")
    province = df.CharFilter(field_name="region__parent_id")

    class Meta:
        model = Result
        fields: list[str] = []


def results(queryset: QuerySet[Result], params: Any) -> QuerySet[Result]:
    """`queryset` narrowed by region, year and province. The caller has checked the values (the API's
    schema answers 422 first); one that still does not fit is an error, never a silently wider list."""
    return narrowed(ResultFilterSet, queryset, params, strict=True)


class SubmissionFilterSet(df.FilterSet):
    """Submissions by year and region (its code)."""

    year = df.NumberFilter(field_name="cycle__year")
    region = df.CharFilter(field_name="region_id")

    class Meta:
        model = Submission
        fields: list[str] = []


def submissions(queryset: QuerySet[Submission], params: Any) -> QuerySet[Submission]:
    """`queryset` narrowed by year and region; a value that does not fit is an error (InvalidInput)."""
    return narrowed(SubmissionFilterSet, queryset, params, strict=True)
