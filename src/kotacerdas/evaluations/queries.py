"""Read helpers for the evaluation workflow, including the bridge to the pure scoring core."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kotacerdas.catalogue.models import Programme
from kotacerdas.core.provenance import Provenance
from kotacerdas.scoring import engine
from kotacerdas.scoring.packs import Pack, PackNotFound, get_pack
from kotacerdas.scoring.predicates import bands_official

from .choices import AssessmentStatus, Stage, SubmissionStatus
from .models import (
    Answer,
    Assessment,
    AssessmentScore,
    ConsensusScore,
    Cycle,
    Evidence,
    Participation,
    Result,
    Submission,
)
from .ranking import competition_ranks


def demo_rows() -> tuple[bool, set[str]]:
    """The evaluations' part of `core.provenance.demo_state()`: demo cycles, and the regions whose
    participation or results are synthetic."""
    synthetic = set(Participation.objects.filter(provenance=Provenance.SYNTHETIC)
                    .values_list("region_id", flat=True).distinct())
    synthetic |= set(Result.objects.filter(provenance=Provenance.SYNTHETIC)
                     .values_list("region_id", flat=True).distinct())
    return Cycle.objects.filter(is_demo=True).exists(), synthetic


@lru_cache(maxsize=32)
def pack_for(code: str, version: str) -> Pack:
    return get_pack(code, version)


def cycle_pack(cycle: Cycle) -> Pack:
    return pack_for(cycle.pack_code, cycle.pack_version)


def result_pack(result: Result) -> Pack | None:
    """The pack version a result was computed with (None when that version is no longer shipped)."""
    try:
        return pack_for(result.pack_code, result.pack_version)
    except PackNotFound:
        return None


def year_cycle(year: int) -> Cycle | None:
    """The evaluation a bare year names: the Smart City cycle of that year when there is one (a year may
    also hold an IID or SPBE cycle), else the newest pack version of that year."""
    from django.db.models import Case, IntegerField, Value, When

    return (Cycle.objects.filter(year=year)
            .annotate(smart_city=Case(When(pack_code__startswith="kominfo-", then=Value(0)), default=Value(1),
                                      output_field=IntegerField()))
            .order_by("smart_city", "-pack_version").first())


def indicator_codes(pack: Pack) -> list[str]:
    return [n.code for n in pack.indicators()]


@dataclass
class Completeness:
    total: int
    answered: int
    with_evidence: int
    missing: list[str] = field(default_factory=list)
    missing_evidence: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def label(self) -> str:
        return f"{self.answered}/{self.total} indikator terjawab, {self.with_evidence} dengan bukti dukung"


def completeness(submission: Submission) -> Completeness:
    pack = cycle_pack(submission.cycle)
    codes = indicator_codes(pack)
    answered = set(Answer.objects.active().filter(submission=submission, level__isnull=False).values_list("indicator",
                                                                                                 flat=True))
    evidenced = set(Evidence.objects.filter(submission=submission, archived_at__isnull=True)
                    .values_list("indicator", flat=True))
    needs_evidence = {n.code for n in pack.indicators() if n.evidence}
    return Completeness(
        total=len(codes), answered=len(answered & set(codes)), with_evidence=len(evidenced & set(codes)),
        missing=[c for c in codes if c not in answered],
        missing_evidence=[c for c in codes if c in needs_evidence and c in answered and c not in evidenced],
    )


@dataclass
class Check:
    severity: str  # "error" blocks the submission, "warning" is shown
    code: str
    message: str
    items: list[str] = field(default_factory=list)


def pre_submit_checks(submission: Submission) -> list[Check]:
    comp = completeness(submission)
    checks: list[Check] = []
    if comp.missing:
        checks.append(Check("error", "missing_answers",
                            ngettext("%(n)d indikator belum dijawab", "%(n)d indikator belum dijawab", len(comp.missing))
                            % {"n": len(comp.missing)}, comp.missing))
    if comp.missing_evidence:
        checks.append(Check("warning", "missing_evidence",
                            ngettext("%(n)d indikator terjawab tanpa bukti dukung", "%(n)d indikator terjawab tanpa bukti dukung",
                                     len(comp.missing_evidence)) % {"n": len(comp.missing_evidence)},
                            comp.missing_evidence))
    year = submission.cycle.year
    young = Programme.objects.active().filter(region_id=submission.region_id, status="running",
                                              start_year__gte=year)
    if young.exists():
        checks.append(Check("warning", "young_programmes",
                            _("Program berumur kurang dari satu tahun ditandai berjalan"),
                            [p.title for p in young]))
    titles: dict[str, list[str]] = defaultdict(list)
    for title in Programme.objects.active().filter(region_id=submission.region_id).values_list("title", flat=True):
        titles[" ".join(title.lower().split())].append(title)
    dups = [v[0] for v in titles.values() if len(v) > 1]
    if dups:
        checks.append(Check("warning", "duplicate_programmes", _("Judul program ganda"), dups))
    return checks


def self_answers(submission: Submission) -> dict[str, int]:
    return {a.indicator: a.level for a in Answer.objects.active().filter(submission=submission, level__isnull=False)
            if a.level is not None}


def readiness_forecast(submission: Submission) -> engine.ScoreResult:
    """The index the engine would give today from the region's own answers."""
    pack = cycle_pack(submission.cycle)
    return engine.score(pack, answers=self_answers(submission), previous=previous_index(submission))


