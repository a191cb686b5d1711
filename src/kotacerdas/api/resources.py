from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from kotacerdas.accounts import roles
from kotacerdas.catalogue import filters as unit_filters
from kotacerdas.catalogue.choices import UnitKind
from kotacerdas.catalogue.models import Programme, Unit
from kotacerdas.evaluations import queries
from kotacerdas.evaluations import rules as perms
from kotacerdas.evaluations.models import Assessment, Feedback, Submission
from kotacerdas.evaluations.queries import result_trace

from .auth import authenticated, optional_auth
from .catalogue import Page, ProgrammeOut
from .errors import not_found
from .evaluations import NAME_DOC, PROVENANCE_DOC, predicate_field, predicate_status_field
from .schemas import ErrorOut

router = Router(tags=["sumber daya"])


class UnitRow(Schema):
    id: int
    region: str = Field(validation_alias="region_id")
    name: str
    short_name: str
    kind: UnitKind
    programme_count: int


class UnitFilter(Schema):
    region: str | None = Field(None, max_length=13, description="kode wilayah, mis. 16.07")
    kind: UnitKind | None = None


@router.get("/units", response=list[UnitRow], summary="Unit kerja (OPD, BUMD, PDAM)")
@paginate(Page)
def list_units(request: HttpRequest, filters: Query[UnitFilter]):  # type: ignore[no-untyped-def]
    from django.db.models import Count, Q

    qs = Unit.objects.active().annotate(
        programme_count=Count("programmes", filter=Q(programmes__archived_at__isnull=True))).order_by("region_id", "name")
    return unit_filters.units(qs, filters.model_dump(mode="json", exclude_none=True))  # catalogue.filters.UnitFilterSet


@router.get("/regions/{code}/programmes/{programme}", response={200: ProgrammeOut, 404: ErrorOut},
            summary="Satu program/inovasi")
def get_programme(request: HttpRequest, code: str, programme: str):  # type: ignore[no-untyped-def]
    found = Programme.objects.active().select_related("owner").filter(region_id=code, code=programme).first()
    if found is None:
        raise not_found("Program", f"{code}/{programme}")
    return found


class DimensionOut(Schema):
    code: str
    name: str
    weight: float


class CycleDetail(Schema):
    id: int
    year: int
    name: str
    pack_code: str
    pack_version: str
    pack_status: str
    stage: str
    opens_on: date | None
    self_assessment_deadline: datetime | None
    tahap_1_on: date | None
    tahap_2_on: date | None
    published_at: datetime | None
    participants: int
    dimensions: list[DimensionOut]


