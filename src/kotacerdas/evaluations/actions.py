"""Every state change of the evaluation workflow. Each `do_*` checks permission, changes state in one
transaction and writes an audit event (who, when, from, to, why). Views and the API call only these."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kotacerdas.accounts import roles
from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import (
    DeadlinePassed,
    DuplicateEvidence,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    StaleEdit,
    require,
)
from kotacerdas.core.fieldguard import check_values
from kotacerdas.core.gcpause import collection_paused
from kotacerdas.core.provenance import Provenance
from kotacerdas.regions.models import Region
from kotacerdas.scoring import engine

from . import notify, queries
from . import rules as perms
from . import transitions as T
from .choices import (
    STAGE_ORDER,
    TZ_NAMES,
    AssessmentStatus,
    EvidenceKind,
    NoteKind,
    RegionClass,
    Stage,
    SubmissionStatus,
)
from .models import (
    Answer,
    Assessment,
    AssessmentScore,
    Assignment,
    ConsensusScore,
    Cycle,
    Evidence,
    Feedback,
    IndicatorNote,
    Interview,
    Meeting,
    Panel,
    Participation,
    Result,
    ResultVersion,
    Submission,
)
from .uploads import UploadRejected, check_upload, safe_display_name

S = SubmissionStatus
MAX_VIDEO_SECONDS = 180


def _may(actor: Any, submission: Submission, action: str) -> None:
    """The transition table's rule for `action`: who (its own refusal message), then from which status —
    both before any check of the content, so a step the workflow does not allow is refused as such."""
    require(T.who(action), actor, submission, str(T.step(action).refusal))
    if not T.step(action).allowed_from(submission.status):
        raise InvalidTransition(_("Tidak bisa %(action)s: status sekarang %(status)s")
                                % {"action": action, "status": S(submission.status).label}, status=submission.status)


def _transition(actor: Any, submission: Submission, action: str, reason: str = "",
                data: dict[str, Any] | None = None) -> Submission:
    # The statuses `action` is allowed from and the one it leads to come from the transition table.
    # Compare-and-set on (status, version): a concurrent transition makes this one fail cleanly.
    current = submission.status
    to = T.step(action).to(current)
    if not T.step(action).allowed_from(current):
        raise InvalidTransition(
            _("Tidak bisa %(action)s: status sekarang %(status)s") % {"action": action, "status": S(current).label},
            status=current)
    updated = Submission.objects.filter(pk=submission.pk, status=current, version=submission.version).update(
        status=to, version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise StaleEdit(_("Pengajuan baru saja diubah orang lain; muat ulang halaman"))
    submission.refresh_from_db()
    record_event(actor, f"evaluations.{action}", submission, from_state=current, to_state=to, reason=reason,
                 data=data or {})
    return submission


# --- cycles, participants, panels -------------------------------------------------------------------

@transaction.atomic
def do_open_cycle(actor: Any, *, year: int, pack_code: str, pack_version: str, name: str = "",
                  participants: Mapping[str, str] | None = None, stage: str = Stage.SELF_ASSESSMENT,
                  self_assessment_deadline: dt.datetime | None = None, is_demo: bool = False,
                  validity_override_reason: str = "", **dates: Any) -> Cycle:
    """Open an evaluation cycle scored with one pack version.  A pack applies to the evaluation years its
    method was in force (``valid_from``..``valid_to``); outside them the admin must give a reason, which the
    audit event records with the pack's years."""
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang membuka siklus evaluasi"))
    try:
        pack = queries.pack_for(pack_code, pack_version)
    except LookupError as exc:
        raise InvalidInput(_("Paket rubrik %(pack)s versi %(version)s tidak ada")
                           % {"pack": pack_code, "version": pack_version}) from exc
    data: dict[str, Any] = {"pack": f"{pack_code}@{pack_version}", "digest": pack.digest}
    reason = validity_override_reason.strip()
    if not pack.valid_for(year):
        if not reason:
            raise InvalidInput(
                _("Paket rubrik %(pack)s berlaku untuk evaluasi tahun %(years)s, bukan %(year)s; pilih paket lain "
                  "atau beri alasan untuk tetap memakainya")
                % {"pack": f"{pack_code}@{pack_version}", "years": pack.validity_text, "year": year},
                field="validity_override_reason", valid_years=pack.validity_text)
        data["validity_override"] = {"year": year, "valid_from": pack.valid_from, "valid_to": pack.valid_to,
                                     "reason": reason}
    else:
        reason = ""  # nothing to override: a reason given anyway is not recorded as an override
    if Cycle.objects.filter(year=year, pack_code=pack_code).exists():
        raise InvalidInput(_("Siklus %(year)s dengan paket %(pack)s sudah ada") % {"year": year, "pack": pack_code})
    cycle = Cycle.objects.create(
        year=year, pack_code=pack_code, pack_version=pack_version, pack_digest=pack.digest, stage=stage,
        name=name or f"Evaluasi Smart City {year}", self_assessment_deadline=self_assessment_deadline,
        is_demo=is_demo, **dates)
    record_event(actor, "evaluations.open_cycle", cycle, to_state=stage, reason=reason, data=data)
    for code, region_class in (participants or {}).items():
        do_add_participant(actor, cycle, code, region_class)
    return cycle


@transaction.atomic
def do_add_participant(actor: Any, cycle: Cycle, region_code: str, region_class: str = "B",
                       cohort: str = "") -> Participation:
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menetapkan peserta"))
    if not Region.objects.filter(code=region_code, level="kabkota").exists():
        raise InvalidInput(_("Kode kabupaten/kota %(code)r tidak dikenal") % {"code": region_code}, field="region")
    part, created = Participation.objects.get_or_create(
        cycle=cycle, region_id=region_code, defaults={"region_class": region_class, "cohort": cohort})
    if created:
        record_event(actor, "evaluations.add_participant", part, region_code=region_code,
                     data={"class": region_class})
        ensure_submission(actor, cycle, region_code, _entry_stage(cycle))
    return part


def _entry_stage(cycle: Cycle) -> str:
    return cycle.stage if cycle.stage in (Stage.SELF_ASSESSMENT, Stage.TAHAP_1, Stage.TAHAP_2) else Stage.TAHAP_2


def ensure_submission(actor: Any, cycle: Cycle, region_code: str, stage: str) -> Submission:
    sub, created = Submission.objects.get_or_create(
        cycle=cycle, region_id=region_code, stage=stage,
        defaults={"deadline": cycle.self_assessment_deadline})
    if created:
        record_event(actor, "evaluations.create_submission", sub, to_state=S.DRAFT, data={"stage": stage})
    return sub


@transaction.atomic
def do_advance_stage(actor: Any, cycle: Cycle, to_stage: str, reason: str = "") -> Cycle:
    """Move the cycle to its next stage. Entering Tahap I/II opens a fresh submission per participant,
    carrying the previous stage's answers and evidence so nothing is typed twice."""
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang memindahkan tahap"))
    if STAGE_ORDER.index(to_stage) != STAGE_ORDER.index(cycle.stage) + 1:
        raise InvalidTransition(_("Tahap %(stage)s tidak bisa langsung ke %(to)s")
                                % {"stage": cycle.get_stage_display(), "to": Stage(to_stage).label})
    old = cycle.stage
    Cycle.objects.filter(pk=cycle.pk).update(stage=to_stage)
    cycle.refresh_from_db()
    record_event(actor, "evaluations.advance_stage", cycle, from_state=old, to_state=to_stage, reason=reason)
    if to_stage in (Stage.TAHAP_1, Stage.TAHAP_2):
        for part in cycle.participants.all():
            prev = Submission.objects.filter(cycle=cycle, region_id=part.region_id, stage=old).first()
            new = ensure_submission(actor, cycle, part.region_id, to_stage)
            if prev is not None and not new.answers.exists():
                Answer.objects.bulk_create([
                    Answer(submission=new, indicator=a.indicator, level=a.level, given_score=a.given_score,
                           justification=a.justification, programme_id=a.programme_id, updated_by=a.updated_by)
                    for a in prev.answers.filter(archived_at__isnull=True)])
                Evidence.objects.bulk_create([
                    Evidence(submission=new, indicator=e.indicator, kind=e.kind, file=e.file.name,
                             original_name=e.original_name, content_type=e.content_type, extension=e.extension,
                             size=e.size, sha256=e.sha256, url=e.url, duration_seconds=e.duration_seconds,
                             description=e.description, programme_id=e.programme_id, uploaded_by=e.uploaded_by,
                             uploaded_at=e.uploaded_at)
                    for e in prev.evidence.filter(archived_at__isnull=True)])
    return cycle


