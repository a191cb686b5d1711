from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.catalogue.models import Programme
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations import filters as result_filters
from kotacerdas.evaluations import national as readmodels
from kotacerdas.evaluations import rules as perms
from kotacerdas.evaluations import transitions as T
from kotacerdas.evaluations.choices import EvidenceKind, RegionClass, Stage, SubmissionStatus
from kotacerdas.evaluations.models import Evidence, Result, Submission

from .auth import authenticated, optional_auth
from .catalogue import Page
from .errors import invalid, not_found
from .schemas import ErrorOut
from .versions import versioned_write

router = Router(tags=["evaluasi"])

# Predicates: only under official bands (scoring.predicates), so kominfo-2021 results carry none.


def predicate_field() -> Any:
    return Field(description="Predikat resmi, null bila rentang predikat paket tidak resmi (lihat "
                             "predicate_status) / official predicate, null unless the pack's bands are official")


def predicate_status_field() -> Any:
    return Field(description="official | provisional | reconstructed | none: status rentang predikat paket / "
                             "status of the pack's predicate bands")


PROVENANCE_DOC = ("Asal angka / where the figures come from: `entered` (dientri/dihitung di instalasi ini), "
                  "`synthetic` (angka karangan data demo — bukan hasil resmi), `published_source` (disalin dari "
                  "sumber terbitan), `demo` (data contoh demo)")
NAME_DOC = ("Nama untuk ditampilkan di samping angka: nama resmi, diberi akhiran \"(sintetis)\" bila angkanya "
            "sintetis / display name, suffixed \"(sintetis)\" when the figures are synthetic")


class ResultOut(Schema):
    region: str = Field(validation_alias="region_id")
    region_name: str = Field(description=NAME_DOC)
    provenance: str = Field(description=PROVENANCE_DOC)
    year: int
    pack: str
    pack_version: str
    index: float
    index_raw: str
    mean: float | None
    dimensions: dict[str, float | None]
    dimensions_raw: dict[str, str | None] = Field(description="Skor dimensi tanpa pembulatan (asal indeks) / "
                                                              "unrounded dimension scores the index comes from")
    pillars: dict[str, float | None]
    predicate: str | None = predicate_field()
    predicate_status: str = predicate_status_field()
    previous_index: float | None
    improvement: float | None
    rank: int | None
    is_published: bool


def _result(r: Result) -> dict[str, Any]:
    return {
        "region_id": r.region_id, "region_name": r.display_name, "provenance": r.provenance,
        "year": r.cycle.year, "pack": r.pack_code,
        "pack_version": r.pack_version, "index": float(r.index), "index_raw": r.index_raw,
        "mean": float(r.mean) if r.mean is not None else None, "dimensions": r.dimensions,
        "dimensions_raw": r.dimensions_raw or {}, "pillars": r.pillars,
        "predicate": r.published_predicate.label, "predicate_status": r.published_predicate.status,
        "previous_index": float(r.previous_index) if r.previous_index is not None else None,
        "improvement": float(r.improvement) if r.improvement is not None else None, "rank": r.rank,
        "is_published": r.is_published,
    }


class ResultFilter(Schema):
    region: str | None = None
    year: int | None = Field(None, ge=2018, le=2100)
    province: str | None = Field(None, pattern=r"^\d{2}$")


@router.get("/results", response=list[ResultOut], auth=optional_auth, summary="Hasil evaluasi")
@paginate(Page)
def list_results(request: HttpRequest, filters: Query[ResultFilter]):  # type: ignore[no-untyped-def]
    qs = queries.visible_results(request.user).defer("trace").order_by("cycle__year", "rank", "region_id")
    qs = result_filters.results(qs, filters.model_dump(exclude_none=True))  # evaluations.filters.ResultFilterSet
    return [_result(r) for r in qs]


class RankingRow(Schema):
    rank: int | None
    region: str
    region_name: str = Field(description=NAME_DOC)
    provenance: str = Field(description=PROVENANCE_DOC)
    province: str
    index: float
    predicate: str | None = predicate_field()
    predicate_status: str = predicate_status_field()
    improvement: float | None