@router.get("/cycles/{year}", response={200: CycleDetail, 404: ErrorOut}, summary="Satu siklus evaluasi")
def get_cycle(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    cycle = queries.year_cycle(year)
    if cycle is None:
        raise not_found("Siklus", str(year))
    pack = queries.cycle_pack(cycle)
    return {
        "id": cycle.pk, "year": cycle.year, "name": cycle.name, "pack_code": cycle.pack_code,
        "pack_version": cycle.pack_version, "pack_status": pack.status, "stage": cycle.stage,
        "opens_on": cycle.opens_on, "self_assessment_deadline": cycle.self_assessment_deadline,
        "tahap_1_on": cycle.tahap_1_on, "tahap_2_on": cycle.tahap_2_on, "published_at": cycle.published_at,
        "participants": cycle.participants.count(),
        "dimensions": [{"code": d.code, "name": d.name, "weight": float(d.weight or 0)} for d in pack.dimensions],
    }


class TraceStepOut(Schema):
    node: str
    formula: str
    value: str | None


class ResultDetail(Schema):
    region: str
    region_name: str = Field(description=NAME_DOC)
    provenance: str = Field(description=PROVENANCE_DOC)
    year: int
    index: float
    index_raw: str
    mean: float | None
    predicate: str | None = predicate_field()
    predicate_status: str = predicate_status_field()
    rank: int | None
    previous_index: float | None
    improvement: float | None
    dimensions: dict[str, float | None]
    dimensions_raw: dict[str, str | None]
    pillars: dict[str, float | None]
    is_published: bool
    pack: str
    pack_version: str
    pack_digest: str
    trace: list[TraceStepOut]


def _f(v: Any) -> float | None:
    return None if v is None else float(v)


@router.get("/results/{code}/{year}", response={200: ResultDetail, 404: ErrorOut}, auth=optional_auth,
            summary="Hasil satu wilayah dengan jejak rumus")
def get_result(request: HttpRequest, code: str, year: int):  # type: ignore[no-untyped-def]
    r = queries.visible_results(request.user).filter(region_id=code, cycle__year=year).first()
    if r is None:
        raise not_found("Hasil", f"{code}/{year}")
    return {
        "region": r.region_id, "region_name": r.display_name, "provenance": r.provenance, "year": r.cycle.year,
        "index": float(r.index),
        "index_raw": r.index_raw, "mean": _f(r.mean), "predicate": r.published_predicate.label,
        "predicate_status": r.published_predicate.status, "rank": r.rank,
        "previous_index": _f(r.previous_index), "improvement": _f(r.improvement), "dimensions": r.dimensions,
        "dimensions_raw": r.dimensions_raw or {}, "pillars": r.pillars or {}, "is_published": r.is_published,
        "pack": r.pack_code,
        "pack_version": r.pack_version, "pack_digest": r.pack_digest,
        "trace": [{"node": str(s.get("node", "")), "formula": str(s.get("formula", "")),
                   "value": None if s.get("value") is None else str(s.get("value"))} for s in result_trace(r)],
    }


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    sub = Submission.objects.select_related("cycle").filter(pk=submission_id).first()
    if sub is None or not perms.can_view_submission.test(request.user, sub):
        raise not_found("Pengajuan", str(submission_id))
    return sub


class FeedbackRow(Schema):
    id: int
    programme: str
    programme_title: str
    assessor: int | None
    strengths: str
    weaknesses: str
    recommendation: str
    created_at: datetime


REGION_SEES_FEEDBACK = {"assessed", "final", "published"}


@router.get("/feedback", response={200: list[FeedbackRow], 404: ErrorOut},
            auth=authenticated, summary="Umpan balik asesor per program untuk satu pengajuan")
def list_feedback(request: HttpRequest, submission: int = Query(..., alias="submission", ge=1)):  # type: ignore[no-untyped-def]
    sub = _submission(request, submission)
    user = request.user
    insider = roles.is_national_admin(user) or perms.is_assigned_assessor.test(user, sub)
    if not insider and sub.status not in REGION_SEES_FEEDBACK:
        return []  # the region sees feedback once the panel has concluded
    rows = Feedback.objects.filter(submission=sub).select_related("programme")
    numbers: dict[int, int] = {}
    out = []
    for fb in rows:
        n = numbers.setdefault(fb.assessor_id, len(numbers) + 1)
        out.append({"id": fb.pk, "programme": fb.programme.code, "programme_title": fb.programme.title,
                    # Regions see assessors numbered, not named.
                    "assessor": fb.assessor_id if insider else n, "strengths": fb.strengths,
                    "weaknesses": fb.weaknesses, "recommendation": fb.recommendation, "created_at": fb.created_at})
    return out


class ScoreRow(Schema):
    indicator: str
    level: int
    note: str


class AssessmentOut(Schema):
    id: int
    assessor: int
    status: str
    completed_at: datetime | None
    scores: list[ScoreRow]


@router.get("/assessments", response={200: list[AssessmentOut], 404: ErrorOut},
            auth=authenticated, summary="Penilaian asesor (admin dan ketua panel: semua; asesor: miliknya)")
def list_assessments(request: HttpRequest, submission: int = Query(..., ge=1)):  # type: ignore[no-untyped-def]
    sub = _submission(request, submission)
    user = request.user
    qs = Assessment.objects.filter(submission=sub).prefetch_related("scores").order_by("id")
    if not (roles.is_national_admin(user) or perms.is_panel_lead.test(user, sub)):
        qs = qs.filter(assessor=user)
    return [{"id": a.pk, "assessor": a.assessor_id, "status": a.status, "completed_at": a.completed_at,
             "scores": [{"indicator": s.indicator, "level": s.level, "note": s.note}
                        for s in sorted(a.scores.all(), key=lambda s: s.indicator) if s.archived_at is None]} for a in qs]


@router.get("/regions/{code}/results", response={200: list[ResultDetail], 404: ErrorOut}, auth=optional_auth,
            summary="Riwayat hasil satu wilayah")
def region_results(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    qs = queries.visible_results(request.user).filter(region_id=code).order_by("cycle__year")
    if not qs.exists():
        raise not_found("Hasil wilayah", code)
    return [get_result(request, code, r.cycle.year) for r in qs]

