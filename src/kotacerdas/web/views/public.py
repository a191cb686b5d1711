"""The public portal: published results and programme progress only, no login."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kotacerdas.catalogue.choices import ProgrammeStatus
from kotacerdas.catalogue.models import Pillar, Programme
from kotacerdas.evaluations.models import Result
from kotacerdas.evaluations.national import latest_published_cycle, published, ranking
from kotacerdas.evaluations.queries import pack_for
from kotacerdas.regions.queries import region_with_counts
from kotacerdas.reports.charts import ChartSpec, Series, to_svg

from ..dashboard import dimension_names
from ..sections import survey_links


def _progress(region_code: str | None = None) -> list[dict[str, Any]]:
    """Programmes per region (or per pillar for one region) and the share running."""
    qs = Programme.objects.active()
    if region_code:
        rows = qs.filter(region_id=region_code).values("pillar_id", "status").annotate(n=Count("id"))
        per: dict[str, dict[str, int]] = defaultdict(dict)
        for r in rows:
            per[r["pillar_id"]][r["status"]] = r["n"]
        out = []
        for p in Pillar.objects.all():
            total = sum(per[p.code].values())
            running = per[p.code].get(ProgrammeStatus.RUNNING, 0)
            out.append({"label": p.name, "key": p.code, "total": total, "running": running,
                        "planned": per[p.code].get(ProgrammeStatus.PLANNED, 0),
                        "percent": round(100 * running / total) if total else 0})
        return out
    rows = qs.values("region_id", "region__name", "status").annotate(n=Count("id"))
    per_region: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for r in rows:
        per_region[(r["region_id"], r["region__name"])][r["status"]] = r["n"]
    out = []
    for (code, name), counts in sorted(per_region.items()):
        total = sum(counts.values())
        running = counts.get(ProgrammeStatus.RUNNING, 0)
        out.append({"label": name, "key": code, "total": total, "running": running,
                    "planned": counts.get(ProgrammeStatus.PLANNED, 0),
                    "percent": round(100 * running / total) if total else 0})
    return out


def portal(request: HttpRequest) -> HttpResponse:
    cycle = latest_published_cycle()
    results = list(published(cycle)) if cycle else []
    q = request.GET.get("q", "").strip()
    # Searched by the ranking's FilterSet (name contains / code starts with), as on the national ranking.
    shown = list(ranking(published(cycle), {"q": q})) if q and cycle else results[:15]
    return render(request, "web/portal.html", {
        "cycle": cycle, "results": shown, "count": len(results), "q": request.GET.get("q", ""),
        "progress": _progress(), "survey_links": survey_links(),
    })


def public_region(request: HttpRequest, code: str) -> HttpResponse:
    region = region_with_counts(code)
    if region is None or region.level != "kabkota":
        raise Http404(code)
    results = list(Result.objects.filter(region_id=code, is_published=True).select_related("cycle")
                   .defer("trace").order_by("cycle__year"))
    latest = results[-1] if results else None
    ctx: dict[str, Any] = {"region": region, "results": results, "latest": latest, "progress": _progress(code),
                           "survey_links": survey_links(code)}
    if latest is not None:
        names = dimension_names(pack_for(latest.pack_code, latest.pack_version))
        ctx["dims"] = [(names.get(k, k), v) for k, v in latest.dimensions.items()]
        # Drawn on the server as inline SVG: this page is read on phones on weak mobile data, and a charting
        # library (about 330 KB compressed) would be most of its weight (bench/b7_phone.py).
        ctx["trend_svg"] = mark_safe(to_svg(ChartSpec(  # noqa: S308 -- built by to_svg, which escapes every text
            kind="line", title=str(_("Indeks per tahun")), categories=[str(r.cycle.year) for r in results],
            series=[Series(str(_("Indeks")), [r.index for r in results])], value_max=4, width_cm=7,
            height_cm=3.8)))
    return render(request, "web/public_region.html", ctx)
