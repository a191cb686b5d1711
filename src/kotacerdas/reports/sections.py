"""The sections of the *Laporan Hasil Evaluasi*, each a function from `ReportData` to a template context
(or ``None`` to leave the section out).

Other apps plug their own sections in from ``AppConfig.ready()``::

    from kotacerdas.reports.sections import register_section
    register_section("action_plan", _("Status Rencana Aksi"), my_builder, after="quick_win")

A plugged builder returns the generic shape rendered by ``reports/pdf/_generic.html``::

    {"intro": str, "tables": [{"caption": str, "headers": [...], "rows": [[...], ...]}],
     "charts": [ChartSpec, ...], "notes": [str, ...]}

Sections for action plans, surveys and Quick Win risk registers are registered here as slots that stay
empty (``None``) until the app that owns the data registers a provider for them, so a missing app simply
leaves its section out of the report.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from kotacerdas.catalogue.models import Programme
from kotacerdas.core import packtext
from kotacerdas.core.provenance import region_label
from kotacerdas.evaluations import queries
from kotacerdas.evaluations.models import Cycle, Evidence, Feedback, Result, Submission
from kotacerdas.evaluations.queries import result_trace
from kotacerdas.lib.text import clip
from kotacerdas.regions.models import Region
from kotacerdas.scoring import engine
from kotacerdas.scoring.packs import Node, Pack
from kotacerdas.scoring.predicates import published_predicate

from .charts import ChartSpec, Series, choropleth_svg, to_svg
from .choices import STEP_SECTION

log = logging.getLogger(__name__)
Builder = Callable[["ReportData"], dict[str, Any] | None]


@dataclass
class Score:
    """The numbers of the report, from a stored Result or (before the panel concluded) a forecast."""

    index: float
    mean: float | None
    predicate: str
    dimensions: dict[str, float | None]
    pillars: dict[str, float | None]
    improvement: float | None
    previous: float | None
    rank: int | None
    ranked: int
    formula: str
    is_forecast: bool
    is_published: bool
    levels: dict[str, float]
    predicate_withheld: bool = False  # the pack's bands are not official, so no predicate is shown
    answered: int | None = None  # a forecast: indicators with a level, of `total`
    total: int | None = None

    @property
    def incomplete(self) -> bool:
        return self.is_forecast and self.answered is not None and self.total is not None and self.answered < self.total


@dataclass
class ReportData:
    region: Region
    cycle: Cycle
    pack: Pack
    language: str
    submission: Submission | None
    result: Result | None
    score: Score | None
    extra: dict[str, Any] = field(default_factory=dict)

    def name(self, obj: Any) -> str:
        """The English name of a pack item when the report is in English and the pack has one."""
        return packtext.name(obj, self.language)


@dataclass
class Section:
    key: str
    title: str | Promise
    builder: Builder
    template: str = "reports/pdf/_generic.html"


SECTIONS: list[Section] = []
# Slots other apps fill: key -> builder. An empty slot leaves its section out.
PROVIDERS: dict[str, Builder] = {}


def register_section(key: str, title: str | Promise, builder: Builder, *, template: str | None = None,
                     after: str | None = None) -> None:
    """Add (or replace) a section. Replacing keeps its place; a new one goes after `after` or last."""
    section = Section(key, title, builder, template or "reports/pdf/_generic.html")
    for i, existing in enumerate(SECTIONS):
        if existing.key == key:
            SECTIONS[i] = section
            return
    if after is not None:
        for i, existing in enumerate(SECTIONS):
            if existing.key == after:
                SECTIONS.insert(i + 1, section)
                return
    SECTIONS.append(section)


def register_provider(key: str, builder: Builder) -> None:
    """Fill a slot section (``action_plan``, ``survey``, ``quick_win_risks``, ``reach``) with real data."""
    PROVIDERS[key] = builder


# --- collecting the data -----------------------------------------------------------------------------

def _f(v: Any) -> float | None:
    return None if v is None else float(v)


def _levels_from_trace(trace: list[dict[str, Any]], pack: Pack) -> dict[str, float]:
    indicators = {n.code for n in pack.indicators()}
    out: dict[str, float] = {}
    for step in trace or []:
        for item in step.get("inputs", []):
            if item.get("code") in indicators and item.get("value") is not None:
                out[item["code"]] = float(item["value"])
    return out


def _submission_levels(sub: Submission) -> tuple[dict[str, float], bool]:
    """Panel levels when assessors scored, else the region's own answers (second item: from the panel)."""
    panel = queries.panel_levels(sub)
    if panel:
        return {k: float(v) for k, v in panel.items()}, True
    return {k: float(v) for k, v in queries.self_answers(sub).items()}, False


