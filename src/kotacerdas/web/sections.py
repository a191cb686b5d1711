"""Pluggable page sections: the region dashboard and the programme page are lists of sections, each a
function that returns the context of its template, or None to stay hidden.

Other apps add theirs without touching the web app: put a ``dashboard.py`` module in the app that calls
``register(...)`` at import (it is imported by ``autodiscover()`` when the web app is ready), e.g.::

    # kotacerdas/actionplans/dashboard.py
    from kotacerdas.web.sections import Section, register
    register(Section("actionplans", _("Rencana aksi"), "actionplans/_dashboard.html", build_progress, order=60))

A section registered under an existing key replaces it, which is how the placeholders below
("belum ada data" until the app lands) are superseded.

``cacheable=True`` promises that the section's output depends on the viewer only through what
``web.pagecache.region_viewer`` captures (national admin, roles held in the region, assessor
assignments to it) and on data only through audited actions; the dashboard body is then cached per
data version (web.pagecache).  A page with any section that does not promise it is built on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass
class SectionContext:
    """What a section may look at: who asks, about which region (and programme), in which cycle."""

    request: Any
    region: Any
    programme: Any = None
    cycle: Any = None
    submission: Any = None
    result: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> Any:
        return self.request.user


@dataclass
class Section:
    key: str
    title: str | Promise
    template: str
    build: Callable[[SectionContext], dict[str, Any] | None]
    order: int = 100
    page: str = "dashboard"  # "dashboard" | "programme"
    wide: bool = False
    placeholder: bool = False
    cacheable: bool = False


@dataclass
class RenderedSection:
    key: str
    title: str | Promise
    template: str
    context: dict[str, Any]
    wide: bool


_REGISTRY: dict[tuple[str, str], Section] = {}


def register(section: Section) -> Section:
    _REGISTRY[(section.page, section.key)] = section
    return section


def register_default(section: Section) -> Section:
    """Register unless an app already registered a real section under this key."""
    current = _REGISTRY.get((section.page, section.key))
    if current is None or current.placeholder:
        _REGISTRY[(section.page, section.key)] = section
    return _REGISTRY[(section.page, section.key)]


def registered(page: str = "dashboard") -> list[Section]:
    return sorted((s for (p, _k), s in _REGISTRY.items() if p == page), key=lambda s: (s.order, s.key))


def all_cacheable(page: str = "dashboard") -> bool:
    return all(s.cacheable for s in registered(page))


def signature(page: str = "dashboard") -> tuple[tuple[str, str], ...]:
    """Which sections a page has (part of the page cache key)."""
    return tuple((s.key, s.template) for s in registered(page))


def render_sections(page: str, ctx: SectionContext) -> list[RenderedSection]:
    out = []
    for section in registered(page):
        data = section.build(ctx)
        if data is not None:
            out.append(RenderedSection(section.key, section.title, section.template, data, section.wide))
    return out


def autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("dashboard")


def _placeholder(app_label: str, what: str | Promise) -> Callable[[SectionContext], dict[str, Any] | None]:
    """Until the app lands, say so instead of leaving a hole or inventing numbers."""

    def build(ctx: SectionContext) -> dict[str, Any] | None:
        return {"pending": True, "installed": apps.is_installed(f"kotacerdas.{app_label}"), "what": what}

    return build


register(Section("actionplans", _("Capaian rencana aksi per kategori"), "web/sections/placeholder.html",
                 _placeholder("actionplans", _("rencana aksi")), order=35, placeholder=True, cacheable=True))
register(Section("surveys", _("Progres survei dampak"), "web/sections/placeholder.html",
                 _placeholder("surveys", _("survei dampak")), order=70, placeholder=True, cacheable=True))
register(Section("kpis", _("Indikator kinerja (KPI)"), "web/sections/placeholder.html",
                 _placeholder("monitoring", _("KPI")), order=80, placeholder=True, cacheable=True))
register(Section("kpis", _("Indikator kinerja (KPI)"), "web/sections/placeholder.html",
                 _placeholder("monitoring", _("KPI")), order=20, page="programme", placeholder=True))
register(Section("actionplans", _("Rencana aksi"), "web/sections/placeholder.html",
                 _placeholder("actionplans", _("rencana aksi")), order=30, page="programme", placeholder=True))


# --- the map's reach data ------------------------------------------------------------------------

@dataclass
class ReachData:
    """Values per kecamatan code for one metric, e.g. beneficiaries reached by a programme."""

    label: str | Promise
    unit: str | Promise
    values: dict[str, float]
    source: str | Promise = ""
    # Equity across kecamatan, as the `analytics reach` command reports it (same query): the Gini of the
    # values (0 = the same everywhere), the lagging kecamatan codes and the rule that names them.
    year: int | None = None
    gini: float | None = None
    median: float | None = None
    lagging: list[str] = field(default_factory=list)
    lagging_rule: str = ""


ReachProvider = Callable[[str, str, Any], "ReachData | None"]
_REACH: list[ReachProvider] = []


def register_reach(provider: ReachProvider) -> ReachProvider:
    """The monitoring app registers ``provider(region_code, metric, user) -> ReachData | None`` here;
    the provider decides what the user may see (e.g. only published reach for the public)."""
    _REACH.append(provider)
    return provider


def reach(region_code: str, metric: str, user: Any = None) -> ReachData | None:
    for provider in _REACH:
        data = provider(region_code, metric, user)
        if data is not None:
            return data
    return None


# Monthly series of one kecamatan for a metric: provider(region_code, metric, kecamatan, user) ->
# [{"period": "2024-01", "transactions": int, "active_citizens": int}, ...] or None (not visible / no data).
SeriesProvider = Callable[[str, str, str, Any], "list[dict[str, Any]] | None"]
_REACH_SERIES: list[SeriesProvider] = []


def register_reach_series(provider: SeriesProvider) -> SeriesProvider:
    _REACH_SERIES.append(provider)
    return provider


def reach_series(region_code: str, metric: str, kecamatan: str, user: Any = None) -> list[dict[str, Any]] | None:
    for provider in _REACH_SERIES:
        data = provider(region_code, metric, kecamatan, user)
        if data is not None:
            return data
    return None


# --- survey links on the public portal --------------------------------------------------------------

SurveyLinkProvider = Callable[[str | None], list[dict[str, str]]]
_SURVEY_LINKS: list[SurveyLinkProvider] = []


def register_survey_links(provider: SurveyLinkProvider) -> SurveyLinkProvider:
    """The surveys app registers ``provider(region_code|None) -> [{"title", "url", "region"}]``."""
    _SURVEY_LINKS.append(provider)
    return provider


def survey_links(region_code: str | None = None) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    for provider in _SURVEY_LINKS:
        links.extend(provider(region_code))
    return links