@transaction.atomic
def do_form_panel(actor: Any, cycle: Cycle, *, name: str, region_class: str, lead: Any,
                  members: list[Any]) -> Panel:
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang membentuk panel"))
    everyone = {m.pk: m for m in [lead, *members]}
    if not 3 <= len(everyone) <= 5:
        raise InvalidInput(_("Panel terdiri dari 4–5 asesor (minimal 3 untuk uji coba)"), field="members")
    not_assessors = [u.username for u in everyone.values() if not roles.has_role(u, "assessor")]
    if not_assessors:
        raise InvalidInput(_("Bukan asesor: %(names)s") % {"names": ", ".join(not_assessors)}, field="members")
    from kotacerdas.accounts.models import Membership

    inexperienced = sorted({m.user.username for m in Membership.objects.filter(
        user__in=list(everyone.values()), role="assessor", active=True).exclude(experience="").select_related("user")
        if region_class not in m.experience})
    if inexperienced:
        raise InvalidInput(_("Belum berpengalaman menilai Kelas %(kelas)s: %(names)s")
                           % {"kelas": region_class, "names": ", ".join(inexperienced)}, field="members")
    if Panel.objects.filter(cycle=cycle, name=name).exists():
        raise InvalidInput(_("Panel bernama %(name)s sudah ada") % {"name": name}, field="name")
    panel = Panel.objects.create(cycle=cycle, name=name, region_class=region_class, lead=lead)
    panel.members.set(list(everyone.values()))
    record_event(actor, "evaluations.form_panel", panel,
                 data={"members": sorted(u.username for u in everyone.values()), "lead": lead.username})
    return panel


@transaction.atomic
def do_assign(actor: Any, panel: Panel, region_code: str) -> Assignment:
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menugaskan panel"))
    province = region_code.split(".")[0]
    conflicted = [m.username for m in panel.members.all() if region_code in roles.regions_for(m)
                  or (panel.cycle.coi_same_province and province in {r.split(".")[0] for r in roles.regions_for(m)})]
    if conflicted:
        raise InvalidInput(
            _("Konflik kepentingan: %(names)s berasal dari wilayah %(region)s")
            % {"names": ", ".join(conflicted), "region": region_code}, field="region")
    if not Participation.objects.filter(cycle=panel.cycle, region_id=region_code).exists():
        raise InvalidInput(_("Wilayah %(region)s bukan peserta siklus ini") % {"region": region_code}, field="region")
    assignment, created = Assignment.objects.get_or_create(
        cycle=panel.cycle, region_id=region_code, defaults={"panel": panel})
    if not created and assignment.panel_id != panel.pk:
        raise InvalidInput(_("Wilayah %(region)s sudah ditugaskan ke panel %(panel)s")
                           % {"region": region_code, "panel": assignment.panel}, field="region")
    if created:
        record_event(actor, "evaluations.assign", assignment, region_code=region_code, data={"panel": panel.name})
    return assignment


# --- the region's self-assessment ----------------------------------------------------------------

def _check_editable(submission: Submission) -> None:
    if not T.step("edit_answers").allowed_from(submission.status):
        raise InvalidTransition(_("Pengajuan terkunci (status %(status)s)") % {"status": S(submission.status).label})
    deadline = submission.deadline or submission.cycle.self_assessment_deadline
    if deadline and timezone.now() > deadline:
        raise DeadlinePassed(_("Batas waktu %(deadline)s sudah lewat")
                             % {"deadline": f"{timezone.localtime(deadline):%d-%m-%Y %H:%M}"})


def _indicator(submission: Submission, code: str) -> Any:
    pack = queries.cycle_pack(submission.cycle)
    node = next((n for n in pack.indicators() if n.code == code), None)
    if node is None:
        raise InvalidInput(_("Indikator %(code)r tidak ada dalam paket %(pack)s") % {"code": code, "pack": pack.code},
                           field="indicator")
    return pack, node


def _check_level(pack: Any, level: int | None, field: str = "level") -> None:
    if level is not None and not pack.scale_min <= level <= pack.scale_max:
        raise InvalidInput(_("Tingkat %(level)s di luar skala %(min)s–%(max)s")
                           % {"level": level, "min": pack.scale_min, "max": pack.scale_max}, field=field)


@transaction.atomic
def do_save_answer(actor: Any, submission: Submission, indicator: str, level: int | None,
                   justification: str = "", *, expected_version: int | None = None,
                   programme: Programme | None = None, source: str = "") -> Answer:
    """Save the region's answer to one indicator. `source` names where the level came from when it was not
    typed (e.g. "survey": the level the impact survey suggests), for the audit trail."""
    require(perms.can_edit_answers, actor, submission, _("Hanya koordinator daerah yang mengisi jawaban"))
    _check_editable(submission)
    pack, _node = _indicator(submission, indicator)
    _check_level(pack, level)
    check_values(Answer, {"justification": justification})
    if programme is not None and programme.region_id != submission.region_id:
        raise InvalidInput(_("Program bukan milik wilayah ini"), field="programme")
    existing = Answer.objects.filter(submission=submission, indicator=indicator).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise StaleEdit(_("Jawaban ini sudah tidak ada pada versi yang Anda lihat; muat ulang halaman"))
        answer = Answer.objects.create(submission=submission, indicator=indicator, level=level,
                                       justification=justification, programme=programme, updated_by=actor)
        old_level = None
    else:
        if expected_version is not None and expected_version != existing.version:
            raise StaleEdit(
                _("Jawaban ini baru saja diubah orang lain (versi Anda %(yours)s, sekarang %(current)s); "
                  "perubahan Anda belum disimpan — muat ulang lalu ulangi")
                % {"yours": expected_version, "current": existing.version},
                current=existing.version)
        updated = Answer.objects.filter(pk=existing.pk, version=existing.version).update(
            level=level, justification=justification, programme=programme, updated_by=actor,
            version=F("version") + 1, updated_at=timezone.now())
        if not updated:
            raise StaleEdit(_("Jawaban ini baru saja diubah orang lain; muat ulang lalu ulangi"))
        old_level = existing.level
        answer = Answer.objects.get(pk=existing.pk)
    record_event(actor, "evaluations.save_answer", answer, region_code=submission.region_id,
                 from_state="" if old_level is None else str(old_level),
                 to_state="" if level is None else str(level),
                 data={"indicator": indicator, **({"source": source} if source else {})})
    return answer


def _check_evidence_target(actor: Any, submission: Submission, programme: Programme | None) -> None:
    """Region gate, then the unit rule on what the evidence is filed under (its programme, or the
    submission itself when there is none — then only the coordinator)."""
    require(perms.can_add_evidence, actor, submission, _("Anda tidak boleh menambah bukti dukung di wilayah ini"))
    if programme is not None and programme.region_id != submission.region_id:
        raise InvalidInput(_("Program bukan milik wilayah ini"), field="programme")
    require(perms.can_write_evidence, actor, programme if programme is not None else submission,
            _("Operator unit hanya menambah bukti untuk program unitnya sendiri"))