def collect(region: Region, cycle: Cycle, language: str = "id") -> ReportData:
    pack = queries.cycle_pack(cycle)
    submission = queries.stage_submission(cycle, region.code)
    result = Result.objects.filter(cycle=cycle, region=region).first()
    score: Score | None = None
    ranked = Result.objects.filter(cycle=cycle, rank__isnull=False).count()
    if result is not None:
        levels = _levels_from_trace(result_trace(result), pack)
        if submission is not None and not levels:
            levels, _panel = _submission_levels(submission)
        index_step = next((s for s in result.trace or [] if s.get("node") == "index"), None)
        score = Score(
            index=float(result.index), mean=_f(result.mean),
            predicate=result.published_predicate.text(language),
            predicate_withheld=result.published_predicate.withheld,
            dimensions={k: _f(v) for k, v in result.dimensions.items()},
            pillars={k: _f(v) for k, v in (result.pillars or {}).items()},
            improvement=_f(result.improvement), previous=_f(result.previous_index), rank=result.rank,
            ranked=ranked, formula=(index_step or {}).get("formula", ""), is_forecast=False,
            is_published=result.is_published, levels=levels)
    elif submission is not None:
        levels, _panel = _submission_levels(submission)
        previous = queries.previous_index(submission)
        outcome = engine.score(pack, answers={k: Decimal(str(v)) for k, v in levels.items()}, previous=previous)
        codes = [n.code for n in pack.indicators()]
        answered = sum(1 for c in codes if c in levels)
        # The engine names a predicate only under official bands (scoring.predicates).
        published = published_predicate(pack, outcome.index)
        score = Score(
            index=float(outcome.index), mean=_f(outcome.mean), predicate=published.text(language),
            predicate_withheld=published.withheld,
            dimensions={k: _f(v) for k, v in outcome.dimensions.items()},
            pillars={k: _f(v) for k, v in outcome.pillars.items()},
            # Unanswered indicators count 0 in a forecast: comparing that with last year is not a fall.
            improvement=_f(outcome.improvement) if answered >= len(codes) else None,
            previous=_f(previous), rank=None, ranked=ranked, formula=outcome.step("index").formula_text,
            is_forecast=True, is_published=False, levels=levels, answered=answered, total=len(codes))
    return ReportData(region=region, cycle=cycle, pack=pack, language=language, submission=submission,
                      result=result, score=score)


# --- built-in sections -------------------------------------------------------------------------------

def cover(data: ReportData) -> dict[str, Any]:
    return {"province": data.region.parent.name if data.region.parent else "",
            "pack_status": data.pack.status, "lang": get_language()}


def summary(data: ReportData) -> dict[str, Any] | None:
    history = list(Result.objects.filter(region=data.region, cycle__year__lte=data.cycle.year)
                   .filter(is_published=True).select_related("cycle").order_by("cycle__year"))
    years = [str(r.cycle.year) for r in history]
    values: list[float | None] = [float(r.index) for r in history]
    if data.score is not None and (data.result is None or not data.result.is_published):
        years.append(f"{data.cycle.year}*" if data.score.is_forecast else str(data.cycle.year))
        values.append(data.score.index)
    chart = None
    if len(years) >= 2:
        chart = to_svg(ChartSpec("line", _("Riwayat indeks"), years, [Series(_("Indeks"), values)],
                                 value_max=float(data.pack.scale_max), height_cm=6))
    return {"score": data.score, "history": list(zip(years, values, strict=True)), "chart": chart}


