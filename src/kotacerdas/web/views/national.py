from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from kotacerdas.evaluations import queries
from kotacerdas.evaluations.choices import AssessmentStatus, RegionClass, SubmissionStatus
from kotacerdas.evaluations.models import (
    Assessment,
    Assignment,
    Cycle,
    Panel,
    Participation,
    Result,
    Submission,
)
from kotacerdas.regions.models import Region

from .. import access, charts, pagecache
from ..templatetags.kc import INDEX_CLASSES
from .common import current_cycle, name_filter


def _years(user: Any) -> list[int]:
    return sorted(set(queries.visible_results(user).values_list("cycle__year", flat=True)), reverse=True)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filtered(request: HttpRequest) -> tuple[dict[str, Any], Any]:
    g = request.GET
    years = _years(request.user)
    year = _int(g.get("tahun"))
    if year not in years:
        year = years[0] if years else None
    province = g.get("provinsi", "") if len(g.get("provinsi", "")) == 2 and g.get("provinsi", "").isdigit() else ""
    region_class = g.get("kelas", "") if g.get("kelas", "") in RegionClass.values else ""
    q = g.get("q", "").strip()
    klass = Participation.objects.filter(cycle=OuterRef("cycle"), region=OuterRef("region")).values("region_class")[:1]
    qs = (queries.visible_results(request.user).filter(cycle__year=year or 0)
          .select_related("region__parent").defer("trace", "region__geometry", "region__parent__geometry")
          .annotate(region_class=Subquery(klass)).order_by("rank", "-index", "region_id"))
    if province:
        qs = qs.filter(region__parent_id=province)
    if region_class:
        qs = qs.filter(region_class=region_class)
    if q:
        qs = qs.filter(name_filter(q))
    filters = {"years": years, "year": year, "province": province, "region_class": region_class, "q": q,
               "provinces": Region.objects.without_geometry().filter(level="provinsi").order_by("name"),
               "classes": RegionClass.choices}
    return filters, qs


@login_required
def national(request: HttpRequest) -> HttpResponse:
    """The body is cached per data version, language, visibility class and filters (web.pagecache);
    the permission check runs first on every request."""
    version = pagecache.data_version()  # before any data is read: a body is never older than its key
    access.require(access.is_admin(request.user) or access.is_assessor(request.user))
    key = pagecache.make_key("national", version, pagecache.national_viewer(request.user), *_filter_key(request))
    html = pagecache.cache().get(key)
    if html is None:
        html = _national_body(request)
        pagecache.cache().set(key, html, timeout=pagecache.TTL)
    body = mark_safe(html)  # noqa: S308 -- rendered by our own templates, autoescaped
    return render(request, "web/national.html", {"body": body})


def _filter_key(request: HttpRequest) -> tuple[Any, ...]:
    """The query string as _filtered reads it (anything else in it does not change the page)."""
    g = request.GET
    province = g.get("provinsi", "")
    region_class = g.get("kelas", "")
    return (_int(g.get("tahun")), province if len(province) == 2 and province.isdigit() else "",
            region_class if region_class in RegionClass.values else "", g.get("q", "").strip())


def _national_body(request: HttpRequest) -> str:
    filters, qs = _filtered(request)
    results = list(qs)
    values = [r.index for r in results]
    hist, hist_rows = charts.histogram(values)
    movers = sorted((r for r in results if r.improvement is not None), key=lambda r: -r.improvement)
    # Only published predicates (none under provisional bands); the histogram is of the index itself.
    predicates = Counter(p for r in results if (p := r.published_predicate.label) is not None)
    cycle = current_cycle()
    ctx = {**filters, "results": results, "hist": hist, "hist_rows": hist_rows, "up": movers[:8],
           "down": [r for r in reversed(movers) if r.improvement < 0][:5], "predicates": sorted(predicates.items()),
           "panels": _panels(cycle), "cycle": cycle}
    # Rendered without the request: no context processor, so no CSRF token, user or messages in the body.
    return render_to_string("web/_national_body.html", ctx)


def _panels(cycle: Cycle | None) -> list[dict[str, Any]]:
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