@transaction.atomic
def do_save_iid(actor: Any, submission: Submission, answers: Mapping[str, int | None],
                innovations: Mapping[str, Mapping[str, int | None]]) -> int:
    """Save a self-assessment against a pack scored per innovation (IID): ``answers`` for the region's
    own indicators (SPD), ``innovations`` programme code -> indicator -> level for each innovation (a
    catalogue programme of the region flagged as one).  All or nothing; returns the number of levels
    that changed, recorded in one audit event."""
    from .models import InnovationAnswer

    require(perms.can_edit_answers, actor, submission, _("Hanya koordinator daerah yang mengisi jawaban"))
    _check_editable(submission)
    pack = queries.cycle_pack(submission.cycle)
    repeated = pack.repeated_codes()
    plain = {n.code for n in pack.indicators() if n.code not in repeated}
    per_innovation = {n.code for n in pack.indicators() if n.code in repeated}
    if not per_innovation:
        raise InvalidInput(_("Paket %(pack)s tidak dinilai per inovasi") % {"pack": pack.code}, field="pack")
    for code, level in answers.items():
        if code not in plain:
            raise InvalidInput(_("Indikator %(code)r tidak ada dalam paket %(pack)s")
                               % {"code": code, "pack": pack.code}, field=code)
        _check_level(pack, level, field=code)
    flagged = {p.code: p for p in queries.innovations(submission.region_id)}
    for prog, levels in innovations.items():
        if prog not in flagged:
            raise InvalidInput(_("%(code)s bukan inovasi daerah wilayah ini (tandai di katalog program)")
                               % {"code": prog}, field=prog)
        for code, level in levels.items():
            if code not in per_innovation:
                raise InvalidInput(_("Indikator %(code)r tidak dinilai per inovasi") % {"code": code}, field=code)
            _check_level(pack, level, field=f"{prog}.{code}")
    changed = 0
    current = {a.indicator: a for a in Answer.objects.filter(submission=submission, indicator__in=list(answers))}
    for code, level in answers.items():
        old = current.get(code)
        if old is None:
            if level is not None:
                Answer.objects.create(submission=submission, indicator=code, level=level, updated_by=actor)
                changed += 1
        elif old.level != level:
            Answer.objects.filter(pk=old.pk).update(level=level, updated_by=actor, version=F("version") + 1,
                                                    updated_at=timezone.now())
            changed += 1
    stored = {(a.programme_id, a.indicator): a for a in
              InnovationAnswer.objects.filter(submission=submission, programme__code__in=list(innovations))}
    for prog, levels in innovations.items():
        programme = flagged[prog]
        for code, level in levels.items():
            old_i = stored.get((programme.pk, code))
            if old_i is None:
                if level is not None:
                    InnovationAnswer.objects.create(submission=submission, programme=programme, indicator=code,
                                                    level=level, updated_by=actor)
                    changed += 1
            elif old_i.level != level:
                InnovationAnswer.objects.filter(pk=old_i.pk).update(
                    level=level, updated_by=actor, version=F("version") + 1, updated_at=timezone.now())
                changed += 1
    if changed:
        Submission.objects.filter(pk=submission.pk).update(version=F("version") + 1, updated_at=timezone.now())
        record_event(actor, "evaluations.save_iid", submission, region_code=submission.region_id,
                     data={"pack": f"{pack.code}@{pack.version}", "changed": changed,
                           "innovations": sorted(innovations)})
    return changed


@transaction.atomic
def do_add_evidence_file(actor: Any, submission: Submission, indicator: str, data: bytes, filename: str,
                         description: str = "", programme: Programme | None = None) -> Evidence:
    _check_evidence_target(actor, submission, programme)
    _check_editable(submission)
    _indicator(submission, indicator)
    try:
        checked = check_upload(data, filename, settings.EVIDENCE_MAX_BYTES)
    except UploadRejected as exc:
        raise InvalidInput(str(exc), field="file") from exc
    digest = hashlib.sha256(data).hexdigest()
    # One upload at a time per submission, so two identical uploads cannot both pass the check below.
    Submission.objects.select_for_update().filter(pk=submission.pk).first()
    same = (Evidence.objects.filter(submission=submission, kind=EvidenceKind.FILE, sha256=digest)
            .exclude(file="").order_by("archived_at", "id"))
    attached = same.filter(indicator=indicator, archived_at__isnull=True).first()
    if attached is not None:
        raise DuplicateEvidence(
            _("Berkas ini sudah terlampir pada indikator ini sebagai “%(name)s” (diunggah %(date)s); "
              "tidak disimpan dua kali") % {"name": attached.original_name,
                                             "date": f"{timezone.localtime(attached.uploaded_at):%d-%m-%Y %H:%M}"},
            field="file", evidence=attached.pk)
    evidence = Evidence(submission=submission, indicator=indicator, kind=EvidenceKind.FILE,
                        original_name=safe_display_name(filename), content_type=checked.content_type,
                        extension=checked.extension, size=checked.size, sha256=digest, description=description,
                        programme=programme, uploaded_by=actor)
    check_values(Evidence, {"description": description, "original_name": evidence.original_name})
    stored = same.first()
    if stored is not None and evidence.file.storage.exists(stored.file.name):
        # The same bytes already stored for this submission (another indicator, or archived): share that
        # file instead of writing a copy under another name.
        evidence.file.name = stored.file.name
    else:
        evidence.file.save("upload", ContentFile(data), save=False)
    evidence.save()
    record_event(actor, "evaluations.add_evidence", evidence, region_code=submission.region_id,
                 data={"indicator": indicator, "sha256": digest, "size": checked.size, "type": checked.content_type})
    return evidence


@transaction.atomic
def do_add_evidence_link(actor: Any, submission: Submission, indicator: str, url: str, *,
                         kind: str = EvidenceKind.LINK, duration_seconds: int | None = None,
                         description: str = "", programme: Programme | None = None) -> Evidence:
    _check_evidence_target(actor, submission, programme)
    _check_editable(submission)
    _indicator(submission, indicator)
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(_("Tautan harus diawali http:// atau https://"), field="url")
    if kind == EvidenceKind.VIDEO and (duration_seconds is None or duration_seconds > MAX_VIDEO_SECONDS):
        raise InvalidInput(_("Video bukti dukung paling lama 3 menit"), field="duration_seconds")
    attached = Evidence.objects.filter(submission=submission, indicator=indicator, url=url,
                                       archived_at__isnull=True).first()
    if attached is not None:
        raise DuplicateEvidence(_("Tautan ini sudah terlampir pada indikator ini; tidak disimpan dua kali"),
                                field="url", evidence=attached.pk)
    evidence = Evidence.objects.create(submission=submission, indicator=indicator, kind=kind, url=url,
                                       duration_seconds=duration_seconds, description=description,
                                       programme=programme, uploaded_by=actor)
    record_event(actor, "evaluations.add_evidence", evidence, region_code=submission.region_id,
                 data={"indicator": indicator, "url": url})
    return evidence


@transaction.atomic
def do_archive_evidence(actor: Any, evidence: Evidence, reason: str = "") -> Evidence:
    require(perms.can_add_evidence, actor, evidence.submission, _("Anda tidak boleh mengubah bukti dukung ini"))
    require(perms.can_write_evidence, actor, evidence,
            _("Bukti dukung ini milik unit lain; operator unit hanya mengarsipkan bukti program unitnya sendiri"))
    _check_editable(evidence.submission)
    Evidence.objects.filter(pk=evidence.pk).update(archived_at=timezone.now())
    record_event(actor, "evaluations.archive_evidence", evidence, region_code=evidence.submission.region_id,
                 reason=reason)
    evidence.refresh_from_db()
    return evidence


@transaction.atomic
def do_submit(actor: Any, submission: Submission, reason: str = "") -> Submission:
    _may(actor, submission, "submit")
    _check_editable(submission)
    errors = [c for c in queries.pre_submit_checks(submission) if c.severity == "error"]
    if errors:
        raise InvalidInput("; ".join(c.message for c in errors), checks=[c.code for c in errors])
    sub = _transition(actor, submission, "submit", reason)
    Submission.objects.filter(pk=sub.pk).update(submitted_at=timezone.now())
    IndicatorNote.objects.filter(submission=sub, kind=NoteKind.RETURN, resolved_at__isnull=True).update(
        resolved_at=timezone.now())
    notify.submission_received(sub)
    return sub


@transaction.atomic
def do_return(actor: Any, submission: Submission, notes: Mapping[str, str], reason: str = "") -> Submission:
    _may(actor, submission, "return")
    if not notes:
        raise InvalidInput(_("Tuliskan catatan untuk minimal satu indikator"), field="notes")
    for code in notes:
        _indicator(submission, code)
    sub = _transition(actor, submission, "return", reason, data={"indicators": sorted(notes)})
    IndicatorNote.objects.bulk_create([IndicatorNote(submission=sub, indicator=code, kind=NoteKind.RETURN, text=text,
                                                     author=actor) for code, text in notes.items()])
    notify.submission_returned(sub, notes)
    return sub


# --- assessment ----------------------------------------------------------------------------------

@transaction.atomic
def do_start_assessment(actor: Any, submission: Submission, reason: str = "") -> Submission:
    _may(actor, submission, "start_assessment")
    return _transition(actor, submission, "start_assessment", reason)


def _assessment(actor: Any, submission: Submission) -> Assessment:
    if not perms.is_assigned_assessor.test(actor, submission):
        if perms.has_conflict_of_interest.test(actor, submission):
            raise NotAllowed(_("Konflik kepentingan: Anda berasal dari wilayah ini"))
        raise NotAllowed(_("Wilayah ini tidak ditugaskan kepada Anda"))
    if not submission.cycle.assessment_open():
        raise NotAllowed(_("Di luar jendela penilaian"))
    if not T.step("score").allowed_from(submission.status):
        raise InvalidTransition(_("Pengajuan tidak sedang dinilai (status %(status)s)")
                                % {"status": S(submission.status).label})
    assessment, created = Assessment.objects.get_or_create(submission=submission, assessor=actor)
    if created:
        record_event(actor, "evaluations.start_scoring", assessment, region_code=submission.region_id)
    return assessment


