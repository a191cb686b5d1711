# No `from __future__ import annotations` here: django-ninja reads the annotations at runtime.
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field

from kotacerdas.evaluations.models import Cycle
from kotacerdas.surveys import filters as survey_filters
from kotacerdas.surveys import queries
from kotacerdas.surveys import rules as perms
from kotacerdas.surveys.choices import SurveyStatus
from kotacerdas.surveys.models import Survey

from .auth import authenticated, optional_auth
from .errors import ApiError, not_found

router = Router(tags=["survei dampak"])


class PillarCount(Schema):
    pillar: str
    respondents: int
    target: int


class SurveyOut(Schema):
    id: int
    region: str
    region_name: str
    year: int
    title: str
    status: SurveyStatus
    opens_at: Any
    closes_at: Any
    accepting_responses: bool
    link: str
    summary_published: bool
    summary_link: str | None
    respondents: int
    respondents_per_pillar: list[PillarCount]


class SurveyFilter(Schema):
    region: str | None = Field(None, description="Kode wilayah Kemendagri, mis. 16.07")
    year: int | None = Field(None, ge=2018, le=2100)


def _survey(request: HttpRequest, s: Survey) -> dict[str, Any]:
    counts = queries.respondents_per_pillar(s)
    pack = queries.survey_pack(s)
    n_subs = {p.code: sum(1 for d in pack.subdimensions if d.pillar == p.code) for p in pack.pillars}
    return {
        "id": s.pk, "region": s.region_id, "region_name": s.region.name, "year": s.cycle.year, "title": s.title,
        "status": s.status, "opens_at": s.opens_at, "closes_at": s.closes_at,
        "accepting_responses": s.window_open(),
        "link": request.build_absolute_uri(reverse("web:surveys:public_form", args=[s.token])),
        "summary_published": s.is_published,
        "summary_link": request.build_absolute_uri(reverse("web:surveys:public_summary", args=[s.token]))
        if s.is_published else None,
        "respondents": sum(counts.values()),
        "respondents_per_pillar": [{"pillar": k, "respondents": v,
                                    "target": queries.pillar_target(s, k, n_subs[k])} for k, v in counts.items()],
    }


@router.get("/surveys", response=list[SurveyOut], auth=optional_auth,
            summary="Survei dampak: status, tautan formulir dan jumlah responden per pilar")
def list_surveys(request: HttpRequest, filters: Query[SurveyFilter]):  # type: ignore[no-untyped-def]
    qs = queries.visible_surveys(request.user).order_by("-cycle__year", "region_id")
    qs = survey_filters.surveys(qs, filters.model_dump(exclude_none=True))  # surveys.filters.SurveyFilterSet
    return [_survey(request, s) for s in qs[:600]]


class SuggestionOut(Schema):
    indicator: str
    subdimension: str
    suggested_level: int
    impact_score: float | None
    mean: float | None
    n: int
    required: int
    margin_of_error: float | None
    formula: str


@router.get("/surveys/impact-evidence", response=list[SuggestionOut], auth=authenticated,
            summary="Saran tingkat indikator impact.survei.* dari hasil survei (dengan rumus)")
def impact_evidence(request: HttpRequest, region: str, year: int = Query(..., ge=2018, le=2100)):  # type: ignore[no-untyped-def]
    survey = Survey.objects.select_related("cycle").filter(region_id=region, cycle__year=year).first()
    if survey is None:
        raise not_found("Survei dampak", f"{region}/{year}")
    if not perms.can_view_survey.test(request.user, survey):
        raise ApiError(403, "Anda tidak berhak melihat survei wilayah ini", "forbidden")
    cycle: Cycle = survey.cycle
    return [{"indicator": s.indicator, "subdimension": s.subdimension, "suggested_level": s.level,
             "impact_score": float(s.score) if s.score is not None else None, "mean": s.mean, "n": s.n,
             "required": s.required, "margin_of_error": s.moe, "formula": s.formula}
            for s in queries.impact_evidence(region, cycle).values()]
