"""Every state change of the evaluation workflow. Each `do_*` checks permission, changes state in one
transaction and writes an audit event (who, when, from, to, why). Views and the API call only these."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kotacerdas.accounts import roles
from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme
from kotacerdas.regions.models import Region
from kotacerdas.scoring import engine

from . import notify, queries
from . import rules as perms
from .choices import STAGE_ORDER, AssessmentStatus, EvidenceKind, NoteKind, Stage, SubmissionStatus
from .errors import DeadlinePassed, InvalidInput, InvalidTransition, NotAllowed, StaleEdit
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
    Panel,
    Participation,
    Result,
    Submission,
)
from .uploads import UploadRejected, check_upload, safe_display_name

S = SubmissionStatus
MAX_VIDEO_SECONDS = 180


def _require(predicate: Any, user: Any, obj: Any, message: str) -> None:
    if not predicate.test(user, obj):
        raise NotAllowed(message)


def _transition(actor: Any, submission: Submission, allowed_from: Iterable[str], to: str, action: str,
                reason: str = "", data: dict[str, Any] | None = None) -> Submission:
    # Compare-and-set on (status, version): a concurrent transition makes this one fail cleanly.
    current = submission.status
    if current not in allowed_from:
        raise InvalidTransition(
            f"Tidak bisa {action}: status sekarang {S(current).label}", status=current)
    updated = Submission.objects.filter(pk=submission.pk, status=current, version=submission.version).update(
        status=to, version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise StaleEdit("Pengajuan baru saja diubah orang lain; muat ulang halaman")
    submission.refresh_from_db()
    record_event(actor, f"evaluations.{action}", submission, from_state=current, to_state=to, reason=reason,
                 data=data or {})
    return submission


# --- cycles, participants, panels -------------------------------------------------------------------

@transaction.atomic
def do_open_cycle(actor: Any, *, year: int, pack_code: str, pack_version: str, name: str = "",
                  participants: Mapping[str, str] | None = None, stage: str = Stage.SELF_ASSESSMENT,
                  self_assessment_deadline: dt.datetime | None = None, is_demo: bool = False,
                  **dates: Any) -> Cycle:
    if not roles.is_national_admin(actor):
        raise NotAllowed("Hanya admin nasional yang membuka siklus evaluasi")
    try:
        pack = queries.pack_for(pack_code, pack_version)
    except LookupError as exc:
        raise InvalidInput(f"Paket rubrik {pack_code} versi {pack_version} tidak ada") from exc
    if Cycle.objects.filter(year=year, pack_code=pack_code).exists():
        raise InvalidInput(f"Siklus {year} dengan paket {pack_code} sudah ada")
    cycle = Cycle.objects.create(
        year=year, pack_code=pack_code, pack_version=pack_version, pack_digest=pack.digest, stage=stage,
        name=name or f"Evaluasi Smart City {year}", self_assessment_deadline=self_assessment_deadline,
        is_demo=is_demo, **dates)
    record_event(actor, "evaluations.open_cycle", cycle, to_state=stage,
                 data={"pack": f"{pack_code}@{pack_version}", "digest": pack.digest})
    for code, region_class in (participants or {}).items():
        do_add_participant(actor, cycle, code, region_class)
    return cycle


@transaction.atomic
def do_add_participant(actor: Any, cycle: Cycle, region_code: str, region_class: str = "B",
                       cohort: str = "") -> Participation:
    if not roles.is_national_admin(actor):
        raise NotAllowed("Hanya admin nasional yang menetapkan peserta")
    if not Region.objects.filter(code=region_code, level="kabkota").exists():
        raise InvalidInput(f"Kode kabupaten/kota {region_code!r} tidak dikenal", field="region")
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
        raise NotAllowed("Hanya admin nasional yang memindahkan tahap")
    if STAGE_ORDER.index(to_stage) != STAGE_ORDER.index(cycle.stage) + 1:
        raise InvalidTransition(f"Tahap {cycle.get_stage_display()} tidak bisa langsung ke {Stage(to_stage).label}")
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
                    for a in prev.answers.all()])
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
        raise NotAllowed("Hanya admin nasional yang membentuk panel")
    everyone = {m.pk: m for m in [lead, *members]}
    if not 3 <= len(everyone) <= 5:
        raise InvalidInput("Panel terdiri dari 4–5 asesor (minimal 3 untuk uji coba)", field="members")
    not_assessors = [u.username for u in everyone.values() if not roles.has_role(u, "assessor")]
    if not_assessors:
        raise InvalidInput(f"Bukan asesor: {', '.join(not_assessors)}", field="members")
    panel = Panel.objects.create(cycle=cycle, name=name, region_class=region_class, lead=lead)
    panel.members.set(list(everyone.values()))
    record_event(actor, "evaluations.form_panel", panel,
                 data={"members": sorted(u.username for u in everyone.values()), "lead": lead.username})
    return panel


@transaction.atomic
def do_assign(actor: Any, panel: Panel, region_code: str) -> Assignment:
    if not roles.is_national_admin(actor):
        raise NotAllowed("Hanya admin nasional yang menugaskan panel")
    conflicted = [m.username for m in panel.members.all() if region_code in roles.regions_for(m)]
    if conflicted:
        raise InvalidInput(
            f"Konflik kepentingan: {', '.join(conflicted)} berasal dari wilayah {region_code}", field="region")
    if not Participation.objects.filter(cycle=panel.cycle, region_id=region_code).exists():
        raise InvalidInput(f"Wilayah {region_code} bukan peserta siklus ini", field="region")
    assignment, created = Assignment.objects.get_or_create(
        cycle=panel.cycle, region_id=region_code, defaults={"panel": panel})
    if not created and assignment.panel_id != panel.pk:
        raise InvalidInput(f"Wilayah {region_code} sudah ditugaskan ke panel {assignment.panel}", field="region")
    if created:
        record_event(actor, "evaluations.assign", assignment, region_code=region_code, data={"panel": panel.name})
    return assignment


# --- the region's self-assessment ----------------------------------------------------------------

def _check_editable(submission: Submission) -> None:
    if submission.status not in (S.DRAFT, S.RETURNED):
        raise InvalidTransition(f"Pengajuan terkunci (status {S(submission.status).label})")
    deadline = submission.deadline or submission.cycle.self_assessment_deadline
    if deadline and timezone.now() > deadline:
        raise DeadlinePassed(f"Batas waktu {timezone.localtime(deadline):%d-%m-%Y %H:%M} sudah lewat")


def _indicator(submission: Submission, code: str) -> Any:
    pack = queries.cycle_pack(submission.cycle)
    node = next((n for n in pack.indicators() if n.code == code), None)
    if node is None:
        raise InvalidInput(f"Indikator {code!r} tidak ada dalam paket {pack.code}", field="indicator")
    return pack, node


def _check_level(pack: Any, level: int | None, field: str = "level") -> None:
    if level is not None and not pack.scale_min <= level <= pack.scale_max:
        raise InvalidInput(f"Tingkat {level} di luar skala {pack.scale_min}–{pack.scale_max}", field=field)


@transaction.atomic
def do_save_answer(actor: Any, submission: Submission, indicator: str, level: int | None,
                   justification: str = "", *, expected_version: int | None = None,
                   programme: Programme | None = None) -> Answer:
    _require(perms.can_edit_answers, actor, submission, "Hanya koordinator daerah yang mengisi jawaban")
    _check_editable(submission)
    pack, _node = _indicator(submission, indicator)
    _check_level(pack, level)
    if programme is not None and programme.region_id != submission.region_id:
        raise InvalidInput("Program bukan milik wilayah ini", field="programme")
    existing = Answer.objects.filter(submission=submission, indicator=indicator).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise StaleEdit("Jawaban ini sudah tidak ada pada versi yang Anda lihat; muat ulang halaman")
        answer = Answer.objects.create(submission=submission, indicator=indicator, level=level,
                                       justification=justification, programme=programme, updated_by=actor)
        old_level = None
    else:
        if expected_version is not None and expected_version != existing.version:
            raise StaleEdit(
                f"Jawaban ini baru saja diubah orang lain (versi Anda {expected_version}, sekarang {existing.version}); perubahan Anda belum "
                "disimpan — muat ulang lalu ulangi",
                current=existing.version)
        updated = Answer.objects.filter(pk=existing.pk, version=existing.version).update(
            level=level, justification=justification, programme=programme, updated_by=actor,
            version=F("version") + 1, updated_at=timezone.now())
        if not updated:
            raise StaleEdit("Jawaban ini baru saja diubah orang lain; muat ulang lalu ulangi")
        old_level = existing.level
        answer = Answer.objects.get(pk=existing.pk)
    record_event(actor, "evaluations.save_answer", answer, region_code=submission.region_id,
                 from_state="" if old_level is None else str(old_level),
                 to_state="" if level is None else str(level), data={"indicator": indicator})
    return answer


@transaction.atomic
def do_add_evidence_file(actor: Any, submission: Submission, indicator: str, data: bytes, filename: str,
                         description: str = "", programme: Programme | None = None) -> Evidence:
    _require(perms.can_add_evidence, actor, submission, "Anda tidak boleh menambah bukti dukung di wilayah ini")
    if roles.has_role(actor, "operator") and not perms.is_region_coordinator(actor, submission):
        if programme is None or programme.owner_id not in roles.units_for(actor):
            raise NotAllowed("Operator unit hanya menambah bukti untuk program unitnya sendiri")
    _check_editable(submission)
    _indicator(submission, indicator)
    try:
        checked = check_upload(data, filename, settings.EVIDENCE_MAX_BYTES)
    except UploadRejected as exc:
        raise InvalidInput(str(exc), field="file") from exc
    digest = hashlib.sha256(data).hexdigest()
    evidence = Evidence(submission=submission, indicator=indicator, kind=EvidenceKind.FILE,
                        original_name=safe_display_name(filename), content_type=checked.content_type,
                        extension=checked.extension, size=checked.size, sha256=digest, description=description,
                        programme=programme, uploaded_by=actor)
    evidence.file.save("upload", ContentFile(data), save=False)
    evidence.save()
    record_event(actor, "evaluations.add_evidence", evidence, region_code=submission.region_id,
                 data={"indicator": indicator, "sha256": digest, "size": checked.size, "type": checked.content_type})
    return evidence


@transaction.atomic
def do_add_evidence_link(actor: Any, submission: Submission, indicator: str, url: str, *,
                         kind: str = EvidenceKind.LINK, duration_seconds: int | None = None,
                         description: str = "", programme: Programme | None = None) -> Evidence:
    _require(perms.can_add_evidence, actor, submission, "Anda tidak boleh menambah bukti dukung di wilayah ini")
    _check_editable(submission)
    _indicator(submission, indicator)
    if not url.startswith(("https://", "http://")):
        raise InvalidInput("Tautan harus diawali http:// atau https://", field="url")
    if kind == EvidenceKind.VIDEO and (duration_seconds is None or duration_seconds > MAX_VIDEO_SECONDS):
        raise InvalidInput("Video bukti dukung paling lama 3 menit", field="duration_seconds")
    evidence = Evidence.objects.create(submission=submission, indicator=indicator, kind=kind, url=url,
                                       duration_seconds=duration_seconds, description=description,
                                       programme=programme, uploaded_by=actor)
    record_event(actor, "evaluations.add_evidence", evidence, region_code=submission.region_id,
                 data={"indicator": indicator, "url": url})
    return evidence


@transaction.atomic
def do_archive_evidence(actor: Any, evidence: Evidence, reason: str = "") -> Evidence:
    _require(perms.can_add_evidence, actor, evidence.submission, "Anda tidak boleh mengubah bukti dukung ini")
    _check_editable(evidence.submission)
    Evidence.objects.filter(pk=evidence.pk).update(archived_at=timezone.now())
    record_event(actor, "evaluations.archive_evidence", evidence, region_code=evidence.submission.region_id,
                 reason=reason)
    evidence.refresh_from_db()
    return evidence


@transaction.atomic
def do_submit(actor: Any, submission: Submission, reason: str = "") -> Submission:
    _require(perms.can_submit, actor, submission, "Hanya koordinator daerah yang mengirim pengajuan")
    _check_editable(submission)
    errors = [c for c in queries.pre_submit_checks(submission) if c.severity == "error"]
    if errors:
        raise InvalidInput("; ".join(c.message for c in errors), checks=[c.code for c in errors])
    to = S.RESUBMITTED if submission.status == S.RETURNED else S.SUBMITTED
    sub = _transition(actor, submission, [S.DRAFT, S.RETURNED], to, "submit", reason)
    Submission.objects.filter(pk=sub.pk).update(submitted_at=timezone.now())
    IndicatorNote.objects.filter(submission=sub, kind=NoteKind.RETURN, resolved_at__isnull=True).update(
        resolved_at=timezone.now())
    notify.submission_received(sub)
    return sub


@transaction.atomic
def do_return(actor: Any, submission: Submission, notes: Mapping[str, str], reason: str = "") -> Submission:
    _require(perms.can_return, actor, submission, "Hanya admin nasional atau ketua panel yang mengembalikan")
    if not notes:
        raise InvalidInput("Tuliskan catatan untuk minimal satu indikator", field="notes")
    for code in notes:
        _indicator(submission, code)
    sub = _transition(actor, submission, [S.SUBMITTED, S.RESUBMITTED], S.RETURNED, "return", reason,
                      data={"indicators": sorted(notes)})
    IndicatorNote.objects.bulk_create([IndicatorNote(submission=sub, indicator=code, kind=NoteKind.RETURN, text=text,
                                                     author=actor) for code, text in notes.items()])
    notify.submission_returned(sub, notes)
    return sub


# --- assessment ----------------------------------------------------------------------------------

@transaction.atomic
def do_start_assessment(actor: Any, submission: Submission, reason: str = "") -> Submission:
    _require(perms.can_conclude, actor, submission, "Hanya admin nasional atau ketua panel yang memulai penilaian")
    return _transition(actor, submission, [S.SUBMITTED, S.RESUBMITTED], S.UNDER_ASSESSMENT, "start_assessment",
                       reason)


def _assessment(actor: Any, submission: Submission) -> Assessment:
    if not perms.is_assigned_assessor.test(actor, submission):
        if perms.has_conflict_of_interest.test(actor, submission):
            raise NotAllowed("Konflik kepentingan: Anda berasal dari wilayah ini")
        raise NotAllowed("Wilayah ini tidak ditugaskan kepada Anda")
    if not submission.cycle.assessment_open():
        raise NotAllowed("Di luar jendela penilaian")
    if submission.status != S.UNDER_ASSESSMENT:
        raise InvalidTransition(f"Pengajuan tidak sedang dinilai (status {S(submission.status).label})")
    assessment, created = Assessment.objects.get_or_create(submission=submission, assessor=actor)
    if created:
        record_event(actor, "evaluations.start_scoring", assessment, region_code=submission.region_id)
    return assessment


@transaction.atomic
def do_score(actor: Any, submission: Submission, indicator: str, level: int, note: str = "", *,
             expected_version: int | None = None) -> AssessmentScore:
    assessment = _assessment(actor, submission)
    if assessment.status == AssessmentStatus.COMPLETE:
        raise InvalidTransition("Penilaian Anda sudah ditandai selesai")
    pack, _node = _indicator(submission, indicator)
    _check_level(pack, level)
    existing = AssessmentScore.objects.filter(assessment=assessment, indicator=indicator).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise StaleEdit("Skor ini berubah sejak Anda membukanya; muat ulang")
        score = AssessmentScore.objects.create(assessment=assessment, indicator=indicator, level=level, note=note)
        old = ""
    else:
        if expected_version is not None and expected_version != existing.version:
            raise StaleEdit("Skor ini baru saja diubah di jendela lain; perubahan Anda belum disimpan — muat ulang",
                            current=existing.version)
        if not AssessmentScore.objects.filter(pk=existing.pk, version=existing.version).update(
                level=level, note=note, version=F("version") + 1):
            raise StaleEdit("Skor ini baru saja diubah di jendela lain; muat ulang")
        old = str(existing.level)
        score = AssessmentScore.objects.get(pk=existing.pk)
    record_event(actor, "evaluations.score", score, region_code=submission.region_id, from_state=old,
                 to_state=str(level), data={"indicator": indicator})
    return score


@transaction.atomic
def do_complete_assessment(actor: Any, submission: Submission) -> Assessment:
    assessment = _assessment(actor, submission)
    pack = queries.cycle_pack(submission.cycle)
    scored = set(assessment.scores.values_list("indicator", flat=True))
    missing = [n.code for n in pack.indicators() if n.code not in scored]
    if missing:
        raise InvalidInput(f"{len(missing)} indikator belum Anda nilai", missing=missing[:20])
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
        raise InvalidInput("Program bukan milik wilayah ini", field="programme")
    if not (strengths or weaknesses or recommendation):
        raise InvalidInput("Isi minimal satu dari kekuatan, kelemahan atau rekomendasi", field="recommendation")
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
def do_set_consensus(actor: Any, submission: Submission, levels: Mapping[str, int], note: str = "") -> int:
    _require(perms.can_set_consensus, actor, submission, "Hanya ketua panel (dalam jendela penilaian) "
                                                         "yang menetapkan konsensus")
    if submission.status not in (S.UNDER_ASSESSMENT, S.ASSESSED):
        raise InvalidTransition(f"Konsensus tidak bisa diubah pada status {S(submission.status).label}")
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
    _require(perms.can_conclude, actor, submission, "Hanya admin nasional atau ketua panel yang menutup penilaian")
    sheets = queries.assessor_sheets(submission, complete_only=True)
    if not sheets and not queries.consensus_levels(submission):
        raise InvalidInput("Belum ada penilaian asesor yang selesai")
    sub = _transition(actor, submission, [S.UNDER_ASSESSMENT], S.ASSESSED, "conclude", reason)
    compute_result(actor, sub)
    notify.assessment_complete(sub)
    return sub


def compute_result(actor: Any, submission: Submission) -> Result:
    """Score a submission with the cycle's pack and store it. A published (frozen) result never changes."""
    cycle = submission.cycle
    existing = Result.objects.filter(cycle=cycle, region_id=submission.region_id).first()
    if existing is not None and existing.frozen_at is not None:
        raise InvalidTransition("Hasil sudah diterbitkan dan dibekukan")
    pack = queries.cycle_pack(cycle)
    previous = queries.previous_index(submission)
    outcome = engine.score(pack, answers=queries.panel_levels(submission), previous=previous)
    return store_result(actor, cycle, submission.region_id, outcome, pack, previous=previous)


