"""Reminders to the units that own action items: due soon or overdue. Called daily by `kotacerdas remind`
(registered in kotacerdas.evaluations.notify.REMINDERS)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail

from kotacerdas.accounts.choices import Role

from .choices import ActionStatus
from .models import ActionItem

# Remind n days before the due date, and on these days after it (not every day: nobody reads daily nags).
DAYS_BEFORE = (7, 3, 1)
DAYS_AFTER = (1, 7, 14, 30)


def _recipients(item: ActionItem) -> list[str]:
    User = get_user_model()
    operators = User.objects.filter(memberships__role=Role.OPERATOR, memberships__unit_id=item.owner_id,
                                    memberships__active=True, is_active=True)
    emails = sorted({u.email for u in operators if u.email})
    if emails:
        return emails
    # A unit without an operator account: its coordinator follows up instead.
    coordinators = User.objects.filter(memberships__role=Role.COORDINATOR, memberships__region_id=item.region_id,
                                       memberships__active=True, is_active=True)
    return sorted({u.email for u in coordinators if u.email})


def due_for_reminder(today: dt.date) -> list[tuple[ActionItem, int]]:
    """(item, days left) for items whose reminder day is today; negative days left = overdue."""
    out = []
    items = (ActionItem.objects.active().exclude(status=ActionStatus.DONE).filter(due_on__isnull=False)
             .select_related("owner", "region"))
    for item in items:
        assert item.due_on is not None
        left = (item.due_on - today).days
        if left in DAYS_BEFORE or -left in DAYS_AFTER:
            out.append((item, left))
    return out


def send_reminders(today: dt.date) -> int:
    by_recipient: dict[str, list[tuple[ActionItem, int]]] = defaultdict(list)
    for item, left in due_for_reminder(today):
        for email in _recipients(item):
            by_recipient[email].append((item, left))
    messages = []
    for email, rows in sorted(by_recipient.items()):
        lines = []
        for item, left in sorted(rows, key=lambda r: (r[1], r[0].code)):
            when = f"terlambat {-left} hari" if left < 0 else f"tenggat {left} hari lagi"
            due = item.due_on.strftime("%d/%m/%Y") if item.due_on else ""
            lines.append(f"- {item.code} {item.title} ({item.owner}) — {when} ({due}), "
                         f"status {ActionStatus(item.status).label}")
        body = ("Rencana aksi berikut perlu ditindaklanjuti:\n" + "\n".join(lines) +
                f"\n\nPerbarui status dan bukti di {settings.SITE_ROOT}/")
        messages.append(("[kotacerdas] Pengingat rencana aksi", body, settings.DEFAULT_FROM_EMAIL, [email]))
    return send_mass_mail(messages, fail_silently=True) if messages else 0
