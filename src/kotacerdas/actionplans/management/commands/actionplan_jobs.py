from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kotacerdas.actionplans.jobs import run_pending


class Command(BaseCommand):
    help = ("Jalankan impor rencana aksi yang masih antre (mis. setelah server dimulai ulang) / "
            "Run queued action-plan imports.")

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(f"Impor dijalankan: {run_pending()}")
