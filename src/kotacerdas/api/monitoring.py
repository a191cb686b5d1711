import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.models import JobStatus
from kotacerdas.monitoring import actions, queries
from kotacerdas.monitoring import filters as value_filters
from kotacerdas.monitoring import rules as perms
from kotacerdas.monitoring.choices import (
    Aggregation,
    AreaLevel,
    Direction,
    Frequency,
    IngestKind,
    KpiSource,
    KpiUnit,
)
from kotacerdas.monitoring.models import IngestJob, Kpi
from kotacerdas.regions.models import Region

from .auth import authenticated, optional_auth
from .errors import ApiError, invalid, not_found
from .schemas import ErrorOut
from .versions import versioned_write

router = Router(tags=["pemantauan"])

MAX_PUSH_VALUES = 50_000
MAX_PUSH_EVENTS = 100_000


def _programme(request: HttpRequest, programme_id: int, *, edit: bool = False) -> Programme:
    prog = Programme.objects.active().select_related("region", "owner").filter(pk=programme_id).first()
    if prog is None:
        raise not_found("Program", str(programme_id))
    if edit:
        if not perms.can_edit_kpis.test(request.user, prog):
            raise ApiError(403, "Anda tidak berhak mengubah KPI program ini", "forbidden")
    elif not perms.can_view_monitoring.test(request.user, prog):
        raise ApiError(403, "Data pemantauan program ini belum diterbitkan untuk publik", "forbidden")
    return prog


def _kpi(request: HttpRequest, kpi_id: int, *, edit: bool = False) -> Kpi:
    kpi = Kpi.objects.select_related("programme__region", "programme__owner").filter(pk=kpi_id).first()
    if kpi is None or kpi.programme.archived_at is not None:
        raise not_found("KPI", str(kpi_id))
    _programme(request, kpi.programme_id, edit=edit)
    return kpi


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code, level="kabkota").first()
    if region is None:
        raise not_found("Kabupaten/kota", code)
    return region


# --- reach ------------------------------------------------------------------------------------------

class KecamatanReachOut(Schema):
    code: str
    name: str
    transactions: int
    users: int
    population: int | None
    population_is_estimate: bool
    users_per_1000: float | None
    lagging: bool


class ReachOut(Schema):
    programme_id: int
    programme_code: str
    programme_title: str
    region: str
    year: int
    backend: str
    has_data: bool
    transactions: int
    users: int = Field(description="Warga berbeda yang dilayani di kabupaten (seorang warga dihitung sekali)")
    kecamatan_served: int
    gini: float | None = Field(description="Gini pengguna per 1.000 penduduk antarkecamatan (0 = merata)")
    median_users_per_1000: float | None
    lagging_rule: str
    lagging: list[str]
    population_is_estimate: bool
    kecamatan: list[KecamatanReachOut]


class ReachQuery(Schema):
    year: int = Field(..., ge=2015, le=2100, description="Tahun, mis. 2024")


@router.get("/programmes/{programme_id}/reach", response=ReachOut, auth=optional_auth,
            summary="Jangkauan program per kecamatan dan Gini (publik bila diterbitkan)")
def programme_reach(request: HttpRequest, programme_id: int, params: Query[ReachQuery]):  # type: ignore[no-untyped-def]
    prog = _programme(request, programme_id)
    return queries.reach_by_kecamatan(prog, params.year).as_dict()


# --- KPI definitions --------------------------------------------------------------------------------

class KpiOut(Schema):
    id: int
    programme: int = Field(validation_alias="programme_id")
    code: str
    name: str
    description: str
    unit: KpiUnit
    direction: Direction
    target: float | None
    source: KpiSource
    source_detail: str
    frequency: Frequency
    aggregation: Aggregation
    area_level: AreaLevel
    evidence_for: str
    archived: bool
    version: int = Field(description="versi definisi KPI, untuk expected_version / If-Match pada PATCH")


def _kpi_out(k: Kpi) -> dict[str, Any]:
    return {"id": k.pk, "programme_id": k.programme_id, "code": k.code, "name": k.name,
            "description": k.description, "unit": k.unit, "direction": k.direction,
            "target": float(k.target) if k.target is not None else None, "source": k.source,
            "source_detail": k.source_detail, "frequency": k.frequency, "aggregation": k.aggregation,
            "area_level": k.area_level, "evidence_for": k.evidence_for, "archived": k.archived_at is not None,
            "version": k.version}


