"""National administration around a running cycle: the Tahap II meeting slot, deadline reminders,
reopening a submission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actions import record_event
from kotacerdas.core.errors import InvalidInput, InvalidTransition, StaleEdit

from .. import notify, queries
from ..choices import TZ_NAMES
from ..models import Cycle, Meeting, Participation, Submission
from ._common import S, _admin_only, _entry_stage, _transition

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def do_schedule_meeting(actor: User, cycle: Cycle, region_code: str, *, date: dt.date, time: dt.time,
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
def do_remind(actor: User | None, cycle: Cycle, regions: Iterable[str] | None = None, *,
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
def do_reopen(actor: User, submission: Submission, reason: str, deadline: dt.datetime | None = None) -> Submission:
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