@dataclass
class Forecast:
    """The readiness forecast told honestly: the engine's index from the answers saved so far (an unanswered
    indicator counts 0), how many are answered, and — when some are not — a projection in which the
    unanswered survey-based Impact indicators take the level the region's survey suggests."""

    score: engine.ScoreResult
    answered: int
    total: int
    projected: engine.ScoreResult | None = None
    from_survey: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.answered >= self.total

    @property
    def missing(self) -> int:
        return self.total - self.answered

    @property
    def improvement(self) -> Decimal | None:
        """Only a complete forecast is compared with last year's index: a gap of unanswered zeros is not a fall."""
        return self.score.improvement if self.complete else None


def survey_suggestions(submission: Submission) -> dict[str, Any]:
    """Suggested levels of the survey-based Impact indicators from the region's survey of this cycle."""
    from kotacerdas.surveys.queries import impact_evidence

    return dict(impact_evidence(submission.region_id, submission.cycle))


def forecast_detail(submission: Submission, suggestions: dict[str, Any] | None = None) -> Forecast:
    pack = cycle_pack(submission.cycle)
    answers = self_answers(submission)
    previous = previous_index(submission)
    codes = [n.code for n in pack.indicators()]
    answered = sum(1 for c in codes if c in answers)
    forecast = Forecast(score=engine.score(pack, answers=answers, previous=previous), answered=answered,
                        total=len(codes))
    if not forecast.complete:
        suggestions = survey_suggestions(submission) if suggestions is None else suggestions
        fill = {c: s.level for c, s in suggestions.items() if c not in answers and c in codes}
        if fill:
            forecast.projected = engine.score(pack, answers={**answers, **fill}, previous=previous)
            forecast.from_survey = sorted(fill)
    return forecast


def previous_index(submission: Submission) -> Decimal | None:
    prev = (Result.objects.filter(region_id=submission.region_id, is_published=True,
                                  cycle__year__lt=submission.cycle.year).order_by("-cycle__year").first())
    return Decimal(prev.index) if prev else None


def assessor_sheets(submission: Submission, complete_only: bool = False) -> dict[int, dict[str, int]]:
    assessments = Assessment.objects.filter(submission=submission).prefetch_related(
        Prefetch("scores", queryset=AssessmentScore.objects.active()))
    if complete_only:
        assessments = assessments.filter(status=AssessmentStatus.COMPLETE)
    return {a.assessor_id: {s.indicator: s.level for s in a.scores.all()} for a in assessments}


def consensus_levels(submission: Submission) -> dict[str, int]:
    return dict(ConsensusScore.objects.active().filter(submission=submission).values_list("indicator", "level"))