class KpiIn(Schema):
    code: str = Field(..., max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., max_length=200)
    description: str = ""
    unit: str
    direction: str = "higher"
    target: Decimal | None = None
    source: str = "manual"
    source_detail: str = ""
    frequency: str = "monthly"
    aggregation: str = "sum"
    area_level: str = "region"
    evidence_for: str = ""


class KpiPatch(Schema):
    expected_version: int | None = Field(None, ge=1, le=2**31, description=(
        "versi KPI yang Anda lihat, wajib (di sini atau header If-Match: \"<versi>\"); tanpa versi: 428, versi "
        "lama: 409, keduanya dengan definisi sekarang / the version you saw, required (body or If-Match): "
        "without it 428, stale 409, both with the current definition"))
    name: str | None = None
    description: str | None = None
    unit: str | None = None
    direction: str | None = None
    target: Decimal | None = None
    source: str | None = None
    source_detail: str | None = None
    frequency: str | None = None
    aggregation: str | None = None
    area_level: str | None = None
    evidence_for: str | None = None


@router.get("/programmes/{programme_id}/kpis", response=list[KpiOut], auth=optional_auth,
            summary="KPI sebuah program")
def list_kpis(request: HttpRequest, programme_id: int):  # type: ignore[no-untyped-def]
    prog = _programme(request, programme_id)
    return [_kpi_out(k) for k in Kpi.objects.active().filter(programme=prog).order_by("order", "code")]


@router.post("/programmes/{programme_id}/kpis", response={201: KpiOut}, auth=authenticated,
             summary="Tambah KPI (operator unit pemilik, koordinator wilayah, admin)")
def create_kpi(request: AuthenticatedHttpRequest, programme_id: int, body: KpiIn):  # type: ignore[no-untyped-def]
    prog = _programme(request, programme_id, edit=True)
    kpi = actions.do_create_kpi(request.user, prog, **body.dict())
    return 201, _kpi_out(kpi)


@router.patch("/kpis/{kpi_id}", response=KpiOut, auth=authenticated,
              summary="Ubah definisi KPI (perlu versi yang Anda lihat: expected_version atau If-Match)")
def update_kpi(request: AuthenticatedHttpRequest, kpi_id: int, body: KpiPatch):  # type: ignore[no-untyped-def]
    kpi = _kpi(request, kpi_id, edit=True)
    changes = body.dict(exclude_unset=True)
    changes.pop("expected_version", None)
    if "target" not in changes:
        changes = {k: v for k, v in changes.items() if v is not None}

    def current() -> dict[str, Any]:
        return _kpi_out(Kpi.objects.get(pk=kpi.pk))

    return _kpi_out(versioned_write(request, body.expected_version, current, lambda expected: actions.do_update_kpi(
        request.user, kpi, expected_version=expected, **changes)))


class SeriesOut(Schema):
    kpi_id: int
    code: str
    name: str
    unit: str
    direction: str
    frequency: str
    evidence_for: str
    points: list[dict[str, Any]]
    latest_period: str | None
    latest_value: float | None
    latest_target: float | None
    attainment: float | None
    met: bool | None


@router.get("/programmes/{programme_id}/kpi-series", response=list[SeriesOut], auth=optional_auth,
            summary="Deret bulanan KPI tingkat kabupaten (untuk sparkline)")
def kpi_series(request: HttpRequest, programme_id: int):  # type: ignore[no-untyped-def]
    prog = _programme(request, programme_id)
    return [s.as_dict() for s in queries.kpi_series(prog)]


# --- KPI values -------------------------------------------------------------------------------------

class ValueOut(Schema):
    period: dt.date
    area: str
    value: float
    target: float | None
    source: str
    updated_at: dt.datetime


class ValueQuery(Schema):
    year: int | None = Field(None, ge=2015, le=2100)
    area: str | None = Field(None, max_length=13, description="Kode wilayah (kabupaten, kecamatan, desa)")


