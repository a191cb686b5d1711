"""Emails to the people involved (console backend by default). Messages are Indonesian first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail

from kotacerdas.accounts.choices import Role

from .models import Meeting, Submission

# The daily reminders of apps built on this one (action plans), sent by `kotacerdas remind` after the
# deadline reminders: callables taking today's date and returning how many emails they sent. Each app
# registers its own in AppConfig.ready(), so this app needs to know none of them.
REMINDERS: list[Callable[[dt.date], int]] = []


def register_reminder(reminder: Callable[[dt.date], int]) -> None:
    if reminder not in REMINDERS:
        REMINDERS.append(reminder)


def _emails(region_code: str | None, *roles: str) -> list[str]:
    User = get_user_model()
    qs = User.objects.filter(memberships__role__in=roles, memberships__active=True, is_active=True)
    if region_code is not None:
        qs = qs.filter(memberships__region_id=region_code)
    return sorted({u.email for u in qs if u.email})


def _send(subject: str, body: str, recipients: Iterable[str]) -> int:
    to = list(recipients)
    if not to:
        return 0
    return send_mass_mail([(f"[kotacerdas] {subject}", body, settings.DEFAULT_FROM_EMAIL, [r]) for r in to],
                          fail_silently=True)


def _where(sub: Submission) -> str:
    return f"{sub.region.name} ({sub.region_id}) — {sub.cycle.name}, {sub.get_stage_display()}"


def submission_received(sub: Submission) -> int:
    body = f"Pengajuan {_where(sub)} telah diterima dan dikunci untuk penilaian.\n\n{settings.SITE_ROOT}/"
    return _send("Pengajuan diterima", body, _emails(sub.region_id, Role.COORDINATOR) + _emails(None,
                                                                                                 Role.NATIONAL_ADMIN))


def submission_returned(sub: Submission, notes: Mapping[str, str]) -> int:
    lines = "\n".join(f"- {code}: {text}" for code, text in notes.items())
    body = f"Pengajuan {_where(sub)} dikembalikan dengan catatan per indikator:\n{lines}\n\nSilakan perbaiki dan kirim ulang."
    return _send("Pengajuan dikembalikan", body, _emails(sub.region_id, Role.COORDINATOR))


def assessment_complete(sub: Submission) -> int:
    body = f"Penilaian {_where(sub)} telah selesai. Hasil akan diterbitkan setelah finalisasi."
    return _send("Penilaian selesai", body, _emails(sub.region_id, Role.COORDINATOR, Role.EXECUTIVE))


def published(sub: Submission) -> int:
    body = f"Hasil evaluasi {_where(sub)} telah diterbitkan.\n\n{settings.SITE_ROOT}/"
    return _send("Hasil evaluasi diterbitkan", body, _emails(sub.region_id, Role.COORDINATOR, Role.EXECUTIVE))


def deadline_reminder(sub: Submission, days_left: int, missing: int) -> int:
    body = (f"Batas waktu {_where(sub)} tinggal {days_left} hari. {missing} indikator belum dijawab.\n\n"
            f"{settings.SITE_ROOT}/")
    return _send("Pengingat batas waktu", body, _emails(sub.region_id, Role.COORDINATOR))


def submission_reopened(sub: Submission, reason: str) -> int:
    body = (f"Pengajuan {_where(sub)} dibuka kembali oleh admin nasional.\nAlasan: {reason}\n\n"
            f"Silakan perbaiki dan kirim ulang.\n\n{settings.SITE_ROOT}/")
    return _send("Pengajuan dibuka kembali", body, _emails(sub.region_id, Role.COORDINATOR))


def meeting_when(meeting: Meeting) -> str:
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from .choices import TZ_NAMES

    local = timezone.localtime(meeting.starts_at, ZoneInfo(TZ_NAMES[meeting.timezone]))
    return f"{local:%d-%m-%Y %H:%M} {meeting.timezone}"


def meeting_recipients(meeting: Meeting) -> list[str]:
    from .models import Assignment

    people = set(_emails(meeting.region_id, Role.COORDINATOR))
    assignment = Assignment.objects.filter(cycle=meeting.cycle, region_id=meeting.region_id, active=True) \
        .select_related("panel").first()
    if assignment is not None:
        people |= {u.email for u in assignment.panel.members.filter(is_active=True) if u.email}
    return sorted(people)


def meeting_scheduled(meeting: Meeting) -> int:
    """The Tahap II invitation, with the meeting as an .ics attachment."""
    from django.core.mail import EmailMessage, get_connection

    from .ics import meeting_ics

    region = meeting.region
    body = (f"Jadwal Tahap II Evaluasi Smart City — {region.name} ({region.code}), {meeting.cycle.name}\n\n"
            f"Waktu: {meeting_when(meeting)}\n"
            + (f"Tautan rapat: {meeting.meeting_url}\n" if meeting.meeting_url else "")
            + (f"Tempat: {meeting.place}\n" if meeting.place else "")
            + f"\nUndangan kalender terlampir (.ics).\n\n{settings.SITE_ROOT}/")
    ics = meeting_ics(meeting)
    messages = []
    for to in meeting_recipients(meeting):
        msg = EmailMessage(f"[kotacerdas] Jadwal Tahap II {region.name}", body, settings.DEFAULT_FROM_EMAIL, [to])
        msg.attach(f"tahap-2-{region.code}.ics", ics, "text/calendar")
        messages.append(msg)
    if not messages:
        return 0
    return get_connection(fail_silently=True).send_messages(messages) or 0
