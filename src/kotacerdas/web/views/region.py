from __future__ import annotations

import json
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from kotacerdas.catalogue import filters as programme_filters
from kotacerdas.catalogue import rules as catalogue_rules
from kotacerdas.catalogue.choices import ProgrammeStatus
from kotacerdas.catalogue.models import Pillar, Programme, SubDimension, Unit
from kotacerdas.catalogue.queries import public_programmes
from kotacerdas.core.provenance import region_label
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Evidence, Feedback
from kotacerdas.regions.models import Region
from kotacerdas.regions.queries import region_with_counts

from .. import access, charts, pagecache
from ..sections import SectionContext, all_cacheable, reach, render_sections, signature
from ..templatetags.kc import reach_classes
from .common import region_cycle, region_submission


def _region(code: str) -> Region:
    region = region_with_counts(code)
    if region is None:
        raise Http404(code)
    return region


def _dashboard_refusal() -> str:
    return gettext("Dasbor wilayah ini hanya untuk pengguna wilayahnya, asesor panel yang ditugaskan dan admin "
                   "nasional")


def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """The body (everything inside <main>) is cached per data version and visibility class
    (web.pagecache); the permission check runs first on every request."""
    version = pagecache.data_version(code)  # before any data is read: a body is never older than its key
    allowed = access.can_view_region_dashboard(request.user, code)
    key = pagecache.make_key("dashboard", version, pagecache.region_viewer(request.user, code), code,
                             signature("dashboard"))
    cached = pagecache.cache().get(key)
    if cached is None:
        region = _region(code)
        access.require(allowed, _dashboard_refusal())
        cached = _dashboard_body(request, region)
        if all_cacheable("dashboard"):
            pagecache.cache().set(key, cached, timeout=pagecache.TTL)
    else:
        access.require(allowed, _dashboard_refusal())
    body = mark_safe(cached["html"])  # noqa: S308 -- rendered by our own templates, autoescaped
    return render(request, "web/dashboard.html", {"title": cached["title"], "body": body})


def _dashboard_body(request: HttpRequest, region: Region) -> dict[str, str]:
    code = region.code
    results = list(queries.visible_results(request.user).filter(region_id=code).order_by("cycle__year"))
    result = results[-1] if results else None
    previous = results[-2] if len(results) > 1 else None
    cycle = region_cycle(code)
    ctx = SectionContext(request=request, region=region, cycle=cycle, submission=region_submission(code, cycle),
                         result=result, extra={"results": results, "previous_result": previous})
    sections = render_sections("dashboard", ctx)
    # Rendered without the request: no context processor, so no CSRF token, user or messages in the body.
    html = render_to_string("web/_dashboard_body.html", {"region": region, "sections": sections, "result": result,
                                                          "cycle": cycle})
    return {"title": region_label(region), "html": html}