@transaction.atomic
def do_score(actor: Any, submission: Submission, indicator: str, level: int, note: str = "", *,
             expected_version: int | None = None) -> AssessmentScore:
    assessment = _assessment(actor, submission)
    if assessment.status == AssessmentStatus.COMPLETE:
        raise InvalidTransition(_("Penilaian Anda sudah ditandai selesai"))
    pack, _node = _indicator(submission, indicator)
    _check_level(pack, level)
    existing = AssessmentScore.objects.filter(assessment=assessment, indicator=indicator).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise StaleEdit(_("Skor ini berubah sejak Anda membukanya; muat ulang"))
        score = AssessmentScore.objects.create(assessment=assessment, indicator=indicator, level=level, note=note)
        old = ""
    else:
        if expected_version is not None and expected_version != existing.version:
            raise StaleEdit(_("Skor ini baru saja diubah di jendela lain; perubahan Anda belum disimpan — muat ulang"),
                            current=existing.version)
        check_values(AssessmentScore, {"note": note})
        if not AssessmentScore.objects.filter(pk=existing.pk, version=existing.version).update(
                level=level, note=note, version=F("version") + 1):
            raise StaleEdit(_("Skor ini baru saja diubah di jendela lain; muat ulang"))
        old = str(existing.level)
        score = AssessmentScore.objects.get(pk=existing.pk)
    record_event(actor, "evaluations.score", score, region_code=submission.region_id, from_state=old,
                 to_state=str(level), data={"indicator": indicator})
    return score


@transaction.atomic
def do_complete_assessment(actor: Any, submission: Submission) -> Assessment:
    assessment = _assessment(actor, submission)
    pack = queries.cycle_pack(submission.cycle)
    scored = set(assessment.scores.filter(archived_at__isnull=True).values_list("indicator", flat=True))
    missing = [n.code for n in pack.indicators() if n.code not in scored]
    if missing:
        raise InvalidInput(ngettext("%(n)d indikator belum Anda nilai", "%(n)d indikator belum Anda nilai", len(missing))
                           % {"n": len(missing)}, missing=missing[:20])
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.COMPLETE, completed_at=timezone.now(),
                                                       version=F("version") + 1)
    record_event(actor, "evaluations.complete_assessment", assessment, region_code=submission.region_id,
                 from_state=AssessmentStatus.DRAFT, to_state=AssessmentStatus.COMPLETE)
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def do_feedback(actor: Any, submission: Submission, programme: Programme, *, strengths: str = "",
                weaknesses: str = "", recommendation: str = "") -> Feedback:
    _assessment(actor, submission)
    if programme.region_id != submission.region_id:
        raise InvalidInput(_("Program bukan milik wilayah ini"), field="programme")
    if not (strengths or weaknesses or recommendation):
        raise InvalidInput(_("Isi minimal satu dari kekuatan, kelemahan atau rekomendasi"), field="recommendation")
    fb = Feedback.objects.create(submission=submission, programme=programme, assessor=actor, strengths=strengths,
                                 weaknesses=weaknesses, recommendation=recommendation)
    record_event(actor, "evaluations.feedback", fb, region_code=submission.region_id,
                 data={"programme": programme.code})
    return fb


@transaction.atomic
def do_record_interview(actor: Any, submission: Submission, *, at: dt.datetime, meeting_url: str = "",
                        minutes: str = "") -> Interview:
    _assessment(actor, submission)
    interview = Interview.objects.create(submission=submission, at=at, meeting_url=meeting_url, minutes=minutes,
                                         recorded_by=actor)
    record_event(actor, "evaluations.interview", interview, region_code=submission.region_id)
    return interview


@transaction.atomic
def do_set_consensus(actor: Any, submission: Submission, levels: Mapping[str, int], note: str = "",
                     expected_version: int | None = None) -> int:
    """Set the panel's agreed levels. With `expected_version` (the API's optimistic lock) the write goes
    through only if the consensus is still at the version the caller saw (`queries.consensus_version`)."""
    require(T.who("set_consensus"), actor, submission, str(T.step("set_consensus").refusal))
    if not T.step("set_consensus").allowed_from(submission.status):
        raise InvalidTransition(_("Konsensus tidak bisa diubah pada status %(status)s")
                                % {"status": S(submission.status).label})
    if expected_version is not None:
        # One writer at a time per submission, so the version compared is the version written over.
        Submission.objects.select_for_update().filter(pk=submission.pk).first()
        if queries.consensus_version(submission) != expected_version:
            raise StaleEdit(_("Konsensus sudah diubah orang lain sejak Anda membukanya; muat ulang lalu ulangi"))
    pack = queries.cycle_pack(submission.cycle)
    for code, level in levels.items():
        _indicator(submission, code)
        _check_level(pack, level, field=code)
    changed = 0
    for code, level in levels.items():
        obj, created = ConsensusScore.objects.get_or_create(
            submission=submission, indicator=code, defaults={"level": level, "note": note, "set_by": actor})
        if not created and obj.level != level:
            old = obj.level
            check_values(ConsensusScore, {"note": note})
            ConsensusScore.objects.filter(pk=obj.pk).update(level=level, note=note, set_by=actor,
                                                            set_at=timezone.now())
            record_event(actor, "evaluations.consensus", obj, region_code=submission.region_id,
                         from_state=str(old), to_state=str(level), data={"indicator": code})
            changed += 1
        elif created:
            record_event(actor, "evaluations.consensus", obj, region_code=submission.region_id,
                         to_state=str(level), data={"indicator": code})
            changed += 1
    if changed and submission.status == S.ASSESSED:
        compute_result(actor, submission)
    return changed


@transaction.atomic
def do_conclude(actor: Any, submission: Submission, reason: str = "") -> Submission:
    """The panel is done: compute the region's result from consensus and assessor levels."""
    _may(actor, submission, "conclude")
    sheets = queries.assessor_sheets(submission, complete_only=True)
    if not sheets and not queries.consensus_levels(submission):
        raise InvalidInput(_("Belum ada penilaian asesor yang selesai"))
    sub = _transition(actor, submission, "conclude", reason)
    compute_result(actor, sub)
    notify.assessment_complete(sub)
    return sub


def compute_result(actor: Any, submission: Submission) -> Result:
    """Score a submission with the cycle's pack and store it. A published (frozen) result never changes."""
    cycle = submission.cycle
    existing = Result.objects.filter(cycle=cycle, region_id=submission.region_id).first()
    if existing is not None and existing.frozen_at is not None:
        raise InvalidTransition(_("Hasil sudah diterbitkan dan dibekukan"))
    pack = queries.cycle_pack(cycle)
    previous = queries.previous_index(submission)
    outcome = engine.score(pack, answers=queries.panel_levels(submission), previous=previous)
    return store_result(actor, cycle, submission.region_id, outcome, pack, previous=previous)


def _provenance_of(cycle: Cycle) -> dict[str, str]:
    """Region -> provenance of its participation, for the participations that are not plain entered data."""
    return dict(Participation.objects.filter(cycle=cycle).exclude(provenance=Provenance.ENTERED)
                .values_list("region_id", "provenance"))


def store_result(actor: Any, cycle: Cycle, region_code: str, outcome: Any, pack: Any, *,
                 previous: Decimal | None = None, is_demo: bool = False, provenance: str | None = None) -> Result:
    """``provenance``: where the figures come from (core.provenance); by default the participation's."""
    data = outcome.to_dict()
    if provenance is None:
        provenance = _provenance_of(cycle).get(region_code, Provenance.ENTERED)
    values = {
        "pack_code": pack.code, "pack_version": pack.version, "pack_digest": pack.digest,
        "index": outcome.index, "index_raw": str(outcome.index_raw), "mean": outcome.mean,
        "dimensions": data["dimensions"], "dimensions_raw": data.get("dimensions_raw", {}),
        "pillars": data.get("pillars", {}),
        "predicate": data.get("predicate") or "",
        "previous_index": previous,
        "improvement": outcome.improvement, "trace": data.get("trace", []), "computed_at": timezone.now(),
        "is_demo": is_demo, "provenance": provenance,
    }
    if isinstance(values["predicate"], dict):
        values["predicate"] = values["predicate"].get("label", "")
    result, created = Result.objects.update_or_create(cycle=cycle, region_id=region_code, defaults=values)
    record_event(actor, "evaluations.compute_result", result, region_code=region_code,
                 to_state=str(outcome.index), data={"pack": f"{pack.code}@{pack.version}", "created": created})
    return result


