"""Every state change of an impact survey. Each `do_*` checks permission (or, for the public form, the
survey window and abuse limits), changes state in one transaction and writes an audit event."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import (
    ActionError,
    InvalidInput,
    InvalidTransition,
    StaleEdit,
    require,
)
from kotacerdas.core.fieldguard import check_values
from kotacerdas.evaluations.models import Cycle
from kotacerdas.lib import cells
from kotacerdas.regions.models import Region

from . import queries
from . import rules as perms
from .choices import Channel, SurveyStatus
from .excel import parse_paper_workbook
from .models import AccessCode, Response, ResponseAnswer, Survey, SurveyService
from .validation import ResponseInput, validate_response

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SETTINGS_FIELDS = ("title", "opens_at", "closes_at", "target_per_pillar", "branding_per_subdimension",
                   "min_per_subdimension", "requires_code")


class WindowClosed(ActionError):
    code = "window_closed"
    status = 409


class RateLimited(ActionError):
    code = "rate_limited"
    status = 429


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


# ------------------------------------------------------------------------------------------- design


@transaction.atomic
def do_create_survey(actor: User, region: Region, cycle: Cycle, *, title: str = "", is_demo: bool = False,
                     **config: Any) -> Survey:
    require(perms.can_manage_survey, actor, region, _("Hanya koordinator daerah yang merancang survei dampak"))
    if Survey.objects.filter(region=region, cycle=cycle).exists():
        raise InvalidInput(_("Survei dampak %(region)s %(year)s sudah ada") % {"region": region.name, "year": cycle.year},
                           field="cycle")
    unknown = set(config) - set(SETTINGS_FIELDS)
    if unknown:
        raise InvalidInput(_("Pengaturan tidak dikenal: %(names)s") % {"names": ", ".join(sorted(unknown))})
    pack = queries.cycle_pack(cycle)
    if not pack.survey_items:
        raise InvalidInput(_("Paket %(pack)s tidak memuat butir survei dampak") % {"pack": pack.code}, field="cycle")
    survey = Survey.objects.create(region=region, cycle=cycle, created_by=_user(actor), is_demo=is_demo,
                                   title=title or f"Survei Dampak Smart City {region.name} {cycle.year}", **config)
    _check_window(survey.opens_at, survey.closes_at)
    SurveyService.objects.bulk_create([
        SurveyService(survey=survey, subdimension=s.code, pillar=s.pillar, order=i)
        for i, s in enumerate(pack.subdimensions)])
    record_event(actor, "surveys.create", survey, to_state=survey.status, data={"cycle": cycle.year})
    return survey


def _check_window(opens: dt.datetime | None, closes: dt.datetime | None) -> None:
    if opens and closes and closes <= opens:
        raise InvalidInput(_("Waktu tutup survei harus sesudah waktu buka"), field="closes_at")


@transaction.atomic
def do_update_survey(actor: User, survey: Survey, version: int, changes: Mapping[str, Any]) -> Survey:
    require(perms.can_manage_survey, actor, survey, _("Hanya koordinator daerah yang mengubah survei dampak"))
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise InvalidInput(_("Pengaturan tidak dikenal: %(names)s") % {"names": ", ".join(sorted(unknown))},
                           field=sorted(unknown)[0])
    diff = {k: v for k, v in changes.items() if getattr(survey, k) != v}
    if not diff:
        return survey
    if int(version) != survey.version:
        raise StaleEdit(_("Survei ini baru saja diubah orang lain; muat ulang halaman lalu simpan lagi"))
    if "target_per_pillar" in diff and not (1 <= int(diff["target_per_pillar"]) <= 10000):
        raise InvalidInput(_("Target responden per pilar harus 1–10.000"), field="target_per_pillar")
    _check_window(diff.get("opens_at", survey.opens_at), diff.get("closes_at", survey.closes_at))
    before = {k: str(getattr(survey, k)) for k in diff}
    check_values(Survey, diff)
    if not Survey.objects.filter(pk=survey.pk, version=version).update(**diff, version=F("version") + 1):
        raise StaleEdit(_("Survei ini baru saja diubah orang lain; muat ulang halaman lalu simpan lagi"))
    survey.refresh_from_db()
    record_event(actor, "surveys.update", survey,
                 data={"changes": {k: [before[k], str(getattr(survey, k))] for k in diff}})
    return survey


@transaction.atomic
def do_choose_programme(actor: User, survey: Survey, subdimension: str, programme: Programme | None) -> SurveyService:
    """Pick the programme whose beneficiaries answer for one sub-dimension (one per sub-dimension)."""
    require(perms.can_manage_survey, actor, survey, _("Hanya koordinator daerah yang memilih program survei"))
    service = SurveyService.objects.filter(survey=survey, subdimension=subdimension).first()
    if service is None:
        raise InvalidInput(_("Sub-dimensi %(code)r tidak ada di paket survei") % {"code": subdimension},
                           field="subdimension")
    new_id = programme.pk if programme else None
    if service.programme_id == new_id:
        return service
    if programme is not None and (programme.region_id != survey.region_id or programme.archived_at is not None):
        raise InvalidInput(_("Program bukan milik wilayah ini"), field="programme")
    if programme is not None and programme.subdimension_id != subdimension:
        raise InvalidInput(_("Program %(title)s bukan bagian dari sub-dimensi ini") % {"title": programme.title},
                           field="programme")
    if service.responses.exists():
        # Answers were given about the old programme; swapping it would misattribute them.
        raise InvalidTransition(_("Sub-dimensi ini sudah punya tanggapan; program tidak bisa diganti"),
                                field="programme")
    old = service.programme_id
    SurveyService.objects.filter(pk=service.pk).update(programme_id=new_id)
    service.refresh_from_db()
    record_event(actor, "surveys.choose_programme", survey, data={"subdimension": subdimension,
                                                                  "from": old, "to": new_id})
    return service


def _transition(actor: User, survey: Survey, allowed: tuple[str, ...], to: str, action: str) -> Survey:
    if survey.status not in allowed:
        raise InvalidTransition(_("Tidak bisa %(action)s: status sekarang %(status)s")
                                % {"action": action, "status": SurveyStatus(survey.status).label})
    current = survey.status
    if not Survey.objects.filter(pk=survey.pk, status=current, version=survey.version).update(
            status=to, version=F("version") + 1):
        raise StaleEdit(_("Survei ini baru saja diubah orang lain; muat ulang halaman"))
    survey.refresh_from_db()
    record_event(actor, f"surveys.{action}", survey, from_state=current, to_state=to)
    return survey


@transaction.atomic
def do_open_survey(actor: User, survey: Survey) -> Survey:
    require(perms.can_manage_survey, actor, survey, _("Hanya koordinator daerah yang membuka survei"))
    if not survey.services.filter(programme__isnull=False).exists():
        raise InvalidInput(_("Pilih minimal satu program/layanan sebelum survei dibuka"), field="programme")
    return _transition(actor, survey, (SurveyStatus.DRAFT, SurveyStatus.CLOSED), SurveyStatus.OPEN, "open")


@transaction.atomic
def do_close_survey(actor: User, survey: Survey) -> Survey:
    require(perms.can_manage_survey, actor, survey, _("Hanya koordinator daerah yang menutup survei"))
    return _transition(actor, survey, (SurveyStatus.OPEN,), SurveyStatus.CLOSED, "close")


@transaction.atomic
def do_publish_summary(actor: User, survey: Survey, publish: bool = True) -> Survey:
    require(perms.can_manage_survey, actor, survey, _("Hanya koordinator daerah yang menerbitkan ringkasan"))
    when = timezone.now() if publish else None
    Survey.objects.filter(pk=survey.pk).update(summary_published_at=when, version=F("version") + 1)
    survey.refresh_from_db()
    record_event(actor, "surveys.publish_summary" if publish else "surveys.unpublish_summary", survey)
    return survey


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


@transaction.atomic
def do_generate_codes(actor: User, survey: Survey, count: int) -> list[str]:
    require(perms.can_manage_survey, actor, survey, _("Hanya koordinator daerah yang membuat kode sekali pakai"))
    if not 1 <= count <= 5000:
        raise InvalidInput(_("Jumlah kode 1–5000"), field="count")
    existing = set(AccessCode.objects.filter(survey=survey).values_list("code", flat=True))
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if code not in existing:
            existing.add(code)
            codes.append(code)
    AccessCode.objects.bulk_create([AccessCode(survey=survey, code=c) for c in codes])
    record_event(actor, "surveys.generate_codes", survey, data={"count": count})
    return codes


# ---------------------------------------------------------------------------------------- responses


def _create_response(survey: Survey, service: SurveyService, data: ResponseInput, *, channel: str,
                     entered_by: User | None = None, ip_hash: str = "", access_code: AccessCode | None = None,
                     is_demo: bool = False) -> Response:
    response = Response.objects.create(
        survey=survey, service=service, kecamatan_id=data.kecamatan, age_band=data.age_band, gender=data.gender,
        channel=channel, submitted_at=data.submitted_at or timezone.now(), contact_name=data.contact_name[:120],
        contact_phone=data.contact_phone[:30], ip_hash=ip_hash, access_code=access_code,
        entered_by=_user(entered_by), paper_ref=data.paper_ref[:40], is_demo=is_demo)
    ResponseAnswer.objects.bulk_create([ResponseAnswer(response=response, item=k, value=v)
                                        for k, v in sorted(data.answers.items())])
    return response


def ip_fingerprint(ip: str) -> str:
    # Keyed hash: lets us count submissions per address without keeping the address.
    return hashlib.sha256(f"{settings.SECRET_KEY}|{ip}".encode()).hexdigest()[:32]


def rate_limit() -> tuple[int, int]:
    """(max responses, per seconds) from one IP address for one survey."""
    limit = getattr(settings, "SURVEY_RATE_LIMIT", (20, 3600))
    return int(limit[0]), int(limit[1])


def _hit_rate_limit(survey: Survey, ip_hash: str) -> bool:
    maximum, seconds = rate_limit()
    key = f"kc:survey-rl:{survey.pk}:{ip_hash}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count > maximum


@transaction.atomic
def do_submit_public(survey: Survey, data: ResponseInput, *, ip: str, honeypot: str = "") -> Response | None:
    """A citizen's answer through the public form. Returns None for a bot caught by the honeypot (it is
    shown the normal thank-you page and nothing is stored)."""
    if honeypot.strip():
        record_event(None, "surveys.honeypot", survey, data={"ip": ip_fingerprint(ip)})
        return None
    if not survey.window_open():
        raise WindowClosed(_("Survei ini tidak sedang dibuka; tanggapan tidak dapat diterima"))
    ip_hash = ip_fingerprint(ip)
    if _hit_rate_limit(survey, ip_hash):
        raise RateLimited(_("Terlalu banyak tanggapan dari jaringan Anda; coba lagi nanti"))
    access_code = None
    if survey.requires_code:
        code = data.code.strip().upper()
        access_code = AccessCode.objects.select_for_update().filter(survey=survey, code=code).first()
        if access_code is None:
            raise InvalidInput(_("Kode tidak dikenal; periksa kode pada lembar undangan"), field="code")
        if access_code.used_at is not None:
            raise InvalidInput(_("Kode ini sudah dipakai"), field="code")
    errors, service = validate_response(survey, data)
    if errors or service is None:
        name, message = next(iter(errors.items()))
        raise InvalidInput(message, field=name, errors=errors)
    if access_code is not None:
        if not AccessCode.objects.filter(pk=access_code.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise InvalidInput(_("Kode ini sudah dipakai"), field="code")
    response = _create_response(survey, service, data, channel=Channel.ONLINE, ip_hash=ip_hash,
                                access_code=access_code)
    record_event(None, "surveys.response", response, region_code=survey.region_id,
                 data={"survey": survey.pk, "channel": Channel.ONLINE})
    return response


def _check_paper(actor: User, survey: Survey) -> None:
    require(perms.can_enter_responses, actor, survey, _("Anda tidak berhak mengentri tanggapan survei ini"))
    if survey.status == SurveyStatus.DRAFT:
        raise InvalidTransition(_("Survei masih rancangan; buka survei dulu"))


@transaction.atomic
def do_enter_paper_response(actor: User, survey: Survey, data: ResponseInput) -> Response:
    """A paper questionnaire typed in by staff. Its collection date must fall in the survey window."""
    _check_paper(actor, survey)
    data.submitted_at = data.submitted_at or timezone.now()
    if not survey.in_window(data.submitted_at):
        raise WindowClosed(_("Tanggal pengisian di luar jendela survei"), field="submitted_at")
    errors, service = validate_response(survey, data)
    if errors or service is None:
        name, message = next(iter(errors.items()))
        raise InvalidInput(message, field=name, errors=errors)
    response = _create_response(survey, service, data, channel=Channel.PAPER, entered_by=actor)
    record_event(actor, "surveys.paper_response", response, region_code=survey.region_id,
                 data={"survey": survey.pk, "paper_ref": data.paper_ref})
    return response


@transaction.atomic
def do_import_paper(actor: User, survey: Survey, content: bytes) -> int:
    """Import paper questionnaires from the Excel template: every row checked first, all or nothing.
    Raises InvalidInput with `errors` = [{row, column, message}] when any row is wrong."""
    _check_paper(actor, survey)
    rows, errors = parse_paper_workbook(survey, content)
    if errors:
        raise InvalidInput(ngettext("%(n)d kesalahan; tidak ada yang disimpan. Baris %(row)s, kolom %(column)s: %(message)s",
                                    "%(n)d kesalahan; tidak ada yang disimpan. Baris %(row)s, kolom %(column)s: %(message)s",
                                    len(errors))
                           % {"n": len(errors), "row": errors[0]["row"], "column": errors[0]["column"],
                              "message": errors[0]["message"]}, errors=errors)
    for _row, data, service in rows:
        _create_response(survey, service, data, channel=Channel.IMPORT, entered_by=actor)
    record_event(actor, "surveys.import_paper", survey, data={"rows": len(rows)})
    return len(rows)


# ------------------------------------------------------------------------------------------- export

EXPORT_COLUMNS = ["id", "diisi_pada", "kanal", "pilar", "sub_dimensi", "program", "kecamatan_kode", "kecamatan",
                  "kelompok_umur", "jenis_kelamin"]
PERSONAL_COLUMNS = ["nama", "telepon", "nomor_lembar"]


def export_responses(actor: User, survey: Survey, *, fmt: str = "csv", include_personal: bool = False) -> bytes:
    """Raw responses, one row per respondent and one column per item. Personal data (name, phone, paper
    sheet number) only for roles allowed to see it, and every such export is written to the audit trail."""
    require(perms.can_view_survey, actor, survey, _("Anda tidak berhak mengunduh data survei ini"))
    if include_personal:
        require(perms.can_view_personal, actor, survey, _("Peran Anda tidak boleh mengunduh data pribadi responden"))
    pack = queries.survey_pack(survey)
    item_codes = [i.code for i in pack.survey_items]
    header = EXPORT_COLUMNS + (PERSONAL_COLUMNS if include_personal else []) + item_codes
    answers: dict[int, dict[str, int]] = {}
    for rid, item, value in ResponseAnswer.objects.filter(response__survey=survey).values_list(
            "response_id", "item", "value"):
        answers.setdefault(rid, {})[item] = value
    rows = []
    for r in (Response.objects.filter(survey=survey).select_related("service", "service__programme", "kecamatan")
              .order_by("submitted_at", "id")):
        row: list[Any] = [r.pk, timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"), r.channel,
                          r.service.pillar, r.service.subdimension,
                          r.service.programme.title if r.service.programme else "", r.kecamatan_id,
                          r.kecamatan.name, r.age_band, r.gender]
        if include_personal:
            row += [r.contact_name, r.contact_phone, r.paper_ref]
        row += [answers.get(r.pk, {}).get(code, "") for code in item_codes]
        rows.append(row)
    record_event(actor, "surveys.view_personal_data" if include_personal else "surveys.export_responses", survey,
                 data={"format": fmt, "rows": len(rows), "personal": include_personal})
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "Tanggapan"
        cells.append(ws, header)
        for row in rows:
            cells.append(ws, row)
        if survey.is_demo:
            from kotacerdas.core.provenance import mark_workbook

            mark_workbook(wb)
        return cells.workbook_bytes(wb)  # a respondent's "=HYPERLINK(…)" stays text (lib/cells)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(cells.row(header))
    writer.writerows(cells.row(row) for row in rows)
    return text.getvalue().encode("utf-8-sig")  # BOM: Excel opens Indonesian text correctly