@router.get("/kpis/{kpi_id}/values", response=list[ValueOut], auth=optional_auth, summary="Nilai KPI per periode")
def list_values(request: HttpRequest, kpi_id: int, params: Query[ValueQuery]):  # type: ignore[no-untyped-def]
    kpi = _kpi(request, kpi_id)
    return [{"period": v.period, "area": v.area_id, "value": float(v.value),
             "target": float(v.target) if v.target is not None else None, "source": v.source,
             "updated_at": v.updated_at} for v in value_filters.kpi_values(queries.kpi_values(kpi), params.model_dump(exclude_none=True))]


class ValueIn(Schema):
    period: str | int = Field(..., description="2024-03, 2024-Q1 atau 2024 sesuai frekuensi KPI")
    region: str | None = Field(None, description="Kode wilayah; kosong = seluruh kabupaten/kota")
    value: Decimal | str | float | int
    target: Decimal | str | float | int | None = None


class ValuesIn(Schema):
    values: list[ValueIn] = Field(..., max_length=MAX_PUSH_VALUES)


class RegionValueIn(ValueIn):
    programme: str = Field(..., description="Kode program, mis. jam-kunci")
    kpi: str = Field(..., description="Kode KPI, mis. dokumen-terbit")


class RegionValuesIn(Schema):
    values: list[RegionValueIn] = Field(..., max_length=MAX_PUSH_VALUES)


class RowErrorOut(Schema):
    row: int
    column: str
    code: str
    message: str


class IngestStatusOut(enum.StrEnum):
    """An import's status: its background job's (queued, running, done, failed), or draft (an upload
    waiting for its column mapping: not a job yet)."""

    DRAFT = "draft"
    QUEUED = JobStatus.QUEUED.value
    RUNNING = JobStatus.RUNNING.value
    DONE = JobStatus.DONE.value
    FAILED = JobStatus.FAILED.value


class JobOut(Schema):
    id: int
    kind: IngestKind
    status: IngestStatusOut = Field(..., description="queued, running, done, failed; draft = not a job yet")
    phase: str = Field(..., description="What the running job is doing (its progress message); empty otherwise")
    progress: int
    processed_rows: int
    total_rows: int
    created: int
    updated: int
    unchanged: int
    error_count: int
    errors: list[RowErrorOut]
    message: str
    report: dict[str, Any]
    created_at: dt.datetime
    finished_at: dt.datetime | None


class RejectedOut(ErrorOut):
    """A refused push or import: the shared error shape, with the import job and its row errors when the
    refusal came from checking the rows (a malformed request has no job)."""

    job: JobOut | None = None


def _job_out(job: IngestJob) -> dict[str, Any]:
    with translation.override("id"):  # the API gives the stored (Indonesian) text, running or finished
        live = queries.ingest_progress(job)
    running = live["status"] == JobStatus.RUNNING
    return {"id": job.pk, "kind": job.kind, "status": live["status"], "phase": live["message"] if running else "",
            "progress": live["percent"], "processed_rows": job.processed_rows, "total_rows": job.total_rows,
            "created": job.created_count, "updated": job.updated_count, "unchanged": job.unchanged_count,
            "error_count": job.error_count, "errors": job.errors, "message": job.message if job.finished else live["message"],
            "report": job.report, "created_at": job.created_at, "finished_at": job.finished_at}


def _pushed(job: IngestJob) -> tuple[int, dict[str, Any]]:
    if job.status == JobStatus.DONE:
        return 201, _job_out(job)
    return 422, {"detail": job.message, "code": "invalid", "job": _job_out(job)}


@router.post("/kpis/{kpi_id}/values", response={201: JobOut, 422: RejectedOut}, auth=authenticated,
             summary="Kirim nilai satu KPI (sistem lain; token dengan cakupan write). Semua atau tidak sama sekali")
def push_values(request: AuthenticatedHttpRequest, kpi_id: int, body: ValuesIn):  # type: ignore[no-untyped-def]
    kpi = _kpi(request, kpi_id, edit=True)
    rows = [{**v.dict(), "kpi": kpi.code} for v in body.values]
    return _pushed(actions.do_push_kpi_values(request.user, kpi.programme.region, rows, programme=kpi.programme))