@transaction.atomic
def do_recompute(actor: Any, cycle: Cycle) -> int:
    """Recompute every assessed/final result of a cycle at once and re-rank; frozen results stay."""
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menghitung ulang"))
    return recompute_cycle(actor, cycle)


# --- national recompute: all regions at once ---------------------------------------------------------
# A national cycle has 514 regions x 51 indicators x 4-5 assessors. Scoring them one by one (queries per
# region, the engine's full trace per region, one save per region) takes seconds; here the rows are read
# with one query, scored with numpy by scoring.batch (the engine's numbers exactly), and written with one
# upsert. The trace is stored as its inputs and rebuilt by the engine when somebody opens it
# (queries.result_trace).

# The database sums the assessors' levels per submission x indicator (integers: exact), so a fifth of
# the rows travel; the panel level is sum / count, as aggregate_assessors computes it.
_SCORE_CELLS_SQL = (
    "SELECT a.submission_id, sc.indicator, SUM(sc.level), COUNT(*) FROM evaluations_assessmentscore sc "
    "JOIN evaluations_assessment a ON a.id = sc.assessment_id "
    "JOIN evaluations_submission s ON s.id = a.submission_id "
    "WHERE s.cycle_id = %s AND s.status IN (%s, %s) AND sc.archived_at IS NULL "
    "GROUP BY a.submission_id, sc.indicator"
)


@dataclass
class CycleRows:
    """Everything a national recompute reads, as arrays; row i of the arrays is ``regions[i]``."""

    regions: list[str]
    submissions: list[int]
    existing: dict[str, tuple[int, Decimal, bool, Any, int | None]]  # region -> (pk, index, published, frozen_at, rank)
    region_idx: Any  # per cell: row in ``regions`` (-1: a submission not recomputed)
    indicator_idx: Any  # per cell: column in the pack's indicators (-1: no indicator)
    sums: Any  # per cell: sum of the assessors' levels
    counts: Any  # per cell: number of assessors who gave a level
    consensus: Any  # (k, 3) array: region row, indicator column, level
    previous: list[Decimal | None]

    @property
    def odd(self) -> bool:
        """A level for a code that is not an indicator of the pack: only the engine knows what it means."""
        import numpy as np

        return bool(np.any((self.region_idx >= 0) & (self.indicator_idx < 0))) or bool(
            np.any(self.consensus[:, 1] < 0))


def _recompute_submissions(cycle: Cycle) -> dict[str, int]:
    """region -> the submission to score: of its assessed/final submissions, the furthest stage."""
    order = {s.value: i for i, s in enumerate(Stage)}
    chosen: dict[str, tuple[int, int]] = {}
    for pk, region, stage in Submission.objects.filter(cycle=cycle, status__in=[S.ASSESSED, S.FINAL]) \
            .values_list("pk", "region_id", "stage"):
        key = (order.get(stage, -1), pk)
        if region not in chosen or key > chosen[region]:
            chosen[region] = key
    return {region: key[1] for region, key in chosen.items()}


def _previous_indices(cycle: Cycle, regions: Iterable[str]) -> dict[str, Decimal]:
    """Each region's latest published index before this cycle's year (queries.previous_index, in bulk)."""
    out: dict[str, Decimal] = {}
    wanted = set(regions)
    for region, index in (Result.objects.filter(is_published=True, cycle__year__lt=cycle.year)
                          .order_by("region_id", "-cycle__year", "-pk").values_list("region_id", "index")):
        if region in wanted and region not in out:
            out[region] = Decimal(index)
    return out


def read_cycle_rows(cycle: Cycle) -> CycleRows:
    """Read a cycle for a national recompute: a handful of queries whatever the number of regions. The
    rows (262k cells at 5,140 regions) are read with the garbage collector paused (core.gcpause)."""
    with collection_paused():
        return _read_cycle_rows(cycle)


def _read_cycle_rows(cycle: Cycle) -> CycleRows:
    import numpy as np
    from django.db import connection

    pack = queries.cycle_pack(cycle)
    existing = {r: (pk, Decimal(idx), pub, frozen, rank) for pk, r, idx, pub, frozen, rank in
                Result.objects.filter(cycle=cycle).values_list("pk", "region_id", "index", "is_published",
                                                               "frozen_at", "rank")}
    chosen = {r: sub for r, sub in _recompute_submissions(cycle).items()
              if r not in existing or existing[r][3] is None}
    regions = sorted(chosen)
    row_of_sub = {chosen[r]: i for i, r in enumerate(regions)}
    pos = {code: i for i, code in enumerate(queries.indicator_codes(pack))}

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The GROUP BY holds one hash entry per submission x indicator (262k at 5,140 regions). With
            # PostgreSQL's default 4 MB of work_mem it spilled to disk in 21 batches and the read grew
            # 15x for 10x the regions (bench/RESULTS.md, 1); 128 MB keeps a national cycle in memory. LOCAL:
            # it ends with the transaction (the caller's recompute, when there is one).
            cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(_SCORE_CELLS_SQL, [cycle.pk, S.ASSESSED.value, S.FINAL.value])
        rows = cursor.fetchall()
    count = len(rows)
    subs, codes, sums, counts = zip(*rows, strict=True) if rows else ((), (), (), ())
    cons = [(row_of_sub[s], pos.get(code, -1), lvl) for s, code, lvl in
            ConsensusScore.objects.active().filter(submission_id__in=list(row_of_sub))
            .values_list("submission_id", "indicator", "level")]
    previous = _previous_indices(cycle, regions)
    return CycleRows(
        regions=regions, submissions=[chosen[r] for r in regions], existing=existing,
        region_idx=np.fromiter((row_of_sub.get(s, -1) for s in subs), dtype=np.int64, count=count),
        indicator_idx=np.fromiter((pos.get(c, -1) for c in codes), dtype=np.int64, count=count),
        sums=np.fromiter(sums, dtype=np.int64, count=count),
        counts=np.fromiter(counts, dtype=np.int64, count=count),
        consensus=np.array(cons, dtype=np.int64).reshape(-1, 3),
        previous=[previous.get(r) for r in regions],
    )


def score_cycle_rows(cycle: Cycle, rows: CycleRows) -> tuple[list[Any], list[list[dict[str, Any]]]]:
    """(scores, traces) per region: with scoring.batch when the pack is linear (traces stored as their
    inputs), else with the engine region by region (full traces)."""
    from kotacerdas.scoring import batch

    pack = queries.cycle_pack(cycle)
    n = len(rows.regions)
    if _batchable(pack) and not rows.odd:
        keep = (rows.region_idx >= 0) & (rows.indicator_idx >= 0)
        c = rows.consensus
        sums, counts = batch.levels_from_rows(pack, rows.region_idx[keep], rows.indicator_idx[keep],
                                              rows.sums[keep], n, consensus=(c[:, 0], c[:, 1], c[:, 2]),
                                              counts=rows.counts[keep])
        batched: list[Any] = batch.score_levels(pack, sums, counts, rows.previous)
        sums_l, counts_l = sums.tolist(), counts.tolist()
        return batched, [[batch.inputs_step(pack, sums_l[i], counts_l[i], rows.previous[i])] for i in range(n)]
    # Not linear (max/min rules, other missing policies, median) or a level for a code that is no
    # indicator: the engine, region by region; its full trace is at hand, so it is stored.
    scores: list[Any] = []
    traces: list[list[dict[str, Any]]] = []
    for i, r in enumerate(rows.regions):
        panel = queries.panel_levels(Submission(pk=rows.submissions[i], cycle=cycle, region_id=r))
        res = engine.score(pack, answers=panel, previous=rows.previous[i])
        scores.append(res)
        traces.append(res.to_dict()["trace"])
    return scores, traces