def consensus_version(submission: Submission) -> int:
    """The version of a submission's consensus as a whole: how many consensus changes were recorded for
    it. Every change writes exactly one audit event in its own transaction and the trail is append-only,
    so the number only grows; 0 while the panel has agreed nothing."""
    from kotacerdas.accounts.models import AuditEvent

    ids = [str(pk) for pk in ConsensusScore._default_manager.filter(submission=submission).values_list(
        "pk", flat=True)]
    return AuditEvent.objects.filter(action="evaluations.consensus", object_type="evaluations.consensusscore",
                                     object_id__in=ids).count()


def panel_levels(submission: Submission) -> dict[str, Decimal]:
    """Consensus where the panel agreed, otherwise the pack's aggregation of the assessors' levels."""
    pack = cycle_pack(submission.cycle)
    sheets = list(assessor_sheets(submission).values())
    consensus = consensus_levels(submission)
    if not sheets:
        return {k: Decimal(v) for k, v in consensus.items()}
    return engine.aggregate_assessors(pack, sheets, method=pack.assessor_aggregation, consensus=consensus)


def stage_submission(cycle: Cycle, region_code: str) -> Submission | None:
    """The submission of the furthest stage a region has reached in a cycle."""
    order = {s.value: i for i, s in enumerate(Stage)}
    subs = sorted(Submission.objects.filter(cycle=cycle, region_id=region_code), key=lambda s: order[s.stage])
    return subs[-1] if subs else None


def visible_results(user: Any) -> QuerySet[Result]:
    from kotacerdas.accounts import roles

    qs = Result.objects.select_related("cycle", "region")
    if roles.is_national_admin(user) or roles.has_role(user, "assessor"):
        return qs
    mine = roles.regions_for(user)
    if mine:
        from django.db.models import Q

        return qs.filter(Q(is_published=True) | Q(region_id__in=mine))
    return qs.filter(is_published=True)


def was_returned(submission: Submission) -> bool:
    """Whether the panel ever sent this submission back (a return event or a return note)."""
    from kotacerdas.accounts.models import AuditEvent

    from .choices import NoteKind
    from .models import IndicatorNote

    if submission.status in (SubmissionStatus.RETURNED, SubmissionStatus.RESUBMITTED):
        return True
    return (IndicatorNote.objects.filter(submission=submission, kind=NoteKind.RETURN).exists()
            or AuditEvent.objects.filter(object_type="evaluations.submission", object_id=str(submission.pk),
                                         to_state=SubmissionStatus.RETURNED).exists())


def status_chain(submission: Submission) -> list[dict[str, Any]]:
    from .choices import STATUS_CHAIN

    current = submission.status
    steps = list(STATUS_CHAIN)
    if current != SubmissionStatus.RESUBMITTED and not was_returned(submission):
        # "Dikirim ulang" only exists for a submission the panel sent back; never tick it otherwise.
        steps.remove(SubmissionStatus.RESUBMITTED)
    reached = steps.index(SubmissionStatus.SUBMITTED) if current == SubmissionStatus.RETURNED else (
        steps.index(current))
    chain = []
    for i, status in enumerate(steps):
        chain.append({"status": status, "label": SubmissionStatus(status).label,
                      "done": i < reached, "current": i == reached and current != SubmissionStatus.RETURNED})
    if current == SubmissionStatus.RETURNED:
        chain.insert(reached + 1, {"status": "returned", "label": SubmissionStatus.RETURNED.label,
                                   "done": False, "current": True})
    return chain


def result_trace(result: Result) -> list[dict[str, Any]]:
    """The full formula trace of a result: stored, or rebuilt by the engine from the inputs a national
    recompute stored (the same numbers, exactly). Pages and reports showing formulas call this."""
    from kotacerdas.scoring import batch

    trace = result.trace or []
    if not batch.is_inputs_step(trace):
        # A trace stored before predicates followed scoring.predicates may name a provisional band.
        if not bands_official(result_pack(result)):
            return [s for s in trace if s.get("node") != "predicate"]
        return trace
    return batch.expand_trace(pack_for(result.pack_code, result.pack_version), trace)


# --- national administration ---------------------------------------------------------------------------