def national_map(request: HttpRequest) -> HttpResponse:
    filters, qs = _filtered(request)
    return render(request, "web/national_map.html", {**filters, "results": list(qs), "classes": INDEX_CLASSES,
                                                     "classes_json": json.dumps(INDEX_CLASSES)})


def national_map_data(request: HttpRequest) -> JsonResponse:
    _filters, qs = _filtered(request)
    data = {r.region_id: {"index": float(r.index), "predicate": r.published_predicate.label,
                          "predicate_status": r.published_predicate.status, "rank": r.rank,
                          "name": r.display_name, "provenance": r.provenance} for r in qs}
    return JsonResponse({"year": _filters["year"], "results": data})


def latest_published_cycle() -> Cycle | None:
    return Cycle.objects.filter(results__is_published=True).distinct().order_by("-year").first()


def published(cycle: Cycle) -> Any:
    return (Result.objects.filter(cycle=cycle, is_published=True).select_related("region__parent")
            .defer("trace", "region__geometry", "region__parent__geometry").order_by("rank", "region_id"))


RANKING_SORTS = {
    "peringkat": ("rank", "-index", "region_id"), "-peringkat": ("-rank", "index", "region_id"),
    "indeks": ("index", "region_id"), "-indeks": ("-index", "region_id"),
    "nama": ("region__name",), "-nama": ("-region__name",),
    "provinsi": ("region__parent__name", "rank"), "-provinsi": ("-region__parent__name", "rank"),
    "perubahan": ("improvement", "rank"), "-perubahan": ("-improvement", "rank"),
}


def national_ranking(request: HttpRequest) -> HttpResponse:
    """Every ranked row with paging, sorting, filters (province, kelas, predicate, name) and an Excel
    download of exactly the rows filtered; the map above opens a region on click. Public: published
    results only (an admin also sees what is not published yet, marked)."""
    from django.core.paginator import Paginator

    filters, qs = _filtered(request)
    sort = request.GET.get("urut", "peringkat")
    if sort not in RANKING_SORTS:
        sort = "peringkat"
    rows = list(qs.order_by(*RANKING_SORTS[sort]))
    # Only published predicates (Result.published_predicate: none under provisional bands) are offered.
    predicates = sorted({p for r in rows if (p := r.published_predicate.label)})
    predicate = request.GET.get("predikat", "")
    if predicate:
        rows = [r for r in rows if r.published_predicate.label == predicate]
    if request.GET.get("format") == "xlsx":
        return _ranking_xlsx(filters.get("year"), rows)
    page = Paginator(rows, 50).get_page(request.GET.get("hal"))
    keep = request.GET.copy()
    keep.pop("hal", None)
    keep.pop("urut", None)
    return render(request, "web/ranking.html", {
        **filters, "page": page, "predicate": predicate, "predicates": predicates, "sort": sort,
        "keep": keep.urlencode(), "classes_map": INDEX_CLASSES, "classes_json": json.dumps(INDEX_CLASSES)})


def _ranking_xlsx(year: int | None, rows: list[Result]) -> HttpResponse:

    from openpyxl import Workbook

    from kotacerdas.lib import cells

    wb = Workbook()
    ws = wb.active
    ws.title = "Peringkat"
    cells.append(ws, ["Peringkat", "Kode", "Kabupaten/Kota", "Provinsi", "Kelas", "Indeks", "Predikat", "Peningkatan",
               "Diterbitkan"])
    for r in rows:
        cells.append(ws, [r.rank, r.region_id, r.display_name, r.region.parent.name if r.region.parent else "",
                   getattr(r, "region_class", "") or "", float(r.index), r.published_predicate.label or "",
                   float(r.improvement) if r.improvement is not None else None, "ya" if r.is_published else "belum"])
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "0.00"
    ws.auto_filter.ref = ws.dimensions
    if any(r.cycle.is_demo for r in rows[:1]):
        from kotacerdas.core.provenance import mark_workbook

        mark_workbook(wb)
    response = HttpResponse(cells.workbook_bytes(wb),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="peringkat-{year or "semua"}.xlsx"'
    return response