def _dimension_means(cycle: Cycle) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for dims in Result.objects.filter(cycle=cycle).values_list("dimensions", flat=True):
        for k, v in (dims or {}).items():
            if v is not None:
                sums[k] += float(v)
                counts[k] += 1
    return {k: sums[k] / counts[k] for k in sums}


def _indicator_rows(data: ReportData, node: Node) -> list[dict[str, Any]]:
    levels = data.score.levels if data.score else {}
    rows = []
    for ind in node.indicators():
        level = levels.get(ind.code)
        text = packtext.level_text(ind, int(round(level)), data.language) if level is not None else None
        rows.append({"code": ind.code, "name": data.name(ind), "level": level, "descriptor": text or ""})
    return rows


def dimensions(data: ReportData) -> dict[str, Any] | None:
    if data.score is None:
        return None
    means = _dimension_means(data.cycle)
    dims: list[dict[str, Any]] = []
    for d in data.pack.dimensions:
        dims.append({"code": d.code, "name": data.name(d), "weight": float(d.weight or 0),
                     "value": data.score.dimensions.get(d.code), "national": means.get(d.code),
                     "indicators": _indicator_rows(data, d)})
    series = [Series(region_label(data.region), [x["value"] for x in dims])]
    if means:
        series.append(Series(_("Rata-rata nasional"), [x["national"] for x in dims]))
    chart = to_svg(ChartSpec("bar", _("Skor lima dimensi"), [x["name"] for x in dims], series,
                             value_max=float(data.pack.scale_max)))
    return {"dimensions": dims, "chart": chart, "formula": data.score.formula}


def pillars(data: ReportData) -> dict[str, Any] | None:
    if data.score is None or not data.pack.pillars:
        return None
    counts: dict[str, int] = defaultdict(int)
    for pillar_id in Programme.objects.active().filter(region=data.region).values_list("pillar_id", flat=True):
        counts[pillar_id] += 1
    rows: list[dict[str, Any]] = [{"code": p.code, "name": data.name(p), "value": data.score.pillars.get(p.code),
             "programmes": counts.get(p.code, 0)} for p in data.pack.pillars]
    chart = to_svg(ChartSpec("radar", _("Indeks enam pilar"), [r["name"].replace("Smart ", "") for r in rows],
                             [Series(region_label(data.region), [r["value"] for r in rows])],
                             value_max=float(data.pack.scale_max), width_cm=11, height_cm=9))
    return {"pillars": rows, "chart": chart}


# The report's cost is bounded whatever the data: each free text printed is at most PDF_TEXT characters and
# each list at most so many rows; what is cut is said on the page (the full text stays in the application).
PDF_TEXT = 1_500
PDF_FEEDBACK_NOTES = 200
PDF_EVIDENCE_ROWS = 400
PDF_QUICK_WINS = 40


def _clip(text: str, limit: int = PDF_TEXT) -> str:
    return clip(text or "", limit, _("… [dipotong: {more} karakter lagi; teks lengkap di aplikasi]"))


def feedback(data: ReportData) -> dict[str, Any] | None:
    items = (Feedback.objects.filter(submission__cycle=data.cycle, submission__region=data.region)
             .select_related("programme", "programme__owner", "programme__pillar").order_by("programme__title",
                                                                                            "created_at"))
    total = items.count()
    assessor_no: dict[int, int] = {}
    by_programme: dict[int, dict[str, Any]] = {}
    for fb in items[:PDF_FEEDBACK_NOTES]:
        # Assessors are not named in the region's report: numbered in order of appearance.
        n = assessor_no.setdefault(fb.assessor_id, len(assessor_no) + 1)
        entry = by_programme.setdefault(fb.programme_id, {"programme": fb.programme, "notes": []})
        entry["notes"].append({"assessor": n, "strengths": _clip(fb.strengths), "weaknesses": _clip(fb.weaknesses),
                               "recommendation": _clip(fb.recommendation)})
    left = total - min(total, PDF_FEEDBACK_NOTES)
    return {"programmes": list(by_programme.values()),
            "omitted": ngettext("%(n)s umpan balik lagi tidak dicetak; lihat aplikasi.",
                                "%(n)s umpan balik lagi tidak dicetak; lihat aplikasi.", left) % {"n": left}
            if left else ""}


