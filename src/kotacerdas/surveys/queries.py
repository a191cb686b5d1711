"""Read helpers for impact surveys: questionnaire from the pack, live progress, results with 95% margins,
and the bridge to the self-assessment (suggested level per impact.survei.* indicator, with its formula).

Statistical rules (documented here, shown next to every number):
* A respondent's score is the mean of their Likert answers (they answer the items of one sub-dimension:
  the service they used). Sub-dimension and pillar means are means of respondent scores, so n counts
  people and the 95% margin of error (Student's t, lib.stats.mean_ci95) is about people, not items.
* Impact scale: the Likert mean is mapped linearly onto the pack scale:
  score = (mean − likert_min) / (likert_max − likert_min) × (scale_max − scale_min) + scale_min,
  i.e. 1–5 → 0–4 for kominfo-2021 (score = mean − 1).
* Suggested level: the pack's level descriptors for impact.survei.* (kominfo-2021) cut the Likert mean at
  2,60 / 3,40 / 4,20 (the classic equal 0,8-wide intervals of a 1–5 scale): ≥4,20 → 4, ≥3,40 → 3,
  ≥2,60 → 2, below → 1; no responses → 0; fewer respondents than required → 1 ("tidak memenuhi
  ketentuan"). Override with settings.SURVEY_LEVEL_THRESHOLDS = [(4.2, 4), (3.4, 3), (2.6, 2)].
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kotacerdas.actionplans.models import fmt_num
from kotacerdas.evaluations.models import Cycle
from kotacerdas.evaluations.queries import cycle_pack
from kotacerdas.lib.formatting import format_number
from kotacerdas.lib.stats import gini, mean_ci95
from kotacerdas.regions.models import Region
from kotacerdas.scoring.packs import Pack, SurveyItem

from .choices import SurveyStatus
from .models import Response, ResponseAnswer, Survey, SurveyService

DEFAULT_LEVEL_THRESHOLDS: tuple[tuple[float, int], ...] = ((4.2, 4), (3.4, 3), (2.6, 2))
BRANDING = "branding"


def level_thresholds() -> list[tuple[Decimal, int]]:
    raw = getattr(settings, "SURVEY_LEVEL_THRESHOLDS", DEFAULT_LEVEL_THRESHOLDS)
    return sorted(((Decimal(str(t)), int(lv)) for t, lv in raw), reverse=True)


def survey_pack(survey: Survey) -> Pack:
    return cycle_pack(survey.cycle)


def items_by_subdimension(pack: Pack) -> dict[str, list[SurveyItem]]:
    out: dict[str, list[SurveyItem]] = defaultdict(list)
    for item in pack.survey_items:
        out[item.subdimension].append(item)
    return dict(out)


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def subdimension_names(pack: Pack) -> dict[str, str]:
    """Display names in the active language (the pack's name_en in English, when it has one)."""
    en = _english()
    return {s.code: (s.name_en if en and s.name_en else s.name) for s in pack.subdimensions}


def pillar_names(pack: Pack) -> dict[str, str]:
    en = _english()
    return {p.code: (p.name_en if en and p.name_en else p.name) for p in pack.pillars}


def active_services(survey: Survey) -> QuerySet[SurveyService]:
    """Services respondents can choose: those with a programme chosen by the coordinator."""
    return survey.services.filter(programme__isnull=False).select_related("programme", "programme__owner")


def kecamatan_of(region_code: str) -> QuerySet[Region]:
    return Region.objects.without_geometry().filter(parent_id=region_code, level="kecamatan").order_by("name")


def visible_surveys(user: Any) -> QuerySet[Survey]:
    """Drafts only to people who may see the region's survey work; open/closed surveys to everyone."""
    from kotacerdas.accounts import roles

    qs = Survey.objects.select_related("region", "cycle")
    if roles.is_national_admin(user):
        return qs
    mine = roles.regions_for(user) | roles.assigned_regions(user)
    from django.db.models import Q

    return qs.filter(Q(status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED]) | Q(region_id__in=mine))


