"""The region dashboard's own sections (index, dimensions, pillars, trend, submission, programmes).
Each returns the context of its template or None; other apps add theirs through web.sections."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kotacerdas.catalogue.choices import ProgrammeStatus
from kotacerdas.catalogue.models import Pillar, Programme
from kotacerdas.core import packtext
from kotacerdas.evaluations import queries, transitions
from kotacerdas.evaluations import rules as eval_rules
from kotacerdas.evaluations.queries import result_trace
from kotacerdas.scoring.whatif import best_improvements_batch

from . import charts
from .sections import Section, SectionContext, register


def _en() -> bool:
    return packtext.is_english()


def dimension_names(pack: Any) -> dict[str, str]:
    return {d.code: packtext.name(d) for d in pack.dimensions}


def pillar_names(pack: Any) -> dict[str, str]:
    return {p.code: packtext.name(p) for p in pack.pillars}


def short(name: str) -> str:
    """Chart labels: "Smart Governance" -> "Governance" (the full name is in the table)."""
    return name.removeprefix("Smart ")


def _results(ctx: SectionContext) -> list[Any]:
    return list(ctx.extra.get("results", []))


def _summary(ctx: SectionContext) -> dict[str, Any] | None:
    result = ctx.result
    if result is None:
        return {"result": None}
    return {"result": result, "trace": result_trace(result)}


def _dimensions(ctx: SectionContext) -> dict[str, Any] | None:
    result = ctx.result
    if result is None:
        return None
    pack = queries.pack_for(result.pack_code, result.pack_version)
    names = dimension_names(pack)
    previous = ctx.extra.get("previous_result")
    codes = [d.code for d in pack.dimensions]
    series = {str(result.cycle.year): [result.dimensions.get(c) for c in codes]}
    if previous is not None:
        series = {str(previous.cycle.year): [previous.dimensions.get(c) for c in codes], **series}
    rows = [{"code": c, "name": names[c], "weight": next(d.weight for d in pack.dimensions if d.code == c),
             "now": result.dimensions.get(c), "before": previous.dimensions.get(c) if previous else None}
            for c in codes]
    return {"chart": charts.bars([names[c] for c in codes], series), "rows": rows, "result": result,
            "previous": previous, "trace": result_trace(result)}


def _pillars(ctx: SectionContext) -> dict[str, Any] | None:
    result = ctx.result
    if result is None or not result.pillars:
        return None
    pack = queries.pack_for(result.pack_code, result.pack_version)
    names = pillar_names(pack)
    codes = [p.code for p in pack.pillars]
    series = {str(result.cycle.year): [result.pillars.get(c) for c in codes]}
    previous = ctx.extra.get("previous_result")
    if previous is not None and previous.pillars:
        # Earlier year first, as in the dimension bars: each year gets the same colour in both charts.
        series = {str(previous.cycle.year): [previous.pillars.get(c) for c in codes], **series}
    rows = [{"code": c, "name": names[c], "now": result.pillars.get(c),
             "before": previous.pillars.get(c) if previous is not None and previous.pillars else None}
            for c in codes]
    return {"chart": charts.radar([short(names[c]) for c in codes], series), "rows": rows, "trace": result_trace(result)}


def _trend(ctx: SectionContext) -> dict[str, Any] | None:
    results = _results(ctx)
    if not results:
        return None
    years = [r.cycle.year for r in results]
    return {"chart": charts.line(years, {gettext("Indeks"): [r.index for r in results]}), "results": results}


def _cached_improvements(pack: Any, answers: dict[str, int], previous: Any) -> list[Any]:
    """The what-if ranking re-scores the pack once per indicator; it depends only on the pack, the answers
    and the previous index, so it is cached on exactly those (answers change → new key)."""
    import hashlib

    from django.core.cache import cache

    raw = repr((pack.digest, sorted(answers.items()), str(previous))).encode()
    key = "kotacerdas:whatif:" + hashlib.sha256(raw).hexdigest()
    found = cache.get(key)
    if found is None:
        found = best_improvements_batch(pack, answers, top=5, previous=previous)
        cache.set(key, found, timeout=3600)
    return list(found)


def _submission(ctx: SectionContext) -> dict[str, Any] | None:
    sub = ctx.submission
    if sub is None or not eval_rules.can_view_submission.test(ctx.user, sub):
        return None
    pack = queries.cycle_pack(sub.cycle)
    comp = queries.completeness(sub)
    detail = queries.forecast_detail(sub)
    forecast = detail.score
    answers = queries.self_answers(sub)
    improvements = _cached_improvements(pack, answers, queries.previous_index(sub))
    names = pack.nodes_by_code()
    dims = dimension_names(pack)
    return {
        "submission": sub, "chain": queries.status_chain(sub), "completeness": comp,
        "forecast": forecast, "forecast_trace": [s.to_dict() for s in forecast.trace], "detail": detail,
        "projected_dims": ([(dims[c], v) for c, v in detail.projected.dimensions.items()]
                           if detail.projected is not None else []),
        "forecast_dims": [(dims[c], v) for c, v in forecast.dimensions.items()],
        "improvements": [{"imp": i, "node": names.get(i.code)} for i in improvements],
        # A locked submission (sent, under assessment, final) is only viewed, never "continued".
        "can_edit": transitions.can(ctx.user, sub, "edit_answers"),
        "can_whatif": eval_rules.can_play_whatif.test(ctx.user, sub),
    }


def _programmes(ctx: SectionContext) -> dict[str, Any] | None:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (Programme.objects.active().filter(region_id=ctx.region.code).values("pillar_id", "status")
            .annotate(n=Count("id")))
    for row in rows:
        counts[row["pillar_id"]][row["status"]] = row["n"]
    pillars = list(Pillar.objects.all())
    statuses = list(ProgrammeStatus)
    table = [{"pillar": p, "counts": [counts[p.code].get(s.value, 0) for s in statuses],
              "total": sum(counts[p.code].values())} for p in pillars]
    series = {str(s.label): [counts[p.code].get(s.value, 0) for p in pillars] for s in statuses}
    chart = charts.bars([short(p.name) for p in pillars], series, max_value=None, stacked=True,
                        colours=[charts.STATUS_COLOURS[s.value] for s in statuses])
    return {"table": table, "statuses": statuses, "chart": chart,
            "total": sum(r["total"] for r in table)}


def _quick_wins(ctx: SectionContext) -> dict[str, Any] | None:
    qws = list(Programme.objects.active().filter(region_id=ctx.region.code, quick_win=True)
               .select_related("pillar", "owner").order_by("pillar__order", "title"))
    return {"programmes": qws}


# The three national evaluations of a region's digital work, each on its own scale: Smart City (Kominfo),
# SPBE / Indeks Pemerintah Digital (KemenPANRB) and the Indeks Inovasi Daerah (BSKDN Kemendagri).
FAMILIES = (
    ("smart_city", _("Indeks Smart City"), ("kominfo-",)),
    ("spbe", _("Indeks SPBE / Pemerintah Digital"), ("spbe-", "pemdi-")),
    ("iid", _("Indeks Inovasi Daerah"), ("iid-",)),
)


def _index_card(pack: Any, index: Any, year: int, what: str, url: str = "") -> dict[str, Any]:
    from kotacerdas.scoring.predicates import published_predicate

    lo, hi = pack.index_scale
    return {"index": index, "scale": f"{lo}–{hi}", "year": year, "what": what, "url": url,
            "published": published_predicate(pack, index), "reconstructed": pack.status != "official",
            "pack": f"{pack.code} {pack.version}"}


def _indices(ctx: SectionContext) -> dict[str, Any] | None:
    from django.urls import reverse

    code = ctx.region.code
    results = list(queries.visible_results(ctx.user).filter(region_id=code).select_related("cycle")
                   .order_by("-cycle__year"))
    cards = []
    for key, title, prefixes in FAMILIES:
        card: dict[str, Any] | None = None
        if key == "iid":
            iid = queries.iid_cycle(code)
            sub = None if iid is None else queries.stage_submission(iid, code)
            if iid is not None and sub is not None and eval_rules.can_view_submission.test(ctx.user, sub):
                cycle = iid
                sub.cycle = cycle
                pack = queries.cycle_pack(cycle)
                res = queries.iid_score(sub)
                card = _index_card(pack, res.index, cycle.year, str(_("penilaian mandiri")),
                                   reverse("web:iid", args=[code]))
        if card is None:
            found = next((r for r in results if r.pack_code.startswith(prefixes)), None)
            if found is not None:
                pack = queries.pack_for(found.pack_code, found.pack_version)
                card = _index_card(pack, found.index, found.cycle.year,
                                   str(_("hasil evaluasi")) if found.is_published else str(_("belum diterbitkan")))
        cards.append({"key": key, "title": title, "card": card})
    return {"cards": cards}


register(Section("indices", _("Tiga indeks: Smart City, SPBE, Inovasi Daerah"), "web/sections/indices.html",
                 _indices, order=11, wide=True, cacheable=True))
register(Section("summary", _("Indeks terkini"), "web/sections/summary.html", _summary, order=10, cacheable=True))
register(Section("dimensions", _("Lima dimensi dibanding tahun lalu"), "web/sections/dimensions.html",
                 _dimensions, order=20, cacheable=True))
register(Section("pillars", _("Enam pilar"), "web/sections/pillars.html", _pillars, order=25, cacheable=True))
register(Section("trend", _("Tren indeks"), "web/sections/trend.html", _trend, order=12, cacheable=True))
register(Section("submission", _("Pengajuan berjalan, prakiraan dan simulasi"), "web/sections/submission.html",
                 _submission, order=40, wide=True, cacheable=True))
register(Section("programmes", _("Program per pilar dan status"), "web/sections/programmes.html", _programmes,
                 order=50, wide=True, cacheable=True))
register(Section("quick_wins", _("Quick Win"), "web/sections/quick_wins.html", _quick_wins, order=30, cacheable=True))
