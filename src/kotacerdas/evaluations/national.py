"""Read models of the national screens and API: the ranking (filtered by one FilterSet shared by the web
ranking, the national dashboard, the map and `GET /api/v1/ranking`), the published results of the public
portal and each panel's progress. Views and API routes only render what these return."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import django_filters as df
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .choices import AssessmentStatus, RegionClass, SubmissionStatus
from .models import Assessment, Assignment, Cycle, Panel, Participation, Result, Submission

RANKING_SORTS = {
    "peringkat": ("rank", "-index", "region_id"), "-peringkat": ("-rank", "index", "region_id"),
    "indeks": ("index", "region_id"), "-indeks": ("-index", "region_id"),
    "nama": ("region__name",), "-nama": ("-region__name",),
    "provinsi": ("region__parent__name", "rank"), "-provinsi": ("-region__parent__name", "rank"),
    "perubahan": ("improvement", "rank"), "-perubahan": ("-improvement", "rank"),
}


def with_region_class(results: QuerySet[Result]) -> QuerySet[Result]:
    """Each result with the region's class (A/B) in that cycle, as `region_class`."""
    klass = Participation.objects.filter(cycle=OuterRef("cycle"), region=OuterRef("region")).values("region_class")[:1]
    return results.annotate(region_class=Subquery(klass))


class RankingFilterSet(df.FilterSet):
    """Province (two digits), class (A/B) and free text over results; the web's Indonesian names
    (provinsi, kelas) and the API's (province, region_class) are the same filters."""

    province = df.CharFilter(method="by_province")
    provinsi = df.CharFilter(method="by_province")
    region_class = df.ChoiceFilter(choices=RegionClass.choices, method="by_class")
    kelas = df.ChoiceFilter(choices=RegionClass.choices, method="by_class")
    q = df.CharFilter(method="by_text")

    class Meta:
        model = Result
        fields: list[str] = []

    def by_province(self, qs: QuerySet[Result], name: str, value: str) -> QuerySet[Result]:
        value = value.strip()
        return qs.filter(region__parent_id=value) if len(value) == 2 and value.isdigit() else qs

    def by_class(self, qs: QuerySet[Result], name: str, value: str) -> QuerySet[Result]:
        return qs.filter(region_class=value)  # type: ignore[misc]  # annotated by with_region_class

    def by_text(self, qs: QuerySet[Result], name: str, value: str) -> QuerySet[Result]:
        q = value.strip()
        return qs.filter(Q(region__name__icontains=q) | Q(region__code__startswith=q)) if q else qs


def ranking(results: QuerySet[Result], params: Any) -> QuerySet[Result]:
    """`results` (with their class) narrowed by the request's parameters; invalid values are ignored."""
    qs = with_region_class(results)
    fs = RankingFilterSet(params, queryset=qs)
    if not fs.is_valid():
        fs = RankingFilterSet({k: v for k, v in dict(params).items() if k not in fs.errors}, queryset=qs)
    return fs.qs


def latest_published_cycle() -> Cycle | None:
    return Cycle.objects.filter(results__is_published=True).distinct().order_by("-year").first()


def published(cycle: Cycle) -> QuerySet[Result]:
    return (Result.objects.filter(cycle=cycle, is_published=True).select_related("region__parent")
            .defer("trace", "region__geometry", "region__parent__geometry").order_by("rank", "region_id"))


def panel_progress(cycle: Cycle | None) -> list[dict[str, Any]]:
    """Per panel of `cycle`: members, regions assigned, their submissions' statuses, completed sheets."""
    if cycle is None:
        return []
    panels = list(Panel.objects.filter(cycle=cycle).select_related("lead").prefetch_related("members")
                  .annotate(n_regions=Count("assignments", filter=Q(assignments__active=True))))
    assigned: dict[int, list[str]] = defaultdict(list)
    for panel_id, region_id in Assignment.objects.filter(cycle=cycle, active=True).values_list("panel_id",
                                                                                              "region_id"):
        assigned[panel_id].append(region_id)
    status_of: dict[str, str] = {}
    for region_id, status, stage in Submission.objects.filter(cycle=cycle).values_list("region_id", "status",
                                                                                      "stage"):
        status_of.setdefault(region_id, status)
        if stage == cycle.stage:
            status_of[region_id] = status
    complete = Counter(Assessment.objects.filter(submission__cycle=cycle, status=AssessmentStatus.COMPLETE)
                       .values_list("submission__region_id", flat=True))
    done_states = {SubmissionStatus.ASSESSED, SubmissionStatus.FINAL, SubmissionStatus.PUBLISHED}
    out = []
    for p in panels:
        regions = assigned[p.pk]
        statuses = Counter(status_of.get(r, "") for r in regions)
        done = sum(statuses[s] for s in done_states)
        out.append({"panel": p, "members": list(p.members.all()), "regions": len(regions),
                    "statuses": [(SubmissionStatus(s).label, n) for s, n in sorted(statuses.items()) if s],
                    "assessments": sum(complete[r] for r in regions), "done": done,
                    "percent": round(100 * done / len(regions)) if regions else 0})
    return out
