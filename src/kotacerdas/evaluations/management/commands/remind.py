from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kotacerdas.evaluations import notify
from kotacerdas.evaluations.choices import SubmissionStatus
from kotacerdas.evaluations.models import Submission
from kotacerdas.evaluations.queries import completeness


class Command(BaseCommand):
    help = ("Kirim pengingat batas waktu kepada koordinator daerah (untuk dijadwalkan harian) / "
            "Send deadline reminders (call daily from a scheduler).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, nargs="+", default=[7, 3, 1],
                            help="ingatkan pada H-n / remind n days before (default 7 3 1)")

    def handle(self, *args: Any, **opts: Any) -> None:
        today = timezone.localdate()
        sent = 0
        subs = Submission.objects.filter(status__in=[SubmissionStatus.DRAFT, SubmissionStatus.RETURNED]
                                         ).select_related("cycle", "region")
        for sub in subs:
            deadline = sub.deadline or sub.cycle.self_assessment_deadline
            if deadline is None:
                continue
            days_left = (timezone.localtime(deadline).date() - today).days
            if days_left in opts["days"]:
                sent += notify.deadline_reminder(sub, days_left, len(completeness(sub).missing))
        for hook in _extra():
            sent += hook(today)
        self.stdout.write(f"Pengingat terkirim: {sent}")


def _extra() -> list[Any]:
    """Other apps (rencana aksi) register reminder hooks here: callables taking today's date."""
    from kotacerdas.core import demo_hooks

    return getattr(demo_hooks, "REMINDERS", [])