def store_result(actor: Any, cycle: Cycle, region_code: str, outcome: Any, pack: Any, *,
                 previous: Decimal | None = None, is_demo: bool = False) -> Result:
    data = outcome.to_dict()
    values = {
        "pack_code": pack.code, "pack_version": pack.version, "pack_digest": pack.digest,
        "index": outcome.index, "index_raw": str(outcome.index_raw), "mean": outcome.mean,
        "dimensions": data["dimensions"], "pillars": data.get("pillars", {}),
        "predicate": data.get("predicate") or "",
        "previous_index": previous,
        "improvement": outcome.improvement, "trace": data.get("trace", []), "computed_at": timezone.now(),
        "is_demo": is_demo,
    }
    if isinstance(values["predicate"], dict):
        values["predicate"] = values["predicate"].get("label", "")
    result, created = Result.objects.update_or_create(cycle=cycle, region_id=region_code, defaults=values)
    record_event(actor, "evaluations.compute_result", result, region_code=region_code,
                 to_state=str(outcome.index), data={"pack": f"{pack.code}@{pack.version}", "created": created})
    return result


@transaction.atomic
def do_recompute(actor: Any, cycle: Cycle) -> int:
    if not roles.is_national_admin(actor):
        raise NotAllowed("Hanya admin nasional yang menghitung ulang")
    count = 0
    for sub in Submission.objects.filter(cycle=cycle, status__in=[S.ASSESSED, S.FINAL]).select_related("cycle"):
        compute_result(actor, sub)
        count += 1
    rank_cycle(cycle)
    return count


@transaction.atomic
def do_finalise(actor: Any, submission: Submission, reason: str = "") -> Submission:
    if not roles.is_national_admin(actor):
        raise NotAllowed("Hanya admin nasional yang memfinalkan hasil")
    return _transition(actor, submission, [S.ASSESSED], S.FINAL, "finalise", reason)


@transaction.atomic
def do_publish(actor: Any, cycle: Cycle, reason: str = "") -> int:
    """Publish every final result of the cycle: rank them, freeze them, tell the regions."""
    if not roles.is_national_admin(actor):
        raise NotAllowed("Hanya admin nasional yang menerbitkan hasil")
    finals = list(Submission.objects.filter(cycle=cycle, status=S.FINAL).select_related("cycle"))
    if not finals:
        raise InvalidInput("Belum ada hasil final untuk diterbitkan")
    now = timezone.now()
    for sub in finals:
        _transition(actor, sub, [S.FINAL], S.PUBLISHED, "publish", reason)
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