def quick_win(data: ReportData) -> dict[str, Any] | None:
    programmes = list(Programme.objects.active().filter(region=data.region, quick_win=True)
                      .select_related("owner", "pillar", "subdimension").order_by("pillar__order", "title")
                      [:PDF_QUICK_WINS])
    for p in programmes:  # printed, never saved
        p.description = _clip(p.description)
        p.target_group = _clip(p.target_group, 300)
    nodes = data.pack.nodes_by_code()
    levels = data.score.levels if data.score else {}
    codes = list(data.pack.quick_win_indicators) or [n.code for d in data.pack.dimensions
                                                      if d.code == "quick_win" for n in d.indicators()]
    scores = [{"code": c, "name": data.name(nodes[c]) if c in nodes else c, "level": levels.get(c)}
              for c in codes]
    risks = None
    provider = PROVIDERS.get("quick_win_risks")
    if provider is not None:
        risks = provider(data)
    return {"programmes": programmes, "scores": scores, "risks": risks,
            "likelihood": [(x.label_en or x.label) if data.language == "en" else x.label
                           for x in data.pack.risk_likelihood]}


def _slot(key: str) -> Builder:
    def build(data: ReportData) -> dict[str, Any] | None:
        provider = PROVIDERS.get(key)
        if provider is None:
            return None
        return provider(data)

    build.__name__ = f"slot_{key}"
    return build


def top_programmes(region: Region, limit: int = 8) -> list[Programme]:
    """Quick Wins first, then running applications, then the rest, by title."""
    qs = Programme.objects.active().filter(region=region).select_related("owner").prefetch_related("kecamatan")
    ranked = sorted(qs, key=lambda p: (not p.quick_win, p.status != "running", not p.is_application, p.title))
    return ranked[:limit]


def _catalogue_reach(data: ReportData, programmes: list[Programme],
                     kecamatan: list[Region]) -> tuple[dict[str, float], str]:
    counts: dict[str, float] = {k.code: 0.0 for k in kecamatan}
    for p in programmes:
        served = [k.code for k in p.kecamatan.all()] if p.area_scope == "listed" else list(counts)
        for code in served:
            if code in counts:
                counts[code] += 1
    return counts, _("Jumlah program unggulan yang melayani kecamatan (katalog)")


def _events_reach(data: ReportData, programmes: list[Programme]) -> tuple[dict[str, float], str] | None:
    """Distinct users per 1,000 inhabitants in the cycle year, from the monitoring events when present."""
    root = Path(settings.EVENTS_ROOT)
    if not (root / f"region={data.region.code}" / f"year={data.cycle.year}").is_dir():
        return None
    try:
        from kotacerdas.analytics import backends
        from kotacerdas.analytics.reference import kecamatan_population

        con = backends.connect("duckdb")
        events = backends.events_table(con, root, region=data.region.code)
        codes = [p.code for p in programmes]
        t = events.filter([events.year == data.cycle.year, events.programme.isin(codes)])
        df = con.execute(t.group_by("kecamatan").aggregate(users=t.citizen.nunique()))
        pops = kecamatan_population(data.region.code)
        out = {}
        for row in df.itertuples():
            pop = pops.get(row.kecamatan, (0, True))[0]
            if pop:
                out[row.kecamatan] = round(float(row.users) * 1000 / pop, 1)
        return out, _("Pengguna unik per 1.000 penduduk ({year})").format(year=data.cycle.year)
    except Exception:  # the map must never stop the report; fall back to the catalogue
        log.exception("reach from events failed; using the catalogue")
        return None