@router.get("/ranking", response=list[RankingRow], summary="Peringkat nasional (hasil terbit)")
def ranking(request: HttpRequest, year: int = Query(..., ge=2018, le=2100),  # type: ignore[no-untyped-def]
            province: str | None = Query(None, pattern=r"^\d{2}$"), region_class: RegionClass | None = None):
    qs = (Result.objects.filter(cycle__year=year, is_published=True).select_related("region")
          .defer("trace").order_by("rank", "region_id"))
    # the same FilterSet as the web ranking and the national dashboard (evaluations.national)
    qs = readmodels.ranking(qs, {"province": province or "", "region_class": region_class or ""})
    return [{"rank": r.rank, "region": r.region_id, "region_name": r.display_name, "provenance": r.provenance,
             "province": r.region_id.split(".")[0], "index": float(r.index),
             "predicate": r.published_predicate.label, "predicate_status": r.published_predicate.status,
             "improvement": float(r.improvement) if r.improvement is not None else None} for r in qs]


class AnswerOut(Schema):
    indicator: str
    level: int | None
    justification: str
    version: int


class EvidenceOut(Schema):
    id: int
    indicator: str
    kind: EvidenceKind
    original_name: str
    content_type: str
    size: int
    sha256: str
    url: str


class SubmissionOut(Schema):
    id: int
    region: str
    year: int
    stage: Stage
    status: SubmissionStatus
    version: int
    completeness: str
    answered: int
    total: int
    with_evidence: int
    answers: list[AnswerOut]
    evidence: list[EvidenceOut]
    forecast_index: float | None
    actions: list[T.Action] = Field(description="langkah alur kerja yang boleh Anda ambil sekarang, menurut "
                                                       "tabel transisi / the workflow steps you may take now")


def _submission_for(request: HttpRequest, submission_id: int) -> Submission:
    sub = Submission.objects.select_related("cycle", "region").filter(pk=submission_id).first()
    if sub is None or not perms.can_view_submission.test(request.user, sub):
        raise not_found("Pengajuan", str(submission_id))
    return sub


class SubmissionRow(Schema):
    id: int
    region: str
    year: int
    stage: Stage
    status: SubmissionStatus


@router.get("/submissions", response=list[SubmissionRow], auth=authenticated,
            summary="Pengajuan yang boleh Anda lihat")
def list_submissions(request: HttpRequest, year: int | None = None, region: str | None = None):  # type: ignore[no-untyped-def]
    qs = Submission.objects.select_related("cycle").order_by("-cycle__year", "region_id", "stage")
    qs = result_filters.submissions(qs, {"year": year or "", "region": region or ""})  # evaluations.filters
    return [{"id": s.id, "region": s.region_id, "year": s.cycle.year, "stage": s.stage, "status": s.status}
            for s in qs[:2000] if perms.can_view_submission.test(request.user, s)]


@router.get("/submissions/{submission_id}", response=SubmissionOut, auth=authenticated, summary="Satu pengajuan")
def get_submission(request: HttpRequest, submission_id: int):  # type: ignore[no-untyped-def]
    sub = _submission_for(request, submission_id)
    comp = queries.completeness(sub)
    forecast = queries.readiness_forecast(sub)
    return {
        "id": sub.id, "region": sub.region_id, "year": sub.cycle.year, "stage": sub.stage, "status": sub.status,
        "version": sub.version, "completeness": comp.label, "answered": comp.answered, "total": comp.total,
        "with_evidence": comp.with_evidence, "answers": list(sub.answers.filter(archived_at__isnull=True).order_by("indicator")),
        "evidence": list(sub.evidence.filter(archived_at__isnull=True).order_by("indicator", "id")),
        "forecast_index": float(forecast.index), "actions": T.available(request.user, sub),
    }


VERSION_HELP = ("versi yang Anda lihat; wajib bila sudah ada nilai tersimpan (tanpa versi: 428, versi lama: 409, "
                "keduanya dengan nilai sekarang). Bisa juga lewat header If-Match: \"<versi>\"")


class AnswerIn(Schema):
    level: int | None
    justification: str = ""
    expected_version: int | None = Field(None, ge=0, le=2**31, description=VERSION_HELP)
    programme: str | None = Field(None, description="kode program terkait")


@router.put("/submissions/{submission_id}/answers/{indicator}", response=AnswerOut, auth=authenticated,
            summary="Isi/ubah jawaban satu indikator")
def put_answer(request: AuthenticatedHttpRequest, submission_id: int, indicator: str, body: AnswerIn):  # type: ignore[no-untyped-def]
    sub = _submission_for(request, submission_id)
    programme = None
    if body.programme:
        programme = Programme.objects.filter(region_id=sub.region_id, code=body.programme).first()
        if programme is None:
            raise invalid("programme", f"Program {body.programme!r} tidak ada di wilayah ini")

    def current() -> dict[str, Any] | None:
        a = sub.answers.filter(indicator=indicator).first()
        return None if a is None else {"indicator": a.indicator, "level": a.level, "justification": a.justification,
                                       "version": a.version}

    return versioned_write(request, body.expected_version, current, lambda expected: actions.do_save_answer(
        request.user, sub, indicator, body.level, body.justification, expected_version=expected,
        programme=programme))


