"""The assessors' work on a submission: start, per-indicator scores, completion, feedback on
programmes, interview, the panel's consensus and concluding it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.errors import InvalidInput, InvalidTransition, NotAllowed, StaleEdit, require
from kotacerdas.core.fieldguard import check_values

from .. import notify, queries
from .. import rules as perms
from .. import transitions as T
from ..choices import AssessmentStatus
from ..models import Assessment, AssessmentScore, ConsensusScore, Feedback, Interview, Submission
from ._common import S, _check_level, _indicator, _may, _transition
from .results import compute_result

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def do_start_assessment(actor: User, submission: Submission, reason: str = "") -> Submission:
    _may(actor, submission, "start_assessment")
    return _transition(actor, submission, "start_assessment", reason)


def _assessment(actor: User, submission: Submission) -> Assessment:
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
def do_score(actor: User, submission: Submission, indicator: str, level: int, note: str = "", *,
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
def do_complete_assessment(actor: User, submission: Submission) -> Assessment:
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
def do_feedback(actor: User, submission: Submission, programme: Programme, *, strengths: str = "",
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
def do_record_interview(actor: User, submission: Submission, *, at: dt.datetime, meeting_url: str = "",
                        minutes: str = "") -> Interview:
    _assessment(actor, submission)
    interview = Interview.objects.create(submission=submission, at=at, meeting_url=meeting_url, minutes=minutes,
                                         recorded_by=actor)
    record_event(actor, "evaluations.interview", interview, region_code=submission.region_id)
    return interview


@transaction.atomic
def do_set_consensus(actor: User, submission: Submission, levels: Mapping[str, int], note: str = "",
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
def do_conclude(actor: User, submission: Submission, reason: str = "") -> Submission:
    """The panel is done: compute the region's result from consensus and assessor levels."""
    _may(actor, submission, "conclude")
    sheets = queries.assessor_sheets(submission, complete_only=True)
    if not sheets and not queries.consensus_levels(submission):
        raise InvalidInput(_("Belum ada penilaian asesor yang selesai"))
    sub = _transition(actor, submission, "conclude", reason)
    compute_result(actor, sub)
    notify.assessment_complete(sub)
    return sub
