from datetime import datetime
from enum import StrEnum

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from kotacerdas.accounts import roles
from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.core.models import JobStatus
from kotacerdas.evaluations import queries
from kotacerdas.evaluations import rules as perms
from kotacerdas.evaluations.models import Cycle, Submission
from kotacerdas.regions.models import Region
from kotacerdas.reports import actions, xlsx
from kotacerdas.reports.models import ReportJob
from kotacerdas.reports.rules import can_report_region

from .auth import authenticated
from .errors import ApiError, invalid, not_found
from .schemas import ErrorOut

router = Router(tags=["laporan"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Format(StrEnum):
    pdf = "pdf"
    xlsx = "xlsx"


class Language(StrEnum):
    id = "id"
    en = "en"


class ReportIn(Schema):
    region: str = Field(description="kode kabupaten/kota, mis. 16.07", max_length=13)
    year: int = Field(ge=2018, le=2100)
    format: Format = Format.pdf
    language: Language = Language.id


class ReportOut(Schema):
    id: int
    region: str
    year: int
    format: Format
    language: Language
    status: JobStatus = Field(description="status pekerjaan latar (core.Job): queued, running, done, failed")
    percent: int
    step: str
    error: str
    size: int
    pages: int | None
    sha256: str
    created_at: datetime
    download_url: str | None


def _out(job: ReportJob) -> dict:  # type: ignore[type-arg]
    state = job.state()
    done = state["status"] == "done"
    return {"id": job.pk, "region": job.region_id, "year": job.cycle.year, "format": job.format,
            "language": job.language, "status": state["status"], "percent": state["percent"] or 0,
            "step": state["step"] or "", "error": state["error"] or "", "size": job.size, "pages": job.pages,
            "sha256": job.sha256, "created_at": job.created_at,
            "download_url": f"/api/v1/reports/{job.pk}/download" if done else None}


def _cycle(year: int) -> Cycle:
    cycle = queries.year_cycle(year)
    if cycle is None:
        raise not_found("Siklus", str(year))
    return cycle


@router.post("/reports", response={202: ReportOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             auth=authenticated, summary="Minta laporan (PDF/Excel) dibuat di latar belakang")
def request_report(request: AuthenticatedHttpRequest, body: ReportIn):  # type: ignore[no-untyped-def]
    region = Region.objects.filter(code=body.region).first()
    if region is None:
        raise not_found("Wilayah", body.region)
    job = actions.do_request_report(request.user, region, _cycle(body.year), body.format.value,
                                    body.language.value)
    return 202, _out(job)


def _job_for(request: HttpRequest, job_id: int) -> ReportJob:
    job = ReportJob.objects.select_related("cycle", "region", "job").filter(pk=job_id).first()
    if job is None or not (job.requested_by_id == request.user.pk or roles.is_national_admin(request.user)
                           or can_report_region.test(request.user, job.region)):
        raise not_found("Laporan", str(job_id))
    return job


@router.get("/reports/{job_id}", response={200: ReportOut, 404: ErrorOut}, auth=authenticated,
            summary="Status dan kemajuan pembuatan laporan")
def get_report(request: HttpRequest, job_id: int):  # type: ignore[no-untyped-def]
    return _out(_job_for(request, job_id))


@router.get("/reports/{job_id}/download", response={200: None, 404: ErrorOut, 409: ErrorOut}, auth=authenticated,
            summary="Unduh berkas laporan yang sudah selesai")
def download_report(request: HttpRequest, job_id: int):  # type: ignore[no-untyped-def]
    job = _job_for(request, job_id)
    if job.status != JobStatus.DONE or not job.file:
        raise ApiError(409, "Laporan belum selesai dibuat", "not_ready")
    with job.file.open("rb") as fh:
        data = fh.read()
    ctype = "application/pdf" if job.format == "pdf" else XLSX
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/exports/ranking.xlsx", response={200: None, 404: ErrorOut},
            summary="Peringkat nasional (hasil terbit) sebagai Excel")
def export_ranking(request: HttpRequest, year: int = Query(..., ge=2018, le=2100)):  # type: ignore[no-untyped-def]
    return _xlsx(xlsx.export_ranking(_cycle(year)), f"peringkat-nasional-{year}.xlsx")


@router.get("/exports/raw.xlsx", response={200: None, 403: ErrorOut, 404: ErrorOut}, auth=authenticated,
            summary="Data mentah satu siklus (admin nasional)")
def export_raw(request: HttpRequest, year: int = Query(..., ge=2018, le=2100)):  # type: ignore[no-untyped-def]
    if not roles.is_national_admin(request.user):
        raise ApiError(403, "Hanya admin nasional yang mengekspor data mentah", "forbidden")
    return _xlsx(xlsx.export_raw(_cycle(year)), f"data-mentah-{year}.xlsx")


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    sub = Submission.objects.select_related("cycle", "region").filter(pk=submission_id).first()
    if sub is None or not perms.can_view_submission.test(request.user, sub):
        raise not_found("Pengajuan", str(submission_id))
    return sub


@router.get("/worksheets/{submission_id}.xlsx", response={200: None, 404: ErrorOut},
            auth=authenticated, summary="Lembar kerja evaluasi (Excel) satu pengajuan")
def worksheet(request: HttpRequest, submission_id: int):  # type: ignore[no-untyped-def]
    sub = _submission(request, submission_id)
    return _xlsx(xlsx.export_worksheet(sub), f"lembar-kerja-{sub.region_id}-{sub.cycle.year}.xlsx")


class RowErrorOut(Schema):
    sheet: str
    row: int
    column: str
    message: str


class ImportOut(Schema):
    ok: bool
    rows: int
    changed: int
    unchanged: int
    links_added: int
    errors: list[RowErrorOut]


class ImportRejectedOut(ErrorOut):
    """A refused worksheet: the shared error shape; `errors` names sheet, row and column of each problem."""

    ok: bool = False
    rows: int | None = None
    changed: int | None = None
    unchanged: int | None = None
    links_added: int | None = None


@router.post("/worksheets/{submission_id}", response={200: ImportOut, 404: ErrorOut, 422: ImportRejectedOut},
             auth=authenticated, exclude_none=True, summary="Impor lembar kerja (semua-atau-tidak; galat per lembar/baris/kolom)")
def import_worksheet(request: AuthenticatedHttpRequest, submission_id: int, file: File[UploadedFile],  # type: ignore[no-untyped-def]
                     dry_run: bool = False):
    sub = _submission(request, submission_id)
    if not perms.can_edit_answers.test(request.user, sub):
        raise ApiError(403, "Hanya koordinator daerah yang mengisi jawaban", "forbidden")
    if (file.size or 0) > 5 * 1024 * 1024:
        raise invalid("file", "Lembar kerja paling besar 5 MB")
    try:
        report = xlsx.import_worksheet(request.user, sub, file.read(), dry_run=dry_run)
    except xlsx.ImportFailed as exc:
        refused = exc.report.to_dict()
        return 422, {"detail": f"Lembar kerja ditolak: {len(refused.get('errors', []))} galat; tidak ada yang disimpan",
                     "code": "invalid", **refused}
    return 200, report.to_dict()


@router.get("/regions/{code}/reports", response={200: list[ReportOut], 404: ErrorOut}, auth=authenticated,
            summary="Laporan yang pernah dibuat untuk wilayah ini")
def region_reports(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    region = Region.objects.filter(code=code).first()
    if region is None or not can_report_region.test(request.user, region):
        raise not_found("Wilayah", code)
    return [_out(j) for j in ReportJob.objects.filter(region=region).select_related("cycle", "job")[:50]]