class LinkIn(Schema):
    url: str
    kind: Literal["link", "video"] = "link"
    duration_seconds: int | None = None
    description: str = ""
    programme: str | None = Field(None, description="kode program terkait (wajib bagi operator unit: program unitnya)")


def _evidence_programme(sub: Submission, code: str | None) -> Programme | None:
    if not code:
        return None
    programme = Programme.objects.filter(region_id=sub.region_id, code=code).first()
    if programme is None:
        raise invalid("programme", f"Program {code!r} tidak ada di wilayah ini")
    return programme


@router.post("/submissions/{submission_id}/evidence/{indicator}", response={201: EvidenceOut}, auth=authenticated,
             summary="Unggah berkas bukti dukung (≤ 10 MB; PDF, gambar, dokumen Office)")
def upload_evidence(request: AuthenticatedHttpRequest, submission_id: int, indicator: str, file: File[UploadedFile],  # type: ignore[no-untyped-def]
                    description: Form[str] = "", programme: Form[str] = ""):
    sub = _submission_for(request, submission_id)
    target = _evidence_programme(sub, programme)
    data = file.read(int(request.META.get("CONTENT_LENGTH") or 0) + 1)
    return 201, actions.do_add_evidence_file(request.user, sub, indicator, data, file.name or "", description,
                                             programme=target)


@router.post("/submissions/{submission_id}/links/{indicator}", response={201: EvidenceOut}, auth=authenticated,
             summary="Tambah tautan bukti dukung (aplikasi, video ≤ 3 menit)")
def add_link(request: AuthenticatedHttpRequest, submission_id: int, indicator: str, body: LinkIn):  # type: ignore[no-untyped-def]
    sub = _submission_for(request, submission_id)
    return 201, actions.do_add_evidence_link(request.user, sub, indicator, body.url, kind=body.kind,
                                             duration_seconds=body.duration_seconds, description=body.description,
                                             programme=_evidence_programme(sub, body.programme))


@router.get("/evidence/{evidence_id}/download", auth=authenticated, summary="Unduh berkas bukti dukung")
def download_evidence(request: HttpRequest, evidence_id: int):  # type: ignore[no-untyped-def]
    ev = Evidence.objects.select_related("submission__cycle").filter(pk=evidence_id, kind="file").first()
    if ev is None or not perms.can_view_submission.test(request.user, ev.submission):
        raise not_found("Bukti dukung", str(evidence_id))
    from kotacerdas.accounts.actions import record_event

    record_event(request.user, "evaluations.download_evidence", ev, region_code=ev.submission.region_id)
    response = FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.original_name or "bukti",
                            content_type=ev.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


class TransitionIn(Schema):
    reason: str = ""
    notes: dict[str, str] = {}


class StatusOut(Schema):
    id: int
    status: SubmissionStatus
    version: int


_REFUSALS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# One route per step of the transition table that moves one submission (publish is per cycle and reopen
# a national-administration route, both in api/national.py); the statuses and roles are the table's.
TRANSITIONS = {
    "submit": ("Kirim pengajuan (koordinator daerah)", lambda u, s, b: actions.do_submit(u, s, b.reason)),
    "return": ("Kembalikan dengan catatan per indikator (admin nasional, ketua panel)",
               lambda u, s, b: actions.do_return(u, s, b.notes, b.reason)),
    "start_assessment": ("Mulai penilaian (admin nasional, ketua panel)",
                         lambda u, s, b: actions.do_start_assessment(u, s, b.reason)),
    "conclude": ("Tutup penilaian dan hitung hasil (admin nasional, ketua panel)",
                 lambda u, s, b: actions.do_conclude(u, s, b.reason)),
    "finalise": ("Finalkan hasil (admin nasional)", lambda u, s, b: actions.do_finalise(u, s, b.reason)),
}
assert set(TRANSITIONS) == set(T.TRANSITIONS) - {"publish", "reopen"}, "API routes follow the transition table"


def _transition_route(name: str, summary: str, call: Any) -> None:
    # One route per transition (not one "/{transition}" pattern, which answered every other POST under
    # /submissions/{id}/ — /feedback included — with 404 "unknown transition").
    def handler(request: HttpRequest, submission_id: int, body: TransitionIn):  # type: ignore[no-untyped-def]
        return call(request.user, _submission_for(request, submission_id), body)

    handler.__name__ = "transition_" + name.replace("-", "_")
    router.post(f"/submissions/{{submission_id}}/{name.replace('_', '-')}", response={200: StatusOut, **_REFUSALS},
                auth=authenticated, summary=summary, operation_id=handler.__name__)(handler)