# ---------------------------------------------------------------------------------------------- data


@dataclass
class _Row:
    response: int
    subdimension: str
    pillar: str
    kecamatan: str
    values: dict[str, int] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(self.values.values()) / len(self.values)


def _rows(survey: Survey) -> list[_Row]:
    rows: dict[int, _Row] = {}
    for rid, sub, pillar, kec in (Response.objects.filter(survey=survey)
                                  .values_list("pk", "service__subdimension", "service__pillar", "kecamatan_id")):
        rows[rid] = _Row(rid, sub, pillar, kec)
    for rid, item, value in ResponseAnswer.objects.filter(response__survey=survey).values_list(
            "response_id", "item", "value"):
        row = rows.get(rid)
        if row is not None:  # a response committed between the two reads is counted next time
            row.values[item] = value
    return [r for r in rows.values() if r.values]


# ------------------------------------------------------------------------------------------ progress


@dataclass
class SubProgress:
    code: str
    name: str
    n: int
    required: int
    kecamatan: int
    programme: str

    @property
    def under_sampled(self) -> bool:
        return self.n < self.required


@dataclass
class PillarProgress:
    code: str
    name: str
    n: int
    target: int
    subdimensions: list[SubProgress]

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.n / self.target)) if self.target else 0


@dataclass
class Progress:
    total: int
    target: int
    pillars: list[PillarProgress]
    kecamatan: list[tuple[str, str, int]]
    kecamatan_gini: float | None
    warnings: list[str]


def pillar_target(survey: Survey, pillar: str, n_subdims: int) -> int:
    if pillar == BRANDING and survey.branding_per_subdimension:
        return survey.target_per_pillar * n_subdims
    return survey.target_per_pillar


def subdimension_required(survey: Survey, pillar: str) -> int:
    if pillar == BRANDING and survey.branding_per_subdimension:
        return survey.target_per_pillar
    return survey.min_per_subdimension


def progress(survey: Survey) -> Progress:
    pack = survey_pack(survey)
    rows = _rows(survey)
    by_sub: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        by_sub[r.subdimension].append(r)
    services = {s.subdimension: s for s in survey.services.select_related("programme")}
    sub_names, p_names = subdimension_names(pack), pillar_names(pack)
    warnings: list[str] = []
    pillars = []
    for p in pack.pillars:
        subs = [s for s in pack.subdimensions if s.pillar == p.code]
        sub_progress = []
        for s in subs:
            members = by_sub.get(s.code, [])
            kec = {r.kecamatan for r in members}
            service = services.get(s.code)
            programme = service.programme.title if service and service.programme else ""
            sp = SubProgress(s.code, sub_names[s.code], len(members), subdimension_required(survey, p.code), len(kec),
                             programme)
            sub_progress.append(sp)
            where = {"p": p_names[p.code], "s": sp.name}
            if not programme:
                warnings.append(_("%(p)s — %(s)s: program/layanan belum dipilih") % where)
            elif sp.under_sampled:
                warnings.append(_("%(p)s — %(s)s: kurang sampel, %(n)d dari minimal %(req)d responden")
                                % {**where, "n": sp.n, "req": sp.required})
            if len(members) >= 2 and len(kec) == 1:
                only = Region.objects.filter(code=next(iter(kec))).values_list("name", flat=True).first()
                warnings.append(_("%(p)s — %(s)s: semua %(n)d tanggapan dari satu kecamatan (%(only)s)")
                                % {**where, "n": len(members), "only": only})
        n = sum(sp.n for sp in sub_progress)
        pp = PillarProgress(p.code, p_names[p.code], n, pillar_target(survey, p.code, len(subs)), sub_progress)
        if pp.n < pp.target:
            warnings.append(_("%(p)s: %(n)d dari target %(target)d responden (kurang %(gap)d)")
                            % {"p": pp.name, "n": pp.n, "target": pp.target, "gap": pp.target - pp.n})
        pillars.append(pp)
    counts = Counter(r.kecamatan for r in rows)
    kec_rows = [(k.code, k.name, counts.get(k.code, 0)) for k in kecamatan_of(survey.region_id)]
    g = gini([c for _, _, c in kec_rows]) if kec_rows and rows else None
    if rows and len(counts) == 1:
        warnings.insert(0, _("Semua tanggapan berasal dari satu kecamatan: hasil tidak mewakili wilayah"))
    return Progress(total=len(rows), target=sum(p.target for p in pillars), pillars=pillars,
                    kecamatan=kec_rows, kecamatan_gini=g, warnings=warnings)