def stage_locks(cycle: Cycle) -> tuple[str | None, list[str]]:
    """The stage after the cycle's current one and, in words, what moving there locks or opens."""
    from .choices import STAGE_ORDER

    i = STAGE_ORDER.index(cycle.stage)
    if i + 1 >= len(STAGE_ORDER):
        return None, []
    to = STAGE_ORDER[i + 1]
    prev = Stage(cycle.stage).label
    if to in (Stage.TAHAP_1, Stage.TAHAP_2):
        return to, [
            _("Pengajuan tahap %(stage)s tidak lagi menjadi tahap berjalan; setiap peserta mendapat pengajuan "
              "baru untuk %(to)s berisi salinan jawaban dan bukti dukungnya") % {"stage": prev, "to": Stage(to).label},
            _("Peserta baru masuk langsung ke %(to)s") % {"to": Stage(to).label},
        ]
    if to == Stage.FINAL:
        return to, [_("Peserta tidak bisa ditambah lagi"),
                    _("Hasil yang sudah difinalkan menunggu penerbitan; penilaian yang belum selesai tetap berjalan")]
    return to, [_("Semua hasil final diterbitkan dan dibekukan; perubahan sesudahnya hanya lewat koreksi "
                  "berversi dengan alasan")]


def publish_phrase(cycle: Cycle) -> str:
    """What the national admin types to confirm publishing a cycle."""
    return f"TERBITKAN {cycle.year}"


def progress(cycle: Cycle, participations: QuerySet[Any] | None = None) -> list[dict[str, Any]]:
    """Per participant (all of the cycle, or those of `participations`, e.g. narrowed by
    filters.ProgressFilterSet): its current-stage submission's status, panel, completed assessments, meeting."""
    from collections import Counter

    from .models import Assignment, Meeting, Participation

    if participations is None:
        participations = Participation.objects.filter(cycle=cycle)
    parts = list(participations.select_related("region__parent")
                 .defer("region__geometry", "region__parent__geometry").order_by("region_id"))
    order = {s.value: i for i, s in enumerate(Stage)}
    best: dict[str, tuple[int, int, str, int]] = {}
    for pk, region, stage, status in Submission.objects.filter(cycle=cycle).values_list(
            "pk", "region_id", "stage", "status"):
        key = (order.get(stage, -1), pk, status, pk)
        if region not in best or key > best[region]:
            best[region] = key
    panels = dict(Assignment.objects.filter(cycle=cycle, active=True).values_list("region_id", "panel__name"))
    complete = Counter(Assessment.objects.filter(submission__cycle=cycle, status=AssessmentStatus.COMPLETE)
                       .values_list("submission__region_id", flat=True))
    meetings = {m.region_id: m for m in Meeting.objects.filter(cycle=cycle)}
    rows = []
    for p in parts:
        stage_i, _pk, status, sub_pk = best.get(p.region_id, (-1, 0, "", 0))
        rows.append({"region": p.region, "code": p.region_id, "province": p.region.parent,
                     "region_class": p.region_class, "submission": sub_pk or None,
                     "stage": list(Stage)[stage_i].value if stage_i >= 0 else "",
                     "stage_label": list(Stage)[stage_i].label if stage_i >= 0 else "", "status": status,
                     "status_label": SubmissionStatus(status).label if status else "",
                     "panel": panels.get(p.region_id, ""), "assessments": complete[p.region_id],
                     "meeting": meetings.get(p.region_id)})
    return rows


PROGRESS_GROUPS = {
    "submitted": (SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED),
    "draft": (SubmissionStatus.DRAFT,),
    "returned": (SubmissionStatus.RETURNED,),
    "assessment": (SubmissionStatus.UNDER_ASSESSMENT,),
    "concluded": (SubmissionStatus.ASSESSED, SubmissionStatus.FINAL, SubmissionStatus.PUBLISHED),
}


