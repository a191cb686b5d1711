"""The region's self-assessment: answers (Smart City and IID), evidence (files and links), submitting
it and being sent it back."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import (
    DeadlinePassed,
    DuplicateEvidence,
    InvalidInput,
    InvalidTransition,
    StaleEdit,
    require,
)
from kotacerdas.core.fieldguard import check_values

from .. import notify, queries
from .. import rules as perms
from .. import transitions as T
from ..choices import EvidenceKind, NoteKind
from ..models import Answer, Evidence, IndicatorNote, Submission
from ..uploads import UploadRejected, check_upload, safe_display_name
from ._common import MAX_VIDEO_SECONDS, S, _check_level, _indicator, _may, _transition

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _check_editable(submission: Submission) -> None:
    if not T.step("edit_answers").allowed_from(submission.status):
        raise InvalidTransition(_("Pengajuan terkunci (status %(status)s)") % {"status": S(submission.status).label})
    deadline = submission.deadline or submission.cycle.self_assessment_deadline
    if deadline and timezone.now() > deadline:
        raise DeadlinePassed(_("Batas waktu %(deadline)s sudah lewat")
                             % {"deadline": f"{timezone.localtime(deadline):%d-%m-%Y %H:%M}"})


@transaction.atomic
def do_save_answer(actor: User, submission: Submission, indicator: str, level: int | None,
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


def _check_evidence_target(actor: User, submission: Submission, programme: Programme | None) -> None:
    """Region gate, then the unit rule on what the evidence is filed under (its programme, or the
    submission itself when there is none — then only the coordinator)."""
    require(perms.can_add_evidence, actor, submission, _("Anda tidak boleh menambah bukti dukung di wilayah ini"))
    if programme is not None and programme.region_id != submission.region_id:
        raise InvalidInput(_("Program bukan milik wilayah ini"), field="programme")
    require(perms.can_write_evidence, actor, programme if programme is not None else submission,
            _("Operator unit hanya menambah bukti untuk program unitnya sendiri"))


@transaction.atomic
def do_save_iid(actor: User, submission: Submission, answers: Mapping[str, int | None],
                innovations: Mapping[str, Mapping[str, int | None]]) -> int:
    """Save a self-assessment against a pack scored per innovation (IID): ``answers`` for the region's
    own indicators (SPD), ``innovations`` programme code -> indicator -> level for each innovation (a
    catalogue programme of the region flagged as one).  All or nothing; returns the number of levels
    that changed, recorded in one audit event."""
    from ..models import InnovationAnswer

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
def do_add_evidence_file(actor: User, submission: Submission, indicator: str, data: bytes, filename: str,
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
def do_add_evidence_link(actor: User, submission: Submission, indicator: str, url: str, *,
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
def do_archive_evidence(actor: User, evidence: Evidence, reason: str = "") -> Evidence:
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
def do_submit(actor: User, submission: Submission, reason: str = "") -> Submission:
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
def do_return(actor: User, submission: Submission, notes: Mapping[str, str], reason: str = "") -> Submission:
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
