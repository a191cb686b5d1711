"""National administration over the API: people, cycles, participants, panels and assignments, the
Tahap II schedule, progress and reminders, reopening, publishing and corrections. Every route calls the
same `do_*` action as the web pages (same permission rules, same audit events); refusals use the one
error shape of errors.py."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from kotacerdas.accounts import roles
from kotacerdas.accounts.types import AuthenticatedHttpRequest
from kotacerdas.core.errors import InvalidInput, NotAllowed
from kotacerdas.evaluations import actions, queries
from kotacerdas.evaluations import filters as participant_filters
from kotacerdas.evaluations.choices import RegionClass, Stage
from kotacerdas.evaluations.filters import progress_rows
from kotacerdas.evaluations.models import Cycle, Meeting, Panel, Participation, Submission
from kotacerdas.evaluations.participants import read_participants
from kotacerdas.scoring.packs import available_packs

from .auth import authenticated
from .errors import ApiError, not_found
from .schemas import ErrorOut

router = Router(tags=["administrasi nasional"], auth=authenticated)

REFUSALS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_UPLOAD = 5 * 1024 * 1024


def require_admin(request: HttpRequest) -> Any:
    if not roles.is_national_admin(request.user):
        raise NotAllowed("Hanya admin nasional / national admins only")
    return request.user


def _cycle(request: HttpRequest, year: int, pack: str | None = None) -> Cycle:
    """The cycle of a year (as GET /cycles/{year} names it); ?pack=CODE when a year has several."""
    require_admin(request)
    if not 2018 <= year <= 2100:
        raise not_found("Siklus", str(year))
    qs = Cycle.objects.filter(year=year)
    if pack:
        qs = qs.filter(pack_code=pack)
    found = list(qs[:2])
    if not found:
        raise not_found("Siklus", str(year))
    if len(found) > 1:
        raise InvalidInput("Ada lebih dari satu siklus tahun ini: pilih dengan ?pack=KODE / choose with ?pack=",
                           field="pack")
    return found[0]


def read_upload(file: UploadedFile) -> bytes:
    data = file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, "Berkas lebih dari 5 MB / file larger than 5 MB", "too_large", "file")
    return data


def _user(key: str) -> Any:
    from django.db.models import Q

    q = Q(email__iexact=key) | Q(username__iexact=key)
    if key.isdigit() and len(key) < 10:
        q |= Q(pk=int(key))
    user = get_user_model().objects.filter(q).first()
    if user is None:
        raise not_found("Pengguna", key)
    return user


# --- rubric packs and cycles -------------------------------------------------------------------------

class PackOut(Schema):
    code: str
    version: str
    name: str
    name_en: str | None = Field(default=None, description="nama dalam bahasa Inggris (jika paket memilikinya)")
    status: str = Field(description="mis. reconstructed, provisional, official")
    bands_status: str
    valid_years: str = Field(description="tahun evaluasi yang memakai metode ini, mis. 2021–2025 (kosong: semua)")


@router.get("/packs", response={200: list[PackOut], **REFUSALS}, summary="Paket rubrik yang dimuat (dengan statusnya)")
def list_packs(request: HttpRequest):  # type: ignore[no-untyped-def]
    require_admin(request)
    return [{"code": p.code, "version": p.version, "name": p.name, "name_en": p.name_en, "status": p.status,
             "bands_status": p.bands_status, "valid_years": p.validity_text} for p in available_packs()]


class CycleOut(Schema):
    id: int
    year: int
    name: str
    pack_code: str
    pack_version: str
    stage: Stage


@router.get("/cycles", response=list[CycleOut], auth=None, summary="Siklus evaluasi")
def list_cycles(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(Cycle.objects.order_by("-year"))


class CycleIn(Schema):
    year: int = Field(ge=2018, le=2100)
    pack_code: str = Field(max_length=40)
    pack_version: str = Field(max_length=20)
    name: str = Field("", max_length=120)
    opens_on: dt.date | None = None
    self_assessment_deadline: dt.datetime | None = None
    tahap_1_on: dt.date | None = None
    tahap_2_on: dt.date | None = None
    assessment_starts: dt.datetime | None = None
    assessment_ends: dt.datetime | None = None
    final_on: dt.date | None = None
    publish_on: dt.date | None = None
    class_a_min_index: Decimal | None = Field(None, ge=0, le=99, decimal_places=2, description="ambang indeks Kelas A")
    coi_same_province: bool = Field(False, description="asesor tidak menilai wilayah di provinsinya")
    validity_override_reason: str = Field("", max_length=1000,
                                          description="alasan memakai paket di luar tahun berlakunya")


class CycleDetail(Schema):
    id: int
    year: int
    name: str
    pack_code: str
    pack_version: str
    pack_status: str
    stage: Stage
    next_stage: Stage | None
    next_stage_locks: list[str]
    participants: int
    panels: int
    assigned: int
    publish_phrase: str


def _detail(cycle: Cycle) -> dict[str, Any]:
    to, locks = queries.stage_locks(cycle)
    return {"id": cycle.pk, "year": cycle.year, "name": cycle.name, "pack_code": cycle.pack_code,
            "pack_version": cycle.pack_version, "pack_status": queries.cycle_pack(cycle).status,
            "stage": cycle.stage, "next_stage": to, "next_stage_locks": [str(x) for x in locks],
            "participants": cycle.participants.count(), "panels": cycle.panels.count(),
            "assigned": cycle.panels.filter(assignments__active=True).count(),
            "publish_phrase": queries.publish_phrase(cycle)}


@router.post("/cycles", response={201: CycleDetail, **REFUSALS}, summary="Buka siklus evaluasi")
def open_cycle(request: AuthenticatedHttpRequest, body: CycleIn):  # type: ignore[no-untyped-def]
    data = body.dict()
    cycle = actions.do_open_cycle(request.user, **data)
    return 201, _detail(cycle)


@router.get("/cycles/{year}/stage", response={200: CycleDetail, **REFUSALS}, summary="Tahap siklus: tahap berikutnya dan apa yang dikunci (admin)")
def cycle_stage(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    return _detail(_cycle(request, year, request.GET.get("pack")))


class AdvanceIn(Schema):
    to_stage: Stage
    reason: str = Field("", max_length=1000)


@router.post("/cycles/{year}/advance", response={200: CycleDetail, **REFUSALS},
             summary="Pindah ke tahap berikutnya (lihat next_stage_locks pada GET siklus)")
def advance(request: AuthenticatedHttpRequest, year: int, body: AdvanceIn):  # type: ignore[no-untyped-def]
    cycle = actions.do_advance_stage(request.user, _cycle(request, year, request.GET.get("pack")), body.to_stage.value, body.reason)
    return _detail(cycle)


class ParticipantOut(Schema):
    region: str
    name: str
    province: str
    region_class: RegionClass


class ParticipantsIn(Schema):
    regions: dict[str, str] = Field(description='{"16.07": "B", "16.06": ""} — kelas kosong: ambang siklus',
                                    max_length=1000)
    cohort: str = Field("", max_length=40)


class AddedOut(Schema):
    added: int
    participants: int


class ParticipantFilter(Schema):
    q: str = Field("", max_length=200, description="Nama wilayah atau awal kodenya / region name or code prefix")
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Kode provinsi, mis. 16 / province code")


@router.get("/cycles/{year}/participants", response={200: list[ParticipantOut], **REFUSALS},
            summary="Peserta siklus")
def list_participants(request: HttpRequest, year: int,  # type: ignore[no-untyped-def]
                      filters: Query[ParticipantFilter]):
    cycle = _cycle(request, year, request.GET.get("pack"))
    # The same FilterSet as the cycle screen /nasional/kelola/siklus/<id>/ (evaluations.filters).
    parts = participant_filters.participants(
        Participation.objects.filter(cycle=cycle).select_related("region").defer("region__geometry")
        .order_by("region_id"), {"q": filters.q, "province": filters.province or ""})
    return [{"region": p.region_id, "name": p.region.name, "province": p.region_id.split(".")[0],
             "region_class": p.region_class} for p in parts]


@router.post("/cycles/{year}/participants", response={200: AddedOut, **REFUSALS},
             summary="Tambah peserta (semua-atau-tidak)")
def add_participants(request: AuthenticatedHttpRequest, year: int, body: ParticipantsIn):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    added = actions.do_add_participants(request.user, cycle, body.regions, body.cohort)
    return {"added": added, "participants": cycle.participants.count()}


@router.post("/cycles/{year}/participants/upload", response={200: AddedOut, 413: ErrorOut, **REFUSALS},
             summary="Unggah daftar kode Kemendagri (.xlsx/.csv: kode, kelas opsional)")
def upload_participants(request: AuthenticatedHttpRequest, year: int, file: File[UploadedFile]):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    try:
        rows, errors = read_participants(read_upload(file), file.name or "")
    except ValueError as exc:
        raise InvalidInput(str(exc), field="file") from exc
    if errors:
        raise InvalidInput("; ".join(str(e) for e in errors[:10]), field="file",
                           errors=[e.to_dict() for e in errors[:100]])
    added = actions.do_add_participants(request.user, cycle, rows)
    return {"added": added, "participants": cycle.participants.count()}


# --- panels and assignments ----------------------------------------------------------------------------

class PanelIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    region_class: RegionClass
    lead: str = Field(description="email ketua panel")
    members: list[str] = Field(description="email anggota (selain ketua)", max_length=10)


class PanelOut(Schema):
    id: int
    name: str
    region_class: RegionClass
    lead: str
    members: list[str]
    regions: list[str]


def _panel(p: Panel) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "region_class": p.region_class, "lead": p.lead.email,
            "members": sorted(m.email for m in p.members.all()),
            "regions": sorted(p.assignments.filter(active=True).values_list("region_id", flat=True))}


@router.get("/cycles/{year}/panels", response={200: list[PanelOut], **REFUSALS}, summary="Panel asesor")
def list_panels(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    return [_panel(p) for p in Panel.objects.filter(cycle=cycle).select_related("lead").order_by("name")]


@router.post("/cycles/{year}/panels", response={201: PanelOut, **REFUSALS}, summary="Bentuk panel")
def form_panel(request: AuthenticatedHttpRequest, year: int, body: PanelIn):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    panel = actions.do_form_panel(request.user, cycle, name=body.name, region_class=body.region_class,
                                  lead=_user(body.lead), members=[_user(m) for m in body.members])
    return 201, _panel(panel)


class AssignIn(Schema):
    panel: str = Field(description="nama panel")
    region: str = Field(pattern=r"^\d{2}\.\d{2}$")


class AssignOut(Schema):
    region: str
    panel: str


@router.post("/cycles/{year}/assignments", response={201: AssignOut, **REFUSALS},
             summary="Tugaskan satu wilayah ke panel")
def assign(request: AuthenticatedHttpRequest, year: int, body: AssignIn):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    panel = Panel.objects.filter(cycle=cycle, name=body.panel).first()
    if panel is None:
        raise not_found("Panel", body.panel)
    a = actions.do_assign(request.user, panel, body.region)
    return 201, {"region": a.region_id, "panel": panel.name}


class SuggestIn(Schema):
    apply: bool = Field(False, description="false: hanya usulan; true: simpan penugasannya")


class SuggestOut(Schema):
    applied: bool
    assignments: list[AssignOut]
    unplaced: dict[str, str]
    load: dict[str, int]


@router.post("/cycles/{year}/assignments/suggest", response={200: SuggestOut, **REFUSALS},
             summary="Usulan penugasan: seimbang antarpanel, sesuai kelas, tanpa konflik kepentingan")
def suggest(request: AuthenticatedHttpRequest, year: int, body: SuggestIn):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    s = actions.do_apply_suggestion(request.user, cycle) if body.apply else actions.suggest_assignments(cycle)
    return {"applied": body.apply, "assignments": [{"region": r, "panel": p.name} for r, p in s.assignments],
            "unplaced": s.unplaced, "load": s.load()}


class LoadOut(Schema):
    assessor: str
    panels: list[str]
    regions: int
    indicators: int


@router.get("/cycles/{year}/assessor-load", response={200: list[LoadOut], **REFUSALS},
            summary="Beban per asesor: wilayah dan indikator")
def assessor_load(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    return [{"assessor": r["user"].email, "panels": r["panels"], "regions": r["regions"],
             "indicators": r["indicators"]} for r in queries.assessor_load(cycle)]


# --- Tahap II schedule ---------------------------------------------------------------------------------

class MeetingIn(Schema):
    date: dt.date
    time: dt.time
    timezone: str = Field("WIB", pattern=r"^(WIB|WITA|WIT)$")
    meeting_url: str = Field("", max_length=500)
    place: str = Field("", max_length=200)
    duration_minutes: int = Field(120, ge=15, le=600)
    expected_version: int | None = Field(None, description="versi jadwal yang Anda lihat (atau If-Match); wajib "
                                                           "untuk mengubah jadwal yang sudah ada")


class MeetingOut(Schema):
    region: str
    starts_at: dt.datetime
    local: str
    timezone: str
    meeting_url: str
    place: str
    version: int


def _meeting(m: Meeting) -> dict[str, Any]:
    from kotacerdas.evaluations.notify import meeting_when

    return {"region": m.region_id, "starts_at": m.starts_at, "local": meeting_when(m), "timezone": m.timezone,
            "meeting_url": m.meeting_url, "place": m.place, "version": m.version}


@router.get("/cycles/{year}/meetings", response={200: list[MeetingOut], **REFUSALS},
            summary="Jadwal Tahap II")
def list_meetings(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    return [_meeting(m) for m in Meeting.objects.filter(cycle=cycle).order_by("starts_at")]


@router.put("/cycles/{year}/meetings/{region}", response={200: MeetingOut, 428: ErrorOut, **REFUSALS},
            summary="Jadwalkan Tahap II satu wilayah (email + lampiran .ics ke koordinator dan panel)")
def schedule(request: AuthenticatedHttpRequest, year: int, region: str, body: MeetingIn):  # type: ignore[no-untyped-def]
    from .versions import versioned_write

    cycle = _cycle(request, year, request.GET.get("pack"))

    def current() -> dict[str, Any] | None:
        m = Meeting.objects.filter(cycle=cycle, region_id=region).first()
        return None if m is None else {**_meeting(m), "starts_at": m.starts_at.isoformat()}

    m = versioned_write(request, body.expected_version, current, lambda expected: actions.do_schedule_meeting(
        request.user, cycle, region, date=body.date, time=body.time, tz=body.timezone, meeting_url=body.meeting_url,
        place=body.place, duration_minutes=body.duration_minutes, expected_version=expected))
    return _meeting(m)


# --- running the cycle ---------------------------------------------------------------------------------

class ProgressOut(Schema):
    region: str
    name: str
    province: str
    region_class: RegionClass
    submission: int | None
    stage: str
    status: str
    panel: str
    assessments_complete: int
    meeting: str | None


@router.get("/cycles/{year}/progress", response={200: list[ProgressOut], **REFUSALS},
            summary="Kemajuan per wilayah")
def progress(request: HttpRequest, year: int, status: str | None = None,  # type: ignore[no-untyped-def]
             province: str | None = None):
    from kotacerdas.evaluations.notify import meeting_when

    cycle = _cycle(request, year, request.GET.get("pack"))
    rows, _fs = progress_rows(cycle, {"status": status or "", "province": province or ""})
    return [{"region": r["code"], "name": r["region"].name, "province": r["code"].split(".")[0],
             "region_class": r["region_class"], "submission": r["submission"], "stage": r["stage"],
             "status": r["status"], "panel": r["panel"], "assessments_complete": r["assessments"],
             "meeting": meeting_when(r["meeting"]) if r["meeting"] else None} for r in rows]


class RemindIn(Schema):
    regions: list[str] | None = Field(None, description="kosong: semua yang belum mengirim", max_length=1000)


class CountOut(Schema):
    count: int


@router.post("/cycles/{year}/reminders", response={200: CountOut, **REFUSALS},
             summary="Kirim pengingat ke wilayah yang belum mengirim")
def remind(request: AuthenticatedHttpRequest, year: int, body: RemindIn):  # type: ignore[no-untyped-def]
    return {"count": actions.do_remind(request.user, _cycle(request, year, request.GET.get("pack")), body.regions)}


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


@router.post("/cycles/{year}/finalise", response={200: CountOut, **REFUSALS},
             summary="Finalkan semua pengajuan yang selesai dinilai")
def finalise_all(request: AuthenticatedHttpRequest, year: int, body: ReasonIn):  # type: ignore[no-untyped-def]
    return {"count": actions.do_finalise_cycle(request.user, _cycle(request, year, request.GET.get("pack")), body.reason)}


class PreviewRow(Schema):
    rank: int
    region: str
    name: str
    index: float
    predicate: str | None = Field(description="hanya predikat dari rentang resmi / only from official bands")
    predicate_status: str
    new: bool


@router.get("/cycles/{year}/publication-preview", response={200: list[PreviewRow], **REFUSALS},
            summary="Pratinjau peringkat seperti yang akan dilihat publik")
def preview(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    return [{"rank": r["rank"], "region": r["result"].region_id, "name": r["result"].display_name,
             "index": float(r["result"].index), "predicate": r["result"].published_predicate.label,
             "predicate_status": r["result"].published_predicate.status, "new": r["new"]}
            for r in queries.publication_preview(cycle)]


class PublishIn(Schema):
    confirm: str = Field(description='ketik persis "TERBITKAN <tahun>" (lihat publish_phrase)')
    reason: str = Field("", max_length=2000)


@router.post("/cycles/{year}/publish", response={200: CountOut, **REFUSALS},
             summary="Terbitkan hasil final (konfirmasi diketik)")
def publish(request: AuthenticatedHttpRequest, year: int, body: PublishIn):  # type: ignore[no-untyped-def]
    cycle = _cycle(request, year, request.GET.get("pack"))
    if body.confirm.strip() != queries.publish_phrase(cycle):
        raise InvalidInput(f"Ketik {queries.publish_phrase(cycle)!r} untuk menerbitkan / type it to publish",
                           field="confirm")
    return {"count": actions.do_publish(request.user, cycle, body.reason)}


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    require_admin(request)
    sub = Submission.objects.select_related("cycle").filter(pk=submission_id).first()
    if sub is None:
        raise not_found("Pengajuan", str(submission_id))
    return sub


class ReopenIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    deadline: dt.datetime | None = None


class StatusOut(Schema):
    id: int
    status: str
    version: int


@router.post("/submissions/{submission_id}/reopen", response={200: StatusOut, **REFUSALS},
             summary="Buka kembali satu pengajuan (dengan alasan)")
def reopen(request: AuthenticatedHttpRequest, submission_id: int, body: ReopenIn):  # type: ignore[no-untyped-def]
    return actions.do_reopen(request.user, _submission(request, submission_id), body.reason, body.deadline)


class CorrectionIn(Schema):
    levels: dict[str, int] = Field(description="indikator -> tingkat konsensus baru", max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class CorrectionOut(Schema):
    region: str
    index: float
    predicate: str | None
    rank: int | None
    version: int
    correction_reason: str


@router.post("/submissions/{submission_id}/correction", response={200: CorrectionOut, **REFUSALS},
             summary="Koreksi hasil terbit: versi baru dengan alasan")
def correct(request: AuthenticatedHttpRequest, submission_id: int, body: CorrectionIn):  # type: ignore[no-untyped-def]
    r = actions.do_correct_result(request.user, _submission(request, submission_id), body.levels, body.reason)
    return {"region": r.region_id, "index": float(r.index), "predicate": r.published_predicate.label, "rank": r.rank,
            "version": r.version, "correction_reason": r.correction_reason}


# --- people -----------------------------------------------------------------------------------------------