def store_cycle_scores(actor: Any, cycle: Cycle, rows: CycleRows, scores: list[Any],
                       traces: list[list[dict[str, Any]]]) -> int:
    """Write the results of a recompute with one upsert, rank the cycle (rank_cycle's rules) and write the
    audit events in bulk. ``scores`` need index, index_raw, mean, dimensions, pillars, predicate,
    improvement (a ScoreResult or a batch.BatchScore)."""
    from kotacerdas.accounts.models import AuditEvent

    pack = queries.cycle_pack(cycle)
    regions, existing = rows.regions, rows.existing
    now = timezone.now()
    new_index = {r: Decimal(o.index) for r, o in zip(regions, scores, strict=True)}
    pool = {r: (v[1], v[2]) for r, v in existing.items()}
    pool.update({r: (idx, pool.get(r, (idx, False))[1]) for r, idx in new_index.items()})
    published = {r: v for r, (v, pub) in pool.items() if pub}
    ranks = competition_ranks(published or {r: v for r, (v, _) in pool.items()})

    def floats(values: Mapping[str, Any]) -> dict[str, float | None]:
        return {k: None if v is None else float(v) for k, v in values.items()}

    def exact(values: Mapping[str, Any]) -> dict[str, str | None]:
        return {k: None if v is None else str(v) for k, v in values.items()}

    provenance = _provenance_of(cycle)

    result_rows = [{
        "cycle_id": cycle.pk, "region_id": r, "pack_code": pack.code, "pack_version": pack.version,
        "pack_digest": pack.digest, "index": o.index, "index_raw": str(o.index_raw), "mean": o.mean,
        "dimensions": floats(o.dimensions), "dimensions_raw": exact(getattr(o, "dimensions_raw", {})),
        "pillars": floats(o.pillars),
        "predicate": o.predicate.label if o.predicate else "", "previous_index": rows.previous[i],
        "improvement": o.improvement, "rank": ranks.get(r), "trace": traces[i], "computed_at": now,
        "is_published": False, "frozen_at": None, "is_demo": cycle.is_demo,
        "provenance": provenance.get(r, Provenance.ENTERED),
    } for i, (r, o) in enumerate(zip(regions, scores, strict=True))]
    updated = ["pack_code", "pack_version", "pack_digest", "index", "index_raw", "mean", "dimensions",
               "dimensions_raw", "pillars",
               "predicate", "previous_index", "improvement", "rank", "trace", "computed_at"]
    _upsert(Result, result_rows, ["cycle_id", "region_id"], updated)
    # Results not recomputed here (frozen, or no longer assessed) keep their index; only their rank moves.
    moved = [Result(pk=v[0], rank=ranks.get(r)) for r, v in existing.items()
             if r not in new_index and ranks.get(r) != v[4]]
    if moved:
        Result.objects.bulk_update(moved, ["rank"], batch_size=1000)

    pks = dict(Result.objects.filter(cycle=cycle, region_id__in=regions).values_list("region_id", "pk"))
    user_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = f"{pack.code}@{pack.version}"

    def event(action: str, object_type: str, object_id: Any, region: str, to: str, data: dict[str, Any]
              ) -> dict[str, Any]:
        return {"at": now, "actor_id": user_id, "action": action, "object_type": object_type,
                "object_id": str(object_id), "region_code": region, "from_state": "", "to_state": to,
                "reason": "", "data": data}

    events = [event("evaluations.compute_result", "evaluations.result", pks[r], r, str(new_index[r]),
                    {"pack": label, "created": r not in existing, "recompute": True}) for r in regions]
    events.append(event("evaluations.recompute", "evaluations.cycle", cycle.pk, "", str(len(regions)),
                        {"pack": label, "results": len(regions)}))
    _insert(AuditEvent, events)
    return len(regions)


def _copy_rows(cursor: Any, table: str, fields: list[Any], rows: list[dict[str, Any]]) -> None:
    """COPY plain rows (keyed by attname) into ``table``; JSON fields are sent as jsonb."""
    from django.db import connection
    from django.db.models import JSONField
    from psycopg.types.json import Jsonb

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    json_cols = {f.attname for f in fields if isinstance(f, JSONField)}
    # A field the rows leave out (they are built alike) takes the model's default, as bulk_create (the
    # SQLite path) gives it: a field added to the model later must not break the COPY.
    defaults = {f.attname: f.get_default() for f in fields if rows and f.attname not in rows[0]}
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = [row.get(n, defaults[n]) if n in defaults else row[n] for n in names]
            copy.write_row([Jsonb(v) if n in json_cols else v for n, v in zip(names, values, strict=True)])


