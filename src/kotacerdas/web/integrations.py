"""Adapters that show the data of the action-plan, survey and monitoring apps in the web pages, through
their public read helpers (queries.py). Each is registered only if the app is installed and only in place
of the "belum ada data" placeholder, so an app that registers its own section (dashboard.py) wins."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import charts
from .sections import (
    ReachData,
    Section,
    SectionContext,
    register_default,
    register_reach,
    register_reach_series,
    register_survey_links,
)


def _url(name: str, *args: Any) -> str:
    """The app's page, whether its urls are included at the root or inside the web namespace."""
    for candidate in (f"web:{name}", name):
        try:
            return reverse(candidate, args=args)
        except NoReverseMatch:
            continue
    return ""


# --- action plans -------------------------------------------------------------------------------------

def _plan_cycle(ctx: SectionContext) -> Any:
    from kotacerdas.actionplans import queries as ap

    years = ap.plan_years()
    if not years:
        return None
    year = ctx.cycle.year if ctx.cycle is not None and ctx.cycle.year in years else years[0]
    return ap.plan_cycle(year)


def actionplan_progress(ctx: SectionContext) -> dict[str, Any] | None:
    from kotacerdas.actionplans import queries as ap

    cycle = _plan_cycle(ctx)
    if cycle is None:
        return {"pending": True, "installed": True, "what": _("rencana aksi")}
    summary = ap.plan_summary(ctx.region.code, cycle)
    return {"cycle": cycle, "categories": summary["categories"], "overall": summary["overall"],
            "link": _url("actionplans:plan", ctx.region.code)}


def programme_actions(ctx: SectionContext) -> dict[str, Any] | None:
    from kotacerdas.actionplans import queries as ap

    cycle = _plan_cycle(ctx)
    if cycle is None:
        return None
    items = list(ap.plan_items(ctx.region.code, cycle).filter(programme=ctx.programme))
    return {"items": items, "link": _url("actionplans:plan", ctx.region.code)}


# --- monitoring ---------------------------------------------------------------------------------------

def kpi_sparklines(ctx: SectionContext) -> dict[str, Any] | None:
    """The latest KPIs of the region's programmes: two queries however many programmes there are."""
    from kotacerdas.monitoring.models import Kpi, KpiValue

    kpis = list(Kpi.objects.filter(archived_at__isnull=True, programme__region_id=ctx.region.code)
                .select_related("programme")  # type: ignore[misc]
                .order_by("programme__title", "order", "code")
                .prefetch_related(Prefetch("values", KpiValue.objects.filter(area_id=ctx.region.code)
                                           .order_by("period"), to_attr="kab_values")))
    rows = []
    kpi: Any
    for kpi in kpis[:12]:
        values = [v.value for v in kpi.kab_values][-12:]
        last = kpi.kab_values[-1] if kpi.kab_values else None
        rows.append({"kpi": kpi, "chart": charts.sparkline(values), "last": last, "values": values})
    upload = bool(getattr(ctx.user, "is_authenticated", False))  # the body is rendered without the request
    if not rows:
        return {"pending": True, "installed": True, "what": _("KPI"), "upload": upload}
    return {"rows": rows, "more": max(0, len(kpis) - len(rows)), "upload": upload}


def programme_kpis(ctx: SectionContext) -> dict[str, Any] | None:
    from kotacerdas.monitoring import queries as mq

    series = mq.kpi_series(ctx.programme, periods=12)
    if not series:
        return None
    return {"rows": [{"s": s, "chart": charts.sparkline([p["value"] for p in s.points])} for s in series]}


def _visible_programme(region_code: str, metric: str, user: Any) -> Any:
    """The region's programme ``metric`` when its monitoring is published or the user may see it."""
    from kotacerdas.catalogue.models import Programme
    from kotacerdas.monitoring import queries as mq

    prog = Programme.objects.filter(region_id=region_code, code=metric).first()
    if prog is None or not (mq.is_published(prog) or (user is not None and mq.can_view(user, prog))):
        return None
    return prog


