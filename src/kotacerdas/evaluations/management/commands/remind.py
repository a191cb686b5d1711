from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kotacerdas.evaluations import notify
from kotacerdas.evaluations.actions import do_remind
from kotacerdas.evaluations.choices import SubmissionStatus
from kotacerdas.evaluations.models import Cycle, Submission


class Command(BaseCommand):
    help = ("Kirim pengingat batas waktu kepada koordinator daerah (untuk dijadwalkan harian) / "
            "Send deadline reminders (call daily from a scheduler).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, nargs="+", default=[7, 3, 1],
                            help="ingatkan pada H-n / remind n days before (default 7 3 1)")

    def handle(self, *args: Any, **opts: Any) -> None:
        open_subs = Submission.objects.filter(status__in=[SubmissionStatus.DRAFT, SubmissionStatus.RETURNED])
        sent = 0
        for cycle in Cycle.objects.filter(pk__in=open_subs.values("cycle_id")).order_by("year", "pk"):
            sent += do_remind(None, cycle, days=opts["days"])
        today = timezone.localdate()
        for reminder in notify.REMINDERS:
            sent += reminder(today)
        self.stdout.write(f"Pengingat terkirim: {sent}")