@router.post("/regions/{code}/kpi-values", response={201: JobOut, 422: RejectedOut}, auth=authenticated,
             summary="Kirim nilai beberapa KPI sekaligus (kunci alami: KPI, periode, wilayah)")
def push_region_values(request: AuthenticatedHttpRequest, code: str, body: RegionValuesIn):  # type: ignore[no-untyped-def]
    region = _region(code)
    return _pushed(actions.do_push_kpi_values(request.user, region, [v.dict() for v in body.values]))


@router.post("/regions/{code}/kpi-values/upload", response={201: JobOut, 202: JobOut, 422: RejectedOut},
             auth=authenticated,
             summary="Unggah CSV/Excel nilai KPI; berkas besar diproses di latar (pantau /ingest-jobs/{id})")
def upload_values(request: AuthenticatedHttpRequest, code: str, file: File[UploadedFile], programme: Form[str] = "",  # type: ignore[no-untyped-def]
                  encoding: Form[str] = "", year: Form[int | None] = None, mapping: Form[str] = "",
                  decimal: Form[str] = ""):
    import json

    region = _region(code)
    prog = None
    if programme:
        try:
            prog = queries.resolve_programme(programme, region=region.code)
        except (Programme.DoesNotExist, Programme.MultipleObjectsReturned):
            raise invalid("programme", f"Program {programme!r} tidak ditemukan di {region.code}") from None
    try:
        colmap = json.loads(mapping) if mapping else {}
        if not isinstance(colmap, dict):
            raise ValueError
    except ValueError:
        raise invalid("mapping", 'Pemetaan kolom harus JSON, mis. {"kpi": "Indikator", "value": "Nilai"}') \
            from None
    job = actions.do_start_kpi_import(request.user, region=region, upload=file, name=file.name or "upload.csv",
                                      programme=prog, mapping=colmap, encoding=encoding, decimal=decimal, year=year)
    if not job.finished:
        return 202, _job_out(job)
    return _pushed(job)


@router.get("/ingest-jobs/{job_id}", response=JobOut, auth=authenticated, summary="Kemajuan dan laporan impor")
def ingest_job(request: HttpRequest, job_id: int):  # type: ignore[no-untyped-def]
    job = IngestJob.objects.select_related("job", "region").filter(pk=job_id).first()
    if job is None or not queries.can_see_job(request.user, job):
        raise not_found("Impor", str(job_id))
    return _job_out(job)


# --- raw service events -----------------------------------------------------------------------------

class EventIn(Schema):
    ts: str = Field(..., description="Waktu transaksi ISO 8601; tanpa zona = WIB")
    programme: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    channel: str | None = Field(None, description="loket, online, mobile, jemput_bola")
    citizen: str | None = Field(None, description="Kunci anonim (hash bergaram), JANGAN NIK")


class EventsIn(Schema):
    events: list[EventIn] = Field(..., max_length=MAX_PUSH_EVENTS)


@router.post("/regions/{code}/events", response={201: JobOut, 422: RejectedOut}, auth=authenticated,
             summary="Kirim transaksi layanan mentah; baris tak sah dikarantina dengan alasannya, tidak dibuang")
def push_events(request: AuthenticatedHttpRequest, code: str, body: EventsIn):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    region = _region(code)
    cols = ("ts", "programme", "kecamatan", "desa", "channel", "citizen")
    rows = [e.dict() for e in body.events]
    table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in cols})
    job = actions.do_append_events(request.user, region, table, source_name="API")
    return _pushed(job)


# --- evidence for the evaluation --------------------------------------------------------------------

class EvidenceQuery(Schema):
    year: int = Field(..., ge=2016, le=2100)


@router.get("/regions/{code}/improvement-evidence", response=list[dict[str, Any]], auth=optional_auth,
            summary="Bukti perbaikan objektif (KPI Outcome/Impact): tahun ini vs tahun lalu pada bulan yang sama")
def improvement_evidence(request: HttpRequest, code: str, params: Query[EvidenceQuery]):  # type: ignore[no-untyped-def]
    region = _region(code)
    rows = queries.improvement_evidence(region.code, params.year)
    progs = {p.code: p for p in Programme.objects.filter(region=region)}
    return [r for r in rows if perms.can_view_monitoring.test(request.user, progs[r["programme"]])]