def reach_map(data: ReportData) -> dict[str, Any] | None:
    kecamatan = list(Region.objects.filter(parent=data.region, level="kecamatan", geometry__isnull=False)
                     .order_by("code"))
    if not kecamatan:
        return None
    programmes = top_programmes(data.region)
    provider = PROVIDERS.get("reach")
    plugged = provider(data) if provider is not None else None
    found: tuple[dict[str, float], str] | None = None
    if plugged is not None:
        found = (plugged["values"], plugged["legend"])
    if found is None:
        found = _events_reach(data, programmes)
    values, legend = found if found is not None else _catalogue_reach(data, programmes, kecamatan)
    # The table lists the kecamatan from the widest reach down; the map labels each one with its row
    # number (charts.choropleth_svg, keys).
    ranked = list(enumerate(sorted(kecamatan, key=lambda k: -(values.get(k.code) or 0)), start=1))
    rows = [(i, k.name, values.get(k.code)) for i, k in ranked]
    svg = choropleth_svg([(k.code, k.name, k.geometry or {}, values.get(k.code)) for k in kecamatan],
                         title=_("Jangkauan program unggulan per kecamatan"), legend=legend,
                         keys={k.code: str(i) for i, k in ranked})
    return {"map": svg, "legend": legend, "programmes": programmes, "rows": rows}


def evidence_annex(data: ReportData) -> dict[str, Any] | None:
    if data.submission is None:
        return None
    active = Evidence.objects.filter(submission=data.submission, archived_at__isnull=True)
    total = active.count()
    items = list(active.order_by("indicator", "id")[:PDF_EVIDENCE_ROWS])
    nodes = data.pack.nodes_by_code()
    rows = [{"indicator": e.indicator, "indicator_name": data.name(nodes[e.indicator]) if e.indicator in nodes
             else e.indicator, "kind": e.get_kind_display(), "name": _clip(e.original_name or e.url, 300),
             "url": e.url, "size": e.size, "sha256": e.sha256[:16], "uploaded_at": e.uploaded_at,
             "description": _clip(e.description, 300)}
            for e in items]
    left = total - len(rows)
    return {"rows": rows, "total": total, "stage": data.submission.get_stage_display(),
            "omitted": ngettext("%(n)s bukti dukung lagi tidak dicetak; lihat aplikasi.",
                                "%(n)s bukti dukung lagi tidak dicetak; lihat aplikasi.", left) % {"n": left}
            if left else ""}


register_section("cover", gettext_lazy("Sampul"), cover, template="reports/pdf/_cover.html")
register_section("summary", gettext_lazy("Ringkasan hasil"), summary, template="reports/pdf/_summary.html")
register_section("dimensions", gettext_lazy("Lima dimensi"), dimensions, template="reports/pdf/_dimensions.html")
register_section("pillars", gettext_lazy("Enam pilar"), pillars, template="reports/pdf/_pillars.html")
register_section("feedback", gettext_lazy("Umpan balik per program"), feedback,
                 template="reports/pdf/_feedback.html")
register_section("quick_win", gettext_lazy("Profil Quick Win"), quick_win, template="reports/pdf/_quick_win.html")
register_section("action_plan", gettext_lazy("Status rencana aksi"), _slot("action_plan"))
register_section("survey", gettext_lazy("Hasil survei dampak"), _slot("survey"))
register_section("reach_map", gettext_lazy("Peta jangkauan program unggulan"), reach_map,
                 template="reports/pdf/_reach_map.html")
register_section("evidence", gettext_lazy("Lampiran: daftar bukti dukung"), evidence_annex,
                 template="reports/pdf/_evidence.html")


def build_sections(data: ReportData, progress: Callable[[int, str], None] | None = None) -> list[dict[str, Any]]:
    """Run every section builder; a section whose builder returns None is left out."""
    out = []
    for i, section in enumerate(SECTIONS):
        if progress is not None:
            progress(10 + int(70 * i / max(1, len(SECTIONS))), STEP_SECTION % {"n": i + 1, "total": len(SECTIONS)})
        ctx = section.builder(data)
        if ctx is None:
            continue
        ctx = {**ctx, "charts": [to_svg(c) if isinstance(c, ChartSpec) else c for c in ctx.get("charts", [])]}
        out.append({"key": section.key, "title": str(section.title), "template": section.template, "ctx": ctx})
    return out