def programme_list(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    g = request.GET
    # The same FilterSet as GET /api/v1/programmes (catalogue.filters), fed the list's Indonesian names.
    data = programme_filters.from_web(g)
    programmes = programme_filters.programmes(public_programmes(region=code), data)
    programmes = programmes.select_related("pillar", "subdimension", "owner")
    pillar = data.get("pillar", "")
    subdimensions = SubDimension.objects.select_related("pillar")
    if pillar and Pillar.objects.filter(code=pillar).exists():
        subdimensions = subdimensions.filter(pillar_id=pillar)  # only the chosen pillar's sub-dimensions
    sub = data.get("subdimension", "")
    if sub and not subdimensions.filter(code=sub).exists():
        sub = ""  # a sub-dimension of another pillar no longer applies once a pillar is chosen
    ctx = {
        "region": region, "programmes": programmes, "pillars": Pillar.objects.all(), "sub": sub,
        "subdimensions": subdimensions,
        "units": Unit.objects.active().filter(region_id=code).order_by("name"),
        "statuses": ProgrammeStatus.choices, "f": g, "qw": g.get("qw", ""),
        "can_add": catalogue_rules.can_add_programme.test(request.user, region),
    }
    template = "web/_programme_rows.html" if request.htmx else "web/programmes.html"  # type: ignore[attr-defined]
    return render(request, template, ctx)


def programme_detail(request: HttpRequest, code: str, programme: str) -> HttpResponse:
    region = _region(code)
    prog = get_object_or_404(Programme.objects.active().select_related("pillar", "subdimension", "owner")
                             .prefetch_related(Prefetch("kecamatan", Region.objects.without_geometry())),
                             region_id=code, code=programme)
    private = access.can_view_private_catalogue(request.user, code)
    ctx: dict[str, Any] = {"region": region, "p": prog, "private": private,
                           "can_edit": catalogue_rules.can_edit_programme.test(request.user, prog)}
    if private:
        ctx["feedback"] = list(Feedback.objects.filter(programme=prog).select_related("submission__cycle")
                               .order_by("-submission__cycle__year", "created_at"))
        ctx["evidence"] = list(Evidence.objects.filter(programme=prog, archived_at__isnull=True)
                               .select_related("submission__cycle").order_by("-uploaded_at"))
    sctx = SectionContext(request=request, region=region, programme=prog)
    ctx["sections"] = render_sections("programme", sctx)
    return render(request, "web/programme.html", ctx)


# --- the region map -----------------------------------------------------------------------------

MAPPED_REGIONS = {"16.07": "banyuasin"}


def region_map(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    if code not in MAPPED_REGIONS:
        raise Http404(gettext("Peta kecamatan belum tersedia untuk wilayah ini"))
    programmes = list(public_programmes(region=code).select_related("pillar"))
    metric = request.GET.get("metrik") or ""
    table = _reach_table(code, metric, request.user) if metric else None
    if table is None:
        # Open on the first programme that has reach data to show (else the first one), not on a grey map.
        for prog in programmes:
            table = _reach_table(code, prog.code, request.user)
            if table["data"] is not None:
                metric = prog.code
                break
        else:
            metric = programmes[0].code if programmes else ""
            table = _reach_table(code, metric, request.user)
    kecamatan = request.GET.get("kecamatan") or ""
    series = _series(code, metric, kecamatan, table["rows"], request.user) if kecamatan else None
    if request.GET.get("bagian") == "seri":  # the series alone, for the map's click (htmx)
        return render(request, "web/_reach_series.html", {"series": series, "region": region})
    classes = reach_classes([r["value"] for r in table["rows"]])
    return render(request, "web/map.html", {"region": region, "programmes": programmes, "metric": metric,
                                            "geo": MAPPED_REGIONS[code], "classes": classes,
                                            "classes_json": json.dumps(classes), "series": series, **table})


def _series(code: str, metric: str, kecamatan: str, rows: list[dict[str, Any]], user: Any) -> dict[str, Any]:
    """One kecamatan's monthly transactions and active citizens for the chart under the map."""
    from ..sections import reach_series

    row = next((r for r in rows if r["code"] == kecamatan), None)
    if row is None:
        raise Http404(kecamatan)
    points = reach_series(code, metric, kecamatan, user) or []
    labels = {"transactions": gettext("Transaksi"), "active_citizens": gettext("Warga aktif")}
    chart = charts.line([p["period"] for p in points],
                        {labels[k]: [p[k] for p in points] for k in labels}, max_value=None, decimals=0,
                        labels=False) if points else None
    if chart is not None:  # two lines: say which is which
        chart["legend"] = {"top": 0}
        chart["grid"]["top"] = 36
    return {"kecamatan": row, "points": points, "chart": chart, "labels": labels, "metric": metric}


def _reach_table(code: str, metric: str, user: Any) -> dict[str, Any]:
    kecamatan = list(Region.objects.without_geometry().filter(parent_id=code).order_by("name")
                     .only("code", "name", "population"))
    data = reach(code, metric, user) if metric else None
    served: set[str] = set()
    prog = Programme.objects.filter(region_id=code, code=metric).first() if metric else None
    if prog is not None:
        served = ({k.code for k in kecamatan} if prog.area_scope == "whole"
                  else set(prog.kecamatan.values_list("code", flat=True)))
    lagging = set(data.lagging) if data is not None else set()
    rows = [{"code": k.code, "name": k.name, "value": None if data is None else data.values.get(k.code),
             "served": k.code in served, "lagging": k.code in lagging} for k in kecamatan]
    names = {k.code: k.name for k in kecamatan}
    # Lagging kecamatan in the order the analysis gives them (lowest value first), by name.
    behind = [{"code": c, "name": names.get(c, c)} for c in (data.lagging if data is not None else [])]
    return {"rows": rows, "data": data, "programme": prog, "behind": behind}


def region_map_data(request: HttpRequest, code: str) -> JsonResponse:
    if code not in MAPPED_REGIONS:
        raise Http404(code)
    table = _reach_table(code, request.GET.get("metrik", ""), request.user)
    data = table["data"]
    return JsonResponse({
        "metric": request.GET.get("metrik", ""),
        "label": str(data.label) if data else "", "unit": str(data.unit) if data else "",
        "source": str(data.source) if data else "",
        "values": {r["code"]: r["value"] for r in table["rows"] if r["value"] is not None},
        "served": [r["code"] for r in table["rows"] if r["served"]],
        "lagging": [r["code"] for r in table["rows"] if r["lagging"]],
        "gini": data.gini if data else None, "year": data.year if data else None,
        "empty_text": gettext("belum ada data"),
    })
