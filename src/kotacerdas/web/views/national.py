from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from kotacerdas.evaluations import national as readmodels
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.choices import RegionClass
from kotacerdas.evaluations.models import Result
from kotacerdas.regions.models import Region

from .. import access, charts, pagecache
from ..templatetags.kc import INDEX_CLASSES
from .common import current_cycle


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
    qs = (queries.visible_results(request.user).filter(cycle__year=year or 0)
          .select_related("region__parent").defer("trace", "region__geometry", "region__parent__geometry")
          .order_by("rank", "-index", "region_id"))
    qs = readmodels.ranking(qs, {k: g.get(k, "") for k in ("provinsi", "kelas", "q")})  # shared with the API
    province, region_class, q = _filter_key(request)[1:]
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
           "panels": readmodels.panel_progress(cycle), "cycle": cycle}
    # Rendered without the request: no context processor, so no CSRF token, user or messages in the body.
    return render_to_string("web/_national_body.html", ctx)


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


def national_ranking(request: HttpRequest) -> HttpResponse:
    """Every ranked row with paging, sorting, filters (province, kelas, predicate, name) and an Excel
    download of exactly the rows filtered; the map above opens a region on click. Public: published
    results only (an admin also sees what is not published yet, marked)."""
    from django.core.paginator import Paginator

    filters, qs = _filtered(request)
    sort = request.GET.get("urut", "peringkat")
    if sort not in readmodels.RANKING_SORTS:
        sort = "peringkat"
    rows = list(qs.order_by(*readmodels.RANKING_SORTS[sort]))
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
