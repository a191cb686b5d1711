"""What every part of the evaluation workflow shares: the status transition (checked against
evaluations.transitions, compare-and-set, audit event), the national-admin gate, the stage a region enters a cycle at, checking an indicator code
and a level against the cycle's pack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts import roles
from kotacerdas.accounts.actions import record_event
from kotacerdas.core.errors import InvalidInput, InvalidTransition, NotAllowed, StaleEdit, require

from .. import queries
from .. import transitions as T
from ..choices import Stage, SubmissionStatus
from ..models import Cycle, Submission

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = SubmissionStatus
MAX_VIDEO_SECONDS = 180


def _may(actor: User, submission: Submission, action: str) -> None:
    """The transition table's rule for `action`: who (its own refusal message), then from which status —
    both before any check of the content, so a step the workflow does not allow is refused as such."""
    require(T.who(action), actor, submission, str(T.step(action).refusal))
    if not T.step(action).allowed_from(submission.status):
        raise InvalidTransition(_("Tidak bisa %(action)s: status sekarang %(status)s")
                                % {"action": action, "status": S(submission.status).label}, status=submission.status)


def _transition(actor: User, submission: Submission, action: str, reason: str = "",
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


def _entry_stage(cycle: Cycle) -> str:
    return cycle.stage if cycle.stage in (Stage.SELF_ASSESSMENT, Stage.TAHAP_1, Stage.TAHAP_2) else Stage.TAHAP_2


def ensure_submission(actor: User, cycle: Cycle, region_code: str, stage: str) -> Submission:
    sub, created = Submission.objects.get_or_create(
        cycle=cycle, region_id=region_code, stage=stage,
        defaults={"deadline": cycle.self_assessment_deadline})
    if created:
        record_event(actor, "evaluations.create_submission", sub, to_state=S.DRAFT, data={"stage": stage})
    return sub


def _admin_only(actor: User | None, message: str) -> None:
    if actor is None or not roles.is_national_admin(actor):
        raise NotAllowed(message)


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