def respondents_per_pillar(survey: Survey) -> dict[str, int]:
    counts = dict(Response.objects.filter(survey=survey).values("service__pillar")
                  .annotate(n=Count("id")).values_list("service__pillar", "n"))
    return {p.code: counts.get(p.code, 0) for p in survey_pack(survey).pillars}


# ------------------------------------------------------------------------------------------- results


def _q(value: float, places: int = 2) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_impact_scale(mean: float, pack: Pack) -> Decimal:
    lo, hi = pack.survey_scale_min, pack.survey_scale_max
    score = (mean - lo) / (hi - lo) * (pack.scale_max - pack.scale_min) + pack.scale_min
    return _q(score)


@dataclass
class Stat:
    key: str
    name: str
    n: int
    mean: float | None
    moe: float | None
    sd: float | None
    distribution: dict[int, int]
    impact_score: Decimal | None = None
    formula: str = ""

    # In the active language: 3,61 in Indonesian, 3.61 in English.
    @property
    def mean_text(self) -> str:
        return "—" if self.mean is None else format_number(self.mean, 2, get_language())

    @property
    def moe_text(self) -> str:
        return "—" if self.moe is None or math.isnan(self.moe) else "±" + format_number(self.moe, 2, get_language())

    @property
    def impact_text(self) -> str:
        return "—" if self.impact_score is None else format_number(self.impact_score, 2, get_language())


def _stat(key: str, name: str, values: list[float], dist_values: list[int], pack: Pack, what: str) -> Stat:
    dist = {v: 0 for v in range(pack.survey_scale_min, pack.survey_scale_max + 1)}
    for v in dist_values:
        dist[v] = dist.get(v, 0) + 1
    if not values:
        return Stat(key, name, 0, None, None, None, dist, None, _("belum ada tanggapan"))
    ci = mean_ci95(values)
    moe = None if math.isnan(ci.moe) else ci.moe
    score = to_impact_scale(ci.mean, pack)
    span = pack.survey_scale_max - pack.survey_scale_min
    moe_part = (f" ± {fmt_num(moe)} (95%, t, n={ci.n})" if moe is not None
                else _(" (n=%(n)d, margin belum dapat dihitung)") % {"n": ci.n})
    formula = _("rerata %(what)s = %(mean)s%(moe)s; skala Impact = (%(mean)s − %(lo)s) / %(span)s × %(range)s + "
                "%(base)s = %(score)s") % {
        "what": what, "mean": fmt_num(ci.mean), "moe": moe_part, "lo": pack.survey_scale_min, "span": span,
        "range": pack.scale_max - pack.scale_min, "base": pack.scale_min, "score": fmt_num(score)}
    return Stat(key, name, ci.n, ci.mean, moe, None if math.isnan(ci.sd) else ci.sd, dist, score, formula)


@dataclass
class Results:
    items: list[Stat]
    subdimensions: list[Stat]
    pillars: list[Stat]
    total: int