def _upsert(model: Any, rows: list[dict[str, Any]], unique: list[str], update: list[str]) -> None:
    """Insert or update plain rows (every concrete field but the primary key, by attname) in one
    statement. On PostgreSQL through COPY into a temporary table: with Django's client-side parameter
    binding, bulk_create quotes every element of its UNNEST arrays in Python, and building 514 model
    instances costs as much as scoring the whole nation."""
    from django.db import connection

    if connection.vendor != "postgresql" or not rows:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000, update_conflicts=True,
                                  unique_fields=unique, update_fields=update)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    q = connection.ops.quote_name
    by_attname = {f.attname: f.column for f in fields}
    cols = ", ".join(q(f.column) for f in fields)
    conflict = ", ".join(q(by_attname[u]) for u in unique)
    sets = ", ".join(f"{q(by_attname[u])} = EXCLUDED.{q(by_attname[u])}" for u in update)
    temp = f"kc_upsert_{meta.db_table}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS "
                       f"SELECT {cols} FROM {meta.db_table} WITH NO DATA")
        _copy_rows(cursor, temp, fields, rows)
        cursor.execute(f"INSERT INTO {meta.db_table} ({cols}) SELECT {cols} FROM {temp} "
                       f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}")
        cursor.execute(f"TRUNCATE {temp}")


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Append-only plain rows (audit events) in one go: COPY on PostgreSQL, bulk_create elsewhere.
    Audit rows written this way bypass ``record_event``, so the data versions are bumped here, in the
    same transaction (core.dataversion)."""
    from django.db import connection

    from kotacerdas.core import dataversion

    if model._meta.label_lower == "accounts.auditevent":
        dataversion.touch_many((row["action"], row.get("region_code", "")) for row in rows)
    if connection.vendor != "postgresql" or not rows:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        _copy_rows(cursor, model._meta.db_table, fields, rows)


@transaction.atomic
def recompute_cycle(actor: Any, cycle: Cycle) -> int:
    """Score every assessed/final submission of ``cycle`` (panel levels: consensus, else the assessors'
    aggregate) and store results and ranks in one transaction. Frozen (published) results stay as they
    are. Returns the number of results written. The caller checks permission (see do_recompute).
    Rows, scores and audit events are plain data: the garbage collector is paused (core.gcpause)."""
    with collection_paused():
        rows = read_cycle_rows(cycle)
        scores, traces = score_cycle_rows(cycle, rows)
        return store_cycle_scores(actor, cycle, rows, scores, traces)


def _batchable(pack: Any) -> bool:
    from kotacerdas.scoring import batch

    if pack.assessor_aggregation != "mean" or not pack.is_classic:
        # A sum pack (IID) scores per-innovation answers, which the assessors' rows do not carry.
        return False
    try:
        batch.compiled(pack)
    except batch.NotBatchable:
        return False
    return True


@transaction.atomic
def do_finalise(actor: Any, submission: Submission, reason: str = "") -> Submission:
    _may(actor, submission, "finalise")
    return _transition(actor, submission, "finalise", reason)


@transaction.atomic
def do_publish(actor: Any, cycle: Cycle, reason: str = "") -> int:
    """Publish every final result of the cycle: rank them, freeze them, tell the regions."""
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menerbitkan hasil"))
    finals = list(Submission.objects.filter(cycle=cycle, status=S.FINAL).select_related("cycle"))
    if not finals:
        raise InvalidInput(_("Belum ada hasil final untuk diterbitkan"))
    now = timezone.now()
    for sub in finals:
        _transition(actor, sub, "publish", reason)
    regions = [s.region_id for s in finals]
    Result.objects.filter(cycle=cycle, region_id__in=regions).update(is_published=True, frozen_at=now)
    rank_cycle(cycle)
    if cycle.stage != Stage.PUBLISHED:
        old = cycle.stage
        Cycle.objects.filter(pk=cycle.pk).update(stage=Stage.PUBLISHED, published_at=now)
        record_event(actor, "evaluations.publish_cycle", cycle, from_state=old, to_state=Stage.PUBLISHED,
                     reason=reason, data={"regions": len(regions)})
    for sub in finals:
        notify.published(sub)
    return len(finals)


def rank_cycle(cycle: Cycle) -> None:
    """Standard competition ranking (1, 2, 2, 4) by index, among published results when any exist."""
    results = list(Result.objects.filter(cycle=cycle).only("pk", "index", "is_published", "region_id"))
    published = [r for r in results if r.is_published]
    pool = published or results
    ranks = competition_ranks({r.pk: Decimal(r.index) for r in pool})
    for r in results:
        r.rank = ranks.get(r.pk)
    Result.objects.bulk_update(results, ["rank"], batch_size=500)


def competition_ranks(values: Mapping[Any, Decimal]) -> dict[Any, int]:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))
    ranks: dict[Any, int] = {}
    prev: Decimal | None = None
    rank = 0
    for position, (key, value) in enumerate(ordered, start=1):
        if value != prev:
            rank, prev = position, value
        ranks[key] = rank
    return ranks


# --- national administration: participants in bulk, suggestion, schedule, reminders, reopen, corrections ---

def _admin_only(actor: Any, message: str) -> None:
    if not roles.is_national_admin(actor):
        raise NotAllowed(message)


def default_region_classes(cycle: Cycle, codes: Iterable[str]) -> dict[str, str]:
    """Kelas A when the region's last published index before this cycle reaches the cycle's threshold,
    else Kelas B (and B for every region when the cycle sets no threshold)."""
    codes = list(codes)
    if cycle.class_a_min_index is None:
        return dict.fromkeys(codes, RegionClass.B.value)
    previous = _previous_indices(cycle, codes)
    threshold = Decimal(cycle.class_a_min_index)
    return {c: RegionClass.A.value if c in previous and previous[c] >= threshold else RegionClass.B.value
            for c in codes}


@transaction.atomic
def do_add_participants(actor: Any, cycle: Cycle, rows: Mapping[str, str | None], cohort: str = "") -> int:
    """Add many kab/kota to a cycle at once (the 514 of a national cycle in one go): every code is checked
    first and nothing is written when one is wrong; regions already taking part are left as they are.
    A region without a kelas gets the cycle's default (default_region_classes). Returns how many were added."""
    from kotacerdas.accounts.models import AuditEvent

    _admin_only(actor, _("Hanya admin nasional yang menetapkan peserta"))
    if cycle.stage in (Stage.FINAL, Stage.PUBLISHED):
        raise InvalidTransition(_("Peserta tidak bisa ditambah pada tahap %(stage)s")
                                % {"stage": cycle.get_stage_display()})
    codes = [c.strip() for c in rows]
    known = set(Region.objects.filter(code__in=codes, level="kabkota").values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(_("Kode kabupaten/kota tidak dikenal: %(codes)s") % {"codes": ", ".join(unknown[:20])},
                           field="region", codes=unknown[:100])
    wrong = [c for c, k in rows.items() if k and k not in RegionClass.values]
    if wrong:
        raise InvalidInput(_("Kelas harus A atau B: %(codes)s") % {"codes": ", ".join(wrong[:20])}, field="region_class")
    existing = set(Participation.objects.filter(cycle=cycle, region_id__in=codes).values_list("region_id", flat=True))
    new = [c for c in dict.fromkeys(codes) if c not in existing]
    if not new:
        return 0
    defaults = default_region_classes(cycle, [c for c in new if not rows.get(c)])
    classes = {c: rows.get(c) or defaults[c] for c in new}
    stage = _entry_stage(cycle)
    Participation.objects.bulk_create([Participation(cycle=cycle, region_id=c, region_class=classes[c], cohort=cohort)
                                       for c in new], batch_size=1000)
    have_sub = set(Submission.objects.filter(cycle=cycle, stage=stage, region_id__in=new)
                   .values_list("region_id", flat=True))
    Submission.objects.bulk_create([Submission(cycle=cycle, region_id=c, stage=stage,
                                               deadline=cycle.self_assessment_deadline)
                                    for c in new if c not in have_sub], batch_size=1000)
    parts = dict(Participation.objects.filter(cycle=cycle, region_id__in=new).values_list("region_id", "pk"))
    subs = dict(Submission.objects.filter(cycle=cycle, stage=stage, region_id__in=new)
                .exclude(region_id__in=have_sub).values_list("region_id", "pk"))
    now = timezone.now()
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None

    def event(action: str, object_type: str, pk: Any, region: str, to: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"at": now, "actor_id": user_id, "action": action, "object_type": object_type, "object_id": str(pk),
                "region_code": region, "from_state": "", "to_state": to, "reason": "", "data": data}

    events = [event("evaluations.add_participant", "evaluations.participation", parts[c], c, "",
                    {"class": classes[c], "bulk": True}) for c in new]
    events += [event("evaluations.create_submission", "evaluations.submission", pk, c, S.DRAFT.value,
                     {"stage": stage}) for c, pk in subs.items()]
    _insert(AuditEvent, events)
    return len(new)


@dataclass
class Suggestion:
    """A proposed assignment of unassigned participants to panels, and why some could not be placed."""

    assignments: list[tuple[str, Panel]]
    unplaced: dict[str, str]

    def load(self) -> dict[str, int]:
        from collections import Counter

        return dict(Counter(p.name for _r, p in self.assignments))


def panel_conflicts(cycle: Cycle, panels: Iterable[Panel]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Per panel: the regions its members belong to, and (when the cycle asks) their provinces."""
    from kotacerdas.accounts.models import Membership

    panels = list(panels)
    members: dict[int, set[int]] = {p.pk: set() for p in panels}
    for panel_id, user_id in Panel.members.through.objects.filter(panel_id__in=list(members)).values_list(
            "panel_id", "user_id"):
        members[panel_id].add(user_id)
    homes: dict[int, set[str]] = {}
    for user_id, region_id in Membership.objects.filter(
            user_id__in={u for us in members.values() for u in us}, active=True, region__isnull=False
    ).values_list("user_id", "region_id"):
        homes.setdefault(user_id, set()).add(region_id)
    regions = {pk: {r for u in us for r in homes.get(u, ())} for pk, us in members.items()}
    provinces = {pk: {r.split(".")[0] for r in rs} for pk, rs in regions.items()} if cycle.coi_same_province \
        else {pk: set() for pk in regions}
    return regions, provinces


def suggest_assignments(cycle: Cycle) -> Suggestion:
    """Place every unassigned participant on a panel of its kelas whose members have no conflict of
    interest with it (a member of the region, or of its province when the cycle asks), the least loaded
    panel first (ties by name): load stays within one region of the mean whenever conflicts allow."""
    from collections import Counter

    panels = sorted(Panel.objects.filter(cycle=cycle), key=lambda p: p.name)
    regions, provinces = panel_conflicts(cycle, panels)
    load = Counter(Assignment.objects.filter(cycle=cycle, active=True).values_list("panel_id", flat=True))
    assigned = set(Assignment.objects.filter(cycle=cycle).values_list("region_id", flat=True))
    out: list[tuple[str, Panel]] = []
    unplaced: dict[str, str] = {}
    for code, klass in Participation.objects.filter(cycle=cycle).order_by("region_id").values_list(
            "region_id", "region_class"):
        if code in assigned:
            continue
        same_class = [p for p in panels if p.region_class == klass]
        if not same_class:
            unplaced[code] = _("Tidak ada panel Kelas %(kelas)s") % {"kelas": klass}
            continue
        free = [p for p in same_class if code not in regions[p.pk] and code.split(".")[0] not in provinces[p.pk]]
        if not free:
            unplaced[code] = _("Semua panel Kelas %(kelas)s punya konflik kepentingan dengan wilayah ini") % {
                "kelas": klass}
            continue
        best = min(free, key=lambda p: (load[p.pk], p.name))
        load[best.pk] += 1
        out.append((code, best))
    return Suggestion(out, unplaced)


@transaction.atomic
def do_apply_suggestion(actor: Any, cycle: Cycle) -> Suggestion:
    """Assign every participant that suggest_assignments can place, in one go (one audit event each)."""
    from kotacerdas.accounts.models import AuditEvent

    _admin_only(actor, _("Hanya admin nasional yang menugaskan panel"))
    suggestion = suggest_assignments(cycle)
    if not suggestion.assignments:
        return suggestion
    Assignment.objects.bulk_create([Assignment(cycle=cycle, panel=p, region_id=code)
                                    for code, p in suggestion.assignments], batch_size=1000)
    pks = dict(Assignment.objects.filter(cycle=cycle, region_id__in=[c for c, _p in suggestion.assignments])
               .values_list("region_id", "pk"))
    now = timezone.now()
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    _insert(AuditEvent, [
        {"at": now, "actor_id": user_id, "action": "evaluations.assign", "object_type": "evaluations.assignment",
         "object_id": str(pks[code]), "region_code": code, "from_state": "", "to_state": "", "reason": "",
         "data": {"panel": p.name, "suggested": True}} for code, p in suggestion.assignments])
    record_event(actor, "evaluations.suggest_assignments", cycle, to_state=str(len(suggestion.assignments)),
                 data={"assigned": len(suggestion.assignments), "unplaced": len(suggestion.unplaced)})
    return suggestion


@transaction.atomic
def do_schedule_meeting(actor: Any, cycle: Cycle, region_code: str, *, date: dt.date, time: dt.time,
                        tz: str = "WIB", meeting_url: str = "", place: str = "", duration_minutes: int = 120,
                        notify_people: bool = True, expected_version: int | None = None) -> Meeting:
    """Set (or move) a region's Tahap II meeting and send the invitation with an .ics attachment to the
    region's coordinators and its panel. ``expected_version``: the version of the slot the person saw (0:
    none yet); a slot moved meanwhile is refused (StaleEdit) instead of overwritten."""
    from zoneinfo import ZoneInfo

    _admin_only(actor, _("Hanya admin nasional yang menjadwalkan Tahap II"))
    if not Participation.objects.filter(cycle=cycle, region_id=region_code).exists():
        raise InvalidInput(_("Wilayah %(region)s bukan peserta siklus ini") % {"region": region_code}, field="region")
    if tz not in TZ_NAMES:
        raise InvalidInput(_("Zona waktu harus WIB, WITA atau WIT"), field="timezone")
    meeting_url, place = meeting_url.strip(), place.strip()
    if not (meeting_url or place):
        raise InvalidInput(_("Isi tautan rapat daring atau tempat pertemuan"), field="meeting_url")
    if meeting_url and not meeting_url.startswith(("https://", "http://")):
        raise InvalidInput(_("Tautan harus diawali http:// atau https://"), field="meeting_url")
    if not 15 <= duration_minutes <= 600:
        raise InvalidInput(_("Durasi 15–600 menit"), field="duration_minutes")
    starts = dt.datetime.combine(date, time, tzinfo=ZoneInfo(TZ_NAMES[tz]))
    values = {"starts_at": starts, "timezone": tz, "meeting_url": meeting_url, "place": place,
              "duration_minutes": duration_minutes, "scheduled_by": actor}
    meeting = Meeting.objects.filter(cycle=cycle, region_id=region_code).first()
    current = 0 if meeting is None else meeting.version
    if expected_version is not None and expected_version != current:
        raise StaleEdit(_("Jadwal ini baru saja diubah orang lain (versi Anda %(yours)s, sekarang %(current)s); "
                          "muat ulang lalu ulangi") % {"yours": expected_version, "current": current},
                        current=current)
    old = ""
    if meeting is None:
        meeting = Meeting.objects.create(cycle=cycle, region_id=region_code, **values)
    else:
        old = f"{timezone.localtime(meeting.starts_at, ZoneInfo(TZ_NAMES[meeting.timezone])):%Y-%m-%d %H:%M} " \
              f"{meeting.timezone}"
        Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1, updated_at=timezone.now(), **values)
        meeting.refresh_from_db()
    record_event(actor, "evaluations.schedule_meeting", meeting, region_code=region_code, from_state=old,
                 to_state=f"{date:%Y-%m-%d} {time:%H:%M} {tz}", data={"url": meeting_url, "place": place})
    if notify_people:
        notify.meeting_scheduled(meeting)
    return meeting


@transaction.atomic
def do_remind(actor: Any, cycle: Cycle, regions: Iterable[str] | None = None, *,
              days: Collection[int] | None = None) -> int:
    """Remind the coordinators of regions that have not submitted (all such regions, or the ones named).
    Returns the number of emails sent.

    Without `days`: a national admin reminds now, about the cycle's current stage (web, API, `kotacerdas
    cycle remind`). With `days`: the daily scheduled run (`kotacerdas remind`; actor None = the installation's
    scheduler) reminds about every open submission of the cycle whose deadline is exactly one of those days
    away, and writes an audit event only when it reminded someone."""
    if days is None or actor is not None:
        _admin_only(actor, _("Hanya admin nasional yang mengirim pengingat"))
    subs = Submission.objects.filter(cycle=cycle, status__in=[S.DRAFT, S.RETURNED]).select_related("cycle", "region")
    if days is None:
        subs = subs.filter(stage=_entry_stage(cycle))
    if regions is not None:
        subs = subs.filter(region_id__in=list(regions))
    today = timezone.localdate()
    sent = 0
    reminded = []
    for sub in subs:
        deadline = sub.deadline or cycle.self_assessment_deadline
        days_left = (timezone.localtime(deadline).date() - today).days if deadline else 0
        if days is not None and (deadline is None or days_left not in days):
            continue
        sent += notify.deadline_reminder(sub, days_left, len(queries.completeness(sub).missing))
        reminded.append(sub.region_id)
    if days is None or reminded:
        record_event(actor, "evaluations.remind", cycle, to_state=str(len(reminded)),
                     data={"regions": reminded[:600], "emails": sent})
    return sent


@transaction.atomic
def do_reopen(actor: Any, submission: Submission, reason: str, deadline: dt.datetime | None = None) -> Submission:
    """Give one submission back to its region (status: returned), e.g. after a technical failure or a late
    correction of evidence. Published results are corrected with do_correct_result instead."""
    _admin_only(actor, _("Hanya admin nasional yang membuka kembali pengajuan"))
    if not reason.strip():
        raise InvalidInput(_("Tuliskan alasan membuka kembali"), field="reason")
    if submission.status == S.PUBLISHED:
        raise InvalidTransition(_("Hasil sudah diterbitkan: gunakan koreksi hasil"), status=submission.status)
    sub = _transition(actor, submission, "reopen", reason)
    if deadline is not None:
        Submission.objects.filter(pk=sub.pk).update(deadline=deadline)
        sub.refresh_from_db()
    notify.submission_reopened(sub, reason)
    return sub


@transaction.atomic
def do_finalise_cycle(actor: Any, cycle: Cycle, reason: str = "") -> int:
    """Finalise every assessed submission of the cycle (each one audited). Returns how many."""
    _admin_only(actor, _("Hanya admin nasional yang memfinalkan hasil"))
    subs = list(Submission.objects.filter(cycle=cycle, status=S.ASSESSED).select_related("cycle"))
    for sub in subs:
        _transition(actor, sub, "finalise", reason)
    return len(subs)


@transaction.atomic
def do_correct_result(actor: Any, submission: Submission, levels: Mapping[str, int], reason: str) -> Result:
    """Correct a published result: the panel levels named are set, the region is scored again, the result
    becomes a new version (the old one is kept with the reason) and the cycle is ranked again."""
    _admin_only(actor, _("Hanya admin nasional yang mengoreksi hasil terbit"))
    if not reason.strip():
        raise InvalidInput(_("Tuliskan alasan koreksi"), field="reason")
    if not levels:
        raise InvalidInput(_("Sebutkan minimal satu indikator yang dikoreksi"), field="levels")
    result = Result.objects.filter(cycle=submission.cycle, region_id=submission.region_id, is_published=True).first()
    if result is None or submission.status != S.PUBLISHED:
        raise InvalidTransition(_("Hanya hasil yang sudah diterbitkan yang dikoreksi"))
    pack = queries.cycle_pack(submission.cycle)
    for code, level in levels.items():
        _indicator(submission, code)
        _check_level(pack, level, field=code)
    ResultVersion.objects.create(result=result, version=result.version, index=result.index,
                                 predicate=result.predicate, rank=result.rank, dimensions=result.dimensions,
                                 replaced_by=actor if getattr(actor, "is_authenticated", False) else None,
                                 reason=reason)
    for code, level in levels.items():
        obj = ConsensusScore.objects.filter(submission=submission, indicator=code).first()
        old = "" if obj is None else str(obj.level)
        if obj is None:
            obj = ConsensusScore.objects.create(submission=submission, indicator=code, level=level,
                                                note=reason, set_by=actor)
        else:
            ConsensusScore.objects.filter(pk=obj.pk).update(level=level, note=reason, set_by=actor,
                                                            set_at=timezone.now())
        record_event(actor, "evaluations.consensus", obj, region_code=submission.region_id, from_state=old,
                     to_state=str(level), reason=reason, data={"indicator": code, "correction": True})
    outcome = engine.score(pack, answers=queries.panel_levels(submission), previous=result.previous_index)
    data = outcome.to_dict()
    predicate = data.get("predicate") or ""
    if isinstance(predicate, dict):
        predicate = predicate.get("label", "")
    old_index = result.index
    Result.objects.filter(pk=result.pk).update(
        index=outcome.index, index_raw=str(outcome.index_raw), mean=outcome.mean, dimensions=data["dimensions"],
        pillars=data.get("pillars", {}), predicate=predicate, improvement=outcome.improvement,
        trace=data.get("trace", []), computed_at=timezone.now(), version=F("version") + 1,
        correction_reason=reason, corrected_at=timezone.now())
    rank_cycle(submission.cycle)
    result.refresh_from_db()
    record_event(actor, "evaluations.correct_result", result, region_code=submission.region_id,
                 from_state=str(old_index), to_state=str(result.index), reason=reason,
                 data={"version": result.version, "indicators": sorted(levels)})
    return result