for _name, (_summary, _call) in TRANSITIONS.items():
    _transition_route(_name, _summary, _call)


class ScoreIn(Schema):
    level: int
    note: str = ""
    expected_version: int | None = Field(None, ge=0, le=2**31, description=VERSION_HELP)


class ScoreOut(Schema):
    indicator: str
    level: int
    note: str
    version: int


@router.put("/submissions/{submission_id}/scores/{indicator}", response=ScoreOut, auth=authenticated,
            summary="Skor asesor untuk satu indikator")
def put_score(request: AuthenticatedHttpRequest, submission_id: int, indicator: str, body: ScoreIn):  # type: ignore[no-untyped-def]
    sub = _submission_for(request, submission_id)
    from kotacerdas.evaluations.models import AssessmentScore

    def current() -> dict[str, Any] | None:
        s = AssessmentScore.objects.filter(assessment__submission=sub, assessment__assessor_id=request.user.pk,
                                           indicator=indicator).first()
        return None if s is None else {"indicator": s.indicator, "level": s.level, "note": s.note,
                                       "version": s.version}

    return versioned_write(request, body.expected_version, current, lambda expected: actions.do_score(
        request.user, sub, indicator, body.level, body.note, expected_version=expected))


class FeedbackIn(Schema):
    programme: str
    strengths: str = ""
    weaknesses: str = ""
    recommendation: str = ""


class FeedbackOut(Schema):
    id: int
    programme: str
    strengths: str
    weaknesses: str
    recommendation: str


@router.post("/submissions/{submission_id}/feedback", response={201: FeedbackOut}, auth=authenticated,
             summary="Umpan balik per program: kekuatan, kelemahan, rekomendasi")
def post_feedback(request: AuthenticatedHttpRequest, submission_id: int, body: FeedbackIn):  # type: ignore[no-untyped-def]
    sub = _submission_for(request, submission_id)
    programme = get_object_or_404(Programme, region_id=sub.region_id, code=body.programme)
    fb = actions.do_feedback(request.user, sub, programme, strengths=body.strengths, weaknesses=body.weaknesses,
                             recommendation=body.recommendation)
    return 201, {"id": fb.id, "programme": programme.code, "strengths": fb.strengths, "weaknesses": fb.weaknesses,
                 "recommendation": fb.recommendation}


class CompleteOut(Schema):
    id: int
    status: str
    completed_at: Any


@router.post("/submissions/{submission_id}/assessment/complete", response={200: CompleteOut, **_REFUSALS},
             auth=authenticated, summary="Tandai penilaian asesor selesai (semua indikator dinilai)")
def complete_assessment(request: AuthenticatedHttpRequest, submission_id: int):  # type: ignore[no-untyped-def]
    a = actions.do_complete_assessment(request.user, _submission_for(request, submission_id))
    return {"id": a.pk, "status": a.status, "completed_at": a.completed_at}


class ConsensusIn(Schema):
    levels: dict[str, int] = Field(description="indikator -> tingkat yang disepakati panel", max_length=500)
    note: str = Field("", max_length=2000)
    expected_version: int | None = Field(
        None, description="versi konsensus yang Anda lihat (atau header If-Match); wajib bila sudah ada konsensus")


class ChangedOut(Schema):
    changed: int


class ConsensusChangedOut(ChangedOut):
    version: int = Field(description="versi konsensus setelah perubahan (untuk expected_version berikutnya)")


@router.put("/submissions/{submission_id}/consensus", response={200: ConsensusChangedOut, **_REFUSALS},
            auth=authenticated, summary="Skor konsensus panel (ketua panel, dalam jendela penilaian)")
def put_consensus(request: AuthenticatedHttpRequest, submission_id: int, body: ConsensusIn):  # type: ignore[no-untyped-def]
    sub = _submission_for(request, submission_id)

    def current() -> dict[str, Any] | None:
        levels = queries.consensus_levels(sub)
        return {"version": queries.consensus_version(sub), "levels": levels} if levels else None

    changed = versioned_write(request, body.expected_version, current, lambda expected: actions.do_set_consensus(
        request.user, sub, body.levels, body.note, expected_version=expected))
    return {"changed": changed, "version": queries.consensus_version(sub)}