def results(survey: Survey) -> Results:
    pack = survey_pack(survey)
    rows = _rows(survey)
    sub_names, p_names, en = subdimension_names(pack), pillar_names(pack), _english()
    items = []
    for item in pack.survey_items:
        vals = [r.values[item.code] for r in rows if item.code in r.values]
        text = item.text_en if en and item.text_en else item.text
        items.append(_stat(item.code, text, [float(v) for v in vals], vals, pack, _("jawaban butir")))
    subs = []
    for s in pack.subdimensions:
        members = [r for r in rows if r.subdimension == s.code]
        subs.append(_stat(s.code, sub_names[s.code], [r.score for r in members],
                          [v for r in members for v in r.values.values()], pack, _("skor responden")))
    pillars = []
    for p in pack.pillars:
        members = [r for r in rows if r.pillar == p.code]
        pillars.append(_stat(p.code, p_names[p.code], [r.score for r in members],
                             [v for r in members for v in r.values.values()], pack, _("skor responden")))
    return Results(items=items, subdimensions=subs, pillars=pillars, total=len(rows))


# ----------------------------------------------------------------------- bridge to the self-assessment


@dataclass
class Suggestion:
    """Suggested level for one impact.survei.* indicator, to be offered as evidence on the
    self-assessment screen (the coordinator still chooses the level)."""

    indicator: str
    subdimension: str
    level: int
    score: Decimal | None
    mean: float | None
    n: int
    required: int
    moe: float | None
    formula: str
    survey_id: int


def suggested_level(mean: float | None, n: int, required: int) -> tuple[int, str]:
    if not n or mean is None:
        return 0, _("tidak ada tanggapan → tingkat 0")
    if n < required:
        return 1, _("responden %(n)d < ketentuan %(req)d → tingkat 1 (tidak memenuhi ketentuan)") % {
            "n": n, "req": required}
    m = _q(mean)
    rule = ", ".join(f"≥{fmt_num(t)}→{lv}" for t, lv in level_thresholds())
    chosen = next((level for threshold, level in level_thresholds() if m >= threshold), 1)
    return chosen, _("responden %(n)d ≥ ketentuan %(req)d; rerata %(mean)s dengan aturan paket "
                     "(%(rule)s, lainnya 1) → tingkat %(level)d") % {
        "n": n, "req": required, "mean": fmt_num(m), "rule": rule, "level": chosen}


def impact_evidence(region_code: str, cycle: Cycle) -> dict[str, Suggestion]:
    """Suggested level per impact.survei.* indicator of `cycle`'s pack from the region's survey, with the
    formula. Empty when the region has no survey in the cycle. Called by the self-assessment screen."""
    survey = Survey.objects.filter(region_id=region_code, cycle=cycle).select_related("cycle").first()
    if survey is None:
        return {}
    pack = survey_pack(survey)
    res = results(survey)
    subs = {s.key: s for s in res.subdimensions}
    pillar_n = {p.key: p.n for p in res.pillars}
    sub_pillar = {s.code: s.pillar for s in pack.subdimensions}
    n_subs = Counter(sub_pillar.values())
    out: dict[str, Suggestion] = {}
    for node in pack.indicators():
        if not node.code.startswith("impact.survei.") or not node.subdimension:
            continue
        stat = subs.get(node.subdimension)
        if stat is None:
            continue
        pillar = sub_pillar.get(node.subdimension, "")
        # The sample rule is per pillar (Branding: per sub-dimension), as in the guideline.
        if pillar == BRANDING and survey.branding_per_subdimension:
            n_rule, required = stat.n, survey.target_per_pillar
        else:
            n_rule, required = pillar_n.get(pillar, 0), pillar_target(survey, pillar, n_subs[pillar])
        level, why = suggested_level(stat.mean, n_rule if stat.n else 0, required)
        formula = f"{stat.formula}; {why}" if stat.n else why
        out[node.code] = Suggestion(node.code, node.subdimension, level, stat.impact_score, stat.mean, stat.n,
                                    required, stat.moe, formula, survey.pk)
    return out