def monitoring_reach(region_code: str, metric: str, user: Any) -> ReachData | None:
    from kotacerdas.monitoring import queries as mq

    prog = _visible_programme(region_code, metric, user)
    if prog is None:
        return None
    from django.utils import timezone

    from kotacerdas.monitoring.backend import event_years

    # The newest year with service events (not only this year and last: a region may upload later).
    for year in [y for y in event_years(region_code) if y <= timezone.localdate().year][:3]:
        reach = mq.reach_by_kecamatan(prog, year)
        if reach.has_data:
            return ReachData(label=_("Pengguna per 1.000 penduduk"), unit="‰",
                             values={k.code: k.users_per_1000 for k in reach.kecamatan
                                     if k.users_per_1000 is not None},
                             source=f"{_('transaksi layanan')} {year}"
                                    + (f" · {_('penduduk sebagian perkiraan')}" if reach.population_is_estimate else ""),
                             year=year, gini=reach.gini, median=reach.median_users_per_1000,
                             lagging=list(reach.lagging), lagging_rule=reach.lagging_rule)
    return None


def monitoring_reach_series(region_code: str, metric: str, kecamatan: str, user: Any) -> list[dict[str, Any]] | None:
    from kotacerdas.monitoring import queries as mq

    prog = _visible_programme(region_code, metric, user)
    if prog is None:
        return None
    return mq.activity_series(prog, kecamatan=kecamatan)


# --- surveys ------------------------------------------------------------------------------------------

def survey_progress(ctx: SectionContext) -> dict[str, Any] | None:
    from kotacerdas.surveys import queries as sq
    from kotacerdas.surveys.models import Survey

    survey: Any = (Survey.objects.filter(region_id=ctx.region.code).select_related("cycle")
              .order_by("-cycle__year").first())
    if survey is None:
        return {"pending": True, "installed": True, "what": _("survei dampak")}
    progress = sq.progress(survey)
    return {"survey": survey, "progress": progress,
            "percent": min(100, round(100 * progress.total / progress.target)) if progress.target else 0,
            "public": _url("surveys:public_form", survey.token) if survey.status == "open" else "",
            "manage": _url("surveys:manage", ctx.region.code)}


def open_survey_links(region_code: str | None) -> list[dict[str, str]]:
    from kotacerdas.surveys.models import Survey

    qs = Survey.objects.filter(status="open").select_related("region")
    if region_code:
        qs = qs.filter(region_id=region_code)
    out = []
    s: Any
    for s in qs:
        if not s.window_open():
            continue
        url = _url("surveys:public_form", s.token)
        if url:
            out.append({"title": s.title, "url": url, "region": s.region.name})
    return out


def install() -> None:
    if apps.is_installed("kotacerdas.actionplans"):
        register_default(Section("actionplans", _("Capaian rencana aksi per kategori"),
                                 "web/sections/actionplans.html", actionplan_progress, order=35, cacheable=True))
        register_default(Section("actionplans", _("Rencana aksi"), "web/sections/programme_actions.html",
                                 programme_actions, order=30, page="programme"))
    if apps.is_installed("kotacerdas.monitoring"):
        register_default(Section("kpis", _("Indikator kinerja (KPI)"), "web/sections/kpis.html", kpi_sparklines,
                                 order=80, wide=True, cacheable=True))
        register_default(Section("kpis", _("Indikator kinerja (KPI)"), "web/sections/programme_kpis.html",
                                 programme_kpis, order=20, page="programme"))
        register_reach(monitoring_reach)
        register_reach_series(monitoring_reach_series)
    if apps.is_installed("kotacerdas.surveys"):
        register_default(Section("surveys", _("Progres survei dampak"), "web/sections/surveys.html",
                                 survey_progress, order=70, cacheable=True))
        register_survey_links(open_survey_links)