def assessor_load(cycle: Cycle) -> list[dict[str, Any]]:
    """Per assessor on a panel of the cycle: how many regions and indicators they carry."""
    from collections import Counter

    from .models import Assignment, Panel

    n_ind = len(indicator_codes(cycle_pack(cycle)))
    per_panel = Counter(Assignment.objects.filter(cycle=cycle, active=True).values_list("panel_id", flat=True))
    people: dict[int, dict[str, Any]] = {}
    for panel in Panel.objects.filter(cycle=cycle).prefetch_related("members").order_by("name"):
        for m in panel.members.all():
            row = people.setdefault(m.pk, {"user": m, "panels": [], "regions": 0, "indicators": 0})
            row["panels"].append(panel.name)
            row["regions"] += per_panel[panel.pk]
            row["indicators"] += per_panel[panel.pk] * n_ind
    return sorted(people.values(), key=lambda r: (-r["regions"], r["user"].username))


def publication_preview(cycle: Cycle) -> list[dict[str, Any]]:
    """The national ranking as the public would see it once the cycle's final results are published:
    the results already published plus those waiting as final, ranked together."""
    final_regions = set(Submission.objects.filter(cycle=cycle, status=SubmissionStatus.FINAL)
                        .values_list("region_id", flat=True))
    results = [r for r in Result.objects.filter(cycle=cycle).select_related("region__parent")
               .defer("trace", "region__geometry", "region__parent__geometry")
               if r.is_published or r.region_id in final_regions]
    ranks = competition_ranks({r.region_id: Decimal(r.index) for r in results})
    rows = [{"rank": ranks[r.region_id], "result": r, "new": not r.is_published} for r in results]
    return sorted(rows, key=lambda row: (row["rank"], row["result"].region_id))


# --- packs with repeated groups (IID): answers per innovation -------------------------------------------

INNOVATION = "innovation"


def iid_cycle(region_code: str, year: int | None = None) -> Cycle | None:
    """The latest (or the given year's) cycle of a pack scored per innovation that the region takes part in."""
    qs = Cycle.objects.filter(participants__region_id=region_code)
    cycles = [c for c in qs.order_by("-year") if INNOVATION in cycle_pack(c).instance_kinds()]
    if year is not None:
        cycles = [c for c in cycles if c.year == year]
    return cycles[0] if cycles else None


def innovations(region_code: str) -> list[Programme]:
    """The region's innovations: active catalogue programmes flagged as such, by title."""
    return list(Programme.objects.active().filter(region_id=region_code, is_innovation=True)
                .select_related("owner").order_by("title"))


def iid_inputs(submission: Submission) -> tuple[dict[str, int], dict[str, dict[str, dict[str, int]]]]:
    """(answers, instances) for ``engine.score``: the region's answers, and one instance per innovation
    flagged in the catalogue (answered or not: every registered innovation counts in n)."""
    from .models import InnovationAnswer

    answers = self_answers(submission)
    items: dict[str, dict[str, int]] = {p.code: {} for p in innovations(submission.region_id)}
    for code, indicator, level in (InnovationAnswer.objects.filter(submission=submission, level__isnull=False)
                                   .values_list("programme__code", "indicator", "level")):
        if code in items:
            items[code][indicator] = level
    return answers, {INNOVATION: items}


def iid_score(submission: Submission) -> engine.ScoreResult:
    pack = cycle_pack(submission.cycle)
    answers, instances = iid_inputs(submission)
    repeated = pack.repeated_codes()
    return engine.score(pack, answers={k: v for k, v in answers.items() if k not in repeated},
                        instances=instances)


def participation_provenance(cycle: Cycle) -> dict[str, str]:
    """Region -> provenance of its participation, for the participations that are not plain entered data."""
    return dict(Participation.objects.filter(cycle=cycle).exclude(provenance=Provenance.ENTERED)
                .values_list("region_id", "provenance"))


def previous_indices(cycle: Cycle, regions: Iterable[str]) -> dict[str, Decimal]:
    """Each region's latest published index before this cycle's year (queries.previous_index, in bulk)."""
    out: dict[str, Decimal] = {}
    wanted = set(regions)
    for region, index in (Result.objects.filter(is_published=True, cycle__year__lt=cycle.year)
                          .order_by("region_id", "-cycle__year", "-pk").values_list("region_id", "index")):
        if region in wanted and region not in out:
            out[region] = Decimal(index)
    return out
